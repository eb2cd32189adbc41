"""The continuing value (finance.terminal_value = "continuing"): the strategy's own years
after the horizon, for 50 years, each spread over its months and discounted as the monthly
table is, worked by hand; and horizon invariance: ten years with a continuing value tell
the same story as thirty."""

import numpy as np
import pytest

from core.engine.evaluation import evaluate
from core.io.projectfile import ProjectFileError, project_from_data
from core.model.project import AiBlock, MiningBlock
from tests.core.engine.test_economics import _declining_fleet
from tests.core.helpers import tiny_project

CONTINUING = {
    "horizon_years": 2,
    "discount_rate_pct_per_year": 10.0,
    "terminal_value": "continuing",
    "terminal_growth_pct_per_year": 0.0,
}
# v = 1.1^(−1/12), the monthly discount factor at 10 %/year. Σ v^i, i = 1..600 =
# v (1 − v^600) / (1 − v) = (1 − 1.1^−50) / (1.1^(1/12) − 1) = 0.9914815 / 0.0079741 = 124.33709.
MONTHS_50Y = 124.33709408


def _colo(**kw):
    """1 MW IT at $100/kW-month, PUE 1, no costs: $100,000 a month, $1.2 M a year."""
    return AiBlock(**({"it_mw": 1.0, "colo_usd_per_kw_month": 100.0, "pue": 1.0} | kw))


def _tv(blocks, **fin):
    p = tiny_project(blocks, finance=CONTINUING | fin)
    return evaluate(p).strategies[0]


def test_a_lease_running_on_is_fifty_years_of_its_rent():
    # Two years, no tax. A 600-month lease (the longest a file takes) from month 0 runs 576
    # months past the horizon: $100,000 a month for 576 months, then nothing. Value at the
    # horizon's last month: 100,000 × Σ v^i, i = 1..576 = 100,000 × (124.33709 − Σ_{577..600})
    # where Σ_{577..600} = v^576 (1 − v^24)/(1 − v) = 0.0103075 × 1.8133 … computed below from
    # the closed form. A $2.4 M retrofit (15-year life) stays in use: not sold, no loss.
    v = 1.1 ** (-1 / 12)
    expected = 100_000 * v * (1 - v**576) / (1 - v)
    s = _tv([_colo(lease_term_months=600, retrofit_usd_per_mw=2.4e6)])
    m = s.monthly
    assert m["terminal_value_usd"][23] == pytest.approx(expected, rel=1e-12)
    assert m["terminal_value_usd"][:23].sum() == 0
    assert m["salvage_usd"].sum() == 0
    np.testing.assert_allclose(m["taxable_income_usd"], 100_000 - 2.4e6 / 180, rtol=1e-12)
    assert s.kpis.terminal_value_pv_usd == pytest.approx(expected * 1.1 ** (-23 / 12), rel=1e-12)


def test_fifty_years_of_rent_and_the_growth_input_on_top():
    # A lease with no term (an older file's) rents for all 50 years: 100,000 × 124.33709 =
    # $12.43371 M. With g = 2 %, year k's rent is × 1.02^k: Σ_i 100,000 × 1.02^(⌈i/12⌉) v^i =
    # $15.62258 M (summed month by month).
    assert _tv([_colo()]).monthly["terminal_value_usd"][23] == pytest.approx(
        100_000 * MONTHS_50Y, rel=1e-9
    )
    grown = _tv([_colo()], terminal_growth_pct_per_year=2.0)
    assert grown.monthly["terminal_value_usd"][23] == pytest.approx(15_622_577.28, rel=1e-9)


def test_a_lease_runs_its_term_then_at_its_renewal_probability():
    # An 18-month lease ended six months before the horizon with no renewal: nothing after.
    # A 30-month lease has 6 months left at $100,000, then a 50 % renewal at the same rate:
    # year 1 after the horizon earns 900,000, later years 600,000, each spread over its
    # months: 600,000 / 12 × 124.33709 + 300,000 / 12 × Σ_{1..12} v^i, with Σ_{1..12} v^i =
    # (1 − 1/1.1) / 0.0079741 = 11.40056: 6,216,855 + 285,014 = $6,501,869.
    assert _tv([_colo(lease_term_months=18)]).monthly["terminal_value_usd"][23] == 0.0
    renewed = _tv([_colo(lease_term_months=30, renewal_probability_pct=50.0)])
    assert renewed.monthly["terminal_value_usd"][23] == pytest.approx(6_501_869, rel=1e-6)


