"""The Equipment tab: catalog models are read-only and can be duplicated; a project's own
models are added, edited and deleted with their sources, each one undoable step."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog

from gui.inputs.equipment import EquipmentPanel, ModelDialog


@pytest.fixture
def panel(window):
    return window.findChild(EquipmentPanel)


def answer(monkeypatch, **typed):
    """The model dialog, answered: each field typed, then OK (the dialog's own checks run)."""
    seen = {}

    def exec_(dialog):
        for field, text in typed.items():
            editor = dialog.editors[field]
            editor.setCurrentText(text) if hasattr(editor, "setCurrentText") else None
            if hasattr(editor, "setText"):
                editor.setText(text)
        dialog._accept()
        seen["error"] = dialog.error.text()
        return dialog.result() or QDialog.DialogCode.Rejected

    monkeypatch.setattr(ModelDialog, "exec", exec_)
    return seen


def select(panel, kind, model_id):
    panel.tables[kind].selectRow([i for i, _ in panel.rows[kind]].index(model_id))


def test_duplicate_a_catalog_model_use_it_edit_its_id_and_delete_it(
    qtbot, window, panel, monkeypatch
):
    doc = window.doc
    select(panel, "asic", "s21")
    assert not panel.buttons["asic"]["edit"].isEnabled()  # the catalog's own: read-only
    assert panel.buttons["asic"]["duplicate"].isEnabled()
    answer(monkeypatch, power_w="3,300", price_source="Quote from a reseller, 2026-11-20")
    panel.duplicate("asic")
    own = doc.project.custom_asics
    assert [m.id for m in own] == ["s21_custom"] and own[0].power_w == 3300.0
    assert own[0].name == "Antminer S21 (custom)" and own[0].spec_source == "Bitmain data sheet"
    assert doc.undo_stack.undoText() == "Duplicate Antminer S21"
    # A block can run on it: the model list of the block form offers it.
    strategies = window.strategies_panel
    strategies.list.setCurrentRow(0)
    strategies.blocks.setCurrentRow(0)
    path = "strategies[0].blocks[0].asic_model"

    def offered():
        field = strategies.block_fields.get(path)
        return field is not None and field.editor.findData("s21_custom") >= 0

    qtbot.waitUntil(offered, timeout=2000)
    doc.set_value(path, "s21_custom")
    assert doc.project.strategies[0].blocks[0].asic_model == "s21_custom"
    # Its id changed: the block follows, in the same step.
    select(panel, "asic", "s21_custom")
    answer(monkeypatch, id="s21_site_a")
    panel.edit("asic")
    assert [m.id for m in doc.project.custom_asics] == ["s21_site_a"]
    assert doc.project.strategies[0].blocks[0].asic_model == "s21_site_a"
    # In use, it cannot be deleted; the message names the block.
    select(panel, "asic", "s21_site_a")
    panel.delete("asic")
    assert "in use by Keep mining / S21 fleet" in panel.message.text()
    assert [m.id for m in doc.project.custom_asics] == ["s21_site_a"]
    doc.set_value("strategies[0].blocks[0].asic_model", "s21")
    select(panel, "asic", "s21_site_a")
    panel.delete("asic")
    assert doc.project.custom_asics == []
    window.undo_action.trigger()
    assert [m.id for m in doc.project.custom_asics] == ["s21_site_a"]


def test_a_new_model_needs_valid_figures_and_its_sources(qtbot, window, panel, monkeypatch):
    # A valid server, then each case with what it changes.
    valid = {
        "id": "b300",
        "name": "HGX B300",
        "gpus": "8",
        "max_power_kw": "14.3",
        "typical_power_kw": "11",
        "price_usd": "400000",
        "spec_source": "NVIDIA data sheet",
        "price_source": "Quote",
        "as_of": "2026-11-01",
    }
    seen = answer(
        monkeypatch,
        **{k: valid[k] for k in ("id", "name", "gpus", "typical_power_kw")},
        max_power_kw="-14",
        price_usd="abc",
    )
    panel.add("gpu")
    assert window.doc.project.custom_gpu_servers == []
    error = seen["error"]
    assert "Price: must be a number, got 'abc'" in error
    assert "Spec source: required for a project's own model" in error
    assert "As of: required" in error
    seen = answer(monkeypatch, **valid | {"id": "hgx_h100", "name": "Again", "max_power_kw": "14"})
    panel.add("gpu")
    assert "ID: 'hgx_h100' is already a model's" in seen["error"]
    seen = answer(monkeypatch, **valid | {"max_power_kw": "-14"})
    panel.add("gpu")
    assert seen["error"].startswith("Max power: Input should be greater than 0, got -14")
    seen = answer(monkeypatch, **valid)
    panel.add("gpu")
    assert seen["error"] == ""
    assert [m.id for m in window.doc.project.custom_gpu_servers] == ["b300"]


def test_the_tables_fit_the_panel_and_the_selection_shows_its_sources(qtbot, window, panel):
    from PySide6.QtWidgets import QApplication

    window.resize(1366, 768)
    window.show()
    window.inputs.setCurrentIndex(window.inputs.indexOf(window.inputs.widget(4)))
    QApplication.processEvents()
    for table in panel.tables.values():  # no sideways scrolling at 1366 × 768
        assert not table.horizontalScrollBar().isVisible()
    select(panel, "asic", "s21")
    text = panel.details["asic"].text()
    assert "Antminer S21" in text and "Bitmain data sheet" in text and "2025-12-01" in text
