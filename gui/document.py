"""The open project: one immutable Project, edited through validated setters with undo/redo.

Every edit replaces the Project; the document emits ``project_changed`` and recomputes the
results on the next turn of the event loop (several edits in one turn cost one recompute).
A value being typed is a preview (``preview_value``): the results follow it, but the project,
the undo stack and everything saved or exported keep the last committed value until the field
commits it (``set_value``) or drops it (``clear_preview``).
Goal seek (break-evens, required AI price) runs on the latest-input-wins worker
(``gui.worker``): an edit stops the running solve, and only the newest answer arrives. Worker
errors come back as ``error``.
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from core.engine.evaluation import ProjectResult, evaluate
from core.engine.goalseek import GoalSeek, goal_seek
from core.model.business import with_business_model
from core.model.catalog import catalog_for
from core.model.paths import split_path
from core.model.project import AiBlock, Project
from core.model.validate import InvalidProject, validate_project
from core.plan.layout import apply_plan_counts, rename_block_links
from core.tasks import TaskState
from gui.widgets.colours import StrategyColours
from gui.worker import LatestWins

_BLOCK_NAME = re.compile(r"strategies\[(\d+)\]\.blocks\[(\d+)\]\.name")
_STRATEGY = re.compile(r"strategies\[\d+\]")
_BUSINESS_MODEL = re.compile(r"strategies\[(\d+)\]\.blocks\[(\d+)\]\.business_model")


def with_value(project: Project, path: str, value: Any) -> dict[str, Any]:
    """The project as JSON data with one value replaced (the project itself is untouched)."""
    data = project.model_dump(mode="json")
    parts = split_path(path)
    node: Any = data
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value
    return data


def _checked(data: dict[str, Any]) -> Project:
    """Current-schema project data validated by the model, with its plans' counts applied."""
    return apply_plan_counts(validate_project(data))


class _Replace(QUndoCommand):
    def __init__(
        self, doc: ProjectDocument, old: Project, new: Project, text: str, merge_key: str | None
    ):
        super().__init__(text)
        self.doc, self.old, self.new = doc, old, new
        self.merge_key = merge_key
        self.session = doc._edit_session

    def id(self) -> int:
        return 1 if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, _Replace) or other.merge_key != self.merge_key:
            return False
        if other.session != self.session:
            return False
        self.new = other.new
        return True

    def redo(self) -> None:
        self.doc._set_project(self.new)

    def undo(self) -> None:
        self.doc._set_project(self.old)


