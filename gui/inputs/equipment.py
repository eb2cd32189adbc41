"""The Equipment tab: the bundled catalog (read-only, with its sources) and the project's own
ASIC and GPU server models, which can be added, duplicated from any model, edited and
deleted. Every change is one undoable step; a model in use keeps its blocks (an id changed
carries them along, a delete is refused with their names)."""

from __future__ import annotations

from html import escape
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.model.catalog import bundled_catalog, model_users, relinked_blocks
from core.model.project import AsicModel, GpuServerModel
from gui.document import ProjectDocument
from gui.widgets.numbers import format_number, parse_number

# (field, label, unit, tip, kind) of each model kind; kind: text, float, int, cooling, date.
SPEC_TIP = (
    "The document the figures come from: a data sheet, with its date "
    "(e.g. 'Bitmain Antminer S21 data sheet, 2024')"
)
PRICE_TIP = (
    "Where the price comes from: a quote, an index or a filing "
    "(e.g. 'Hashrate Index ASIC price index, Nov 2025')"
)
Row = tuple[str, str, str, str, str]


def _named(what: str) -> list[Row]:
    """The id and name rows every model has (``what``: "model", "server")."""
    return [
        (
            "id",
            "ID",
            "",
            f"How blocks name the {what} in the project file (letters, digits, _)",
            "text",
        ),
        ("name", "Name", "", f"Shown in the block's {what} list and the reports", "text"),
    ]


SOURCED: list[Row] = [  # where every model's figures come from, and when they held
    ("spec_source", "Spec source", "", SPEC_TIP, "text"),
    ("price_source", "Price source", "", PRICE_TIP, "text"),
    ("as_of", "As of", "YYYY-MM-DD", "The date the figures were true", "date"),
]
FIELDS: dict[str, list[Row]] = {
    "asic": [
        *_named("model"),
        ("hashrate_ths", "Hashrate", "TH/s", "Nominal hashrate at stock settings", "float"),
        ("power_w", "Power", "W", "Wall power at stock settings", "float"),
        ("cooling", "Cooling", "", "How the miner is cooled", "cooling"),
        ("price_usd", "Price", "USD", "Price per unit, delivered", "float"),
        *SOURCED,
    ],
    "gpu": [
        *_named("server"),
        ("gpus", "GPUs", "per server", "GPUs in one server", "int"),
        ("max_power_kw", "Max power", "kW", "The data sheet's maximum (sizes the load)", "float"),
        (
            "typical_power_kw",
            "Typical power",
            "kW",
            "Typical draw under load (sets the energy)",
            "float",
        ),
        ("price_usd", "Price", "USD", "Price per server with networking", "float"),
        *SOURCED,
    ],
}
MODEL_CLASS: dict[str, type[AsicModel] | type[GpuServerModel]] = {
    "asic": AsicModel,
    "gpu": GpuServerModel,
}
PROJECT_KEY = {"asic": "custom_asics", "gpu": "custom_gpu_servers"}
NOUN = {"asic": "ASIC model", "gpu": "GPU server"}
# The figures in columns; a project's own model is marked ✎; the sources of the selected model
# below its table (and in every row's tooltip), so the tables fit the panel at 1366 × 768.
COLUMNS = {
    "asic": ["Model", "TH/s", "W", "J/TH", "Cooling", "USD"],
    "gpu": ["Server", "GPUs", "Max kW", "Typ. kW", "USD"],
}
REQUIRED = ("spec_source", "price_source", "as_of")  # a project's own figures say where from


