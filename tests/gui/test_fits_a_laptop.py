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


def test_no_input_tab_scrolls_sideways_at_1366_by_768(qtbot, window):
    # Every input tab fits its panel's width: with each strategy and each block kind's form
    # shown (mining, hosting, colocation, GPU cloud), no horizontal scroll bar appears.
    from PySide6.QtWidgets import QScrollArea

    window.resize(1366, 768)
    panel = window.strategies_panel
    panel.list.setCurrentRow(0)
    panel.strategy_actions.add_hosting()
    panel.strategy_actions.add_ai()
    j = len(window.doc.project.strategies[0].blocks) - 1
    window.doc.set_value(f"strategies[0].blocks[{j}].business_model", "gpu_cloud")
    qtbot.wait(20)

    def sideways(name: str) -> None:
        area = window.inputs.currentWidget()
        assert isinstance(area, QScrollArea)
        QApplication.processEvents()
        bar = area.horizontalScrollBar()
        assert not bar.isVisible(), (
            f"{name}: content {area.widget().minimumSizeHint().width()} px "
            f"in a {area.viewport().width()} px panel"
        )

    for i in range(window.inputs.count()):
        window.inputs.setCurrentIndex(i)
        qtbot.wait(20)
        sideways(window.inputs.tabText(i))
    window.show_tab("Strategies")
    for row in range(panel.list.count()):
        panel.list.setCurrentRow(row)
        for b in range(panel.blocks.count()):
            panel.blocks.setCurrentRow(b)
            qtbot.wait(10)
            sideways(f"Strategies: {panel.list.item(row).text()}, block {b}")


def test_kpi_cards_keep_one_height_and_eight_strategies_scroll(qtbot, window):
    # A warning, a long name or eight strategies change no card's height and wrap no number:
    # the detail is one line each (cut with "…"), the whole story in the tooltip, and the row
    # scrolls sideways past five cards.
    window.resize(1366, 768)
    cards = window.cards
    qtbot.wait(20)
    height = cards.cards[0].height()
    row_height = cards.height()
    assert all(c.height() == height for c in cards.cards)
    panel = window.strategies_panel
    for _ in range(4):
        panel.list.setCurrentRow(1)
        panel.strategy_actions.duplicate_strategy()
    window.doc.set_value("strategies[0].name", "Keep mining with a name far too long for a card")
    window.doc.recompute()
    qtbot.waitUntil(lambda: len(cards.cards) == 8, timeout=5000)
    qtbot.wait(20)
    assert [c.height() for c in cards.cards] == [height] * 8
    assert cards.height() == row_height  # the charts below do not move
    assert cards.horizontalScrollBar().maximum() > 0  # eight cards: the row scrolls
    for card in cards.cards:
        assert card.width() >= card.MIN_WIDTH
        assert card.npv.text().startswith("NPV ") and "\n" not in card.npv.text()
        assert card.npv.sizeHint().width() <= card.contentsRect().width()  # never cut
    assert "vs Keep mining" in cards.cards[1].toolTip()


def test_a_cards_second_line_turns_red_with_a_warning_and_back(window):
    """An interconnect below what a strategy draws warns on its card's second line, in red;
    undone, the line is the increment again, in grey."""
    card = window.cards.cards[0]  # Keep mining: its fleet draws about 97 MW
    assert "#444" in card.second.styleSheet()
    window.doc.set_value("site.interconnect_mw", 50.0)
    window.doc.recompute()
    assert card.second.text().startswith("⚠") and "#c62828" in card.second.styleSheet()
    window.doc.undo_stack.undo()
    window.doc.recompute()
    assert not card.second.text().startswith("⚠") and "#444" in card.second.styleSheet()
