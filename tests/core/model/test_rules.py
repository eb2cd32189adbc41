"""The whole-project rules (core.model.rules) and the model's validation (core.model.validate):
each rule refuses what it should with a message naming the path, the value and what is
allowed, accepts the case just inside it, and reports together with field problems."""

from __future__ import annotations

import json
from typing import Any

import pytest

from core.model.project import AiBlock, Strategy
from core.model.rules import project_problems
from core.model.validate import InvalidProject, validate_project
from tests.core.helpers import miner, tiny_project


def _data(**changes: Any) -> dict:
    """A valid one-year project (two strategies, a fleet and a GPU-cloud block) as JSON data."""
    gpu = AiBlock(name="Cloud", business_model="gpu_cloud", server_count=10, gpu_hour_usd=2.0)
    project = tiny_project(
        [],
        strategies=[
            Strategy(name="Mine", blocks=[miner(start_month=2)]),
            Strategy(name="Convert", blocks=[gpu], contract_probability_pct=50.0),
        ],
    )
    data = json.loads(project.model_dump_json())
    for path, value in changes.items():
        node = data
        *parents, last = path.split(".")
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value
    return data


def test_the_base_project_breaks_no_rule():
    assert project_problems(_data()) == []
    assert validate_project(_data()).strategies[1].name == "Convert"


def test_strategy_names_are_unique():
    assert project_problems(_data(**{"strategies.1.name": "Mine"})) == [
        'strategies[1].name: "Mine" is already used by strategies[0]'
    ]


def test_a_fallback_names_another_strategy():
    missing = project_problems(_data(**{"strategies.1.fallback_strategy": "Hold"}))
    assert missing == [
        'strategies[1].fallback_strategy: no strategy named "Hold" (have: Mine, Convert)'
    ]
    itself = project_problems(_data(**{"strategies.1.fallback_strategy": "Convert"}))
    assert itself == ["strategies[1].fallback_strategy: a strategy cannot fall back to itself"]
    assert project_problems(_data(**{"strategies.1.fallback_strategy": "Mine"})) == []


def test_the_baseline_names_a_strategy():
    assert project_problems(_data(baseline_strategy="Hold")) == [
        'baseline_strategy: no strategy named "Hold" (have: Mine, Convert)'
    ]


def test_a_block_starts_before_the_horizon_ends():
    # One year: months 0..11. Month 11 is the last a block may start in.
    assert project_problems(_data(**{"strategies.0.blocks.0.start_month": 11})) == []
    assert project_problems(_data(**{"strategies.0.blocks.0.start_month": 12})) == [
        "strategies[0].blocks[0].start_month: must be before the horizon ends (month 12), got 12"
    ]


def test_a_fleet_ends_after_it_starts_and_retires_no_earlier():
    # The fleet starts in month 2: an end in month 2 is no run at all; month 3 is one month.
    assert project_problems(_data(**{"strategies.0.blocks.0.end_month": 3})) == []
    assert project_problems(_data(**{"strategies.0.blocks.0.end_month": 2})) == [
        "strategies[0].blocks[0].end_month: must be after start_month (2), got 2"
    ]
    assert project_problems(_data(**{"strategies.0.blocks.0.retire": 1})) == [
        "strategies[0].blocks[0].retire: a fleet cannot retire before it starts "
        "(start_month 2), got 1"
    ]
    assert project_problems(_data(**{"strategies.0.blocks.0.retire": 2})) == []


def test_a_block_runs_on_a_known_model():
    asic = project_problems(_data(**{"strategies.0.blocks.0.asic_model": "s99"}))
    assert len(asic) == 1 and asic[0].startswith(
        'strategies[0].blocks[0].asic_model: unknown model "s99" (known: '
    )
    gpu = project_problems(_data(**{"strategies.1.blocks.0.gpu_server_model": "dgx_x"}))
    assert len(gpu) == 1 and 'unknown model "dgx_x"' in gpu[0]


def test_a_project_model_id_is_used_once():
    own = {
        "id": "mine",
        "name": "Mine",
        "hashrate_ths": 100.0,
        "power_w": 3000.0,
        "price_usd": 1000.0,
        "spec_source": "test",
        "price_source": "test",
        "as_of": "2026-01-01",
    }
    problems = project_problems(_data(custom_asics=[own, own]))
    assert problems == ['custom_asics[1].id: "mine" is already used by custom_asics[0]']


def test_a_continuing_value_grows_slower_than_the_discount_rate():
    base = {"finance.terminal_value": "continuing", "finance.discount_rate_pct_per_year": 10.0}
    assert project_problems(_data(**base, **{"finance.terminal_growth_pct_per_year": 9.9})) == []
    assert project_problems(_data(**base, **{"finance.terminal_growth_pct_per_year": 10})) == [
        "finance.terminal_growth_pct_per_year: must be below the discount rate (10 %/year) "
        "for a continuing value, got 10"
    ]


def test_a_fixed_block_contract_needs_megawatts():
    data = _data(**{"site.energy.contract": "fixed_block", "site.energy.fixed_block_mw": 0.0})
    assert project_problems(data) == [
        "site.energy.fixed_block_mw: must be > 0 for a fixed-price block contract, got 0"
    ]


def test_an_hourly_series_has_each_years_hours():
    # 2028 is a leap year: 8,784 hours; 2027 has 8,760.
    series = {"kind": "hourly", "first_year": 2027, "years_usd_per_mwh": [[30.0] * 8760] * 2}
    problems = project_problems(_data(**{"site.energy.price_source": series}))
    assert problems == [
        "site.energy.price_source.years_usd_per_mwh[1]: year 2028 needs 8784 hours, got 8760"
    ]


def test_plans_lay_out_site_hangars_once_per_strategy():
    hangar = {"name": "A", "length_m": 50.0, "width_m": 20.0}
    plan = {"hangar": "A", "items": []}
    ok = _data(**{"site.hangars": [hangar], "strategies.0.plans": [plan]})
    assert project_problems(ok) == []
    twice = _data(**{"site.hangars": [hangar], "strategies.0.plans": [plan, plan]})
    assert project_problems(twice) == [
        'strategies[0].plans[1].hangar: "A" already has a plan in this strategy'
    ]
    unknown = _data(**{"strategies.0.plans": [{"hangar": "B", "items": []}]})
    assert project_problems(unknown) == [
        'strategies[0].plans[0].hangar: no site hangar named "B" (have: none)'
    ]
    dup = _data(**{"site.hangars": [hangar, hangar]})
    assert project_problems(dup) == ['site.hangars[1].name: "A" is already used']


def test_field_and_whole_project_problems_are_reported_together():
    data = _data(**{"strategies.0.blocks.0.asic_count": -3, "strategies.1.name": "Mine"})
    with pytest.raises(InvalidProject) as caught:
        validate_project(data)
    assert caught.value.problems == [
        "strategies[0].blocks[0].asic_count: must be ≥ 0, got -3",
        'strategies[1].name: "Mine" is already used by strategies[0]',
    ]


def test_a_value_of_the_wrong_type_is_left_to_its_field_check():
    # The rule reads "start_month" defensively: text there is the field check's to report.
    data = _data(**{"strategies.0.blocks.0.start_month": "soon"})
    assert project_problems(data) == []
    with pytest.raises(InvalidProject) as caught:
        validate_project(data)
    assert caught.value.problems == [
        'strategies[0].blocks[0].start_month: must be a whole number, got "soon"'
    ]
