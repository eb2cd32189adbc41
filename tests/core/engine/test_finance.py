"""Finance arithmetic against numpy-financial and hand-worked figures."""

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.engine.finance.assets import Asset, asset_flows, salvage_value
from core.engine.finance.returns import (
    IRR_CEILING,
    irr,
    irr_paths,
    monthly_rate,
    npv,
    payback_months,
    peak_funding,
)
from core.engine.finance.tax import tax_with_loss_carryforward, tax_with_loss_limit

LIVES = {"asic": 3.0, "gpu": 5.0, "facility": 15.0}
NO_RESIDUAL = {"asic": 0.0, "gpu": 0.0, "facility": 0.0}


def test_monthly_rate_from_annual():
    # (1.12)^(1/12) − 1 = 0.0094887929...
    assert monthly_rate(12.0) == pytest.approx(0.009488792934583, rel=1e-12)


@pytest.mark.parametrize("annual", [0.0, 8.0, 12.0, 35.0])
def test_npv_matches_numpy_financial(annual):
    rng = np.random.default_rng(1)
    flows = np.concatenate([[-5e6], rng.normal(1e5, 4e4, 119)])
    # npf.npv discounts its first value by zero periods: the app's convention.
    assert npv(annual, flows) == pytest.approx(npf.npv(monthly_rate(annual), flows), rel=1e-12)


def test_irr_matches_numpy_financial_and_annualises():
    flows = np.array([-1000.0] + [30.0] * 48)
    r = irr(flows)
    assert r.monthly == pytest.approx(npf.irr(flows), rel=1e-9)
    assert r.annual == pytest.approx((1 + npf.irr(flows)) ** 12 - 1, rel=1e-9)
    assert "unique" in r.note


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1_000, 100_000_000), st.lists(st.integers(0, 10_000_000), min_size=2, max_size=60)
)
def test_irr_conventional_flows_agree_with_numpy_financial(outlay, inflows):
    flows = np.array([-outlay, *inflows], dtype=float)
    r = irr(flows)
    if sum(inflows) == 0:
        assert r.annual is None
        return
    expected = npf.irr(flows)
    # One sign change: a single real root. Below −99 %/month it is too degenerate to compare.
    if expected < -0.99:
        return
    if (1 + expected) ** 12 - 1 > IRR_CEILING * 1.001:  # above 1,000 % a year: n/m
        assert r.annual is None and r.note.startswith("n/m: the rate that makes NPV zero")
        return
    if (1 + expected) ** 12 - 1 > IRR_CEILING * 0.999:
        return  # at the ceiling itself either reading is fair
    assert r.monthly == pytest.approx(expected, rel=1e-6, abs=1e-9)
    discounted = flows * (1 + r.monthly) ** -np.arange(flows.size)
    assert abs(discounted.sum()) <= 1e-8 * np.abs(discounted).max()


def test_irr_near_minus_100_percent_does_not_overflow():
    # −1,000,000 now, +1 in month 360: (1 + r)^360 = 1e-6 → r = 1e-6^(1/360) − 1 = −3.7654 %.
    # Bracketing starts at −99.9999 %, where 1e6^360 overflows a float unless scaled.
    flows = np.zeros(361)
    flows[0], flows[-1] = -1e6, 1.0
    r = irr(flows)
    assert r.monthly == pytest.approx(1e-6 ** (1 / 360) - 1, rel=1e-9)


def test_no_irr_without_sign_change():
    assert irr(np.array([100.0, 50.0, 0.0])).annual is None
    assert "never change sign" in irr(np.array([-1.0, -2.0])).note
    assert irr(np.zeros(5)).annual is None


def test_several_sign_changes_use_newton_and_say_so():
    # −100, +230, −132: roots where 1.3·1.0... (1+r)² − 2.3(1+r) + 1.32 = 0 → 1+r = 1.1 or 1.2.
    # Newton from ≈0.8 %/month lands on the nearer root, 10 %.
    r = irr(np.array([-100.0, 230.0, -132.0]))
    assert r.monthly == pytest.approx(0.10, rel=1e-9)
    assert "several" in r.note and "Newton" in r.note


def test_tax_with_loss_carryforward_hand_worked():
    # Taxable: −100, +60, +70, −20, +50 at 25 %.
    # Month 2: 60 absorbed by the 100 loss (40 left). Month 3: 70 − 40 = 30 taxed → 7.5.
    # Month 4: loss of 20 carried. Month 5: 50 − 20 = 30 taxed → 7.5.
    tax = tax_with_loss_carryforward(np.array([-100.0, 60, 70, -20, 50]), 25.0)
    assert np.allclose(tax, [0, 0, 7.5, 0, 7.5])


def test_straight_line_depreciation_and_salvage_at_horizon():
    # GPU servers for 1,200,000 in month 2, 5-year life → 20,000 a month from month 2 to the end
    # of a 24-month horizon: 22 months = 440,000; book value 760,000. Residual 10 %; value at
    # the end after 22 months of a 60-month life: 1.2 M × (1 − 22/60) = 760,000 → no gain.
    a = Asset("gpus", "gpu", 1_200_000.0, 2, 1_200_000.0, 1_200_000.0, 2, None)
    f = asset_flows([a], 24, LIVES, {"asic": 0, "gpu": 10.0, "facility": 0})
    assert f.capex_usd[2] == 1_200_000 and f.capex_usd.sum() == 1_200_000
    assert f.depreciation_usd[1] == 0 and f.depreciation_usd[2] == pytest.approx(20_000)
    assert f.depreciation_usd.sum() == pytest.approx(440_000)
    assert f.salvage_usd[23] == pytest.approx(760_000)
    assert f.sale_gain_usd[23] == pytest.approx(0.0, abs=1e-6)


