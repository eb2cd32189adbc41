"""Floor plans: geometry rules, capacity checks, auto-layout counts, counts reaching blocks."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.io.projectfile import ProjectFileError, load_project, project_from_data, project_to_json
from core.model.plan import Door, FloorPlan, Hangar, LayoutRules, new_item
from core.model.project import AiBlock, MiningBlock, Strategy
from core.plan.autolayout import auto_layout, free_position, layout_with_cdus
from core.plan.checks import check_plan
from core.plan.geometry import PlanGeometry
from core.plan.layout import PlanContext, footprint, plan_counts, rotated, summarise
from tests.core.helpers import tiny_project

RULES = LayoutRules()  # cold 1.2 m, hot 0.9 m, doors 3 m deep
ROOM = Hangar(name="Room", length_m=10.0, width_m=10.0)


def geometry(items, hangar=ROOM, rules=RULES):
    return PlanGeometry(FloorPlan(hangar=hangar.name, items=items), hangar, rules).violations()


def rules_of(violations):
    return sorted((v.rule, v.items) for v in violations)


# ----------------------------------------------------------------------------- geometry
def test_touching_edges_are_not_an_overlap_but_sharing_area_is():
    # Two 2.0 × 0.8 m shelves side by side in one row (fronts south, 9.2 m of aisle ahead).
    a = new_item("asic_rack", 0.0, 0.0)
    assert geometry([a, new_item("asic_rack", 2.0, 0.0)]) == []
    overlap = geometry([a, new_item("asic_rack", 1.9, 0.0)])
    assert rules_of(overlap) == [("overlap", (0, 1))]
    assert overlap[0].message == "ASIC rack 1 overlaps ASIC rack 2"


def test_rotation_turns_the_footprint_about_its_centre():
    # A 0.6 × 1.2 m GPU rack at (1, 1): centre (1.3, 1.6). Turned 90°: 1.2 × 0.6 m about the
    # same centre, so x = 1.3 − 0.6 = 0.7 and y = 1.6 − 0.3 = 1.3.
    rack = new_item("gpu_rack_liquid", 1.0, 1.0)
    turned = rotated(rack)
    assert turned.rotation == 90
    assert footprint(turned) == pytest.approx((0.7, 1.3, 1.9, 1.9))
    back = rotated(turned, 270)  # four quarter turns in all
    assert back.rotation == 0 and footprint(back) == pytest.approx(footprint(rack))


def test_cold_aisle_between_facing_rows():
    # Row A faces south (0 … 0.8 m); row B faces north. Fronts face each other: ≥ 1.2 m.
    a = new_item("asic_rack", 0.0, 0.0)
    assert geometry([a, new_item("asic_rack", 0.0, 2.0, rotation=180)]) == []  # 2.0 − 0.8 = 1.2
    found = geometry([a, new_item("asic_rack", 0.0, 1.9, rotation=180)])
    assert rules_of(found) == [("cold_aisle", (0, 1))]
    assert "1.10 m" in found[0].message and "≥ 1.2 m" in found[0].message


def test_hot_aisle_between_backs_and_a_rack_facing_a_wall():
    # Turned 90° a GPU rack faces west; at x = 2 its cold aisle (0.8 … 2.0 m) fits. A rack at
    # 270° faces east, so backs meet: the hot aisle from 3.2 m must reach 4.1 m.
    a = new_item("gpu_rack_liquid", 2.0, 0.0, rotation=90)
    assert geometry([a, new_item("gpu_rack_liquid", 4.1, 0.0, rotation=270)]) == []
    found = geometry([a, new_item("gpu_rack_liquid", 4.0, 0.0, rotation=270)])
    assert rules_of(found) == [("hot_aisle", (0, 1))]
    assert "0.80 m" in found[0].message
    # Facing the west wall 0.5 m away: its cold aisle would run into the wall.
    found = geometry([new_item("gpu_rack_liquid", 0.5, 0.0, rotation=90)])
    assert rules_of(found) == [("cold_aisle", (0,))] and "0.50 m" in found[0].message


def test_door_egress_zone_and_walls():
    # A 2 m door on the north wall at 4 m: the strip x 4 … 6, y 0 … 3 stays clear.
    hangar = Hangar(
        name="Room", length_m=10, width_m=10, doors=[Door(wall="north", offset_m=4, width_m=2)]
    )
    assert geometry([new_item("asic_rack", 4.5, 3.0)], hangar) == []  # touches the zone's edge
    found = geometry([new_item("asic_rack", 4.5, 2.9)], hangar)
    assert rules_of(found) == [("door", (0,))]
    assert "north door at 4 m" in found[0].message
    assert rules_of(geometry([new_item("asic_rack", 8.5, 5.0)])) == [("outside", (0,))]


def _brute_force(items, hangar, rules):
    """Every pair compared directly: the reference for the grid search."""
    g = PlanGeometry(FloorPlan(hangar=hangar.name, items=items), hangar, rules)
    pairs = set()
    rects = [footprint(i) for i in items]
    for a in range(len(items)):
        for b in range(a + 1, len(items)):
            ra, rb = rects[a], rects[b]
            if (
                min(ra[2], rb[2]) - max(ra[0], rb[0]) > 1e-6
                and min(ra[3], rb[3]) - max(ra[1], rb[1]) > 1e-6
            ):
                pairs.add(("overlap", (a, b)))
    for z, zr in enumerate(g.zones):
        for b, rb in enumerate(rects):
            if g.zone_owner[z] == b:
                continue
            if (
                min(zr[2], rb[2]) - max(zr[0], rb[0]) > 1e-6
                and min(zr[3], rb[3]) - max(zr[1], rb[1]) > 1e-6
            ):
                kind = ("cold_aisle", "hot_aisle", "door")[g.zone_kind[z]]
                owner = int(g.zone_owner[z])
                pairs.add((kind, (b,) if kind == "door" else tuple(sorted((owner, b)))))
    return pairs


@pytest.mark.parametrize("seed", range(6))
def test_grid_search_and_drag_updates_agree_with_comparing_every_pair(seed):
    rng = np.random.default_rng(seed)
    hangar = Hangar(name="H", length_m=30, width_m=12, doors=[Door(wall="south", offset_m=5)])
    kinds = ["asic_rack", "gpu_rack_liquid", "cdu", "container_hydro", "power_pad"]
    items = [
        new_item(
            kinds[int(rng.integers(0, 5))],
            float(np.round(rng.uniform(0, 28), 1)),
            float(np.round(rng.uniform(0, 10), 1)),
            rotation=int(rng.integers(0, 4)) * 90,
        )
        for _ in range(60)
    ]
    found = geometry(items, hangar)
    geo = {(v.rule, v.items) for v in found if v.rule not in ("outside",)}
    geo -= {(r, i) for r, i in geo if r == "cold_aisle" and len(i) == 1}  # wall-facing fronts
    assert geo == _brute_force(items, hangar, RULES)
    # Drag five items: updating only what moved gives what a full check gives.
    g = PlanGeometry(FloorPlan(hangar="H", items=items), hangar, RULES)
    before = g.violations()
    changes = {
        int(k): items[int(k)].model_copy(update={"x_m": float(rng.uniform(0, 28)), "rotation": 90})
        for k in rng.choice(60, 5, replace=False)
    }
    after = g.moved(changes, before)
    moved_items = [changes.get(k, item) for k, item in enumerate(items)]
    assert after == geometry(moved_items, hangar)


# ----------------------------------------------------------------------------- capacity
def _gpu_project(plan_items, interconnect_mw=1000.0):
    ai = AiBlock(name="AI", business_model="gpu_cloud", server_count=1, gpu_hour_usd=2.0, pue=1.25)
    plan = FloorPlan(hangar="Hall", items=plan_items)
    return tiny_project(
        [ai],
        site={
            "interconnect_mw": interconnect_mw,
            "hangars": [Hangar(name="Hall", length_m=20, width_m=10)],
        },
        strategies=[Strategy(name="AI", blocks=[ai], plans=[plan])],
    )


def test_rack_kw_cdu_capacity_and_facility_load():
    # Two direct-liquid racks of 4 HGX H100 servers at 10.2 kW max: 40.8 kW each, 81.6 kW of
    # liquid heat. An 80 kW CDU is 1.6 kW short. Facility = 81.6 × 1.25 PUE = 102 kW.
    racks = [
        new_item("gpu_rack_liquid", 2.0, 2.0, block="AI"),
        new_item("gpu_rack_liquid", 2.6, 2.0, block="AI", cooling_limit_kw=30.0),
    ]
    cdu = new_item("cdu", 3.2, 2.0, cooling_kw=80.0)
    project = project_from_data(json.loads(project_to_json(_gpu_project([*racks, cdu], 0.1))))
    strategy = project.strategies[0]
    assert strategy.blocks[0].server_count == 8  # taken from the plan on load
    found = check_plan(project, strategy, strategy.plans[0])
    assert rules_of(found) == [("cooling", (2,)), ("facility", ()), ("rack_kw", (1,))]
    by_rule = {v.rule: v.message for v in found}
    assert "40.8 kW is above its direct liquid cooling limit of 30.0 kW" in by_rule["rack_kw"]
    assert "short 2 kW" in by_rule["cooling"]  # 1.6 kW, shown to the kW
    assert "facility load 0.10 MW" in by_rule["facility"]
    s = summarise(strategy.plans[0], "AI", PlanContext.of(project, strategy))
    assert s.counts == {"hgx_h100": 8}
    assert s.it_kw == pytest.approx(81.6) and s.facility_kw == pytest.approx(102.0)
    assert s.cooling_balance_kw == pytest.approx(-1.6)
    # 20 × 10 m = 200 m² = 2,152.8 ft² for 0.0816 MW: 26,382 ft² per MW.
    assert s.ft2_per_mw == pytest.approx(200 * 10.7639104 / 0.0816)


def test_plan_counts_feed_blocks_and_unlinked_items_are_listed():
    mining = MiningBlock(name="Fleet", asic_model="s21", asic_count=5)
    colo = AiBlock(name="Lease", business_model="colocation", it_mw=9.0, colo_usd_per_kw_month=100)
    items = [
        new_item("asic_rack", 0.0, 0.0, block="Fleet"),  # 40 miners
        new_item("asic_rack", 2.0, 0.0, block="Fleet", units=25),
        new_item("asic_rack", 4.0, 0.0),  # not linked: not counted
        new_item("gpu_rack_liquid", 0.0, 5.0, block="Lease"),  # 4 × 10.2 kW = 40.8 kW
        new_item("gpu_rack_liquid", 0.6, 5.0, block="Fleet"),  # a GPU rack cannot feed mining
    ]
    strategy = Strategy(
        name="Both", blocks=[mining, colo], plans=[FloorPlan(hangar="Hall", items=items)]
    )
    project = tiny_project(
        [mining],
        site={"hangars": [Hangar(name="Hall", length_m=20, width_m=10)]},
        strategies=[strategy],
    )
    assert plan_counts(project, strategy) == pytest.approx({"Fleet": 65, "Lease": 0.0408})
    loaded = project_from_data(json.loads(project_to_json(project)))
    blocks = loaded.strategies[0].blocks
    assert blocks[0].asic_count == 65 and blocks[1].it_mw == pytest.approx(0.0408)
    links = [
        v
        for v in check_plan(loaded, loaded.strategies[0], loaded.strategies[0].plans[0])
        if v.rule == "link"
    ]
    assert [v.items for v in links] == [(2,), (4,)]
    assert "not linked to a mining block" in links[0].message
    assert "linked to 'Fleet', which is not an AI block" in links[1].message


# ----------------------------------------------------------------------------- auto-layout
def test_auto_layout_fills_a_200_by_50_m_hangar_in_rows():
    # 2.0 × 0.8 m shelves: 200 / 2.0 = 100 per row. Across 50 m a pair of rows takes
    # 0.8 + 1.2 (cold) + 0.8 + 0.9 (hot) = 3.7 m; pair k starts at 3.7k and needs 2.8 m, so
    # k = 0 … 12 fit (44.4 + 2.8 = 47.2 ≤ 50): 26 rows. A 27th row at 48.1 m needs its 0.8 m
    # plus a 1.2 m cold aisle = 50.1 m > 50. 26 × 100 = 2,600 racks.
    hangar = Hangar(name="Big", length_m=200, width_m=50)
    items = auto_layout(hangar, new_item("asic_rack"), RULES)
    assert len(items) == 2600
    assert geometry(items, hangar) == []
    # A 3 m door on the north wall at 10 m keeps x 10 … 13, y 0 … 3 clear: rows at y 0 and
    # 2.0 each lose the shelves at x 10 … 12 and 12 … 14 (the one at 8 … 10 only touches).
    with_door = hangar.model_copy(update={"doors": [Door(wall="north", offset_m=10)]})
    items = auto_layout(with_door, new_item("asic_rack"), RULES)
    assert len(items) == 2596
    assert geometry(items, with_door) == []


def test_auto_layout_fills_a_rectangle_around_kept_items():
    # A 12 × 6 m area of GPU racks (0.6 m wide, 1.2 m deep): 12 / 0.6 = 20 per row. A row
    # facing south at 0 needs 1.2 + 1.2 = 2.4 m; the north-facing row at 2.4 ends at 3.6; the
    # next pair starts at 3.6 + 0.9 = 4.5 and needs 4.5 + 2.4 = 6.9 > 6 m. 2 rows, 40 racks.
    hangar = Hangar(name="Hall", length_m=40, width_m=20)
    area = (10.0, 4.0, 22.0, 10.0)
    items = auto_layout(hangar, new_item("gpu_rack_liquid"), RULES, area=area)
    assert len(items) == 40
    assert all(10 <= footprint(i)[0] and footprint(i)[2] <= 22 for i in items)
    cdu = new_item("cdu", 16.0, 4.0)  # exactly on the first south-facing rack at x 16 … 16.6
    kept = auto_layout(hangar, new_item("gpu_rack_liquid"), RULES, area=area, keep=[cdu])
    # Only the rack under it is lost: the north-facing row's cold aisle (y 5.2 … 6.4) and the
    # neighbours at x 15.4 and 16.6 only touch the CDU (y 4 … 5.2, x 16 … 16.6).
    assert len(kept) == 39
    assert geometry([cdu, *kept], hangar) == []


# ----------------------------------------------------------------------------- files
def test_a_file_with_violations_loads_and_lists_them(tmp_path):
    items = [new_item("asic_rack", 0, 0, block="Fleet"), new_item("asic_rack", 1, 0, block="Fleet")]
    mining = MiningBlock(name="Fleet", asic_model="s21", asic_count=1)
    project = tiny_project(
        [mining],
        site={"hangars": [Hangar(name="Hall", length_m=20, width_m=10)]},
        strategies=[
            Strategy(name="S", blocks=[mining], plans=[FloorPlan(hangar="Hall", items=items)])
        ],
    )
    path = tmp_path / "plan.minepivot"
    path.write_text(project_to_json(project))
    loaded = load_project(path)
    assert loaded.strategies[0].blocks[0].asic_count == 80
    s = loaded.strategies[0]
    assert rules_of(check_plan(loaded, s, s.plans[0])) == [("overlap", (0, 1))]


def test_a_plan_of_an_unknown_hangar_is_refused_with_its_path():
    data = json.loads(project_to_json(tiny_project([MiningBlock(asic_model="s21", asic_count=1)])))
    data["site"]["hangars"] = [{"name": "Hall", "length_m": 20, "width_m": 10}]
    data["strategies"][0]["plans"] = [
        {
            "hangar": "Barn",
            "items": [{"kind": "cdu", "x_m": 0, "y_m": 0, "length_m": -1, "depth_m": 1}],
        }
    ]
    with pytest.raises(ProjectFileError) as err:
        project_from_data(data)
    assert (
        'strategies[0].plans[0].hangar: no site hangar named "Barn" (have: Hall)'
        in err.value.problems
    )
    assert "strategies[0].plans[0].items[0].length_m: must be > 0, got -1" in err.value.problems


def test_racks_come_with_the_cdus_their_heat_needs_and_the_plan_checks_clean():
    # A 20 × 10 m hall of direct-liquid racks of 4 HGX H100 (40.8 kW each, all of it liquid
    # heat). CDUs of 800 kW in a strip at the east end: ceil(racks × 40.8 / 800) of them.
    project = _gpu_project([])
    strategy = project.strategies[0]
    hall = project.site.hangars[0]
    ctx = PlanContext.of(project, strategy)

    def heat(items):
        return summarise(FloorPlan(hangar="Hall", items=items), "AI", ctx).heat_load_kw

    template = new_item("gpu_rack_liquid", block="AI")
    racks, cdus = layout_with_cdus(hall, template, RULES, heat)
    assert len(racks) > 20 and all(r.kind == "gpu_rack" for r in racks)
    assert heat(racks) == pytest.approx(40.8 * len(racks))
    assert len(cdus) == int(np.ceil(40.8 * len(racks) / 800))
    # Every CDU east of every rack, across the cold aisle, inside the hall.
    assert min(c.x_m for c in cdus) >= max(footprint(r)[2] for r in racks) + RULES.cold_aisle_m
    assert max(footprint(c)[2] for c in cdus) <= hall.length_m
    plan = FloorPlan(hangar="Hall", items=[*racks, *cdus])
    filled = project.model_copy(
        update={"strategies": [strategy.model_copy(update={"plans": [plan]})]}
    )
    found = check_plan(filled, filled.strategies[0], plan)
    assert found == []  # no cooling shortfall, overlap, aisle, wall or door problem


def test_a_double_clicked_item_lands_in_free_space_nearest_the_view_centre():
    hall = Hangar(name="Hall", length_m=10, width_m=5)
    block = new_item("power_pad", 0.0, 0.0, length_m=5.0, depth_m=5.0)  # the west half
    item = new_item("cdu")  # 0.6 × 1.2 m
    # Wanted at (2, 2), inside the pad: the nearest free spot puts its west edge on the pad's
    # east edge (x = 5.0) with its centre at y = 2 (y = 2 − 0.6 = 1.4).
    assert free_position(hall, item, [block], (2.0, 2.0)) == (5.0, 1.4)
    # A free point is kept (centred on it, to the 0.1 m grid).
    assert free_position(hall, item, [block], (8.0, 3.0)) == (7.7, 2.4)
    full = new_item("power_pad", 0.0, 0.0, length_m=10.0, depth_m=5.0)
    assert free_position(hall, item, [full], (2.0, 2.0)) is None
