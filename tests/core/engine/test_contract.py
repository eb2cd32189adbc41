"""The contract's odds: the weighted increment, the signing month (sign, then spend), and the
Monte Carlo's per-path draw, each against figures worked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from core.engine.evaluation import evaluate
from core.io.example import example_project
from core.model.project import AiBlock, Strategy
from core.model.rules import project_problems
from core.risk.montecarlo import run_monte_carlo
from tests.core.helpers import miner, tiny_project


def test_the_weighted_increment_is_p_convert_plus_1_minus_p_fallback_less_the_baseline():
    # The example: Convert to AI at a 50 % contract, falling back to Keep mining, the
    # baseline. Expected increment = 0.5 × NPV(convert) + 0.5 × NPV(keep) − NPV(keep), from
    # the strategies' own as-signed NPVs: half the as-signed increment, as the fallback is the
    # baseline.
    r = evaluate(example_project())
    keep, convert = r.by_name("Keep mining"), r.by_name("Convert to AI")
    want = 0.5 * convert.kpis.npv_usd + 0.5 * keep.kpis.npv_usd - keep.kpis.npv_usd
    inc = convert.incremental
    assert inc is not None and inc.weighted_npv_usd == pytest.approx(want, rel=1e-12)
    assert inc.npv_usd == pytest.approx(convert.kpis.npv_usd - keep.kpis.npv_usd, rel=1e-12)
    assert inc.weighted_npv_usd == pytest.approx(0.5 * inc.npv_usd, rel=1e-12)
    assert inc.npv_usd > 50e6
    # A certain strategy has no weighted increment.
    assert r.by_name("Sell the fleet now").incremental.weighted_npv_usd is None


def _leases(signing: int | None = 3, start: int = 3):
    # One year, no discounting, no tax. Fallback "B": 0.5 MW of colocation at $100/kW-month
    # from month 0 ($50,000 a month). "A": 1 MW at $100 ($100,000 a month) from its start
    # month, no retrofit, a 50 % contract falling back to B.
    def lease(mw, start_month):
        return AiBlock(
            it_mw=mw,
            colo_usd_per_kw_month=100.0,
            pue=1.0,
            start_month=start_month,
            conversion_months=0,
            retrofit_usd_per_mw=0.0,
        )

    return tiny_project(
        [],
        strategies=[
            Strategy(name="B", blocks=[lease(0.5, 0)]),
            Strategy(
                name="A",
                blocks=[lease(1.0, start)],
                contract_probability_pct=50.0,
                fallback_strategy="B",
                contract_signing_month=signing,
            ),
        ],
    )


def test_until_the_signing_month_the_strategy_runs_as_its_fallback():
    # A earns nothing in months 0–2 and $100,000 in months 3–11: NPV 900,000; B 600,000.
    # Signed in month 3: the tree runs B until then (3 × 50,000 = 150,000), then 0.5 × A +
    # 0.5 × B = 75,000 a month for 9 months (675,000): 825,000, not 0.5 × 900,000 + 0.5 ×
    # 600,000 = 750,000.
    r = evaluate(_leases())
    a, b = r.by_name("A"), r.by_name("B")
    assert a.kpis.npv_usd == pytest.approx(900_000, rel=1e-12)
    assert b.kpis.npv_usd == pytest.approx(600_000, rel=1e-12)
    assert a.kpis.probability_weighted_npv_usd == pytest.approx(825_000, rel=1e-12)
    np.testing.assert_allclose(
        a.weighted_cumulative_fcf_usd,
        np.cumsum([50_000] * 3 + [75_000] * 9),
        rtol=1e-12,
    )
    # The baseline is B: the expected increment is 825,000 − 600,000.
    assert a.incremental.weighted_npv_usd == pytest.approx(225_000, rel=1e-12)


def test_the_signing_month_defaults_to_the_first_conversion_month():
    assert _leases(signing=None).strategies[1].signing_month() == 3
    r = evaluate(_leases(signing=None))
    assert r.by_name("A").kpis.probability_weighted_npv_usd == pytest.approx(825_000, rel=1e-12)


def test_spending_or_selling_before_the_signing_month_is_refused_by_name():
    data = _leases(signing=5).model_dump(mode="json")
    problems = project_problems(data)
    assert problems == [
        'strategies[1].blocks[0].start_month: "AI hosting" starts its conversion in month 3, '
        "before the contract is signed (month 5); nothing of it may be spent before then"
    ]
    fleet = miner(end_month=4, name="Fleet")
    project = _leases(signing=5)
    a = project.strategies[1]
    later = a.blocks[0].model_copy(update={"start_month": 5})
    a = a.model_copy(update={"blocks": [fleet, later]})
    data = project.model_copy(update={"strategies": [project.strategies[0], a]}).model_dump(
        mode="json"
    )
    assert project_problems(data) == [
        'strategies[1].blocks[0].end_month: "Fleet" stops in month 4, before the contract '
        "is signed (month 5); no fleet is sold before then"
    ]


def test_the_monte_carlo_draws_the_contract_per_path_and_reports_p_signed():
    # 2,000 paths at a 50 % contract: the share signed is within 4 standard errors
    # (√(0.25 / 2000) = 1.1 %) of 50 %; Keep mining has no contract to draw.
    project = example_project()
    rows = {r["strategy"]: r for r in run_monte_carlo(project, n_paths=2000).summary()}
    assert rows["Keep mining"]["probability_signed"] is None
    assert abs(rows["Convert to AI"]["probability_signed"] - 0.5) < 4 * (0.25 / 2000) ** 0.5


def test_a_malformed_fallback_or_probability_is_left_to_the_field_checks():
    # A list where a name belongs, text where a number does: the signing rule passes over
    # them (the field checks name them) rather than failing on them.
    data = _leases(signing=5).model_dump(mode="json")
    data["strategies"][1]["fallback_strategy"] = ["B"]
    assert not any("contract is signed" in p for p in project_problems(data))
    data["strategies"][1]["fallback_strategy"] = "B"
    data["strategies"][1]["contract_probability_pct"] = "half"
    assert not any("contract is signed" in p for p in project_problems(data))
