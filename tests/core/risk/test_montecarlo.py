"""Monte Carlo: reproducible, centred on the deterministic project, honest about its noise, and
in agreement with the hourly engine run path by path."""

import numpy as np
import numpy_financial as npf
import pytest

from core.engine.evaluation import evaluate
from core.engine.finance.returns import discount_factors
from core.io.example import example_project
from core.model.project import AiBlock, MiningBlock, Strategy
from core.risk.montecarlo import (
    Simulator,
    draw_paths,
    paybacks,
    run_monte_carlo,
    strategy_paths_fcf,
)
from tests.core.risk.reference import hourly_path_fcf

CALM = {
    "btc_volatility_pct_per_year": 0.0,
    "difficulty_growth_sd_pct_per_month": 0.0,
    "power_price_sd_pct": 0.0,
    "gpu_decline_sd_pct_per_year": 0.0,
    "conversion_delay_mean_months": 0.0,
}


def with_risk(project, **risk):
    return project.model_copy(update={"risk": project.risk.model_copy(update=risk)})


def rich_project():
    """Every rule the fast method handles: two mining blocks of different models and windows
    (one ending before a halving), DR calls across both, 4CP peaks without avoidance, a demand
    charge, a T&D adder, colocation with pass-through and a lease that ends, a GPU-cloud block,
    contract risk."""
    base = example_project()
    energy = base.site.energy.model_copy(
        update={"fourcp_avoidance": False, "demand_charge_usd_per_kw_month": 6.0}
    )
    site = base.site.model_copy(update={"energy": energy})
    # Never retired: with the demand charge, auto retirement would sell both fleets at once
    # and leave the paths no mining to check.
    s19 = MiningBlock(
        name="S19 XP", asic_model="s19_xp", asic_count=9_000, pue=1.1, end_month=40, retire="never"
    )
    s21 = MiningBlock(
        name="S21", asic_model="s21", asic_count=8_000, derate_pct_per_year=3.0, retire="never"
    )
    cloud = AiBlock(
        name="GPU cloud",
        business_model="gpu_cloud",
        server_count=400,
        gpu_hour_usd=2.3,
        gpu_price_decline_pct_per_year=15.0,
        retrofit_usd_per_mw=4e6,
        start_month=6,
        conversion_months=9,
    )
    colo = AiBlock(
        name="Colo",
        it_mw=10.0,
        colo_usd_per_kw_month=130.0,
        conversion_months=6,
        lease_term_months=60,  # then renewed with 50 % probability at $110/kW-month
        renewal_probability_pct=50.0,
        renewal_usd_per_kw_month=110.0,
    )
    strategies = [
        Strategy(name="Mine", blocks=[s19, s21]),
        Strategy(
            name="Mixed",
            blocks=[s19, s21, cloud, colo],
            contract_probability_pct=60.0,
            fallback_strategy="Mine",
        ),
    ]
    return base.model_copy(update={"site": site, "strategies": strategies})


def assert_fast_paths_agree(project, n_paths: int) -> None:
    """Every path of both strategies gives the hourly engine's cash flow and NPV. With a
    continuing value, every month but the last: a path's continuing value is the central
    case's scaled by the path's final-year flow, not its own run after the horizon (see
    core.risk.fastpaths), so the last month is held to the horizon's months alone."""
    d = draw_paths(project.risk, project, n_paths)
    flows = strategy_paths_fcf(Simulator.for_project(project), d)
    df = discount_factors(project.finance.discount_rate_pct_per_year, 120)
    months = slice(None, -1) if project.finance.terminal_value == "continuing" else slice(None)
    for name in ("Mine", "Mixed"):
        for i in range(d.n):
            reference = hourly_path_fcf(project, d, i, name)[months]
            fast = flows[name][i][months]
            assert np.allclose(fast, reference, rtol=1e-9, atol=1e-3), (name, i)
            assert fast @ df[months] == pytest.approx(reference @ df[months], rel=1e-10)


