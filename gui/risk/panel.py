"""Sensitivity and risk in the app: the settings panel, the worker and the Risk tab.

A run (tornado, Monte Carlo, split sweep) takes about 2 s on the example, so it goes to one worker
thread; a newer request cancels the running one and its results are dropped. A run that is
still going after 0.3 s shows a progress bar with Cancel. While "Rerun as inputs change" is on
and the Risk tab has been opened, every edit starts a new run once typing pauses.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.model import labels as specs
from core.model.project import Project, TornadoInput
from core.risk.sensitivity import TORNADO_INPUTS, analyse
from gui.document import ProjectDocument
from gui.widgets.fields import Field, add_fields
from gui.worker import LatestWins


class RiskRunner(LatestWins):
    """The risk analysis on the shared latest-input-wins worker."""

    def __init__(self, parent: QObject | None = None):
        super().__init__("Risk run", "risk", parent)

    def request_analysis(self, project: Project) -> int:
        return self.request(lambda state: analyse(project, state))


class RiskInputsPanel(QWidget):
    """Monte Carlo settings and the tornado's inputs with their low and high swings."""

    def __init__(self, doc: ProjectDocument):
        super().__init__()
        self.doc = doc
        lay = QVBoxLayout(self)
        box = QGroupBox("Monte Carlo and split sweep")
        form = QFormLayout(box)
        self.fields = add_fields(form, doc, specs.RISK, "risk.")
        lay.addWidget(box)
        self.tornado_box = QGroupBox("Tornado inputs (each swung alone, in % of its value)")
        self.tornado_layout = QVBoxLayout(self.tornado_box)
        lay.addWidget(self.tornado_box)
        lay.addStretch(1)
        self._keys: list[str] = []
        self._rebuild_timer = QTimer(self, singleShot=True, interval=0)
        self._rebuild_timer.timeout.connect(self._rebuild)
        doc.project_changed.connect(self._maybe_rebuild)
        self._rebuild()

    def _maybe_rebuild(self, project: Project) -> None:
        if [t.input for t in project.risk.tornado] != self._keys:
            self._rebuild_timer.start()  # not inside the signal that a row's field sent

    def _rebuild(self) -> None:
        while self.tornado_layout.count():
            child = self.tornado_layout.takeAt(0)
            widget = child.widget() if child is not None else None
            if widget is not None:
                widget.deleteLater()
        tornado_inputs = self.doc.project.risk.tornado
        self._keys = [t.input for t in tornado_inputs]
        holder = QWidget()
        form = QFormLayout(holder)
        form.setContentsMargins(0, 0, 0, 0)
        self.tornado_fields: dict[str, Field] = {}
        for i, entry in enumerate(tornado_inputs):
            label, what = TORNADO_INPUTS[entry.input]
            tip = f"{label}: scales {what}."
            row = QHBoxLayout()
            fields = add_fields(
                QFormLayout(),
                self.doc,
                [
                    ("low_pct", "low", "%", tip + " Low end, −99 to 0 %."),
                    ("high_pct", "high", "%", tip + " High end, 0 to 1,000 %."),
                ],
                f"risk.tornado[{i}].",
            )
            for f in fields.values():
                row.addWidget(f)
            remove = QPushButton("Remove")
            remove.setToolTip(f"Take {label} out of the tornado")
            remove.clicked.connect(lambda _=False, k=entry.input: self.remove_input(k))
            row.addWidget(remove)
            name = QLabel(label)
            name.setToolTip(tip)
            form.addRow(name, row)
            self.tornado_fields |= fields
        self.tornado_layout.addWidget(holder)
        add_row = QHBoxLayout()
        self.add_choice = QComboBox()
        for key, (label, _what) in TORNADO_INPUTS.items():
            if key not in self._keys:
                self.add_choice.addItem(label, key)
        add = QPushButton("Add to tornado")
        add.setEnabled(self.add_choice.count() > 0)
        add.clicked.connect(lambda: self.add_input(self.add_choice.currentData()))
        add_row.addWidget(self.add_choice, 1)
        add_row.addWidget(add)
        wrap = QWidget()
        wrap.setLayout(add_row)
        self.tornado_layout.addWidget(wrap)

    def _set_tornado(self, items: list[TornadoInput], text: str) -> None:
        project = self.doc.project
        risk = project.risk.model_copy(update={"tornado": items})
        self.doc.apply(project.model_copy(update={"risk": risk}), text)

    def add_input(self, key: str | None) -> None:
        if key and key not in self._keys:
            items = [*self.doc.project.risk.tornado, TornadoInput(input=key)]
            self._set_tornado(items, f"Add {TORNADO_INPUTS[key][0]} to the tornado")

    def remove_input(self, key: str) -> None:
        items = [t for t in self.doc.project.risk.tornado if t.input != key]
        self._set_tornado(items, f"Remove {TORNADO_INPUTS[key][0]} from the tornado")
