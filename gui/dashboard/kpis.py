"""KPI cards per strategy and the side-by-side compare table."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.engine.evaluation import ProjectResult, StrategyResult
from core.engine.goalseek import GoalSeek, Solved
from core.model.format import not_meaningful
from gui.widgets.colours import StrategyColours
from gui.widgets.elided import ElidedLabel
from gui.widgets.numbers import (
    fixed,
    general,
    irr_text,
    localise,
    localise_warning,
    money,
    money_change,
    months,
    pct,
)


class KpiCard(QFrame):
    """One strategy's card, of one height whatever its text: its name, its NPV, and two
    one-line facts (IRR and payback; then its warning, its increment over the baseline or why
    its IRR means nothing). A line too long for the card is cut with "…"; the whole detail is
    in the card's tooltip."""

    MIN_WIDTH = 170  # five cards fit the dashboard at 1366 × 768; more scroll

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("kpiCard")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 4)
        lay.setSpacing(0)
        self.name = QLabel()
        self.npv = QLabel()
        self.npv.setStyleSheet("font-size: 18px; font-weight: 600;")
        self.first = ElidedLabel()
        self.second = ElidedLabel()
        for line in (self.first, self.second):
            line.setStyleSheet("color: #444; font-size: 11px;")
        for w in (self.name, self.npv, self.first, self.second):
            # One line each: the cards share the window's width, never widen it or grow.
            w.setWordWrap(False)
            w.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            lay.addWidget(w)
        self.name.setText("<b>Strategy</b>")
        self.npv.setText("NPV $0.0 M")
        self.first.setText("IRR")
        self.second.setText("vs")
        self.setFixedHeight(self.sizeHint().height())
        self.setMinimumWidth(self.MIN_WIDTH)
        self.detail = ""  # every fact of the card, one per line (its tooltip's first part)

    def show_result(self, s: StrategyResult, colour: str, months_shown: list[str]) -> None:
        k = s.kpis
        self.name.setText(f"<span style='color:{colour}'>■</span> <b>{escape(s.name)}</b>")
        self.npv.setText(f"NPV {money(k.npv_usd)}")
        payback = months(k.payback_months, k.payback_note)
        facts = [f"IRR {pct(k.irr, note=k.irr_note)} · payback {payback}"]
        reason = ""
        if not_meaningful(k.irr_note):  # the reason, short: the tooltip has it whole
            why = "above 1,000 % a year" if "above" in k.irr_note else "no investment to recover"
            reason = f"n/m: {why}"
            facts.append(reason)
        facts.append(f"peak funding {money(k.peak_funding_usd)}")
        if k.max_debt_usd > 0:  # the equity's own figures only where there is debt
            dscr = f"{fixed(k.min_dscr, 2)}×" if k.min_dscr is not None else "n/a"
            facts.append(
                f"equity IRR {pct(k.equity_irr, note=k.equity_irr_note)} · "
                f"min DSCR {dscr} · debt {money(k.max_debt_usd)}"
            )
            if k.balloon_usd > 0:
                facts.append(f"owed at the horizon end {money(k.balloon_usd)} (balloon)")
        if s.weighted_cumulative_fcf_usd is not None:
            facts.append(
                f"weighted {money(k.probability_weighted_npv_usd)} "
                f"({general(k.contract_probability_pct)} % contract)"
            )
        if k.terminal_value_share_of_npv is not None and k.terminal_value_pv_usd:
            facts.append(f"terminal value {pct(k.terminal_value_share_of_npv, 0)} of NPV")
        inc = s.incremental
        increment = ""
        if inc is not None:
            increment = (
                f"vs {inc.vs}: {money_change(inc.npv_usd)} · "
                f"IRR {irr_text(inc.irr, inc.irr_note)} · "
                f"payback {months(inc.payback_months, inc.payback_note)}"
            )
            if inc.weighted_npv_usd is not None:  # the contract's odds first, each labelled
                facts.append(increment.replace(": ", ": as signed ", 1))
                increment = (  # the figures only: the card's line is narrow
                    f"{money_change(inc.weighted_npv_usd)} weighted, {money(inc.npv_usd)} signed"
                )
            facts.append(increment)
        facts += [
            f"retires {months_shown[x.month] if x.month < len(months_shown) else x.month}"
            " (auto: the best month)"
            for x in s.retirements
            if x.month is not None
        ]
        warned = ""
        if s.warnings:
            warned = f"⚠ {localise(s.warnings[0].split(': ', 1)[-1])}" + (
                f" (+{len(s.warnings) - 1} more)" if len(s.warnings) > 1 else ""
            )
            facts.append(warned)
        self.first.setText(facts[0])
        # The second line: what most needs seeing, a warning first.
        self.second.setText(warned or increment or reason or facts[1])
        style = "color: #c62828; font-size: 11px;" if warned else "color: #444; font-size: 11px;"
        if self.second.styleSheet() != style:  # set again, a style sheet costs a re-polish
            self.second.setStyleSheet(style)
        self.detail = "\n".join(facts)
        tips = [self.detail, "", f"IRR: {localise(k.irr_note)}"]
        if k.max_debt_usd > 0:
            tips.append(
                f"Equity NPV {money(k.equity_npv_usd)} at the cost of equity; equity IRR: "
                f"{localise(k.equity_irr_note)}; DSCR: minimum over every repayment month "
                f"(average {fixed(k.avg_dscr or 0, 2)}×); peak equity {money(k.peak_equity_usd)}"
            )
        if inc is not None:
            tips.append(
                f"Against {inc.vs} (this strategy's FCF minus its): IRR {localise(inc.irr_note)}"
            )
        tip = "\n".join(tips + [localise_warning(w) for w in s.warnings])
        self.setToolTip(tip)
        for label in (self.name, self.npv, self.first, self.second):
            label.setToolTip(tip)  # not each line's own text: the card's whole story


