"""The properties of the selected plan items: the block each feeds, miners or servers, cooling
and its kW limit, CDU capacity, transformer MVA, a label. An edit applies to every selected
item of the same kind."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from core.model.plan import COOLING_LABELS, KIND_LABELS, PlanItem

COUNTED = ("asic_rack", "container", "gpu_rack")


def _kw(top: float, tip: str, suffix: str = " kW") -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(0, top)
    box.setDecimals(1)
    box.setSingleStep(10)
    box.setSuffix(suffix)
    box.setToolTip(tip)
    box.setKeyboardTracking(False)
    return box


class ItemProperties(QGroupBox):
    changed = Signal(dict)  # field → new value, for the selected items

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Selected item", parent)
        form = QFormLayout(self)
        self.what = QLabel("Nothing selected")
        self.what.setWordWrap(True)
        self.block = QComboBox()
        self.block.setToolTip("The strategy block whose ASIC or server count this item adds to")
        self.units = QSpinBox()
        self.units.setRange(0, 100_000)
        self.units.setKeyboardTracking(False)
        self.units.setToolTip("Miners on the shelf or in the container; servers in the rack")
        self.cooling = QComboBox()
        for key, label in COOLING_LABELS.items():
            self.cooling.addItem(label, key)
        self.cooling.setToolTip("How the item sheds heat; rear-door and direct liquid use CDUs")
        self.limit = _kw(100_000, "Most IT load the item's cooling can carry (kW)")
        self.cdu = _kw(1_000_000, "Heat the CDU can reject (kW)")
        self.mva = _kw(10_000, "Transformer rating (MVA)", " MVA")
        self.label = QLineEdit()
        self.label.setMaxLength(60)
        self.label.setPlaceholderText("(automatic)")
        self.label.setToolTip("A name shown in violations and exports")
        self.rows: dict[str, QWidget] = {
            "block": self.block,
            "units": self.units,
            "cooling": self.cooling,
            "cooling_limit_kw": self.limit,
            "cooling_kw": self.cdu,
            "mva": self.mva,
            "label": self.label,
        }
        form.addRow(self.what)
        for key, text in (
            ("block", "Counts towards"),
            ("units", "Miners / servers"),
            ("cooling", "Cooling"),
            ("cooling_limit_kw", "Cooling limit"),
            ("cooling_kw", "CDU capacity"),
            ("mva", "Rating"),
            ("label", "Label"),
        ):
            form.addRow(text, self.rows[key])
        self.form = form
        self._filling = False
        self.block.activated.connect(
            lambda _: self._emit("block", self.block.currentData() or None)
        )
        self.units.valueChanged.connect(lambda v: self._emit("units", int(v)))
        self.cooling.activated.connect(lambda _: self._emit("cooling", self.cooling.currentData()))
        self.limit.valueChanged.connect(lambda v: self._emit("cooling_limit_kw", float(v)))
        self.cdu.valueChanged.connect(lambda v: self._emit("cooling_kw", float(v)))
        self.mva.valueChanged.connect(lambda v: self._emit("mva", float(v)))
        self.label.editingFinished.connect(lambda: self._emit("label", self.label.text().strip()))
        self.show_items([], {})

    def _emit(self, key: str, value: Any) -> None:
        if not self._filling:
            self.changed.emit({key: value})

    def show_items(self, items: list[PlanItem], blocks: dict[str, list[str]]) -> None:
        """Show the first item's values; ``blocks`` lists linkable block names per kind."""
        self._filling = True
        try:
            if not items:
                self.what.setText("Nothing selected: drag an item from the palette")
                for w in self.rows.values():
                    self.form.setRowVisible(w, False)
                return
            first = items[0]
            same = sum(1 for i in items if i.kind == first.kind)
            more = f" (and {same - 1} more like it)" if same > 1 else ""
            self.what.setText(f"<b>{KIND_LABELS[first.kind]}</b>{more}")
            shown = {
                "block": first.kind in COUNTED,
                "units": first.kind in COUNTED,
                "cooling": first.kind in (*COUNTED, "cdu"),
                "cooling_limit_kw": first.kind in COUNTED,
                "cooling_kw": first.kind == "cdu",
                "mva": first.kind == "power_pad",
                "label": len(items) == 1,
            }
            for key, w in self.rows.items():
                self.form.setRowVisible(w, shown[key])
            self.block.clear()
            for name in blocks.get(first.kind, []):
                self.block.addItem(name, name)
            if first.block is not None and self.block.findData(first.block) < 0:
                self.block.addItem(f"{first.block} (missing)", first.block)
            self.block.addItem("(not counted)", "")
            self.block.setCurrentIndex(max(0, self.block.findData(first.block or "")))
            self.units.setValue(first.units)
            self.cooling.setCurrentIndex(max(0, self.cooling.findData(first.cooling)))
            self.limit.setValue(first.cooling_limit_kw)
            self.cdu.setValue(first.cooling_kw)
            self.mva.setValue(first.mva)
            self.label.setText(first.label)
        finally:
            self._filling = False
