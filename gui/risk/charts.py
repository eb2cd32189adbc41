"""Risk charts: tornado, NPV histogram, cumulative cash-flow fan, hybrid split sweep.

Same habits as the main charts: items are created once and updated with setData/setOpts;
every chart has a hover readout, reset view and PNG/SVG export (ChartPanel).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QWidget

from core.engine.cashflow import ProjectResult
from core.risk.montecarlo import RiskResult
from core.risk.sensitivity import SplitSweep, Tornado
from gui.widgets.chart import ChartPanel


def _names_changed(items: dict, names: list[str], chart: ChartPanel) -> None:
    for gone in [n for n in items if n not in names]:
        item = items.pop(gone)
        chart.legend.removeItem(item)
        chart.plot.removeItem(item)


class TornadoChart(ChartPanel):
    """NPV swing of each input, low to high, one bar per strategy; widest swing on top."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Tornado: NPV swing per input", "", month_axis=False, parent=parent)
        self.plot.setLabel("bottom", "change in probability-weighted NPV, USD million")
        self.plot.addItem(pg.InfiniteLine(pos=0, angle=90, pen=pg.mkPen("#888", width=1)))
        self.legend.anchor((1, 1), (1, 1), offset=(-8, -8))  # bottom right: short bars there
        self.bars: dict[str, pg.BarGraphItem] = {}
        self.tornado: Tornado | None = None

    def update_tornado(self, t: Tornado) -> None:
        self.tornado = t
        names = list(t.base_npv_usd)
        _names_changed(self.bars, names, self)
        n_rows = len(t.bars)
        height = 0.8 / max(len(names), 1)
        for i, name in enumerate(names):
            lo = np.array([b.npv_low_usd[name] - t.base_npv_usd[name] for b in t.bars]) / 1e6
            hi = np.array([b.npv_high_usd[name] - t.base_npv_usd[name] for b in t.bars]) / 1e6
            # Row 0 (the widest) at the top.
            y = (n_rows - 1 - np.arange(n_rows)) + 0.4 - height * (i + 0.5)
            opts = dict(
                x0=np.minimum(lo, hi),
                width=np.abs(hi - lo),
                y=y,
                height=height * 0.9,
                brush=pg.mkBrush(self.colours(name)),
                pen=pg.mkPen(self.colours(name)),
            )
            bar = self.bars.get(name)
            if bar is None:
                bar = pg.BarGraphItem(name=name, **opts)
                self.plot.addItem(bar)  # a named item joins the legend by itself
                self.bars[name] = bar
            else:
                bar.setOpts(**opts)
        ticks = [
            (n_rows - 1 - r, f"{b.label} ({b.low_pct:+g} / {b.high_pct:+g} %)")
            for r, b in enumerate(t.bars)
        ]
        self.plot.getAxis("left").setTicks([ticks, []])
        self.plot.enableAutoRange()

    def describe(self, x: float, y: float) -> str:
        t = self.tornado
        if t is None or not t.bars:
            return ""
        row = len(t.bars) - 1 - round(y)
        if not 0 <= row < len(t.bars):
            return ""
        b = t.bars[row]
        parts = [f"{b.label} {b.low_pct:+g} % / {b.high_pct:+g} %:"]
        for name, base in t.base_npv_usd.items():
            lo, hi = (b.npv_low_usd[name] - base) / 1e6, (b.npv_high_usd[name] - base) / 1e6
            parts.append(f"{name} {lo:+,.1f} / {hi:+,.1f} M")
            equity = t.base_equity_npv_usd.get(name)
            if equity is not None and name in b.equity_npv_low_usd:
                e_lo = (b.equity_npv_low_usd[name] - equity) / 1e6
                e_hi = (b.equity_npv_high_usd.get(name, equity) - equity) / 1e6
                parts.append(f"(equity {e_lo:+,.1f} / {e_hi:+,.1f} M)")
        return "  ".join(parts)


