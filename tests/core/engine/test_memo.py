"""Kept results (market contexts, the miners' hours) never change a number: over 200 random
edits of the example, each evaluated with whatever earlier edits left kept, the results are
bit for bit those of a fresh evaluation with nothing kept."""

from __future__ import annotations

import json
import random

import numpy as np

from core.engine.evaluation import ProjectResult, evaluate
from core.engine.market.memo import fresh
from core.io.example import example_project
from core.io.projectfile import ProjectFileError, project_from_data, project_to_json
from core.model.paths import split_path
from core.model.project import Financing, HostingBlock

# Small sets of values, so that edits come back to earlier states (and find them kept).
EDITS: dict[str, list] = {
    "market.btc_price_usd": [80_000.0, 95_000.0, 120_000.0],
    "market.difficulty_growth_pct_per_month": [0.5, 1.5, 3.0],
    "market.fees_btc_per_block": [0.0, 0.025],
    "strategies[1].blocks[1].colo_usd_per_kw_month": [110.0, 140.0, 170.0],
    "strategies[1].blocks[1].lease_term_months": [None, 60],
    "strategies[2].blocks[2].it_mw": [20.0, 36.0],
    "strategies[0].blocks[0].asic_count": [20_000, 26_500],
    "strategies[0].blocks[0].retire": ["auto", "never", 40],
    "strategies[0].blocks[0].pool_fee_pct": [1.0, 2.5],
    "strategies[0].blocks[1].hosting_usd_per_kwh": [0.05, 0.07],
    "strategies[0].blocks[1].curtailable": [True, False],
    "strategies[2].blocks[1].end_month": [2, 3, 8],
    "site.demand_response.enrolled_mw": [0.0, 40.0, 80.0],
    "site.demand_response.events_on": ["highest_price", "highest_load"],
    "site.demand_response.capacity_usd_per_mw_month": [3000.0, 5000.0],
    "site.energy.tnd_adder_usd_per_mwh": [0.0, 4.0],
    "site.energy.demand_charge_usd_per_kw_month": [0.0, 2.0],
    "site.energy.fourcp_avoidance": [True, False],
    "site.energy.contract": ["index", "fixed_block"],
    "site.energy.fixed_block_mw": [0.0, 50.0],
    "finance.discount_rate_pct_per_year": [10.0, 12.0],
    "finance.terminal_value": ["book_value", "continuing"],
    "finance.depreciation_life_years.gpu": [4.0, 5.0],
    "strategies[1].financing": [None, json.loads(Financing().model_dump_json())],
}


def _start() -> dict:
    project = example_project()
    keep = project.strategies[0]
    rack = HostingBlock(name="Client", asic_model="s21", asic_count=2000, hosting_usd_per_kwh=0.06)
    strategies = [keep.model_copy(update={"blocks": [*keep.blocks, rack]}), *project.strategies[1:]]
    return json.loads(project_to_json(project.model_copy(update={"strategies": strategies})))


def _set(data: dict, path: str, value) -> dict:
    out = json.loads(json.dumps(data))
    node = out
    parts = split_path(path)
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value
    return out


def _same(a: ProjectResult, b: ProjectResult) -> None:
    assert [s.name for s in a.strategies] == [s.name for s in b.strategies]
    for x, y in zip(a.strategies, b.strategies, strict=True):
        assert x.monthly.keys() == y.monthly.keys()
        for key in x.monthly:
            np.testing.assert_array_equal(x.monthly[key], y.monthly[key], err_msg=key)
        assert repr(x.kpis) == repr(y.kpis)
        assert repr(x.incremental) == repr(y.incremental)
        assert x.warnings == y.warnings
        assert [(r.block_index, r.month) for r in x.retirements] == [
            (r.block_index, r.month) for r in y.retirements
        ]
        assert x.hourly is not None and y.hourly is not None
        for wx, wy in zip(x.hourly.window(0, 2000), y.hourly.window(0, 2000), strict=True):
            assert wx.keys() == wy.keys()
            for key in wx:
                np.testing.assert_array_equal(wx[key], wy[key], err_msg=key)


def test_kept_results_equal_fresh_ones_over_200_random_edits():
    rng = random.Random(29)
    data = _start()
    paths = sorted(EDITS)
    done = 0
    while done < 200:
        path = rng.choice(paths)
        candidate = _set(data, path, rng.choice(EDITS[path]))
        try:
            project = project_from_data(candidate)
        except ProjectFileError:
            continue  # an edit the file rules refuse (e.g. a fixed block with no MW)
        data = candidate
        kept = evaluate(project)  # with whatever the edits before left kept
        with fresh():
            anew = evaluate(project)
        _same(kept, anew)
        done += 1
