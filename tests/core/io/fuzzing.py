"""A seeded mutator over project files: every mutant that loads must evaluate to finite numbers,
print finite JSON and export a workbook; every mutant that does not load must say why, field by
field. Used by tests/core/test_fuzz.py (a few thousand cases) and ``make fuzz`` (a long run):
``python -m tests.core.io.fuzzing --cases 50000``.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from core.engine.detail import hourly_detail
from core.engine.evaluation import evaluate
from core.engine.goalseek import goal_seek
from core.io.projectfile import ProjectFileError, parse_project_bytes, project_to_json
from core.model.project import AiBlock, HourlySeriesPrice, Strategy, TimeOfUsePrice
from core.plan.checks import review_plans
from tests.core.helpers import miner, tiny_project

# ----------------------------------------------------------------------------- base projects


def _small_bases() -> dict[str, dict]:
    """A few varied small projects: each contract, price source and block kind appears."""
    hourly = HourlySeriesPrice(
        first_year=2025,
        years_usd_per_mwh=[
            [20.0 + (h % 24) + (300.0 if h % 997 == 0 else 0.0) for h in range(8760)]
        ],
    )
    tou = TimeOfUsePrice(matrix_usd_per_mwh=[[25.0] * 18 + [90.0] * 6] * 12)
    gpu = AiBlock(
        name="Cloud",
        business_model="gpu_cloud",
        server_count=40,
        gpu_hour_usd=2.2,
        gpu_price_decline_pct_per_year=20.0,
        retrofit_usd_per_mw=4e6,
        conversion_months=4,
    )
    colo = AiBlock(name="Colo", it_mw=1.5, colo_usd_per_kw_month=130.0, retrofit_usd_per_mw=5e6)
    fleet = miner(asic_count=300, asic_unit_price_usd=3000.0, om_usd_per_mw_month=2000.0)
    bases = {
        "flat": tiny_project(
            [],
            strategies=[
                Strategy(name="Mine", blocks=[fleet]),
                Strategy(
                    name="Convert",
                    blocks=[fleet.model_copy(update={"end_month": 4}), colo],
                    contract_probability_pct=50.0,
                    fallback_strategy="Mine",
                ),
            ],
            dr={
                "enrolled_mw": 0.5,
                "capacity_usd_per_mw_month": 4000.0,
                "event_hours_per_year": 30,
            },
            finance={"horizon_years": 2, "discount_rate_pct_per_year": 10.0, "tax_rate_pct": 21.0},
        ),
        "fixed_block": tiny_project(
            [fleet, gpu],
            energy={
                "price_source": tou,
                "contract": "fixed_block",
                "fixed_block_mw": 1.0,
                "fixed_price_usd_per_mwh": 35.0,
                "demand_charge_usd_per_kw_month": 4.0,
                "fourcp_usd_per_kw_year": 50.0,
                "fourcp_avoidance": True,
            },
            market={"difficulty_growth_pct_per_month": 2.0},
            finance={"horizon_years": 2, "discount_rate_pct_per_year": 8.0},
        ),
        "hourly": tiny_project(
            [miner(asic_count=50, derate_pct_per_year=5.0, existing_fleet=False), colo],
            energy={"price_source": hourly, "escalator_pct_per_year": 3.0},
            site={"fixed_opex_usd_per_year": 250_000.0},
            finance={"horizon_years": 2, "discount_rate_pct_per_year": 12.0, "tax_rate_pct": 25.0},
        ),
    }
    return {name: json.loads(project_to_json(p)) for name, p in bases.items()}


def _example_base() -> dict:
    from core.io.example import example_project

    return json.loads(project_to_json(example_project()))


# ----------------------------------------------------------------------------- mutations
BAD_DATES = [
    "2026-02-31",
    "2026-02-29",
    "2026-13",
    "2026-00-10",
    "0000-01-01",
    "9999-12-31",
    "1899-05",
    "２０２６-０１-０１",
    "２０２６-０１",
    "2026-01-01\n",
    "2026-01\n",
    " 2026-01",
    "2026-1-1",
    "2026/01/01",
    "2024-02-29",
    "2100-12",
    "2026-01-01T00:00",
]
ODD_TEXT = ["", " ", "=cmd|'calc'!A0", "a\tb", "x\r\ny", "'quoted'", "[x]", "A" * 300, "é" * 50]
NUMBERS = [
    0,
    -0.0,
    1,
    -1,
    0.5,
    1e-9,
    5e-324,
    1e308,
    -1e308,
    float("nan"),
    float("inf"),
    float("-inf"),
    2**53 + 1,
    2**63,
    10**30,
    True,
]


def _paths(node: Any, prefix: tuple = ()) -> Iterator[tuple]:
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        # Long numeric lists (a year of hours, plan items) by a few members only.
        idx = range(len(node)) if len(node) <= 30 else (0, 1, len(node) // 2, len(node) - 1)
        for i in idx:
            yield from _paths(node[i], (*prefix, i))


def _get(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


def _numeric_variants(v: float, rng: random.Random) -> Any:
    choice = rng.random()
    if choice < 0.35:
        return rng.choice(NUMBERS)
    factor = rng.choice([0, -1, 0.5, 2, 10, 1e3, 1e6, 1e9, 1e12, 1e15, 1e300, 1e-3, 1e-12])
    out = v * factor
    if isinstance(v, int) and not isinstance(v, bool) and rng.random() < 0.6:
        try:
            return int(out) if math.isfinite(out) else out
        except OverflowError:
            return out
    if choice < 0.5:
        return v + rng.choice([-1, 1, -0.5, 0.5])
    return out


def _leaf_value(v: Any, rng: random.Random, names: list[str]) -> Any:
    if isinstance(v, bool):
        return rng.choice([not v, 0, 1, "true", None])
    if isinstance(v, int | float):
        return _numeric_variants(v, rng)
    if isinstance(v, str):
        r = rng.random()
        if r < 0.35:
            return rng.choice(BAD_DATES)
        if r < 0.55:
            return rng.choice(ODD_TEXT)
        if r < 0.75 and names:
            return rng.choice(names)
        return rng.choice([v + " copy", v.upper(), v[:1], 12, None, [v]])
    return rng.choice([0, "x", None, [], {}])


def mutate(data: dict, rng: random.Random) -> dict:
    """One to three random edits of a copy of ``data``."""
    data = copy.deepcopy(data)
    names = [s.get("name") for s in data.get("strategies", []) if isinstance(s, dict)]
    names = [n for n in names if isinstance(n, str)]
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = rng.choice(paths)
        try:
            parent = _get(data, path[:-1])
            key = path[-1]
            node = parent[key]
        except (KeyError, IndexError, TypeError):
            continue
        r = rng.random()
        if isinstance(node, dict):
            if r < 0.4 and node:
                node.pop(rng.choice(list(node)))
            elif r < 0.55:
                node[rng.choice(["extra", "kind", "name", "x"])] = rng.choice([1, "y", None])
            else:
                parent[key] = rng.choice([[], "text", 0, None, [node]])
        elif isinstance(node, list):
            if r < 0.3:
                parent[key] = []
            elif r < 0.55 and node:
                node.append(copy.deepcopy(rng.choice(node)))
            elif r < 0.7 and node:
                node.pop(rng.randrange(len(node)))
            elif r < 0.8:
                node.append(rng.choice(NUMBERS + ODD_TEXT + [{}, []]))
            else:
                parent[key] = rng.choice([{}, "list", 3, None])
        else:
            parent[key] = _leaf_value(node, rng, names)
    return data


def to_text(data: dict, rng: random.Random) -> bytes:
    """JSON text, now and then with a duplicated key or an enormous integer spliced in."""
    text = json.dumps(data, indent=1, ensure_ascii=False)
    r = rng.random()
    if r < 0.03:
        text = text.replace('"name": ', '"name": "dup", "name": ', 1)
    elif r < 0.06:
        text = text.replace('"horizon_years": ', '"horizon_years": 9' + "9" * 5000 + ', "_": ', 1)
    return text.encode("utf-8")


# ----------------------------------------------------------------------------- the checks
class FuzzFailure(AssertionError):
    pass


def _finite_json(obj: Any) -> None:
    json.dumps(obj, allow_nan=False)  # raises ValueError on NaN or Infinity


def check_case(raw: bytes, export_dir: Path) -> str:
    """Load, evaluate, review, print and export one file. Returns the outcome."""
    try:
        project = parse_project_bytes(raw, "fuzz")
    except ProjectFileError as exc:
        if not exc.problems or not all(isinstance(p, str) and ": " in p for p in exc.problems):
            raise FuzzFailure(f"unclear problems: {exc.problems!r}") from None
        return "refused"
    from core.cli.report import strategy_summaries

    result = evaluate(project)
    for s in result.strategies:
        for col, values in s.monthly.items():
            if not np.all(np.isfinite(values)):
                raise FuzzFailure(f"{s.name}: {col} is not finite")
        for v in vars(s.kpis).values():
            if isinstance(v, float) and not math.isfinite(v):
                raise FuzzFailure(f"{s.name}: a KPI is not finite: {s.kpis}")
    for s in project.strategies:
        review_plans(project, s)
    last = project.strategies[-1].name
    hourly_detail(project, last, 0, result.context)  # simulated again
    hourly_detail(project, last, project.finance.horizon_years - 1, result=result)  # kept hours
    seeks = [goal_seek(project, s) for s in project.strategies]
    _finite_json(strategy_summaries(result, seeks))
    from core.io.xlsx.export import export_workbook

    by_name = {s.name: g for s, g in zip(project.strategies, seeks, strict=True)}
    export_workbook(project, export_dir / "fuzz.xlsx", result=result, seeks=by_name)
    return "loaded"


def run(
    cases: range | list[int],
    seed: int = 0,
    example_every: int = 4,
    progress: bool = False,
) -> tuple[Counter, list[str]]:
    """Run the mutants numbered ``cases``; every ``example_every``-th mutates the example (the
    rest the small projects). Returns outcome counts and failures (case, base, traceback)."""
    small = _small_bases()
    example = _example_base() if example_every else None
    counts: Counter = Counter()
    failures: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="minepivot-fuzz-") as folder:
        for done, i in enumerate(cases, 1):
            rng = random.Random(f"{seed}:{i}")
            if example is not None and i % example_every == example_every - 1:
                base, data = "example", example
            else:
                base = sorted(small)[i % len(small)]
                data = small[base]
            raw = to_text(mutate(data, rng), rng)
            try:
                counts[check_case(raw, Path(folder))] += 1
            except Exception:
                counts["failed"] += 1
                failures.append(f"case {i} ({base}, seed {seed}):\n{traceback.format_exc()}")
            if progress and done % 500 == 0:
                rate = done / (time.perf_counter() - started)
                print(f"{done:,} cases, {dict(counts)}, {rate:.0f}/s", file=sys.stderr)
    return counts, failures


def _run_share(args: tuple[int, int, int, int, int, bool]) -> tuple[Counter, list[str]]:
    cases, seed, worker, workers, example_every, progress = args
    # Whole runs of ``example_every`` cases per worker, so each gets its share of the example.
    mine = [i for i in range(cases) if (i // max(example_every, 1)) % workers == worker]
    return run(mine, seed, example_every, progress and worker == 0)


def run_parallel(
    cases: int, seed: int = 0, example_every: int = 4, workers: int = 2, progress: bool = False
) -> tuple[Counter, list[str]]:
    """``run`` over ``workers`` processes (the machines have two cores)."""
    if workers <= 1:
        return run(range(cases), seed, example_every, progress)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    spawn = multiprocessing.get_context("spawn")  # no inherited Qt state from a test process
    shares = [(cases, seed, w, workers, example_every, progress) for w in range(workers)]
    counts: Counter = Counter()
    failures: list[str] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=spawn) as pool:
        for c, f in pool.map(_run_share, shares):
            counts += c
            failures += f
    return counts, failures


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", type=int, default=50_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--example-every", type=int, default=4, metavar="N")
    p.add_argument("--workers", type=int, default=2)
    a = p.parse_args()
    counts, failures = run_parallel(a.cases, a.seed, a.example_every, a.workers, progress=True)
    for f in failures[:20]:
        print(f, file=sys.stderr)
    print(f"{a.cases:,} cases: {dict(counts)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
