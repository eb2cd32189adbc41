"""The Risk tab: run controls with progress and Cancel, four charts and the summary table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.engine.goalseek import GoalSeek
from core.risk.sensitivity import RiskAnalysis
from gui.document import ProjectDocument
from gui.risk.charts import FanChart, HistogramChart, SplitChart, TornadoChart
from gui.risk.panel import RiskRunner
from gui.widgets.numbers import fixed, localise, money, pct

SHOW_PROGRESS_AFTER_MS = 300
DEBOUNCE_MS = 400
COLUMNS = (
    "Strategy",
    "P10 NPV",
    "P50 NPV",
    "P90 NPV",
    "Mean NPV ± s.e.",
    "P(NPV < 0)",
    "P(payback ≤ {years} y)",
    "Break-even BTC",
    "Break-even power",
    "AI price for target IRR",
    "Equity IRR P10 / P50 / P90",
    "P(min DSCR < 1)",
    "P(contract signed)",
)


def _equity_cells(row: dict) -> list[str]:
    """The equity IRR percentiles and P(min DSCR < 1) of a financed strategy; "—" otherwise."""
    if row["p50_equity_npv_usd"] is None:
        return ["—", "—"]
    irrs = " / ".join(pct(row[f"p{q}_equity_irr"]) for q in (10, 50, 90))
    return [irrs, f"{fixed(row['probability_min_dscr_below_1'] * 100, 1)} %"]


class RiskView(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.doc: ProjectDocument | None = None
        self.bundle: RiskAnalysis | None = None
        self.active = False  # becomes True once the tab is shown
        self.runner = RiskRunner(self)
        self.runner.started.connect(self._on_started)
        self.runner.progressed.connect(self._on_progress)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.runner.cancelled.connect(self._on_cancelled)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        bar = QHBoxLayout()
        self.run_button = QPushButton("Run now")
        self.run_button.setToolTip("Run the tornado, Monte Carlo and split sweep now (F9)")
        self.run_button.clicked.connect(self.run_now)
        bar.addWidget(self.run_button)
        self.live = QCheckBox("Rerun as inputs change")
        self.live.setChecked(True)
        self.live.setToolTip("Start a new run about 0.4 s after you stop typing")
        bar.addWidget(self.live)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setVisible(False)
        bar.addWidget(self.progress, 1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop this run; the last results stay on screen")
        self.cancel_button.clicked.connect(self.runner.cancel)
        self.cancel_button.setVisible(False)
        bar.addWidget(self.cancel_button)
        self.status = QLabel("Open this tab to run the risk analysis.")
        bar.addWidget(self.status, 2)
        lay.addLayout(bar)

        self._layout = lay
        # Passed on to the charts' PNG/SVG buttons.
        self.ask_path: Callable[[str, str], Path | None] | None = None
        self._built = False

        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self.run_now)
        self._show_progress = QTimer(self, singleShot=True, interval=SHOW_PROGRESS_AFTER_MS)
        self._show_progress.timeout.connect(self._reveal_progress)

    def _build(self) -> None:
        """The charts and table, made when the tab is first shown: four more plots would
        otherwise add about 0.1 s to every start of the app."""
        if self._built:
            return
        self._built = True
        grid = QGridLayout()
        self.tornado_chart = TornadoChart()
        self.histogram = HistogramChart()
        self.fan = FanChart()
        self.split = SplitChart()
        for i, chart in enumerate(self.charts):
            chart.ask_path = self.ask_path
            if self.doc is not None:
                chart.colours = self.doc.colours
            grid.addWidget(chart, i // 2, i % 2)
        self._layout.addLayout(grid, 1)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Compact rows: at 1366 × 768 the four charts above keep room for their labels.
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.setMaximumHeight(self.fontMetrics().height() * 7 + 12)
        self._layout.addWidget(self.table)

    @property
    def charts(self):
        return (self.tornado_chart, self.histogram, self.fan, self.split)

    # ------------------------------------------------------------------ wiring
    def set_document(self, doc: ProjectDocument) -> None:
        self.doc = doc
        self.bundle = None
        if self._built:
            for chart in self.charts:
                chart.colours = doc.colours
        doc.result_ready.connect(self._on_result)
        doc.project_changed.connect(self._on_inputs_changed)
        doc.goal_seek_ready.connect(lambda _: self._fill_table())
        if self.active:
            self._debounce.start()

    def set_active(self, active: bool) -> None:
        """The tab was shown: run once now if nothing current is on screen."""
        first = active and not self.active
        self.active = self.active or active
        if active:
            self._build()
        if first and self.doc is not None and not self.is_current():
            self.run_now()

    def is_current(self) -> bool:
        return (
            self.bundle is not None
            and self.doc is not None
            and (self.bundle.project == self.doc.project)
        )

    def current_bundle(self) -> RiskAnalysis | None:
        """The last results if they belong to the open project as it is now (for exports)."""
        return self.bundle if self.is_current() else None

    def _on_inputs_changed(self, _project) -> None:
        """A run for the old inputs is wasted work that slows typing: stop it now."""
        if self.runner.running:
            self.runner.cancel(quiet=True)
            self._stop_progress()
            self.status.setText("Inputs changed; the risk analysis reruns when you pause.")

    def _on_result(self, _result) -> None:
        if self.active and self.live.isChecked() and not self.is_current():
            self._debounce.start()

    # ------------------------------------------------------------------ running
    def run_now(self) -> None:
        if self.doc is None:
            return
        self._debounce.stop()
        self.runner.request_analysis(self.doc.project)

    def _on_started(self) -> None:
        self.progress.setValue(0)
        self.status.setText("Running…")
        self._show_progress.start()

    def _reveal_progress(self) -> None:
        if self.runner.running:
            self.progress.setVisible(True)
            self.cancel_button.setVisible(True)

    def _on_progress(self, fraction: float, stage: str) -> None:
        self.progress.setValue(round(fraction * 100))
        self.progress.setFormat(f"{stage} %p%")

    def _stop_progress(self) -> None:
        self._show_progress.stop()
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)

    def _on_finished(self, bundle: RiskAnalysis) -> None:
        self._stop_progress()
        self._build()  # F9 may run it before the tab was ever shown
        self.bundle = bundle
        mc = bundle.monte_carlo
        self.tornado_chart.update_tornado(bundle.tornado)
        self.histogram.update_risk(mc)
        result = self.doc.result if self.doc is not None else None
        self.fan.update_risk(mc, result)
        self.split.update_sweep(bundle.split, bundle.split_note)
        self._fill_table()
        stale = "" if self.is_current() else " (inputs changed since; rerunning)"
        self.status.setText(
            f"{fixed(mc.paths)} paths, seed {mc.risk.seed}, in {fixed(bundle.seconds, 1)} s{stale}"
        )

    def _on_failed(self, message: str) -> None:
        self._stop_progress()
        self.status.setText(message)

    def _on_cancelled(self) -> None:
        self._stop_progress()
        self.status.setText("Cancelled. The results shown are from the last finished run.")

    def _fill_table(self) -> None:
        if self.bundle is None or not self._built:
            return
        mc = self.bundle.monte_carlo
        years = mc.risk.payback_within_years
        self.table.setHorizontalHeaderLabels([c.format(years=years) for c in COLUMNS])
        seeks: dict[str, GoalSeek] = (self.doc.last_goal_seek or {}) if self.doc else {}
        rows = mc.summary()
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            g = seeks.get(row["strategy"])
            solved = () if g is None else (g.breakeven_btc, g.breakeven_power, g.required_ai_price)
            cells = [
                row["strategy"],
                money(row["p10_npv_usd"]),
                money(row["p50_npv_usd"]),
                money(row["p90_npv_usd"]),
                f"{money(row['mean_npv_usd'])} ± {money(row['standard_error_usd'])}",
                f"{fixed(row['probability_npv_below_zero'] * 100, 1)} %",
                f"{fixed(row['probability_payback_within'] * 100, 1)} %",
                *([localise(x.cell()) for x in solved] if solved else ["…"] * 3),
                *_equity_cells(row),
                "—" if row["probability_signed"] is None else pct(row["probability_signed"]),
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if solved and 7 <= c < 7 + len(solved):
                    item.setToolTip(solved[c - 7].note)
                self.table.setItem(r, c, item)

    def shutdown(self) -> None:
        self._debounce.stop()
        self.runner.shutdown()