class ProjectDocument(QObject):
    project_changed = Signal(object)  # Project
    result_ready = Signal(object)  # ProjectResult
    goal_seek_ready = Signal(object)  # dict[str, GoalSeek]
    goal_seek_started = Signal()
    error = Signal(str)
    path_changed = Signal(object)  # Path | None
    # Fields holding a value that was not applied: {path: message}. While any is, the
    # results shown are those of the last valid inputs.
    invalid_changed = Signal(object)  # dict[str, str]
    # A typed value shown in the results but not committed, set or dropped (its path).
    preview_changed = Signal(str)
    # A message for the status bar about an input (a refused value put back, say).
    notice = Signal(str)

    def __init__(self, project: Project, path: Path | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._project = project
        self._path = path
        self._result: ProjectResult | None = None
        self.last_goal_seek: dict[str, GoalSeek] | None = None  # for the current project
        self._edit_session = 0
        self._invalid: dict[str, str] = {}
        self._preview: tuple[str, Project] | None = None  # (path, project) being typed
        # The paths the change being announced touched (one field's edit), or None: anything
        # may have changed (undo, open, a list rewritten). Views skip what it leaves alone.
        self.changed_paths: tuple[str, ...] | None = None
        # Each strategy's chart and card colour, kept through additions, moves and renames.
        self.colours = StrategyColours([s.name for s in project.strategies])
        self.undo_stack = QUndoStack(self)
        self._recompute_timer = QTimer(self, singleShot=True, interval=0)
        self._recompute_timer.timeout.connect(self.recompute)
        self._seek_timer = QTimer(self, singleShot=True, interval=250)
        self._seek_timer.timeout.connect(self._start_goal_seek)
        self.seeker = LatestWins("Goal seek", "goal-seek", self)
        self.seeker.finished.connect(self._on_goal_seek)
        self.seeker.failed.connect(self.error)
        self._recompute_timer.start()

    # ------------------------------------------------------------------ state
    @property
    def project(self) -> Project:
        return self._project

    @property
    def shown(self) -> Project:
        """The project the results are for: the committed one, or its preview while a value
        is being typed."""
        return self._preview[1] if self._preview is not None else self._project

    @property
    def previewing(self) -> str | None:
        """The path of the value being previewed, if any."""
        return self._preview[0] if self._preview is not None else None

    @property
    def result(self) -> ProjectResult | None:
        """The results of ``shown``."""
        return self._result

    @property
    def path(self) -> Path | None:
        return self._path

    def set_path(self, path: Path | None) -> None:
        self._path = path
        self.path_changed.emit(path)

    def is_modified(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def invalid(self) -> dict[str, str]:
        """The fields whose typed value was refused, with the message each shows."""
        return dict(self._invalid)

    def mark_invalid(self, path: str, message: str | None) -> None:
        """A field says it holds a value that was not applied (``message``), or no longer."""
        if not message and path not in self._invalid:
            return  # the usual case: a valid field refreshed
        before = dict(self._invalid)
        if message:
            self._invalid[path] = message
        else:
            self._invalid.pop(path, None)
        if self._invalid != before:
            self.invalid_changed.emit(dict(self._invalid))

    # ------------------------------------------------------------------ editing
    def set_value(self, path: str, value: Any, text: str | None = None) -> list[str]:
        """Validate the project with one value changed; apply it (undoable) or return the
        problems, each ``path: message``. Consecutive edits of one field merge into one undo
        step until ``end_edit``. A preview of the path is dropped either way."""
        try:
            candidate = self._candidate(path, value)
        except InvalidProject as exc:
            return exc.problems
        if self._preview is not None and self._preview[0] == path:
            self._preview = None
            if candidate == self._project:
                self._shown_changed(path)
        if candidate != self._project:
            # A strategy's field may move others of it (a model sets the plan's IT MW, a
            # business model its defaults): the whole strategy counts as touched.
            within = _STRATEGY.match(path)
            self.changed_paths = (within[0] if within else path,)
            try:
                self.apply(candidate, text or f"Edit {path}", merge_key=path)
            finally:
                self.changed_paths = None
        return []

    def preview_value(self, path: str, value: Any) -> list[str]:
        """Show the results of the project with one value changed, without changing the
        project: a value being typed. Returns the problems (and drops the preview) when the
        value is refused."""
        try:
            candidate = self._candidate(path, value)
        except InvalidProject as exc:
            self.clear_preview(path)
            return exc.problems
        if candidate == self._project:
            self.clear_preview(path)
        elif self._preview is None or self._preview[1] != candidate:
            self._preview = (path, candidate)
            self._shown_changed(path)
        return []

    def check_value(self, path: str, value: Any) -> list[str]:
        """The problems with one value changed (none: it would be accepted), applying
        nothing: a name being typed."""
        try:
            self._candidate(path, value)
        except InvalidProject as exc:
            return exc.problems
        return []

    def clear_preview(self, path: str | None = None) -> None:
        """Drop the preview (of ``path`` only, when given): the results go back to the
        committed project."""
        if self._preview is None or (path is not None and self._preview[0] != path):
            return
        path = self._preview[0]
        self._preview = None
        self._shown_changed(path)

    def _candidate(self, path: str, value: Any) -> Project:
        """The project with one value changed, validated (raises InvalidProject): a business
        model switched fills its inputs with sourced defaults, a renamed block keeps its plan
        items."""
        switched = _BUSINESS_MODEL.fullmatch(path)
        if switched:  # the new model's inputs filled with sourced defaults where still zero
            i, j = int(switched[1]), int(switched[2])
            block = self._project.strategies[i].blocks[j]
            if isinstance(block, AiBlock) and value in ("colocation", "gpu_cloud"):
                new = with_business_model(block, value, catalog_for(self._project))
                path, value = f"strategies[{i}].blocks[{j}]", new.model_dump(mode="json")
        candidate = self._validated(path, value)
        renamed = _BLOCK_NAME.fullmatch(path)
        if renamed:  # plan items keep feeding the renamed block
            i, j = int(renamed[1]), int(renamed[2])
            old = self._project.strategies[i].blocks[j].name
            candidate = apply_plan_counts(rename_block_links(candidate, i, old, str(value)))
        return candidate

    def touches(self, path: str) -> bool:
        """Whether the change being announced may have changed ``path``'s value: the same
        path, one inside it or one it is inside (a whole block replaced)."""
        if self.changed_paths is None:
            return True
        return any(
            p == path
            or path.startswith((p + ".", p + "["))
            or p.startswith((path + ".", path + "["))
            for p in self.changed_paths
        )

    def _validated(self, path: str, value: Any) -> Project:
        """The project with one value changed, validated by the model's rules (the data is the
        current schema's: no migration) with its plans' counts applied. Floor plans (thousands
        of items a field cannot reach) are set aside while the rest is checked, then put back:
        a keystroke costs ~0.2 ms of validation rather than ~7 ms."""
        project = self._project
        plans = [s.plans for s in project.strategies]
        if "plans" in path or "hangars" in path or not any(plans):
            return _checked(with_value(project, path, value))
        bare = [s.model_copy(update={"plans": []}) for s in project.strategies]
        candidate = validate_project(
            with_value(project.model_copy(update={"strategies": bare}), path, value)
        )
        if len(candidate.strategies) != len(plans):
            return _checked(with_value(project, path, value))
        strategies = [
            s.model_copy(update={"plans": p})
            for s, p in zip(candidate.strategies, plans, strict=True)
        ]
        return apply_plan_counts(candidate.model_copy(update={"strategies": strategies}))

    def apply_data(self, data: dict[str, Any], text: str) -> list[str]:
        """Validate project JSON ``data`` (several values changed together) and apply it as
        one undoable step, or return the problems, each ``path: message``."""
        try:
            project = _checked(data)
        except InvalidProject as exc:
            return exc.problems
        self.apply(project, text)
        self.end_edit()
        return []

    def apply(self, project: Project, text: str, merge_key: str | None = None) -> None:
        """Replace the project (already valid) as one undoable step."""
        if project == self._project:
            return
        self.undo_stack.push(_Replace(self, self._project, project, text, merge_key))

    def end_edit(self) -> None:
        """Close the current field edit: the next change starts a new undo step."""
        self._edit_session += 1

    def _set_project(self, project: Project) -> None:
        self._project = project
        self._preview = None  # a commit, undo or open ends any preview
        self.colours.follow([s.name for s in project.strategies])
        self._stale()
        self.project_changed.emit(project)

    def _shown_changed(self, path: str) -> None:
        """A preview was set or dropped: the results are redone for ``shown``."""
        self._stale()
        self.preview_changed.emit(path)

    def _stale(self) -> None:
        """The results no longer match ``shown``: recompute on the next turn."""
        self.last_goal_seek = None
        self.seeker.cancel(quiet=True)  # solving the old inputs is wasted work: stop it
        self._recompute_timer.start()

    # ------------------------------------------------------------------ results
    def recompute(self) -> None:
        """Evaluate now (the per-keystroke path, a few ms) and schedule a goal seek."""
        self._recompute_timer.stop()
        try:
            self._result = evaluate(self.shown)
        except Exception as exc:  # an engine bug must reach the user, not kill the app
            self.error.emit(f"Recompute failed: {exc}")
            traceback.print_exc()
            return
        self.result_ready.emit(self._result)
        self._seek_timer.start()

    def _start_goal_seek(self) -> None:
        project = self.shown
        self.goal_seek_started.emit()

        def job(state: TaskState) -> dict[str, GoalSeek]:
            out = {}
            for k, s in enumerate(project.strategies):
                state.check()
                out[s.name] = goal_seek(project, s)
                state.progress((k + 1) / len(project.strategies), s.name)
            return out

        self.seeker.request(job)

    def _on_goal_seek(self, out: dict[str, GoalSeek]) -> None:
        self.last_goal_seek = out
        self.goal_seek_ready.emit(out)

    def wait_for_goal_seek(self, timeout_s: float = 30.0) -> None:
        """Tests and the screenshot: start pending work now and block until it is done."""
        if self._seek_timer.isActive():
            self._seek_timer.stop()
            self._start_goal_seek()
        self.seeker.wait(timeout_s)

    def recompute_pending(self) -> bool:
        """True while an input change waits for its recompute."""
        return self._recompute_timer.isActive()

    def flush(self) -> None:
        """Bring results and goal seek up to date now for the committed project (before an
        export: any preview is dropped)."""
        self.clear_preview()
        if self._recompute_timer.isActive() or self._result is None:
            self.recompute()
        self.wait_for_goal_seek()
        QCoreApplication.processEvents()  # deliver the worker's queued answer

    def shutdown(self) -> None:
        self._seek_timer.stop()
        self._recompute_timer.stop()
        self.seeker.shutdown()
