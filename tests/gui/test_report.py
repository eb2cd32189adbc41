"""The board report: a PDF whose text names every strategy with its NPV as the app shows it."""

import re
import shutil
import subprocess
import sys

import pytest
from PySide6.QtCore import QSizeF

from core.model.format import money

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


def _text(pdf, page: int | None = None) -> str:
    """The PDF's text as laid out; ``page``: that page only."""
    pages = [] if page is None else ["-f", str(page), "-l", str(page)]
    return subprocess.run(
        ["pdftotext", "-layout", *pages, str(pdf), "-"], capture_output=True, text=True, check=True
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
    first = _text(out, 1)
    assert "the decision" in first and "Recommendation" in first
    assert "P10 NPV" in first and "P50 NPV" in first and "P90 NPV" in first
    assert "P(signed)" in first  # the contract drawn per path, beside the spread
    row = next(x for x in first.splitlines() if re.match(r"\s*Convert to AI\s+\$", x))
    assert row.rstrip().endswith("%")  # at a 50 % contract, about half the paths sign
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


def test_a_heading_that_would_end_a_page_moves_to_the_next_with_what_follows(qapp):
    # Paragraphs enough to push a heading to a page's foot, for each count until one does:
    # before, its next block starts a page later; after, the heading starts that page too.
    from PySide6.QtCore import QBuffer, QIODevice
    from PySide6.QtGui import QPdfWriter, QTextDocument, QTextFormat

    from gui.report.pagination import _first_orphan, keep_headings_with_next

    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(150)
    hit = 0
    for count in range(20, 120):
        text = QTextDocument()
        body = "".join(f"<p>Line {k} of the notes.</p>" for k in range(count))
        text.setHtml(f"<html><body>{body}<h2>Heading</h2><p>What it heads.</p></body></html>")
        probe = text.clone()
        probe.documentLayout().setPaintDevice(writer)
        frame = probe.rootFrame().frameFormat()
        frame.setTopMargin(75)
        frame.setBottomMargin(75)
        probe.rootFrame().setFrameFormat(frame)
        probe.setPageSize(QSizeF(writer.width(), writer.height()))
        if _first_orphan(probe, probe.documentLayout(), writer.height()) is None:
            continue
        hit += 1
        assert keep_headings_with_next(text, writer) == 1
        heading = text.findBlockByNumber(count)
        assert heading.text() == "Heading"
        policy = heading.blockFormat().pageBreakPolicy()
        assert policy & QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore
    assert hit  # some count put the heading at a page's foot


def test_no_page_of_the_report_ends_with_a_heading(window, tmp_path):
    # Every heading the report writes, each page's last line read from the PDF.
    out = tmp_path / "board.pdf"
    assert window.export_report(out)
    heads = ("Recommendation", "Results by strategy", "Warnings", "Reading", "Notes")
    heads += ("Assumptions", "Site", "Market", "Finance", "Strategy: ")
    pages = _text(out).split("\f")
    assert len(pages) > 5
    for number, page in enumerate(pages, 1):
        lines = [x.strip() for x in page.splitlines() if x.strip()]
        if lines and lines[-1].isdigit():  # the page number
            lines = lines[:-1]
        if lines:
            assert not lines[-1].startswith(heads), (number, lines[-1])


def test_each_figure_of_the_summary_table_stays_on_one_line(window, tmp_path):
    """Page two's table: "68 mo (5.7 y)" is not broken into "68 mo (5.7" and "y)"; a weighted
    increment and its as-signed figure have a line each."""
    from core.model.format import money_change, months

    out = tmp_path / "board.pdf"
    assert window.export_report(out)
    page = _text(out, 2)
    table = page.split("Results by strategy")[1].split("n/m: no investment")[0]
    rows = {line.split("  ")[0].strip(): line for line in table.splitlines() if "$" in line}
    for s in window.doc.result.strategies:
        k, inc = s.kpis, s.incremental
        row = rows[s.name]  # the strategy's first line in the table
        assert months(k.payback_months, k.payback_note) in row
        if inc is not None and inc.weighted_npv_usd is not None:
            assert f"{money_change(inc.weighted_npv_usd)} weighted" in row
            assert f"{money_change(inc.npv_usd)} signed" in table
    assert "not financed" in table  # whole, not "not" above "financed"
