"""The floor plan drawn as a QGraphicsScene, one scene unit per metre: hangar walls, door
egress zones, items (coloured by kind or, as a heat map, by kW), and violations in red.

The editor and the PNG/SVG export draw through the same scene."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSceneHelpEvent,
    QGraphicsSimpleTextItem,
    QStyle,
    QToolTip,
)

from core.model.plan import COOLING_LABELS, KIND_LABELS, Hangar, LayoutRules, PlanItem
from core.plan.layout import FRONT, PlanSummary, door_zone, footprint, item_name, size
from gui.widgets.numbers import fixed, general

KIND_COLOURS = {
    "asic_rack": QColor("#4e79a7"),
    "container": QColor("#59a14f"),
    "gpu_rack": QColor("#b07aa1"),
    "cdu": QColor("#76b7b2"),
    "power_pad": QColor("#9c755f"),
}
VIOLATION = QColor("#e15759")


def heat_colour(kw: float, top_kw: float) -> QColor:
    """Cool blue through yellow to hot red as kW rises towards the plan's highest."""
    t = 0.0 if top_kw <= 0 else max(0.0, min(1.0, kw / top_kw))
    return QColor.fromHsvF((1.0 - t) * 0.66, 0.85, 0.95)


def _pen(colour: QColor, width: float = 1.0) -> QPen:
    pen = QPen(colour, width)
    pen.setCosmetic(True)  # the same on screen at any zoom
    return pen


