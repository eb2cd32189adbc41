"""The floor-plan editor's item edits (a part of PlanEditor): place, rotate, delete, nudge,
copy and paste, properties, and drags (re-checked live, committed on release)."""

from __future__ import annotations

import json

from pydantic import ValidationError
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QListWidgetItem, QMessageBox

from core.engine.blocks.kinds import mines, owns_gpus
from core.model.plan import TEMPLATE_LABELS, TEMPLATES, PlanItem, new_item
from core.plan.autolayout import free_position
from core.plan.layout import plan_counts, rotated, size
from gui.plan.scene import ItemGraphic


class ItemEdits:
    """Each edit builds the new item list and hands it to ``commit`` (one undo step)."""

    def _new(self, key: str) -> PlanItem:
        """Palette item ``key`` as the hangar has it already (block, model, units), if any."""
        item = new_item(key, block=self._default_block(str(TEMPLATES[key]["kind"])))
        like = [i for i in self.current_items() if (i.kind, i.cooling) == (item.kind, item.cooling)]
        if like:  # a new one matches what the hangar already has of its kind
            last = like[-1]
            item = item.model_copy(
                update={
                    k: getattr(last, k) for k in ("block", "model", "units", "cooling_limit_kw")
                }
            )
        return item

    def drop(self, key: str, point) -> None:
        item = self._new(key)
        w, h = size(item)
        step = self.scene.snap_m
        x = round((point.x() - w / 2) / step) * step
        y = round((point.y() - h / 2) / step) * step
        items = self.current_items()
        placed = item.model_copy(update={"x_m": round(x, 3), "y_m": round(y, 3)})
        self.commit([*items, placed], f"Add {TEMPLATE_LABELS[key]}", select=[len(items)])

    def _palette_double_clicked(self, entry: QListWidgetItem) -> None:
        """The item in the free space nearest the middle of the view, never on another."""
        key = entry.data(Qt.ItemDataRole.UserRole)
        hangar = self.current_hangar()
        if hangar is None:
            return
        centre = self.view.mapToScene(self.view.viewport().rect().center())
        item = self._new(key)
        items = self.current_items()
        spot = free_position(hangar, item, items, (centre.x(), centre.y()), self.scene.snap_m)
        if spot is None:
            QMessageBox.information(
                self, "Add item", f"{hangar.name} has no free room for a {TEMPLATE_LABELS[key]}."
            )
            return
        placed = item.model_copy(update={"x_m": spot[0], "y_m": spot[1]})
        self.commit([*items, placed], f"Add {TEMPLATE_LABELS[key]}", select=[len(items)])

    def _default_block(self, kind: str) -> str | None:
        """The block a new item feeds: one the plans already feed, else one with no count
        yet. Never a block with a typed count: a first item would replace it (26,500 → 40);
        the user links that one on purpose, in the item's properties."""
        used = [i.block for i in self.current_items() if i.kind == kind and i.block]
        names = self.linkable_blocks().get(kind, [])
        if used and used[-1] in names:
            return used[-1]
        strategy = self.current_strategy()
        fed = plan_counts(self.project, strategy) if strategy else {}
        blocks = {b.name: b for b in strategy.blocks} if strategy else {}
        for name in names:
            if name in fed:
                return name
        for name in names:
            b = blocks[name]
            count = b.asic_count if mines(b) else (b.server_count if owns_gpus(b) else b.it_mw)
            if count == 0:
                return name
        return None

    def selected(self) -> list[int]:
        return self.scene.selected_indices() if self.built else []

    def rotate_selected(self) -> None:
        chosen = set(self.selected())
        if chosen:
            items = [rotated(i) if k in chosen else i for k, i in enumerate(self.current_items())]
            self.commit(items, f"Rotate {len(chosen)} item(s)", select=sorted(chosen))

    def delete_selected(self) -> None:
        chosen = set(self.selected())
        if chosen:
            items = [i for k, i in enumerate(self.current_items()) if k not in chosen]
            self.commit(items, f"Delete {len(chosen)} item(s)", select=[])

    def nudge(self, dx: int, dy: int) -> None:
        chosen = set(self.selected())
        if not chosen:
            return
        step = self.scene.snap_m
        items = [
            i.model_copy(
                update={"x_m": round(i.x_m + dx * step, 3), "y_m": round(i.y_m + dy * step, 3)}
            )
            if k in chosen
            else i
            for k, i in enumerate(self.current_items())
        ]
        self.commit(items, "Nudge", select=sorted(chosen))

    def copy_selected(self) -> None:
        items = self.current_items()
        chosen = [items[k].model_dump(mode="json") for k in self.selected()]
        if chosen:
            QApplication.clipboard().setText(json.dumps({"minepivot_plan_items": chosen}))
            self._paste_shift = 0.0

    def paste(self) -> None:
        try:
            data = json.loads(QApplication.clipboard().text())
            copied = [PlanItem.model_validate(d) for d in data["minepivot_plan_items"]]
        except (ValueError, KeyError, TypeError, ValidationError):
            return  # not plan items: nothing to paste
        self._paste_shift += 1.0
        shift = self._paste_shift
        moved = [
            i.model_copy(update={"x_m": round(i.x_m + shift, 3), "y_m": round(i.y_m + shift, 3)})
            for i in copied
        ]
        items = self.current_items()
        select = list(range(len(items), len(items) + len(moved)))
        self.commit([*items, *moved], f"Paste {len(moved)} item(s)", select=select)

    def select_all(self) -> None:
        self.scene.select(range(len(self.scene.graphics)))

    def set_properties(self, changes: dict) -> None:
        chosen = set(self.selected())
        items = self.current_items()
        if not chosen:
            return
        kind = items[min(chosen)].kind
        new = [
            i.model_copy(update=changes) if k in chosen and i.kind == kind else i
            for k, i in enumerate(items)
        ]
        try:
            new = [PlanItem.model_validate(i.model_dump()) for i in new]
        except ValidationError as exc:
            QMessageBox.warning(self, "Item properties", str(exc.errors()[0]["msg"]))
            return
        self.commit(new, f"Set {', '.join(changes)}", select=sorted(chosen))

    # ------------------------------------------------------------------ dragging
    def eventFilter(self, watched, event) -> bool:
        if event.type() == event.Type.MouseButtonRelease:  # a drag, if any, ends here
            QTimer.singleShot(0, self._drag_finished)
        return False

    def _dragged(self, graphic: ItemGraphic) -> None:
        self._dirty[graphic.index] = graphic
        self._drag_timer.start()

    def _recheck_drag(self) -> None:
        """Re-check only the items that moved since the last check."""
        if not self._dirty or self.geometry is None:
            return
        changes = {k: g.placed() for k, g in self._dirty.items()}
        self._dirty = {}
        self.violations = self.geometry.moved(changes, self.violations)
        self._show_violations()

    def _drag_finished(self) -> None:
        moved = {
            g.index: g.placed()
            for g in self.scene.graphics
            if (round(g.pos().x(), 3), round(g.pos().y(), 3)) != (g.item.x_m, g.item.y_m)
        }
        self._dirty = {}
        if moved:
            items = [moved.get(k, i) for k, i in enumerate(self.current_items())]
            self.commit(items, f"Move {len(moved)} item(s)", select=self.selected())
