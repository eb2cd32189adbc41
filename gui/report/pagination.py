"""Pagination the report's QTextDocument lacks: a heading never ends a page (no "keep with
next" in Qt's text layout), found on a layout made as ``QTextDocument.print_`` makes it."""

from __future__ import annotations

from PySide6.QtCore import QSizeF
from PySide6.QtGui import (
    QGuiApplication,
    QPdfWriter,
    QTextBlock,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)


def keep_headings_with_next(text: QTextDocument, writer: QPdfWriter) -> int:
    """Move each heading that would end a page to the next one, with what follows it
    (QTextDocument has no "keep with next"): lay out a copy as ``print_`` lays out the
    document on ``writer`` (its page, 2 cm margins at the screen's resolution), find the
    headings whose next block starts on a later page, and break the page before them, one at
    a time from the top. Returns how many were moved."""
    moved = 0
    for _ in range(200):  # each pass moves one heading; a report has a few dozen
        probe = text.clone()
        screen = QGuiApplication.primaryScreen()
        dpi = screen.logicalDotsPerInchX() if screen is not None else 100
        frame = probe.rootFrame().frameFormat()
        for side in ("setLeftMargin", "setRightMargin", "setTopMargin", "setBottomMargin"):
            getattr(frame, side)(int(2 / 2.54 * dpi))
        probe.rootFrame().setFrameFormat(frame)
        layout = probe.documentLayout()
        layout.setPaintDevice(writer)
        probe.setPageSize(QSizeF(writer.width(), writer.height()))
        height = probe.pageSize().height()
        orphan = _first_orphan(probe, layout, height)
        if orphan is None:
            return moved
        block = text.findBlockByNumber(orphan)
        cursor = QTextCursor(block)
        fmt = block.blockFormat()
        fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
        cursor.setBlockFormat(fmt)
        moved += 1
    return moved


def _first_orphan(doc: QTextDocument, layout, page_height: float) -> int | None:
    """The number of the first heading block whose next block starts on a later page (one
    already at the top of its page, whose next block is taller than a page, is left)."""
    always = QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore
    block = doc.begin()
    while block.isValid():
        nxt = block.next()
        fmt = block.blockFormat()
        if fmt.headingLevel() and nxt.isValid() and not fmt.pageBreakPolicy() & always:
            top, after = _first_line_top(block, layout), _first_line_top(nxt, layout)
            if int(after // page_height) > int(top // page_height):
                return block.blockNumber()
        block = nxt
    return None


def _first_line_top(block: QTextBlock, layout) -> float:
    """Where the block's first line sits in the laid-out document (a line that does not fit
    above the page's foot margin is moved to the next page: the block's own top is not)."""
    lines = block.layout()
    shift = lines.lineAt(0).position().y() if lines.lineCount() else 0.0
    return layout.blockBoundingRect(block).top() + shift