def test_fixed_opex_follows_the_load_and_the_site_closes_with_no_block_left():
    # $50/kW-month against $1.2 M a year of fixed opex: every year after the horizon loses
    # $0.6 M while the lease runs; a 24-month lease that ended at the horizon leaves no block
    # and the site closes: nothing after. The lease running on loses 50,000 × 124.33709.
    site = {"fixed_opex_usd_per_year": 1.2e6}
    losing = tiny_project([_colo(colo_usd_per_kw_month=50.0)], site=site, finance=CONTINUING)
    tv = evaluate(losing).strategies[0].monthly["terminal_value_usd"][23]
    assert tv == pytest.approx(-50_000 * MONTHS_50Y, rel=1e-9)
    ended = tiny_project([_colo(lease_term_months=24)], site=site, finance=CONTINUING)
    assert evaluate(ended).strategies[0].monthly["terminal_value_usd"][23] == 0.0


def test_losses_carried_out_of_the_horizon_shelter_the_years_after():
    # 21 % tax, losses offsetting at most 80 % of a year's income. A $3 M retrofit expensed
    # at once (100 % bonus): year 1's taxable income is 1.2 M − 3 M = −1.8 M, carried; year
    # 2 earns 1.2 M and uses 80 % of it, 0.96 M: 0.84 M of losses leave the horizon. Year 1
    # after it earns 1.2 M and uses them all (≤ 0.96 M): taxed on 0.36 M, 75,600; later years
    # pay 21 % of 1.2 M, 252,000.
    fin = {"tax_rate_pct": 21.0, "bonus_depreciation_pct": {"facility": 100.0}}
    s = _tv([_colo(retrofit_usd_per_mw=3e6)], **fin)
    c = s.breakdown.continuing
    assert c.after.losses_carried_usd == pytest.approx(840_000, rel=1e-12)
    assert c.tax_usd[0] == pytest.approx(75_600, rel=1e-12)
    assert c.tax_usd[1] == pytest.approx(252_000, rel=1e-12)


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


# Horizon invariance: ten years with a continuing value within 10 % of thirty years with one,
# and of thirty years at book value (where what is held at year 30 is worth little).
INVARIANCE_FIN = {"discount_rate_pct_per_year": 12.0, "tax_rate_pct": 21.0}


def _npv(project, terminal: str, years: int) -> float:
    fin = project.finance.model_copy(update={"terminal_value": terminal, "horizon_years": years})
    return evaluate(project.model_copy(update={"finance": fin})).strategies[0].kpis.npv_usd


def _gpu_cloud_with_replacement():
    # 2,000 H100 servers at $3.50 per GPU-hour, rent falling 25 % a year, replaced at the
    # end of their life: by year 11 rent no longer covers power and O&M, and each
    # replacement costs more than it earns. The old perpetuity of the final year added
    # value here; the model's own years take it away.
    block = AiBlock(
        name="GPU cloud",
        business_model="gpu_cloud",
        server_count=2000,
        gpu_hour_usd=3.5,
        gpu_price_decline_pct_per_year=25.0,
        utilisation_pct=70.0,
        conversion_months=6,
        retrofit_usd_per_mw=6.5e6,
        om_usd_per_mw_month=20_000.0,
        gpu_end_of_life="replace",
    )
    return tiny_project([block], price=45.0, finance=INVARIANCE_FIN)


def _colocation_15_years():
    block = _colo(
        it_mw=50.0,
        colo_usd_per_kw_month=130.0,
        lease_term_months=180,
        renewal_probability_pct=50.0,
        conversion_months=12,
        retrofit_usd_per_mw=6.5e6,
        om_usd_per_mw_month=15_000.0,
    )
    return tiny_project([block], price=45.0, finance=INVARIANCE_FIN)


def _mining_fleet():
    # 10,000 S21 on $35/MWh power; BTC +25 %/year against difficulty +0.5 %/month and a
    # halving every four years: the fleet earns past year 30, ever less.
    fleet = MiningBlock(
        name="Fleet", asic_model="s21", asic_count=10_000, om_usd_per_mw_month=3_000.0
    )
    market = {
        "difficulty": 130e12,
        "difficulty_growth_pct_per_month": 0.5,
        "btc_price_growth_pct_per_year": 25.0,
        "next_halving_date": "2028-04-15",
    }
    return tiny_project([fleet], price=35.0, market=market, finance=INVARIANCE_FIN)


@pytest.mark.parametrize("make", [_gpu_cloud_with_replacement, _colocation_15_years, _mining_fleet])
def test_horizon_invariance(make):
    project = make()
    ten = _npv(project, "continuing", 10)
    thirty = _npv(project, "continuing", 30)
    book = _npv(project, "book_value", 30)
    assert ten == pytest.approx(thirty, rel=0.10)
    assert ten == pytest.approx(book, rel=0.10)
    # The continuing value is not a rounding: ten years at book value miss by far more.
    assert abs(_npv(project, "book_value", 10) - thirty) > 0.15 * abs(thirty)
