"""Project files: validation messages with paths, every problem at once, atomic saves, fuzzing."""

import copy
import json
import os
import stat

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.engine.evaluation import evaluate
from core.io.example import example_project
from core.io.projectfile import (
    ProjectFileError,
    load_project,
    project_from_data,
    project_to_json,
    save_project,
)
from core.model.project import SCHEMA_VERSION
from core.resources import example_project_path


def example_data() -> dict:
    return json.loads(project_to_json(example_project()))


def problems_of(data) -> list[str]:
    with pytest.raises(ProjectFileError) as info:
        project_from_data(data)
    return info.value.problems


def test_round_trip_through_a_file(tmp_path):
    path = tmp_path / "p.minepivot"
    save_project(example_project(), path)
    assert load_project(path) == example_project()


def test_bundled_example_is_the_generated_example():
    assert load_project(example_project_path()) == example_project()


def test_negative_count_names_its_path():
    data = example_data()
    data["strategies"][1]["blocks"][0]["asic_count"] = -3
    assert problems_of(data) == ["strategies[1].blocks[0].asic_count: must be ≥ 0, got -3"]


def test_every_problem_is_reported_at_once():
    data = example_data()
    data["strategies"][0]["blocks"][0]["pue"] = 0.5
    data["site"]["interconnect_mw"] = "lots"
    data["finance"]["horizon_years"] = 31
    del data["market"]["difficulty"]
    data["site"]["energy"]["price_source"]["matrix_usd_per_mwh"][3][5] = None
    assert sorted(problems_of(data)) == sorted(
        [
            "strategies[0].blocks[0].pue: must be ≥ 1, got 0.5",
            'site.interconnect_mw: must be a number, got "lots"',
            "finance.horizon_years: must be ≤ 30, got 31",
            "market.difficulty: is required",
            "site.energy.price_source.matrix_usd_per_mwh[3][5]: must be a number, got null",
        ]
    )


def test_unknown_keys_are_rejected():
    data = example_data()
    data["site"]["colour"] = "blue"
    data["strategies"][2]["blocks"][2]["warp_drive"] = True
    assert sorted(problems_of(data)) == [
        "site.colour: unknown key (not part of the MinePivot format)",
        "strategies[2].blocks[2].warp_drive: unknown key (not part of the MinePivot format)",
    ]


def test_newer_schema_is_refused_with_a_clear_message():
    data = example_data()
    data["schema_version"] = SCHEMA_VERSION + 1
    (msg,) = problems_of(data)
    assert "newer MinePivot" in msg and f"schema {SCHEMA_VERSION + 1}" in msg


def test_wrong_kind_and_bad_references():
    data = example_data()
    data["strategies"][0]["blocks"][0]["kind"] = "fusion"
    data["strategies"][1]["fallback_strategy"] = "Nope"
    data["strategies"][2]["blocks"][0]["asic_model"] = "s99"
    problems = problems_of(data)
    wrong_kind = 'kind must be one of "mining", "ai", "hosting", got "fusion"'
    assert f"strategies[0].blocks[0]: {wrong_kind}" in problems
    # Reference problems are listed in the same pass as the type problem.
    assert (
        'strategies[1].fallback_strategy: no strategy named "Nope" (have: Keep mining, '
        "Convert to AI, Hybrid, Sell the fleet now)" in problems
    )
    assert any(
        p.startswith('strategies[2].blocks[0].asic_model: unknown model "s99"') for p in problems
    )


def test_a_projects_own_model_ids_are_used_once():
    data = example_data()
    model = {"id": "s21_site", "name": "S21 at site", "hashrate_ths": 200, "power_w": 3400}
    data["custom_asics"] = [model, dict(model, name="Another")]
    problems = problems_of(data)
    assert 'custom_asics[1].id: "s21_site" is already used by custom_asics[0]' in problems


def test_an_identical_copy_of_a_strategy_is_a_duplicate():
    data = example_data()
    data["strategies"].append(copy.deepcopy(data["strategies"][0]))
    assert problems_of(data) == [
        'strategies[4].name: "Keep mining" is already used by strategies[0]'
    ]


def test_duplicate_names_and_timing():
    data = example_data()
    data["strategies"][2]["name"] = "Keep mining"
    data["strategies"][0]["blocks"][0]["end_month"] = 0
    data["strategies"][1]["blocks"][1]["start_month"] = 200
    problems = problems_of(data)
    assert 'strategies[2].name: "Keep mining" is already used by strategies[0]' in problems
    assert "strategies[0].blocks[0].end_month: must be ≥ 1, got 0" in problems
    data["strategies"][0]["blocks"][0]["end_month"] = 1
    data["strategies"][0]["blocks"][0]["start_month"] = 5
    problems = problems_of(data)
    assert "strategies[0].blocks[0].end_month: must be after start_month (5), got 1" in problems
    assert (
        "strategies[1].blocks[1].start_month: must be before the horizon ends (month 120), got 200"
    ) in problems


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            '{"schema_version": 1, "market": {"btc_price_usd": NaN}}',
            "market.btc_price_usd: must be a finite number, got NaN",
        ),
        ("{not json", "not valid JSON at line 1, column 2"),
        ("[1, 2]", "must be a JSON object, got list"),
        ('{"name": "no version"}', "schema_version: must be a whole number, got None"),
    ],
)
def test_malformed_files(tmp_path, text, expected):
    path = tmp_path / "bad.minepivot"
    path.write_text(text)
    with pytest.raises(ProjectFileError) as info:
        load_project(path)
    assert expected in str(info.value)


def test_non_finite_number_in_a_field():
    data = example_data()
    data["market"]["btc_price_usd"] = float("inf")
    assert problems_of(data) == ["market.btc_price_usd: must be a finite number, got Infinity"]


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(ProjectFileError, match="cannot be read"):
        load_project(tmp_path / "absent.minepivot")
    (tmp_path / "bin.minepivot").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ProjectFileError, match="not UTF-8"):
        load_project(tmp_path / "bin.minepivot")


def test_save_is_atomic_and_keeps_the_old_file_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "p.minepivot"
    path.write_text("previous contents")
    os.chmod(path, 0o640)

    def boom(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError):
        save_project(example_project(), path)
    assert path.read_text() == "previous contents"
    assert [p.name for p in tmp_path.iterdir()] == ["p.minepivot"]  # no temporary left behind
    monkeypatch.undo()
    save_project(example_project(), path)
    assert load_project(path) == example_project()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # permissions kept


# ----------------------------------------------------------------------------- fuzzing
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list) and len(node) < 30:
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


BASE = example_data()
ALL_PATHS = [p for p in _paths(BASE) if p]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sampled_from(ALL_PATHS), json_values, st.booleans()), min_size=1, max_size=4
    )
)
def test_fuzzed_files_never_crash_the_loader_or_the_engine(edits):
    data = copy.deepcopy(BASE)
    for path, value, delete in edits:
        node = data
        try:
            for part in path[:-1]:
                node = node[part]
            if delete and isinstance(node, dict):
                node.pop(path[-1], None)
            else:
                node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    try:
        project = project_from_data(data)
    except ProjectFileError as exc:
        assert exc.problems and all(isinstance(p, str) and ": " in p for p in exc.problems)
        return
    result = evaluate(project)  # a file that loads must also compute
    assert len(result.strategies) == len(project.strategies)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_random_bytes_never_crash_the_loader(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("fuzz") / "f.minepivot"
    path.write_bytes(raw)
    with pytest.raises(ProjectFileError):
        load_project(path)
