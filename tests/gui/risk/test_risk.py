"""The Risk tab as a user drives it: open, edit, cancel, export; the settings panel."""

import openpyxl
import pytest
from PySide6.QtCore import Qt

from core.model.format import money
from gui.mainwindow import MainWindow
from tests.gui.conftest import type_into


def quick(window: MainWindow, paths: int = 400) -> None:
    """Fewer paths so each run takes a fraction of a second."""
    project = window.doc.project
    risk = project.risk.model_copy(update={"paths": paths, "split_paths": 200, "split_steps": 5})
    window.doc.apply(project.model_copy(update={"risk": risk}), "fewer paths")


def wait_current(qtbot, window: MainWindow) -> None:
    view = window.risk_view
    qtbot.waitUntil(lambda: view.is_current() and not view.runner.running, timeout=60_000)


def test_opening_the_tab_runs_and_fills_charts_and_table(qtbot, window):
    quick(window)
    view = window.risk_view
    assert view.bundle is None  # nothing runs before the tab is opened
    window.views.setCurrentWidget(view)
    wait_current(qtbot, window)
    names = [s.name for s in window.doc.project.strategies]
    assert [view.table.item(r, 0).text() for r in range(view.table.rowCount())] == names
    chart = view.tornado_chart
    assert [chart.choice.itemText(i) for i in range(chart.choice.count())] == names
    assert chart.rows and chart.low.opts["width"].size == len(chart.rows)
    assert view.fan.p50.yData.size == 120
    assert view.split.npv.yData.size == 5
    assert "400 paths" in view.status.text()
    # The P50 cell shows the Monte Carlo median of that strategy.
    p50 = view.bundle.monte_carlo.by_name(names[0]).percentile(50)
    assert view.table.item(0, 2).text() == money(p50)


def test_edits_rerun_and_the_latest_input_wins(qtbot, window):
    quick(window)
    window.views.setCurrentWidget(window.risk_view)
    wait_current(qtbot, window)
    field = window.market_panel.fields["market.btc_price_usd"]
    for text in ("80,000", "85,000", "120,000"):  # typed quickly: only the last one counts
        type_into(field, text)
    wait_current(qtbot, window)
    bundle = window.risk_view.bundle
    assert bundle.project.market.btc_price_usd == 120_000
    assert bundle.project == window.doc.project


def test_a_long_run_shows_progress_and_can_be_cancelled(qtbot, window):
    quick(window, paths=60_000)  # a few seconds on this machine
    view = window.risk_view
    window.views.setCurrentWidget(view)
    qtbot.waitUntil(view.progress.isVisible, timeout=10_000)
    assert view.cancel_button.isVisible()
    qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    assert not view.progress.isVisible()
    assert "Cancelled" in view.status.text()
    view.runner.wait()
    qtbot.wait(50)
    assert view.bundle is None  # the cancelled run's results never arrive


def test_risk_settings_panel_edits_and_undo(qtbot, window):
    panel = window.risk_panel
    type_into(panel.fields["risk.btc_volatility_pct_per_year"], "75")
    assert window.doc.project.risk.btc_volatility_pct_per_year == 75
    type_into(panel.fields["risk.paths"], "50")  # below the minimum: refused, field marked
    assert window.doc.project.risk.paths == 10_000
    paths = panel.fields["risk.paths"]
    assert paths.has_error and "must be ≥ 100, got 50" in paths.error_label.text()
    keys = [t.input for t in window.doc.project.risk.tornado]
    panel.remove_input("fees")
    assert "fees" not in [t.input for t in window.doc.project.risk.tornado]
    qtbot.waitUntil(lambda: "fees" not in panel._keys)
    panel.add_input("tax_rate")
    assert [t.input for t in window.doc.project.risk.tornado][-1] == "tax_rate"
    window.doc.undo_stack.undo()
    window.doc.undo_stack.undo()
    assert [t.input for t in window.doc.project.risk.tornado] == keys


def test_export_includes_the_risk_sheet_only_when_current(qtbot, window, tmp_path):
    quick(window)
    path = tmp_path / "board.xlsx"
    assert window.export_xlsx(path)
    assert "Risk" not in openpyxl.load_workbook(path).sheetnames  # never run: no sheet
    window.views.setCurrentWidget(window.risk_view)
    wait_current(qtbot, window)
    assert window.export_xlsx(path)
    wb = openpyxl.load_workbook(path)
    assert "Risk" in wb.sheetnames
    values = [c.value for row in wb["Risk"].iter_rows() for c in row if c.value is not None]
    p10 = window.risk_view.bundle.monte_carlo.summary()[0]["p10_npv_usd"]
    assert any(isinstance(v, float) and v == pytest.approx(p10) for v in values)
    window.risk_view.live.setChecked(False)
    type_into(window.market_panel.fields["market.btc_price_usd"], "70,000")
    window.doc.flush()
    assert window.export_xlsx(path)  # stale results stay out of the workbook
    assert "Risk" not in openpyxl.load_workbook(path).sheetnames


def test_tornado_shows_one_strategy_with_both_sides_marked(qtbot, window):
    quick(window)
    window.views.setCurrentWidget(window.risk_view)
    wait_current(qtbot, window)
    chart = window.risk_view.tornado_chart
    t = window.risk_view.bundle.tornado
    chart.choice.setCurrentText("Hybrid")
    base = t.base_npv_usd["Hybrid"]
    widest = max(t.bars, key=lambda b: abs(b.npv_high_usd["Hybrid"] - b.npv_low_usd["Hybrid"]))
    top, lo, hi = chart.rows[0]
    assert top is widest
    assert lo == (widest.npv_low_usd["Hybrid"] - base) / 1e6
    assert hi == (widest.npv_high_usd["Hybrid"] - base) / 1e6
    # The low side and the high side are two bars in their own colours, both in the legend.
    labels = [label.text for _, label in chart.legend.items]
    assert labels == ["input low", "input high"]
    assert chart.low.opts["width"][0] == abs(lo) and chart.high.opts["width"][0] == abs(hi)
    assert "Hybrid" in chart.plot.getAxis("bottom").labelText
