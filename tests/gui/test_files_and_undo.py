"""Open/save round trip, title and modified mark, recent files, bad files, undo/redo, drop."""

import json
import threading

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox

from core.io.example import example_project
from core.io.projectfile import load_project, project_to_json, save_project
from core.resources import example_project_path
from tests.gui.conftest import curve_y, settle, type_into, type_only


def test_save_and_open_round_trip(qtbot, window, tmp_path, settings):
    type_into(window.market_panel.fields["market.btc_price_usd"], "101,000")
    assert window.isWindowModified() and "unsaved[*]" in window.windowTitle()
    path = tmp_path / "site.minepivot"
    assert window.save_to(path)
    assert not window.isWindowModified() and "site.minepivot" in window.windowTitle()
    assert load_project(path).market.btc_price_usd == 101_000
    assert window.recent_files()[0] == str(path.resolve())
    assert settings.value("files/last_folder") == str(tmp_path.resolve())
    window.new_project()
    assert window.doc.project.name == "Untitled project"
    assert window.open_path(path)
    assert window.doc.project.market.btc_price_usd == 101_000 and window.doc.path == path
    qtbot.waitUntil(lambda: window.doc.result is not None)


def test_a_bad_file_lists_every_problem_and_keeps_the_open_project(qtbot, window, tmp_path):
    doc = json.loads(project_to_json(example_project()))
    doc["strategies"][1]["blocks"][0]["asic_count"] = -3
    doc["site"]["interconnect_mw"] = "big"
    path = tmp_path / "bad.minepivot"
    path.write_text(json.dumps(doc))
    before = window.doc.project
    assert not window.open_path(path)
    dialog = window.problems_dialog
    assert dialog.isVisible()
    items = sorted(dialog.list.item(i).text() for i in range(dialog.list.count()))
    assert items == [
        'site.interconnect_mw: must be a number, got "big"',
        "strategies[1].blocks[0].asic_count: must be ≥ 0, got -3",
    ]
    assert window.doc.project is before


def test_a_newer_file_is_refused(window, tmp_path):
    doc = json.loads(project_to_json(example_project()))
    doc["schema_version"] = 99
    path = tmp_path / "future.minepivot"
    path.write_text(json.dumps(doc))
    assert not window.open_path(path)
    assert "newer MinePivot" in window.problems_dialog.list.item(0).text()


def test_undo_and_redo_every_input_change(qtbot, window):
    start = curve_y(window)
    field = window.market_panel.fields["market.btc_price_usd"]
    for text in ("9", "98", "98,5"):  # typing previews; the project keeps its value
        type_only(field, text)
        assert window.doc.project.market.btc_price_usd == 95_000
    assert window.doc.undo_stack.count() == 0
    type_into(field, "98,500")  # Enter commits: one undo step
    type_into(window.site_panel.fields["site.energy.tnd_adder_usd_per_mwh"], "7")
    window.doc.end_edit()
    assert window.doc.undo_stack.count() == 2
    window.undo_action.trigger()
    assert window.doc.project.site.energy.tnd_adder_usd_per_mwh == 4
    window.undo_action.trigger()
    assert window.doc.project.market.btc_price_usd == 95_000
    assert field.editor.text() == "95,000"  # the field follows the model
    settle(qtbot, window)
    assert (curve_y(window) == start).all()
    window.redo_action.trigger()
    assert window.doc.project.market.btc_price_usd == 98_500
    assert window.undo_action.shortcut().toString() == "Ctrl+Z"
    assert window.redo_action.shortcut().toString() == "Ctrl+Shift+Z"


def test_undo_a_strategy_deletion(window):
    window.strategies_panel.list.setCurrentRow(2)
    window.strategies_panel.strategy_actions.delete_strategy()
    assert len(window.doc.project.strategies) == 3
    window.undo_action.trigger()
    assert [s.name for s in window.doc.project.strategies][2] == "Hybrid"


