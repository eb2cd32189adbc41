"""Financing in the workbook: the debt and equity rows are formulas of the financing inputs,
and LibreOffice's recalculation gives the app's equity cash flow, equity NPV and IRR and
minimum DSCR, for LTC and DSCR sizing, each repayment type, a sweep and the 30 % limit."""

import numpy as np
import openpyxl
import pytest

from core.engine.evaluation import evaluate
from core.io.example import example_project
from core.io.xlsx.export import export_workbook
from core.model.project import Financing
from tests.core.io.test_xlsx import fcf_row, kpi_table, needs_soffice, recalculate


def _row(ws, label: str) -> np.ndarray:
    for row in ws.iter_rows(values_only=True):
        if row[0] == label:
            return np.array(row[5:], dtype=float)
    raise AssertionError(f"no row {label!r}")


@needs_soffice
def test_financing_rows_recalculate_as_the_app(tmp_path):
    # Convert to AI: 60 % LTC, annuity over 10 years. Hybrid: DSCR-sized at 1.35×, sculpted,
    # with a 50 % sweep over 7 years. Keep mining: financed but nothing to borrow against.
    project = example_project()
    terms = {
        "Convert to AI": Financing(ltc_pct=60.0, rate_pct_per_year=8.0, tenor_months=120),
        "Hybrid": Financing(
            sizing="dscr",
            target_dscr=1.35,
            repayment="sculpted",
            cash_sweep_pct=50.0,
            tenor_months=84,
        ),
        "Keep mining": Financing(),
    }
    strategies = [s.model_copy(update={"financing": terms.get(s.name)}) for s in project.strategies]
    project = project.model_copy(update={"strategies": strategies})
    path = tmp_path / "financed.xlsx"
    export_workbook(project, path)
    result = evaluate(project)
    wb = openpyxl.load_workbook(recalculate(path, tmp_path), data_only=True)
    kpis = kpi_table(wb)
    for s in result.strategies:
        ws = wb[s.name]
        np.testing.assert_allclose(fcf_row(ws), s.fcf, rtol=1e-9, atol=1e-3)
        if s.name in ("Convert to AI", "Hybrid"):
            np.testing.assert_allclose(
                _row(ws, "Equity cash flow"), s.monthly["equity_fcf_usd"], rtol=1e-9, atol=1e-2
            )
            assert kpis["Minimum DSCR (over every repayment month)"][s.name] == pytest.approx(
                s.kpis.min_dscr, rel=1e-9
            )
        label = "Equity NPV (at the cost of equity; the NPV without debt)"
        assert kpis[label][s.name] == pytest.approx(s.kpis.equity_npv_usd, rel=1e-9)
        if s.kpis.equity_irr is not None:
            irr = kpis["Equity IRR (the IRR without debt)"][s.name]
            assert irr == pytest.approx(s.kpis.equity_irr, rel=1e-7)
    # The balance rolls forward and the equity identity holds, as recalculated.
    assert wb["Summary"]["B6"].value == "all pass"
    assert wb["Summary"]["B7"].value == "yes"


@needs_soffice
def test_the_loan_to_cost_typed_in_the_workbook_moves_the_equity_as_in_the_app(tmp_path):
    # Convert to AI at 60 % LTC exported; 75 % typed on the Inputs sheet and recalculated:
    # the equity NPV and IRR are the app's at 75 %.
    from tests.core.io.test_xlsx_terminal import _set_input

    def financed(ltc):
        project = example_project()
        fin = Financing(ltc_pct=ltc, rate_pct_per_year=8.0, tenor_months=120)
        strategies = [
            s.model_copy(update={"financing": fin}) if s.name == "Convert to AI" else s
            for s in project.strategies
        ]
        return project.model_copy(update={"strategies": strategies})

    path = tmp_path / "ltc.xlsx"
    export_workbook(financed(60.0), path)
    edited = _set_input(path, "Loan-to-cost", 0.75, tmp_path / "edited.xlsx")
    wb = openpyxl.load_workbook(recalculate(edited, tmp_path), data_only=True)
    want = evaluate(financed(75.0)).by_name("Convert to AI").kpis
    kpis = kpi_table(wb)
    got = kpis["Equity NPV (at the cost of equity; the NPV without debt)"]["Convert to AI"]
    assert got == pytest.approx(want.equity_npv_usd, rel=1e-9)
    assert kpis["Equity IRR (the IRR without debt)"]["Convert to AI"] == pytest.approx(
        want.equity_irr, rel=1e-7
    )
    # A legitimate edit: the identities still hold; only the export-time match says "no".
    assert wb["Summary"]["B6"].value == "all pass"
    assert wb["Summary"]["B7"].value == "no: inputs changed"


@needs_soffice
def test_a_tenor_cut_to_the_horizon_and_a_balloon_recalculate_as_the_app(tmp_path):
    # Convert to AI DSCR-sized at 1.35×, 9 %, annuity over 180 months with a 20 % balloon;
    # Hybrid at 60 % LTC, straight-line over 180 months with a 25 % balloon. Both tenors run
    # past the horizon and are cut to the months left; the balloons are owed at its end.
    project = example_project()
    terms = {
        "Convert to AI": Financing(
            sizing="dscr",
            target_dscr=1.35,
            rate_pct_per_year=9.0,
            tenor_months=180,
            balloon_pct=20.0,
        ),
        "Hybrid": Financing(repayment="straight_line", tenor_months=180, balloon_pct=25.0),
    }
    strategies = [s.model_copy(update={"financing": terms.get(s.name)}) for s in project.strategies]
    project = project.model_copy(update={"strategies": strategies})
    path = tmp_path / "balloon.xlsx"
    export_workbook(project, path)
    result = evaluate(project)
    wb = openpyxl.load_workbook(recalculate(path, tmp_path), data_only=True)
    kpis = kpi_table(wb)
    for name in terms:
        s = result.by_name(name)
        ws = wb[name]
        assert s.kpis.balloon_usd > 0
        np.testing.assert_allclose(
            _row(ws, "Equity cash flow"), s.monthly["equity_fcf_usd"], rtol=1e-9, atol=1e-2
        )
        assert kpis["Minimum DSCR (over every repayment month)"][name] == pytest.approx(
            s.kpis.min_dscr, rel=1e-9
        )
        owed = kpis["Debt owed at the horizon end (balloon, repaid then)"][name]
        assert owed == pytest.approx(s.kpis.balloon_usd, rel=1e-9)
    assert wb["Summary"]["B6"].value == "all pass"
    assert wb["Summary"]["B7"].value == "yes"
