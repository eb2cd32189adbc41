"""Print the KPIs of the example and of a project full of tied prices, and what ``minepivot run
--json`` prints for them and for a DSCR-financed example, as JSON, for the SIMD test.

Run in a subprocess under a given ``NPY_DISABLE_CPU_FEATURES`` (tests/core/test_determinism.py):
``python -m tests.core.engine.simd_probe``.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path

import numpy as np

from core.engine.evaluation import evaluate
from core.io.example import example_project
from core.io.projectfile import save_project
from core.model.project import AiBlock, Financing, Strategy
from core.risk.montecarlo import run_monte_carlo
from tests.core.helpers import miner, tiny_project


def tied_project():
    """A flat $40 price (every hour ties), DR calls, 4CP avoidance, growing difficulty: every
    hour choice is among equal prices, and a marginal miner curtails only for DR and 4CP."""
    fleet = miner(asic_count=2_000, derate_pct_per_year=3.0)
    old = miner(asic_model="s19j_pro", asic_count=1_000, name="Old fleet")
    ai = AiBlock(it_mw=2.0, colo_usd_per_kw_month=120.0, pue=1.3, start_month=6)
    return tiny_project(
        [],
        price=40.0,
        energy={"fourcp_usd_per_kw_year": 60.0, "fourcp_avoidance": True},
        dr={"enrolled_mw": 3.0, "capacity_usd_per_mw_month": 5_000.0, "event_hours_per_year": 50},
        market={"difficulty_growth_pct_per_month": 2.0},
        finance={"horizon_years": 3, "discount_rate_pct_per_year": 10.0, "tax_rate_pct": 21.0},
        strategies=[
            Strategy(name="Mine", blocks=[fleet, old]),
            Strategy(name="Hybrid", blocks=[fleet.model_copy(update={"end_month": 20}), ai]),
        ],
    ).model_copy(update={"risk": tiny_project([]).risk.model_copy(update={"paths": 2_000})})


def kpis(project) -> dict:
    r = evaluate(project)
    out = {}
    for s in r.strategies:
        k = s.kpis
        out[s.name] = {
            "npv_usd": k.npv_usd,
            "irr": k.irr,
            "payback_months": k.payback_months,
            "curtailed_mwh": float(np.sum(s.monthly["curtailed_mwh"])),
            "fourcp_charge_usd": float(np.sum(s.monthly["fourcp_charge_usd"])),
        }
    mc = run_monte_carlo(project, n_paths=2_000, seed=7)
    for row in mc.summary():
        out[row["strategy"]] |= {
            f"mc_{key}": row[key] for key in ("p10_npv_usd", "p50_npv_usd", "p90_npv_usd")
        }
    return out


def financed_example():
    """The example with Convert to AI on a DSCR-sized, sculpted loan (the debt's powers and
    present values)."""
    p = example_project()
    loan = Financing(ltc_pct=70.0, rate_pct_per_year=9.0, sizing="dscr", repayment="sculpted")
    strategies = list(p.strategies)
    strategies[1] = strategies[1].model_copy(update={"financing": loan})
    return p.model_copy(update={"strategies": strategies})


def run_json(projects: dict) -> dict[str, str]:
    """What ``minepivot run PROJECT --json`` prints for each project, as text."""
    from gui.main import main as cli_main

    out = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, project in projects.items():
            path = Path(folder) / f"{name}.minepivot"
            save_project(project, path)
            text = io.StringIO()
            with contextlib.redirect_stdout(text):
                assert cli_main(["run", str(path), "--json"]) == 0
            out[name] = text.getvalue()
    return out


def main() -> None:
    from numpy._core._multiarray_umath import __cpu_features__

    enabled = sorted(k for k, v in __cpu_features__.items() if v)
    example, tied = example_project(), tied_project()
    print(
        json.dumps(
            {
                "features": enabled,
                "example": kpis(example),
                "tied": kpis(tied),
                "run_json": run_json(
                    {"example": example, "tied": tied, "financed": financed_example()}
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