class ItemGraphic(QGraphicsRectItem):
    """One plan item. Its rectangle is local (0, 0, w, h); its position is the item's corner."""

    def __init__(self, index: int, item: PlanItem, scene: PlanScene):
        super().__init__()
        self.index = index
        self.plan_scene = scene
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
        )
        self.front = QGraphicsRectItem(self)
        self.front.setPen(Qt.PenStyle.NoPen)
        self.front.setBrush(QBrush(QColor(255, 255, 255, 170)))
        self.bad = False
        self.kw = 0.0
        self.set_item(item)

    def set_item(self, item: PlanItem) -> None:
        self.item = item
        w, h = size(item)
        self.setRect(0, 0, w, h)
        self.setPos(item.x_m, item.y_m)
        if item.kind in ("asic_rack", "gpu_rack"):  # a light strip marks the front
            dx, dy = FRONT[item.rotation]
            t = min(w, h) * 0.18
            strip = {
                (0, 1): QRectF(0, h - t, w, t),
                (0, -1): QRectF(0, 0, w, t),
                (1, 0): QRectF(w - t, 0, t, h),
                (-1, 0): QRectF(0, 0, t, h),
            }[(dx, dy)]
            self.front.setRect(strip)
            self.front.show()
        else:
            self.front.hide()
        self.restyle()

    def restyle(self) -> None:
        s = self.plan_scene
        self.kw = s.item_kw(self.index)
        colour = heat_colour(self.kw, s.top_kw) if s.heat_map else KIND_COLOURS[self.item.kind]
        self.setBrush(QBrush(colour))
        self.setPen(_pen(VIOLATION, 2.5) if self.bad else _pen(colour.darker(160), 1.0))
        self.setZValue(2 if self.bad else 1)

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionChange and isinstance(
            value, QPointF
        ):
            step = self.plan_scene.snap_m
            if step > 0:
                return QPointF(round(value.x() / step) * step, round(value.y() / step) * step)
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            self.plan_scene.item_dragged(self)
        return super().itemChange(change, value)

    def placed(self) -> PlanItem:
        """The item where it now stands on the plan (rounded to a millimetre)."""
        return self.item.model_copy(
            update={"x_m": round(self.pos().x(), 3), "y_m": round(self.pos().y(), 3)}
        )

    def paint(self, painter: QPainter, option, widget=None) -> None:
        option.state &= ~QStyle.StateFlag.State_Selected  # our own selection look, below
        super().paint(painter, option, widget)
        if self.isSelected():
            painter.setPen(_pen(QColor("#f28e2b"), 2.0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(self.rect())


class PlanScene(QGraphicsScene):
    """A hangar and its items. ``on_drag(graphic)`` is called while items move."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.snap_m = 0.1
        self.heat_map = False
        self.top_kw = 0.0
        self.graphics: list[ItemGraphic] = []
        self.hangar: Hangar | None = None
        self.summary: PlanSummary | None = None
        self.on_drag: Callable[[ItemGraphic], None] | None = None
        self.model_label: Callable[[int, PlanItem], str] = lambda i, item: ""
        self._walls: list[QGraphicsItem] = []

    # ------------------------------------------------------------------ content
    def clear_plan(self) -> None:
        """Nothing on the floor and no hangar (the next set_hangar draws its walls again)."""
        self.clear()
        self.graphics = []
        self._walls = []
        self.hangar = None
        self.summary = None

    def set_hangar(self, hangar: Hangar, rules: LayoutRules) -> None:
        for g in self._walls:
            self.removeItem(g)
        self._walls = []
        self.hangar = hangar
        floor = self.addRect(
            QRectF(0, 0, hangar.length_m, hangar.width_m),
            _pen(QColor("#333333"), 2.0),
            QBrush(QColor("#f4f4f2")),
        )
        floor.setZValue(-2)
        self._walls.append(floor)
        for door in hangar.doors:
            x0, y0, x1, y1 = door_zone(hangar, door, rules.door_clearance_m)
            zone = self.addRect(
                QRectF(x0, y0, x1 - x0, y1 - y0),
                _pen(QColor("#59a14f"), 1.0),
                QBrush(QColor(89, 161, 79, 60), Qt.BrushStyle.BDiagPattern),
            )
            zone.setZValue(-1)
            zone.setToolTip(
                f"{door.wall.title()} door, {general(door.width_m)} m wide: egress zone"
            )
            self._walls.append(zone)
        margin = max(hangar.length_m, hangar.width_m) * 0.05 + 2
        self.setSceneRect(
            QRectF(-margin, -margin, hangar.length_m + 2 * margin, hangar.width_m + 2 * margin)
        )

    def set_items(self, items: list[PlanItem], summary: PlanSummary | None) -> None:
        """Show these items: graphics are reused, updated only where the item changed."""
        self.summary = summary
        old_top = self.top_kw
        self.top_kw = float(summary.item_kw.max()) if summary and len(summary.item_kw) else 0.0
        for g in self.graphics[len(items) :]:
            self.removeItem(g)
        del self.graphics[len(items) :]
        blocker = self.on_drag
        self.on_drag = None  # placing items is not a drag
        try:
            top_changed = self.top_kw != old_top
            for i, item in enumerate(items):
                if i < len(self.graphics):
                    g = self.graphics[i]
                    if g.item is not item and (
                        g.item != item or g.pos() != QPointF(item.x_m, item.y_m)
                    ):
                        g.set_item(item)
                    elif self.heat_map and (top_changed or g.kw != self.item_kw(i)):
                        g.restyle()
                else:
                    g = ItemGraphic(i, item, self)
                    self.addItem(g)
                    self.graphics.append(g)
        finally:
            self.on_drag = blocker

    def set_violations(self, bad: set[int]) -> None:
        for g in self.graphics:
            if g.bad != (g.index in bad):
                g.bad = g.index in bad
                g.restyle()

    def set_heat_map(self, on: bool) -> None:
        self.heat_map = on
        for g in self.graphics:
            g.restyle()

    def item_kw(self, index: int) -> float:
        s = self.summary
        return float(s.item_kw[index]) if s is not None and index < len(s.item_kw) else 0.0

    def describe(self, index: int, item: PlanItem) -> str:
        w, h = size(item)
        lines = [
            f"<b>{item_name(index, item)}</b>: {KIND_LABELS[item.kind]}, "
            f"{COOLING_LABELS[item.cooling]}",
            f"{general(w)} × {general(h)} m at x {general(item.x_m)} m, y {general(item.y_m)} m, "
            f"rotated {item.rotation}°",
        ]
        extra = self.model_label(index, item)
        if extra:
            lines.append(extra)
        if item.kind in ("asic_rack", "container", "gpu_rack"):
            lines.append(
                f"{fixed(self.item_kw(index), 1)} kW IT; "
                f"cooling limit {fixed(item.cooling_limit_kw)} kW"
            )
        if item.kind == "cdu":
            lines.append(f"cooling capacity {fixed(item.cooling_kw)} kW")
        if item.kind == "power_pad":
            lines.append(f"{general(item.mva)} MVA")
        return "<br>".join(lines)

    def helpEvent(self, event: QGraphicsSceneHelpEvent) -> None:
        """Tooltips written when asked for: thousands of items need not carry one each."""
        for item in self.items(event.scenePos()):
            if isinstance(item, ItemGraphic):
                QToolTip.showText(event.screenPos(), self.describe(item.index, item.item))
                return
        super().helpEvent(event)

    def item_dragged(self, graphic: ItemGraphic) -> None:
        if self.on_drag is not None:
            self.on_drag(graphic)

    def selected_indices(self) -> list[int]:
        return sorted(g.index for g in self.graphics if g.isSelected())

    def select(self, indices: set[int] | list[int] | tuple[int, ...]) -> None:
        wanted = set(indices)
        self.blockSignals(True)  # one selectionChanged for the lot, not one per item
        try:
            self.clearSelection()
            for g in self.graphics:
                if g.index in wanted:
                    g.setSelected(True)
        finally:
            self.blockSignals(False)
        self.selectionChanged.emit()

    def label_items(self) -> None:
        """Names on large items (containers, pads) for the exported picture."""
        for g in self.graphics:
            if g.item.kind in ("container", "power_pad"):
                text = QGraphicsSimpleTextItem(item_name(g.index, g.item), g)
                text.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
                text.setPos(0.2, 0.2)

    def bounds(self) -> QRectF:
        if self.hangar is None:
            return self.itemsBoundingRect()
        x0, y0, x1, y1 = 0.0, 0.0, self.hangar.length_m, self.hangar.width_m
        for g in self.graphics:
            fx0, fy0, fx1, fy1 = footprint(g.item)
            x0, y0, x1, y1 = min(x0, fx0), min(y0, fy0), max(x1, fx1), max(y1, fy1)
        pad = 1.0
        return QRectF(x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad)
