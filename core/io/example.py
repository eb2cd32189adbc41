"""The bundled example: a 100 MW West Texas site weighing keep mining, convert to AI, and hybrid.

Inputs are late-2026 views from the sourced reference figures the input tooltips cite; the file in
``resources/examples/`` is this function's output (a test keeps them equal).
"""

from __future__ import annotations

from typing import Any

from core.model.plan import Door, FloorPlan, Hangar, LayoutRules, new_item
from core.model.project import (
    AiBlock,
    DemandResponse,
    Energy,
    Finance,
    Market,
    MiningBlock,
    Project,
    ResidualPct,
    ScarcitySpikes,
    Site,
    Strategy,
    TimeOfUsePrice,
)
from core.plan.autolayout import auto_layout

# West Texas shape, $/MWh by hour (local standard time): cheap nights and solar middays,
# dear evenings; summer evenings dearer still, winter mornings a little dearer.
_HOURLY_SHAPE = [
    24,
    23,
    22,
    22,
    22,
    24,
    28,
    32,
    30,
    24,
    20,
    18,
    17,
    17,
    18,
    22,
    30,
    40,
    46,
    44,
    38,
    32,
    28,
    26,
]


def _tou_matrix() -> list[list[float]]:
    rows = []
    for month in range(1, 13):
        row = []
        for hour, base in enumerate(_HOURLY_SHAPE):
            factor = 1.0
            if month in (6, 7, 8, 9) and 15 <= hour <= 21:
                factor = 1.8
            elif month in (12, 1, 2) and 6 <= hour <= 9:
                factor = 1.35
            elif month in (3, 4, 5) and 9 <= hour <= 16:
                factor = 0.7
            row.append(round(base * factor, 2))
        rows.append(row)
    return rows


# Two 110 × 10 m hangars, each with a door in its east wall; shelves of 50 S21 (175 kW, with
# the hangar's fans rated 180 kW a shelf) in five rows, the last 4 m kept clear for the door.
HANGARS = [
    Hangar(name=name, length_m=110.0, width_m=10.0, doors=[Door(wall="east", offset_m=3.5)])
    for name in ("Hangar A", "Hangar B")
]


def _shelves(hangar: Hangar, block: str, per_row: int) -> FloorPlan:
    shelf = new_item("asic_rack", block=block, units=50, cooling_limit_kw=180.0)
    items = auto_layout(hangar, shelf, LayoutRules(), area=(0.0, 0.0, 2.0 * per_row, 10.0))
    return FloorPlan(hangar=hangar.name, items=items)


def example_project() -> Project:
    fleet: dict[str, Any] = dict(
        asic_model="s21",
        existing_fleet=True,
        asic_unit_price_usd=2400.0,
        pue=1.05,
        pool_fee_pct=2.5,
        derate_pct_per_year=3.0,
        om_usd_per_mw_month=2000.0,
    )
    colo: dict[str, Any] = dict(
        business_model="colocation",
        colo_usd_per_kw_month=140.0,
        colo_escalator_pct_per_year=3.0,
        power_passthrough=True,
        it_load_factor_pct=80.0,
        pue=1.3,
        retrofit_usd_per_mw=6_500_000.0,
        om_usd_per_mw_month=15_000.0,
        start_month=3,
        conversion_months=12,
    )
    return Project(
        name="West Texas 100 MW: mine, convert or hybrid",
        notes=(
            "Example project. Existing fleet of 26,500 Antminer S21 on a 100 MW ERCOT "
            "interconnect; AI option is a colocation lease on a liquid-cooled retrofit."
        ),
        site=Site(
            name="West Texas site",
            location="ERCOT LZ_WEST",
            interconnect_mw=100.0,
            energy=Energy(
                price_source=TimeOfUsePrice(
                    matrix_usd_per_mwh=_tou_matrix(),
                    spikes=ScarcitySpikes(hours_per_year=30, price_usd_per_mwh=2500.0, seed=7),
                ),
                escalator_pct_per_year=2.0,
                contract="index",
                tnd_adder_usd_per_mwh=4.0,
                demand_charge_usd_per_kw_month=0.0,
                fourcp_usd_per_kw_year=75.0,
                fourcp_avoidance=True,
                fourcp_avoid_hours_per_month=20,
            ),
            demand_response=DemandResponse(
                enrolled_mw=40.0, capacity_usd_per_mw_month=5000.0, event_hours_per_year=50
            ),
            fixed_opex_usd_per_year=4_000_000.0,
            opex_escalator_pct_per_year=3.0,
            hangars=HANGARS,
        ),
        market=Market(
            as_of="2026-11-01",
            btc_price_usd=95_000.0,
            btc_price_growth_pct_per_year=10.0,
            difficulty=160e12,
            difficulty_growth_pct_per_month=1.5,
            fees_btc_per_block=0.025,
            block_height=972_000,
        ),
        finance=Finance(
            start_month="2027-01",
            horizon_years=10,
            discount_rate_pct_per_year=12.0,
            tax_rate_pct=21.0,
            residual_value_pct=ResidualPct(asic=5.0, gpu=10.0, facility=20.0),
            target_irr_pct_per_year=15.0,
        ),
        strategies=[
            Strategy(
                name="Keep mining",
                blocks=[MiningBlock(name="S21 fleet", asic_count=26_500, **fleet)],
                # 2 hangars × 5 rows × 53 shelves × 50 miners = 26,500
                plans=[_shelves(h, "S21 fleet", 53) for h in HANGARS],
            ),
            Strategy(
                name="Convert to AI",
                contract_probability_pct=50.0,
                fallback_strategy="Keep mining",
                blocks=[
                    MiningBlock(
                        name="S21 fleet (until conversion)", asic_count=26_500, end_month=3, **fleet
                    ),
                    AiBlock(name="AI colocation", it_mw=72.0, **colo),
                ],
            ),
            Strategy(
                name="Hybrid",
                contract_probability_pct=50.0,
                fallback_strategy="Keep mining",
                blocks=[
                    MiningBlock(name="S21 fleet (kept)", asic_count=13_000, **fleet),
                    MiningBlock(name="S21 fleet (sold)", asic_count=13_500, end_month=3, **fleet),
                    AiBlock(name="AI colocation", it_mw=36.0, **colo),
                ],
                # The kept fleet in Hangar A: 5 rows × 52 shelves × 50 miners = 13,000
                plans=[_shelves(HANGARS[0], "S21 fleet (kept)", 52)],
            ),
            # The owned fleet's value today: what keeping the miners gives up.
            Strategy(
                name="Sell the fleet now",
                blocks=[
                    MiningBlock(name="S21 fleet (sold now)", asic_count=26_500, retire=0, **fleet)
                ],
            ),
        ],
    )
