"""Dialogs of the floor-plan editor: a hangar (size, doors, the site's aisle rules) and an
auto-layout (which item, linked to which block, in which rectangle)."""

from __future__ import annotations

from typing import cast

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from core.model.plan import CDU_COOLED, TEMPLATE_LABELS, TEMPLATES, Door, Hangar, LayoutRules, Wall
from gui.widgets.numbers import general

WALLS = ("north", "south", "east", "west")


def metres(value: float, top: float, tip: str, low: float = 0.0) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(low, top)
    box.setDecimals(2)
    box.setSingleStep(0.1)
    box.setSuffix(" m")
    box.setValue(value)
    box.setToolTip(tip)
    return box


class HangarDialog(QDialog):
    """A hangar's name, length × width and doors, plus the clearances every plan keeps."""

    def __init__(self, hangar: Hangar, rules: LayoutRules, taken: list[str], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Hangar")
        self.taken = taken
        form = QFormLayout()
        self.name = QLineEdit(hangar.name)
        self.name.setMaxLength(120)
        self.length_m = metres(hangar.length_m, 2000, "Inside length, west to east wall (m)", 1)
        self.width_m = metres(hangar.width_m, 2000, "Inside width, north to south wall (m)", 1)
        form.addRow("Name", self.name)
        form.addRow("Length (west–east)", self.length_m)
        form.addRow("Width (north–south)", self.width_m)
        doors = QGroupBox("Doors (each keeps a clear egress zone inside it)")
        dl = QVBoxLayout(doors)
        self.doors = QTableWidget(0, 3)
        self.doors.setHorizontalHeaderLabels(["Wall", "From the west/north end", "Width"])
        self.doors.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.doors.horizontalHeader().setStretchLastSection(True)
        for door in hangar.doors:
            self.add_door(door)
        buttons = QHBoxLayout()
        add, remove = QPushButton("Add door"), QPushButton("Remove door")
        add.clicked.connect(lambda: self.add_door(Door(wall="north", offset_m=0.0)))
        remove.clicked.connect(self.remove_door)
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        dl.addWidget(self.doors)
        dl.addLayout(buttons)
        clear = QGroupBox("Clearances (all hangars and strategies)")
        cl = QFormLayout(clear)
        self.cold = metres(rules.cold_aisle_m, 20, "Clear aisle in front of racks (m); ≥ 1.2 m")
        self.hot = metres(rules.hot_aisle_m, 20, "Clear aisle behind racks (m); ≥ 0.9 m")
        self.door_depth = metres(
            rules.door_clearance_m, 50, "Depth of the clear zone inside each door (m)"
        )
        cl.addRow("Cold aisle (fronts)", self.cold)
        cl.addRow("Hot aisle (backs)", self.hot)
        cl.addRow("Door egress depth", self.door_depth)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b")
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(doors)
        layout.addWidget(clear)
        layout.addWidget(self.error)
        layout.addWidget(box)

    def add_door(self, door: Door) -> None:
        row = self.doors.rowCount()
        self.doors.insertRow(row)
        wall = QComboBox()
        wall.addItems(WALLS)
        wall.setCurrentText(door.wall)
        self.doors.setCellWidget(row, 0, wall)
        self.doors.setCellWidget(row, 1, metres(door.offset_m, 5000, "Door's nearer edge (m)"))
        self.doors.setCellWidget(row, 2, metres(door.width_m, 100, "Door width (m)", 0.1))

    def remove_door(self) -> None:
        rows = sorted({i.row() for i in self.doors.selectedIndexes()}, reverse=True)
        for row in rows or [self.doors.rowCount() - 1]:
            if row >= 0:
                self.doors.removeRow(row)

    def values(self) -> tuple[Hangar, LayoutRules]:
        doors = [
            Door(
                wall=cast(Wall, cast(QComboBox, self.doors.cellWidget(r, 0)).currentText()),
                offset_m=cast(QDoubleSpinBox, self.doors.cellWidget(r, 1)).value(),
                width_m=cast(QDoubleSpinBox, self.doors.cellWidget(r, 2)).value(),
            )
            for r in range(self.doors.rowCount())
        ]
        hangar = Hangar(
            name=self.name.text().strip() or "Hangar",
            length_m=self.length_m.value(),
            width_m=self.width_m.value(),
            doors=doors,
        )
        rules = LayoutRules(
            cold_aisle_m=self.cold.value(),
            hot_aisle_m=self.hot.value(),
            door_clearance_m=self.door_depth.value(),
        )
        return hangar, rules

    def accept(self) -> None:
        hangar, _ = self.values()
        if hangar.name in self.taken:
            self.error.setText(f"Name: another hangar is already called {hangar.name!r}")
            return
        for door in hangar.doors:
            along = hangar.length_m if door.wall in ("north", "south") else hangar.width_m
            if door.offset_m + door.width_m > along:
                self.error.setText(
                    f"The {door.wall} door ends at {general(door.offset_m + door.width_m)} m, "
                    "past the "
                    f"{general(along)} m wall"
                )
                return
        super().accept()


class AutoLayoutDialog(QDialog):
    """Which palette item to fill with, its block and units, and the rectangle to fill."""

    def __init__(
        self,
        hangar: Hangar,
        blocks: dict[str, list[str]],
        area: tuple[float, float, float, float],
        template: str = "asic_rack",
        parent: QWidget | None = None,
        defaults: dict[str, str | None] | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(f"Auto-layout: {hangar.name}")
        self.blocks = blocks
        self.defaults = defaults or {}  # the block a new item of each kind feeds by default
        form = QFormLayout(self)
        self.template = QComboBox()
        for key, label in TEMPLATE_LABELS.items():
            self.template.addItem(label, key)
        self.template.setCurrentIndex(max(0, self.template.findData(template)))
        self.block = QComboBox()
        self.units = QSpinBox()
        self.units.setRange(0, 100_000)
        self.units.setToolTip("Miners per shelf or container, servers per GPU rack")
        self.template.currentIndexChanged.connect(self._template_changed)
        x0, y0, x1, y1 = area
        self.west_m = metres(x0, hangar.length_m, "West edge of the area (m)")
        self.north_m = metres(y0, hangar.width_m, "North edge of the area (m)")
        self.length_m = metres(x1 - x0, hangar.length_m, "Area length, west to east (m)", 0.1)
        self.width_m = metres(y1 - y0, hangar.width_m, "Area width, north to south (m)", 0.1)
        self.replace = QCheckBox("Replace the items inside the area (others stay)")
        self.replace.setChecked(True)
        self.cdus = QCheckBox("With the CDUs their liquid heat needs (in a strip at the east end)")
        self.cdus.setToolTip(
            "Direct-liquid and rear-door racks reject their heat through CDUs: enough 800 kW "
            "units are placed for the racks laid out, so the plan's cooling check passes"
        )
        form.addRow("Item", self.template)
        form.addRow("Counts towards", self.block)
        form.addRow("Miners / servers each", self.units)
        form.addRow("From west", self.west_m)
        form.addRow("From north", self.north_m)
        form.addRow("Length", self.length_m)
        form.addRow("Width", self.width_m)
        form.addRow(self.replace)
        form.addRow(self.cdus)
        note = QLabel(
            "Rows run west–east: racks in facing pairs with cold and hot aisles, other items "
            "with a cold-aisle gap; door egress zones and kept items are avoided."
        )
        note.setWordWrap(True)
        form.addRow(note)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        form.addRow(box)
        self._template_changed()

    def _template_changed(self) -> None:
        key = self.template.currentData()
        kind = TEMPLATES[key]["kind"]
        self.block.clear()
        names = self.blocks.get(str(kind), [])
        for name in names:
            self.block.addItem(name, name)
        self.block.addItem("(not counted)", "")
        self.block.setCurrentIndex(max(0, self.block.findData(self.defaults.get(str(kind)) or "")))
        units = TEMPLATES[key].get("units")
        self.units.setValue(units if isinstance(units, int) else 0)
        self.units.setEnabled(kind in ("asic_rack", "container", "gpu_rack"))
        self.block.setEnabled(kind in ("asic_rack", "container", "gpu_rack"))
        liquid = kind == "gpu_rack" and TEMPLATES[key].get("cooling") in CDU_COOLED
        self.cdus.setEnabled(liquid)
        self.cdus.setChecked(liquid)

    def choice(
        self,
    ) -> tuple[str, dict[str, object], tuple[float, float, float, float], bool, bool]:
        """(palette key, item changes, area, replace the items inside, add CDUs)."""
        x, y = self.west_m.value(), self.north_m.value()
        area = (x, y, x + self.length_m.value(), y + self.width_m.value())
        changes: dict[str, object] = {"block": self.block.currentData() or None}
        if self.units.isEnabled():
            changes["units"] = self.units.value()
        with_cdus = self.cdus.isEnabled() and self.cdus.isChecked()
        return self.template.currentData(), changes, area, self.replace.isChecked(), with_cdus
