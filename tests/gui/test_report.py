"""The board report: a PDF whose text names every strategy with its NPV as the app shows it."""

import shutil
import subprocess
import sys

import pytest

from core.model.format import money

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


def _text(pdf) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_report_from_the_window_has_every_strategy_and_npv(window, tmp_path):
    out = tmp_path / "board.pdf"
    assert window.export_report(out, "letter")
    text = _text(out)
    for s in window.doc.result.strategies:
        assert s.name in text
        assert money(s.kpis.npv_usd) in text
    assert "Reading" in text and "has the highest probability-weighted NPV" in text
    assert "Assumptions" in text and "BTC price" in text
    assert "Floor plans" in text and "Antminer S21" in text
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert "612 x 792 pts (letter)" in info or "792 x 612 pts (letter)" in info


def test_a_failed_report_leaves_the_file_as_it_was(window, tmp_path, monkeypatch):
    out = tmp_path / "board.pdf"
    out.write_bytes(b"the board's copy")
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.critical", lambda *a, **k: None)
    monkeypatch.setattr(
        "core.io.atomicfile.os.write", lambda *a: (_ for _ in ()).throw(OSError(28, "No space"))
    )
    assert not window.export_report(out)
    assert out.read_bytes() == b"the board's copy"


def test_report_command(tmp_path):
    out = tmp_path / "r.pdf"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "gui.main",
            "report",
            "resources/examples/west_texas_100mw.minepivot",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    text = _text(out)
    assert "Convert to AI" in text and "Sell the fleet now" in text
    assert " 1\n" in text or "\n1\n" in text or text.rstrip().endswith("1") or "2" in text


def test_page_one_is_the_decision_with_each_strategy_and_its_spread(window, tmp_path, monkeypatch):
    # With no risk run current, the report runs its own (and says so); page one names every
    # strategy with its NPV and its P10/P50/P90, and the inputs that move NPV most.
    out = tmp_path / "board.pdf"
    assert window.export_report(out)
    first = subprocess.run(
        ["pdftotext", "-layout", "-f", "1", "-l", "1", str(out), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "the decision" in first and "Recommendation" in first
    assert "P10 NPV" in first and "P50 NPV" in first and "P90 NPV" in first
    for s in window.doc.result.strategies:
        assert s.name in first and money(s.kpis.npv_usd) in first
    assert "2,000 paths" in first and "were run for this report" in first
    assert "What moves" in first  # the inputs that move the leading strategy's NPV most
    # A chart of one strategy names it in its title (drawn inside the picture).
    from gui.widgets.chart import ChartPanel

    titles = []
    real = ChartPanel.slide_image

    def seen(chart):
        titles.append(chart.title)
        return real(chart)

    monkeypatch.setattr(ChartPanel, "slide_image", seen)
    assert window.export_report(tmp_path / "again.pdf")
    assert "Monthly revenue and cost: Keep mining" in titles
    assert "Cumulative free cash flow" in titles  # every strategy: no name
    assert window.dashboard.stack.title == "Monthly revenue and cost"  # put back


def test_assumptions_read_as_labels_not_internals(window, tmp_path):
    out = tmp_path / "board.pdf"
    assert window.export_report(out)
    text = _text(out)
    assumptions = text[text.index("Assumptions") :]
    assert "Antminer S21" in assumptions and "26,500" in assumptions
    assert "Yes" in assumptions and "Highest-price hours" in assumptions
    for internal in (" True ", " s21 ", "highest_price", "book_value", " 26500 "):
        assert internal not in assumptions, internal
