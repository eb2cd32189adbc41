"""Same numbers on every CPU: under each SIMD level numpy offers (and another BLAS kernel), in
subprocesses, ``minepivot run --json`` prints the same bits; a seeded Monte Carlo's
percentiles agree to 1e-6."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.engine.market.ranking import peak_hour, top_k_hours

ROOT = Path(__file__).resolve().parents[3]


def _dispatched() -> list[str]:
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    return [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]


def _levels() -> list[tuple[str, str]]:
    """(label, NPY_DISABLE_CPU_FEATURES) from the machine's best level down to the baseline:
    each step disables one more dispatched group, top first (e.g. AVX-512, then AVX2)."""
    found = _dispatched()
    levels = [("all", "")]
    for i in range(len(found) - 1, -1, -1):
        levels.append((f"without {found[i]}", " ".join(found[i:])))
    return levels


def _probe(disable: str, blas_core: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "NPY_DISABLE_CPU_FEATURES"}
    if disable:
        env["NPY_DISABLE_CPU_FEATURES"] = disable
    if blas_core:
        env["OPENBLAS_CORETYPE"] = blas_core
    out = subprocess.run(
        [sys.executable, "-m", "tests.core.engine.simd_probe"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(out.stdout)


def _close(a, b, rel: float) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= rel * max(abs(a), abs(b), 1.0)


def test_kpis_agree_across_simd_levels():
    # Before: with AVX-512 off, 67 of 1,440 discount factors (numpy's SIMD power) differed by
    # one bit, and six `run --json` values in the last place.
    levels = _levels()
    if len(levels) < 2:
        pytest.skip("numpy dispatches no SIMD level above the baseline on this CPU")
    runs = {label: _probe(disable) for label, disable in levels}
    ref_label, ref = levels[0][0], runs[levels[0][0]]
    # The subprocesses really ran at different levels.
    assert len({tuple(r["features"]) for r in runs.values()}) == len(levels)
    # A BLAS kernel for an older CPU (OpenBLAS's own choice follows the CPU too).
    runs["OpenBLAS Prescott kernels"] = _probe("", blas_core="Prescott")
    for label, run in runs.items():
        for project, text in ref["run_json"].items():
            assert run["run_json"][project] == text, f"{label}: run --json of {project} differs"
    bad = []
    for label, run in runs.items():
        for project in ("example", "tied"):
            for strategy, kpis in ref[project].items():
                for key, value in kpis.items():
                    got = run[project][strategy][key]
                    rel = 1e-6 if key.startswith("mc_") else 1e-9
                    if not _close(value, got, rel):
                        bad.append(f"{label}: {project}/{strategy}/{key} {got!r} vs {value!r}")
    assert not bad, f"differs from {ref_label}:\n" + "\n".join(bad)


# ----------------------------------------------------------------------------- the rule itself
def test_top_k_takes_the_earliest_among_ties():
    # Flat price: the first k hours. Two levels: the 3 dear hours, then the earliest cheap one.
    assert top_k_hours(np.full(10, 40.0), 4).tolist() == [0, 1, 2, 3]
    v = np.array([1.0, 5.0, 1.0, 5.0, 5.0, 1.0, 1.0])
    assert top_k_hours(v, 3).tolist() == [1, 3, 4]
    assert top_k_hours(v, 4).tolist() == [0, 1, 3, 4]
    assert top_k_hours(v, 2).tolist() == [1, 3]
    assert top_k_hours(v, 0).tolist() == []
    assert top_k_hours(v, 99).tolist() == list(range(7))
    assert peak_hour(v) == 1
    assert peak_hour(np.array([-3.0, -3.0])) == 0


def test_top_k_matches_a_stable_sort_on_random_ties():
    # Reference: a stable sort by descending value keeps time order among equal values.
    rng = np.random.default_rng(3)
    for _ in range(200):
        v = rng.integers(0, 6, size=int(rng.integers(1, 300))).astype(float)
        k = int(rng.integers(0, v.size + 2))
        ref = np.sort(np.argsort(-v, kind="stable")[:k])
        assert top_k_hours(v, k).tolist() == ref.tolist()
