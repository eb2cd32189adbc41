"""Hourly chart detail, a project's own equipment models, and the GPU-hour goal seek."""

import numpy as np
import pytest

from core.engine.detail import hourly_detail
from core.engine.evaluation import evaluate
from core.engine.goalseek import required_ai_price
from core.io.example import example_project
from core.model.project import AiBlock, AsicModel, GpuServerModel, TimeOfUsePrice
from tests.core.helpers import miner, tiny_project


def test_hourly_detail_for_a_chosen_year():
    # Year index 1 of the example is 2028 (a leap year: 8,784 hours). The sold fleet left in
    # month 3 of 2027, so it draws nothing and has no break-even line in 2028. Miners resold
    # at spot hashprice, so that the kept fleet runs into 2028 (at the expected hashprice it
    # is sold in 2027).
    project = example_project()
    spot = project.finance.model_copy(update={"asic_resale": "hashprice"})
    d = hourly_detail(project.model_copy(update={"finance": spot}), "Hybrid", 1)
    assert d.first_month == "2028-01" and d.price_usd_per_mwh.size == 8784
    assert set(d.load_mw) == {"S21 fleet (kept)", "S21 fleet (sold)", "AI colocation"}
    assert d.load_mw["S21 fleet (sold)"].sum() == 0
    assert np.isnan(d.breakeven_usd_per_mwh["S21 fleet (sold)"]).all()
    kept_load = d.load_mw["S21 fleet (kept)"]
    curtailed = d.curtailed["S21 fleet (kept)"]
    # Wherever the kept fleet stood idle the price was above its break-even or DR/4CP called.
    assert kept_load[curtailed].max(initial=0) < kept_load.max()
    be = d.breakeven_usd_per_mwh["S21 fleet (kept)"]
    running = kept_load > 0
    assert np.all(d.price_usd_per_mwh[running] <= be[running] + 1e-9)
    # Retired (auto) after the April 2028 halving: no load and no break-even line from then.
    assert np.isnan(be[-24:]).all() and kept_load[-24:].sum() == 0
    with pytest.raises(ValueError, match="year must be 0 to 9, got 10"):
        hourly_detail(example_project(), "Hybrid", 10)


def test_hourly_detail_reads_the_hours_a_result_kept(monkeypatch):
    # Given the result, the chart's detail comes from the hours that result was computed on,
    # with no second simulation, and equals the detail simulated afresh.
    import core.engine.detail as detail

    project = example_project()
    result = evaluate(project)
    fresh = {s.name: hourly_detail(project, s.name, 2) for s in project.strategies}

    def no_second_simulation(*_a, **_k):
        raise AssertionError("simulated again")

    monkeypatch.setattr(detail, "simulate_strategy", no_second_simulation)
    for s in project.strategies:
        kept = hourly_detail(project, s.name, 2, result=result)
        assert kept.first_month == fresh[s.name].first_month == "2029-01"
        for attr in ("load_mw", "curtailed", "breakeven_usd_per_mwh"):
            a, b = getattr(kept, attr), getattr(fresh[s.name], attr)
            assert list(a) == list(b)
            for key in a:
                np.testing.assert_array_equal(a[key], b[key])


def test_breakeven_line_drops_at_the_halving():
    # Flat $0 power, halving 2026-07-01: the miner's break-even halves from that hour.
    p = tiny_project([miner()], price=0.0, market={"next_halving_date": "2026-07-01"})
    be = hourly_detail(p, "S", 0).breakeven_usd_per_mwh["Mining"]
    half = (31 + 28 + 31 + 30 + 31 + 30) * 24
    assert be[half - 1] == pytest.approx(2 * be[half])


def test_a_project_can_bring_its_own_asic_and_gpu_server():
    # A 100 TH/s, 2,000 W unit: $100k BTC → 0.1 PH × 62.864274 = 6.2864274 USD a day.
    own = AsicModel(id="my_unit", name="House unit", hashrate_ths=100, power_w=2000, price_usd=1500)
    p = tiny_project([miner(asic_model="my_unit")], price=0.0)
    p = p.model_copy(update={"custom_asics": [own]})
    rev = evaluate(p).strategies[0].monthly["revenue_mining_usd"]
    assert rev[0] == pytest.approx(1e15 * 86400 * 3.125 * 1e5 / (1e14 * 2**32) * 0.1 * 31)
    server = GpuServerModel(id="box", name="Box", gpus=4, max_power_kw=5, typical_power_kw=4)
    ai = AiBlock(
        business_model="gpu_cloud",
        gpu_server_model="box",
        server_count=10,
        gpu_hour_usd=1.0,
        utilisation_pct=100.0,
        pue=1.0,
    )
    q = tiny_project([ai], price=0.0).model_copy(update={"custom_gpu_servers": [server]})
    # 10 servers × 4 GPUs × 744 h × $1 = 29,760 in January.
    assert evaluate(q).strategies[0].monthly["revenue_gpu_cloud_usd"][0] == pytest.approx(29_760)


def test_required_gpu_hour_price_for_target_irr():
    # 10 custom-free HGX servers bought at $295,000 each (2.95 M, month 0, 5-year life, no
    # residual: worth 2.95 M × (1 − 12/60) = 2.36 M after a year). Power 75 kW at PUE 1 on $0
    # power. At a 0 % target: 10 × 8 GPUs × 8,760 h × x = 2.95 M − 2.36 M = 590,000
    #   → x = 590,000 / 700,800 = 0.841895 USD/GPU-hour.
    ai = AiBlock(
        business_model="gpu_cloud",
        server_count=10,
        gpu_hour_usd=2.0,
        utilisation_pct=100.0,
        pue=1.0,
    )
    p = tiny_project([ai], price=0.0, finance={"target_irr_pct_per_year": 0.0})
    solved = required_ai_price(p, p.strategies[0])
    assert solved.unit == "USD/GPU-hour"
    assert solved.value == pytest.approx(590_000 / 700_800, rel=1e-6)


def test_time_of_use_matrix_hours_land_on_the_right_clock_hour():
    # Price equals the hour of day in every month: January 2nd 13:00 is hour 24 + 13.
    matrix = [[float(h) for h in range(24)]] * 12
    p = tiny_project([miner()], energy={"price_source": TimeOfUsePrice(matrix_usd_per_mwh=matrix)})
    price = hourly_detail(p, "S", 0).price_usd_per_mwh
    assert price[24 + 13] == 13.0 and price[-1] == 23.0