class HistogramChart(ChartPanel):
    """Distribution of NPV over the Monte Carlo paths, one outline per strategy."""

    BINS = 60

    def __init__(self, parent: QWidget | None = None):
        super().__init__("NPV distribution", "share of paths, %", month_axis=False, parent=parent)
        self.plot.setLabel("bottom", "NPV, USD million")
        self.legend.anchor((1, 0), (1, 0), offset=(-8, 8))  # top right: the long right tail
        self.plot.addItem(pg.InfiniteLine(pos=0, angle=90, pen=pg.mkPen("#888", width=1)))
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.result: RiskResult | None = None

    def update_risk(self, r: RiskResult) -> None:
        self.result = r
        names = [s.name for s in r.strategies]
        _names_changed(self.curves, names, self)
        # Common bins from the 1st to the 99th percentile of all strategies; the tails are
        # counted in the end bins.
        lo = min(np.percentile(s.npv_usd, 1) for s in r.strategies) / 1e6
        hi = max(np.percentile(s.npv_usd, 99) for s in r.strategies) / 1e6
        if hi <= lo:
            lo, hi = lo - 1, hi + 1
        edges = np.linspace(lo, hi, self.BINS + 1)
        for s in r.strategies:
            counts, _ = np.histogram(np.clip(s.npv_usd / 1e6, lo, hi), edges)
            share = counts / max(s.npv_usd.size, 1) * 100
            curve = self.curves.get(s.name)
            if curve is None:
                curve = self.plot.plot(name=s.name, stepMode="center", fillLevel=0)
                self.curves[s.name] = curve
            c = pg.mkColor(self.colours(s.name))
            curve.setPen(pg.mkPen(c, width=2))
            c.setAlpha(40)
            curve.setBrush(pg.mkBrush(c))
            curve.setData(edges, share)
        self.plot.enableAutoRange()

    def describe(self, x: float, y: float) -> str:
        if self.result is None:
            return ""
        parts = [f"NPV {x:,.1f} M:"]
        for s in self.result.strategies:
            below = (s.npv_usd / 1e6 <= x).mean() * 100
            parts.append(f"{s.name} {below:.0f} % of paths at or below")
        return "  ".join(parts)


class FanChart(ChartPanel):
    """Cumulative free cash flow of one strategy: the P10–P90 band around the P50 path, with
    the deterministic (input) case for comparison."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Cumulative cash flow, P10–P90", "USD million", parent=parent)
        self.choice = QComboBox()
        self.choice.setToolTip("Strategy shown in the fan chart")
        self.choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.header.insertWidget(1, self.choice)
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
        names = [s.name for s in r.strategies]
        current = self.choice.currentText()
        if [self.choice.itemText(i) for i in range(self.choice.count())] != names:
            self.choice.blockSignals(True)
            self.choice.clear()
            self.choice.addItems(names)
            if current in names:
                self.choice.setCurrentText(current)
            self.choice.blockSignals(False)
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
        return f"{r.months[m]}  P10 {p10:,.1f} M   P50 {p50:,.1f} M   P90 {p90:,.1f} M"


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
        self.best_label.setText(f"best: {x[b]:.0f} % AI ({sweep.strategy})")
        self.best_label.setAnchor((1.0 if x[b] > 50 else 0.0, 1.4))  # stay inside the plot
        self.best_label.setPos(x[b], sweep.npv_usd[b] / 1e6)
        self.plot.enableAutoRange()

    def describe(self, x: float, y: float) -> str:
        s = self.sweep
        if s is None:
            return self.note
        i = int(np.argmin(np.abs(s.ai_share_pct - x)))
        return (
            f"{s.ai_share_pct[i]:.0f} % AI: NPV {s.npv_usd[i] / 1e6:,.1f} M, "
            f"P10 {s.p10_npv_usd[i] / 1e6:,.1f} M ({s.paths:,} paths)"
        )
