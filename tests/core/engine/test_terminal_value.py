"""The continuing value (finance.terminal_value = "continuing"), worked by hand: the final
year's free cash flow as a growing perpetuity, F × (1 + g) / (r − g), cut to a lease's
remaining term, weighted by the MW each block holds at the horizon end."""

import numpy as np
import pytest

from core.engine.evaluation import evaluate
from core.engine.terminal import years_factor
from core.io.projectfile import ProjectFileError, project_from_data
from core.model.project import AiBlock
from tests.core.engine.test_economics import _declining_fleet
from tests.core.helpers import tiny_project

CONTINUING = {
    "horizon_years": 2,
    "discount_rate_pct_per_year": 10.0,
    "terminal_value": "continuing",
    "terminal_growth_pct_per_year": 2.0,
}


def _colo(**kw):
    """1 MW IT at $100/kW-month, PUE 1, no costs: $100,000 a month, $1.2 M a year."""
    return AiBlock(**({"it_mw": 1.0, "colo_usd_per_kw_month": 100.0, "pue": 1.0} | kw))


def test_growing_perpetuity_and_annuity_factors():
    # r = 10 %, g = 2 %: for ever 1.02 / 0.08 = 12.75. For 5 years:
    # Σ 1.02^k / 1.1^k, k = 1..5 = 0.927273 + 0.859835 + 0.797301 + 0.739315 + 0.685547
    # = 4.009271.
    fin = tiny_project([_colo()], finance=CONTINUING).finance
    assert years_factor(fin, None) == pytest.approx(12.75, rel=1e-12)
    assert years_factor(fin, 60) == pytest.approx(4.009271, rel=1e-6)
    assert years_factor(fin, 0) == 0.0


def test_continuing_value_of_a_lease_running_on():
    # Two years, no tax. Year 2's FCF is 12 × 100,000 = 1.2 M, so the value at the horizon
    # end is 1.2 M × 12.75 = 15.3 M, booked in month 23 and discounted by 1.1^(−23/12).
    # A $2.4 M retrofit (15-year life, 0 % residual) is still in use: not sold, no loss
    # booked (depreciation 2.4 M / 180 a month runs to the end, and nothing more).
    retrofit = {"retrofit_usd_per_mw": 2.4e6}
    p = tiny_project([_colo(**retrofit)], finance=CONTINUING)
    s = evaluate(p).strategies[0]
    m = s.monthly
    assert m["terminal_value_usd"][23] == pytest.approx(15.3e6, rel=1e-12)
    assert m["terminal_value_usd"][:23].sum() == 0
    assert m["salvage_usd"].sum() == 0
    np.testing.assert_allclose(m["taxable_income_usd"], 100_000 - 2.4e6 / 180, rtol=1e-12)
    assert s.kpis.terminal_value_pv_usd == pytest.approx(15.3e6 * 1.1 ** (-23 / 12), rel=1e-12)
    npv = sum(100_000 * 1.1 ** (-t / 12) for t in range(24)) - 2.4e6 + s.kpis.terminal_value_pv_usd
    assert s.kpis.npv_usd == pytest.approx(npv, rel=1e-12)


def test_a_lease_without_renewal_stops_at_its_term():
    # An 18-month lease from month 0 on a 24-month horizon ended six months before the
    # horizon: with no renewal it earns nothing in the final month, holds no load, so there
    # is nothing to continue. A 30-month lease has 6 months left: 1.2 M × 12.75 ×
    # (1 − (1.02/1.1)^0.5) = 15.3 M × 0.0370497 = 566,861. With a 50 % renewal the rest of
    # the perpetuity counts at half: 566,861 + 0.5 × (15.3 M − 566,861) = 7,933,430.
    def tv(**lease):
        p = tiny_project([_colo(**lease)], finance=CONTINUING)
        return evaluate(p).strategies[0].monthly["terminal_value_usd"][23]

    assert tv(lease_term_months=18) == 0.0
    # A 19-month lease with a 10 % renewal: the final year had 7 months of full rent and 5 at
    # 10 %, F = 100,000 × 7.5 = 750,000; what continues is the renewal, 10 % of 1.2 M a
    # year: 0.12 M × 12.75 = 1.53 M (not 750,000 × 12.75).
    assert tv(lease_term_months=19, renewal_probability_pct=10.0) == pytest.approx(
        1.53e6, rel=1e-12
    )
    assert tv(lease_term_months=30) == pytest.approx(566_861, rel=1e-5)
    assert tv(lease_term_months=30, renewal_probability_pct=50.0) == pytest.approx(
        7_933_430, rel=1e-5
    )


def test_blocks_are_weighted_by_the_mw_they_hold_at_the_end():
    # Two 1 MW leases, 2.4 M of FCF in year 2. One ends exactly at the horizon (0 months
    # left, no renewal: factor 0), the other runs on (12.75): the factor is their average by
    # MW, 6.375, so the value is 2.4 M × 6.375 = 15.3 M.
    p = tiny_project([_colo(lease_term_months=24), _colo(name="B")], finance=CONTINUING)
    tv = evaluate(p).strategies[0].monthly["terminal_value_usd"][23]
    assert tv == pytest.approx(15.3e6, rel=1e-12)


def test_a_losing_final_year_has_no_continuing_value():
    # $50/kW-month against $1.2 M a year of fixed opex: year 2 loses 0.6 M; floored at 0.
    p = tiny_project(
        [_colo(colo_usd_per_kw_month=50.0)],
        site={"fixed_opex_usd_per_year": 1.2e6},
        finance=CONTINUING,
    )
    assert evaluate(p).strategies[0].monthly["terminal_value_usd"].sum() == 0.0


