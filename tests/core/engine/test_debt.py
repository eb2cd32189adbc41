"""Project finance worked by hand and against numpy-financial: draws, capitalised interest,
annuity, DSCR sizing, reserve, fee, the equity identity and the equity IRR."""

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.engine.evaluation import evaluate
from core.io.example import example_project
from core.model.project import AiBlock, Financing
from tests.core.helpers import tiny_project


def _lease(conversion_months=0, financing=None):
    # 1 MW IT colocation at $100/kW-month ($100,000 a month), a $12 M retrofit paid at
    # month 0, no tax, no costs, three years: the retrofit is the only capex.
    ai = AiBlock(
        it_mw=1.0,
        colo_usd_per_kw_month=100.0,
        pue=1.0,
        retrofit_usd_per_mw=12e6,
        conversion_months=conversion_months,
        capex_draw="upfront",
    )
    p = tiny_project([ai], finance={"horizon_years": 3})
    s = p.strategies[0].model_copy(update={"financing": financing})
    return p.model_copy(update={"strategies": [s]})


LOAN = {"ltc_pct": 50.0, "rate_pct_per_year": 12.0, "tenor_months": 24, "dsra_months": 6}


def test_an_annuity_loan_repays_in_level_payments():
    # 50 % of the $12 M drawn at month 0; the tenant is live at once, so repayment starts in
    # month 1 with the $6 M balance: 24 level payments of PMT(1 %, 24, 6 M) = 282,440.83,
    # the last at month 24, after which nothing is owed. Fee 1 % of 6 M at the draw; the
    # reserve holds six payments from month 1 to month 24.
    m = evaluate(_lease(financing=Financing(**LOAN))).strategies[0].monthly
    payment = -npf.pmt(0.01, 24, 6e6)
    assert payment == pytest.approx(282_440.83, abs=0.01)
    assert m["debt_draw_usd"][0] == 6e6 and m["debt_draw_usd"][1:].sum() == 0
    service = m["interest_paid_usd"] + m["principal_usd"]
    np.testing.assert_allclose(service[1:25], payment, rtol=1e-12)
    assert service[25:].sum() == 0 and m["debt_balance_usd"][24] == pytest.approx(0, abs=1e-6)
    assert m["interest_paid_usd"][1] == pytest.approx(60_000, rel=1e-12)  # 6 M × 1 %
    assert m["fees_usd"][0] == pytest.approx(60_000, rel=1e-12)
    assert m["dsra_funding_usd"][1] == pytest.approx(6 * payment, rel=1e-12)
    assert m["dsra_release_usd"][24] == pytest.approx(6 * payment, rel=1e-12)
    # CFADS is the $100,000 rent: DSCR = 100,000 / 282,440.83 in each repayment month.
    np.testing.assert_allclose(m["dscr"][1:25], 100_000 / payment, rtol=1e-12)


def test_interest_is_capitalised_during_a_two_month_construction():
    # Online at month 2: construction is months 0–2 and repayment starts at month 3. The
    # $6 M drawn at month 0 accrues from month 1: month 1 adds 6 M × 1 % = 60,000, month 2
    # adds 6.06 M × 1 % = 60,600, so month 3 opens at 6,120,600 = 6 M × 1.01², and its
    # level payment is PMT(1 %, 24, 6,120,600).
    m = evaluate(_lease(2, Financing(**LOAN))).strategies[0].monthly
    np.testing.assert_allclose(m["capitalised_interest_usd"][:3], [0, 60_000, 60_600])
    assert m["interest_paid_usd"][:3].sum() == 0
    assert m["debt_balance_usd"][2] == pytest.approx(6_120_600, rel=1e-12)
    service = m["interest_paid_usd"][3] + m["principal_usd"][3]
    assert service == pytest.approx(-npf.pmt(0.01, 24, 6_120_600), rel=1e-12)


