"""The floor-plan view (wheel zoom, pan, rubber band, a scale bar in metres, drops from the
palette) and the plan's picture exports (PNG, SVG; also ``minepivot layout --png``)."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QGraphicsView

from gui.picture import save_picture
from gui.plan.scene import PlanScene
from gui.widgets.numbers import general

ITEM_MIME = "application/x-minepivot-plan-item"


def nice_length(max_m: float) -> float:
    """The largest 1, 2 or 5 × 10^k metres not above ``max_m``."""
    if max_m <= 0:
        return 1.0
    k = math.floor(math.log10(max_m))
    for step in (5, 2, 1):
        if step * 10**k <= max_m:
            return float(step * 10**k)
    return float(10**k)


def draw_scale_bar(painter: QPainter, px_per_m: float, left: float, bottom: float) -> None:
    """A bar about 120 px long, labelled in metres, with its lower-left corner at (left, bottom)."""
    metres = nice_length(120 / px_per_m) if px_per_m > 0 else 1.0
    length = metres * px_per_m
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.fillRect(QRectF(left - 4, bottom - 26, length + 8, 30), QColor(255, 255, 255, 200))
    painter.setPen(QPen(QColor("#222222"), 2))
    painter.drawLine(QPointF(left, bottom - 4), QPointF(left + length, bottom - 4))
    for x in (left, left + length):
        painter.drawLine(QPointF(x, bottom - 9), QPointF(x, bottom))
    font = QFont()
    font.setPointSizeF(8.5)
    painter.setFont(font)
    painter.drawText(QPointF(left, bottom - 12), f"{general(metres)} m")
    painter.restore()


class PlanView(QGraphicsView):
    """Wheel zooms about the cursor; the middle button (or Space + drag) pans; dragging on the
    floor draws a rubber band. ``on_drop(key, scene_point)`` places a palette item."""

    def __init__(self, scene: PlanScene, parent=None):
        super().__init__(scene, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setAcceptDrops(True)
        self.setToolTip("")
        self.on_drop: Callable[[str, QPointF], None] | None = None
        self._panning: QPointF | None = None
        self._space = False
        # Fitted: the whole hangar stays in view as the view is resized (a window resized,
        # a panel shown), until the user zooms; Fit (F) fits again.
        self.fitted = True

    def px_per_m(self) -> float:
        return self.transform().m11()

    def zoom(self, factor: float) -> None:
        current = self.px_per_m()
        factor = max(0.5 / current, min(400.0 / current, factor))  # 0.5 … 400 px per metre
        self.scale(factor, factor)
        self.fitted = False

    def fit(self) -> None:
        scene = self.scene()
        rect = scene.bounds() if isinstance(scene, PlanScene) else scene.itemsBoundingRect()
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        self.fitted = True

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.fitted:
            self.fit()

    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom(1.2**steps)
        event.accept()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().unsetCursor()
            return
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.MiddleButton or (
            self._space and event.button() == Qt.MouseButton.LeftButton
        ):
            self._panning = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._panning is not None:
            delta = event.position() - self._panning
            self._panning = event.position()
            h, v = self.horizontalScrollBar(), self.verticalScrollBar()
            h.setValue(h.value() - int(delta.x()))
            v.setValue(v.value() - int(delta.y()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._panning is not None:
            self._panning = None
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        painter.save()
        painter.resetTransform()
        draw_scale_bar(painter, self.px_per_m(), 12, self.viewport().height() - 10)
        painter.restore()

    # ------------------------------------------------------------------ palette drops
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasFormat(ITEM_MIME):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        if event.mimeData().hasFormat(ITEM_MIME):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:
        data = event.mimeData()
        if data.hasFormat(ITEM_MIME) and self.on_drop is not None:
            key = bytes(data.data(ITEM_MIME).data()).decode()
            self.on_drop(key, self.mapToScene(event.position().toPoint()))
            event.acceptProposedAction()
        else:
            super().dropEvent(event)


# ----------------------------------------------------------------------------- export
def export_scene(scene: PlanScene, path: Path, title: str) -> Path:
    """Write the plan as PNG (about 10 px per metre, at least 1,600 px wide) or SVG, with a
    scale bar; written beside the target and renamed over it, so a failure leaves no half
    file."""
    path = Path(path)
    source = scene.bounds()
    px_per_m = max(10.0, 1600.0 / max(source.width(), 1.0))
    px_per_m = min(px_per_m, 8000.0 / max(source.width(), source.height(), 1.0))
    plan_h = int(source.height() * px_per_m)
    width, height = int(source.width() * px_per_m), plan_h + 40 + 36  # title, plan, scale bar
    target = QRectF(0, 40, width, plan_h)

    def paint(painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(QRectF(0, 0, width, height), QColor("white"))
        font = QFont()
        font.setPointSizeF(11)
        painter.setFont(font)
        painter.setPen(QColor("#222222"))
        painter.drawText(QRectF(10, 6, width - 20, 30), Qt.AlignmentFlag.AlignVCenter, title)
        selected = scene.selectedItems()
        scene.clearSelection()  # the picture shows the plan, not what was being edited
        scene.render(painter, target, source, Qt.AspectRatioMode.KeepAspectRatio)
        for item in selected:
            item.setSelected(True)
        draw_scale_bar(painter, px_per_m, 14, height - 10)

    return save_picture(path, title, QSize(width, height), paint)
