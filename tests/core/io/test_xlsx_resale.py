"""Used miners' resale at the expected hashprice in the workbook: the index reads the months
after the horizon below the asset table, and LibreOffice's recalculation gives the app's."""

import numpy as np
import openpyxl
import pytest

from core.engine.evaluation import evaluate
from core.io.xlsx.export import export_workbook
from tests.core.engine.test_economics import _halving_fleet
from tests.core.io.test_xlsx import fcf_row, needs_soffice, recalculate


@needs_soffice
@pytest.mark.parametrize(
    ("retire", "halving", "years"), [("never", "2027-04-01", 1), (5, "2026-07-01", 2)]
)
def test_the_expected_hashprice_resale_recalculates_as_the_app(tmp_path, retire, halving, years):
    # test_economics' fleets: held to the end of one year with the halving three months after
    # it (salvage 4,000,000 × 24/36 × 2/3 in the last month), and sold in month 5, the month
    # before a halving (4,000,000 × 31/36 × 20.3125/28.125).
    project = _halving_fleet(retire, halving, years)
    path = tmp_path / "resale.xlsx"
    export_workbook(project, path)
    s = evaluate(project).strategies[0]
    month, want = (
        (11, 4e6 * 24 / 36 * 2 / 3) if retire == "never" else (5, 4e6 * 31 / 36 * 20.3125 / 28.125)
    )
    assert s.monthly["salvage_usd"][month] == pytest.approx(want, rel=1e-12)
    wb = openpyxl.load_workbook(recalculate(path, tmp_path), data_only=True)
    np.testing.assert_allclose(fcf_row(wb[s.name]), s.fcf, rtol=1e-9, atol=1e-3)
    assert wb["Summary"]["B6"].value == "all pass"
    assert wb["Summary"]["B7"].value == "yes"