@pytest.mark.parametrize("repayment", ["annuity", "sculpted", "straight_line"])
def test_dscr_sizing_meets_the_target_at_its_tightest(repayment):
    # Convert to AI sized to a 1.4× minimum DSCR: the tightest repayment month sits at 1.4×
    # (sculpted: every month does), and the debt is less than the capex.
    project = example_project()
    fin = Financing(sizing="dscr", target_dscr=1.4, repayment=repayment, tenor_months=96)
    strategies = [
        s.model_copy(update={"financing": fin}) if s.name == "Convert to AI" else s
        for s in project.strategies
    ]
    s = evaluate(project.model_copy(update={"strategies": strategies})).by_name("Convert to AI")
    assert s.kpis.min_dscr == pytest.approx(1.4, rel=1e-9)
    assert s.monthly["debt_draw_usd"].sum() < s.monthly["capex_usd"].sum()
    if repayment == "sculpted":
        dscr = s.monthly["dscr"][s.monthly["dscr"] > 0]
        np.testing.assert_allclose(dscr, 1.4, rtol=1e-9)


def _financed_example():
    # 60 % LTC at 8 % over 10 years on every strategy.
    project = example_project()
    fin = Financing(ltc_pct=60.0, rate_pct_per_year=8.0, tenor_months=120)
    strategies = [s.model_copy(update={"financing": fin}) for s in project.strategies]
    return evaluate(project.model_copy(update={"strategies": strategies}))


def test_the_equity_identity_holds_in_every_month():
    for s in _financed_example().strategies:
        m = s.monthly
        rebuilt = (
            m["fcf_usd"]
            + m["debt_draw_usd"]
            - m["interest_paid_usd"]
            - m["principal_usd"]
            - m["fees_usd"]
            - m["dsra_funding_usd"]
            + m["dsra_release_usd"]
            + m["tax_shield_usd"]
        )
        np.testing.assert_allclose(m["equity_fcf_usd"], rebuilt, rtol=0, atol=1e-6)
        np.testing.assert_allclose(
            m["cfads_usd"], m["ebitda_usd"] - m["tax_usd"] - (m["capex_usd"] - m["debt_draw_usd"])
        )
        # What is drawn and capitalised is repaid by the horizon end.
        owed = m["debt_draw_usd"].sum() + m["capitalised_interest_usd"].sum()
        assert m["principal_usd"].sum() == pytest.approx(owed, rel=1e-9, abs=1e-3)


def test_equity_irr_matches_numpy_financial_and_the_shield_is_the_tax_saved():
    s = _financed_example().by_name("Convert to AI")
    m, k = s.monthly, s.kpis
    assert k.equity_irr == pytest.approx((1 + npf.irr(m["equity_fcf_usd"])) ** 12 - 1, rel=1e-9)
    assert k.equity_irr > k.irr  # borrowing at 8 % against an 18 % project return
    # 21 % of the interest paid, while there is taxable income to deduct it from.
    assert m["tax_shield_usd"].sum() == pytest.approx(0.21 * m["interest_paid_usd"].sum(), rel=1e-3)
    assert k.max_debt_usd == pytest.approx(m["debt_balance_usd"].max())
    assert k.peak_equity_usd < k.peak_funding_usd


def test_without_financing_the_equity_figures_are_the_projects():
    for s in evaluate(example_project()).strategies:
        k = s.kpis
        assert (k.equity_npv_usd, k.equity_irr, k.equity_payback_months) == (
            k.npv_usd,
            k.irr,
            k.payback_months,
        )
        np.testing.assert_array_equal(s.monthly["equity_fcf_usd"], s.fcf)
        assert k.min_dscr is None and k.max_debt_usd == 0


