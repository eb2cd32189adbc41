"""Tornado, hybrid split and the whole risk run, against hand-worked values and numpy-financial."""

import numpy as np
import numpy_financial as npf
import pytest

from core.engine.evaluation import evaluate
from core.io.example import example_project
from core.io.projectfile import ProjectFileError, project_from_data
from core.model.project import Risk, TornadoInput
from core.risk.montecarlo import RiskError
from core.risk.sensitivity import (
    analyse,
    scaled,
    split_candidate,
    split_strategy,
    split_sweep,
    tornado,
)
from core.tasks import Cancelled, TaskState


def _small(project, **risk):
    return project.model_copy(
        update={"risk": project.risk.model_copy(update={"paths": 500, "split_paths": 200, **risk})}
    )


def test_discount_rate_bar_matches_numpy_financial():
    project = example_project()
    t = tornado(project)
    bar = next(b for b in t.bars if b.key == "discount_rate")
    fcf = evaluate(project).by_name("Keep mining").monthly["fcf_usd"]
    for pct, npv in ((bar.low_pct, bar.npv_low_usd), (bar.high_pct, bar.npv_high_usd)):
        annual = project.finance.discount_rate_pct_per_year * (1 + pct / 100) / 100
        monthly = (1 + annual) ** (1 / 12) - 1
        # numpy-financial discounts the first value at t = 0, as the app does (flows at the
        # start of their month).
        assert npv["Keep mining"] == pytest.approx(npf.npv(monthly, fcf), rel=1e-10)


def test_bars_point_the_right_way_and_widest_comes_first():
    t = tornado(example_project())
    by_key = {b.key: b for b in t.bars}
    mining = "Keep mining"
    assert by_key["btc_price"].npv_high_usd[mining] > t.base_npv_usd[mining]
    assert by_key["btc_price"].npv_low_usd[mining] < t.base_npv_usd[mining]
    assert by_key["power_price"].npv_high_usd[mining] < t.base_npv_usd[mining]
    assert by_key["colo_price"].npv_high_usd["Convert to AI"] > t.base_npv_usd["Convert to AI"]
    # The example has no GPU-cloud block: its price cannot move any NPV.
    assert by_key["gpu_hour_price"].swing_usd("Convert to AI") == 0
    widest = [max(b.swing_usd(n) for n in t.base_npv_usd) for b in t.bars]
    assert widest == sorted(widest, reverse=True)


def test_power_price_swing_scales_every_hour():
    project = example_project()
    up = scaled(project, "power_price", 1.2)
    tou = project.site.energy.price_source
    tou_up = up.site.energy.price_source
    assert tou_up.matrix_usd_per_mwh[6][18] == pytest.approx(tou.matrix_usd_per_mwh[6][18] * 1.2)
    assert tou_up.spikes.price_usd_per_mwh == pytest.approx(2500.0 * 1.2)
    assert up.site.energy.tnd_adder_usd_per_mwh == project.site.energy.tnd_adder_usd_per_mwh


def test_custom_ranges_are_used():
    project = example_project()
    risk = project.risk.model_copy(
        update={"tornado": [TornadoInput(input="btc_price", low_pct=-50.0, high_pct=10.0)]}
    )
    t = tornado(project.model_copy(update={"risk": risk}))
    (bar,) = t.bars
    half = evaluate(scaled(project, "btc_price", 0.5)).by_name("Keep mining").kpis.npv_usd
    assert (bar.low_pct, bar.high_pct) == (-50.0, 10.0)
    assert bar.npv_low_usd["Keep mining"] == pytest.approx(half, rel=1e-12)


def test_a_tornado_input_listed_twice_is_refused_on_load():
    data = example_project().model_dump(mode="json")
    data["risk"]["tornado"].append({"input": "btc_price", "low_pct": -10, "high_pct": 10})
    with pytest.raises(ProjectFileError) as info:
        project_from_data(data)
    assert any(
        "risk.tornado" in p and "'btc_price' appears twice" in p for p in info.value.problems
    )
    assert Risk().paths == 10_000


def test_split_counts_worked_by_hand():
    # Example: 100 MW interconnect; an S21 draws 3,500 W × PUE 1.05 = 3.675 kW, so the Hybrid's
    # kept block of 13,000 draws 47.775 MW. Colocation IT MW draws × 0.8 load × 1.3 PUE = 1.04.
    project = example_project()
    hybrid = split_candidate(project)
    assert hybrid.name == "Hybrid"
    half = {b.name: b for b in split_strategy(project, hybrid, 0.5).blocks}
    # 50 MW of mining: 13,000 × 50 / 47.775 = 13,605.4 → 13,605; the rest of the fleet of
    # 26,500 (12,895) runs until conversion. AI: 50 / 1.04 = 48.077 MW of IT.
    assert half["S21 fleet (kept)"].asic_count == 13_605
    assert half["S21 fleet (sold)"].asic_count == 12_895
    assert half["AI colocation"].it_mw == pytest.approx(50 / 1.04)
    # All mining: 100 MW needs 27,211 S21; the fleet has 26,500, so 711 are bought.
    none = {b.name: b for b in split_strategy(project, hybrid, 0.0).blocks}
    assert none["S21 fleet (kept)"].asic_count == 26_500
    assert none["S21 fleet (sold)"].asic_count == 0
    bought = none["S21 fleet (kept) (bought for the split)"]
    assert (bought.asic_count, bought.existing_fleet) == (711, False)
    assert none["AI colocation"].it_mw == 0