def test_unsaved_changes_prompt(qtbot, window, tmp_path):
    type_into(window.site_panel.fields["site.interconnect_mw"], "110")
    window.ask_unsaved = lambda: QMessageBox.StandardButton.Cancel
    window.new_project()
    assert window.doc.project.site.interconnect_mw == 110  # cancelled: nothing lost
    window.ask_unsaved = lambda: QMessageBox.StandardButton.Discard
    window.new_project()
    assert window.doc.project.site.interconnect_mw == 100


def test_dropping_a_project_file_opens_it(qtbot, window, tmp_path):
    path = tmp_path / "dropped.minepivot"
    path.write_text(project_to_json(example_project().model_copy(update={"name": "Dropped"})))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    assert window.doc.project.name == "Dropped"


def test_geometry_is_remembered(qtbot, settings):
    from gui.mainwindow import MainWindow

    # The offscreen screen is 800 × 600, narrower than the window's minimum width (~1,170 px),
    # so restoring clamps the width; the height is free: 520, where a new window gets 900.
    w = MainWindow(settings=settings)
    w.resize(1200, 520)
    w.show()
    w.close()
    assert settings.value("window/geometry") is not None
    again = MainWindow(settings=settings)
    assert again.height() == 520
    again.doc.shutdown()


def test_goal_seek_runs_off_the_gui_thread_and_reaches_the_table(qtbot, window, monkeypatch):
    import gui.document as document

    threads = []
    real = document.goal_seek

    def spy(project, strategy):
        threads.append(threading.current_thread().name)
        return real(project, strategy)

    monkeypatch.setattr(document, "goal_seek", spy)
    type_into(window.market_panel.fields["market.btc_price_usd"], "96,000")
    settle(qtbot, window)
    with qtbot.waitSignal(window.doc.goal_seek_ready, timeout=20_000):
        pass
    assert threads and all(t.startswith("goal-seek") for t in threads)
    row = [
        window.compare.verticalHeaderItem(r).text() for r in range(window.compare.rowCount())
    ].index("Required AI price (target IRR)")
    # Convert to AI: the colocation rate that earns the target IRR (the example's owned,
    # retirable fleets have no BTC break-even: NPV stays positive at any price).
    assert window.compare.item(row, 1).text().endswith("USD/kW-month")
    # Where there is no answer the cell says why, in a few words; the tooltip has it whole.
    assert window.compare.item(row, 0).text() == "n/a: no AI block"
    btc = [
        window.compare.verticalHeaderItem(r).text() for r in range(window.compare.rowCount())
    ].index("Break-even BTC price")
    assert window.compare.item(btc, 0).text() == "n/a: NPV positive at any BTC price"
    assert "for every BTC price searched" in window.compare.item(btc, 0).toolTip()


def test_worker_errors_reach_the_user(qtbot, window, monkeypatch):
    import gui.document as document

    def broken(project, strategy):
        raise ValueError("solver exploded")

    monkeypatch.setattr(document, "goal_seek", broken)
    with qtbot.waitSignal(window.doc.error, timeout=20_000):
        window.doc.recompute()
    assert "solver exploded" in window.statusBar().currentMessage()
    assert window.error_box is not None and window.error_box.isVisible()


def test_a_chart_update_after_a_failure_does_not_hide_it(window):
    # The goal seek can fail before the deferred chart update reports "Ready": the error
    # stays in the status bar while its box is open, and "Ready" returns once it is closed.
    window.show_error("Goal seek failed: solver exploded")
    window.dashboard.status.emit("Ready")
    assert "solver exploded" in window.statusBar().currentMessage()
    window.error_box.close()
    window.dashboard.status.emit("Ready")
    assert window.statusBar().currentMessage() == "Ready"