@pytest.mark.parametrize("terminal", ["book_value", "continuing"])
def test_fast_method_matches_the_hourly_engine_path_by_path(terminal):
    # "continuing": each path's final year continues (the lease has run out at a 50 % renewal,
    # the GPU servers are replaced, the fleets run on) at 2 % growth.
    project = with_risk(rich_project(), conversion_delay_mean_months=4.0)
    fin = project.finance.model_copy(
        update={"terminal_value": terminal, "terminal_growth_pct_per_year": 2.0}
    )
    project = project.model_copy(update={"finance": fin})
    assert evaluate(project).by_name("Mine").monthly["mining_energy_mwh"][:40].min() > 0
    delays = draw_paths(project.risk, project, 6).delay_months
    assert len(set(delays.tolist())) > 1  # several delay groups are exercised
    assert_fast_paths_agree(project, 6)


def test_same_seed_same_numbers_and_another_seed_differs():
    project = example_project()
    a = run_monte_carlo(project, n_paths=500, seed=11).summary()
    b = run_monte_carlo(project, n_paths=500, seed=11).summary()
    c = run_monte_carlo(project, n_paths=500, seed=12).summary()
    assert a == b
    assert a[0]["p50_npv_usd"] != c[0]["p50_npv_usd"]


def test_zero_volatility_p50_is_the_deterministic_npv():
    project = with_risk(example_project(), **CALM)
    # Contract risk off too: a signed-or-not draw splits an AI strategy in two outcomes.
    strategies = [
        s.model_copy(update={"contract_probability_pct": 100.0}) for s in project.strategies
    ]
    project = project.model_copy(update={"strategies": strategies})
    result = run_monte_carlo(project, n_paths=200)
    deterministic = evaluate(project)
    for s in result.strategies:
        npv = deterministic.by_name(s.name).kpis.npv_usd
        assert s.percentile(50) == pytest.approx(npv, rel=1e-9)
        assert s.percentile(10) == pytest.approx(npv, rel=1e-9)


def test_contract_risk_alone_mixes_the_ai_case_and_its_fallback():
    # With nothing else random, each path is either the AI case or keep mining, and the share
    # of AI paths is the probability: the mean is the probability-weighted NPV as the number of
    # paths grows (within 4 standard errors of a binomial share).
    project = with_risk(example_project(), **CALM)
    result = run_monte_carlo(project, n_paths=4000)
    kpis = {s.name: s.kpis for s in evaluate(project).strategies}
    ai, fallback = kpis["Convert to AI"].npv_usd, kpis["Keep mining"].npv_usd
    s = result.by_name("Convert to AI")
    assert set(np.round(s.npv_usd, 2)) == {round(ai, 2), round(fallback, 2)}
    share = (np.abs(s.npv_usd - ai) < 1).mean()
    assert abs(share - 0.5) < 4 * np.sqrt(0.25 / 4000)
    assert s.mean_usd == pytest.approx(kpis["Convert to AI"].probability_weighted_npv_usd, rel=0.05)


def test_more_volatility_widens_p10_to_p90():
    project = example_project()
    widths = []
    for vol in (20.0, 60.0, 100.0):
        r = run_monte_carlo(with_risk(project, btc_volatility_pct_per_year=vol), n_paths=2000)
        s = r.by_name("Keep mining")
        widths.append(s.percentile(90) - s.percentile(10))
    assert widths[0] < widths[1] < widths[2]


def test_standard_error_shrinks_as_one_over_root_n():
    project = example_project()
    small = run_monte_carlo(project, n_paths=1000, seed=5).by_name("Keep mining")
    large = run_monte_carlo(project, n_paths=16000, seed=6).by_name("Keep mining")
    # 16× the paths → a quarter of the standard error (the spread estimate itself varies).
    ratio = small.standard_error_usd / large.standard_error_usd
    assert 3.0 < ratio < 5.3
    # And the two means agree within their combined error.
    gap = abs(small.mean_usd - large.mean_usd)
    assert gap < 4 * np.hypot(small.standard_error_usd, large.standard_error_usd)


