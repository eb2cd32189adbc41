"""Live charts (pyqtgraph): cumulative cash flow, revenue/cost stack, hashprice, hourly price.

Plot items are created once and updated with setData; a chart never clears and re-plots.
Each chart has a hover readout, legend toggles (click a legend entry), reset view, and export
to PNG and SVG.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QSpinBox,
    QWidget,
)

from core.engine.columns import MONTHLY_COLUMNS
from core.engine.detail import HourlyDetail
from core.engine.evaluation import ProjectResult
from core.engine.market.bitcoin import halving_schedule
from core.engine.market.timeline import parse_month
from core.model.project import Project
from gui.widgets.chart import ChartPanel
from gui.widgets.colours import color
from gui.widgets.numbers import fixed, general


class CumulativeChart(ChartPanel):
    """Cumulative free cash flow of every strategy, zero line, payback markers, weighted curves."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Cumulative free cash flow", "USD million", parent=parent)
        self.plot.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen("#888", width=1)))
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.weighted: dict[str, pg.PlotDataItem] = {}
        self.markers = pg.ScatterPlotItem(size=9, symbol="o", pen=pg.mkPen("k"))
        self.plot.addItem(self.markers)
        self._result: ProjectResult | None = None
        self._drawn: dict[object, np.ndarray] = {}  # each curve's data as last set

    def update_result(self, result: ProjectResult) -> None:
        self._result = result
        self.month_labels(result.months)
        x = np.arange(len(result.months))
        names = [s.name for s in result.strategies]
        for gone in [n for n in self.curves if n not in names]:
            self._remove(self.curves.pop(gone))
        for gone in [n for n in self.weighted if n not in names]:
            self._remove(self.weighted.pop(gone))
        spots = []
        for s in result.strategies:
            curve = self.curves.get(s.name)
            if curve is None:
                curve = self.plot.plot(name=s.name)
                self.curves[s.name] = curve
            self.set_pen(curve, self.colours(s.name), 2.0, self.colours.line(s.name))
            self._set_data(curve, x, s.monthly["cumulative_fcf_usd"])
            w = s.weighted_cumulative_fcf_usd
            if w is not None:
                wc = self.weighted.get(s.name)
                if wc is None:
                    wc = self.plot.plot(name=f"{s.name} (weighted)")
                    self.weighted[s.name] = wc
                # Its strategy's colour and line, thin: told apart from it on screen and paper.
                self.set_pen(wc, self.colours(s.name), 0.8, self.colours.line(s.name))
                self._set_data(wc, x, w)
            elif s.name in self.weighted:
                self._remove(self.weighted.pop(s.name))
            pb = s.kpis.payback_months
            if pb is not None and 0 < pb <= len(x):
                spots.append(
                    {
                        "pos": (pb - 1, s.monthly["cumulative_fcf_usd"][pb - 1] / 1e6),
                        "brush": pg.mkBrush(self.colours(s.name)),
                        "data": s.name,
                    }
                )
        self.markers.setData(spots)

    def _set_data(self, curve: pg.PlotDataItem, x: np.ndarray, usd: np.ndarray) -> None:
        """Plot ``usd`` in millions, unless the curve already shows exactly these values (an
        edit of one strategy leaves the others' curves as they are)."""
        last = self._drawn.get(curve)
        if last is not None and (last is usd or np.array_equal(last, usd)) and len(x) == len(usd):
            return
        self._drawn[curve] = usd
        curve.setData(x, usd / 1e6)

    def _remove(self, item: pg.PlotDataItem) -> None:
        self._drawn.pop(item, None)
        self.legend.removeItem(item)
        self.plot.removeItem(item)

    def describe(self, x: float, y: float) -> str:
        r = self._result
        if r is None:
            return ""
        m = round(x)
        if not 0 <= m < len(r.months):
            return ""
        parts = [f"{r.months[m]}"]
        for s in r.strategies:
            parts.append(f"{s.name}: {fixed(s.monthly['cumulative_fcf_usd'][m] / 1e6, 1)} M")
        return "   ".join(parts)


