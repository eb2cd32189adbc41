"""Hand-worked strategies: the arithmetic is in each test's comments.

Common unit (tests/core/helpers.py): one Antminer S21, 200 TH/s at 3,500 W, PUE 1, no pool fee;
BTC $100,000, difficulty 1e14, no fees, subsidy 3.125 BTC. Hashprice:
  1e15 · 86400 · 3.125 · 100,000 / (1e14 · 2^32) = 62.864274 USD per PH/s per day,
so the miner (0.2 PH/s) earns 12.572855 USD a day = 0.5238690 USD an hour, drawing 3.5 kW:
revenue per MWh = 0.5238690 / 0.0035 = 149.68 USD. January has 744 hours.
"""

import numpy as np
import pytest

from core.engine.energy import simulate_strategy
from core.engine.evaluation import evaluate
from core.engine.market.context import market_context
from core.model.catalog import catalog_for
from core.model.project import AiBlock, Strategy, TimeOfUsePrice
from tests.core.helpers import miner, tiny_project

HASHPRICE = 1e15 * 86400 * 3.125 * 100_000 / (1e14 * 2**32)  # the brief's formula: 62.864274
HOURLY = HASHPRICE * 0.2 / 24  # USD per hour for the unit miner: 0.5238690


def _energy(project, strategy_index=0, **kw):
    ctx = market_context(project)
    return simulate_strategy(
        project, project.strategies[strategy_index], ctx, catalog_for(project), **kw
    )


def _two_level_tou(low: float, high: float) -> TimeOfUsePrice:
    """low for 00:00–19:59, high for 20:00–23:59, every month."""
    return TimeOfUsePrice(matrix_usd_per_mwh=[[low] * 20 + [high] * 4] * 12)


def test_one_miner_one_flat_month():
    # Flat $40 < $149.68 break-even: runs all 744 hours.
    # Revenue 62.864274 × 0.2 × 31 = 389.7585; energy 0.0035 MW × 744 h × $40 = 104.16.
    r = evaluate(tiny_project([miner()], price=40.0)).strategies[0].monthly
    assert r["revenue_mining_usd"][0] == pytest.approx(389.7585, rel=1e-6)
    assert r["energy_cost_usd"][0] == pytest.approx(104.16, rel=1e-9)
    assert r["energy_mwh"][0] == pytest.approx(2.604, rel=1e-9)
    assert r["curtailed_mwh"][0] == 0
    assert r["ebitda_usd"][0] == pytest.approx(389.7585 - 104.16, rel=1e-6)
    assert r["hashrate_ph"][0] == pytest.approx(0.2)


def test_halving_month_steps_revenue_at_the_right_hour():
    # Halving on 2026-01-16 00:00. December 2025 (31 d) at 3.125 BTC: 389.7585.
    # January: 15 days × 24 = 360 h at full rate + 384 h at half:
    #   360 × 0.5238690 + 384 × 0.2619345 = 188.5928 + 100.5829 = 289.1758.
    # February (28 d) at half: 62.864274 / 2 × 0.2 × 28 = 176.0200.
    p = tiny_project(
        [miner()],
        price=0.0,
        finance={"start_month": "2025-12"},
        market={"next_halving_date": "2026-01-16"},
    )
    rev = evaluate(p).strategies[0].monthly["revenue_mining_usd"]
    assert rev[0] == pytest.approx(389.7585, rel=1e-6)
    assert rev[1] == pytest.approx(289.1758, rel=1e-6)
    assert rev[2] == pytest.approx(176.0200, rel=1e-6)


def test_curtailment_under_index_pricing():
    # $20 for 20 h a day, $500 for 4 h: the miner stops in the 4 dear hours (500 > 149.68).
    # Runs 31 × 20 = 620 h: revenue 620 × 0.5238690 = 324.7988; energy 2.17 MWh × $20 = 43.40;
    # curtailed 124 h × 0.0035 = 0.434 MWh.
    p = tiny_project([miner()], energy={"price_source": _two_level_tou(20.0, 500.0)})
    e = _energy(p)
    assert e.revenue_mining_usd[0] == pytest.approx(620 * HOURLY, rel=1e-6)
    assert e.energy_cost_usd[0] == pytest.approx(43.40, rel=1e-9)
    assert e.curtailed_mwh[0] == pytest.approx(0.434, rel=1e-9)
    # Running through the spikes instead: 389.7585 − (43.40 + 124 × 0.0035 × 500 = 260.40).
    forced = _energy(p, curtail=False)
    assert forced.revenue_mining_usd[0] - forced.energy_cost_usd[0] == pytest.approx(
        389.7585 - 260.40, rel=1e-6
    )


