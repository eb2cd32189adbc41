"""A half-typed number never becomes the model: typing previews, Enter / Tab / leaving the field
commits, Escape and leaving a refused value put the committed one back, Ctrl+Z in a field first
restores the field, and exports ask before using the last valid inputs. What is exported says
when it is not the saved file."""

import shutil
import subprocess

import openpyxl
import pytest
from PySide6.QtCore import Qt

from tests.gui.conftest import settle, type_into, type_only


def _btc(window):
    return window.market_panel.fields["market.btc_price_usd"]


def _btc_exported(path) -> float:
    """The BTC price the workbook's Inputs sheet holds (column B of its "BTC price" row)."""
    inputs = openpyxl.load_workbook(path)["Inputs"]
    return next(row[1].value for row in inputs.iter_rows() if row[0].value == "BTC price")


def _focus(qtbot, field) -> None:
    field.editor.setFocus()
    qtbot.waitUntil(field.editor.hasFocus, timeout=2000)


def _typed_btc(qtbot, window, text: str):
    """The BTC price field, focused, holding ``text`` as typed (not committed)."""
    field = _btc(window)
    _focus(qtbot, field)
    type_only(field, text)
    return field


def test_typing_previews_and_only_enter_commits(qtbot, window):
    # The case: select all, type "95k". "9" and "95" are valid numbers: the results follow
    # them as a preview, but the project, the undo stack and the title stay as they were.
    field, doc = _btc(window), window.doc
    committed = doc.result.strategies[0].kpis.npv_usd
    _focus(qtbot, field)
    type_only(field, "9")
    assert doc.previewing == "market.btc_price_usd" and doc.shown.market.btc_price_usd == 9
    settle(qtbot, window)
    # At BTC $9 mining earns nothing: the preview's NPV is far below the committed one.
    assert doc.result.strategies[0].kpis.npv_usd < committed - 1e6
    assert doc.project.market.btc_price_usd == 95_000
    assert doc.undo_stack.count() == 0 and not window.isWindowModified()
    type_only(field, "95")
    type_only(field, "95k")  # refused: the results go back to the committed inputs
    settle(qtbot, window)
    assert field.has_error and doc.previewing is None
    assert doc.result.strategies[0].kpis.npv_usd == committed
    assert doc.project.market.btc_price_usd == 95_000
    type_into(field, "96,000")  # Enter: committed, one undo step, shown as a finance user reads
    assert doc.project.market.btc_price_usd == 96_000 and doc.undo_stack.count() == 1
    assert field.editor.text() == "96,000" and not field.typed
    type_only(field, "97000")
    qtbot.keyClick(field.editor, Qt.Key.Key_Tab)  # Tab leaves the field: committed
    assert doc.project.market.btc_price_usd == 97_000 and doc.undo_stack.count() == 2
    assert field.editor.text() == "97,000"


def test_escape_puts_the_committed_value_back(qtbot, window):
    field, doc = _btc(window), window.doc
    committed = doc.result.strategies[0].kpis.npv_usd
    _focus(qtbot, field)
    type_only(field, "150000")
    settle(qtbot, window)
    assert doc.result.strategies[0].kpis.npv_usd != committed  # previewed
    qtbot.keyClick(field.editor, Qt.Key.Key_Escape)
    settle(qtbot, window)
    assert field.editor.text() == "95,000" and not field.typed
    assert doc.result.strategies[0].kpis.npv_usd == committed
    assert doc.undo_stack.count() == 0
    type_only(field, "95k")
    qtbot.keyClick(field.editor, Qt.Key.Key_Escape)  # a refused value too, and says so
    assert field.editor.text() == "95,000" and not field.has_error
    assert window.statusBar().currentMessage() == (
        "BTC price: '95k' was not applied; it is back to 95,000"
    )
    assert not window.invalid_label.isVisible()