def test_growth_must_stay_below_the_discount_rate():
    data = tiny_project([_colo()], finance=CONTINUING | {"terminal_growth_pct_per_year": 10.0})
    with pytest.raises(ProjectFileError) as err:
        project_from_data(data.model_dump(mode="json"))
    assert err.value.problems == [
        "finance.terminal_growth_pct_per_year: must be below the discount rate (10 %/year) "
        "for a continuing value, got 10"
    ]
    # Without a continuing value the growth is not used, so it is not refused.
    book = data.finance.model_copy(update={"terminal_value": "book_value"})
    project_from_data(data.model_copy(update={"finance": book}).model_dump(mode="json"))


def test_auto_retirement_with_a_continuing_value_is_the_brute_force_best():
    # The declining fleet beside a 1 MW lease that runs on: retiring the fleet changes the
    # final year's FCF and the MW held at the end, so the value moves with the month. The
    # scan must still pick the month a full evaluation of every month finds best.
    base = _declining_fleet(retire="auto")
    s = base.strategies[0]
    strategy = s.model_copy(update={"blocks": [*s.blocks, _colo(conversion_months=3)]})
    fin = base.finance.model_copy(update={"terminal_value": "continuing"})
    project = base.model_copy(update={"strategies": [strategy], "finance": fin})

    def npv_retired_at(month):
        blocks = [strategy.blocks[0].model_copy(update={"retire": month}), strategy.blocks[1]]
        fixed = project.model_copy(
            update={"strategies": [strategy.model_copy(update={"blocks": blocks})]}
        )
        return evaluate(fixed).strategies[0].kpis.npv_usd

    brute = {m: npv_retired_at(m) for m in range(24)} | {"never": npv_retired_at("never")}
    best = max(brute.values())
    expected = next(m for m, v in brute.items() if v >= best - 1.0)
    result = evaluate(project)
    chosen = result.strategies[0].retirements[0]
    assert chosen.month == (None if expected == "never" else expected)
    assert result.strategies[0].kpis.npv_usd == pytest.approx(best, rel=1e-12)
    assert result.strategies[0].kpis.terminal_value_pv_usd > 0


@pytest.mark.parametrize("fleet_end", [None, 22])
def test_every_candidate_of_the_retirement_scan_has_its_continuing_value(fleet_end):
    # Each candidate month's scanned NPV equals a full evaluation, including months inside
    # the final year (the fleet held part of it) and a fleet that ends in it anyway.
    from core.engine.cashflow import cash_flow_table
    from core.engine.energy import simulate_strategy
    from core.engine.finance.returns import discount_factors
    from core.engine.market.context import market_context
    from core.engine.retirement import _candidate_fcf
    from core.model.catalog import catalog_for

    base = _declining_fleet(retire="never", end_month=fleet_end)
    fleet = base.strategies[0].blocks[0]
    s = base.strategies[0].model_copy(update={"blocks": [fleet, _colo(conversion_months=3)]})
    fin = base.finance.model_copy(update={"terminal_value": "continuing"})
    project = base.model_copy(update={"strategies": [s], "finance": fin})
    ctx, cat = market_context(project), catalog_for(project)

    def with_fleet(retire):
        return s.model_copy(
            update={"blocks": [fleet.model_copy(update={"retire": retire}), s.blocks[1]]}
        )

    def run(strategy):
        e = simulate_strategy(project, strategy, ctx, cat)
        return (e, *cash_flow_table(project, strategy, e, ctx, cat))

    hi = fleet_end or 24
    months = np.arange(0, hi + 1)
    fcf = _candidate_fcf(project, s, 0, months, ctx, cat, run(s), run(with_fleet(0)))
    scanned = fcf @ discount_factors(10.0, 24)
    for r in months:
        strategy = with_fleet(int(r) if r < hi else "never")
        full = evaluate(project.model_copy(update={"strategies": [strategy]}))
        assert scanned[r] == pytest.approx(full.strategies[0].kpis.npv_usd, rel=1e-10), r
        assert full.strategies[0].kpis.terminal_value_pv_usd > 0


def test_a_discount_rate_near_growth_neither_crashes_the_tornado_nor_the_goal_seek():
    # r = 10 %, g = 9 %: the tornado's low discount rate (× 0.8 = 8 %) would be below g; its
    # bar stops 1 point above g (10 %). A 8 % target IRR is below g: the required AI price
    # says why it has none; at a 15 % target it is found.
    from core.engine.goalseek import required_ai_price
    from core.risk.sensitivity import scaled

    p = tiny_project(
        [_colo(retrofit_usd_per_mw=2.4e6)],
        finance=CONTINUING | {"terminal_growth_pct_per_year": 9.0},
    )
    low = scaled(p, "discount_rate", 0.8)
    assert low.finance.discount_rate_pct_per_year == pytest.approx(10.0)
    assert np.isfinite(evaluate(low).strategies[0].kpis.npv_usd)
    fin = p.finance.model_copy(update={"target_irr_pct_per_year": 8.0})
    solved = required_ai_price(p.model_copy(update={"finance": fin}), p.strategies[0])
    assert solved.value is None and "terminal growth (9 %)" in solved.note
    fin = p.finance.model_copy(update={"target_irr_pct_per_year": 15.0})
    assert required_ai_price(p.model_copy(update={"finance": fin}), p.strategies[0]).value > 0
