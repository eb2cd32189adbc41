"""Hosting third-party miners, worked by hand on the unit miner (an S21: 200 TH/s, 3.5 kW,
$149.68 of revenue per MWh at full run on the test market): 2,000 of them draw 7 MW."""

import json

import numpy as np
import pytest

from core.engine.evaluation import evaluate
from core.io.projectfile import project_from_data, project_to_json
from core.model.plan import FloorPlan, Hangar, new_item
from core.model.project import HostingBlock, Strategy
from tests.core.engine.test_economics import _half_day
from tests.core.helpers import miner, tiny_project

JAN = 744  # hours
JAN_HALF = 372  # hours before noon


def _hosted(**kw):
    return HostingBlock(
        **({"asic_model": "s21", "asic_count": 2000, "pue": 1.0, "pool_fee_pct": 0.0} | kw)
    )


def _january(blocks, low, high, **kw):
    project = tiny_project(blocks, energy={"price_source": _half_day(low, high)}, **kw)
    return evaluate(project).strategies[0].monthly


def test_per_kwh_hosting_runs_while_the_rate_covers_the_price():
    # $0.08/kWh = $80/MWh: the site buys the power, so it runs the client's 7 MW at $20
    # (before noon) and curtails at $500. January: 80 × 7 × 372 = 208,320 of hosting, energy
    # 20 × 7 × 372 = 52,080, no mining revenue or hashrate of its own, no ASIC asset.
    m = _january([_hosted()], 20.0, 500.0)
    assert m["revenue_hosting_usd"][0] == pytest.approx(80 * 7 * JAN_HALF, rel=1e-12)
    assert m["energy_cost_usd"][0] == pytest.approx(20 * 7 * JAN_HALF, rel=1e-12)
    assert m["revenue_mining_usd"].sum() == 0 and m["hashrate_ph"].sum() == 0
    assert m["capex_usd"].sum() == 0 and m["salvage_usd"].sum() == 0
    assert m["mining_energy_mwh"][0] == pytest.approx(7 * JAN_HALF)
    assert m["curtailed_mwh"][0] == pytest.approx(7 * JAN_HALF)


def test_the_rate_is_per_kwh_the_machines_draw_and_the_site_pays_the_meter():
    # PUE 1.1: the meter draws 7.7 MW for the machines' 7. Running still pays at $20
    # (7.7 × 20 = 154 ≤ 7 × 80 = 560 an hour); revenue 80 × 7 × 372, energy 20 × 7.7 × 372.
    m = _january([_hosted(pue=1.1)], 20.0, 500.0)
    assert m["revenue_hosting_usd"][0] == pytest.approx(80 * 7 * JAN_HALF, rel=1e-12)
    assert m["energy_cost_usd"][0] == pytest.approx(20 * 7.7 * JAN_HALF, rel=1e-12)


def test_firm_hosting_runs_every_hour_and_takes_no_dr():
    # Not curtailable: all 744 hours, at $20 and $500 alike: revenue 80 × 7 × 744, energy
    # (20 + 500) × 7 × 372. With 5 MW enrolled at $6,000/MW-month and calls, firm load is
    # neither paid nor cut.
    dr = {"enrolled_mw": 5.0, "capacity_usd_per_mw_month": 6000.0, "event_hours_per_year": 50}
    m = _january([_hosted(curtailable=False)], 20.0, 500.0, dr=dr)
    assert m["revenue_hosting_usd"][0] == pytest.approx(80 * 7 * JAN, rel=1e-12)
    assert m["energy_cost_usd"][0] == pytest.approx(520 * 7 * JAN_HALF, rel=1e-12)
    assert m["dr_capacity_usd"].sum() == 0


def test_cost_plus_hosting_passes_the_power_through_and_shares_the_profit():
    # Cost-plus: the client repays the power, pays $0.02/kWh ($20/MWh) and 10 % of its
    # mining margin. It runs while 149.68 − 20 covers the price: at $20 (before noon), not at
    # $140. January: power recharged 20 × 7 × 372 (a pass-through, as the site's energy cost);
    # hosting 20 × 7 × 372 + 10 % × (R − 20 − 20) × 7 × 372, R the revenue per MWh at full run.
    own = _january([miner(asic_count=2000)], 20.0, 20.0)
    r = own["revenue_mining_usd"][0] / (7 * JAN)
    assert r == pytest.approx(149.68, abs=0.01)
    host = _hosted(pricing="cost_plus", margin_usd_per_kwh=0.02, profit_share_pct=10.0)
    m = _january([host], 20.0, 140.0)
    assert m["power_passthrough_usd"][0] == pytest.approx(20 * 7 * JAN_HALF, rel=1e-12)
    assert m["energy_cost_usd"][0] == pytest.approx(20 * 7 * JAN_HALF, rel=1e-12)
    expected = 20 * 7 * JAN_HALF + 0.1 * (r - 40) * 7 * JAN_HALF
    assert m["revenue_hosting_usd"][0] == pytest.approx(expected, rel=1e-12)
    assert m["ebitda_usd"][0] == pytest.approx(expected, rel=1e-12)  # the power nets out


def test_dr_income_on_hosted_machines_is_kept_or_passed():
    # Own 7 MW and hosted 7 MW run every hour (flat $20); 10 MW enrolled at $6,000/MW-month,
    # no calls. Kept: 6,000 × min(10, 14) = 60,000 a month. Passed to the client: the site
    # keeps what its own fleet supplies first, 6,000 × min(10, 7) = 42,000.
    dr = {"enrolled_mw": 10.0, "capacity_usd_per_mw_month": 6000.0, "event_hours_per_year": 0}

    def capacity(dr_income):
        blocks = [miner(asic_count=2000), _hosted(name="Client", dr_income=dr_income)]
        return tiny_project(blocks, price=20.0, dr=dr)

    kept = evaluate(capacity("kept")).strategies[0].monthly["dr_capacity_usd"]
    passed = evaluate(capacity("passed")).strategies[0].monthly["dr_capacity_usd"]
    np.testing.assert_allclose(kept, 60_000.0, rtol=1e-12)
    np.testing.assert_allclose(passed, 42_000.0, rtol=1e-12)


def test_a_hosted_rack_is_counted_by_the_floor_plan_and_saved_as_hosting():
    # Two ASIC racks linked to the hosting block (40 and 25 miners) set its count, as for
    # any mining rack; the file keeps the block's kind.
    host = _hosted(name="Client", asic_count=5)
    items = [
        new_item("asic_rack", 0.0, 0.0, block="Client"),
        new_item("asic_rack", 2.0, 0.0, block="Client", units=25),
    ]
    strategy = Strategy(name="Host", blocks=[host], plans=[FloorPlan(hangar="Hall", items=items)])
    project = tiny_project(
        [host],
        site={"hangars": [Hangar(name="Hall", length_m=20, width_m=10)]},
        strategies=[strategy],
    )
    loaded = project_from_data(json.loads(project_to_json(project)))
    block = loaded.strategies[0].blocks[0]
    assert isinstance(block, HostingBlock) and block.asic_count == 65
    assert json.loads(project_to_json(loaded))["strategies"][0]["blocks"][0]["kind"] == "hosting"
