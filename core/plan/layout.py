"""What a floor plan holds: footprints, aisle zones, loads, summaries, and the equipment counts
it hands to its strategy's blocks (the plan is the source of those counts)."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from operator import attrgetter
from typing import NamedTuple

import numpy as np

from core.model.catalog import Catalog, catalog_for
from core.model.plan import (
    CDU_COOLED,
    KIND_LABELS,
    MINER_KINDS,
    SERVER_KINDS,
    Door,
    FloorPlan,
    Hangar,
    LayoutRules,
    PlanItem,
)
from core.model.project import AiBlock, MiningBlock, Project, Strategy

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in metres
FT2_PER_M2 = 10.763910416709722
DEFAULT_SERVER_MODEL = "hgx_h100"
# Where a rack's front faces at each rotation (y grows southwards).
FRONT: dict[int, tuple[int, int]] = {0: (0, 1), 90: (-1, 0), 180: (0, -1), 270: (1, 0)}


def size(item: PlanItem) -> tuple[float, float]:
    """Footprint as placed: (east-west, north-south) in metres."""
    if item.rotation in (0, 180):
        return item.length_m, item.depth_m
    return item.depth_m, item.length_m


def footprint(item: PlanItem) -> Rect:
    w, h = size(item)
    return item.x_m, item.y_m, item.x_m + w, item.y_m + h


def door_zone(hangar: Hangar, door: Door, clearance_m: float) -> Rect:
    """The egress strip inside a door: the door's width, ``clearance_m`` deep."""
    a, b = door.offset_m, door.offset_m + door.width_m
    if door.wall == "north":
        return a, 0.0, b, clearance_m
    if door.wall == "south":
        return a, hangar.width_m - clearance_m, b, hangar.width_m
    if door.wall == "west":
        return 0.0, a, clearance_m, b
    return hangar.length_m - clearance_m, a, hangar.length_m, b


def door_name(door: Door) -> str:
    return f"{door.wall} door at {door.offset_m:g} m"


def rotated(item: PlanItem, by_deg: int = 90) -> PlanItem:
    """The item turned clockwise by ``by_deg`` (a multiple of 90) about its centre."""
    x0, y0, x1, y1 = footprint(item)
    turned = item.model_copy(update={"rotation": (item.rotation + by_deg) % 360})
    w, h = size(turned)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return turned.model_copy(update={"x_m": round(cx - w / 2, 9), "y_m": round(cy - h / 2, 9)})


def item_name(index: int, item: PlanItem) -> str:
    return item.label or f"{KIND_LABELS[item.kind]} {index + 1}"


# ----------------------------------------------------------------------------- loads
class ItemProfile(NamedTuple):
    block: MiningBlock | AiBlock | None  # the block it feeds, if the link is sound
    model: str | None  # the ASIC or server model inside
    unit_kw: float  # IT kW per miner or server (0 when the model is unknown)
    pue: float