def test_latest_request_wins(qtbot, window):
    # Two requests in a row: only the newest generation's answer is delivered.
    window.doc.wait_for_goal_seek()
    qtbot.wait(50)
    seen = []
    window.doc.goal_seek_ready.connect(lambda out: seen.append(out))
    window.doc._start_goal_seek()
    window.doc._start_goal_seek()
    window.doc.wait_for_goal_seek()
    qtbot.waitUntil(lambda: len(seen) >= 1, timeout=20_000)
    qtbot.wait(100)
    assert len(seen) == 1


def test_open_example_from_recent_menu(window):
    window.new_project()
    assert window.doc.path is None
    example = next(a for a in window.recent_menu.actions() if a.text() == "Example project")
    example.trigger()
    assert window.doc.path == example_project_path()
    assert window.doc.project == example_project()


def test_export_to_excel_from_the_file_menu(qtbot, window, tmp_path, monkeypatch):
    import openpyxl
    from PySide6.QtWidgets import QFileDialog

    type_into(window.market_panel.fields["market.btc_price_usd"], "99,000")
    # Given the user picks a name without the extension in the save dialog
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "board"), "")
    )
    # When they choose File → Export to Excel (Ctrl+E)
    assert window.export_action.shortcut().toString() == "Ctrl+E"
    assert window.export_action in window.menuBar().actions()[0].menu().actions()
    window.export_action.trigger()
    # Then board.xlsx holds the KPIs the window shows
    path = tmp_path / "board.xlsx"
    wb = openpyxl.load_workbook(path, data_only=True)
    assert wb["Summary"]["C9"].value == pytest.approx(
        window.doc.result.by_name("Keep mining").kpis.npv_usd, rel=1e-12
    )
    assert wb["Inputs"]["B5"].value == window.doc.project.name


def test_failed_export_from_the_app_says_why(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a: shown.append(a[2]))
    assert not window.export_xlsx(tmp_path / "missing" / "board.xlsx")
    assert shown and "cannot write in" in shown[0]


@pytest.mark.parametrize("stage", ["evaluate", "review_plans", "hourly_detail"])
def test_a_file_that_fails_to_compute_keeps_the_open_project(
    qtbot, window, tmp_path, monkeypatch, stage
):
    # A file that validates but breaks the engine, the plan review or the hourly chart (a
    # MinePivot bug) must leave the window as it was and say what happened.
    import core.io.preflight

    def broken(*_a, **_k):
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(core.io.preflight, stage, broken)
    path = tmp_path / "breaks.minepivot"
    save_project(example_project().model_copy(update={"name": "Breaks"}), path)
    before, title = window.doc.project, window.windowTitle()
    assert not window.open_path(path, ask=False)
    assert window.doc.project is before and window.windowTitle() == title
    text = window.problems_dialog.list.item(0).text()
    assert "could not compute this file (ZeroDivisionError: float division by zero)" in text


def test_an_exception_escaping_a_slot_is_shown(qtbot, window, monkeypatch):
    import sys

    from gui.app import install_error_hook

    shown = []
    monkeypatch.setattr(window, "show_error", shown.append)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    install_error_hook(window)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    assert shown == ["Unexpected error (RuntimeError: boom). Please report it."]