# Stacked streams: up the revenues, down the costs. Legend names come from the monthly table's
# columns; demand and 4CP charges share one bar.
GRID_CHARGES = ("demand_charge_usd", "fourcp_charge_usd")
STACK_UP = [
    ("revenue_mining_usd", "#f2a900"),
    ("revenue_colocation_usd", "#1f77b4"),
    ("revenue_gpu_cloud_usd", "#17becf"),
    ("revenue_hosting_usd", "#bcbd22"),
    ("power_passthrough_usd", "#9ecae1"),
    ("dr_capacity_usd", "#2ca02c"),
    ("power_credits_usd", "#98df8a"),
]
STACK_DOWN = [
    ("energy_cost_usd", "#d62728"),
    ("grid_charges_usd", "#ff9896"),
    ("opex_usd", "#7f7f7f"),
    ("tax_usd", "#8c564b"),
]
STACK_LABELS = {
    key: MONTHLY_COLUMNS[key].short for key, _ in STACK_UP + STACK_DOWN if key in MONTHLY_COLUMNS
} | {"grid_charges_usd": " + ".join(MONTHLY_COLUMNS[k].short for k in GRID_CHARGES)}


class StackChart(ChartPanel):
    """Monthly revenue streams (up) and costs (down) of one strategy, with EBITDA."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Monthly revenue and cost", "USD million", parent=parent)
        self.bars: dict[str, pg.BarGraphItem] = {}
        self.labels = STACK_LABELS
        for key, col in STACK_UP + STACK_DOWN:
            bar = pg.BarGraphItem(x=[0], height=[0], width=0.85, brush=col, pen=pg.mkPen(None))
            self.plot.addItem(bar)
            self.bars[key] = bar
        self.ebitda = self.plot.plot(pen=pg.mkPen("k", width=1.5))
        self._shown: list[str] = []
        self._table: dict[str, np.ndarray] | None = None
        self._months: list[str] = []
        self.strategy = ""

    def update_result(self, result: ProjectResult, strategy: str) -> None:
        s = next((r for r in result.strategies if r.name == strategy), result.strategies[0])
        self.strategy = s.name
        self.title_suffix = s.name
        t = dict(s.monthly)
        t["grid_charges_usd"] = sum((t[k] for k in GRID_CHARGES), np.zeros(len(result.months)))
        self._table, self._months = t, result.months
        self.month_labels(result.months)
        x = np.arange(len(result.months))
        shown = []
        for stack, sign in ((STACK_UP, 1.0), (STACK_DOWN, -1.0)):
            base = np.zeros(x.size)
            for key, _ in stack:
                h = sign * t[key] / 1e6
                self.bars[key].setOpts(x=x, height=h, y0=base.copy())
                self.bars[key].setVisible(bool(np.any(h)))
                if np.any(h):
                    shown.append(key)
                base = base + h
        self.ebitda.setData(x, t["ebitda_usd"] / 1e6)
        if shown != self._shown:  # legend lists only the streams this strategy has
            self.legend.clear()
            for key in shown:
                self.legend.addItem(self.bars[key], self.labels[key])
            self.legend.addItem(self.ebitda, "EBITDA")
            self._shown = shown

    def describe(self, x: float, y: float) -> str:
        t = self._table
        m = round(x)
        if t is None or not 0 <= m < len(self._months):
            return ""
        return (
            f"{self.strategy} {self._months[m]}: "
            f"revenue {fixed(t['revenue_total_usd'][m] / 1e6, 2)} M"
            f"  energy {fixed(t['energy_cost_usd'][m] / 1e6, 2)} M"
            f"  EBITDA {fixed(t['ebitda_usd'][m] / 1e6, 2)} M"
        )


class HashpriceChart(ChartPanel):
    """Monthly hashprice with the halvings marked."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Hashprice projection", "USD per PH/s per day", parent=parent)
        self.legend.hide()  # one series: the title names it
        self.curve = self.plot.plot(pen=pg.mkPen("#f2a900", width=2))
        self.halvings: list[pg.InfiniteLine] = []
        self._hp: np.ndarray | None = None
        self._months: list[str] = []

    def update_result(self, result: ProjectResult, project: Project) -> None:
        hp = result.strategies[0].monthly["hashprice_usd_per_ph_day"]
        self._hp, self._months = hp, result.months
        self.month_labels(result.months)
        self.curve.setData(np.arange(hp.size), hp)
        start = parse_month(project.finance.start_month)
        marks = []
        for height, when, after in halving_schedule(project.market, 8):
            m = (when.year - start.year) * 12 + when.month - start.month + (when.day - 1) / 31
            if 0 <= m < hp.size:
                marks.append(
                    (m, f"halving {when:%Y-%m-%d} (block {fixed(height)}, {general(after)} BTC)")
                )
        while len(self.halvings) < len(marks):
            line = pg.InfiniteLine(
                angle=90,
                pen=pg.mkPen("#888", style=Qt.PenStyle.DashLine),
                label="",
                labelOpts={"position": 0.97, "color": "#555", "anchors": [(0, 0), (0, 0)]},
            )
            self.plot.addItem(line)
            self.halvings.append(line)
        for i, line in enumerate(self.halvings):
            if i < len(marks):
                line.setPos(marks[i][0])
                line.label.setFormat(f"halving {marks[i][1][8:15]}")
                # Near the right edge the label sits left of its line, inside the plot.
                side = (1, 0) if marks[i][0] > 0.8 * hp.size else (0, 0)
                line.label.anchors = [side, side]
                line.label.setAnchor(side)
                line.label.setPosition(0.97 if i % 2 == 0 else 0.87)  # neighbours apart
                line.setToolTip(marks[i][1])
                line.show()
            else:
                line.hide()

    def describe(self, x: float, y: float) -> str:
        m = round(x)
        if self._hp is None or not 0 <= m < self._hp.size:
            return ""
        return f"{self._months[m]}: {fixed(self._hp[m], 2)} USD/PH/day"


