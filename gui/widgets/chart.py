"""The chart every MinePivot plot is built on: a titled pyqtgraph plot with a readout line, a
legend whose entries toggle their series, reset view and export to PNG and SVG, plus the
shared palette and the month axis."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters as pg_exporters
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.picture import save_picture
from gui.widgets.colours import StrategyColours
from gui.widgets.elided import ElidedLabel

pg.setConfigOptions(antialias=True, background="w", foreground="#333")


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
        self.plot = pg.PlotWidget(axisItems={"bottom": self.axis} if self.axis else None)
        self.plot.setLabel("left", y_label)
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.plot.setMenuEnabled(True)
        self.legend = self.plot.addLegend(offset=(8, 8), labelTextSize="8pt")
        self.legend.setZValue(100)
        layout.addWidget(self.plot, 1)
        self._proxy = pg.SignalProxy(
            self.plot.scene().sigMouseMoved, rateLimit=30, slot=self._on_mouse
        )
        self.export_dir: Path | None = None
        self.colours = StrategyColours()  # the document's, once the window sets it
        self.ask_path = None  # set by the main window: (title, suffix) -> Path | None

    # ------------------------------------------------------------------ hover
    def _on_mouse(self, event) -> None:
        pos = event[0]
        vb = self.plot.plotItem.vb
        if not self.plot.sceneBoundingRect().contains(pos):
            return
        p = vb.mapSceneToView(pos)
        self.readout.setText(self.describe(p.x(), p.y()))

    def describe(self, x: float, y: float) -> str:
        return f"x {x:,.1f}  y {y:,.2f}"

    # ------------------------------------------------------------------ view and export
    def reset_view(self) -> None:
        self.plot.enableAutoRange()
        self.plot.autoRange()

    def export(self, path: Path) -> Path:
        """Write the chart as SVG or PNG, atomically (a link is written through). Raises
        OSError when it cannot be written; a file already at ``path`` is then untouched."""
        path = Path(path)
        # SVG: Qt's own generator; pyqtgraph 0.14.0's SVGExporter fails on the path data
        # that current Qt writes (pyqtgraph issue #3485).
        exporter = pg_exporters.ImageExporter(self.plot.plotItem)
        exporter.parameters()["width"] = max(1200, int(self.plot.width() * 2))
        return save_picture(
            path,
            self.title,
            self.plot.size(),
            self.plot.render,
            png=lambda: exporter.export(toBytes=True),
        )

    def ask_export(self, suffix: str) -> None:
        if self.ask_path is None:
            return
        path = self.ask_path(self.title, suffix)
        if path:
            try:
                self.export(path)
            except OSError as exc:
                QMessageBox.critical(
                    self,
                    "Export failed",
                    f"Could not write {path}:\n{exc.strerror or exc}\n"
                    "Any file already at that path was left as it was.",
                )

    @staticmethod
    def set_pen(item, colour: str, width: float = 2.0, dashed: bool = False) -> None:
        """Give a curve its pen only when it changed: a new pen costs pyqtgraph a redraw of
        the item on every recompute."""
        key = (colour, width, dashed)
        if getattr(item, "_pen_key", None) != key:
            style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
            item.setPen(pg.mkPen(colour, width=width, style=style))
            item._pen_key = key

    def month_labels(self, labels: list[str]) -> None:
        if self.axis is not None and self.axis.labels != labels:
            self.axis.labels = labels
            self.axis.picture = None  # regenerate the ticks only when the months changed
            self.axis.update()
