"""Strategies and their blocks: add, duplicate, rename, delete, reorder, and edit each block."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.model import block_labels
from core.model.catalog import catalog_for
from core.model.project import AiBlock, MiningBlock, Strategy
from core.plan.layout import plan_counts
from gui.document import ProjectDocument
from gui.inputs.blocktext import describe_block, spec_text
from gui.inputs.financing import FinancingBox
from gui.inputs.strategy_actions import StrategyActions
from gui.widgets.fields import Field, add_fields

BUTTONS_PER_ROW = 4  # four buttons and their gaps fit the panel at 1366 × 768


def _button_row(buttons: list[tuple[str, str, Callable[[], None]]]) -> QGridLayout:
    """The buttons in rows of four, so the panel needs no horizontal scrolling; one-symbol
    buttons (▲, ▼) are narrow and sit together in the next cell."""
    grid = QGridLayout()
    grid.setHorizontalSpacing(6)
    arrows = QHBoxLayout()
    arrows.setSpacing(4)
    k = 0
    for text, tip, slot in buttons:
        b = QPushButton(text)
        b.setToolTip(tip)
        b.clicked.connect(slot)
        if len(text) == 1:
            b.setFixedWidth(b.fontMetrics().horizontalAdvance("W") * 3)
            arrows.addWidget(b)
        else:
            grid.addWidget(b, *divmod(k, BUTTONS_PER_ROW))
            k += 1
    if arrows.count():
        arrows.addStretch(1)
        grid.addLayout(arrows, *divmod(k, BUTTONS_PER_ROW))
    for column in range(BUTTONS_PER_ROW):
        grid.setColumnStretch(column, 1)  # equal buttons, whatever their text
    return grid


class StrategiesPanel(QWidget):
    strategy_selected = Signal(str)

    def __init__(self, doc: ProjectDocument, parent: QWidget | None = None):
        super().__init__(parent)
        self.doc = doc
        self.strategy_actions = StrategyActions(
            doc,
            lambda: (self.index, self.blocks.currentRow()),
            self._apply,
            lambda text: self.message.setText(text),
            self,
        )
        lay = QVBoxLayout(self)
        box = QGroupBox("Strategies")
        bl = QVBoxLayout(box)
        self.list = QListWidget()
        self.list.setToolTip("Strategies evaluated over the same timeline. Double-click to rename.")
        self.list.setMaximumHeight(110)
        self.list.currentRowChanged.connect(self._strategy_row_changed)
        self.list.itemDoubleClicked.connect(lambda _: self.strategy_actions.rename_strategy())
        bl.addWidget(self.list)
        bl.addLayout(
            _button_row(
                [
                    ("Add", "Add a strategy", self.strategy_actions.add_strategy),
                    (
                        "Duplicate",
                        "Copy the selected strategy",
                        self.strategy_actions.duplicate_strategy,
                    ),
                    (
                        "Rename…",
                        "Rename the selected strategy",
                        lambda: self.strategy_actions.rename_strategy(),
                    ),
                    (
                        "Delete",
                        "Delete the selected strategy",
                        self.strategy_actions.delete_strategy,
                    ),
                    ("▲", "Move up", lambda: self.strategy_actions.move_strategy(-1)),
                    ("▼", "Move down", lambda: self.strategy_actions.move_strategy(1)),
                ]
            )
        )
        base_row = QFormLayout()
        self.baseline = QComboBox()
        self.baseline.setToolTip(
            "The strategy every other one is compared with: the cards and the Compare tab show "
            "each strategy's NPV, IRR and payback on its cash flow minus the baseline's (what "
            "converting adds over keeping the site as it is)."
        )
        self.baseline.activated.connect(self._baseline_chosen)
        base_row.addRow("Baseline", self.baseline)
        bl.addLayout(base_row)
        self.strategy_form = QFormLayout()
        bl.addLayout(self.strategy_form)
        self.fallback: QComboBox | None = None  # built with the strategy's form
        self.probability: Field | None = None
        lay.addWidget(box)

        blocks = QGroupBox("Blocks of the selected strategy")
        kl = QVBoxLayout(blocks)
        self.blocks = QListWidget()
        self.blocks.setMaximumHeight(110)
        self.blocks.setToolTip(
            "How the site's power is split: mining blocks, hosted client miners and AI blocks."
        )
        self.blocks.currentRowChanged.connect(lambda _: self._rebuild_block_form())
        kl.addWidget(self.blocks)
        kl.addLayout(
            _button_row(
                [
                    ("+ Mining", "Add a mining block", self.strategy_actions.add_mining),
                    ("+ AI", "Add an AI hosting block", self.strategy_actions.add_ai),
                    (
                        "+ Hosting",
                        "Host a client's miners (third-party hosting)",
                        self.strategy_actions.add_hosting,
                    ),
                    ("Duplicate", "Copy the selected block", self.strategy_actions.duplicate_block),
                    ("Delete", "Delete the selected block", self.strategy_actions.delete_block),
                    ("▲", "Move up", lambda: self.strategy_actions.move_block(-1)),
                    ("▼", "Move down", lambda: self.strategy_actions.move_block(1)),
                ]
            )
        )
        self.block_box = QWidget()
        self.block_form = QFormLayout(self.block_box)
        self.block_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        kl.addWidget(self.block_box)
        self.spec_label = QLabel()
        self.spec_label.setWordWrap(True)
        self.spec_label.setStyleSheet("color: #555; font-size: 11px;")
        kl.addWidget(self.spec_label)
        lay.addWidget(blocks)
        self.financing = FinancingBox(doc)
        lay.addWidget(self.financing)
        lay.addStretch(1)
        self.block_fields: dict[str, Field] = {}
        self._block_key: tuple | None = None
        # A new form is built on the next event-loop turn: the edit that asked for it may come
        # from a field of the old form, which must not be deleted inside its own handler.
        self._form_timer = QTimer(self, singleShot=True, interval=0)
        self._form_timer.timeout.connect(self._build_block_form)
        self.message = QLabel()
        self.message.setStyleSheet("color: #c62828;")
        lay.insertWidget(1, self.message)
        doc.project_changed.connect(self.refresh)
        self.refresh()
        self.list.setCurrentRow(0)

    # ------------------------------------------------------------------ helpers
    @property
    def index(self) -> int:
        return max(self.list.currentRow(), 0)

    @property
    def strategy(self) -> Strategy:
        return self.strategy_actions.strategy  # the selected one (its index is ``index``)

    def _apply(
        self,
        strategies: list[Strategy],
        text: str,
        select: int | None = None,
        select_block: int | None = None,
        renamed: dict[str, str] | None = None,
    ) -> None:
        """Validate the new strategy list and make it one undoable step. A baseline that was
        renamed follows the new name (``renamed``: old → new); one that was deleted goes
        back to the default, the first strategy."""
        renamed = renamed or {}
        data = self.doc.project.model_dump(mode="json")
        data["strategies"] = [s.model_dump(mode="json") for s in strategies]
        names = {s.name for s in strategies}
        if data.get("baseline_strategy") not in names:
            data["baseline_strategy"] = renamed.get(data.get("baseline_strategy") or "")
        problems = self.doc.apply_data(data, text)
        self.message.setText("\n".join(problems))
        if problems:
            return
        if select is not None:
            self.list.setCurrentRow(select)
        if select_block is not None:
            self.blocks.setCurrentRow(select_block)

    # ------------------------------------------------------------------ refresh
    def refresh(self, *_: Any) -> None:
        # The lists show strategies, blocks and the models they run on: a market, site or
        # finance field leaves them as they are.
        mine = ("strategies", "baseline_strategy", "custom_asics", "custom_gpu_servers")
        if not any(self.doc.touches(p) for p in mine):
            return
        project = self.doc.project
        names = [s.name for s in project.strategies]
        row = min(self.list.currentRow(), len(names) - 1)
        self.list.blockSignals(True)
        self.list.clear()
        self.list.addItems(names)
        self.list.setCurrentRow(max(row, 0))
        self.list.blockSignals(False)
        self._refresh_baseline()
        self._refresh_strategy()

    def _refresh_baseline(self) -> None:
        project = self.doc.project
        self.baseline.blockSignals(True)
        self.baseline.clear()
        first = project.strategies[0].name
        self.baseline.addItem(f"(the first: {first})", None)
        for s in project.strategies:
            self.baseline.addItem(s.name, s.name)
        self.baseline.setCurrentIndex(max(self.baseline.findData(project.baseline_strategy), 0))
        self.baseline.blockSignals(False)

    def _baseline_chosen(self, index: int) -> None:
        self.doc.set_value("baseline_strategy", self.baseline.itemData(index))
        self.doc.end_edit()

    def _refresh_strategy(self) -> None:
        s = self.strategy
        i = self.doc.project.strategies.index(s)
        if (
            self.probability is None
            or self.probability.path != f"strategies[{i}].contract_probability_pct"
        ):
            while self.strategy_form.rowCount():
                self.strategy_form.removeRow(0)  # deletes the old widgets
            self.fallback = QComboBox()
            self.fallback.setToolTip(
                "If the AI contract is not signed, this strategy runs "
                "instead (the keep-mining fallback)."
            )
            self.fallback.activated.connect(self._fallback_chosen)
            fields = add_fields(
                self.strategy_form,
                self.doc,
                [
                    (
                        "contract_probability_pct",
                        "Contract probability",
                        "%",
                        "Chance the AI contract is signed (analysts put it near 50 %). "
                        "Below 100 % the KPIs add a probability-weighted NPV and increment.",
                    ),
                    (
                        "contract_signing_month",
                        "Contract signed in",
                        "month index",
                        "The month the contract is signed or lost, when its probability is "
                        "below 100 %. Empty: the first month of the earliest AI block's "
                        "conversion. Nothing of the conversion may be spent and no fleet sold "
                        "before it; until then the strategy runs as its fallback.",
                        {"kind": "int", "optional": True},
                    ),
                    (
                        "keep_site_open",
                        "Keep the site open",
                        "",
                        "Pay the site's fixed opex to the horizon even after every block has "
                        "stopped (to hold the interconnect for a later tenant, say). Off: the "
                        "site closes, and its fixed opex stops, when its last block stops.",
                        {"kind": "bool"},
                    ),
                    (
                        "notes",
                        "Notes",
                        "",
                        "Free text kept with the strategy: assumptions, sources, open "
                        "questions. Several lines (Tab moves on); in the workbook and report.",
                        {"kind": "notes"},
                    ),
                ],
                f"strategies[{i}].",
            )
            self.probability = fields[f"strategies[{i}].contract_probability_pct"]
            self.strategy_form.addRow("Fallback", self.fallback)
        fallback = self.fallback
        assert fallback is not None  # built above with the form
        fallback.blockSignals(True)
        fallback.clear()
        fallback.addItem("(none)", None)
        for other in self.doc.project.strategies:
            if other.name != s.name:
                fallback.addItem(other.name, other.name)
        fallback.setCurrentIndex(max(fallback.findData(s.fallback_strategy), 0))
        fallback.blockSignals(False)
        row = self.blocks.currentRow()
        self.blocks.blockSignals(True)
        self.blocks.clear()
        self.blocks.addItems([describe_block(b, self.doc.project) for b in s.blocks])
        self.blocks.setCurrentRow(min(max(row, 0), len(s.blocks) - 1))
        self.blocks.blockSignals(False)
        self._rebuild_block_form()

    def _strategy_row_changed(self, row: int) -> None:
        if 0 <= row < len(self.doc.project.strategies):
            self._refresh_strategy()
            self.financing.show_strategy(row)
            self.strategy_selected.emit(self.doc.project.strategies[row].name)

    def _fallback_chosen(self, index: int) -> None:
        assert self.fallback is not None  # it sent the signal
        self.doc.set_value(
            f"strategies[{self.index}].fallback_strategy",
            self.fallback.itemData(index),
            "Change fallback strategy",
        )
        self.doc.end_edit()

    # ------------------------------------------------------------------ block form
    def _rebuild_block_form(self) -> None:
        s = self.strategy
        j = self.blocks.currentRow()
        if not 0 <= j < len(s.blocks):
            self._clear_block_form()
            self._block_key = None
            self.spec_label.setText("")
            return
        block = s.blocks[j]
        if self._form_key(block, j) != self._block_key:
            self._form_timer.start()
        item = self.blocks.item(j)
        if item is not None:
            item.setText(describe_block(block, self.doc.project))
        self.spec_label.setText(spec_text(block, self.doc.project))
        self._lock_planned_count()

    def _form_key(self, block: MiningBlock | AiBlock, j: int) -> tuple:
        """What the block form is built for: a new model in the Equipment tab rebuilds it."""
        prefix = f"strategies[{self.index}].blocks[{j}]."
        project = self.doc.project
        models = tuple(
            [m.id for m in project.custom_asics] + [m.id for m in project.custom_gpu_servers]
        )
        return (prefix, block.kind, getattr(block, "business_model", None), models)

    def _build_block_form(self) -> None:
        s, j = self.strategy, self.blocks.currentRow()
        if not 0 <= j < len(s.blocks):
            return
        block = s.blocks[j]
        key = self._form_key(block, j)
        if key == self._block_key:
            return
        self._clear_block_form()
        rows = block_labels.block_rows(block, catalog_for(self.doc.project))
        self.block_fields = add_fields(self.block_form, self.doc, rows, key[0])
        self._block_key = key
        self._lock_planned_count()

    def _lock_planned_count(self) -> None:
        """A block fed by a floor plan shows its count read-only: the plan sets it."""
        s, j = self.strategy, self.blocks.currentRow()
        if not 0 <= j < len(s.blocks) or self._block_key is None:
            return
        planned = s.blocks[j].name in plan_counts(self.doc.project, s)
        hangars = ", ".join(p.hangar for p in s.plans)
        for rel in ("asic_count", "server_count", "it_mw"):
            field = self.block_fields.get(self._block_key[0] + rel)
            if field is None:
                continue
            if isinstance(field.editor, QLineEdit):
                field.editor.setReadOnly(planned)
            field.editor.setToolTip(
                f"Set by this strategy's floor plan ({hangars}): edit it on the Floor plan tab"
                if planned
                else field.tip
            )

    def _clear_block_form(self) -> None:
        while self.block_form.rowCount():
            self.block_form.removeRow(0)
        self.block_fields = {}
