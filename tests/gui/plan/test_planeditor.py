"""The Floor plan tab: place, move, rotate, delete, undo; counts reaching the charts; exports."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from tests.gui.conftest import curve_y, settle


def open_plan(qtbot, window):
    window.views.setCurrentWidget(window.plan_editor)
    editor = window.plan_editor
    qtbot.waitUntil(lambda: editor.built and len(editor.scene.graphics) > 0, timeout=5000)
    return editor


def fleet(window) -> int:
    return window.doc.project.strategies[0].blocks[0].asic_count


def view_point(editor, x_m: float, y_m: float):
    return editor.view.mapFromScene(QPointF(x_m, y_m))


def test_place_move_rotate_delete_and_undo(qtbot, window):
    # Given the example's Keep mining plan of Hangar A: 265 shelves of 50 S21, no violations.
    editor = open_plan(qtbot, window)
    assert (editor.strategy_name, editor.hangar_name) == ("Keep mining", "Hangar A")
    assert len(editor.scene.graphics) == 265 and editor.all_violations() == []
    assert fleet(window) == 26_500
    # Place: a shelf dropped at (107.5, 8.4) m lands centred there (x 106.5 … 108.5,
    # y 8.0 … 8.8): clear of the rows (which end at 106 m) and of the east door's zone.
    editor.edits.drop("asic_rack", QPointF(107.5, 8.4))
    assert len(editor.scene.graphics) == 266
    new = editor.scene.graphics[265]
    assert (new.item.x_m, new.item.y_m, new.item.block) == (106.5, 8.0, "S21 fleet")
    assert fleet(window) == 26_550 and editor.all_violations() == []
    # Move: drag it about 3 m west with the mouse; it sits on the last row's shelves while dragged
    # (outlined red before the mouse is released), and the move is one undo step.
    editor.view.centerOn(new)
    qtbot.wait(1)
    start = view_point(editor, 107.5, 8.4)
    end = view_point(editor, 104.5, 8.1)
    viewport = editor.view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(viewport, end)
    qtbot.waitUntil(lambda: new.bad, timeout=2000)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    qtbot.waitUntil(lambda: editor.current_items()[265].x_m != 106.5, timeout=2000)
    moved = editor.current_items()[265]
    # (The view's drag threshold and pixel rounding make the landing spot approximate.)
    assert 101.5 < moved.x_m < 105 and 7.0 < moved.y_m < 8.0
    assert abs(moved.x_m * 10 - round(moved.x_m * 10)) < 1e-6  # on the 0.1 m grid
    assert any(v.rule == "overlap" and 265 in v.items for v in editor.all_violations())
    assert window.doc.undo_stack.undoText().startswith("Move 1 item")
    window.undo_action.trigger()
    assert editor.current_items()[265].x_m == 106.5 and editor.all_violations() == []
    # Rotate with R: the 2.0 × 0.8 shelf turns about its centre to 0.8 × 2.0.
    editor.scene.select([265])
    editor.view.setFocus()
    QTest.keyClick(editor.view, Qt.Key.Key_R)
    turned = editor.current_items()[265]
    assert turned.rotation == 90 and (turned.x_m, turned.y_m) == (107.1, 7.4)
    # Delete with the Delete key; undo brings it back, redo removes it again.
    editor.scene.select([265])
    QTest.keyClick(editor.view, Qt.Key.Key_Delete)
    assert len(editor.scene.graphics) == 265 and fleet(window) == 26_500
    window.undo_action.trigger()
    assert len(editor.scene.graphics) == 266 and fleet(window) == 26_550
    window.redo_action.trigger()
    assert len(editor.scene.graphics) == 265


def test_counts_reach_the_strategy_and_its_chart(qtbot, window):
    editor = open_plan(qtbot, window)
    settle(qtbot, window)
    before = curve_y(window, "Keep mining")
    # Copy a whole row of 53 shelves and paste it (1 m east and south of the original).
    row = [k for k, g in enumerate(editor.scene.graphics) if g.item.y_m == 0.0]
    assert len(row) == 53
    editor.scene.select(row)
    editor.edits.copy_selected()
    editor.edits.paste()
    assert len(editor.scene.graphics) == 318 and fleet(window) == 26_500 + 53 * 50
    settle(qtbot, window)
    after = curve_y(window, "Keep mining")
    # More shelves (owned fleet, no purchase) mine more: the cumulative cash curve rises.
    assert after[-1] > before[-1]
    # The pasted row overlaps the original rows: the list names them and a click selects them.
    assert editor.violation_list.count() > 0
    editor.violation_list.setCurrentRow(0)
    assert editor.scene.selected_indices() == sorted(editor.all_violations()[0].items)


def test_auto_layout_and_heat_map_and_exports(qtbot, window, tmp_path):
    editor = open_plan(qtbot, window)
    editor.choose("Convert to AI", "Hangar B")
    assert editor.scene.graphics == []
    # 110 × 10 m of direct-liquid GPU racks (0.6 × 1.2 m): 183 a row. Rows start at 0
    # (south-facing), 2.4 (north), 4.5 (south), 6.9 (north); a fifth at 9.0 would need
    # 9.0 + 1.2 + 1.2 > 10. 4 × 183 = 732 racks, less the east door's zone (x 107 … 110,
    # y 3.5 … 6.5): the racks from x 106.8 (k = 178 … 182) of the rows spanning y 2.4 … 3.6
    # and 4.5 … 5.7; the row at 6.9 starts below 6.5. 732 − 2 × 5 = 722.
    placed = editor.hangars.fill("gpu_rack_liquid", {"block": "AI colocation"}, (0, 0, 110, 10))
    assert placed == 722
    it_mw = window.doc.project.strategies[1].blocks[1].it_mw
    assert abs(it_mw - 722 * 4 * 10.2 / 1000) < 1e-6  # the plan sets the colocation MW
    # No CDUs yet: the liquid heat has nowhere to go.
    assert [v.rule for v in editor.all_violations()] == ["cooling"]
    editor.heat.setChecked(True)
    colours = {g.brush().color().name() for g in editor.scene.graphics}
    assert len(colours) == 1  # every rack carries the same kW
    png, svg = tmp_path / "plan.png", tmp_path / "plan.svg"
    editor.hangars.export(png)
    editor.hangars.export(svg)
    image = QImage(str(png))
    assert image.width() >= 1600
    # Sample the picture's middle row: rack colour (heat map) appears.
    assert (
        np.unique([image.pixelColor(x, image.height() // 2).name() for x in range(0, 1600, 7)]).size
        > 2
    )
    assert "<svg" in svg.read_text()[:400]


def test_layout_command_draws_a_plan_png(tmp_path):
    import subprocess
    import sys

    from core.resources import example_project_path

    out = tmp_path / "hybrid.png"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "gui.main",
            "layout",
            str(example_project_path()),
            "--strategy",
            "Hybrid",
            "--png",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and f"wrote {out}" in done.stdout
    image = QImage(str(out))
    assert image.width() >= 1600 and image.height() > 100


def test_layout_png_to_a_folder_or_missing_parent_says_so_once(tmp_path, capsys):
    from core.resources import example_project_path
    from gui.main import main

    folder = tmp_path / "plans"
    folder.mkdir()
    for out, expected in (
        (folder, f"cannot write {folder}: Is a directory"),
        (tmp_path / "missing" / "p.png", f"cannot write in {tmp_path / 'missing'}"),
    ):
        args = ["layout", str(example_project_path()), "--strategy", "Hybrid", "--png", str(out)]
        assert main(args) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and expected in err[0], err
    assert not any(folder.iterdir())


def test_auto_layout_proposes_gpu_racks_with_their_cdus_in_an_ai_plan(qtbot, window, monkeypatch):
    from PySide6.QtWidgets import QDialog

    from gui.plan.dialogs import AutoLayoutDialog

    editor = open_plan(qtbot, window)
    editor.choose("Convert to AI", "Hangar B")
    seen = {}

    def accept(dialog):
        seen["template"] = dialog.template.currentData()
        seen["cdus"] = dialog.cdus.isChecked()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(AutoLayoutDialog, "exec", accept)
    editor.hangars.auto_layout_dialog()
    # The strategy runs AI only: direct-liquid GPU racks, with CDUs, are proposed.
    assert seen == {"template": "gpu_rack_liquid", "cdus": True}
    items = editor.current_items()
    cdus = [i for i in items if i.kind == "cdu"]
    racks = [i for i in items if i.kind == "gpu_rack"]
    assert racks and cdus
    assert editor.summary.cooling_kw >= editor.summary.heat_load_kw  # the heat has a way out
    assert not [v for v in editor.all_violations() if v.rule == "cooling"]
    assert window.doc.undo_stack.undoText().endswith(f"and {len(cdus)} CDU(s)")


def test_a_double_clicked_palette_item_lands_in_free_space(qtbot, window):
    from PySide6.QtWidgets import QListWidgetItem

    from core.plan.layout import footprint

    editor = open_plan(qtbot, window)
    before = editor.current_items()
    editor.view.fit()
    entry = next(
        editor.item_palette.item(i)
        for i in range(editor.item_palette.count())
        if editor.item_palette.item(i).data(Qt.ItemDataRole.UserRole) == "cdu"
    )
    assert isinstance(entry, QListWidgetItem)
    editor.edits.palette_double_clicked(entry)
    items = editor.current_items()
    assert len(items) == len(before) + 1
    new = footprint(items[-1])
    for other in map(footprint, before):  # on nothing: shares no area with any shelf
        assert new[2] <= other[0] or other[2] <= new[0] or new[3] <= other[1] or other[3] <= new[1]
    assert not [v for v in editor.all_violations() if v.rule == "overlap"]


def test_a_hangar_is_edited_through_its_dialog_and_its_plans_follow(qtbot, window, monkeypatch):
    from PySide6.QtWidgets import QDialog

    from core.model.plan import Door
    from gui.plan.dialogs import HangarDialog

    # Given the example's Hangar A, shown in Keep mining's plan.
    editor = open_plan(qtbot, window)
    before = window.doc.project.site.hangars[0]
    assert editor.hangar_name == before.name

    def edit(dialog):
        # When the user renames it, makes it 10 m longer and adds a 6 m door on the east wall.
        dialog.name.setText("Hall A")
        dialog.length_m.setValue(before.length_m + 10)
        dialog.add_door(Door(wall="east", offset_m=5.0, width_m=6.0))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(HangarDialog, "exec", edit)
    editor.hangars.edit_hangar()
    # Then the site has the new hangar, with its door, and the plans follow its new name.
    hangar = window.doc.project.site.hangars[0]
    assert (hangar.name, hangar.length_m, hangar.width_m) == (
        "Hall A",
        before.length_m + 10,
        before.width_m,
    )
    assert (hangar.doors[-1].wall, hangar.doors[-1].offset_m, hangar.doors[-1].width_m) == (
        "east",
        5.0,
        6.0,
    )
    assert editor.hangar_name == "Hall A"
    plans = [p.hangar for p in window.doc.project.strategies[0].plans]
    assert "Hall A" in plans and before.name not in plans
    # And one undo puts everything back.
    window.doc.undo_stack.undo()
    assert window.doc.project.site.hangars[0] == before
