"""GPU servers at the end of their life: replaced at a declining server price, or run off."""

import numpy as np
import pytest

from core.engine.evaluation import evaluate
from core.model.project import AiBlock
from tests.core.helpers import tiny_project


def _gpu(end_of_life, **kw):
    """10 H100 servers (8 GPUs, $295,000 each in the catalog) live at once, renting at
    $2/GPU-hour fully used, price falling 30 % a year, $1,000/MW-month of O&M; a 2-year GPU
    life, 10 % residual, over 4 years with no tax or discounting."""
    block = AiBlock(
        name="GPU",
        business_model="gpu_cloud",
        server_count=10,
        gpu_hour_usd=2.0,
        utilisation_pct=100.0,
        gpu_price_decline_pct_per_year=30.0,
        om_usd_per_mw_month=1000.0,
        conversion_months=0,
        gpu_end_of_life=end_of_life,
        **kw,
    )
    return tiny_project(
        [block],
        price=0.0,
        finance={
            "horizon_years": 4,
            "depreciation_life_years": {"asic": 3, "gpu": 2, "facility": 15},
            "residual_value_pct": {"asic": 0, "gpu": 10, "facility": 0},
        },
    )


def test_gpu_servers_that_run_off_stop_at_the_end_of_their_life():
    # Revenue 10 × 8 × hours × $2 × 0.7^year for months 0–23, then nothing; O&M (0.075 MW ×
    # $1,000) stops too; the servers are sold at month 24 for 10 % of $2.95 M = $295,000.
    m = evaluate(_gpu("run_off")).strategies[0].monthly
    hours = np.array([744, 672, 744, 720, 744, 720, 744, 744, 720, 744, 720, 744] * 4)
    want = 10 * 8 * hours * 2.0 * 0.7 ** (np.arange(48) // 12) * (np.arange(48) < 24)
    np.testing.assert_allclose(m["revenue_gpu_cloud_usd"], want, rtol=1e-12)
    np.testing.assert_allclose(m["opex_usd"], 75.0 * (np.arange(48) < 24), rtol=1e-12)
    assert m["salvage_usd"][24] == pytest.approx(295_000.0, rel=1e-12)
    assert m["capex_usd"].sum() == pytest.approx(2_950_000.0, rel=1e-12)


def test_gpu_servers_are_replaced_at_a_declining_price():
    # Replaced at month 24 for $2.95 M × 0.7² = $1,445,500 (the server price falls as the
    # rental does), or × 0.9² = $2,389,500 with its own 10 % a year; the old servers fetch
    # their 10 % residual; revenue runs on at the declining rental price.
    m = evaluate(_gpu("replace")).strategies[0].monthly
    assert m["capex_usd"][24] == pytest.approx(2_950_000.0 * 0.49, rel=1e-12)
    assert m["salvage_usd"][24] == pytest.approx(295_000.0, rel=1e-12)
    assert m["revenue_gpu_cloud_usd"][47] == pytest.approx(10 * 8 * 744 * 2.0 * 0.343, rel=1e-12)
    own = evaluate(_gpu("replace", server_price_decline_pct_per_year=10.0)).strategies[0]
    assert own.monthly["capex_usd"][24] == pytest.approx(2_950_000.0 * 0.81, rel=1e-12)
    # Held at the horizon, the replacement is valued at its age of 24 months (life 24): 10 %.
    assert own.monthly["salvage_usd"][47] == pytest.approx(2_389_500.0 * 0.1, rel=1e-12)
