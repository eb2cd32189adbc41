"""The continuing value in the workbook: a formula of the discount rate, the terminal growth
and the leases' renewal inputs, recalculated by LibreOffice as the app computes it."""

import numpy as np
import openpyxl
import pytest

from core.engine.evaluation import evaluate
from core.io.example import example_project
from core.io.xlsx.export import export_workbook
from tests.core.io.test_xlsx import fcf_row, kpi_table, needs_soffice, recalculate


def _continuing(growth: float):
    # Convert to AI's lease runs 150 months from go-live (beyond the 10-year horizon) and
    # renews at 40 %; Hybrid's runs on; Keep mining retires, so it has nothing to continue.
    project = example_project()
    strategies = list(project.strategies)
    s = strategies[1]
    lease = {"lease_term_months": 150, "renewal_probability_pct": 40.0}
    blocks = [b.model_copy(update=lease) if b.kind == "ai" else b for b in s.blocks]
    strategies[1] = s.model_copy(update={"blocks": blocks})
    fin = project.finance.model_copy(
        update={"terminal_value": "continuing", "terminal_growth_pct_per_year": growth}
    )
    return project.model_copy(update={"strategies": strategies, "finance": fin})


def _set_input(path, label: str, value: float, out):
    wb = openpyxl.load_workbook(path)
    ws = wb["Inputs"]
    (row,) = [r for r in ws.iter_rows() if r[0].value == label]
    row[1].value = value
    wb.save(out)
    return out


@needs_soffice
def test_continuing_value_recalculates_and_follows_the_growth_input(tmp_path):
    project = _continuing(2.0)
    path = tmp_path / "continuing.xlsx"
    export_workbook(project, path)
    result = evaluate(project)
    assert result.strategies[1].kpis.terminal_value_pv_usd > 0
    assert result.strategies[2].kpis.terminal_value_pv_usd > 0
    # Growth typed as 3 % on the Inputs sheet: the recalculated workbook gives the app's
    # figures for a 3 % growth.
    edited = _set_input(path, "Terminal growth", 0.03, tmp_path / "edited.xlsx")
    at_3 = evaluate(_continuing(3.0))
    assert at_3.strategies[1].kpis.npv_usd > result.strategies[1].kpis.npv_usd
    recalculated = tmp_path / "recalculated"
    recalculated.mkdir()
    for source, expected in ((path, result), (edited, at_3)):
        wb = openpyxl.load_workbook(recalculate(source, recalculated), data_only=True)
        for s in expected.strategies:
            np.testing.assert_allclose(fcf_row(wb[s.name]), s.fcf, rtol=1e-9, atol=1e-3)
            assert kpi_table(wb)["NPV"][s.name] == pytest.approx(s.kpis.npv_usd, rel=1e-9)