def test_interest_deducted_within_30_pct_of_ebitda_carries_the_rest():
    # EBITDA 100 a year; interest 50 in year 1 and 10 in year 2. Year 1 deducts 30 (30 %
    # of 100) and carries 20; year 2 has 10 + 20 = 30 due and 30 allowed: all of it. Each
    # year's deduction falls in its months as the interest was paid (all in month 0 / 12).
    from core.engine.debt import deductible_interest

    interest = np.zeros(24)
    interest[[0, 12]] = [50.0, 10.0]
    ebitda = np.full(24, 100.0 / 12)
    got = deductible_interest(interest, ebitda)
    assert got[0] == pytest.approx(30.0) and got[12] == pytest.approx(30.0)
    assert got.sum() == pytest.approx(60.0)


def _convert_financed(**terms):
    project = example_project()
    fin = Financing(**terms)
    strategies = [
        s.model_copy(update={"financing": fin}) if s.name == "Convert to AI" else s
        for s in project.strategies
    ]
    project = project.model_copy(update={"strategies": strategies})
    operated = evaluate(project).project
    return operated, operated.strategies[1]


def test_the_ai_price_for_the_target_equity_irr_gives_that_irr():
    # Solve, set the colocation rate to the answer, evaluate: the equity IRR is the 20 %
    # target (the 60 % LTC debt does not depend on the price).
    from core.engine.goalseek import required_ai_price_equity

    project, strategy = _convert_financed(ltc_pct=60.0, tenor_months=120)
    solved = required_ai_price_equity(project, strategy)
    assert solved.unit == "USD/kW-month" and "20 % equity IRR" in solved.note
    blocks = [
        b.model_copy(update={"colo_usd_per_kw_month": solved.value}) if b.kind == "ai" else b
        for b in strategy.blocks
    ]
    priced = [
        s.model_copy(update={"blocks": blocks}) if s.name == strategy.name else s
        for s in project.strategies
    ]
    k = evaluate(project.model_copy(update={"strategies": priced})).by_name(strategy.name).kpis
    assert k.equity_irr == pytest.approx(0.20, abs=1e-6)


def test_debt_capacity_is_the_dscr_sized_debt_at_the_target():
    # A five-year annuity at 1.4×: the capacity is what DSCR sizing borrows, and that debt's
    # tightest month sits at 1.4×; less than the capex, so not capped.
    from core.engine.goalseek import debt_capacity

    project, strategy = _convert_financed(target_dscr=1.4, tenor_months=60)
    solved = debt_capacity(project, strategy)
    assert "allows more" not in solved.note
    _, sized = _convert_financed(sizing="dscr", target_dscr=1.4, tenor_months=60)
    result = evaluate(
        project.model_copy(
            update={
                "strategies": [
                    s.model_copy(update={"financing": sized.financing})
                    if s.name == sized.name
                    else s
                    for s in project.strategies
                ]
            }
        )
    ).by_name(sized.name)
    assert solved.value == pytest.approx(result.kpis.max_debt_usd, rel=1e-12)
    assert result.kpis.min_dscr == pytest.approx(1.4, rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    sizing=st.sampled_from(["ltc", "dscr"]),
    ltc=st.sampled_from([0.0, 1.0, 60.0, 100.0]),
    dscr=st.sampled_from([1.0, 1.3, 10.0]),
    rate=st.sampled_from([0.0, 0.5, 8.0, 50.0]),
    tenor=st.sampled_from([1, 12, 30, 360]),
    repayment=st.sampled_from(["annuity", "straight_line", "sculpted"]),
    dsra=st.sampled_from([0, 6, 36]),
    sweep=st.sampled_from([0.0, 50.0, 100.0]),
    months=st.sampled_from([0, 2, 30]),
)
def test_any_valid_financing_gives_finite_rows_and_the_identity(
    sizing, ltc, dscr, rate, tenor, repayment, dsra, sweep, months
):
    # Whatever the terms (a tenor past the horizon, construction past it, 0 % or 50 %), every
    # row is finite, nothing is owed at the end and the equity identity holds.
    fin = Financing(
        sizing=sizing,
        ltc_pct=ltc,
        target_dscr=dscr,
        rate_pct_per_year=rate,
        tenor_months=tenor,
        repayment=repayment,
        dsra_months=dsra,
        cash_sweep_pct=sweep,
    )
    m = evaluate(_lease(months, fin)).strategies[0].monthly
    for key in ("debt_balance_usd", "equity_fcf_usd", "dscr", "tax_shield_usd", "principal_usd"):
        assert np.all(np.isfinite(m[key])), key
    assert m["debt_balance_usd"][-1] == pytest.approx(0.0, abs=1e-3)
    owed = m["debt_draw_usd"].sum() + m["capitalised_interest_usd"].sum()
    assert m["principal_usd"].sum() == pytest.approx(owed, rel=1e-9, abs=1e-3)
    assert m["dsra_release_usd"].sum() == pytest.approx(m["dsra_funding_usd"].sum(), abs=1e-3)