def test_btc_paths_have_the_drift_and_volatility_asked_for():
    # Yearly log returns of the BTC multiplier: mean ln(1 + drift) − σ²/2, sd σ.
    project = with_risk(
        example_project(),
        btc_drift_pct_per_year=10.0,
        btc_volatility_pct_per_year=50.0,
        difficulty_growth_sd_pct_per_month=0.0,
    )
    d = draw_paths(project.risk, project, 20000)
    yearly = np.log(d.hashprice[:, 12] / d.hashprice[:, 0])
    assert yearly.mean() == pytest.approx(np.log(1.1) - 0.5**2 / 2, abs=0.01)
    assert yearly.std() == pytest.approx(0.5, rel=0.02)


def test_paybacks_row_by_row_as_the_single_path_rule():
    # Payback = months until the cumulative flow is ≥ 0 for good = last negative month + 1.
    cumulative = np.array(
        [
            [-5.0, -1.0, 2.0, 3.0],  # last negative month 1 → 2
            [1.0, 2.0, 3.0, 4.0],  # never negative → 0
            [-1.0, 1.0, -1.0, 2.0],  # dips again in month 2 → 3
            [-1.0, -1.0, -1.0, -1.0],  # still negative at the horizon → −1
        ]
    )
    assert paybacks(cumulative).tolist() == [2, 0, 3, -1]


def test_fast_method_matches_the_engine_on_a_fixed_price_block():
    # Riot's contract type: 45 MW bought at $45/MWh for every hour, the shortfall bought and
    # the surplus resold at index. The fleets (~50 MW at full run) are below the block when
    # they curtail and above it when they run with the AI load, so both the purchases and the
    # resale credits occur; each path must give the hourly engine's cash flow.
    base = rich_project()
    energy = base.site.energy.model_copy(
        update={"contract": "fixed_block", "fixed_block_mw": 45.0, "fixed_price_usd_per_mwh": 45.0}
    )
    project = base.model_copy(update={"site": base.site.model_copy(update={"energy": energy})})
    result = evaluate(project)
    mine = result.by_name("Mine").monthly
    assert mine["power_credits_usd"].sum() > 0 and mine["energy_cost_usd"].min() > 0
    assert_fast_paths_agree(project, 4)
    assert run_monte_carlo(project, n_paths=100).by_name("Mine").mean_usd != 0


def test_fast_method_matches_the_engine_when_many_hours_are_called():
    # Every hour of the year called, with less enrolled than the fleet: in each hour the least
    # valuable running block gives up the enrolled MW first, across two blocks, a demand charge
    # and 4CP peaks that are also called hours.
    base = rich_project()
    for hours, enrolled in ((8760, 12.0), (2000, 40.0)):
        dr = base.site.demand_response.model_copy(
            update={"event_hours_per_year": hours, "enrolled_mw": enrolled}
        )
        project = base.model_copy(
            update={"site": base.site.model_copy(update={"demand_response": dr})}
        )
        assert_fast_paths_agree(project, 3)


def test_fast_method_matches_the_engine_with_calls_on_the_highest_load_hours():
    # 400 calls a year on the hours the fleets would run: each strategy's calls are held
    # where its own inputs put them, on every path, in the fast method and the reference.
    base = rich_project()
    dr = base.site.demand_response.model_copy(
        update={"event_hours_per_year": 400, "enrolled_mw": 20.0, "events_on": "highest_load"}
    )
    project = base.model_copy(update={"site": base.site.model_copy(update={"demand_response": dr})})
    sim = Simulator.for_project(project)
    mine = next(s for s in sim.project.strategies if s.name == "Mine")
    assert sim.market_for(mine) is not sim.market  # the calls moved off the price rule's hours
    assert_fast_paths_agree(project, 3)


