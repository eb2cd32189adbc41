"""What the floor plan's item edits and hangar actions use of the editor they serve: the plan
on show, how to replace it (``commit``) and the scene that draws it. They are handed an
editor through this interface and touch nothing else of it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtWidgets import QWidget

from core.model.plan import Hangar, PlanItem
from core.model.project import Project, Strategy
from core.plan.geometry import PlanGeometry, Violation
from core.plan.layout import PlanSummary
from gui.document import ProjectDocument
from gui.plan.scene import PlanScene
from gui.plan.view import PlanView


class PlanHost(Protocol):
    doc: ProjectDocument | None
    ask_path: Callable[[str, str], Path | None] | None
    built: bool
    strategy_name: str | None
    hangar_name: str | None
    violations: list[Violation]
    plan_geometry: PlanGeometry | None
    summary: PlanSummary | None
    scene: PlanScene
    view: PlanView

    @property
    def project(self) -> Project: ...

    def widget(self) -> QWidget: ...

    def current_strategy(self) -> Strategy | None: ...

    def current_hangar(self) -> Hangar | None: ...

    def current_items(self) -> list[PlanItem]: ...

    def linkable_blocks(self) -> dict[str, list[str]]: ...

    def all_violations(self) -> list[Violation]: ...

    def show_violations(self) -> None: ...

    def commit(self, items: list[PlanItem], text: str, select: list[int] | None = None) -> None: ...