DSCR_LOAN = {"sizing": "dscr", "target_dscr": 1.25, "rate_pct_per_year": 12.0, "dsra_months": 0}


def test_a_tenor_past_the_horizon_is_sized_and_repaid_within_it():
    # The $100,000-a-month lease over 3 years, repayment from month 1: the 60-month tenor
    # runs past the 35 months the model holds (months 1–35). At 1.25× the level payment is
    # at most 100,000 / 1.25 = 80,000, so the debt is 80,000 × a(1 %, 35) = 80,000 ×
    # (1 − 1.01^−35) / 0.01 = 80,000 × 29.408580 = 2,352,686.41 (sized over 60 months it
    # would be 80,000 × 44.955 = 3.60 M, with 1.9 M left for after the horizon). It is
    # repaid by month 35; nothing is owed at the horizon end.
    project = _lease(financing=Financing(**DSCR_LOAN, tenor_months=60))
    s = evaluate(project).strategies[0]
    m = s.monthly
    assert m["debt_draw_usd"][0] == pytest.approx(2_352_686.41, abs=0.01)
    service = m["interest_paid_usd"] + m["principal_usd"]
    np.testing.assert_allclose(service[1:36], 80_000, rtol=1e-12)
    assert m["debt_balance_usd"][35] == 0 and s.kpis.balloon_usd == 0
    assert s.kpis.min_dscr == pytest.approx(1.25, rel=1e-12)
    assert s.kpis.dscr_months == 35
    assert s.warnings == [
        "S: the loan's 60-month tenor runs past the 35 months its blocks are expected "
        "to earn within the horizon; it is sized and repaid over 35 months"
    ]


def test_a_balloon_is_left_out_of_the_service_and_repaid_at_the_horizon_end():
    # The same loan with a 20 % balloon: the level payment repays all but 0.2 B, so at
    # 80,000 a month B = 80,000 × a(1 %, 35) / (1 − 0.2 × 1.01^−35) = 2,739,449.69, and
    # -PMT(1 %, 35, B, −0.2 B) = 80,000 (numpy-financial below). The 0.2 B = 547,889.94 is
    # owed with the 35th payment, the horizon end: repaid then, reported, and not in the
    # DSCR, which stays 1.25× in every month. The terminal value is the $12 M retrofit's book
    # value after 3 of its 15 years, $9.6 M.
    project = _lease(financing=Financing(**DSCR_LOAN, tenor_months=60, balloon_pct=20.0))
    s = evaluate(project).strategies[0]
    m = s.monthly
    b = m["debt_draw_usd"][0]
    assert b == pytest.approx(2_739_449.69, abs=0.01)
    assert -npf.pmt(0.01, 35, b, -0.2 * b) == pytest.approx(80_000, rel=1e-12)
    assert s.kpis.balloon_usd == pytest.approx(547_889.94, abs=0.01)
    assert m["balloon_usd"][:35].sum() == 0 and m["balloon_usd"][35] == s.kpis.balloon_usd
    scheduled = m["interest_paid_usd"] + m["principal_usd"] - m["balloon_usd"]
    np.testing.assert_allclose(scheduled[1:36], 80_000, rtol=1e-12)
    np.testing.assert_allclose(m["dscr"][1:36], 1.25, rtol=1e-12)
    assert m["debt_balance_usd"][35] == 0
    owed = [w for w in s.warnings if "owed at the horizon end" in w]
    assert owed and "$0.5 M of debt" in owed[0] and "terminal value of $9.6 M" in owed[0]


