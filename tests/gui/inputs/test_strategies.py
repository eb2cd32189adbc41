"""Strategies and blocks: add, duplicate, rename, delete, reorder; block edits reach the KPIs."""

import pytest

from tests.gui.conftest import settle, type_into


@pytest.fixture
def panel(window):
    return window.strategies_panel


def names(window):
    return [s.name for s in window.doc.project.strategies]


def test_add_duplicate_rename_reorder_delete(qtbot, window, panel):
    panel.strategy_actions.add_strategy()
    assert names(window)[-1] == "New strategy"
    panel.list.setCurrentRow(0)
    panel.strategy_actions.duplicate_strategy()
    assert names(window)[1] == "Keep mining copy"
    panel.list.setCurrentRow(0)
    panel.strategy_actions.rename_strategy("Mine on")
    assert names(window)[0] == "Mine on"
    # The fallbacks that named it follow the rename.
    assert window.doc.project.strategies[2].fallback_strategy == "Mine on"
    panel.strategy_actions.move_strategy(1)
    assert names(window)[:2] == ["Keep mining copy", "Mine on"]
    panel.list.setCurrentRow(1)
    panel.strategy_actions.delete_strategy()
    assert "Mine on" not in names(window)
    assert all(s.fallback_strategy != "Mine on" for s in window.doc.project.strategies)
    settle(qtbot, window)
    assert set(window.dashboard.cumulative.curves) == set(names(window))
    assert len(window.cards.cards) == len(names(window))


def test_a_duplicate_name_is_refused_with_a_message(window, panel):
    panel.list.setCurrentRow(1)
    panel.strategy_actions.rename_strategy("Keep mining")
    assert names(window)[1] == "Convert to AI"
    assert "already used" in panel.message.text()


def test_block_edit_changes_the_kpis(qtbot, window, panel):
    # Convert to AI's fleet has no floor plan, so its count is typed.
    panel.list.setCurrentRow(1)
    panel.blocks.setCurrentRow(0)
    path = "strategies[1].blocks[0].asic_count"
    qtbot.waitUntil(lambda: path in panel.block_fields)
    assert not panel.block_fields[path].editor.isReadOnly()
    npv = window.doc.result.by_name("Convert to AI").kpis.npv_usd
    type_into(panel.block_fields[path], "20,000")
    assert window.doc.project.strategies[1].blocks[0].asic_count == 20_000
    settle(qtbot, window)
    assert window.doc.result.by_name("Convert to AI").kpis.npv_usd != npv
    assert "20,000" in panel.blocks.item(0).text()


def test_a_planned_count_is_read_only_and_a_rename_keeps_the_plan_linked(qtbot, window, panel):
    # Keep mining's fleet is laid out on the floor plan (530 shelves × 50 = 26,500).
    panel.list.setCurrentRow(0)
    panel.blocks.setCurrentRow(0)
    path = "strategies[0].blocks[0].asic_count"
    qtbot.waitUntil(lambda: path in panel.block_fields)
    assert panel.block_fields[path].editor.isReadOnly()
    assert "floor plan" in panel.block_fields[path].editor.toolTip()
    type_into(panel.block_fields["strategies[0].blocks[0].name"], "Owned S21")
    project = window.doc.project
    assert project.strategies[0].blocks[0].name == "Owned S21"
    assert {i.block for p in project.strategies[0].plans for i in p.items} == {"Owned S21"}
    assert project.strategies[0].blocks[0].asic_count == 26_500
    window.undo_action.trigger()
    assert window.doc.project.strategies[0].plans[0].items[0].block == "S21 fleet"


def test_add_ai_block_and_switch_business_model(qtbot, window, panel):
    panel.list.setCurrentRow(0)
    panel.strategy_actions.add_ai()
    blocks = window.doc.project.strategies[0].blocks
    assert blocks[-1].kind == "ai" and panel.blocks.currentRow() == len(blocks) - 1
    path = f"strategies[0].blocks[{len(blocks) - 1}]."
    qtbot.waitUntil(lambda: path + "colo_usd_per_kw_month" in panel.block_fields)
    model = panel.block_fields[path + "business_model"]
    model.editor.setCurrentIndex(1)
    model.editor.activated.emit(1)
    block = window.doc.project.strategies[0].blocks[-1]
    assert block.business_model == "gpu_cloud"
    # The switch fills the servers from the 10 IT MW (HGX H100 at 10.2 kW: 980) and the
    # one-year H100 rental price; nothing is left at zero, so no card warns.
    assert (block.server_count, block.gpu_hour_usd) == (980, 2.35)
    settle(qtbot, window)
    assert not any("earns nothing" in w for w in window.doc.result.by_name("Keep mining").warnings)
    assert window.undo_action.text() == "&Undo Business model"
    qtbot.waitUntil(lambda: path + "gpu_hour_usd" in panel.block_fields)  # form follows model
    assert panel.block_fields[path + "server_count"].editor.text() == "980"
    type_into(panel.block_fields[path + "gpu_hour_usd"], "0")
    settle(qtbot, window)
    card = window.cards.cards[0]  # Keep mining's card says which input is still zero
    assert "has GPU-hour price at 0; it earns nothing" in card.detail
    type_into(panel.block_fields[path + "server_count"], "100")
    type_into(panel.block_fields[path + "gpu_hour_usd"], "2.35")
    settle(qtbot, window)
    assert window.doc.result.by_name("Keep mining").monthly["revenue_gpu_cloud_usd"].sum() > 0
    assert "H100" in panel.spec_label.text()


