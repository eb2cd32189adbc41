"""Sensitivity and risk in the app: the settings panel, the worker and the Risk tab.

A run (tornado, Monte Carlo, split sweep) takes about 2 s on the example, so it goes to one worker
thread; a newer request cancels the running one and its results are dropped. A run that is
still going after 0.3 s shows a progress bar with Cancel. While "Rerun as inputs change" is on
and the Risk tab has been opened, every edit starts a new run once typing pauses.
"""

from __future__ import annotations

import threading
import traceback
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, QTimer, Signal
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
from core.risk.montecarlo import Cancelled
from core.risk.sensitivity import TORNADO_INPUTS, RiskAnalysis, analyse
from gui.document import ProjectDocument
from gui.widgets.fields import add_fields


class RiskRunner(QObject):
    """One worker; the newest request wins. Results and errors come back as queued signals."""

    started = Signal()
    progressed = Signal(int, float, str)  # generation, fraction, stage
    _done = Signal(int, object, str)  # generation, bundle or None, error ("" if none)
    finished = Signal(object)  # RiskAnalysis
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="risk")
        self._generation = 0
        self._cancel = threading.Event()
        self._future = None
        self.running = False
        self._done.connect(self._on_done)

    def request(self, project: Project) -> None:
        self._cancel.set()  # the running job stops at its next check
        self._generation += 1
        generation, cancel = self._generation, threading.Event()
        self._cancel = cancel

        def work() -> None:
            if cancel.is_set():
                return
            try:
                bundle = analyse(
                    project,
                    cancel.is_set,
                    lambda f, stage: self.progressed.emit(generation, f, stage),
                )
                self._done.emit(generation, bundle, "")
            except Cancelled:
                self._done.emit(generation, None, "")
            except Exception as exc:  # the user sees it; the app goes on
                traceback.print_exc()
                self._done.emit(generation, None, f"Risk run failed: {exc}")

        self.running = True
        self.started.emit()
        self._future = self._executor.submit(work)

    @property
    def generation(self) -> int:
        """The request whose signals count; older ones are stale."""
        return self._generation

    def cancel(self, quiet: bool = False) -> None:
        """Stop the running job at its next check; its results, if any, are dropped.
        ``quiet``: the inputs changed and a new request follows, so no "cancelled" signal."""
        self._cancel.set()
        self._generation += 1  # whatever is running is stale now
        was_running, self.running = self.running, False
        if was_running and not quiet:
            self.cancelled.emit()

    def _on_done(self, generation: int, bundle: RiskAnalysis | None, error: str) -> None:
        if generation != self._generation:
            return
        self.running = False
        if error:
            self.failed.emit(error)
        elif bundle is not None:
            self.finished.emit(bundle)

    def wait(self, timeout_s: float = 60.0) -> None:
        """Tests: block until the submitted work is done (its signal is still queued)."""
        if self._future is not None:
            self._future.result(timeout=timeout_s)

    def shutdown(self) -> None:
        self._cancel.set()
        self._generation += 1
        self._executor.shutdown(wait=True, cancel_futures=True)


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
            item = self.tornado_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        tornado_inputs = self.doc.project.risk.tornado
        self._keys = [t.input for t in tornado_inputs]
        holder = QWidget()
        form = QFormLayout(holder)
        form.setContentsMargins(0, 0, 0, 0)
        self.tornado_fields = {}
        for i, item in enumerate(tornado_inputs):
            label, what = TORNADO_INPUTS[item.input]
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
            remove.clicked.connect(lambda _=False, k=item.input: self.remove_input(k))
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
