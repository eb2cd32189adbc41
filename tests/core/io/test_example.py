"""The bundled example: sensible economics a consultant would recognise."""

import numpy as np
import pytest

from core.engine.evaluation import evaluate
from core.engine.market.bitcoin import hashprice_usd_per_ph_day
from core.io.example import example_project


@pytest.fixture(scope="module")
def result():
    return evaluate(example_project())


def test_four_strategies_over_ten_years(result):
    names = [s.name for s in result.strategies]
    assert names == ["Keep mining", "Convert to AI", "Hybrid", "Sell the fleet now"]
    assert len(result.months) == 120 and result.months[0] == "2027-01"


def test_hashprice_halves_in_the_projected_halving_month(result):
    # 972,000 on 2026-11-01 → 78,000 blocks × 592.9 s = 535 days 6 h 10 min → 2028-04-19
    # 06:10, which is month index 15 (2028-04); the hour that holds it (from 06:00) is the
    # first at the new subsidy. Month 14 is all pre-halving, month 16 all post.
    hp = result.by_name("Keep mining").monthly["hashprice_usd_per_ph_day"]
    assert result.months[15] == "2028-04"
    # Difficulty grows 1.5 %/month and BTC ~0.8 %/month, so compare with the plain formula:
    p = example_project().market

    def expected(m, subsidy):
        price = p.btc_price_usd * 1.10 ** (m / 12)
        return hashprice_usd_per_ph_day(
            price, p.difficulty * 1.015**m, subsidy, p.fees_btc_per_block
        )

    assert hp[14] == pytest.approx(expected(14, 3.125), rel=1e-9)
    assert hp[16] == pytest.approx(expected(16, 1.5625), rel=1e-9)
    share_before = 18 * 24 + 6  # hours of April 2028 before 2028-04-19 06:00
    blended = (
        share_before * expected(15, 3.125) + (720 - share_before) * expected(15, 1.5625)
    ) / 720
    assert hp[15] == pytest.approx(blended, rel=1e-9)


def test_mining_revenue_year_one_is_in_a_plausible_range(result):
    # 26,500 S21 × 200 TH = 5.3 EH/s at ~$37/PH/day ≈ $72 M a year before curtailment and fees,
    # for the fleet kept all year (at the expected hashprice "auto" sells it in month 3,
    # before the halving's months enter what a buyer prices; it runs months 0–2).
    keep = result.by_name("Keep mining")
    assert [(x.block_index, x.month) for x in keep.retirements] == [(0, 3)]
    project = example_project()
    s = project.strategies[0]
    kept = s.model_copy(update={"blocks": [s.blocks[0].model_copy(update={"retire": "never"})]})
    m = evaluate(project.model_copy(update={"strategies": [kept]})).strategies[0].monthly
    assert 55e6 < m["revenue_mining_usd"][:12].sum() < 75e6


def test_ai_strategies_carry_contract_risk(result):
    for name in ("Convert to AI", "Hybrid"):
        k = result.by_name(name).kpis
        keep = result.by_name("Keep mining").kpis
        assert k.probability_weighted_npv_usd == pytest.approx(0.5 * k.npv_usd + 0.5 * keep.npv_usd)
        assert k.peak_funding_usd > 100e6  # a retrofit needs real money up front
        assert result.by_name(name).weighted_cumulative_fcf_usd is not None


def test_no_capacity_warnings(result):
    assert all(not s.warnings for s in result.strategies)


def test_convert_has_no_mining_after_conversion(result):
    m = result.by_name("Convert to AI").monthly
    assert np.all(m["revenue_mining_usd"][3:] == 0) and m["revenue_colocation_usd"][15] > 0
