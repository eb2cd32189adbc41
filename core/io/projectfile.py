"""``*.minepivot`` files: JSON with a schema version, validated field by field, saved atomically.

Loading reports every problem at once, each as ``path: message`` (for example
``strategies[1].blocks[0].asic_count: must be ≥ 0, got -3``), and never raises anything but
``ProjectFileError``. The messages and the whole-project rules are the model's
(``core.model.validate``); this module adds reading, migrations and the floor plans' counts.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from core.io.atomicfile import atomic_write_bytes
from core.io.migrations import migrate
from core.model.project import SCHEMA_VERSION, Project
from core.model.validate import InvalidProject, TooLarge, format_path, validate_project
from core.plan.layout import apply_plan_counts

# What a person is told when the file is not a project at all (the parser's words go under
# the dialog's "Show details").
NOT_A_PROJECT = "The file is not a MinePivot project (it is not JSON text from MinePivot)."


class ProjectFileError(Exception):
    """A project file that cannot be used; ``problems`` lists every ``path: message``;
    ``summary``, when given, says in plain words what is wrong with the file as a whole (the
    problems are then its technical detail)."""

    def __init__(self, source: str, problems: list[str], summary: str | None = None):
        self.source = source
        self.problems = problems
        self.summary = summary
        shown = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{source}: {len(problems)} problem(s)\n{shown}{more}")


def project_from_data(data: Any, source: str = "project") -> Project:
    """Validate already-parsed JSON data into a Project or raise ProjectFileError."""
    if not isinstance(data, dict):
        raise ProjectFileError(
            source, [f"(file): must be a JSON object, got {type(data).__name__}"], NOT_A_PROJECT
        )
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ProjectFileError(
            source,
            [
                f"schema_version: must be a whole number, got {version!r}"
                " (is this a MinePivot project?)"
            ],
            "The file is not a MinePivot project (it has no MinePivot schema version).",
        )
    if version > SCHEMA_VERSION:
        raise ProjectFileError(
            source,
            [
                f"schema_version: this file was saved by a newer MinePivot (schema {version}); "
                f"this version reads schema {SCHEMA_VERSION} and older. "
                "Update MinePivot to open it."
            ],
            "The file was saved by a newer MinePivot: update MinePivot to open it.",
        )
    if version >= 1:
        data = migrate(data)
    try:
        project = validate_project(data)
    except InvalidProject as exc:
        raise ProjectFileError(source, exc.problems) from None
    return apply_plan_counts(project)  # a floor plan is the source of its blocks' counts


def load_project(path: str | os.PathLike[str]) -> Project:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ProjectFileError(
            str(path), [f"(file): cannot be read: {reason}"], f"The file cannot be read ({reason})."
        ) from None
    return parse_project_bytes(raw, str(path))


class _Object(dict):
    """A JSON object that held a key more than once (the last value won, as in ``dict``)."""

    duplicates: list[str]


def _duplicates_hook() -> tuple[Any, list[_Object]]:
    """An ``object_pairs_hook`` that marks objects with a repeated key, and the list of them.
    Plain objects stay plain dicts (this runs once per object of a file of any size)."""
    marked: list[_Object] = []

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) == len(pairs):
            return out
        obj = _Object(pairs)
        seen: set[str] = set()
        obj.duplicates = []
        for key, _ in pairs:
            if key in seen and key not in obj.duplicates:
                obj.duplicates.append(key)
            seen.add(key)
        marked.append(obj)
        return obj

    return hook, marked


def _parse_int(text: str) -> int | TooLarge:
    digits = len(text.lstrip("-"))
    return TooLarge(digits) if digits > MAX_INT_DIGITS else int(text)


MAX_INT_DIGITS = 30
_LONG_DIGITS = re.compile(rf"[0-9]{{{MAX_INT_DIGITS + 1},}}")


def _duplicate_keys(node: Any) -> list[str]:
    """Every key written twice in one object, at its path. A file with a repeated key has two
    values for one field, and which one a reader keeps differs between readers: refuse it."""
    out: list[str] = []
    stack: list[tuple[Any, tuple[Any, ...]]] = [(node, ())]
    while stack:
        value, loc = stack.pop()
        if isinstance(value, dict):
            for key in getattr(value, "duplicates", ()):
                where = format_path((*loc, key))
                out.append(f"{where}: the key {json.dumps(key)} is written more than once")
            stack.extend((v, (*loc, k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, (*loc, i)) for i, v in enumerate(value))
    return sorted(out)


def parse_project_bytes(raw: bytes, source: str = "project") -> Project:
    """A project from the bytes of a file, or ProjectFileError with every problem."""
    hook, marked = _duplicates_hook()
    try:
        text = raw.decode("utf-8")
        data = json.loads(
            text,
            parse_constant=float,  # NaN / Infinity: the field check names the field
            # Python refuses to read integers of over 4,300 digits: report them at their field.
            parse_int=_parse_int if _LONG_DIGITS.search(text) else None,
            object_pairs_hook=hook,
        )
    except UnicodeDecodeError:
        raise ProjectFileError(source, ["(file): is not UTF-8 text"], NOT_A_PROJECT) from None
    except json.JSONDecodeError as exc:
        raise ProjectFileError(
            source,
            [f"(file): not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"],
            NOT_A_PROJECT,
        ) from None
    except ValueError as exc:
        raise ProjectFileError(source, [f"(file): {exc}"], NOT_A_PROJECT) from None
    except RecursionError:
        raise ProjectFileError(
            source, ["(file): nested too deeply to be a project"], NOT_A_PROJECT
        ) from None
    if marked:
        raise ProjectFileError(source, _duplicate_keys(data))
    return project_from_data(data, source)


def project_to_json(project: Project) -> str:
    """Indented JSON, with each list of numbers (a price row, a year of hours) on one line."""
    return _dump(project.model_dump(mode="json"), 0) + "\n"


def _dump(value: Any, level: int, key: str = "") -> str:
    """Plan items (``"items"`` lists, often thousands) are written one per line."""
    pad, inner = " " * level, " " * (level + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        if key == "items":
            return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
        items = (
            f"{inner}{json.dumps(k, ensure_ascii=False)}: {_dump(v, level + 1, k)}"
            for k, v in value.items()
        )
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if (
        isinstance(value, list)
        and value
        and not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        rows = (f"{inner}{_dump(v, level + 1, key)}" for v in value)
        return "[\n" + ",\n".join(rows) + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def project_bytes(project: Project) -> bytes:
    """The project file's contents (UTF-8 ``project_to_json``)."""
    return project_to_json(project).encode("utf-8")


def save_project(project: Project, path: str | os.PathLike[str]) -> None:
    """Write atomically: a temporary file beside the target, flushed, then renamed over it."""
    atomic_write_bytes(Path(path), project_bytes(project))
