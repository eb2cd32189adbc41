"""Files of older schemas, read as the current one. Each step takes the raw JSON of schema N to
N + 1 and fills what N did not have with the values that keep the numbers such a file gave when
it was saved; only rules that were corrected (not chosen) change its results. A step touches
only well-formed parts and leaves anything else for the field checks to report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.model.project import SCHEMA_VERSION


def _copies(value: Any) -> Any:
    """A list with each object in it copied (one level), so a step can fill them in; anything
    else as it is."""
    if not isinstance(value, list):
        return value
    return [dict(x) if isinstance(x, dict) else x for x in value]


def _from_1(data: dict[str, Any]) -> None:
    """Schema 1 had no retirement, no site closure and straight-line miner resale: its fleets
    ran to their end month or the horizon, the site's fixed opex ran to the horizon, and sold
    miners fetched their aged value whatever hashprice did."""
    if isinstance(data.get("finance"), dict):
        data["finance"] = dict(data["finance"])
        data["finance"].setdefault("asic_resale", "straight_line")
    if not isinstance(data.get("strategies"), list):
        return
    data["strategies"] = _copies(data["strategies"])
    for strategy in data["strategies"]:
        if not isinstance(strategy, dict):
            continue
        strategy.setdefault("keep_site_open", True)
        if not isinstance(strategy.get("blocks"), list):
            continue
        strategy["blocks"] = _copies(strategy["blocks"])
        for block in strategy["blocks"]:
            if isinstance(block, dict) and block.get("kind") == "mining":
                block.setdefault("retire", "never")


STEPS: dict[int, Callable[[dict[str, Any]], None]] = {1: _from_1}


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """The file's data as the current schema; the caller's data is never modified (a file of
    the current schema comes back as it is, an older one as a new dict).
    ``schema_version`` must already be a whole number from 1 to SCHEMA_VERSION."""
    version = data["schema_version"]
    if version >= SCHEMA_VERSION:
        return data
    out = dict(data)  # each step copies what it fills in
    while version < SCHEMA_VERSION:
        STEPS[version](out)
        version += 1
    out["schema_version"] = SCHEMA_VERSION
    return out