class KpiCards(QScrollArea):
    """The strategies' cards in one row of one height: they share the width, and past five
    (each at least ``KpiCard.MIN_WIDTH``) the row scrolls sideways rather than squeeze them."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        inner = QWidget()
        self.row = QHBoxLayout(inner)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.setWidget(inner)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        # Room for a card and the scroll bar, so the charts below never move when it shows.
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        sample = KpiCard()  # every card is this tall
        self.setFixedHeight(sample.height() + bar + 2)
        sample.deleteLater()
        self.cards: list[KpiCard] = []
        self.colours = StrategyColours()  # the document's, once the window sets it

    def update_result(self, result: ProjectResult) -> None:
        while len(self.cards) < len(result.strategies):
            card = KpiCard()
            self.row.addWidget(card, 1, Qt.AlignmentFlag.AlignTop)
            self.cards.append(card)
        while len(self.cards) > len(result.strategies):
            card = self.cards.pop()
            self.row.removeWidget(card)
            card.deleteLater()
        for card, s in zip(self.cards, result.strategies, strict=True):
            card.show_result(s, self.colours(s.name), result.months)


ROWS = [
    "NPV",
    "IRR (% p.a. effective)",
    "Payback",
    "Discounted payback",
    "Peak funding need",
    "Incremental NPV (vs baseline)",
    "Incremental IRR",
    "Incremental payback",
    "Contract probability",
    "Probability-weighted NPV",
    "Incremental NPV, weighted",
    "Equity NPV (cost of equity)",
    "Equity IRR",
    "Minimum DSCR",
    "Peak debt",
    "Break-even power price",
    "Break-even BTC price",
    "Required AI price (target IRR)",
    "Required AI price (target equity IRR)",
    "Debt capacity (target DSCR)",
    "Warnings",
]
SEEK_ROWS = {
    "Break-even power price": "breakeven_power",
    "Break-even BTC price": "breakeven_btc",
    "Required AI price (target IRR)": "required_ai_price",
    "Required AI price (target equity IRR)": "required_ai_price_equity",
    "Debt capacity (target DSCR)": "debt_capacity",
}


def _equity_cells(k) -> list[tuple[str, str]]:
    """Equity NPV, equity IRR, minimum DSCR and peak debt; "—" without debt (the equity is
    then the project)."""
    if k.max_debt_usd <= 0:
        return [("—", "No debt: the equity's figures are the project's")] * 4
    dscr = f"{fixed(k.min_dscr, 2)}×" if k.min_dscr is not None else "n/a"
    return [
        (money(k.equity_npv_usd), "Equity cash flow discounted at the cost of equity"),
        (pct(k.equity_irr, note=k.equity_irr_note), localise(k.equity_irr_note)),
        (
            dscr,
            localise(k.dscr_note) or f"CFADS ÷ debt service; average {fixed(k.avg_dscr or 0, 2)}×",
        ),
        (
            money(k.max_debt_usd)
            + (f" · owed at end {money(k.balloon_usd)}" if k.balloon_usd > 0 else ""),
            f"Peak equity {money(k.peak_equity_usd)}"
            + (
                f"; {money(k.balloon_usd)} still owed at the horizon end (balloon), repaid then"
                if k.balloon_usd > 0
                else ""
            ),
        ),
    ]


def _incremental_cells(s: StrategyResult) -> list[tuple[str, str]]:
    inc = s.incremental
    if inc is None:
        return [("baseline", "The strategy the others are compared with")] + [("—", "")] * 2
    about = f"This strategy's monthly free cash flow minus {inc.vs}'s"
    return [
        (money_change(inc.npv_usd), about),
        (irr_text(inc.irr, inc.irr_note), localise(inc.irr_note)),
        (months(inc.payback_months, inc.payback_note), localise(inc.payback_note) or about),
    ]


def _weighted_increment_cell(s: StrategyResult) -> tuple[str, str]:
    """The probability-weighted NPV less the baseline's, where the contract is uncertain."""
    inc = s.incremental
    if inc is None:
        return ("baseline", "The strategy the others are compared with")
    if inc.weighted_npv_usd is None:
        return ("—", "The contract is certain: the incremental NPV above")
    return (
        money_change(inc.weighted_npv_usd),
        f"Probability-weighted NPV minus {inc.vs}'s; as signed {money_change(inc.npv_usd)}",
    )


