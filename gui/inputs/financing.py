"""A strategy's financing: whether it borrows, and the debt's terms (core.engine.debt)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QFormLayout, QGroupBox, QVBoxLayout, QWidget

from core.model import block_labels
from core.model.project import Financing
from gui.document import ProjectDocument
from gui.widgets.fields import Field, add_fields


class FinancingBox(QGroupBox):
    """Financing of the strategy shown: a switch, then the terms as fields bound to
    ``strategies[i].financing``. The form is rebuilt only when the strategy or the switch
    changes, so typing in a field never rebuilds the field."""

    def __init__(self, doc: ProjectDocument, parent: QWidget | None = None):
        super().__init__("Financing", parent)
        self.doc = doc
        self.index = 0
        lay = QVBoxLayout(self)
        self.switch = QCheckBox("Finance this strategy with debt")
        self.switch.setToolTip(
            "Draws fund the capex while the conversion is built, interest is capitalised, and "
            "repayment starts the month after the last AI block comes online. The KPIs add "
            "equity NPV (at the cost of equity, Finance tab), equity IRR and DSCR."
        )
        self.switch.toggled.connect(self._switched)
        lay.addWidget(self.switch)
        self.form_box = QWidget()
        self.form = QFormLayout(self.form_box)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        lay.addWidget(self.form_box)
        self.fields: dict[str, Field] = {}
        self._key: tuple[int, bool] | None = None
        doc.project_changed.connect(lambda *_: self.show_strategy(self.index))

    def show_strategy(self, index: int, *_: Any) -> None:
        strategies = self.doc.project.strategies
        self.index = min(index, len(strategies) - 1)
        financed = strategies[self.index].financing is not None
        self.switch.blockSignals(True)
        self.switch.setChecked(financed)
        self.switch.blockSignals(False)
        key = (self.index, financed)
        if key == self._key:
            return
        self._key = key
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields = {}
        if financed:
            prefix = f"strategies[{self.index}].financing."
            self.fields = add_fields(self.form, self.doc, block_labels.FINANCING, prefix)
        self.form_box.setVisible(financed)

    def _switched(self, on: bool) -> None:
        value = Financing().model_dump(mode="json") if on else None
        name = self.doc.project.strategies[self.index].name
        self.doc.set_value(
            f"strategies[{self.index}].financing",
            value,
            f"{'Finance' if on else 'Stop financing'} {name}",
        )
        self.doc.end_edit()