@dataclass
class PlanContext:
    """What a strategy's plans need from the project: its blocks, models, rules and hangars."""

    catalog: Catalog
    blocks: dict[str, MiningBlock | AiBlock]
    duplicate_blocks: set[str]
    rules: LayoutRules
    hangars: dict[str, Hangar]
    _profiles: dict[tuple, ItemProfile] = field(default_factory=dict)

    @classmethod
    def of(cls, project: Project, strategy: Strategy) -> PlanContext:
        names = Counter(b.name for b in strategy.blocks)
        return cls(
            catalog=catalog_for(project),
            blocks={b.name: b for b in strategy.blocks},
            duplicate_blocks={n for n, k in names.items() if k > 1},
            rules=project.site.aisles,
            hangars={h.name: h for h in project.site.hangars},
        )

    def profile(self, item: PlanItem) -> ItemProfile:
        return self.profile_of(item.kind, item.block, item.model)

    def profile_of(self, kind: str, block_name: str | None, model: str | None) -> ItemProfile:
        """What an item's kind, link and model mean here (items share a few of these, so
        each is worked out once)."""
        key = (kind, block_name, model)
        found = self._profiles.get(key)
        if found is None:
            found = self._profiles[key] = self._work_out(kind, block_name, model)
        return found

    def _work_out(self, kind: str, block_name: str | None, item_model: str | None) -> ItemProfile:
        block = self.blocks.get(block_name) if block_name is not None else None
        if block_name in self.duplicate_blocks:
            block = None
        fits = (kind in MINER_KINDS and isinstance(block, MiningBlock)) or (
            kind in SERVER_KINDS and isinstance(block, AiBlock)
        )
        block = block if fits else None
        if isinstance(block, MiningBlock):
            model: str | None = block.asic_model
        elif isinstance(block, AiBlock) and block.business_model == "gpu_cloud":
            model = block.gpu_server_model
        elif kind in SERVER_KINDS:
            model = item_model or DEFAULT_SERVER_MODEL
        else:
            model = item_model if kind in MINER_KINDS else None
        unit_kw = 0.0  # a server at its design maximum
        if kind in MINER_KINDS and model in self.catalog.asics:
            unit_kw = self.catalog.asics[model].power_w / 1000.0
        elif kind in SERVER_KINDS and model in self.catalog.gpu_servers:
            unit_kw = self.catalog.gpu_servers[model].max_power_kw
        if block is not None:
            pue = block.pue
        else:
            model_class = MiningBlock if kind in MINER_KINDS else AiBlock
            pue = float(model_class.model_fields["pue"].default)
        return ItemProfile(block, model, unit_kw, pue)

    def linked_block(self, item: PlanItem) -> MiningBlock | AiBlock | None:
        """The block this item feeds, or None when the link is missing or does not fit."""
        return self.profile(item).block

    def model_of(self, item: PlanItem) -> str | None:
        return self.profile(item).model

    def unit_kw(self, item: PlanItem) -> float:
        """IT kW of one miner or server in this item."""
        return self.profile(item).unit_kw


@dataclass
class PlanSummary:
    strategy: str
    hangar: str
    counts: dict[str, int] = field(default_factory=dict)  # units per ASIC or server model
    items_by_kind: dict[str, int] = field(default_factory=dict)
    it_kw: float = 0.0
    facility_kw: float = 0.0
    heat_load_kw: float = 0.0  # rejected through CDUs
    cooling_kw: float = 0.0  # CDU capacity
    transformer_mva: float = 0.0
    floor_m2: float = 0.0
    occupied_m2: float = 0.0
    item_kw: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)  # IT kW each

    @property
    def it_mw(self) -> float:
        return self.it_kw / 1000.0

    @property
    def facility_mw(self) -> float:
        return self.facility_kw / 1000.0

    @property
    def cooling_balance_kw(self) -> float:
        return self.cooling_kw - self.heat_load_kw

    @property
    def ft2_per_mw(self) -> float | None:
        """Hangar floor per MW of IT load (rules of thumb: mining ~1,000, AI ~5,000)."""
        return self.floor_m2 * FT2_PER_M2 / self.it_mw if self.it_kw > 0 else None


_FIELDS = attrgetter("kind", "block", "model", "units", "cooling", "cooling_kw", "mva")


def summarise(plan: FloorPlan, strategy_name: str, ctx: PlanContext) -> PlanSummary:
    hangar = ctx.hangars.get(plan.hangar)
    s = PlanSummary(strategy=strategy_name, hangar=plan.hangar)
    s.floor_m2 = hangar.length_m * hangar.width_m if hangar else 0.0
    items = plan.items
    s.items_by_kind = dict(sorted(Counter(i.kind for i in items).items()))
    if not items:
        return s
    kinds, blocks, models, units_, cooling, cdu_kw, mva = zip(*map(_FIELDS, items), strict=True)
    # Items share a few (kind, link, model) profiles: work each out once, then index.
    keys = list(zip(kinds, blocks, models, strict=True))
    index = {k: n for n, k in enumerate(dict.fromkeys(keys))}
    profiles = [ctx.profile_of(*k) for k in index]
    code = np.fromiter((index[k] for k in keys), dtype=np.int64, count=len(keys))
    units = np.array(units_, dtype=float)
    is_it = np.array([k[0] in MINER_KINDS or k[0] in SERVER_KINDS for k in index], dtype=bool)
    unit_kw = np.array([p.unit_kw for p in profiles], dtype=float) * is_it
    kw = units * unit_kw[code]
    s.item_kw = kw
    s.it_kw = float(kw.sum())
    s.facility_kw = float(kw @ np.array([p.pue for p in profiles], dtype=float)[code])
    s.heat_load_kw = float(kw[np.array([c in CDU_COOLED for c in cooling], dtype=bool)].sum())
    is_cdu = np.array([k == "cdu" for k in kinds], dtype=bool)
    s.cooling_kw = float(np.array(cdu_kw, dtype=float)[is_cdu].sum())
    s.transformer_mva = float(np.array(mva, dtype=float)[np.array(kinds) == "power_pad"].sum())
    s.occupied_m2 = sum(i.length_m * i.depth_m for i in items)
    per_profile = np.bincount(code, weights=units, minlength=len(profiles))
    counts: Counter[str] = Counter()
    for p, it, n in zip(profiles, is_it, per_profile, strict=True):
        if it and p.model is not None:
            counts[p.model] += int(n)
    s.counts = dict(sorted(counts.items()))
    return s


