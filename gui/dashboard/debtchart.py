"""Financed strategies over time: the debt balance, and the DSCR against its covenant."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QWidget

from core.engine.evaluation import ProjectResult
from gui.widgets.chart import ChartPanel
from gui.widgets.colours import StrategyColours
from gui.widgets.numbers import fixed, general


class _Lines(ChartPanel):
    """One line per financed strategy, kept and updated with setData."""

    def __init__(self, title: str, y_label: str, column: str, scale: float):
        super().__init__(title, y_label)
        self.column, self.scale = column, scale
        self.curves: dict[str, pg.PlotDataItem] = {}
        self._result: ProjectResult | None = None

    def update_result(self, result: ProjectResult) -> None:
        self._result = result
        self.month_labels(result.months)
        x = np.arange(len(result.months))
        shown = []
        for s in result.strategies:
            if s.kpis.max_debt_usd <= 0:
                continue
            shown.append(s.name)
            curve = self.curves.get(s.name)
            if curve is None:
                curve = self.plot.plot(name=s.name, connect="finite")
                self.curves[s.name] = curve
            self.set_pen(curve, self.colours(s.name), 2.0, self.colours.line(s.name))
            y = s.monthly[self.column] / self.scale
            curve.setData(x, self.shaped(y))
        for gone in [n for n in self.curves if n not in shown]:
            item = self.curves.pop(gone)
            self.legend.removeItem(item)
            self.plot.removeItem(item)

    def shaped(self, y: np.ndarray) -> np.ndarray:
        return y

    def describe(self, x: float, y: float) -> str:
        r = self._result
        m = round(x)
        if r is None or not 0 <= m < len(r.months):
            return ""
        parts = [r.months[m]]
        for s in r.strategies:
            if s.name in self.curves:
                v = s.monthly[self.column][m] / self.scale
                parts.append(f"{s.name}: {fixed(v, 2)}")
        return "   ".join(parts)


class _Dscr(_Lines):
    """DSCR in the repayment months (gaps elsewhere), each strategy's covenant dashed, 1.0×."""

    def __init__(self) -> None:
        super().__init__("DSCR and covenant", "DSCR (×)", "dscr", 1.0)
        self.plot.addItem(pg.InfiniteLine(pos=1.0, angle=0, pen=pg.mkPen("#c62828", width=1)))
        self.covenants: list[pg.InfiniteLine] = []

    def shaped(self, y: np.ndarray) -> np.ndarray:
        return np.where(y > 0, y, np.nan)

    def update_result(self, result: ProjectResult) -> None:
        super().update_result(result)
        for line in self.covenants:
            self.plot.removeItem(line)
        self.covenants = []
        project = result.project
        if project is None:
            return
        for s in project.strategies:
            fin = s.financing
            if fin is None or s.name not in self.curves:
                continue
            pen = pg.mkPen(self.colours(s.name), width=1, style=Qt.PenStyle.DashLine)
            line = pg.InfiniteLine(pos=fin.target_dscr, angle=0, pen=pen)
            line.setToolTip(f"{s.name}: target DSCR {general(fin.target_dscr)}×")
            self.plot.addItem(line)
            self.covenants.append(line)


class DebtCharts(QWidget):
    """The debt balance and the DSCR of every strategy that borrows."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.balance = _Lines("Debt balance", "USD million", "debt_balance_usd", 1e6)
        self.dscr = _Dscr()
        lay.addWidget(self.balance)
        lay.addWidget(self.dscr)

    def set_colours(self, colours: StrategyColours) -> None:
        self.balance.colours = self.dscr.colours = colours

    def update_result(self, result: ProjectResult) -> None:
        """Shown only while some strategy borrows: with no debt the charts would be empty."""
        self.setVisible(any(s.kpis.max_debt_usd > 0 for s in result.strategies))
        self.balance.update_result(result)
        self.dscr.update_result(result)
