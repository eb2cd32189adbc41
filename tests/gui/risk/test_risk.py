"""The Risk tab as a user drives it: open, edit, cancel, export; the settings panel."""

import numpy as np
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


def test_the_tornado_shows_every_input_scrolling_when_the_plot_is_short(qtbot):
    # Twelve inputs in a plot that holds a few rows: every input has its row, the scroll bar
    # moves through them, and the readout says how many are below.
    from core.risk.sensitivity import Tornado, TornadoBar
    from gui.risk.charts import TornadoChart

    bars = [
        TornadoBar(f"k{i}", f"Input {i}", -20, 20, {"S": -(12 - i) * 1e6}, {"S": (12 - i) * 1e6})
        for i in range(12)
    ]
    chart = TornadoChart()
    qtbot.addWidget(chart)
    chart.resize(500, 200)
    chart.show()
    qtbot.waitExposed(chart)
    chart.update_tornado(Tornado({"S": 0.0}, bars))
    qtbot.wait(20)
    assert len(chart.rows) == 12  # every input drawn
    assert chart._fits < 12 and not chart.rows_bar.isHidden()
    ticks = [label for _, label in chart.plot.getAxis("left")._tickLevels[0]]
    assert len(ticks) == 12 and ticks[0].startswith("Input 0")
    (y0, y1) = chart.plot.plotItem.vb.viewRange()[1]
    assert round(y1 - y0) == chart._fits  # the widest rows first
    assert f"{12 - chart._fits} more of 12 inputs below" in chart.readout.text()
    chart.rows_bar.setValue(chart.rows_bar.maximum())  # scrolled to the end
    (y0, _) = chart.plot.plotItem.vb.viewRange()[1]
    assert y0 == pytest.approx(-0.5) and chart.readout.text().strip() == ""
    chart.resize(500, 900)  # tall enough for all: no scroll bar
    qtbot.wait(50)
    assert chart._fits >= 12 and chart.rows_bar.isHidden()


def test_a_strategy_that_does_not_vary_is_a_line_not_a_spike(qtbot):
    # Sell-the-fleet-now's NPV is the same on every path: drawn as a marked line, it does not
    # set the share axis, which follows the strategies that vary.
    from core.model.project import Risk
    from core.risk.montecarlo import RiskResult, StrategyRisk
    from gui.risk.charts import HistogramChart

    rng = np.random.default_rng(1)
    fan = np.zeros((3, 12))
    varying = StrategyRisk("Keep mining", rng.normal(50e6, 20e6, 4000), fan, np.zeros(4000))
    fixed = StrategyRisk("Sell the fleet now", np.full(4000, 50.2e6), fan, np.zeros(4000))
    chart = HistogramChart()
    qtbot.addWidget(chart)
    chart.update_risk(RiskResult(Risk(), 4000, ["m"] * 12, [varying, fixed]))
    assert set(chart.fixed) == {"Sell the fleet now"}
    assert chart.fixed["Sell the fleet now"].value() == pytest.approx(50.2)
    _, top = chart.plot.plotItem.vb.viewRange()[1]
    assert top < 20  # a normal spread over 60 bins peaks near 3–4 %, not 100 %
    assert "Keep mining" not in chart.fixed
