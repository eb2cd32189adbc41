"""Risk charts: tornado, NPV histogram, cumulative cash-flow fan, hybrid split sweep.

Same habits as the main charts: items are created once and updated with setData/setOpts;
every chart has a hover readout, reset view and PNG/SVG export (ChartPanel).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QScrollBar, QVBoxLayout, QWidget

from core.engine.evaluation import ProjectResult
from core.risk.montecarlo import RiskResult
from core.risk.sensitivity import SplitSweep, Tornado, TornadoBar
from gui.widgets.chart import ChartPanel
from gui.widgets.numbers import fixed, general, general_change, money_change


def _strategy_choice(chart: ChartPanel, tip: str) -> QComboBox:
    """A strategy picker in the chart's header, beside its title."""
    choice = QComboBox()
    choice.setToolTip(tip)
    choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    chart.header.insertWidget(1, choice)
    return choice


def _offer(choice: QComboBox, names: list[str]) -> None:
    """The picker lists ``names``, keeping the one chosen if it is still there (quietly: the
    caller redraws)."""
    if [choice.itemText(i) for i in range(choice.count())] == names:
        return
    current = choice.currentText()
    choice.blockSignals(True)
    choice.clear()
    choice.addItems(names)
    if current in names:
        choice.setCurrentText(current)
    choice.blockSignals(False)


def _names_changed(items: dict, names: list[str], chart: ChartPanel) -> None:
    for gone in [n for n in items if n not in names]:
        item = items.pop(gone)
        chart.legend.removeItem(item)
        chart.plot.removeItem(item)


LOW_SIDE, HIGH_SIDE = "#35618f", "#e8a35c"  # dark and light: apart in grey print too
MIN_ROW_PX = 16  # a tornado row's height at the least, so its label stays legible


def _range_text(low_pct: float, high_pct: float) -> str:
    if low_pct == -high_pct:
        return f"\u00b1{general(abs(high_pct))} %"
    return f"{general_change(low_pct)} / {general_change(high_pct)} %"


