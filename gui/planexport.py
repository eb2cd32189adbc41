"""A plan drawn outside the editor: ``minepivot layout --png`` uses this."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from core.layout import PlanContext, summarise
from core.layoutcheck import check_plan
from core.model import Project


def plan_title(strategy: str, hangar: str, it_mw: float, violations: int) -> str:
    found = f"{violations} violation(s)" if violations else "no violations"
    return f"{strategy} · {hangar}: {it_mw:,.2f} MW IT, {found}"


def render_plan_png(project: Project, strategy_name: str, hangar_name: str, path: Path) -> None:
    if "PySide6.QtWidgets" not in sys.modules and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a command needs no screen
    from PySide6.QtWidgets import QApplication

    from gui.planscene import PlanScene
    from gui.planview import export_scene

    app = QApplication.instance() or QApplication([])  # noqa: F841  (kept alive while drawing)
    strategy = next(s for s in project.strategies if s.name == strategy_name)
    plan = next(p for p in strategy.plans if p.hangar == hangar_name)
    ctx = PlanContext.of(project, strategy)
    summary = summarise(plan, strategy.name, ctx)
    violations = check_plan(project, strategy, plan)
    scene = PlanScene()
    scene.set_hangar(ctx.hangars[hangar_name], project.site.aisles)
    scene.set_items(list(plan.items), summary)
    scene.set_violations({i for v in violations for i in v.items})
    scene.label_items()
    title = plan_title(strategy.name, hangar_name, summary.it_mw, len(violations))
    export_scene(scene, path, title)