def test_an_invalid_field_says_the_results_are_the_last_valid_ones(qtbot, window):
    # A refused value (not a number, then a negative price) is not applied: the cards keep the
    # last valid results, and the status bar says so until the field is valid again. Leaving
    # the field puts the committed value back and says so.
    field = window.market_panel.fields["market.btc_price_usd"]
    npv = window.doc.result.strategies[0].kpis.npv_usd
    type_into(field, "abc")  # Enter on a refused value: it stays, marked
    label = window.invalid_label
    assert label.isVisible() and field.editor.text() == "abc"
    assert "showing the last valid results" in label.text()
    assert "market.btc_price_usd: must be a number, got 'abc'" in label.toolTip()
    type_into(field, "-5")
    assert "market.btc_price_usd" in label.toolTip()
    qtbot.wait(50)
    assert window.doc.result.strategies[0].kpis.npv_usd == npv
    interconnect = window.site_panel.fields["site.interconnect_mw"]
    type_into(interconnect, "x")  # the focus leaves the price: it goes back to 95,000
    qtbot.waitUntil(lambda: not field.has_error, timeout=2000)
    assert field.editor.text() == "95,000"
    message = window.statusBar().currentMessage()
    assert message == "BTC price: '-5' was not applied; it is back to 95,000"
    assert label.isVisible() and "(2 fields)" not in label.text()
    assert "market.btc_price_usd" not in label.toolTip()
    type_into(interconnect, "100")
    type_into(field, "96,500")
    assert not label.isVisible()
    type_into(field, "abc")
    assert window.doc.undo_stack.canUndo()
    window.doc.undo_stack.undo()  # a refresh from the model clears the mark too
    assert not label.isVisible() and not field.has_error
    assert field.editor.text() == "95,000"


def test_ctrl_z_in_a_field_undoes_the_project_and_the_menu_says_what(qtbot, window):
    # The line edit's own undo would change its text without the charts; the project's undo
    # stack takes Ctrl+Z and Ctrl+Shift+Z even with the focus in the field.
    from PySide6.QtCore import Qt

    field = window.market_panel.fields["market.btc_price_usd"]
    before = window.doc.project.market.btc_price_usd
    type_into(field, "123,456")
    window.doc.end_edit()
    assert window.undo_action.text() == "&Undo BTC price"
    type_into(window.site_panel.fields["site.energy.tnd_adder_usd_per_mwh"], "6")
    window.doc.end_edit()
    assert window.undo_action.text() == "&Undo T&&D adder"  # shows "Undo T&D adder"
    window.doc.undo_stack.undo()
    field.editor.setFocus()
    qtbot.waitUntil(field.editor.hasFocus, timeout=2000)
    qtbot.keyClick(field.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.doc.project.market.btc_price_usd == before
    assert field.editor.text() == f"{before:,.10g}"
    assert window.redo_action.text() == "&Redo BTC price"
    qtbot.keyClick(
        field.editor,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.doc.project.market.btc_price_usd == 123_456


def test_an_edit_refreshes_the_fields_it_touches_and_undo_refreshes_all(qtbot, window):
    # A keystroke in one field leaves the others alone (no refresh of ~100 fields per key);
    # what an edit or an undo changes still reaches every field that shows it.
    doc = window.doc
    btc = window.market_panel.fields["market.btc_price_usd"]
    other = window.market_panel.fields["market.fees_btc_per_block"]
    calls = []
    original = type(other).refresh

    def counting(self, *a):
        if self is other:
            calls.append(doc.changed_paths)
        return original(self, *a)

    type(other).refresh = counting
    try:
        type_into(btc, "123456")
        assert doc.project.market.btc_price_usd == 123456
        shown = other.editor.text()
        doc.set_value("market.fees_btc_per_block", 0.031)
        assert other.editor.text() == "0.031"  # its own edit reaches it
        window.undo_action.trigger()  # undo: anything may have changed
        assert other.editor.text() == shown
    finally:
        type(other).refresh = original
    assert (("market.btc_price_usd",) in calls) and (None in calls)


def test_a_file_that_is_not_a_project_is_said_in_plain_words(qtbot, window, tmp_path):
    path = tmp_path / "notes.minepivot"
    path.write_text("Site visit notes, not a project\n")
    assert not window.open_path(path)
    dialog = window.problems_dialog
    assert "The file is not a MinePivot project (it is not JSON text from MinePivot)." in (
        dialog.head.text()
    )
    assert "line 1" not in dialog.head.text()  # the parser's words wait under the button
    assert dialog.list.isHidden()
    dialog.details.click()
    assert not dialog.list.isHidden()
    assert "not valid JSON at line 1" in dialog.list.item(0).text()
    assert dialog.details.text() == "Hide details"
