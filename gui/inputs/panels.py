"""Input panels: Site & energy (with the price source editor), Demand response, Bitcoin market,
Finance, and the equipment catalog."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import numpy as np
import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.engine.market.bitcoin import halving_schedule
from core.engine.market.prices import hourly_prices
from core.engine.market.timeline import build_timeline
from core.model import labels as specs
from core.model.project import FlatPrice, HourlySeriesPrice, TimeOfUsePrice
from gui.document import ProjectDocument
from gui.widgets.elided import ElidedLabel
from gui.widgets.fields import Field, add_fields
from gui.widgets.numbers import fixed, format_number, general, parse_number


def scrolling(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    return area


def form_group(
    title: str, doc: ProjectDocument, rows: list[tuple], prefix: str
) -> tuple[QGroupBox, dict[str, Field]]:
    box = QGroupBox(title)
    form = QFormLayout(box)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    return box, add_fields(form, doc, rows, prefix)


class PriceSourceEditor(QGroupBox):
    """Flat price, a 12×24 time-of-use grid, or an imported hourly CSV with a preview chart."""

    KINDS = (
        ("Flat price", "flat"),
        ("Time of use (12 × 24)", "tou"),
        ("Imported hourly CSV", "hourly"),
    )
    PATH = "site.energy.price_source"

    def __init__(self, doc: ProjectDocument, ask_csv: Callable[[], None]):
        super().__init__("Power price")
        self.doc = doc
        self._shown_source: object = None  # the source the grid and series label show
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel("Source"))
        self.kind = QComboBox()
        for label, value in self.KINDS:
            self.kind.addItem(label, value)
        self.kind.setToolTip("Where hourly prices come from. Negative prices are allowed.")
        self.kind.activated.connect(self._change_kind)
        row.addWidget(self.kind, 1)
        self.import_button = QPushButton("Import CSV…")
        self.import_button.setToolTip("Hourly prices: timestamp, $/MWh (one or more whole years)")
        self.import_button.clicked.connect(ask_csv)
        row.addWidget(self.import_button)
        lay.addLayout(row)
        self.stack = QStackedWidget()
        lay.addWidget(self.stack)
        # flat
        flat = QWidget()
        f = QFormLayout(flat)
        self.flat_fields = add_fields(
            f,
            doc,
            [("price_usd_per_mwh", "Price", "USD/MWh", "Every hour's price before escalation.")],
            self.PATH + ".",
        )
        self.stack.addWidget(flat)
        # time of use
        # Hours down, months across: 12 columns fit the panel.
        self.grid = QTableWidget(24, 12)
        self.grid.setHorizontalHeaderLabels(
            ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        )
        self.grid.setVerticalHeaderLabels([f"{h:02d}:00" for h in range(24)])
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # Wide enough for three digits and a decimal ("137.8") at the grid's font.
        self.grid.horizontalHeader().setMinimumSectionSize(29)
        self.grid.verticalHeader().setDefaultSectionSize(20)
        self.grid.setStyleSheet(
            "QTableWidget { font-size: 10px; } QTableWidget::item { padding: 0px; }"
        )
        self.grid.setToolTip("USD/MWh by local hour (rows) and month (columns). Edit a cell.")
        self.grid.setMinimumHeight(24 * 20 + 30)
        self.grid.itemChanged.connect(self._grid_edited)
        self.grid_error = QLabel()
        self.grid_error.setStyleSheet("color: #c62828;")
        self.grid_error.setWordWrap(True)
        self._bad_cells: dict[str, str] = {}  # path → message of each refused cell
        tou = QWidget()
        tl = QVBoxLayout(tou)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.grid)
        tl.addWidget(self.grid_error)
        self.stack.addWidget(tou)
        # hourly
        hourly = QWidget()
        hl = QVBoxLayout(hourly)
        hl.setContentsMargins(0, 0, 0, 0)
        # The file's name on one line (a long one cut with "…", whole in the tooltip), its
        # figures wrapped below: neither widens the panel.
        self.series_name = ElidedLabel()
        self.series_name.setStyleSheet("font-weight: 600;")
        hl.addWidget(self.series_name)
        self.series_label = QLabel()
        self.series_label.setWordWrap(True)
        hl.addWidget(self.series_label)
        self.preview = pg.PlotWidget()
        self.preview.setMinimumHeight(160)
        self.preview.setLabel("left", "USD/MWh")
        self.preview.setLabel("bottom", "hour of the first year")
        self.preview_curve = self.preview.plot(pen=pg.mkPen("#1f77b4", width=1))
        self.preview_curve.setDownsampling(auto=True, method="peak")
        hl.addWidget(self.preview)
        self.stack.addWidget(hourly)
        # spikes (flat and time of use)
        self.spikes = QWidget()
        sf = QFormLayout(self.spikes)
        add_fields(
            sf,
            doc,
            [
                (
                    "hours_per_year",
                    "Spike hours",
                    "h/year",
                    "Seeded scarcity hours a year, summer 15:00–21:00 (flat and time-of-use only).",
                    specs.INT,
                ),
                ("price_usd_per_mwh", "Spike price", "USD/MWh", "Price in a spike hour."),
                (
                    "seed",
                    "Spike seed",
                    "",
                    "Seed of the spike hours: same seed, same hours.",
                    specs.ID,
                ),
            ],
            self.PATH + ".spikes.",
        )
        lay.addWidget(self.spikes)
        doc.project_changed.connect(self.refresh)
        self.refresh()

    def refresh(self, *_: object) -> None:
        src = self.doc.project.site.energy.price_source
        self.kind.setCurrentIndex([k for _, k in self.KINDS].index(src.kind))
        self.stack.setCurrentIndex(self.kind.currentIndex())
        self.spikes.setVisible(src.kind != "hourly")
        if src == self._shown_source and not self._bad_cells:
            return  # another input changed: the 288 cells already show this source
        self._shown_source = src
        if isinstance(src, TimeOfUsePrice):
            self.grid.blockSignals(True)
            for month, row in enumerate(src.matrix_usd_per_mwh):
                for hour, v in enumerate(row):
                    item = self.grid.item(hour, month)
                    if item is None:
                        item = QTableWidgetItem()
                        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                        self.grid.setItem(hour, month, item)
                    item.setText(format_number(v))
                    item.setToolTip(f"{general(v)} USD/MWh")
                    item.setData(Qt.ItemDataRole.BackgroundRole, None)
            self.grid.blockSignals(False)
            self._clear_grid_marks()
        elif isinstance(src, HourlySeriesPrice):
            years = len(src.years_usd_per_mwh)
            first = np.asarray(src.years_usd_per_mwh[0])
            self.series_name.setText(src.source_name or "imported series")
            self.series_label.setText(
                f"{years} year(s) from {src.first_year}; first year mean {fixed(first.mean(), 2)} "
                f"USD/MWh, max {fixed(first.max())}, {int((first < 0).sum())} negative hours"
            )
            self.preview_curve.setData(np.arange(first.size), first)

    def _mean_price(self) -> float:
        tl = build_timeline(self.doc.project.finance.start_month, 1)
        return round(float(hourly_prices(self.doc.project.site.energy, tl).mean()), 2)

    def _change_kind(self, index: int) -> None:
        kind = self.kind.itemData(index)
        current = self.doc.project.site.energy.price_source
        if kind == current.kind:
            return
        if kind == "hourly":
            self.refresh()  # a series only comes from an import
            self.import_button.click()
            return
        mean = self._mean_price()
        spikes = getattr(current, "spikes", None) or FlatPrice(price_usd_per_mwh=0).spikes
        new = (
            FlatPrice(price_usd_per_mwh=mean, spikes=spikes)
            if kind == "flat"
            else TimeOfUsePrice(matrix_usd_per_mwh=[[mean] * 24] * 12, spikes=spikes)
        )
        self.doc.set_value(
            self.PATH, new.model_dump(mode="json"), f"Price source: {self.kind.itemText(index)}"
        )
        self.doc.end_edit()

    def _grid_edited(self, item: QTableWidgetItem) -> None:
        """A cell validates like any field: a refused value is marked red with the reason
        beside the grid, is not applied, and the results stay those of the last valid grid."""
        path = f"{self.PATH}.matrix_usd_per_mwh[{item.column()}][{item.row()}]"
        header = self.grid.horizontalHeaderItem(item.column())
        month = header.text() if header is not None else ""
        where = f"Time-of-use price, {month} {item.row():02d}:00"
        try:
            value = parse_number(item.text(), integer=False)
        except ValueError:
            problems = [f"{where}: must be a number in USD/MWh, got {item.text().strip()!r}"]
        else:
            problems = self.doc.set_value(path, value, f"Edit time-of-use price ({month})")
            self.doc.end_edit()
            problems = [p.replace(path, where) for p in problems]
        self._mark_cell(item, path, problems)

    def _mark_cell(self, item: QTableWidgetItem, path: str, problems: list[str]) -> None:
        if shiboken6.isValid(self.grid):
            self.grid.blockSignals(True)
            item.setData(Qt.ItemDataRole.BackgroundRole, QColor("#ffcdd2") if problems else None)
            self.grid.blockSignals(False)
        if problems:
            self._bad_cells[path] = problems[0]
        else:
            self._bad_cells.pop(path, None)
        self.doc.mark_invalid(path, problems[0] if problems else None)
        self.grid_error.setText("\n".join(self._bad_cells.values()))

    def _clear_grid_marks(self) -> None:
        """A refresh from the model (undo, open) rewrote every cell: no mark stays."""
        for path in list(self._bad_cells):
            self.doc.mark_invalid(path, None)
        self._bad_cells.clear()
        self.grid_error.setText("")


class SitePanel(QWidget):
    def __init__(self, doc: ProjectDocument, ask_csv: Callable[[], None]):
        super().__init__()
        lay = QVBoxLayout(self)
        box, self.fields = form_group("Site", doc, specs.SITE, "site.")
        lay.addWidget(box)
        self.price = PriceSourceEditor(doc, ask_csv)
        lay.addWidget(self.price)
        box, energy = form_group("Contract and grid charges", doc, specs.ENERGY, "site.energy.")
        self.fields |= energy
        lay.addWidget(box)
        lay.addStretch(1)


class DemandResponsePanel(QWidget):
    def __init__(self, doc: ProjectDocument):
        super().__init__()
        lay = QVBoxLayout(self)
        box, self.fields = form_group(
            "Demand response (flexible load only)",
            doc,
            specs.DEMAND_RESPONSE,
            "site.demand_response.",
        )
        lay.addWidget(box)
        note = QLabel(
            "AI load is firm: it cannot enrol, is never curtailed and pays 4CP. "
            "Economic curtailment income is implicit under index pricing and explicit "
            "(power credits) under a fixed-price block."
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        lay.addWidget(note)
        lay.addStretch(1)


class MarketPanel(QWidget):
    def __init__(self, doc: ProjectDocument):
        super().__init__()
        self.doc = doc
        lay = QVBoxLayout(self)
        rows = [
            r
            if r[0] != "next_halving_date"
            else (*r[:4], {**cast(dict[str, object], r[4]), "placeholder": self._projected})
            for r in specs.MARKET
        ]
        box, self.fields = form_group("Bitcoin market", doc, rows, "market.")
        lay.addWidget(box)
        lay.addStretch(1)

    def _projected(self) -> str:
        _h, when, _s = halving_schedule(self.doc.project.market, 1)[0]
        return f"projected {when:%Y-%m-%d}"


class FinancePanel(QWidget):
    def __init__(self, doc: ProjectDocument):
        super().__init__()
        lay = QVBoxLayout(self)
        box, self.fields = form_group(
            "Project",
            doc,
            [
                ("name", "Project name", "", "Shown in the title bar and exports.", specs.TEXT),
                (
                    "notes",
                    "Notes",
                    "",
                    "Free text kept with the project, several lines (Tab moves on).",
                    {"kind": "notes"},
                ),
            ],
            "",
        )
        lay.addWidget(box)
        box, fin = form_group("Finance", doc, specs.FINANCE, "finance.")
        self.fields |= fin
        lay.addWidget(box)
        lay.addStretch(1)
