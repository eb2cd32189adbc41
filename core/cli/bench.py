"""Benchmarks reported by ``minepivot bench``: medians in milliseconds, plus ratios to a fixed
numpy reference workload measured in the same run (the machines are shared and noisy)."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable

import numpy as np

from core.engine.evaluation import evaluate
from core.engine.goalseek import goal_seek
from core.io.example import example_project
from core.io.projectfile import (
    ProjectFileError,
    parse_project_bytes,
    project_from_data,
    project_to_json,
)
from core.model.project import Financing, MiningBlock, Project, Strategy
from core.risk.montecarlo import run_monte_carlo
from core.risk.sensitivity import split_sweep, tornado


def median_ms(fn: Callable[[int], object], repeats: int, warmup: int = 2) -> float:
    """Median wall time of fn(i) over ``repeats`` calls, after ``warmup`` calls."""
    for i in range(warmup):
        fn(i)
    times = []
    for i in range(repeats):
        t0 = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def _with_btc_price(project: Project, usd: float) -> Project:
    """A copy with one input changed, so no cache can answer for the recompute."""
    return project.model_copy(
        update={"market": project.market.model_copy(update={"btc_price_usd": usd})}
    )


def _reference(_: int) -> None:
    # A fixed workload on the same order as one strategy's hourly pass: 10 ops on 87,600 floats.
    a = np.linspace(0.0, 1.0, 87_600)
    for _ in range(10):
        a = np.sqrt(a * 1.0001 + 0.5)


def _export_ms(project: Project) -> float:
    """The whole File → Export: recompute, goal seek and write the workbook."""
    import tempfile
    from pathlib import Path

    from core.io.xlsx.export import export_workbook

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "bench.xlsx"
        return median_ms(lambda i: export_workbook(project, out), 5, warmup=1)


def layout_benchmarks() -> dict[str, float]:
    """A 5,000-shelf plan checked whole and after dragging one shelf; a 200 × 50 m fill."""
    from core.model.plan import FloorPlan, Hangar, LayoutRules, new_item
    from core.plan.autolayout import auto_layout
    from core.plan.checks import check_plan
    from core.plan.geometry import PlanGeometry

    rules = LayoutRules()
    big = Hangar(name="Big", length_m=200.0, width_m=100.0)
    shelf = new_item("asic_rack", block="Fleet")
    plan = FloorPlan(hangar="Big", items=auto_layout(big, shelf, rules)[:5000])
    fleet = MiningBlock(name="Fleet", asic_model="s21", asic_count=0)
    base = example_project()
    project = base.model_copy(
        update={
            "site": base.site.model_copy(update={"hangars": [big]}),
            "strategies": [Strategy(name="Plan", blocks=[fleet], plans=[plan])],
        }
    )
    strategy = project.strategies[0]
    geometry = PlanGeometry(plan, big, rules)
    before = geometry.violations()

    def drag(i: int) -> None:
        item = plan.items[2500]
        geometry.moved({2500: item.model_copy(update={"x_m": item.x_m + 0.1 * (i % 2)})}, before)

    hangar = Hangar(name="Hall", length_m=200.0, width_m=50.0)
    return {
        "layout_validate_5000_ms": median_ms(
            lambda i: check_plan(project, strategy, plan), 9, warmup=1
        ),
        "layout_geometry_5000_ms": median_ms(
            lambda i: PlanGeometry(plan, big, rules).violations(), 9, warmup=1
        ),
        "layout_drag_one_ms": median_ms(drag, 30),
        "autolayout_ms": median_ms(lambda i: auto_layout(hangar, shelf, rules), 9, warmup=1),
    }


def _financed(project: Project) -> Project:
    """Every strategy with the default debt (60 % LTC, 8 %, 120-month annuity, 6-month DSRA)."""
    debt = Financing()
    return project.model_copy(
        update={
            "strategies": [s.model_copy(update={"financing": debt}) for s in project.strategies]
        }
    )


def _called_every_hour(project: Project) -> Project:
    dr = project.site.demand_response.model_copy(update={"event_hours_per_year": 8760})
    return project.model_copy(
        update={"site": project.site.model_copy(update={"demand_response": dr})}
    )


def _refuse_many_strategies_ms(data: dict) -> float:
    """A file of 100,000 small strategies (1.6 MB), parsed and refused."""
    many = dict(data, strategies=[{"name": f"S{i % 7}", "blocks": []} for i in range(100_000)])
    raw = json.dumps(many).encode()

    def load(_: int) -> None:
        try:
            parse_project_bytes(raw, "bench")
        except ProjectFileError:
            return
        raise AssertionError("a file of 100,000 strategies was accepted")

    return median_ms(load, 5, warmup=1)


def run_benchmarks() -> dict[str, float]:
    base = example_project()
    variants = [_with_btc_price(base, 90_000 + 100 * i) for i in range(8)]
    long = base.model_copy(
        update={"finance": base.finance.model_copy(update={"horizon_years": 30})}
    )
    long_variants = [_with_btc_price(long, 90_000 + 100 * i) for i in range(8)]
    financed = [_financed(v) for v in variants]
    data = json.loads(project_to_json(base))
    figures = {
        "reference_numpy_ms": median_ms(_reference, 50),
        "recompute_ms": median_ms(lambda i: evaluate(variants[i % 8]), 40),
        "recompute_financed_ms": median_ms(lambda i: evaluate(financed[i % 8]), 40),
        "recompute_30y_ms": median_ms(lambda i: evaluate(long_variants[i % 8]), 15),
        "goal_seek_ms": median_ms(
            lambda i: [goal_seek(variants[i % 8], s) for s in base.strategies], 5, warmup=1
        ),
        "load_project_ms": median_ms(lambda i: project_from_data(data), 40),
        "export_xlsx_ms": _export_ms(base),
        # 10,000 paths × 120 months × 3 strategies, a new seed each run.
        "monte_carlo_10k_ms": median_ms(lambda i: run_monte_carlo(base, seed=i), 5, warmup=1),
        "monte_carlo_financed_10k_ms": median_ms(
            lambda i: run_monte_carlo(financed[0], seed=i), 5, warmup=1
        ),
        # Every hour of every year a demand-response call (the slowest input the fast path
        # faces): a few times the example's time, not hundreds.
        "monte_carlo_dr_every_hour_10k_ms": median_ms(
            lambda i: run_monte_carlo(_called_every_hour(base), seed=i), 3, warmup=1
        ),
        "load_100k_strategies_ms": _refuse_many_strategies_ms(data),
        "tornado_ms": median_ms(lambda i: tornado(variants[i % 8]), 7, warmup=1),
        "split_sweep_ms": median_ms(lambda i: split_sweep(variants[i % 8]), 3, warmup=1),
    }
    figures |= layout_benchmarks()
    ref = figures["reference_numpy_ms"]
    figures["recompute_vs_reference"] = figures["recompute_ms"] / ref
    figures["recompute_30y_vs_10y"] = figures["recompute_30y_ms"] / figures["recompute_ms"]
    figures["recompute_financed_vs_reference"] = figures["recompute_financed_ms"] / ref
    figures["monte_carlo_vs_reference"] = figures["monte_carlo_10k_ms"] / ref
    figures["monte_carlo_financed_vs_reference"] = figures["monte_carlo_financed_10k_ms"] / ref
    figures["monte_carlo_dr_every_hour_vs_example"] = (
        figures["monte_carlo_dr_every_hour_10k_ms"] / figures["monte_carlo_10k_ms"]
    )
    return figures
