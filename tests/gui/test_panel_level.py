"""Each panel on its own: a ProjectDocument and one panel, no main window. The panel shows the
project's values, an edit typed into it reaches the document as one undoable step, and undo
brings the panel back; the Dashboard draws every strategy from the document's result."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QPlainTextEdit

from core.io.example import example_project
from core.model.paths import get_attr_path
from gui.dashboard.view import Dashboard
from gui.document import ProjectDocument
from gui.inputs.panels import DemandResponsePanel, FinancePanel, MarketPanel, SitePanel
from gui.inputs.strategies import StrategiesPanel
from gui.risk.panel import RiskInputsPanel
from tests.gui.conftest import type_into


@pytest.fixture
def doc(qtbot):
    d = ProjectDocument(example_project())
    yield d
    d.shutdown()


PANELS = {
    "site": (lambda doc: SitePanel(doc, lambda: None), "site.interconnect_mw", "120"),
    "dr": (DemandResponsePanel, "site.demand_response.enrolled_mw", "25"),
    "market": (MarketPanel, "market.btc_price_usd", "150000"),
    "finance": (FinancePanel, "finance.discount_rate_pct_per_year", "12.5"),
    "risk": (RiskInputsPanel, "risk.paths", "3000"),
}


def _shown(field) -> object:
    editor = field.editor
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, QComboBox):
        return editor.currentData()
    if isinstance(editor, QPlainTextEdit):  # notes, several lines
        return editor.toPlainText()
    assert isinstance(editor, QLineEdit)
    return editor.text()


@pytest.mark.parametrize("name", list(PANELS))
def test_a_panel_shows_the_project_and_edits_it_undoably(qtbot, doc, name):
    make, path, typed = PANELS[name]
    panel = make(doc)
    qtbot.addWidget(panel)
    # Every field is bound to a value the project has, and shows it.
    for field_path, field in panel.fields.items():
        value = get_attr_path(doc.project, field_path)
        if value is None:
            assert field.optional or _shown(field) in ("", None), field_path
            continue
        shown = _shown(field)
        if isinstance(shown, str) and not isinstance(value, str):
            assert shown.strip(), f"{field_path} shows nothing for {value!r}"
    before = get_attr_path(doc.project, path)
    type_into(panel.fields[path], typed)
    doc.end_edit()
    assert get_attr_path(doc.project, path) == pytest.approx(float(typed))
    assert doc.undo_stack.count() == 1 and doc.is_modified()
    doc.undo_stack.undo()
    assert get_attr_path(doc.project, path) == before
    assert float(panel.fields[path].editor.text().replace(",", "")) == pytest.approx(before)


def test_an_invalid_value_is_marked_and_not_applied(qtbot, doc):
    panel = MarketPanel(doc)
    qtbot.addWidget(panel)
    field = panel.fields["market.btc_price_usd"]
    before = doc.project
    type_into(field, "-5")
    assert doc.project is before
    assert not field.error_label.isHidden()
    assert field.error_label.text().startswith("must be ≥"), field.error_label.text()


def test_the_strategies_panel_adds_and_undoes_a_strategy(qtbot, doc):
    panel = StrategiesPanel(doc)
    qtbot.addWidget(panel)
    names = [s.name for s in doc.project.strategies]
    assert [panel.list.item(i).text() for i in range(panel.list.count())] == names
    panel.strategy_actions.add_strategy()
    assert [s.name for s in doc.project.strategies] == [*names, "New strategy"]
    assert panel.list.count() == len(names) + 1
    doc.undo_stack.undo()
    assert [s.name for s in doc.project.strategies] == names
    assert panel.list.count() == len(names)


def test_the_dashboard_draws_every_strategy_from_the_document(qtbot, doc):
    dash = Dashboard(lambda *_: None)
    qtbot.addWidget(dash)
    dash.set_document(doc)
    qtbot.waitUntil(lambda: doc.result is not None and not dash.updating(), timeout=10_000)
    names = [s.name for s in doc.project.strategies]
    assert set(dash.cumulative.curves) >= set(names)
    assert [dash.chart_strategy.itemText(i) for i in range(dash.chart_strategy.count())] == names
    dash.show_strategy("Convert to AI")
    assert dash.stack.strategy == "Convert to AI"
    assert dash.hourly.price.yData.size in (8760, 8784)


def test_a_block_retires_never_auto_or_at_a_month(qtbot, doc):
    panel = StrategiesPanel(doc)
    qtbot.addWidget(panel)
    panel.list.setCurrentRow(0)  # Keep mining: one mining block
    panel.blocks.setCurrentRow(0)
    qtbot.waitUntil(lambda: "strategies[0].blocks[0].retire" in panel.block_fields)
    field = panel.block_fields["strategies[0].blocks[0].retire"]
    assert field.editor.text() == "auto"
    type_into(field, "12")
    assert doc.project.strategies[0].blocks[0].retire == 12
    type_into(field, "Never")
    assert doc.project.strategies[0].blocks[0].retire == "never"
    type_into(field, "sometimes")
    assert doc.project.strategies[0].blocks[0].retire == "never"
    assert "never, auto or a month index" in field.error_label.text()


def test_the_baseline_is_chosen_and_follows_a_rename(qtbot, doc):
    panel = StrategiesPanel(doc)
    qtbot.addWidget(panel)
    assert panel.baseline.currentData() is None  # the first strategy by default
    hybrid = panel.baseline.findData("Hybrid")
    panel.baseline.setCurrentIndex(hybrid)
    panel.baseline.activated.emit(hybrid)
    assert doc.project.baseline_strategy == "Hybrid"
    panel.list.setCurrentRow(2)
    panel.strategy_actions.rename_strategy("Hybrid 50/50")
    assert doc.project.baseline_strategy == "Hybrid 50/50"
    assert panel.baseline.currentData() == "Hybrid 50/50"
    panel.strategy_actions.delete_strategy()
    assert doc.project.baseline_strategy is None


def test_cards_say_n_m_and_show_the_increment_over_the_baseline(qtbot, doc):
    from gui.dashboard.kpis import CompareTable, KpiCards

    cards, table = KpiCards(), CompareTable()
    qtbot.addWidget(cards)
    qtbot.addWidget(table)
    qtbot.waitUntil(lambda: doc.result is not None, timeout=10_000)
    cards.update_result(doc.result)
    table.update_result(doc.result)
    keep = cards.cards[0].detail  # the example's Keep mining needs no money
    assert "IRR n/m · payback n/m" in keep and "no investment to recover" in keep
    convert = cards.cards[1].detail
    # A 50 % contract: the increment as signed and weighted, each labelled.
    assert "vs Keep mining: as signed +$" in convert and "IRR " in convert
    assert convert.splitlines()[-1].endswith(" signed") and " weighted, " in convert
    row = [table.verticalHeaderItem(r).text() for r in range(table.rowCount())]
    inc = row.index("Incremental NPV (vs baseline)")
    assert table.item(inc, 0).text() == "baseline"
    assert table.item(inc, 1).text().startswith("+$")
    weighted = row.index("Incremental NPV, weighted")
    assert table.item(weighted, 0).text() == "baseline"
    assert table.item(weighted, 1).text().startswith("+$")
    assert table.item(weighted, 3).text() == "—"  # Sell the fleet now: no contract risk
    assert table.item(row.index("IRR (% p.a. effective)"), 0).text() == "n/m"