def test_owned_fleet_sold_early_is_all_gain():
    # Owned ASICs worth 1,000,000 today, no tax basis, sold at month 6 of a 3-year life:
    # proceeds 1 M × (1 − 6/36) = 833,333.33, all taxable gain, no capex, no depreciation.
    a = Asset("fleet", "asic", 0.0, 0, 1_000_000.0, 0.0, 0, 6)
    f = asset_flows([a], 12, LIVES, NO_RESIDUAL)
    assert f.capex_usd.sum() == 0 and f.depreciation_usd.sum() == 0
    assert f.salvage_usd[6] == pytest.approx(833_333.333, rel=1e-9)
    assert f.sale_gain_usd[6] == pytest.approx(833_333.333, rel=1e-9)


def test_salvage_never_below_residual():
    assert salvage_value(100.0, 120, 3.0, 5.0) == pytest.approx(5.0)


def test_payback_and_peak_funding():
    # Cumulative −100, −40, +20, −5, +30: negative last at index 3 → pays back after 4 months.
    cum = np.array([-100.0, -40, 20, -5, 30])
    assert payback_months(cum) == 4
    assert peak_funding(cum) == 100
    assert payback_months(np.array([5.0, 10])) == 0
    assert payback_months(np.array([-5.0, -1])) is None
    assert peak_funding(np.array([5.0, 10])) == 0


def test_irr_with_trailing_zero_months_and_a_receipt_first():
    # A fleet sold now instead of mined for 16 months: +47.6 M now, then 16 months of about
    # −2.3 M and −27.9 M, then nothing for 103 months. numpy-financial's monthly IRR is
    # the reference; the trailing zeros must not hide the root (they once sent bisection to
    # −100 %), and the note says a receipt-first rate is a cost of funds.
    flows = np.array([47.6e6] + [-2.3e6] * 15 + [-27.9e6] + [0.0] * 103)
    r = irr(flows)
    assert r.monthly == pytest.approx(npf.irr(flows), rel=1e-9)
    assert r.annual == pytest.approx((1 + npf.irr(flows)) ** 12 - 1, rel=1e-9)
    assert "cost of funds" in r.note
    assert "cost of funds" not in irr(-flows).note


def test_losses_offset_at_most_80_pct_of_a_years_income():
    # 25 % tax. Year 1 loses 100 (month 0); year 2 earns 100 (month 12): the 100 carried
    # offsets at most 80, so 20 is taxed: 5, with 20 still carried; year 3 earns 10 (month
    # 24): 8 offset, 2 taxed: 0.5. Without the limit: year 2 pays nothing, year 3 2.5.
    taxable = np.zeros(36)
    taxable[[0, 12, 24]] = [-100.0, 100.0, 10.0]
    limited = tax_with_loss_limit(taxable, 25.0, 80.0)
    assert limited[12] == pytest.approx(5.0) and limited[24] == pytest.approx(0.5)
    assert limited.sum() == pytest.approx(5.5)
    assert tax_with_loss_carryforward(taxable, 25.0).sum() == pytest.approx(2.5)


def test_a_year_nets_its_own_months():
    # +50 in January, −50 in July: the year owes nothing; January's tax (12.5) comes back in
    # July. Carried to the next year instead (the unlimited monthly rule), it is kept.
    taxable = np.zeros(24)
    taxable[[0, 6]] = [50.0, -50.0]
    limited = tax_with_loss_limit(taxable, 25.0, 80.0)
    assert limited[0] == pytest.approx(12.5) and limited[6] == pytest.approx(-12.5)
    assert limited.sum() == pytest.approx(0.0)
    assert tax_with_loss_carryforward(taxable, 25.0).sum() == pytest.approx(12.5)


def test_bonus_depreciation_and_the_book_value_at_a_sale():
    # Basis 1.2 M, facility life 10 years (120 months), 50 % bonus: month 0 deducts
    # 600,000 + 600,000 / 120 = 605,000, then 5,000 a month. Sold at month 12 (no
    # depreciation in the month of sale): book 1.2 M − 600,000 − 12 × 5,000 = 540,000; it
    # sells at its aged value 1.2 M × (1 − 12/120) = 1,080,000, a gain of 540,000.
    a = Asset("Kit", "facility", 1.2e6, 0, 1.2e6, 1.2e6, 0, 12)
    lives = {"asic": 3, "gpu": 5, "facility": 10}
    f = asset_flows([a], 24, lives, NO_RESIDUAL, bonus_pct={"facility": 50.0})
    assert f.depreciation_usd[0] == pytest.approx(605_000)
    np.testing.assert_allclose(f.depreciation_usd[1:12], 5_000)
    assert f.depreciation_usd[12:].sum() == 0
    assert f.salvage_usd[12] == pytest.approx(1.08e6)
    assert f.sale_gain_usd[12] == pytest.approx(1.08e6 - 540_000)


def test_an_irr_above_1000_pct_a_year_is_not_meaningful():
    # $1 at risk for a month returns $1,000: the monthly root is 999 (99,900 %), annualised
    # (1 + 999)^12 − 1 ≈ 1e36. No board reads that as a return: n/m, with the rate in the note.
    flows = np.array([-1.0, 1000.0])
    r = irr(flows)
    assert r.annual is None and r.note.startswith("n/m: the rate that makes NPV zero is ")
    assert "above 1,000 %" in r.note
    assert np.isnan(irr_paths(np.array([flows, [-1000.0, 1100.0]]))[0])
    # 10 % a month is 213.8 % a year ((1.1)^12 − 1 = 2.1384): shown.
    shown = irr(np.array([-1000.0, 1100.0]))
    assert shown.annual == pytest.approx(1.1**12 - 1, rel=1e-9)