@pytest.mark.parametrize("repayment", ["straight_line", "sculpted"])
def test_a_balloon_with_other_repayments_and_a_sweep_keeps_the_target(repayment):
    # Straight-line and sculpted with a 30 % balloon, the second with a 50 % sweep (the
    # month-by-month path): the scheduled service meets the target, 30 % of the opening
    # balance is left for the last payment (less what the sweep repaid), and the balance
    # rolls to zero.
    sweep = 50.0 if repayment == "sculpted" else 0.0
    fin = Financing(
        **DSCR_LOAN, tenor_months=24, repayment=repayment, balloon_pct=30.0, cash_sweep_pct=sweep
    )
    s = evaluate(_lease(financing=fin)).strategies[0]
    m = s.monthly
    assert s.kpis.min_dscr == pytest.approx(1.25, rel=1e-9)
    assert m["balloon_usd"][24] == pytest.approx(0.3 * m["debt_draw_usd"][0], rel=1e-9) or sweep
    assert m["balloon_usd"][25:].sum() == 0 and m["debt_balance_usd"][24] == 0
    assert m["principal_usd"].sum() == pytest.approx(m["debt_draw_usd"].sum(), rel=1e-12)


def test_a_lease_repays_its_loan_within_its_term_and_expected_renewal():
    # A 24-month lease with a 50 % renewal in a 36-month model: the tenant is expected for
    # 24 + 0.5 × 12 = 30 months, so a 60-month loan is repaid over months 1–29. After the
    # term the rent is 0.5 × 100,000, so the level payment is 50,000 / 1.25 = 40,000 and
    # the debt 40,000 × a(1 %, 29) = 40,000 × 25.065785 = 1,002,631.41.
    project = _lease(financing=Financing(**DSCR_LOAN, tenor_months=60))
    s = project.strategies[0]
    ai = s.blocks[0].model_copy(update={"lease_term_months": 24, "renewal_probability_pct": 50.0})
    project = project.model_copy(update={"strategies": [s.model_copy(update={"blocks": [ai]})]})
    r = evaluate(project).strategies[0]
    m = r.monthly
    assert m["debt_draw_usd"][0] == pytest.approx(1_002_631.41, abs=0.01)
    assert m["debt_balance_usd"][29] == pytest.approx(0, abs=1e-6)
    assert m["principal_usd"][30:].sum() == 0 and m["interest_paid_usd"][30:].sum() == 0
    assert "over 29 months" in r.warnings[0]


def test_the_minimum_dscr_counts_a_repayment_month_with_negative_cfads():
    # Four months: no debt service, then three months of service whose DSCR is 1.5, −0.3
    # and 2.0 (CFADS below zero in the second). The minimum is −0.3 over 3 months, not 1.5.
    from core.engine.kpis import Kpis, with_equity

    t = {
        "dscr": np.array([0.0, 1.5, -0.3, 2.0]),
        "interest_paid_usd": np.array([0.0, 10.0, 10.0, 10.0]),
        "principal_usd": np.array([0.0, 5.0, 5.0, 5.0]),
        "balloon_usd": np.zeros(4),
        "equity_fcf_usd": np.array([-10.0, 5.0, 5.0, 5.0]),
        "cumulative_equity_fcf_usd": np.array([-10.0, -5.0, 0.0, 5.0]),
        "debt_balance_usd": np.array([15.0, 10.0, 5.0, 0.0]),
    }
    k = Kpis(0.0, None, "", None, None, 0.0, 0.0, 100.0, None)
    out = with_equity(k, t, True, 0.0)
    assert out.min_dscr == -0.3 and out.dscr_months == 3
    assert out.dscr_note == "over every repayment month (3)"