class TornadoChart(ChartPanel):
    """One strategy's probability-weighted NPV swing per input, widest on top: the input at
    its low value and at its high value drawn as two bars (dark and light, so either side is
    told apart in grey). Every input has its row; when the plot holds fewer (a row needs
    ``MIN_ROW_PX`` to stay legible), a scroll bar beside it (or the mouse wheel) moves through
    them, and the readout says how many are below. A slide export holds all."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Tornado: NPV swing per input", "", month_axis=False, parent=parent)
        self.choice = _strategy_choice(self, "Strategy whose NPV the tornado shows")
        self.plot.addItem(pg.InfiniteLine(pos=0, angle=90, pen=pg.mkPen("#888", width=1)))
        self.low = pg.BarGraphItem(
            name="input low",
            x0=[0],
            width=[0],
            y=[0],
            height=0.75,
            brush=LOW_SIDE,
            pen=pg.mkPen(None),
        )
        self.high = pg.BarGraphItem(
            name="input high",
            x0=[0],
            width=[0],
            y=[0],
            height=0.45,
            brush=HIGH_SIDE,
            pen=pg.mkPen("#8a5a2b", width=0.5),
        )
        self.plot.addItem(self.low)
        self.plot.addItem(self.high)
        self.tornado: Tornado | None = None
        self.rows: list[tuple[TornadoBar, float, float]] = []  # shown, top first
        self.choice.currentTextChanged.connect(lambda _: self._draw())
        self.plot.plotItem.vb.sigResized.connect(self._refit)
        self.plot.plotItem.vb.setMouseEnabled(x=False, y=False)  # the wheel scrolls the rows
        self._fits = 0
        self.hidden_note = ""
        # The scroll bar beside the plot: its value is the first row shown.
        self.rows_bar = QScrollBar(Qt.Orientation.Vertical)
        self.rows_bar.setToolTip("Scroll through the inputs, widest swing first")
        self.rows_bar.valueChanged.connect(self._window)
        self.rows_bar.hide()
        lay = self.layout()
        assert isinstance(lay, QVBoxLayout)
        lay.removeWidget(self.plot)
        row = QHBoxLayout()
        row.setSpacing(0)
        row.addWidget(self.plot, 1)
        row.addWidget(self.rows_bar)
        lay.insertLayout(1, row, 1)
        self.plot.viewport().installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        """The mouse wheel over the bars scrolls the rows (when some are out of view)."""
        if event.type() == QEvent.Type.Wheel and not self.rows_bar.isHidden():
            steps = -event.angleDelta().y() // 120 or (1 if event.angleDelta().y() < 0 else -1)
            self.rows_bar.setValue(self.rows_bar.value() + steps)
            return True
        return super().eventFilter(watched, event)

    def update_tornado(self, t: Tornado) -> None:
        self.tornado = t
        _offer(self.choice, list(t.base_npv_usd))
        self._draw()

    def _room(self) -> int:
        return max(3, int(self.plot.plotItem.vb.height() // MIN_ROW_PX))

    def _refit(self, *_: object) -> None:
        if self.tornado is not None and self._room() != self._fits:
            self._draw()

    def _draw(self) -> None:
        t, name = self.tornado, self.choice.currentText()
        if t is None or name not in t.base_npv_usd:
            return
        base = t.base_npv_usd[name]
        rows = [
            (b, (b.npv_low_usd[name] - base) / 1e6, (b.npv_high_usd[name] - base) / 1e6)
            for b in t.bars
        ]
        rows.sort(key=lambda r: -abs(r[2] - r[1]))  # stable: equal swings keep their order
        self._fits = self._room()
        self.rows = rows
        n = len(self.rows)
        y = n - 1 - np.arange(n, dtype=float)
        lo = np.array([r[1] for r in self.rows])
        hi = np.array([r[2] for r in self.rows])
        self.low.setOpts(x0=np.minimum(lo, 0), width=np.abs(lo), y=y)
        self.high.setOpts(x0=np.minimum(hi, 0), width=np.abs(hi), y=y)
        ticks = [
            (n - 1 - k, f"{b.label} {_range_text(b.low_pct, b.high_pct)}")
            for k, (b, _, _) in enumerate(self.rows)
        ]
        self.plot.getAxis("left").setTicks([ticks, []])
        self.plot.setLabel("bottom", f"change in NPV of {name}, USD million")
        self.plot.enableAutoRange(x=True, y=False)
        hidden = max(n - self._fits, 0)
        self.rows_bar.blockSignals(True)
        self.rows_bar.setRange(0, hidden)
        self.rows_bar.setPageStep(max(self._fits, 1))
        if self.rows_bar.value() > hidden:
            self.rows_bar.setValue(hidden)
        self.rows_bar.blockSignals(False)
        self.rows_bar.setVisible(hidden > 0)
        self._window()

    def _window(self, *_: object) -> None:
        """Show the rows from the scroll bar's value on, as many as fit; say what is below."""
        n, first = len(self.rows), self.rows_bar.value() if not self.rows_bar.isHidden() else 0
        shown = min(self._fits, n)
        top = n - 1 - first  # the y of the first row shown
        self.plot.setYRange(top - shown + 0.5, top + 0.5, padding=0)
        below = n - first - shown
        self.hidden_note = (
            f"{below} more of {n} inputs below: scroll to see them" if below > 0 else ""
        )
        self.readout.setText(self.hidden_note or " ")

    def describe(self, x: float, y: float) -> str:
        t, name = self.tornado, self.choice.currentText()
        k = len(self.rows) - 1 - round(y)
        if t is None or not 0 <= k < len(self.rows):
            return self.hidden_note
        b, lo, hi = self.rows[k]
        text = (
            f"{name}, {b.label}: at {general_change(b.low_pct)} % NPV {money_change(lo * 1e6)}, "
            f"at {general_change(b.high_pct)} % {money_change(hi * 1e6)}"
        )
        equity = t.base_equity_npv_usd.get(name)
        if equity is not None and name in b.equity_npv_low_usd:
            e_lo = b.equity_npv_low_usd[name] - equity
            e_hi = b.equity_npv_high_usd.get(name, equity) - equity
            text += f" (equity NPV {money_change(e_lo)} / {money_change(e_hi)})"
        return text


