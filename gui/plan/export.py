"""A plan drawn outside the editor: ``minepivot layout --png`` uses this."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from core.plan.checks import PlanReview


def plan_title(strategy: str, hangar: str, it_mw: float, violations: int) -> str:
    found = f"{violations} violation(s)" if violations else "no violations"
    return f"{strategy} · {hangar}: {it_mw:,.2f} MW IT, {found}"


def render_plan_png(review: PlanReview, strategy_name: str, path: Path) -> None:
    if "PySide6.QtWidgets" not in sys.modules and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a command needs no screen
    from PySide6.QtWidgets import QApplication

    from gui.plan.scene import PlanScene
    from gui.plan.view import export_scene

    app = QApplication.instance() or QApplication([])  # noqa: F841  (kept alive while drawing)
    violations = review.violations
    scene = PlanScene()
    scene.set_hangar(review.geometry.hangar, review.geometry.rules)
    scene.set_items(list(review.plan.items), review.summary)
    scene.set_violations({i for v in violations for i in v.items})
    scene.label_items()
    hangar = review.plan.hangar
    title = plan_title(strategy_name, hangar, review.summary.it_mw, len(violations))
    export_scene(scene, path, title)
