"""The chart every MinePivot plot is built on: a titled pyqtgraph plot with a readout line, a
legend whose entries toggle their series, reset view and export to PNG and SVG, plus the
shared palette and the month axis."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.io.atomicfile import cannot_write
from core.model.format import as_sentence
from gui.picture import save_picture
from gui.widgets.colours import StrategyColours
from gui.widgets.elided import ElidedLabel
from gui.widgets.numbers import fixed

pg.setConfigOptions(antialias=True, background="w", foreground="#333")


class MinusAxis(pg.AxisItem):
    """Tick labels with a real minus sign (U+2212), as the app writes negative figures."""

    def tickStrings(self, values, scale, spacing):
        return [t.replace("-", "\u2212") for t in super().tickStrings(values, scale, spacing)]


class MonthAxis(pg.AxisItem):
    """Bottom axis over month indices, labelled with years (and months when zoomed in)."""

    def __init__(self) -> None:
        super().__init__("bottom")
        self.labels: list[str] = []

    def tickValues(self, minVal, maxVal, size):
        n = len(self.labels)
        if not n:
            return super().tickValues(minVal, maxVal, size)
        lo, hi = max(int(np.floor(minVal)), 0), min(int(np.ceil(maxVal)) + 1, n)
        januaries = [i for i in range(lo, hi) if self.labels[i].endswith("-01")]
        every = max(1, int(np.ceil(len(januaries) * 60 / max(size, 1))))  # ~60 px per label
        quarters = [i for i in range(lo, hi) if self.labels[i][5:] in ("04", "07", "10")]
        return [(12.0, januaries[::every]), (3.0, quarters if maxVal - minVal <= 48 else [])]

    def tickStrings(self, values, scale, spacing):
        out = []
        for v in values:
            i = round(v)
            if not 0 <= i < len(self.labels):
                out.append("")
            elif self.labels[i].endswith("-01"):
                out.append(self.labels[i][:4])
            else:
                out.append(self.labels[i][5:])
        return out


PEN_STYLES = {
    "solid": Qt.PenStyle.SolidLine,
    "dash": Qt.PenStyle.DashLine,
    "dot": Qt.PenStyle.DotLine,
    "dashdot": Qt.PenStyle.DashDotLine,
    "dashdotdot": Qt.PenStyle.DashDotDotLine,
}
SLIDE = QSize(1280, 720)  # an exported chart's layout size: a 16:9 slide
LEGEND_TEXT = "8pt"


class BelowLegend(pg.LegendItem):
    """A legend in its own row under the bottom axis, outside the data: named items join it
    as with ``addLegend``, a click on an entry still toggles its series, and the entries flow
    into as many columns as the plot's width holds (so the legend never widens the chart)."""

    def __init__(self, plot: pg.PlotItem, text_size: str = LEGEND_TEXT):
        super().__init__(offset=None, labelTextSize=text_size, colCount=1, verSpacing=-4)
        self._plot = plot
        plot.layout.addItem(self, 4, 1)
        plot.legend = self
        plot.geometryChanged.connect(self.fit)

    def addItem(self, item, name) -> None:
        super().addItem(item, name)
        self.fit()

    def removeItem(self, item) -> None:
        super().removeItem(item)
        self.fit()

    def set_text_size(self, size: str) -> None:
        """Every entry's text at ``size`` (a CSS size, "12pt"), new entries too."""
        self.opts["labelTextSize"] = size
        for _, label in self.items:
            label.setText(label.text, size=size)
        self.updateSize()

    def fit(self, *_: object) -> None:
        """The most columns whose widest entries, side by side, fit the plot's width."""
        if not self.items:
            return
        widths = [s.width() + label.item.boundingRect().width() + 14 for s, label in self.items]
        # The view's width less the side axes: not the plot's or the view box's, which a wide
        # legend would itself have widened.
        view = self._plot.getViewWidget()
        if view is None:
            return
        sides = [self._plot.getAxis(s) for s in ("left", "right")]
        room = view.width() - sum(a.width() for a in sides if a.isVisible()) - 8
        columns = next(
            (
                k
                for k in range(len(widths), 1, -1)
                if sum(max(widths[c::k]) for c in range(k)) <= room
            ),
            1,
        )
        if columns != self.columnCount:
            self.setColumnCount(columns)
            self._plot.layout.activate()
            if self._plot.geometry().width() > view.width():  # held wide by the old legend
                view.resizeEvent(None)


