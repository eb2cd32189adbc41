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
    for block in _blocks(data):
        if block.get("kind") == "mining":
            block.setdefault("retire", "never")
    for strategy in data["strategies"] if isinstance(data.get("strategies"), list) else []:
        if isinstance(strategy, dict):
            strategy.setdefault("keep_site_open", True)


def _from_2(data: dict[str, Any]) -> None:
    """Schema 2 rented GPU servers on past their life and had no price decline by default."""
    for block in _blocks(data):
        if block.get("kind") == "ai":
            block.setdefault("gpu_end_of_life", "run_on")
            block.setdefault("gpu_price_decline_pct_per_year", 0.0)


def _from_3(data: dict[str, Any]) -> None:
    """Schema 3 paid a retrofit in its first month, carried losses forward without a limit
    and had no bonus depreciation. (Schema 4 also adds the continuing terminal value, DR calls
    on the highest-load hours, hosting blocks and financing, whose defaults change nothing.)"""
    if isinstance(data.get("finance"), dict):
        data["finance"] = dict(data["finance"])
        data["finance"].setdefault("nol_80_pct_limit", False)
        data["finance"].setdefault("bonus_depreciation_pct", {"asic": 0, "gpu": 0, "facility": 0})
    for block in _blocks(data):
        if block.get("kind") == "ai":
            block.setdefault("capex_draw", "upfront")


def _from_4(data: dict[str, Any]) -> None:
    """Schema 4 projected halvings at 600 s a block (schema 5's default is the observed 592.9 s),
    resold miners at spot hashprice by default (schema 5's is the expected hashprice), had no
    balloon (schema 5's default, 0, is the same) and weighted an uncertain contract from
    month 0: its strategies are signed in month 0, which keeps their numbers
    and lets a fleet sold before the conversion load. Schema 5 corrects one rule: a loan whose
    tenor ran past the months its blocks earn was sized and repaid as if it ran on, and the
    balance left was repaid at the horizon end unreported; it is now sized and repaid within
    them, and a warning says so."""
    if isinstance(data.get("market"), dict):
        data["market"] = dict(data["market"])
        data["market"].setdefault("block_time_s", 600.0)
    if isinstance(data.get("finance"), dict):
        data["finance"] = dict(data["finance"])
        data["finance"].setdefault("asic_resale", "hashprice")
    if not isinstance(data.get("strategies"), list):
        return
    data["strategies"] = _copies(data["strategies"])
    for strategy in data["strategies"]:
        if isinstance(strategy, dict):
            strategy.setdefault("contract_signing_month", 0)


def _blocks(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every well-formed block of every strategy, copied in place so a step can fill it in."""
    if not isinstance(data.get("strategies"), list):
        return []
    data["strategies"] = _copies(data["strategies"])
    out = []
    for strategy in data["strategies"]:
        if isinstance(strategy, dict) and isinstance(strategy.get("blocks"), list):
            strategy["blocks"] = _copies(strategy["blocks"])
            out += [b for b in strategy["blocks"] if isinstance(b, dict)]
    return out


STEPS: dict[int, Callable[[dict[str, Any]], None]] = {
    1: _from_1,
    2: _from_2,
    3: _from_3,
    4: _from_4,
}


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
