"""The Results tab: each strategy's cash flows by project year (core.engine.columns), in USD
million with subtotals in bold, and a copy to the clipboard as tab-separated numbers that paste
into Excel."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.engine.columns import AnnualStatement, annual_statement
from core.engine.evaluation import ProjectResult
from gui.widgets.numbers import localise, millions, quantity


class ResultsView(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.result: ProjectResult | None = None
        self.statement: AnnualStatement | None = None
        self._stale = False  # a result arrived while the tab was hidden
        self._shape: tuple | None = None  # the rows and years the table is built for
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Strategy"))
        self.strategy = QComboBox()
        self.strategy.setToolTip("Whose cash flows the table shows")
        self.strategy.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.strategy.currentIndexChanged.connect(lambda _: self._fill())
        bar.addWidget(self.strategy)
        self.copy_button = QPushButton("Copy table")
        self.copy_button.setToolTip(
            "Copy the table as tab-separated numbers in USD (Ctrl+C), to paste into Excel"
        )
        self.copy_button.clicked.connect(self.copy)
        bar.addWidget(self.copy_button)
        self.note = QLabel(
            "USD million by project year (12-month tax years from the start month); costs, "
            "capex, tax and debt service are negative."
        )
        self.note.setStyleSheet("color: #555;")
        self.note.setWordWrap(True)
        bar.addWidget(self.note, 1)
        lay.addLayout(bar)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        lay.addWidget(self.table, 1)
        QShortcut(QKeySequence.StandardKey.Copy, self.table, self.copy)

    def update_result(self, result: ProjectResult) -> None:
        self.result = result
        names = [s.name for s in result.strategies]
        current = self.strategy.currentText()
        self.strategy.blockSignals(True)
        self.strategy.clear()
        self.strategy.addItems(names)
        self.strategy.setCurrentIndex(names.index(current) if current in names else 0)
        self.strategy.blockSignals(False)
        # Filled when seen: a hidden table would cost every keystroke ~10 ms of item updates.
        self._stale = True
        if self.isVisible():
            self._fill()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self._fill()

    def _fill(self) -> None:
        self._stale = False
        if self.result is None or not self.result.strategies:
            return
        s = self.result.strategies[max(self.strategy.currentIndex(), 0)]
        st = annual_statement(s.monthly, self.result.months)
        self.statement = st
        shape = (st.labels, st.years, st.kinds)
        if shape != self._shape:  # new rows or years: the table is rebuilt, else retexted
            self._shape = shape
            self._build(st)
        periods = [*st.years, "horizon total"]
        for r, row in enumerate(st.values_usd):
            for c, v in enumerate(row):
                item = self.table.item(r, c)
                assert item is not None  # every cell was made by _build
                item.setText(millions(v))
                item.setToolTip(f"{st.labels[r]}, {periods[c]}: {quantity(v, 'USD')}")

    def _build(self, st: AnnualStatement) -> None:
        self.table.clear()
        self.table.setRowCount(len(st.labels))
        self.table.setColumnCount(len(st.years) + 1)
        heads = [y.replace(" (", "\n").rstrip(")").replace(" to ", "–") for y in st.years]
        self.table.setHorizontalHeaderLabels([*heads, "Total"])
        self.table.setVerticalHeaderLabels(st.labels)
        bold = QFont()
        bold.setBold(True)
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for r, kind in enumerate(st.kinds):
            if kind == "total":
                self.table.verticalHeaderItem(r).setFont(bold)
            for c in range(len(st.years) + 1):
                item = QTableWidgetItem()
                item.setTextAlignment(right)
                if kind == "total":
                    item.setFont(bold)
                self.table.setItem(r, c, item)

    def copy(self) -> None:
        """The statement as tab-separated numbers in USD, with the locale's decimal mark (and no
        thousands separator), so a German or French spreadsheet reads them as numbers."""
        if self._stale:
            self._fill()
        if self.statement is not None:
            QGuiApplication.clipboard().setText(localise(self.statement.tsv()))
