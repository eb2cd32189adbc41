"""The rules that need the whole project: names are unique, references name something that
exists, blocks start before the horizon ends and fleets end after they start, a continuing
value grows slower than the discount rate, hourly series have a year's hours. Read from the
JSON data defensively, so that they are reported together with any type or range problem (a
value of the wrong type is skipped here: its field check names it)."""

from __future__ import annotations

import calendar
import json
from typing import Any

from core.model.catalog import bundled_catalog
from core.model.project import MAX_STRATEGIES


def plain_number(v: Any) -> Any:
    """A number as a person writes it: 5, not 5.0."""
    return int(v) if isinstance(v, float) and v.is_integer() else v


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


def project_problems(data: dict[str, Any]) -> list[str]:
    """Rules that need the whole project: names, references, timing, series lengths.

    Reads the raw JSON defensively, so these are reported together with any type and range
    problems; a value of the wrong type is skipped here (the field check names it).
    """
    problems: list[str] = []
    cat = bundled_catalog()
    for key in ("custom_asics", "custom_gpu_servers"):  # a project's own model ids, once each
        models = _dicts(data.get(key))
        first = _first_use((i, m.get("id")) for i, m in models)
        for i, m in models:
            if isinstance(m.get("id"), str) and first[m["id"]] != i:
                problems.append(
                    f"{key}[{i}].id: {json.dumps(m['id'])} is already used by "
                    f"{key}[{first[m['id']]}]"
                )
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
    have = ", ".join(str(t.get("name")) for _, t in strategies)  # for "no strategy named …"
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
            if b.get("kind") in ("mining", "hosting"):
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
                retire = _int(b.get("retire"))
                if retire is not None and start is not None and 0 <= retire < start:
                    problems.append(
                        f"{bp}.retire: a fleet cannot retire before it starts (start_month "
                        f"{start}), got {retire}"
                    )
            elif b.get("kind") == "ai" and b.get("business_model") == "gpu_cloud":
                model = b.get("gpu_server_model", "hgx_h100")
                if isinstance(model, str) and model not in gpu_ids:
                    problems.append(
                        f"{bp}.gpu_server_model: unknown model {json.dumps(model)} "
                        f"(known: {', '.join(sorted(str(g) for g in gpu_ids))})"
                    )
    for i, s in strategies:
        problems += _signing_problems(f"strategies[{i}]", s, first_use)
    problems += _growth_problems(finance)
    baseline = data.get("baseline_strategy")
    if isinstance(baseline, str) and baseline not in first_use:
        problems.append(
            f"baseline_strategy: no strategy named {json.dumps(baseline)} (have: {have})"
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
            f"contract, got {plain_number(block_mw)}"
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


def _signing_problems(p: str, s: dict[str, Any], names: dict[str, int]) -> list[str]:
    """An uncertain AI contract (``Strategy.contract_at_risk``): nothing of the conversion is
    spent and no fleet sold before the signing month (``Strategy.signing_month``)."""
    chance = s.get("contract_probability_pct", 100.0)
    fallback = s.get("fallback_strategy")
    blocks = _dicts(s.get("blocks"))
    ai = [(j, b) for j, b in blocks if b.get("kind") == "ai"]
    if (
        not isinstance(chance, int | float)
        or chance >= 100
        or not isinstance(fallback, str)
        or fallback not in names
        or not ai
    ):
        return []
    starts = [x for x in (_int(b.get("start_month", 0)) for _, b in ai) if x is not None]
    signing = _int(s.get("contract_signing_month"))
    if signing is None:
        signing = min(starts, default=0)
    problems = []
    for j, b in blocks:
        name = json.dumps(b.get("name", f"block {j}"))
        start = _int(b.get("start_month", 0))
        if b.get("kind") == "ai" and start is not None and start < signing:
            problems.append(
                f"{p}.blocks[{j}].start_month: {name} starts its conversion in month {start}, "
                f"before the contract is signed (month {signing}); nothing of it may be spent "
                "before then"
            )
        for key in ("end_month", "retire"):
            end = _int(b.get(key))
            if b.get("kind") in ("mining", "hosting") and end is not None and end < signing:
                problems.append(
                    f"{p}.blocks[{j}].{key}: {name} stops in month {end}, before the contract "
                    f"is signed (month {signing}); no fleet is sold before then"
                )
    return problems


def _growth_problems(finance: dict[str, Any]) -> list[str]:
    """A continuing value grows at g for ever: it exists only for g below the discount rate."""
    rate = finance.get("discount_rate_pct_per_year")
    growth = finance.get("terminal_growth_pct_per_year", 0.0)
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (rate, growth))
    if finance.get("terminal_value") != "continuing" or not numbers or growth < rate:
        return []
    return [
        "finance.terminal_growth_pct_per_year: must be below the discount rate "
        f"({plain_number(rate)} %/year) for a continuing value, got {plain_number(growth)}"
    ]


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
