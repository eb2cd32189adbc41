"""What a project must survive before the app shows it: the engine, each strategy's hourly
detail and every floor-plan review. Opening a file runs this first, so a file that fails
anywhere leaves the open project as it was and lists the problem instead."""

from __future__ import annotations

import traceback

from core.engine.detail import hourly_detail
from core.engine.evaluation import evaluate
from core.model.project import Project
from core.plan.checks import review_plans


def compute_problems(project: Project) -> list[str]:
    """Empty when the project computes; else one ``(stage): message`` line for the failure.
    Such a failure is a MinePivot bug: the line says so, and the traceback goes to stderr."""
    stage = "results"
    try:
        result = evaluate(project)
        for s in project.strategies:
            stage = f"hourly detail of {s.name!r}"
            hourly_detail(project, s.name, 0, result=result)
            stage = f"floor plans of {s.name!r}"
            review_plans(project, s)
    except Exception as exc:
        traceback.print_exc()
        return [
            f"({stage}): MinePivot could not compute this file ({type(exc).__name__}: {exc}). "
            "This is a bug in MinePivot; please send the file to its developers."
        ]
    return []
