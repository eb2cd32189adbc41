"""The floor-plan editor's item edits: place, rotate, delete, nudge, copy and paste,
properties, and drags (re-checked live, committed on release). An object handed the editor
through ``PlanHost``; it keeps its own drag and paste state."""

from __future__ import annotations

import json

from pydantic import ValidationError
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer
from PySide6.QtWidgets import QApplication, QListWidgetItem, QMessageBox

from core.engine.blocks.kinds import is_ai, mines, owns_gpus
from core.model.plan import TEMPLATE_LABELS, TEMPLATES, PlanItem, new_item
from core.model.project import AiBlock, MiningBlock
from core.plan.autolayout import free_position
from core.plan.layout import plan_counts, rotated, size
from gui.plan.host import PlanHost
from gui.plan.scene import ItemGraphic


class ItemEdits(QObject):
    """Each edit builds the new item list and hands it to the editor's ``commit`` (one undo
    step). Also the event filter of the plan view's viewport: a mouse release ends a drag."""

    def __init__(self, host: PlanHost, parent: QObject) -> None:
        super().__init__(parent)
        self.host = host
        self._dirty: dict[int, ItemGraphic] = {}  # dragged since the last re-check
        self._paste_shift = 0.0
        self._drag_timer = QTimer(self, singleShot=True, interval=0)
        self._drag_timer.timeout.connect(self._recheck_drag)

    def _new(self, key: str) -> PlanItem:
        """Palette item ``key`` as the hangar has it already (block, model, units), if any."""
        item = new_item(key, block=self.default_block(str(TEMPLATES[key]["kind"])))
        like = [
            i for i in self.host.current_items() if (i.kind, i.cooling) == (item.kind, item.cooling)
        ]
        if like:  # a new one matches what the hangar already has of its kind
            last = like[-1]
            item = item.model_copy(
                update={
                    k: getattr(last, k) for k in ("block", "model", "units", "cooling_limit_kw")
                }
            )
        return item

    def drop(self, key: str, point: QPointF) -> None:
        item = self._new(key)
        w, h = size(item)
        step = self.host.scene.snap_m
        x = round((point.x() - w / 2) / step) * step
        y = round((point.y() - h / 2) / step) * step
        items = self.host.current_items()
        placed = item.model_copy(update={"x_m": round(x, 3), "y_m": round(y, 3)})
        self.host.commit([*items, placed], f"Add {TEMPLATE_LABELS[key]}", select=[len(items)])

    def palette_double_clicked(self, entry: QListWidgetItem) -> None:
        """The item in the free space nearest the middle of the view, never on another."""
        key = entry.data(Qt.ItemDataRole.UserRole)
        hangar = self.host.current_hangar()
        if hangar is None:
            return
        centre = self.host.view.mapToScene(self.host.view.viewport().rect().center())
        item = self._new(key)
        items = self.host.current_items()
        spot = free_position(hangar, item, items, (centre.x(), centre.y()), self.host.scene.snap_m)
        if spot is None:
            QMessageBox.information(
                self.host.widget(),
                "Add item",
                f"{hangar.name} has no free room for a {TEMPLATE_LABELS[key]}.",
            )
            return
        placed = item.model_copy(update={"x_m": spot[0], "y_m": spot[1]})
        self.host.commit([*items, placed], f"Add {TEMPLATE_LABELS[key]}", select=[len(items)])

    def default_block(self, kind: str) -> str | None:
        """The block a new item feeds: one the plans already feed, else one with no count
        yet. Never a block with a typed count: a first item would replace it (26,500 → 40);
        the user links that one on purpose, in the item's properties."""
        used = [i.block for i in self.host.current_items() if i.kind == kind and i.block]
        names = self.host.linkable_blocks().get(kind, [])
        if used and used[-1] in names:
            return used[-1]
        strategy = self.host.current_strategy()
        fed = plan_counts(self.host.project, strategy) if strategy else {}
        blocks = {b.name: b for b in strategy.blocks} if strategy else {}
        for name in names:
            if name in fed:
                return name
        for name in names:
            b = blocks[name]
            count = _count(b)
            if count == 0:
                return name
        return None

    def selected(self) -> list[int]:
        return self.host.scene.selected_indices() if self.host.built else []

    def rotate_selected(self) -> None:
        chosen = set(self.selected())
        if chosen:
            items = [
                rotated(i) if k in chosen else i for k, i in enumerate(self.host.current_items())
            ]
            self.host.commit(items, f"Rotate {len(chosen)} item(s)", select=sorted(chosen))

    def delete_selected(self) -> None:
        chosen = set(self.selected())
        if chosen:
            items = [i for k, i in enumerate(self.host.current_items()) if k not in chosen]
            self.host.commit(items, f"Delete {len(chosen)} item(s)", select=[])

    def nudge(self, dx: int, dy: int) -> None:
        chosen = set(self.selected())
        if not chosen:
            return
        step = self.host.scene.snap_m
        items = [
            i.model_copy(
                update={"x_m": round(i.x_m + dx * step, 3), "y_m": round(i.y_m + dy * step, 3)}
            )
            if k in chosen
            else i
            for k, i in enumerate(self.host.current_items())
        ]
        self.host.commit(items, "Nudge", select=sorted(chosen))

    def copy_selected(self) -> None:
        items = self.host.current_items()
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
        items = self.host.current_items()
        select = list(range(len(items), len(items) + len(moved)))
        self.host.commit([*items, *moved], f"Paste {len(moved)} item(s)", select=select)

    def select_all(self) -> None:
        self.host.scene.select(list(range(len(self.host.scene.graphics))))

    def set_properties(self, changes: dict) -> None:
        chosen = set(self.selected())
        items = self.host.current_items()
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
            QMessageBox.warning(self.host.widget(), "Item properties", str(exc.errors()[0]["msg"]))
            return
        self.host.commit(new, f"Set {', '.join(changes)}", select=sorted(chosen))

    # ------------------------------------------------------------------ dragging
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == event.Type.MouseButtonRelease:  # a drag, if any, ends here
            QTimer.singleShot(0, self._drag_finished)
        return False

    def dragged(self, graphic: ItemGraphic) -> None:
        self._dirty[graphic.index] = graphic
        self._drag_timer.start()

    def _recheck_drag(self) -> None:
        """Re-check only the items that moved since the last check."""
        if not self._dirty or self.host.plan_geometry is None:
            return
        changes = {k: g.placed() for k, g in self._dirty.items()}
        self._dirty = {}
        self.host.violations = self.host.plan_geometry.moved(changes, self.host.violations)
        self.host.show_violations()

    def _drag_finished(self) -> None:
        moved = {
            g.index: g.placed()
            for g in self.host.scene.graphics
            if (round(g.pos().x(), 3), round(g.pos().y(), 3)) != (g.item.x_m, g.item.y_m)
        }
        self._dirty = {}
        if moved:
            items = [moved.get(k, i) for k, i in enumerate(self.host.current_items())]
            self.host.commit(items, f"Move {len(moved)} item(s)", select=self.selected())


def _count(block: MiningBlock | AiBlock) -> float:
    """What a plan would set of the block: miners, GPU servers or colocation IT MW."""
    if mines(block):
        return block.asic_count
    assert is_ai(block)
    return block.server_count if owns_gpus(block) else block.it_mw
