"""The window fits a 1366×768 laptop screen and never grows because of what it shows."""

import subprocess
import sys

from PySide6.QtWidgets import QApplication


def test_every_tab_fits_1366_by_768(qtbot, window):
    window.resize(1366, 768)
    QApplication.processEvents()
    for widget in (window.views, window.inputs):
        for i in range(widget.count()):
            widget.setCurrentIndex(i)
            qtbot.wait(20)
            name = widget.tabText(i)
            assert window.width() <= 1366, f"the {name} tab widened the window to {window.width()}"
            assert window.height() <= 768, f"the {name} tab made the window {window.height()} tall"
    window.inputs.setCurrentIndex(0)
    qtbot.wait(20)
    grid = window.site_panel.price.grid  # the 12 months fit without scrolling sideways
    assert not grid.horizontalScrollBar().isVisible()
    plan = window.plan_editor
    window.views.setCurrentWidget(plan)
    item = next(iter(plan.scene.items()), None)
    if item is not None:  # selecting a plan item keeps the panels' widths
        before = plan.view.width()
        item.setSelected(True)
        qtbot.wait(20)
        assert plan.view.width() == before and window.width() <= 1366


def test_screenshot_takes_a_size_and_a_tab(tmp_path):
    out = tmp_path / "plan.png"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "gui.main",
            "--screenshot",
            str(out),
            "--size",
            "1366x768",
            "--tab",
            "Floor plan",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert run.returncode == 0, run.stderr
    from PySide6.QtGui import QImage

    assert QImage(str(out)).size().toTuple() == (1366, 768)
    bad = subprocess.run(
        [sys.executable, "-m", "gui.main", "--screenshot", str(out), "--tab", "Nowhere"],
        capture_output=True,
        text=True,
        timeout=180,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert bad.returncode == 2 and "no tab named 'Nowhere'" in bad.stderr
    assert "Floor plan" in bad.stderr


def test_a_long_chart_readout_does_not_widen_the_window(qtbot, window):
    window.resize(1366, 768)
    qtbot.wait(20)
    chart = window.dashboard.cumulative
    chart.readout.setText("Convert to AI (probability-weighted) 2031-07: −$123.4 M " * 6)
    chart.grab()  # painted: the text is cut with "…"
    qtbot.wait(20)
    assert window.width() <= 1366
    assert "2031-07" in chart.readout.toolTip()


def test_a_window_saved_larger_than_the_screen_opens_within_it(qtbot, settings):
    from gui.mainwindow import MainWindow

    big = MainWindow(settings=settings)
    big.resize(5000, 3000)
    big.move(4000, 2000)
    settings.setValue("window/geometry", big.saveGeometry())
    big.doc.undo_stack.setClean()
    big.close()
    again = MainWindow(settings=settings)
    area = again.screen().availableGeometry()
    assert again.width() <= area.width() and again.height() <= area.height()
    assert area.contains(again.frameGeometry().topLeft())
    again.doc.undo_stack.setClean()
    again.close()


def test_an_imported_series_with_a_long_name_does_not_widen_the_energy_tab(qtbot, window, tmp_path):
    from datetime import datetime, timedelta

    from PySide6.QtWidgets import QScrollArea

    t = datetime(2023, 1, 1, 6)
    rows = [f"{(t + timedelta(hours=h)).isoformat()}Z,{20 + h % 24}" for h in range(8760)]
    path = tmp_path / ("ercot_lz_west_real_time_settlement_point_prices_" * 3 + "2023.csv")
    path.write_text("\n".join(rows))
    window.resize(1366, 768)
    window.show()
    assert window.prices.import_csv(path)
    window.inputs.setCurrentIndex(0)
    QApplication.processEvents()
    area = window.inputs.currentWidget()
    assert isinstance(area, QScrollArea)
    assert not area.horizontalScrollBar().isVisible()  # the long summary wraps
    assert window.width() <= 1366
    price = window.site_panel.price
    assert price.series_name.toolTip() == path.name  # cut on screen, whole in the tooltip
    assert price.series_name.width() <= area.viewport().width()
    label = price.series_label  # the figures wrap inside the panel, whole
    assert label.heightForWidth(label.width()) <= label.height()
