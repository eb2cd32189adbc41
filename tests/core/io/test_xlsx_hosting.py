"""A hosting contract in the workbook: its fees and recharged power are rows of the revenue
total, its O&M and build-out are formulas, and LibreOffice recalculates the app's figures."""

import numpy as np
import openpyxl
import pytest

from core.engine.cashflow import evaluate
from core.io.example import example_project
from core.io.xlsx.export import export_workbook
from core.model.project import HostingBlock
from tests.core.io.test_xlsx import fcf_row, kpi_table, needs_soffice, recalculate


@needs_soffice
def test_hosting_recalculates_as_the_app(tmp_path):
    # Keep mining hosts 4,000 client S21s cost-plus with a 10 % profit share, $0.3 M/MW of
    # build-out and O&M; Hybrid hosts 2,000 at $0.08/kWh, firm.
    project = example_project()
    strategies = list(project.strategies)
    hosted = {
        0: HostingBlock(
            name="Client A",
            asic_model="s21",
            asic_count=4000,
            pricing="cost_plus",
            margin_usd_per_kwh=0.015,
            profit_share_pct=10.0,
            infrastructure_usd_per_mw=300_000.0,
            om_usd_per_mw_month=2_000.0,
        ),
        2: HostingBlock(name="Client B", asic_model="s21", asic_count=2000, curtailable=False),
    }
    for k, block in hosted.items():
        s = strategies[k]
        strategies[k] = s.model_copy(update={"blocks": [*s.blocks, block]})
    project = project.model_copy(update={"strategies": strategies})
    path = tmp_path / "hosting.xlsx"
    export_workbook(project, path)
    result = evaluate(project)
    assert result.strategies[0].monthly["revenue_hosting_usd"].sum() > 0
    wb = openpyxl.load_workbook(recalculate(path, tmp_path), data_only=True)
    labels = [r[0] for r in wb["Keep mining"].iter_rows(values_only=True)]
    assert "Hosting revenue (third-party miners)" in labels
    for s in result.strategies:
        np.testing.assert_allclose(fcf_row(wb[s.name]), s.fcf, rtol=1e-9, atol=1e-3)
        assert kpi_table(wb)["NPV"][s.name] == pytest.approx(s.kpis.npv_usd, rel=1e-9)
