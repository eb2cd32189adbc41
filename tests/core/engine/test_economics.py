"""Operating economics a CFO would sign, worked by hand (the unit miner of
tests/core/engine/test_engine_hand.py: one S21, 3.5 kW, break-even $149.68/MWh)."""

import numpy as np
import pytest

from core.engine.cashflow import evaluate
from core.engine.energy import market_context, simulate_strategy
from core.model.catalog import catalog_for
from core.model.project import TimeOfUsePrice
from tests.core.helpers import miner, tiny_project


def _energy(project):
    ctx = market_context(project)
    return simulate_strategy(project, project.strategies[0], ctx, catalog_for(project))


def _half_day(low: float, high: float) -> TimeOfUsePrice:
    """low for 00:00–11:59, high for 12:00–23:59, every month."""
    return TimeOfUsePrice(matrix_usd_per_mwh=[[low] * 12 + [high] * 12] * 12)


# ----------------------------------------------------------------------------- demand response
def test_capacity_is_earned_on_a_fleet_that_runs_half_the_hours():
    # 2,000 miners = 7 MW. $20 before noon (runs), $500 after (500 > 149.68: curtailed), so the
    # fleet runs 12 h a day. 5 MW enrolled at $6,000/MW-month, no calls: each running hour
    # earns on min(5, 7) = 5 MW, each idle hour on nothing. Any month: 6,000 × 5 × ½ = 15,000.
    # Check the test: capacity ≤ rate × min(enrolled, average running MW)
    # = 6,000 × min(5, 3.5) = 21,000.
    p = tiny_project(
        [miner(asic_count=2000)],
        energy={"price_source": _half_day(20.0, 500.0)},
        dr={"enrolled_mw": 5.0, "capacity_usd_per_mw_month": 6000.0, "event_hours_per_year": 0},
    )
    e = _energy(p)
    assert np.allclose(e.dr_capacity_usd, 15_000.0, rtol=1e-12)
    hours = np.array([744, 672, 744, 720, 744, 720, 744, 744, 720, 744, 720, 744])
    np.testing.assert_allclose(e.mining_energy_mwh, 7.0 * hours / 2, rtol=1e-12)
    average_mw = e.mining_energy_mwh / hours
    assert np.all(e.dr_capacity_usd <= 6000.0 * np.minimum(5.0, average_mw) + 1e-9)


def test_a_fleet_that_never_runs_earns_no_capacity():
    # $500 all day: above the $149.68 break-even in every hour, so nothing runs or is paid.
    p = tiny_project(
        [miner(asic_count=2000)],
        price=500.0,
        dr={"enrolled_mw": 5.0, "capacity_usd_per_mw_month": 6000.0},
    )
    e = _energy(p)
    assert e.mining_energy_mwh.sum() == 0 and e.dr_capacity_usd.sum() == 0


def test_capacity_stops_when_the_fleet_leaves_and_is_capped_by_its_load():
    # 7 MW running every hour ($20 flat), 10 MW enrolled: paid on the 7 MW that can be shed,
    # 6,000 × 7 = 42,000 a month, until the fleet leaves at month 4; then nothing.
    p = tiny_project(
        [miner(asic_count=2000, end_month=4)],
        price=20.0,
        dr={"enrolled_mw": 10.0, "capacity_usd_per_mw_month": 6000.0},
    )
    m = evaluate(p).strategies[0].monthly
    np.testing.assert_allclose(m["dr_capacity_usd"][:4], 42_000.0, rtol=1e-12)
    assert m["dr_capacity_usd"][4:].sum() == 0
    assert m["mining_energy_mwh"][4:].sum() == 0


def test_example_keep_mining_earns_no_capacity_once_its_fleet_stops_running():
    # The example's finding: from 2032 the S21 fleet never runs (hashprice below its power
    # cost), so it must earn no demand-response capacity there.
    from core.io.example import example_project

    m = evaluate(example_project()).by_name("Keep mining").monthly
    idle = m["mining_energy_mwh"] == 0
    assert idle.any()
    assert m["dr_capacity_usd"][idle].sum() == pytest.approx(0.0, abs=1e-6)
