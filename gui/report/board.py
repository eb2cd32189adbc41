"""The board report as a PDF (``write_report``): the pages (``pages``) laid out in one Qt text
document with the dashboard's charts, headings kept with what follows (``pagination``), printed
landscape with page numbers and written atomically."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QUrl
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from core.engine.evaluation import ProjectResult
from core.io.atomicfile import atomic_write_bytes
from core.io.buildinfo import build_info
from core.io.projectfile import project_to_json
from core.model.project import Project
from core.risk.sensitivity import analyse
from gui.report.pages import assumptions_page, executive_page, plans_page, summary_page
from gui.report.pagination import keep_headings_with_next
from gui.widgets.numbers import fixed

PAPERS = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}


STYLE = """
body { font-family: sans-serif; font-size: 9pt; color: #000; }
h1 { font-size: 16pt; margin: 0; } h2 { font-size: 12pt; margin-top: 10px; }
h3 { font-size: 10pt; margin-top: 8px; margin-bottom: 2px; }
table { border-collapse: collapse; } th { background: #d9d9d9; }
td, th { border: 1px solid #777; padding: 2px 4px; }
td.n { text-align: right; } p.note { color: #333; font-size: 8pt; }
"""


def provenance(project: Project, path: Path | None, unsaved: bool) -> str:
    """The report's provenance: the SHA-256 of the project file as saved (its first 16
    digits); with unsaved changes (or no file), of the project as entered, and says so."""
    data = project_to_json(project).encode()
    if path is not None and not unsaved:
        try:
            data = Path(path).read_bytes()
        except OSError:
            unsaved = True  # the file is gone: the state shown is not a saved file
    stamp = "project file" if path is not None and not unsaved else "project"
    note = ", unsaved changes" if unsaved or path is None else ""
    return f"{stamp} SHA-256 {hashlib.sha256(data).hexdigest()[:16]}…{note}"


def write_report(window, out: Path, paper: str = "a4") -> Path:
    """The report of the window's project and results to ``out`` (a PDF). Raises OSError when
    it cannot be written; ValueError when there are no results yet."""
    doc = window.doc
    result: ProjectResult | None = doc.result
    if result is None:
        raise ValueError("no results yet: the project has not been computed")
    project = result.project or doc.project
    text = QTextDocument()
    text.setDefaultStyleSheet(STYLE)
    # No "fi"/"fl" ligatures: names copied or searched in the PDF read as typed.
    font = text.defaultFont()
    for tag in ("liga", "clig"):
        font.setFeature(QFont.Tag(tag), 0)
    text.setDefaultFont(font)
    risk, ran = window.risk_view.current_bundle(), ""
    if risk is None:  # the executive page's spread: a quick run of its own, said so
        quick = doc.project.risk.model_copy(
            update={"paths": REPORT_PATHS, "split_paths": min(doc.project.risk.split_paths, 500)}
        )
        risk = analyse(doc.project.model_copy(update={"risk": quick}))
        ran = (
            f"No risk run was current in the app: {fixed(REPORT_PATHS)} paths (seed "
            f"{quick.seed}) were run for this report."
        )
    with tempfile.TemporaryDirectory() as folder:
        images = _chart_images(window, text)
        body = "".join(
            [
                executive_page(project, result, risk, ran, images[0][0]),
                summary_page(project, result, provenance(doc.project, doc.path, doc.is_modified())),
                _charts(images),
                plans_page(project, Path(folder), text),
                assumptions_page(doc.project),
            ]
        )
    text.setHtml(f"<html><body>{body}</body></html>")
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(f"{project.name}: MinePivot report")
    writer.setCreator(f"MinePivot {build_info().version}")
    writer.setResolution(150)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(PAPERS.get(paper.lower(), PAPERS["a4"])),
            QPageLayout.Orientation.Landscape,
            QMarginsF(12, 12, 12, 12),
        )
    )
    keep_headings_with_next(text, writer)
    text.print_(writer)  # a document without its own page size gets page numbers
    del writer
    buffer.close()
    atomic_write_bytes(Path(out), bytes(buffer.data().data()))
    return Path(out)


REPORT_PATHS = 2_000  # the report's own Monte Carlo when the app has no current run


def _chart_images(window, text: QTextDocument) -> list[tuple[str, float]]:
    """The dashboard's charts (and the Risk tab's when its run is current) as PNG resources:
    each as its slide export, title inside the picture, so a page break never parts them. A
    chart of one strategy names it in its title."""
    dashboard = window.dashboard
    charts = list(dashboard.charts)
    if window.risk_view.current_bundle() is not None:
        charts += list(window.risk_view.charts)
    out = []
    for i, chart in enumerate(charts):
        choice = getattr(chart, "choice", None)
        if chart in (dashboard.stack, dashboard.hourly):
            choice = dashboard.chart_strategy
        title = chart.title
        if choice is not None and choice.currentText():
            chart.title = f"{title}: {choice.currentText()}"
        try:
            image = chart.slide_image()
        finally:
            chart.title = title
        name = f"chart{i}"
        text.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
        out.append((name, image.height() / image.width()))
    return out


def _charts(images: list[tuple[str, float]]) -> str:
    """Two charts a row, two rows a page: each at most 230 units tall."""
    cells = []
    for i, (name, aspect) in enumerate(images):
        height = min(440 * aspect, 230)
        cells.append(
            f"<td style='border:none'><img src='{name}' width='{height / aspect:.0f}' "
            f"height='{height:.0f}'></td>" + ("</tr><tr>" if i % 2 else "")
        )
    return (
        "<h2 style='page-break-before: always'>Charts</h2>"
        f"<table style='border:none'><tr>{''.join(cells)}</tr></table>"
    )


def pdf_bytes_ok(data: QByteArray | bytes) -> bool:
    head = data.data()[:5] if isinstance(data, QByteArray) else data[:5]
    return head == b"%PDF-"