# ----------------------------------------------------------------------------- counts
_LINK_FIELDS = attrgetter("kind", "block", "model", "units")


# The linked units of the last few plan lists, by identity: a field edit keeps the strategy's
# plans (the very list; projects are never changed in place), so a keystroke does not count
# its thousands of items again.
_UNITS_KEPT = 8
_units_memo: list[tuple[list, Counter]] = []
_units_lock = threading.Lock()


def _linked_units(plans: list) -> Counter:
    """Units per (kind, block, model) over the plans' linked items: items share a few keys."""
    with _units_lock:
        for ref, kept in _units_memo:
            if ref is plans:
                return kept
    units: Counter[tuple] = Counter()
    for plan in plans:
        for kind, block, model, n in map(_LINK_FIELDS, plan.items):
            if block is not None:
                units[(kind, block, model)] += n
    with _units_lock:
        _units_memo.insert(0, (plans, units))
        del _units_memo[_UNITS_KEPT:]
    return units


def plan_counts(project: Project, strategy: Strategy) -> dict[str, float]:
    """Per linked block name: its ASIC or server count, or a colocation block's IT MW."""
    ctx = PlanContext.of(project, strategy)
    totals: dict[str, float] = {}
    for key, n in _linked_units(strategy.plans).items():
        p = ctx.profile_of(*key)
        if p.block is None:
            continue
        if isinstance(p.block, AiBlock) and p.block.business_model == "colocation":
            value = n * p.unit_kw / 1000.0
        else:
            value = n
        totals[p.block.name] = totals.get(p.block.name, 0) + value
    return totals


def apply_plan_counts(project: Project) -> Project:
    """The project with every block that a plan item feeds set to the plan's count."""
    strategies = []
    changed = False
    for strategy in project.strategies:
        totals = plan_counts(project, strategy) if strategy.plans else {}
        blocks = []
        for block in strategy.blocks:
            if block.name in totals:
                block = _with_count(block, totals[block.name])
            blocks.append(block)
        if blocks != strategy.blocks:
            changed = True
            strategy = strategy.model_copy(update={"blocks": blocks})
        strategies.append(strategy)
    return project.model_copy(update={"strategies": strategies}) if changed else project


def _with_count(block: MiningBlock | AiBlock, value: float) -> MiningBlock | AiBlock:
    if isinstance(block, MiningBlock):
        return block.model_copy(update={"asic_count": int(value)})
    if block.business_model == "gpu_cloud":
        return block.model_copy(update={"server_count": int(value)})
    return block.model_copy(update={"it_mw": round(value, 6)})


def rename_block_links(project: Project, strategy_index: int, old: str, new: str) -> Project:
    """Plan items of one strategy that fed block ``old`` feed ``new`` (the block was renamed)."""
    strategy = project.strategies[strategy_index]
    if old == new or not any(i.block == old for p in strategy.plans for i in p.items):
        return project
    plans = [
        p.model_copy(
            update={
                "items": [
                    i.model_copy(update={"block": new}) if i.block == old else i for i in p.items
                ]
            }
        )
        for p in strategy.plans
    ]
    strategies = list(project.strategies)
    strategies[strategy_index] = strategy.model_copy(update={"plans": plans})
    return project.model_copy(update={"strategies": strategies})