def test_curtailment_under_fixed_price_block_resells_power():
    # Same prices; a 3.5 kW block bought at a fixed $30/MWh whether used or not:
    # fixed cost 0.0035 × 744 × 30 = 78.12; the 124 idle hours are resold at $500:
    # credits 124 × 0.0035 × 500 = 217.00. EBITDA = 324.7988 + 217.00 − 78.12 = 463.6788.
    p = tiny_project(
        [miner()],
        energy={
            "price_source": _two_level_tou(20.0, 500.0),
            "contract": "fixed_block",
            "fixed_block_mw": 0.0035,
            "fixed_price_usd_per_mwh": 30.0,
        },
    )
    m = evaluate(p).strategies[0].monthly
    assert m["energy_cost_usd"][0] == pytest.approx(78.12, rel=1e-9)
    assert m["power_credits_usd"][0] == pytest.approx(217.00, rel=1e-9)
    assert m["ebitda_usd"][0] == pytest.approx(620 * HOURLY + 217.00 - 78.12, rel=1e-6)


def test_tnd_adder_moves_the_break_even():
    # $140 all day plus a $10 adder = $150 > $149.68: the miner never runs.
    p = tiny_project([miner()], price=140.0, energy={"tnd_adder_usd_per_mwh": 10.0})
    assert _energy(p).revenue_mining_usd.sum() == 0
    p = tiny_project([miner()], price=139.0, energy={"tnd_adder_usd_per_mwh": 10.0})
    assert _energy(p).revenue_mining_usd[0] == pytest.approx(744 * HOURLY, rel=1e-6)


def test_colocation_block():
    # 10 MW IT at $150/kW-month, 3 %/yr escalator, tenant draws 80 % at PUE 1.3 = 10.4 MW,
    # power passed through. Live after 2 conversion months (March 2026).
    #   March revenue 10,000 kW × 150 = 1,500,000; month 14 (second live year) × 1.03.
    #   March energy 10.4 MW × 744 h × $40 = 309,504, passed through in full, and with it
    #   the tenant's 4CP share (triple-net): 309,504 + 52,000 = 361,504.
    #   Retrofit 10 MW × $5 M = 50 M over the two conversion months on the S-curve: the
    #   cumulative share x²(3 − 2x) is ½ half way, so 25 M in month 0 and 25 M in month 1.
    #   4CP $60/kW-yr on 10,400 kW at every summer peak: 10,400 × 60 / 12 = 52,000 a month
    #   in the first year.
    ai = AiBlock(
        it_mw=10.0,
        colo_usd_per_kw_month=150.0,
        colo_escalator_pct_per_year=3.0,
        pue=1.3,
        it_load_factor_pct=80.0,
        retrofit_usd_per_mw=5e6,
        conversion_months=2,
    )
    p = tiny_project([ai], finance={"horizon_years": 2}, energy={"fourcp_usd_per_kw_year": 60.0})
    m = evaluate(p).strategies[0].monthly
    assert m["revenue_colocation_usd"][:2].sum() == 0
    assert m["revenue_colocation_usd"][2] == pytest.approx(1_500_000)
    assert m["revenue_colocation_usd"][13] == pytest.approx(1_500_000)
    assert m["revenue_colocation_usd"][14] == pytest.approx(1_545_000)
    assert m["energy_cost_usd"][2] == pytest.approx(309_504, rel=1e-9)
    assert m["power_passthrough_usd"][2] == pytest.approx(309_504 + 52_000, rel=1e-9)
    # The landlord's net grid cost of an AI-only month is zero.
    grid = m["energy_cost_usd"] + m["demand_charge_usd"] + m["fourcp_charge_usd"]
    np.testing.assert_allclose((grid - m["power_passthrough_usd"])[2:], 0.0, atol=1e-6)
    np.testing.assert_allclose(m["capex_usd"][:2], 25e6)
    assert m["capex_usd"][2:].sum() == 0
    assert m["fourcp_charge_usd"][0] == pytest.approx(52_000, rel=1e-9)
    assert m["curtailed_mwh"].sum() == 0