class ChartPanel(QWidget):
    """A titled plot with a readout line and Reset / PNG / SVG buttons."""

    def __init__(
        self, title: str, y_label: str, month_axis: bool = True, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.title = title
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(1)
        header = QHBoxLayout()
        name = QLabel(f"<b>{title}</b>")
        header.addWidget(name)
        self.readout = ElidedLabel(" ")  # a long readout is cut, never widens the window
        self.readout.setStyleSheet("color: #444; font-size: 11px;")
        header.addWidget(self.readout, 1)
        self.header = header
        for text, tip, slot in (
            ("⟲", "Reset view", self.reset_view),
            ("PNG", "Export this chart as PNG…", lambda: self.ask_export("png")),
            ("SVG", "Export this chart as SVG…", lambda: self.ask_export("svg")),
        ):
            b = QToolButton()
            b.setText(text)
            b.setToolTip(tip)
            b.setAutoRaise(True)
            b.clicked.connect(slot)
            header.addWidget(b)
        layout.addLayout(header)
        self.axis = MonthAxis() if month_axis else None
        axes = {"left": MinusAxis("left"), "bottom": self.axis or MinusAxis("bottom")}
        self.plot = pg.PlotWidget(axisItems=axes)
        self.plot.setLabel("left", y_label)
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.plot.setMenuEnabled(True)
        self.legend = BelowLegend(self.plot.plotItem)
        for side in ("left", "bottom"):  # no "(x0.001)" while a chart is empty or tiny
            self.plot.getAxis(side).enableAutoSIPrefix(False)
        layout.addWidget(self.plot, 1)
        self._proxy = pg.SignalProxy(
            self.plot.scene().sigMouseMoved, rateLimit=30, slot=self._on_mouse
        )
        self.export_dir: Path | None = None
        self.colours = StrategyColours()  # the document's, once the window sets it
        # Set by the main window: (title, suffix) -> the path the user chose, or None.
        self.ask_path: Callable[[str, str], Path | None] | None = None

    # ------------------------------------------------------------------ hover
    def _on_mouse(self, event) -> None:
        pos = event[0]
        vb = self.plot.plotItem.vb
        if not self.plot.sceneBoundingRect().contains(pos):
            return
        p = vb.mapSceneToView(pos)
        self.readout.setText(self.describe(p.x(), p.y()))

    def describe(self, x: float, y: float) -> str:
        return f"x {fixed(x, 1)}  y {fixed(y, 2)}"

    # ------------------------------------------------------------------ view and export
    def reset_view(self) -> None:
        self.plot.enableAutoRange()
        self.plot.autoRange()

    def export(self, path: Path) -> Path:
        """Write the chart as a slide picture, SVG or PNG, atomically (a link is written
        through): laid out at 1280 × 720 with its title, 13-point ticks and a 12-point legend
        (PNG at twice that, 2560 × 1440 pixels). Raises OSError when it cannot be written;
        a file already at ``path`` is then untouched."""
        path = Path(path)
        with self._slide_layout():
            # SVG: Qt's own generator; pyqtgraph 0.14.0's SVGExporter fails on the path data
            # that current Qt writes (pyqtgraph issue #3485).
            return save_picture(path, self.title, SLIDE, self.plot.render, png=self._slide_png)

    def slide_image(self) -> QImage:
        """The chart as its PNG export draws it, as an image (the report's pictures)."""
        with self._slide_layout():
            return self._slide_png()

    def _slide_png(self) -> QImage:
        """The laid-out scene on a 2× image (device pixel ratio 2, so text is drawn at the
        layout's sizes, sharp; pyqtgraph's exporter scales the legend's text wrongly)."""
        item = self.plot.plotItem
        image = QImage(SLIDE * 2, QImage.Format.Format_ARGB32)
        image.setDevicePixelRatio(2.0)
        image.fill(QColor("white"))
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            item.scene().render(
                painter, QRectF(0, 0, SLIDE.width(), SLIDE.height()), item.sceneBoundingRect()
            )
        finally:
            painter.end()
        return image

    @contextmanager
    def _slide_layout(self) -> Iterator[None]:
        """The plot re-laid out at slide size with slide fonts, then put back as it was
        (before the window repaints, so the screen never shows it)."""
        item = self.plot.plotItem
        axes = [item.getAxis(side) for side in ("left", "bottom")]
        before = (
            self.plot.size(),
            [(a.style["tickFont"], a.label.font(), a.textWidth, a.textHeight) for a in axes],
        )
        tick, label = QFont(), QFont()
        tick.setPixelSize(18)  # pixels of the 1280 × 720 layout: the same on every screen
        label.setPixelSize(19)
        digits = QFontMetrics(tick)
        # Lines twice as wide: a 2 px screen line is a hairline on a 2× picture or a page.
        curves = [c for c in item.listDataItems() if isinstance(c, pg.PlotDataItem)]
        pens = [c.opts["pen"] for c in curves]
        try:
            for c, pen in zip(curves, pens, strict=True):
                wide = pg.mkPen(pen)
                wide.setWidthF(max(wide.widthF(), 1.0) * 2)
                c.setPen(wide)
            item.setTitle(self.title, size="24px", bold=True)
            for a in axes:
                a.setStyle(tickFont=tick)
                a.label.setFont(label)
            # Room for the larger ticks beside the axis title (pyqtgraph widens an axis
            # only after it has painted).
            named = [text for level in axes[0]._tickLevels or [] for _, text in level]
            axes[0].setWidth(max(map(digits.horizontalAdvance, [*named, "−88,888"])) + 14)
            axes[1].setHeight(digits.height() + 22)
            self.legend.set_text_size("17px")
            self.plot.resize(SLIDE)
            self.plot.resizeEvent(None)  # lays the scene out now, shown or not
            item.layout.activate()
            self.legend.fit()
            item.layout.activate()
            yield
        finally:
            item.setTitle(None)
            for c, pen in zip(curves, pens, strict=True):
                c.setPen(pen)
            for a, (font, label_font, width, height) in zip(axes, before[1], strict=True):
                a.setStyle(tickFont=font)
                a.label.setFont(label_font)
                a.textWidth, a.textHeight = width, height  # as the screen had them
            axes[0].setWidth(None)
            axes[1].setHeight(None)
            self.legend.set_text_size(LEGEND_TEXT)
            self.plot.resize(before[0])
            self.plot.resizeEvent(None)
            item.layout.activate()
            self.legend.fit()
            item.layout.activate()
            layout = self.layout()
            if layout is not None:
                layout.invalidate()

    def ask_export(self, suffix: str) -> None:
        if self.ask_path is None:
            return
        path = self.ask_path(self.title, suffix)
        if path:
            try:
                self.export(path)
            except OSError as exc:
                reason = cannot_write(path, exc)
                QMessageBox.critical(
                    self,
                    "Export failed",
                    f"{as_sentence(reason)}\nAny file already at that path was left as it was.",
                )

    @staticmethod
    def set_pen(item, colour: str, width: float = 2.0, line: str = "solid") -> None:
        """Give a curve its pen (``line``: one of LINE_STYLES) only when it changed: a new
        pen costs pyqtgraph a redraw of the item on every recompute."""
        key = (colour, width, line)
        if getattr(item, "_pen_key", None) != key:
            item.setPen(pg.mkPen(colour, width=width, style=PEN_STYLES[line]))
            item._pen_key = key

    def month_labels(self, labels: list[str]) -> None:
        if self.axis is not None and self.axis.labels != labels:
            self.axis.labels = labels
            self.axis.picture = None  # regenerate the ticks only when the months changed
            self.axis.update()