def test_add_a_hosting_block_and_price_it(qtbot, window, panel):
    # Given Keep mining, when a hosting block is added and its rate typed, then the strategy
    # earns hosting revenue, and more at a higher rate.
    panel.list.setCurrentRow(0)
    panel.strategy_actions.add_hosting()
    blocks = window.doc.project.strategies[0].blocks
    assert blocks[-1].kind == "hosting" and "hosts 1,000" in panel.blocks.currentItem().text()
    path = f"strategies[0].blocks[{len(blocks) - 1}]."
    qtbot.waitUntil(lambda: path + "hosting_usd_per_kwh" in panel.block_fields)
    settle(qtbot, window)
    before = window.doc.result.by_name("Keep mining").monthly["revenue_hosting_usd"].sum()
    type_into(panel.block_fields[path + "hosting_usd_per_kwh"], "0.09")
    settle(qtbot, window)
    after = window.doc.result.by_name("Keep mining").monthly["revenue_hosting_usd"].sum()
    assert window.doc.project.strategies[0].blocks[-1].hosting_usd_per_kwh == 0.09
    assert after > before > 0


def test_add_duplicate_reorder_delete_blocks(window, panel):
    panel.list.setCurrentRow(2)
    n = len(window.doc.project.strategies[2].blocks)
    panel.strategy_actions.add_mining()
    panel.strategy_actions.duplicate_block()
    assert len(window.doc.project.strategies[2].blocks) == n + 2
    panel.strategy_actions.move_block(-1)
    panel.strategy_actions.delete_block()
    assert len(window.doc.project.strategies[2].blocks) == n + 1


def test_contract_probability_and_fallback(qtbot, window, panel):
    panel.list.setCurrentRow(1)
    type_into(panel.probability, "80")
    settle(qtbot, window)
    k = window.doc.result.by_name("Convert to AI").kpis
    keep = window.doc.result.by_name("Keep mining").kpis
    assert k.probability_weighted_npv_usd == pytest.approx(0.8 * k.npv_usd + 0.2 * keep.npv_usd)
    idx = panel.fallback.findData(None)
    panel.fallback.setCurrentIndex(idx)
    panel.fallback.activated.emit(idx)
    assert window.doc.project.strategies[1].fallback_strategy is None


def test_selecting_a_strategy_drives_the_strategy_charts(qtbot, window, panel):
    panel.list.setCurrentRow(1)
    assert window.dashboard.chart_strategy.currentText() == "Convert to AI"
    assert window.dashboard.stack.strategy == "Convert to AI"
    assert window.dashboard.stack.bars["revenue_colocation_usd"].isVisible()


def test_financing_a_strategy_adds_equity_figures_and_undo_removes_them(qtbot, window, panel):
    # Given Convert to AI, when its financing is switched on and the LTC typed, then the
    # strategy carries debt (equity IRR and DSCR on its card), and undo takes it away.
    panel.list.setCurrentRow(1)
    box = panel.financing
    box.switch.click()
    project = window.doc.project
    assert project.strategies[1].financing is not None
    path = "strategies[1].financing.ltc_pct"
    qtbot.waitUntil(lambda: path in box.fields)
    type_into(box.fields[path], "70")
    settle(qtbot, window)
    assert window.doc.project.strategies[1].financing.ltc_pct == 70
    k = window.doc.result.by_name("Convert to AI").kpis
    assert k.max_debt_usd > 0 and k.min_dscr is not None and k.equity_irr is not None
    window.doc.undo_stack.undo()
    window.doc.undo_stack.undo()
    settle(qtbot, window)
    assert window.doc.project.strategies[1].financing is None
    assert not box.switch.isChecked() and not box.fields


def test_an_ampersand_in_a_label_is_shown_not_taken_as_a_mnemonic(qtbot, window, panel):
    # "O&M" labels the mining block's O&M field; with a buddy, Qt would draw "OM" and bind
    # Alt+M unless the & is doubled.
    from PySide6.QtWidgets import QLabel

    panel.list.setCurrentRow(0)
    panel.blocks.setCurrentRow(0)
    qtbot.waitUntil(lambda: any(p.endswith("om_usd_per_mw_month") for p in panel.block_fields))
    texts = [w.text() for w in panel.block_box.findChildren(QLabel)]
    assert "O&&M" in texts and "O&M" not in texts


def test_strategy_notes_take_several_lines_commit_on_leaving_and_undo_as_one_step(
    qtbot, window, panel
):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPlainTextEdit

    from gui.widgets.fields import Field

    panel.list.setCurrentRow(1)
    notes = next(f for f in panel.findChildren(Field) if f.path == "strategies[1].notes")
    assert isinstance(notes.editor, QPlainTextEdit)
    window.show()
    notes.editor.setFocus()
    qtbot.keyClicks(notes.editor, "Lease signed")
    qtbot.keyClick(notes.editor, Qt.Key.Key_Return)
    qtbot.keyClicks(notes.editor, "Tenant: 80 MW")
    assert window.doc.project.strategies[1].notes == ""  # typed, not yet committed
    notes.editor.clearFocus()  # leaving the field commits it
    assert window.doc.project.strategies[1].notes == "Lease signed\nTenant: 80 MW"
    window.undo_action.trigger()  # the typing is one undo step
    assert window.doc.project.strategies[1].notes == ""
    assert notes.editor.toPlainText() == ""
    window.redo_action.trigger()
    assert notes.editor.toPlainText() == "Lease signed\nTenant: 80 MW"
