"""A project from JSON data, or every problem with it said so that a user can fix it: each as
``path: message`` in the file's own terms (``strategies[1].blocks[0].asic_count: must be ≥ 0,
got -3``). Field-by-field messages come from pydantic's errors (``describe``); the rules that
need the whole project (``core.model.rules``) are reported with them. The file loader adds its
migrations and the floor plans' counts; the desktop's edits come here directly."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from core.model.project import Project
from core.model.rules import plain_number, project_problems


class InvalidProject(ValueError):
    """The data is not a valid project: ``problems`` lists each, ``path: message``."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def validate_project(data: dict[str, Any]) -> Project:
    """The project the current-schema JSON ``data`` describes, or ``InvalidProject`` with every
    field problem and every whole-project problem, reported together."""
    problems: list[str] = []
    project = None
    try:
        project = Project.model_validate(data)
    except ValidationError as exc:
        problems = [f"{format_path(e['loc'])}: {describe(e)}" for e in exc.errors()]
    reported = set(problems)
    problems += [p for p in project_problems(data) if p not in reported]
    if problems or project is None:
        raise InvalidProject(problems)
    return project


_UNION_TAGS = {"flat", "tou", "hourly", "mining", "ai", "hosting"}


def format_path(loc: tuple[Any, ...]) -> str:
    out = ""
    prev: Any = None
    for i, part in enumerate(loc):
        is_tag = isinstance(part, str) and part in _UNION_TAGS and i + 1 < len(loc)
        if is_tag and (prev == "price_source" or isinstance(prev, int)):
            prev = part
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
        prev = part
    return out or "(file)"


def describe(err: Any) -> str:
    """One pydantic error as a message in the file's terms (the path is said separately)."""
    kind, ctx, got = err["type"], err.get("ctx") or {}, err.get("input")
    if isinstance(got, TooLarge):
        return f"must be a number in the allowed range, got {got!r}"
    # Values are shown as they are written in the file (JSON), e.g. "lots", null, Infinity.
    shown = json.dumps(got, ensure_ascii=False) if _jsonable(got) else repr(got)
    if len(shown) > 60:
        shown = shown[:57] + "…"
    templates = {
        "greater_than_equal": "must be ≥ {ge}, got {got}",
        "greater_than": "must be > {gt}, got {got}",
        "less_than_equal": "must be ≤ {le}, got {got}",
        "less_than": "must be < {lt}, got {got}",
        "finite_number": "must be a finite number, got {got}",
        "missing": "is required",
        "float_type": "must be a number, got {got}",
        "int_type": "must be a whole number, got {got}",
        "bool_type": "must be true or false, got {got}",
        "string_type": "must be text, got {got}",
        "list_type": "must be a list, got {got}",
        "model_type": "must be an object, got {got}",
        "dict_type": "must be an object, got {got}",
        "extra_forbidden": "unknown key (not part of the MinePivot format)",
        "literal_error": "must be one of {expected}, got {got}",
        "too_short": "must have at least {min_length} item(s), got {actual_length}",
        "too_long": "must have at most {max_length} item(s), got {actual_length}",
        "string_too_short": "must not be empty",
        "string_too_long": "must be at most {max_length} characters",
        "union_tag_invalid": "kind must be one of {expected_tags}, got {tag}",
        "union_tag_not_found": "needs a '{discriminator}' key",
    }
    if kind in templates:
        fields = {k: plain_number(v) for k, v in ctx.items()}
        for key in ("expected", "expected_tags"):  # pydantic quotes choices Python-style
            if isinstance(fields.get(key), str):
                fields[key] = fields[key].replace("'", '"')
        if "tag" in fields:
            fields["tag"] = json.dumps(fields["tag"], ensure_ascii=False)
        try:
            return templates[kind].format(got=shown, **fields)
        except (KeyError, IndexError):
            pass
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return f"{err['msg']}, got {shown}"


def _jsonable(v: Any) -> bool:
    try:
        json.dumps(v)
        return True
    except (TypeError, ValueError):
        return False


class TooLarge:
    """An integer too long to be any field's value (every bound is far below 10^30); kept as
    its digit count so that the field check reports it at its path."""

    def __init__(self, digits: int):
        self.digits = digits

    def __repr__(self) -> str:
        return f"a number of {self.digits:,} digits"