def test_gpu_cloud_block():
    # 100 HGX H100 servers (8 GPUs, 7.5 kW typical) at $2.00/GPU-hour, 70 % utilised, price
    # falling 20 %/yr, PUE 1.25. January: 100 × 8 × 744 × 2.00 × 0.7 = 833,280; January of
    # the second year: × 0.8 = 666,624. Load 0.75 MW × 1.25 = 0.9375 MW: 0.9375 × 744 × $40
    # = 27,900. Servers 100 × $295,000 = 29.5 M capex in month 0, deducted at once with 100 %
    # bonus depreciation (the default for equipment); with none, over 5 years: 491,666.67 a
    # month.
    ai = AiBlock(
        business_model="gpu_cloud",
        server_count=100,
        gpu_hour_usd=2.0,
        utilisation_pct=70.0,
        gpu_price_decline_pct_per_year=20.0,
        pue=1.25,
    )
    p = tiny_project([ai], finance={"horizon_years": 2})
    m = evaluate(p).strategies[0].monthly
    assert m["revenue_gpu_cloud_usd"][0] == pytest.approx(833_280)
    assert m["revenue_gpu_cloud_usd"][12] == pytest.approx(666_624)
    assert m["energy_cost_usd"][0] == pytest.approx(27_900, rel=1e-9)
    assert m["capex_usd"][0] == pytest.approx(29.5e6)
    assert m["depreciation_usd"][0] == pytest.approx(29.5e6) and m["depreciation_usd"][1] == 0
    no_bonus = {"horizon_years": 2, "bonus_depreciation_pct": {"gpu": 0.0}}
    m = evaluate(tiny_project([ai], finance=no_bonus)).strategies[0].monthly
    np.testing.assert_allclose(m["depreciation_usd"], 29.5e6 / 60)


def test_demand_response_capacity_and_called_hours():
    # 2 kW of the 3.5 kW miner enrolled at $5,000/MW-month: 0.002 × 5,000 = $10 a month while
    # it runs. 10 called hours in the year (the dearest: 20:00–23:59 at $60 beats $30; the
    # earliest of the ties, so 1–3 January): in each the miner keeps only 1.5 of 3.5 kW
    # running, losing 10 × 0.5238690 × 2/3.5 = 2.99354, and earns capacity on the 1.5 kW still
    # running. January: 5,000 × (0.002 × 734 h + 0.0015 × 10 h) / 744 h = 9.966398.
    p = tiny_project(
        [miner()],
        energy={"price_source": _two_level_tou(30.0, 60.0)},
        dr={"enrolled_mw": 0.002, "capacity_usd_per_mw_month": 5000.0, "event_hours_per_year": 10},
    )
    e = _energy(p)
    assert e.dr_capacity_usd[0] == pytest.approx(5000 * (0.002 * 734 + 0.0015 * 10) / 744)
    assert np.allclose(e.dr_capacity_usd[1:], 10.0)
    assert e.revenue_mining_usd.sum() == pytest.approx(
        365 * 24 * HOURLY - 10 * HOURLY * 2 / 3.5, rel=1e-9
    )
    assert e.curtailed_mwh.sum() == pytest.approx(10 * 0.002, rel=1e-9)


def test_fourcp_avoidance_by_flexible_load():
    # Without avoidance the miner runs at each summer peak: 3.5 kW × $60/kW-yr / 12 = $17.50 a
    # month. With it the miner sits out the peaks and pays nothing; it loses the avoided hours
    # (20 per summer month, which include each peak).
    base = {"fourcp_usd_per_kw_year": 60.0, "price_source": _two_level_tou(30.0, 60.0)}
    paid = _energy(tiny_project([miner()], energy=base))
    assert np.allclose(paid.fourcp_charge_usd, 17.5)
    avoided = _energy(tiny_project([miner()], energy=base | {"fourcp_avoidance": True}))
    assert np.allclose(avoided.fourcp_charge_usd, 0.0)
    assert avoided.curtailed_mwh.sum() == pytest.approx(4 * 20 * 0.0035, rel=1e-9)


def test_conversion_retires_miners_and_sells_them():
    # Owned miners worth $2,000 each (100 units) stop at month 3; ASIC life 3 years, so they
    # sell for 200,000 × (1 − 3/36) = 183,333.33, all gain (no tax basis left).
    fleet = miner(asic_count=100, asic_unit_price_usd=2000.0, end_month=3)
    m = evaluate(tiny_project([fleet])).strategies[0].monthly
    assert m["revenue_mining_usd"][3:].sum() == 0 and m["revenue_mining_usd"][2] > 0
    assert m["salvage_usd"][3] == pytest.approx(200_000 * 33 / 36, rel=1e-12)
    assert m["taxable_income_usd"][3] == pytest.approx(m["ebitda_usd"][3] + 200_000 * 33 / 36)


def test_probability_weighted_npv():
    # 50 % contract: weighted NPV = 0.5 × NPV(AI) + 0.5 × NPV(fallback).
    ai = AiBlock(it_mw=1.0, colo_usd_per_kw_month=100.0, pue=1.2)
    strategies = [
        Strategy(name="Mine", blocks=[miner(asic_count=10)]),
        Strategy(name="AI", blocks=[ai], contract_probability_pct=50.0, fallback_strategy="Mine"),
    ]
    r = evaluate(tiny_project([], strategies=strategies))
    mine, host = r.by_name("Mine").kpis, r.by_name("AI").kpis
    assert host.probability_weighted_npv_usd == pytest.approx(
        0.5 * host.npv_usd + 0.5 * mine.npv_usd
    )
    assert mine.probability_weighted_npv_usd == mine.npv_usd