class HistogramChart(ChartPanel):
    """Distribution of NPV over the Monte Carlo paths, one outline per strategy, on one bin
    grid. A strategy whose NPV barely varies (all its paths within two bins) would spike to
    ~100 % and flatten the others: it is drawn as a marked line at its NPV instead, and the
    share axis follows the strategies that vary."""

    BINS = 60

    def __init__(self, parent: QWidget | None = None):
        super().__init__("NPV distribution", "share of paths, %", month_axis=False, parent=parent)
        self.plot.setLabel("bottom", "NPV, USD million")
        self.plot.addItem(pg.InfiniteLine(pos=0, angle=90, pen=pg.mkPen("#888", width=1)))
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.fixed: dict[str, pg.InfiniteLine] = {}  # the strategies that do not vary
        self.result: RiskResult | None = None

    def update_risk(self, r: RiskResult) -> None:
        self.result = r
        names = [s.name for s in r.strategies]
        _names_changed(self.curves, names, self)
        for line in self.fixed.values():
            self.plot.removeItem(line)
        self.fixed = {}
        # Common bins from the 1st to the 99th percentile of the strategies that vary; the
        # tails are counted in the end bins.
        spans = {s.name: np.percentile(s.npv_usd, [1, 99]) / 1e6 for s in r.strategies}
        lo = min(a for a, _ in spans.values())
        hi = max(b for _, b in spans.values())
        varies = {n for n, (a, b) in spans.items() if b - a > 2 * (hi - lo) / self.BINS}
        if varies:
            lo = min(spans[n][0] for n in varies)
            hi = max(spans[n][1] for n in varies)
        if hi <= lo:
            lo, hi = lo - 1, hi + 1
        edges = np.linspace(lo, hi, self.BINS + 1)
        top = 0.0
        for s in r.strategies:
            c = pg.mkColor(self.colours(s.name))
            curve = self.curves.get(s.name)
            if curve is None:
                curve = self.plot.plot(name=s.name, stepMode="center", fillLevel=0)
                self.curves[s.name] = curve
            curve.setPen(pg.mkPen(c, width=2))
            if s.name not in varies:
                curve.setData(edges, np.zeros(self.BINS))  # its legend entry; the line below
                median = float(np.median(s.npv_usd)) / 1e6
                line = pg.InfiniteLine(
                    pos=median,
                    angle=90,
                    pen=pg.mkPen(c, width=2, style=Qt.PenStyle.DashLine),
                    label=f"{s.name}: every path ≈ {fixed(median, 1)} M",
                    labelOpts={"position": 0.9, "color": c, "anchors": [(0, 0), (0, 0)]},
                )
                self.plot.addItem(line)
                self.fixed[s.name] = line
                continue
            counts, _ = np.histogram(np.clip(s.npv_usd / 1e6, lo, hi), edges)
            share = counts / max(s.npv_usd.size, 1) * 100
            top = max(top, float(share.max()))
            c.setAlpha(40)
            curve.setBrush(pg.mkBrush(c))
            curve.setData(edges, share)
        fixed_at = [line.value() for line in self.fixed.values()]
        self.plot.setXRange(min([lo, *fixed_at]), max([hi, *fixed_at]), padding=0.05)
        self.plot.setYRange(0, (top or 100.0) * 1.1, padding=0)

    def describe(self, x: float, y: float) -> str:
        if self.result is None:
            return ""
        parts = [f"NPV {fixed(x, 1)} M:"]
        for s in self.result.strategies:
            below = (s.npv_usd / 1e6 <= x).mean() * 100
            parts.append(f"{s.name} {fixed(below)} % of paths at or below")
        return "  ".join(parts)