class HourlyChart(ChartPanel):
    """One year of hourly prices, curtailed hours shaded, each mining block's break-even."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Hourly price and curtailment", "USD/MWh", month_axis=False, parent=parent)
        self.plot.setLabel("bottom", "hour of year")
        self.year = QSpinBox()
        self.year.setPrefix("year ")
        self.year.setToolTip("Which year of the horizon to show (1 = first)")
        self.year.setRange(1, 10)
        self.header.insertWidget(1, self.year)
        self.shade = pg.PlotDataItem(pen=pg.mkPen(214, 39, 40, 70, width=1), name="curtailed hours")
        self.plot.addItem(self.shade)
        self.price = self.plot.plot(name="price", pen=pg.mkPen("#1f77b4", width=1), antialias=False)
        self.price.setDownsampling(auto=True, method="peak")
        self.price.setClipToView(True)
        self.breakevens: dict[str, pg.PlotDataItem] = {}
        self._detail: HourlyDetail | None = None

    def update_detail(self, detail: HourlyDetail) -> None:
        self._detail = detail
        p = detail.price_usd_per_mwh
        x = np.arange(p.size)
        self.price.setData(x, p)
        curtailed = np.zeros(p.size, dtype=bool)
        for flags in detail.curtailed.values():
            curtailed |= flags
        top = self._top(detail)
        lo = min(0.0, float(p.min()))
        # Each run of curtailed hours as an outlined box (start, end): visible even when one
        # hour wide, and one shape per run rather than per hour.
        edges = np.diff(np.concatenate(([0], curtailed.astype(np.int8), [0])))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        xs = np.column_stack([starts, starts, ends, ends, starts]).ravel().astype(float)
        ys = np.tile([lo, top, top, lo, lo], starts.size)
        connect = np.tile([1, 1, 1, 1, 0], starts.size).astype(bool)
        self.shade.setData(xs, ys, connect=connect)
        for gone in [k for k in self.breakevens if k not in detail.breakeven_usd_per_mwh]:
            item = self.breakevens.pop(gone)
            self.legend.removeItem(item)
            self.plot.removeItem(item)
        for i, (name, be) in enumerate(detail.breakeven_usd_per_mwh.items()):
            item = self.breakevens.get(name)
            if item is None:
                item = self.plot.plot(name=f"break-even: {name}")
                self.breakevens[name] = item
            item.setPen(pg.mkPen(color(i + 2), width=1.5, style=Qt.PenStyle.DashLine))
            item.setData(x, be, connect="finite")
        self.reset_view()

    @staticmethod
    def _top(detail: HourlyDetail) -> float:
        p = detail.price_usd_per_mwh
        levels = [float(np.percentile(p, 99.5)) * 1.3]
        for be in detail.breakeven_usd_per_mwh.values():
            if np.isfinite(be).any():
                levels.append(float(np.nanmax(be)) * 1.2)
        return max([*levels, 10.0])

    def reset_view(self) -> None:
        if self._detail is None:
            return super().reset_view()
        p = self._detail.price_usd_per_mwh
        self.plot.setXRange(0, p.size, padding=0)
        self.plot.setYRange(min(0.0, float(p.min())), self._top(self._detail), padding=0.02)

    def describe(self, x: float, y: float) -> str:
        d = self._detail
        h = round(x)
        if d is None or not 0 <= h < d.price_usd_per_mwh.size:
            return ""
        parts = [
            f"hour {h} (day {h // 24 + 1}, {h % 24:02d}:00): "
            f"{fixed(d.price_usd_per_mwh[h], 2)} USD/MWh"
        ]
        for name, flags in d.curtailed.items():
            parts.append(f"{name}: {'off' if flags[h] else 'on'}")
        return "   ".join(parts)