def test_fast_method_matches_the_engine_with_hosted_racks():
    # Four hosting contracts beside the own fleets: a curtailable per-kWh rack (its rate
    # does not move with hashprice, so the DR cut order differs path by path), a curtailable
    # cost-plus rack with a profit share whose DR income goes to the client, a firm per-kWh
    # rack and a firm cost-plus rack (its profit share over every hour). DR calls on 300
    # hours with less enrolled than the flexible load, a demand charge and 4CP peaks.
    from core.model.project import HostingBlock

    base = rich_project()
    hosted = [
        HostingBlock(
            name="Per kWh", asic_model="s19_xp", asic_count=3000, hosting_usd_per_kwh=0.075
        ),
        HostingBlock(
            name="Cost plus",
            asic_model="s21",
            asic_count=3000,
            pricing="cost_plus",
            margin_usd_per_kwh=0.012,
            profit_share_pct=15.0,
            dr_income="passed",
        ),
        HostingBlock(name="Firm", asic_model="s21", asic_count=1000, curtailable=False),
        HostingBlock(
            name="Firm cost plus",
            asic_model="s19_xp",
            asic_count=1000,
            curtailable=False,
            pricing="cost_plus",
            margin_usd_per_kwh=0.01,
            profit_share_pct=20.0,
            end_month=70,
        ),
    ]
    strategies = [s.model_copy(update={"blocks": [*s.blocks, *hosted]}) for s in base.strategies]
    dr = base.site.demand_response.model_copy(
        update={"event_hours_per_year": 300, "enrolled_mw": 25.0}
    )
    project = base.model_copy(
        update={
            "strategies": strategies,
            "site": base.site.model_copy(update={"demand_response": dr}),
        }
    )
    m = evaluate(project).by_name("Mine").monthly
    assert m["revenue_hosting_usd"].min() > 0 and m["power_passthrough_usd"].sum() > 0
    assert_fast_paths_agree(project, 3)


@pytest.mark.parametrize(
    "terms",
    [
        {"ltc_pct": 70.0, "rate_pct_per_year": 9.0, "tenor_months": 84},
        {"sizing": "dscr", "target_dscr": 1.3, "repayment": "sculpted", "cash_sweep_pct": 50.0},
    ],
)
def test_equity_paths_match_the_engine_and_summarise(terms):
    # Both strategies borrow (Mine has nothing to borrow against: no capex). Each path's
    # equity cash flow and minimum DSCR equal the engine's table and debt schedule on that
    # path, contract risk included; DSCR sizing re-sizes the debt on every path.
    from core.model.project import Financing
    from core.risk.montecarlo import strategy_paths
    from tests.core.risk.reference import hourly_path_equity

    base = with_risk(rich_project(), conversion_delay_mean_months=3.0)
    fin = Financing(**terms)
    project = base.model_copy(
        update={"strategies": [s.model_copy(update={"financing": fin}) for s in base.strategies]}
    )
    d = draw_paths(project.risk, project, 4)
    flows = strategy_paths(Simulator.for_project(project), d)
    for i in range(d.n):
        equity, dscr = hourly_path_equity(project, d, i, "Mixed")
        np.testing.assert_allclose(flows["Mixed"].equity[i], equity, rtol=1e-9, atol=1e-3)
        assert flows["Mixed"].min_dscr[i] == pytest.approx(dscr, rel=1e-9)
    row = run_monte_carlo(project, n_paths=200).summary()[1]
    assert row["p10_equity_npv_usd"] <= row["p50_equity_npv_usd"] <= row["p90_equity_npv_usd"]
    assert row["p50_equity_irr"] is not None and 0 <= row["probability_min_dscr_below_1"] <= 1


def test_irr_paths_matches_numpy_financial_row_by_row():
    from core.engine.finance.returns import irr_paths

    rng = np.random.default_rng(3)
    flows = np.concatenate([-rng.uniform(50, 100, (5, 1)), rng.uniform(0, 3, (5, 60))], axis=1)
    flows[4] = np.abs(flows[4])  # no sign change: no IRR
    got = irr_paths(flows)
    for r in range(4):
        assert got[r] == pytest.approx((1 + npf.irr(flows[r])) ** 12 - 1, rel=1e-9)
    assert np.isnan(got[4])
