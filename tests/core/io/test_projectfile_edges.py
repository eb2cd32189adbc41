"""Project files that pass validation must compute: dates, bounds, types, repeated keys, sizes."""

import json

import pytest

from core.io.example import example_project
from core.io.projectfile import ProjectFileError, parse_project_bytes, project_to_json
from tests.core.helpers import miner, tiny_project


def example_data() -> dict:
    return json.loads(project_to_json(example_project()))


def problems_of(data, text: str | None = None) -> list[str]:
    raw = (text if text is not None else json.dumps(data, ensure_ascii=False)).encode()
    with pytest.raises(ProjectFileError) as info:
        parse_project_bytes(raw, "t")
    return info.value.problems


DATE_FIELDS = [("market", "as_of"), ("market", "next_halving_date")]


@pytest.mark.parametrize(
    "value, why",
    [
        ("2026-02-31", "must be a real calendar date"),
        ("2027-02-29", "must be a real calendar date"),
        ("0000-01-01", "year must be 2000 to 2150"),
        ("9999-12-31", "year must be 2000 to 2150"),
        ("２０２６-０１-１５", "must be a date as YYYY-MM-DD"),
        ("2026-01-15\n", "must be a date as YYYY-MM-DD"),
    ],
)
def test_dates_are_real_calendar_dates(value, why):
    for section, key in DATE_FIELDS:
        data = example_data()
        data[section][key] = value
        (problem,) = problems_of(data)
        assert problem.startswith(f"{section}.{key}: ") and why in problem, problem
    data = example_data()
    data["custom_asics"] = [
        {"id": "mine", "name": "Mine", "hashrate_ths": 100.0, "power_w": 3000.0, "as_of": value}
    ]
    (problem,) = problems_of(data)
    assert problem.startswith("custom_asics[0].as_of: ") and why in problem


@pytest.mark.parametrize(
    "value, why",
    [
        ("2026-13", "must be a real month (01 to 12), got '2026-13'"),
        ("0000-01", "year must be 2000 to 2150, got '0000-01'"),
        ("２０２６-０１", "must be a month as YYYY-MM, got '２０２６-０１'"),
        ("2026-01\n", "must be a month as YYYY-MM, got '2026-01\\n'"),
    ],
)
def test_months_are_real_months(value, why):
    data = example_data()
    data["finance"]["start_month"] = value
    assert problems_of(data) == [f"finance.start_month: {why}"]


@pytest.mark.parametrize(
    "path, value, expected",
    [
        (("site", "fixed_opex_usd_per_year"), 1e308, "must be ≤ 100000000000, got 1e+308"),
        (("market", "difficulty"), 5e-324, "must be ≥ 1, got 5e-324"),
        (("market", "btc_price_usd"), 1e-300, "must be ≥ 1, got 1e-300"),
        (
            ("finance", "depreciation_life_years", "asic"),
            0.01,
            "must be at least one month (1/12 year), got 0.01 years",
        ),
        (("strategies", 1, "blocks", 1, "retrofit_usd_per_mw"), 1e300, "must be ≤ 10000000000"),
        (("strategies", 0, "blocks", 0, "om_usd_per_mw_month"), 1e200, "must be ≤ 100000000"),
        (("site", "demand_response", "enrolled_mw"), 1e30, "must be ≤ 10000, got 1e+30"),
    ],
)
def test_values_that_would_overflow_the_engine_are_refused(path, value, expected):
    data = example_data()
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    (problem,) = problems_of(data)
    assert problem.startswith(f"{_path(path)}: ") and expected in problem, problem


def _path(parts) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


def test_custom_model_ids_of_the_wrong_type_are_named():
    data = example_data()
    data["custom_asics"] = [{"id": ["s21"], "name": "X", "hashrate_ths": 1.0, "power_w": 1.0}]
    data["custom_gpu_servers"] = [{"id": {"a": 1}, "name": "Y"}]
    problems = problems_of(data)
    assert 'custom_asics[0].id: must be text, got ["s21"]' in problems
    assert 'custom_gpu_servers[0].id: must be text, got {"a": 1}' in problems


def test_a_repeated_key_is_refused_at_its_path():
    text = json.dumps(example_data(), indent=1)
    text = text.replace('"btc_price_usd": ', '"btc_price_usd": 1, "btc_price_usd": ', 1)
    assert problems_of(None, text) == [
        'market.btc_price_usd: the key "btc_price_usd" is written more than once'
    ]


def test_non_finite_and_enormous_numbers_are_reported_at_their_field():
    text = json.dumps(example_data())
    text = text.replace('"horizon_years": 10', '"horizon_years": ' + "9" * 5000, 1)
    text = text.replace('"difficulty": ', '"difficulty": Infinity, "x_": ', 1)
    text = text.replace('"tax_rate_pct": ', '"tax_rate_pct": NaN, "y_": ', 1)
    problems = problems_of(None, text)
    assert (
        "finance.horizon_years: must be a number in the allowed range, got a number of "
        "5,000 digits" in problems
    )
    assert "market.difficulty: must be a finite number, got Infinity" in problems
    assert "finance.tax_rate_pct: must be a finite number, got NaN" in problems
    assert not any(p.startswith("(file)") for p in problems)


def test_a_hundred_thousand_strategies_are_refused_with_one_problem():
    data = json.loads(project_to_json(tiny_project([miner()])))
    data["strategies"] = [{"name": f"S{i % 7}", "blocks": []} for i in range(100_000)]
    # (How long it takes is the bench's figure load_100k_strategies_ms: 44 s before, when each
    # name was looked up in the list of all names.)
    with pytest.raises(ProjectFileError) as info:
        parse_project_bytes(json.dumps(data).encode(), "big")
    assert info.value.problems == ["strategies: must have at most 50 item(s), got 100000"]