class CompareTable(QTableWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(len(ROWS), 0, parent)
        self.setVerticalHeaderLabels(ROWS)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.setAlternatingRowColors(True)
        self._names: list[str] = []

    def _set(self, row: int, col: int, text: str, tip: str = "") -> None:
        item = self.item(row, col)
        if item is None:
            item = QTableWidgetItem()
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.setItem(row, col, item)
        item.setText(text)
        item.setToolTip(tip)

    def update_result(self, result: ProjectResult) -> None:
        self._names = [s.name for s in result.strategies]
        self.setColumnCount(len(self._names))
        self.setHorizontalHeaderLabels(self._names)
        for c, s in enumerate(result.strategies):
            k = s.kpis
            weighted = s.weighted_cumulative_fcf_usd is not None
            values = [
                (money(k.npv_usd), "Net present value at the start date"),
                (pct(k.irr, note=k.irr_note), localise(k.irr_note)),
                (
                    months(k.payback_months, k.payback_note),
                    localise(k.payback_note) or "Until cumulative free cash flow stays ≥ 0",
                ),
                (
                    months(k.discounted_payback_months, k.discounted_payback_note),
                    localise(k.discounted_payback_note) or "Same, on discounted cash flow",
                ),
                (money(k.peak_funding_usd), "Deepest cumulative free cash flow"),
                *_incremental_cells(s),
                (
                    f"{general(k.contract_probability_pct)} %" if weighted else "—",
                    f"Fallback: {k.fallback_strategy}" if weighted else "",
                ),
                (
                    money(k.probability_weighted_npv_usd),
                    "p × NPV + (1 − p) × NPV of the fallback (its cash flow until the contract "
                    "is signed)"
                    if weighted
                    else "No contract risk",
                ),
                _weighted_increment_cell(s),
                *_equity_cells(k),
            ]
            for r, (text, tip) in enumerate(values):
                self._set(r, c, text, tip)
            for name in SEEK_ROWS:
                self._set(ROWS.index(name), c, "…", "computing")
            self._set(
                ROWS.index("Warnings"),
                c,
                f"{len(s.warnings)}" if s.warnings else "none",
                "\n".join(localise_warning(w) for w in s.warnings),
            )

    def update_goal_seek(self, seeks: dict[str, GoalSeek]) -> None:
        for c, name in enumerate(self._names):
            g = seeks.get(name)
            if g is None:
                continue
            for row, attr in SEEK_ROWS.items():
                solved: Solved = getattr(g, attr)
                self._set(ROWS.index(row), c, localise(solved.cell()), localise(solved.note))