class ModelDialog(QDialog):
    """One model's figures, validated as the project file would be, with its sources."""

    def __init__(
        self,
        kind: str,
        data: dict[str, Any],
        taken: set[str],
        title: str,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.kind, self.taken = kind, taken
        self.setWindowTitle(title)
        form = QFormLayout(self)
        self.editors: dict[str, QLineEdit | QComboBox] = {}
        for field, label, unit, tip, how in FIELDS[kind]:
            editor: QLineEdit | QComboBox
            if how == "cooling":
                choice = QComboBox()
                for value in ("air", "hydro", "immersion"):
                    choice.addItem(value, value)
                choice.setCurrentIndex(max(choice.findData(data.get(field, "air")), 0))
                editor = choice
            else:
                line = QLineEdit()
                given = data.get(field)
                if given is None or given == "":
                    line.setText("")
                elif how in ("float", "int"):
                    line.setText(format_number(given))
                else:
                    line.setText(str(given))
                if how in ("float", "int"):
                    line.setAlignment(Qt.AlignmentFlag.AlignRight)
                editor = line
                editor.setPlaceholderText(unit if how == "date" else "")
            editor.setToolTip(tip + (f" ({unit})" if unit and how != "date" else ""))
            self.editors[field] = editor
            shown = f"{label} ({unit})" if unit and how != "date" else label
            form.addRow(shown, editor)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828;")
        form.addRow(self.error)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        box.accepted.connect(self._accept)
        box.rejected.connect(self.reject)
        form.addRow(box)
        self.model: AsicModel | GpuServerModel | None = None

    def values(self) -> tuple[dict[str, Any], list[str]]:
        """The typed figures and the problems with them, each naming its field."""
        out: dict[str, Any] = {}
        problems: list[str] = []
        labels = {f: label for f, label, *_ in FIELDS[self.kind]}
        for field, label, _unit, _tip, how in FIELDS[self.kind]:
            editor = self.editors[field]
            if isinstance(editor, QComboBox):
                out[field] = editor.currentData()
                continue
            text = editor.text().strip()
            if how in ("float", "int"):
                try:
                    out[field] = parse_number(text, integer=how == "int")
                except ValueError:
                    need = "a whole number" if how == "int" else "a number"
                    problems.append(f"{label}: must be {need}, got {text or '(empty)'!r}")
            else:
                out[field] = text or None
        for field in REQUIRED:
            if not out.get(field):
                problems.append(f"{labels[field]}: required for a project's own model")
        if out.get("id") in self.taken:
            problems.append(f"ID: {out['id']!r} is already a model's; choose another")
        return out, problems

    def _accept(self) -> None:
        data, problems = self.values()
        if not problems:
            try:
                self.model = MODEL_CLASS[self.kind].model_validate(data)
            except ValidationError as exc:
                labels = {f: label for f, label, *_ in FIELDS[self.kind]}
                problems = [
                    f"{labels.get(str(e['loc'][0]), e['loc'][0])}: {e['msg']}, got {e['input']!r}"
                    for e in exc.errors()
                ]
        self.error.setText("\n".join(problems))
        if not problems:
            self.accept()


class EquipmentPanel(QWidget):
    """The catalog and the project's own models: specs, prices, sources and as-of dates."""

    def __init__(self, doc: ProjectDocument) -> None:
        super().__init__()
        self.doc = doc
        cat = bundled_catalog()
        lay = QVBoxLayout(self)
        self.tables: dict[str, QTableWidget] = {}
        self.details: dict[str, QLabel] = {}  # the selected model's sources
        self.buttons: dict[str, dict[str, QPushButton]] = {}
        self.rows: dict[str, list[tuple[str, bool]]] = {}  # per table row: (model id, own)
        for kind, title, as_of, stretch in (
            ("asic", "ASIC miners", cat.asics_as_of, 3),
            ("gpu", "GPU servers", cat.gpu_servers_as_of, 1),
        ):
            lay.addWidget(QLabel(f"<b>{title}</b> (catalog as of {as_of})"))
            table = QTableWidget(0, len(COLUMNS[kind]))
            table.setHorizontalHeaderLabels(COLUMNS[kind])
            table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
            table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
            table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
            table.horizontalHeader().setStretchLastSection(True)
            table.verticalHeader().setVisible(False)
            table.itemSelectionChanged.connect(lambda k=kind: self._enable(k))
            table.cellDoubleClicked.connect(lambda _r, _c, k=kind: self._double_clicked(k))
            lay.addWidget(table, stretch)
            self.tables[kind] = table
            details = QLabel()
            details.setWordWrap(True)
            details.setStyleSheet("color: #444;")
            lay.addWidget(details)
            self.details[kind] = details
            row = QHBoxLayout()
            self.buttons[kind] = {}
            for name, text, tip, slot in (
                ("add", "Add…", f"A new {NOUN[kind]} of the project's own", self.add),
                (
                    "duplicate",
                    "Duplicate…",
                    "A project copy of the selected model, to edit",
                    self.duplicate,
                ),
                (
                    "edit",
                    "Edit…",
                    "Change the selected project model (catalog models are read-only)",
                    self.edit,
                ),
                (
                    "delete",
                    "Delete",
                    "Remove the selected project model (not while a block runs on it)",
                    self.delete,
                ),
            ):
                button = QPushButton(text)
                button.setToolTip(tip)
                button.clicked.connect(lambda _=False, k=kind, f=slot: f(k))
                row.addWidget(button)
                self.buttons[kind][name] = button
            row.addStretch(1)
            lay.addLayout(row)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828;")
        lay.addWidget(self.message)
        note = QLabel(
            "Catalog models are read-only: duplicate one to change it. A project's own models "
            "(✎) are saved with the project and need their sources and as-of date. Check "
            "specs before use: catalogs disagree by a few %."
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        lay.addWidget(note)
        self._shown: tuple | None = None  # the project's own models the tables show
        doc.project_changed.connect(self.refresh)
        self.refresh()

    # ------------------------------------------------------------------ model → tables
    def _models(self, kind: str) -> list[tuple[Any, bool]]:
        cat = bundled_catalog()
        bundled = cat.asics if kind == "asic" else cat.gpu_servers
        own = getattr(self.doc.project, PROJECT_KEY[kind])
        return [(m, False) for m in bundled.values()] + [(m, True) for m in own]

    def refresh(self, *_: object) -> None:
        """Rebuild the tables when the project's own models changed (an edit elsewhere, a
        BTC price or a lease, leaves them as they are)."""
        shown = (self.doc.project.custom_asics, self.doc.project.custom_gpu_servers)
        if shown == self._shown:
            return
        self._shown = shown
        for kind, table in self.tables.items():
            models = self._models(kind)
            selected = self.selected(kind)
            table.setRowCount(len(models))
            self.rows[kind] = [(m.id, own) for m, own in models]
            for r, (m, own) in enumerate(models):
                cells = self._cells(kind, m, own)
                tip = (
                    f"{m.name} ({m.id}), {'the project' if own else 'the catalog'}\n"
                    f"Specs: {m.spec_source or '—'}\nPrice: {m.price_source or '—'}\n"
                    f"As of {m.as_of or '—'}"
                )
                for c, text in enumerate(cells):
                    item = QTableWidgetItem(text)
                    item.setToolTip(tip)
                    if c >= 1:
                        item.setTextAlignment(
                            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                        )
                    if not own:
                        item.setForeground(QColor("#555"))
                    table.setItem(r, c, item)
            table.resizeColumnsToContents()
            if selected in [i for i, _ in self.rows[kind]]:
                table.selectRow([i for i, _ in self.rows[kind]].index(selected))
            self._enable(kind)

    @staticmethod
    def _cells(kind: str, m: Any, own: bool) -> list[str]:
        name = f"✎ {m.name}" if own else m.name  # the project's own
        if kind == "asic":
            return [
                name,
                format_number(m.hashrate_ths),
                format_number(round(m.power_w)),
                QLocale().toString(m.efficiency_j_per_th, "f", 1),  # "15.0" beside "17.5"
                m.cooling,
                format_number(round(m.price_usd)),
            ]
        return [
            name,
            format_number(m.gpus),
            format_number(m.max_power_kw),
            format_number(m.typical_power_kw),
            format_number(round(m.price_usd)),
        ]

    def selected(self, kind: str) -> str | None:
        rows = self.tables[kind].selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.rows.get(kind, [])):
            return None
        return self.rows[kind][rows[0].row()][0]

    def _own(self, kind: str, model_id: str | None) -> bool:
        return any(i == model_id and own for i, own in self.rows[kind])

    def _enable(self, kind: str) -> None:
        chosen = self.selected(kind)
        own = self._own(kind, chosen)
        m = self._find(kind, chosen)
        self.details[kind].setText(
            f"<b>{escape(m.name)}</b> ({'the project' if own else 'the catalog'}, as of "
            f"{escape(m.as_of or '—')}). Specs: {escape(m.spec_source or '—')}. "
            f"Price: {escape(m.price_source or '—')}."
            if m is not None
            else "Select a model to see its sources."
        )
        b = self.buttons[kind]
        b["duplicate"].setEnabled(chosen is not None)
        b["edit"].setEnabled(own)
        b["delete"].setEnabled(own)

    def _double_clicked(self, kind: str) -> None:
        (self.edit if self._own(kind, self.selected(kind)) else self.duplicate)(kind)

    # ------------------------------------------------------------------ edits
    def _taken(self, kind: str, but: str | None = None) -> set[str]:
        return {i for i, _ in self.rows[kind] if i != but}

    def _ask(self, kind: str, data: dict[str, Any], title: str, but: str | None = None):
        dialog = ModelDialog(kind, data, self._taken(kind, but), title, self)
        return dialog.model if dialog.exec() == QDialog.DialogCode.Accepted else None

    def add(self, kind: str) -> None:
        model = self._ask(kind, {"cooling": "air"}, f"Add a {NOUN[kind]}")
        if model is not None:
            self._save(
                kind, [*self._own_list(kind), model.model_dump(mode="json")], f"Add {model.name}"
            )

    def duplicate(self, kind: str) -> None:
        source = self._find(kind, self.selected(kind))
        if source is None:
            return
        data = source.model_dump(mode="json")
        taken = self._taken(kind)
        base, n = f"{source.id}_custom", 2
        data["id"] = base
        while data["id"] in taken:
            data["id"], n = f"{base}_{n}", n + 1
        data["name"] = f"{source.name} (custom)"[:120]
        model = self._ask(kind, data, f"Duplicate {source.name}")
        if model is not None:
            self._save(
                kind,
                [*self._own_list(kind), model.model_dump(mode="json")],
                f"Duplicate {source.name}",
            )

    def edit(self, kind: str) -> None:
        chosen = self.selected(kind)
        if not self._own(kind, chosen):
            return
        old = self._find(kind, chosen)
        assert old is not None
        model = self._ask(kind, old.model_dump(mode="json"), f"Edit {old.name}", but=old.id)
        if model is None:
            return
        own = [
            model.model_dump(mode="json") if m["id"] == old.id else m for m in self._own_list(kind)
        ]
        self._save(kind, own, f"Edit {model.name}", renamed=(old.id, model.id))

    def delete(self, kind: str) -> None:
        chosen = self.selected(kind)
        if not self._own(kind, chosen):
            return
        users = model_users(self.doc.project, kind, str(chosen))
        if users:
            self.message.setText(
                f"{chosen} is in use by {', '.join(users)}: give those blocks another model first."
            )
            return
        own = [m for m in self._own_list(kind) if m["id"] != chosen]
        self._save(kind, own, f"Delete {chosen}")

    def _own_list(self, kind: str) -> list[dict[str, Any]]:
        return [m.model_dump(mode="json") for m in getattr(self.doc.project, PROJECT_KEY[kind])]

    def _find(self, kind: str, model_id: str | None):
        return next((m for m, _ in self._models(kind) if m.id == model_id), None)

    def _save(
        self,
        kind: str,
        own: list[dict[str, Any]],
        text: str,
        renamed: tuple[str, str] | None = None,
    ) -> None:
        data = self.doc.project.model_dump(mode="json")
        data[PROJECT_KEY[kind]] = own
        if renamed and renamed[0] != renamed[1]:  # the blocks on it follow its new id
            relinked_blocks(data, kind, *renamed)
        problems = self.doc.apply_data(data, text)
        self.message.setText("\n".join(problems))
        if problems:
            QMessageBox.warning(self, "Equipment", "\n".join(problems))
