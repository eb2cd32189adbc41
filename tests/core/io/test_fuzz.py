"""The project-file fuzz test: a few thousand seeded mutants of the example and of small varied
projects (wrong types, boundary and out-of-range values, impossible dates, junk structures,
repeated keys, enormous integers). Each either is refused with field-by-field problems or
loads, evaluates to finite numbers, reviews its plans, prints finite JSON and exports a
workbook. ``make fuzz`` runs the same for longer."""

from tests.core.io.fuzzing import run_parallel

CASES = 2_000


def test_fuzzed_project_files_are_refused_clearly_or_compute_finitely():
    counts, failures = run_parallel(CASES, seed=2026, example_every=12)
    assert not failures, f"{len(failures)} of {CASES} failed; first:\n{failures[0]}"
    # Both outcomes are exercised in strength: the mutants are not all trivially refused.
    assert counts["loaded"] > CASES // 10 and counts["refused"] > CASES // 3, counts