def test_split_sweep_marks_the_best_share():
    sweep = split_sweep(_small(example_project(), split_steps=5))
    assert sweep.ai_share_pct.tolist() == [0, 25, 50, 75, 100]
    assert sweep.best_index == int(np.argmax(sweep.npv_usd))
    assert sweep.paths == 200


def test_split_sweep_runs_on_a_fixed_price_block():
    # With every spread at zero, each path is the deterministic case, so at every share the
    # P10 NPV is the engine's NPV, fixed block and all (the contract made certain, so no
    # path falls back).
    from tests.core.risk.test_montecarlo import CALM

    project = _small(example_project(), split_steps=3, **CALM)
    energy = project.site.energy.model_copy(
        update={"contract": "fixed_block", "fixed_block_mw": 60.0, "fixed_price_usd_per_mwh": 42.0}
    )
    strategies = [
        s.model_copy(update={"contract_probability_pct": 100.0}) for s in project.strategies
    ]
    project = project.model_copy(
        update={
            "site": project.site.model_copy(update={"energy": energy}),
            "strategies": strategies,
        }
    )
    sweep = split_sweep(project)
    np.testing.assert_allclose(sweep.p10_npv_usd, sweep.npv_usd, rtol=1e-9)
    assert len(set(np.round(sweep.npv_usd))) == 3


def test_split_paths_run_the_fleets_as_operated_and_fall_back_to_the_operated_fallback():
    # Zero spreads, the hybrid's contract at 50 %: every path is either the share's own
    # deterministic case or its fallback, Keep mining, whose fleet retires when its NPV chose
    # (the engine's Keep mining NPV). The weighted NPV is ½ own + ½ fallback, so own is
    # 2 × NPV − fallback, and the P10 is the lower of the two.
    from tests.core.risk.test_montecarlo import CALM

    project = _small(example_project(), split_steps=3, **CALM)
    sweep = split_sweep(project)
    keep = evaluate(project).by_name("Keep mining").kpis.npv_usd
    own = 2 * sweep.npv_usd - keep
    np.testing.assert_allclose(sweep.p10_npv_usd, np.minimum(own, keep), rtol=1e-9)
    assert own[0] < keep < own[2]  # both sides are exercised


def test_split_needs_a_hybrid():
    project = example_project()
    only_mining = project.model_copy(update={"strategies": project.strategies[:1]})
    with pytest.raises(RiskError, match="both a mining and an AI block"):
        split_sweep(only_mining)


def test_analyse_runs_everything_and_can_be_cancelled():
    project = _small(example_project())
    seen = []
    result = analyse(project, TaskState(report=lambda f, stage: seen.append((f, stage))))
    assert result.project is project and result.split is not None
    assert {s.name for s in result.monte_carlo.strategies} == {s.name for s in project.strategies}
    assert seen[0] == (0.0, "Tornado") and seen[-1][0] == pytest.approx(1.0)
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)
    calls = iter(range(1000))
    with pytest.raises(Cancelled):
        analyse(project, TaskState(stop_requested=lambda: next(calls) > 3))


def test_every_tornado_input_has_a_label_and_a_rule():
    from core.model.project import TORNADO_KEYS
    from core.risk.sensitivity import TORNADO_INPUTS

    project = example_project()
    assert list(TORNADO_INPUTS) == list(TORNADO_KEYS)
    changed = {k for k in TORNADO_KEYS if scaled(project, k, 1.2) != project}
    # Only the GPU-hour price has nothing to scale in the example (no GPU-cloud block).
    assert changed == set(TORNADO_KEYS) - {"gpu_hour_price"}


def test_tornado_reports_equity_npv_of_strategies_that_borrow():
    # Convert to AI borrows 60 % of its capex: a lower colocation price lowers its equity NPV,
    # a higher one raises it; Keep mining (nothing to borrow against) has no equity bars.
    from core.model.project import Financing

    project = example_project()
    strategies = [
        s.model_copy(update={"financing": Financing()}) if s.name == "Convert to AI" else s
        for s in project.strategies
    ]
    risk = project.risk.model_copy(update={"tornado": [TornadoInput(input="colo_price")]})
    t = tornado(project.model_copy(update={"strategies": strategies, "risk": risk}))
    (bar,) = t.bars
    base = t.base_equity_npv_usd["Convert to AI"]
    assert bar.equity_npv_low_usd["Convert to AI"] < base < bar.equity_npv_high_usd["Convert to AI"]
    assert "Keep mining" not in t.base_equity_npv_usd