class FanChart(ChartPanel):
    """Cumulative free cash flow of one strategy: the P10–P90 band around the P50 path, with
    the deterministic (input) case for comparison."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Cumulative cash flow, P10–P90", "USD million", parent=parent)
        self.choice = _strategy_choice(self, "Strategy shown in the fan chart")
        self.plot.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen("#888", width=1)))
        # The band's edges carry its legend entry (a FillBetweenItem cannot be in a legend).
        self.p10 = self.plot.plot(name="P10–P90", pen=pg.mkPen("#1f77b4", width=1))
        self.p90 = self.plot.plot(pen=pg.mkPen("#1f77b4", width=1))
        self.band = pg.FillBetweenItem(self.p10, self.p90, brush=pg.mkBrush(31, 119, 180, 50))
        self.plot.addItem(self.band)
        self.p50 = self.plot.plot(name="P50", pen=pg.mkPen("#1f77b4", width=2))
        self.inputs = self.plot.plot(
            name="Inputs as entered", pen=pg.mkPen("#333", width=1.5, style=Qt.PenStyle.DashLine)
        )
        self.result: RiskResult | None = None
        self.deterministic: ProjectResult | None = None
        self.choice.currentTextChanged.connect(lambda _: self._draw())

    def update_risk(self, r: RiskResult, deterministic: ProjectResult | None) -> None:
        self.result, self.deterministic = r, deterministic
        self.month_labels(r.months)
        _offer(self.choice, [s.name for s in r.strategies])
        self._draw()

    def _draw(self) -> None:
        r = self.result
        name = self.choice.currentText()
        if r is None or not name:
            return
        s = r.by_name(name)
        x = np.arange(s.fan_usd.shape[1])
        self.p10.setData(x, s.fan_usd[0] / 1e6)
        self.p50.setData(x, s.fan_usd[1] / 1e6)
        self.p90.setData(x, s.fan_usd[2] / 1e6)
        det = self.deterministic
        if det is not None and name in [d.name for d in det.strategies]:
            self.inputs.setData(x, det.by_name(name).monthly["cumulative_fcf_usd"] / 1e6)
        else:
            self.inputs.setData([], [])

    def describe(self, x: float, y: float) -> str:
        r = self.result
        name = self.choice.currentText()
        if r is None or not name:
            return ""
        m = round(x)
        s = r.by_name(name)
        if not 0 <= m < s.fan_usd.shape[1]:
            return ""
        p10, p50, p90 = s.fan_usd[:, m] / 1e6
        return (
            f"{r.months[m]}  P10 {fixed(p10, 1)} M   P50 {fixed(p50, 1)} M   P90 {fixed(p90, 1)} M"
        )


class SplitChart(ChartPanel):
    """NPV and P10 NPV of the hybrid against the share of the interconnect given to AI."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Hybrid split", "USD million", month_axis=False, parent=parent)
        self.plot.setLabel("bottom", "share of the interconnect given to AI, %")
        self.npv = self.plot.plot(
            name="NPV (probability-weighted)", pen=pg.mkPen("#2ca02c", width=2), symbol="o"
        )
        self.p10 = self.plot.plot(
            name="P10 NPV (Monte Carlo)", pen=pg.mkPen("#d62728", width=2), symbol="t"
        )
        self.best = pg.ScatterPlotItem(size=16, symbol="star", brush=pg.mkBrush("#ffbf00"))
        self.plot.addItem(self.best)
        self.best_label = pg.TextItem(anchor=(0.5, 1.4), color="#333")
        self.plot.addItem(self.best_label)
        self.sweep: SplitSweep | None = None
        self.note = ""

    def update_sweep(self, sweep: SplitSweep | None, note: str = "") -> None:
        self.sweep, self.note = sweep, note
        if sweep is None:
            for item in (self.npv, self.p10):
                item.setData([], [])
            self.best.setData([])
            self.best_label.setText(note)
            self.best_label.setPos(50, 0)
            return
        x = sweep.ai_share_pct
        self.npv.setData(x, sweep.npv_usd / 1e6)
        self.p10.setData(x, sweep.p10_npv_usd / 1e6)
        b = sweep.best_index
        self.best.setData([x[b]], [sweep.npv_usd[b] / 1e6])
        self.best_label.setText(f"best: {fixed(x[b])} % AI ({sweep.strategy})")
        self.best_label.setAnchor((1.0 if x[b] > 50 else 0.0, 1.4))  # stay inside the plot
        self.best_label.setPos(x[b], sweep.npv_usd[b] / 1e6)
        self.plot.enableAutoRange()

    def describe(self, x: float, y: float) -> str:
        s = self.sweep
        if s is None:
            return self.note
        i = int(np.argmin(np.abs(s.ai_share_pct - x)))
        return (
            f"{fixed(s.ai_share_pct[i])} % AI: NPV {fixed(s.npv_usd[i] / 1e6, 1)} M, "
            f"P10 {fixed(s.p10_npv_usd[i] / 1e6, 1)} M ({fixed(s.paths)} paths)"
        )
