"""The contract's odds in the workbook: the weighted NPV runs the fallback until the signing
month, and the expected increment is its difference from the baseline's, as recalculated."""

import openpyxl
import pytest

from core.io.xlsx.export import export_workbook
from tests.core.engine.test_contract import _leases
from tests.core.io.test_xlsx import kpi_table, needs_soffice, recalculate


@needs_soffice
def test_the_weighted_npv_and_increment_recalculate_with_the_signing_month(tmp_path):
    # test_contract's leases: A signed in month 3 at 50 %, falling back to B (the baseline):
    # weighted 825,000 and an expected increment of 225,000, by hand there.
    path = tmp_path / "contract.xlsx"
    export_workbook(_leases(), path)
    wb = openpyxl.load_workbook(recalculate(path, tmp_path), data_only=True)
    kpis = kpi_table(wb)
    assert kpis["Probability-weighted NPV"]["A"] == pytest.approx(825_000, rel=1e-9)
    label = "NPV added over the baseline, probability-weighted"
    assert kpis[label]["A"] == pytest.approx(225_000, rel=1e-9)
    assert wb["Summary"]["B6"].value == "all pass"
    assert wb["Summary"]["B7"].value == "yes"