def test_ctrl_z_in_a_refused_field_restores_the_field_first(qtbot, window):
    # After an unrelated committed edit, typing -5 in Enrolled and pressing Ctrl+Z restores
    # Enrolled only; the second Ctrl+Z walks the project's undo stack.
    doc = window.doc
    type_into(window.site_panel.fields["site.energy.tnd_adder_usd_per_mwh"], "7")
    enrolled = window.dr_panel.fields["site.demand_response.enrolled_mw"]
    window.show_tab("DR")
    _focus(qtbot, enrolled)
    type_only(enrolled, "-5")
    assert enrolled.has_error
    qtbot.keyClick(enrolled.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert enrolled.editor.text() == "40" and not enrolled.has_error
    assert doc.project.site.energy.tnd_adder_usd_per_mwh == 7  # the earlier step stands
    qtbot.keyClick(enrolled.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert doc.project.site.energy.tnd_adder_usd_per_mwh == 4  # now the project's undo
    assert doc.project.site.demand_response.enrolled_mw == 40


def test_a_valid_typed_value_is_committed_before_an_export(qtbot, window, tmp_path):
    # Ctrl+E with "101000" typed and no Enter: the export commits it first.
    _typed_btc(qtbot, window, "101000")
    out = tmp_path / "board.xlsx"
    assert window.export_xlsx(out)
    assert window.doc.project.market.btc_price_usd == 101_000
    assert _btc_exported(out) == 101_000


def test_an_export_with_a_refused_field_asks(qtbot, window, tmp_path):
    field = _typed_btc(qtbot, window, "95k")
    asked = []

    def go_back(refused, verb):
        asked.append((verb, [f.name for f in refused], refused[0].committed_text()))
        return False

    window.ask_refused = go_back
    out = tmp_path / "board.xlsx"
    assert not window.export_xlsx(out)  # gone back: nothing written, the typing kept
    assert not out.exists() and field.editor.text() == "95k" and field.has_error
    assert asked == [("Export", ["BTC price"], "95,000")]
    window.ask_refused = lambda refused, verb: True  # export the last valid inputs
    assert window.export_xlsx(out)
    assert field.editor.text() == "95,000" and not field.has_error
    assert _btc_exported(out) == 95_000


def test_the_dialog_names_the_field_and_its_last_valid_value(qtbot, window, tmp_path):
    from PySide6.QtWidgets import QApplication, QMessageBox

    field = _typed_btc(qtbot, window, "95k")
    seen = []

    def answer():
        box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox))
        seen.append(box.text())
        back = next(b for b in box.buttons() if b.text() == "Go back")
        back.click()

    from PySide6.QtCore import QTimer

    QTimer.singleShot(100, answer)
    assert not window.export_xlsx(tmp_path / "board.xlsx")
    assert seen and "Export the last valid inputs (BTC price 95,000) or go back?" in seen[0]
    assert "BTC price '95k'" in seen[0]
    assert field.editor.text() == "95k" and field.has_error  # the dialog took no typing


def test_closing_commits_a_valid_typed_value_and_asks_to_save_it(qtbot, window):
    from PySide6.QtWidgets import QMessageBox

    asked = []

    def ask():
        asked.append(window.doc.project.market.btc_price_usd)
        return QMessageBox.StandardButton.Cancel

    window.ask_unsaved = ask
    type_only(_btc(window), "101000")
    assert not window.maybe_save()  # cancelled: the project stays open, with the value
    assert asked == [101_000]


def test_the_workbook_says_when_it_is_not_the_saved_file(qtbot, window, tmp_path):
    saved = tmp_path / "site.minepivot"
    assert window.save_to(saved)
    clean = tmp_path / "clean.xlsx"
    assert window.export_xlsx(clean)
    stamp = openpyxl.load_workbook(clean)["Summary"]["C3"].value
    assert "SHA-256" in stamp and "unsaved changes" not in stamp
    type_into(_btc(window), "99,000")
    edited = tmp_path / "edited.xlsx"
    assert window.export_xlsx(edited)
    stamp = openpyxl.load_workbook(edited)["Summary"]["C3"].value
    assert stamp.endswith(", unsaved changes")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_the_report_says_when_it_is_not_the_saved_file(qtbot, window, tmp_path):
    def text(pdf):
        return subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout

    saved = tmp_path / "site.minepivot"
    assert window.save_to(saved)
    clean = tmp_path / "clean.pdf"
    assert window.export_report(clean)
    assert "project file SHA-256" in text(clean) and "unsaved changes" not in text(clean)
    type_into(_btc(window), "99,000")
    edited = tmp_path / "edited.pdf"
    assert window.export_report(edited)
    assert "unsaved changes" in text(edited)


def test_an_export_shows_progress_and_a_cancel_leaves_no_file(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QProgressDialog

    out = tmp_path / "board.xlsx"
    monkeypatch.setattr(QProgressDialog, "wasCanceled", lambda self: True)  # Cancel at once
    assert not window.export_xlsx(out)
    assert not out.exists()
    assert window.statusBar().currentMessage().startswith("Export cancelled: board.xlsx")
    out.write_bytes(b"the board's copy")
    assert not window.export_xlsx(out)
    assert out.read_bytes() == b"the board's copy"
    monkeypatch.undo()
    assert window.export_xlsx(out)  # not cancelled: written
    assert openpyxl.load_workbook(out)["Summary"]["B2"].value == window.doc.project.name
