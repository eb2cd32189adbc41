"""``*.minepivot`` files: JSON with a schema version, validated field by field, saved atomically.

Loading reports every problem at once, each as ``path: message`` (for example
``strategies[1].blocks[0].asic_count: must be ≥ 0, got -3``), and never raises anything but
``ProjectFileError``.
"""

from __future__ import annotations

import calendar
import json
import os
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from core.io.atomicfile import atomic_write_bytes
from core.model.catalog import bundled_catalog
from core.model.project import MAX_STRATEGIES, SCHEMA_VERSION, Project
from core.plan.layout import apply_plan_counts

_UNION_TAGS = {"flat", "tou", "hourly", "mining", "ai"}


class ProjectFileError(Exception):
    """A project file that cannot be used; ``problems`` lists every ``path: message``."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{source}: {len(problems)} problem(s)\n{shown}{more}")


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


def _describe(err: Any) -> str:
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
        fields = {k: _num(v) for k, v in ctx.items()}
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


def _num(v: Any) -> Any:
    return int(v) if isinstance(v, float) and v.is_integer() else v


def _jsonable(v: Any) -> bool:
    try:
        json.dumps(v)
        return True
    except (TypeError, ValueError):
        return False


def _int(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _obj(value: Any) -> dict[str, Any]:
    """A JSON object as it is, anything else as an empty one (its field check names it)."""
    return value if isinstance(value, dict) else {}


def _texts(values: Any) -> set[str]:
    return {v for v in values if isinstance(v, str)}


def _first_use(named: Any) -> dict[str, int]:
    """Each text name and the index of its first use (one pass: duplicate checks stay linear)."""
    out: dict[str, int] = {}
    for i, name in named:
        if isinstance(name, str):
            out.setdefault(name, i)
    return out


def _dicts(v: Any) -> list[tuple[int, dict[str, Any]]]:
    return [(i, x) for i, x in enumerate(v) if isinstance(x, dict)] if isinstance(v, list) else []


def semantic_problems(data: dict[str, Any]) -> list[str]:
    """Rules that need the whole project: names, references, timing, series lengths.

    Reads the raw JSON defensively, so these are reported together with any type and range
    problems; a value of the wrong type is skipped here (the field check names it).
    """
    problems: list[str] = []
    cat = bundled_catalog()
    asic_ids = set(cat.asics) | _texts(a.get("id") for _, a in _dicts(data.get("custom_asics")))
    gpu_ids = set(cat.gpu_servers) | _texts(
        g.get("id") for _, g in _dicts(data.get("custom_gpu_servers"))
    )
    finance = _obj(data.get("finance"))
    years = _int(finance.get("horizon_years"))
    n_months = years * 12 if years and 1 <= years <= 30 else None
    strategies = _dicts(data.get("strategies"))
    if len(strategies) > MAX_STRATEGIES:
        return problems  # the field check reports the count; naming 100,000 problems helps no one
    first_use = _first_use((i, s.get("name")) for i, s in strategies)
    for i, s in strategies:
        p = f"strategies[{i}]"
        name = s.get("name")
        if isinstance(name, str) and first_use[name] != i:
            problems.append(
                f"{p}.name: {json.dumps(name)} is already used by strategies[{first_use[name]}]"
            )
        fallback = s.get("fallback_strategy")
        if isinstance(fallback, str):
            if fallback not in first_use:
                have = ", ".join(str(t.get("name")) for _, t in strategies)
                problems.append(
                    f"{p}.fallback_strategy: no strategy named {json.dumps(fallback)}"
                    f" (have: {have})"
                )
            elif fallback == name:
                problems.append(f"{p}.fallback_strategy: a strategy cannot fall back to itself")
        for j, b in _dicts(s.get("blocks")):
            bp = f"{p}.blocks[{j}]"
            start = _int(b.get("start_month", 0))
            if n_months is not None and start is not None and start >= n_months:
                problems.append(
                    f"{bp}.start_month: must be before the horizon ends (month "
                    f"{n_months}), got {start}"
                )
            if b.get("kind") == "mining":
                model = b.get("asic_model")
                if isinstance(model, str) and model and model not in asic_ids:
                    problems.append(
                        f"{bp}.asic_model: unknown model {json.dumps(model)} (known: "
                        f"{', '.join(sorted(str(a) for a in asic_ids))})"
                    )
                end = _int(b.get("end_month"))
                if end is not None and start is not None and 1 <= end <= start:
                    problems.append(
                        f"{bp}.end_month: must be after start_month ({start}), got {end}"
                    )
            elif b.get("kind") == "ai" and b.get("business_model") == "gpu_cloud":
                model = b.get("gpu_server_model", "hgx_h100")
                if isinstance(model, str) and model not in gpu_ids:
                    problems.append(
                        f"{bp}.gpu_server_model: unknown model {json.dumps(model)} "
                        f"(known: {', '.join(sorted(str(g) for g in gpu_ids))})"
                    )
    site = _obj(data.get("site"))
    problems += _plan_problems(site, strategies)
    energy = _obj(site.get("energy"))
    block_mw = energy.get("fixed_block_mw", 0.0)
    if (
        energy.get("contract") == "fixed_block"
        and isinstance(block_mw, int | float)
        and not isinstance(block_mw, bool)
        and block_mw <= 0
    ):
        problems.append(
            "site.energy.fixed_block_mw: must be > 0 for a fixed-price block "
            f"contract, got {_num(block_mw)}"
        )
    src = _obj(energy.get("price_source"))
    first_year = _int(src.get("first_year"))
    if (
        src.get("kind") == "hourly"
        and first_year is not None
        and isinstance(src.get("years_usd_per_mwh"), list)
    ):
        for k, year in enumerate(src["years_usd_per_mwh"]):
            if not isinstance(year, list):
                continue
            want = 8784 if calendar.isleap(first_year + k) else 8760
            if len(year) != want:
                problems.append(
                    f"site.energy.price_source.years_usd_per_mwh[{k}]: year "
                    f"{first_year + k} needs {want} hours, got {len(year)}"
                )
    return problems


def _plan_problems(site: dict[str, Any], strategies: list[tuple[int, dict[str, Any]]]) -> list[str]:
    """Hangar names are unique and every plan lays out a site hangar, at most once per strategy.
    What is inside a plan (overlaps, links, loads) is a layout violation, listed, not refused."""
    problems = []
    hangar_list = _dicts(site.get("hangars"))
    hangars = _first_use((k, h.get("name")) for k, h in hangar_list)
    for k, h in hangar_list:
        name = h.get("name")
        if isinstance(name, str) and hangars[name] != k:
            problems.append(f"site.hangars[{k}].name: {json.dumps(name)} is already used")
    for i, s in strategies:
        seen: set[str] = set()
        for j, plan in _dicts(s.get("plans")):
            name = plan.get("hangar")
            if not isinstance(name, str):
                continue
            p = f"strategies[{i}].plans[{j}].hangar"
            if name not in hangars:
                have = ", ".join(str(h) for h in hangars) or "none"
                problems.append(f"{p}: no site hangar named {json.dumps(name)} (have: {have})")
            elif name in seen:
                problems.append(f"{p}: {json.dumps(name)} already has a plan in this strategy")
            seen.add(name)
    return problems


def project_from_data(data: Any, source: str = "project") -> Project:
    """Validate already-parsed JSON data into a Project or raise ProjectFileError."""
    if not isinstance(data, dict):
        raise ProjectFileError(
            source, [f"(file): must be a JSON object, got {type(data).__name__}"]
        )
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ProjectFileError(
            source,
            [
                f"schema_version: must be a whole number, got {version!r}"
                " (is this a MinePivot project?)"
            ],
        )
    if version > SCHEMA_VERSION:
        raise ProjectFileError(
            source,
            [
                f"schema_version: this file was saved by a newer MinePivot (schema {version}); "
                f"this version reads schema {SCHEMA_VERSION} and older. "
                "Update MinePivot to open it."
            ],
        )
    problems: list[str] = []
    project = None
    try:
        project = Project.model_validate(data)
    except ValidationError as exc:
        problems = [f"{format_path(e['loc'])}: {_describe(e)}" for e in exc.errors()]
    reported = set(problems)
    problems += [p for p in semantic_problems(data) if p not in reported]
    if problems or project is None:
        raise ProjectFileError(source, problems)
    return apply_plan_counts(project)  # a floor plan is the source of its blocks' counts


def load_project(path: str | os.PathLike[str]) -> Project:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProjectFileError(
            str(path), [f"(file): cannot be read: {exc.strerror or exc}"]
        ) from None
    return parse_project_bytes(raw, str(path))


class TooLarge:
    """An integer too long to be any field's value (every bound is far below 10^30); kept as
    its digit count so that the field check reports it at its path."""

    def __init__(self, digits: int):
        self.digits = digits

    def __repr__(self) -> str:
        return f"a number of {self.digits:,} digits"


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
        raise ProjectFileError(source, ["(file): is not UTF-8 text"]) from None
    except json.JSONDecodeError as exc:
        raise ProjectFileError(
            source,
            [f"(file): not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"],
        ) from None
    except ValueError as exc:
        raise ProjectFileError(source, [f"(file): {exc}"]) from None
    except RecursionError:
        raise ProjectFileError(source, ["(file): nested too deeply to be a project"]) from None
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


def save_project(project: Project, path: str | os.PathLike[str]) -> None:
    """Write atomically: a temporary file beside the target, flushed, then renamed over it."""
    atomic_write_bytes(Path(path), project_to_json(project).encode("utf-8"))
