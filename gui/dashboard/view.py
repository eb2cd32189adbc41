"""The Dashboard tab: four live charts and the choice of which strategy the revenue/cost and
hourly charts show. It decides what each chart draws from a result and when: the cumulative
chart at once, the heavier strategy charts on the next turn of the event loop, so the chart the
user watches paints without waiting."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from core.engine.detail import hourly_detail
from core.engine.evaluation import ProjectResult
from gui.dashboard.charts import CumulativeChart, HashpriceChart, HourlyChart, StackChart
from gui.document import ProjectDocument


class Dashboard(QWidget):
    # The result's warnings joined, or "Ready": for the window's status bar.
    status = Signal(str)

    def __init__(self, ask_path: Callable[..., Path | None], parent: QWidget | None = None):
        super().__init__(parent)
        self.doc: ProjectDocument | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Strategy shown in the stack and hourly charts:"))
        self.chart_strategy = QComboBox()
        self.chart_strategy.setToolTip("Which strategy the revenue/cost and hourly charts show")
        self.chart_strategy.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.chart_strategy.setMinimumContentsLength(16)
        self.chart_strategy.activated.connect(self._strategy_chosen)
        bar.addWidget(self.chart_strategy)
        bar.addStretch(1)
        layout.addLayout(bar)
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        self.cumulative = CumulativeChart()
        self.stack = StackChart()
        self.hashprice = HashpriceChart()
        self.hourly = HourlyChart()
        self.hourly.year.valueChanged.connect(self._year_changed)
        for i, chart in enumerate(self.charts):
            chart.ask_path = ask_path
            grid.addWidget(chart, i // 2, i % 2)
        layout.addLayout(grid, 1)
        self._secondary_timer = QTimer(self, singleShot=True, interval=0)
        self._secondary_timer.timeout.connect(self._update_secondary)

    @property
    def charts(self) -> tuple[CumulativeChart, StackChart, HashpriceChart, HourlyChart]:
        return self.cumulative, self.stack, self.hashprice, self.hourly

    def set_document(self, doc: ProjectDocument) -> None:
        self.doc = doc
        for chart in self.charts:
            chart.colours = doc.colours
        doc.result_ready.connect(self._on_result)
        # A newer input makes pending chart updates stale: they are redone after its recompute.
        doc.project_changed.connect(self._input_changed)
        doc.preview_changed.connect(self._input_changed)
        if doc.result is not None:  # a document that has computed already
            self._on_result(doc.result)

    def draw_now(self) -> None:
        """Draw the strategy charts now if a result waits for them (before the window first
        shows: its charts appear with their data)."""
        if self._secondary_timer.isActive():
            self._secondary_timer.stop()
            self._update_secondary()

    def updating(self) -> bool:
        """True while the strategy charts still have a result to draw."""
        return self._secondary_timer.isActive()

    def show_strategy(self, name: str) -> None:
        """Show ``name`` in the stack and hourly charts (a strategy picked elsewhere)."""
        idx = self.chart_strategy.findText(name)
        if idx >= 0 and idx != self.chart_strategy.currentIndex():
            self.chart_strategy.setCurrentIndex(idx)
            self._update_strategy_charts()

    # ------------------------------------------------------------------ drawing
    def _input_changed(self, _: object = None) -> None:
        self._secondary_timer.stop()

    def _strategy_chosen(self, _: int) -> None:
        self._update_strategy_charts()

    def _year_changed(self, _: int) -> None:
        self._update_hourly()

    def _on_result(self, result: ProjectResult) -> None:
        self.cumulative.update_result(result)
        self._secondary_timer.start()

    def _update_secondary(self) -> None:
        doc = self.doc
        result = doc.result if doc is not None else None
        if doc is None or result is None:
            return
        names = [s.name for s in result.strategies]
        current = self.chart_strategy.currentText()
        self.chart_strategy.blockSignals(True)
        self.chart_strategy.clear()
        self.chart_strategy.addItems(names)
        self.chart_strategy.setCurrentIndex(names.index(current) if current in names else 0)
        self.chart_strategy.blockSignals(False)
        self.hashprice.update_result(result, doc.shown)
        self.hourly.year.setMaximum(doc.shown.finance.horizon_years)
        self._update_strategy_charts()
        warnings = [w for s in result.strategies for w in s.warnings]
        self.status.emit("; ".join(warnings) if warnings else "Ready")

    def _update_strategy_charts(self) -> None:
        if self.doc is None or self.doc.result is None:
            return
        self.stack.update_result(self.doc.result, self.chart_strategy.currentText())
        self._update_hourly()

    def _update_hourly(self) -> None:
        if self.doc is None:
            return
        name = self.chart_strategy.currentText()
        project = self.doc.shown  # the project the results are for (a value being typed)
        if name not in [s.name for s in project.strategies]:
            return
        year = min(self.hourly.year.value(), project.finance.horizon_years) - 1
        self.hourly.update_detail(hourly_detail(project, name, year, result=self.doc.result))
