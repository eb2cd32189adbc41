"""The ``layout`` command's report: which floor plans it covers, where their pictures go, and
the counts, loads, floor use and violations of each (text or JSON). ``gui.main`` draws the
pictures, which need Qt."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from core.cli.commands import UserError, print_json
from core.io.projectfile import load_project
from core.model.project import Strategy
from core.plan.checks import PlanReview, review_plans


def layout_reviews(args: argparse.Namespace) -> list[tuple[Strategy, PlanReview]]:
    """The floor plans ``layout`` reports on: (strategy, reviewed plan), as selected."""
    project = load_project(args.project)
    names = [s.name for s in project.strategies]
    if args.strategy is not None and args.strategy not in names:
        raise UserError(
            f"--strategy: no strategy named {args.strategy!r} (have: {', '.join(names)})"
        )
    chosen = [
        (s, review)
        for s in project.strategies
        if args.strategy in (None, s.name)
        for review in review_plans(project, s)
        if args.hangar in (None, review.plan.hangar)
    ]
    if getattr(args, "png", None) and not chosen:
        raise UserError("--png: no floor plan to draw (the project or selection has none)")
    return chosen


def plan_picture_paths(
    chosen: list[tuple[Strategy, PlanReview]], out: Path
) -> list[tuple[Strategy, PlanReview, Path]]:
    """Where ``layout --png OUT`` writes each plan: OUT for one, else one file per plan named
    after its strategy and hangar."""
    if len(chosen) == 1:
        return [(chosen[0][0], chosen[0][1], out)]
    return [
        (s, r, out.with_name(f"{out.stem}-{_slug(s.name)}-{_slug(r.plan.hangar)}{out.suffix}"))
        for s, r in chosen
    ]


def print_layout(chosen: list[tuple[Strategy, PlanReview]], args: argparse.Namespace) -> int:
    """The ``layout`` report: counts, loads, floor use and violations of each plan."""
    rows: list[dict[str, Any]] = []
    for strategy, review in chosen:
        s = review.summary
        rows.append(
            {
                "strategy": strategy.name,
                "hangar": review.plan.hangar,
                "counts": s.counts,
                "items": s.items_by_kind,
                "it_mw": s.it_mw,
                "facility_mw": s.facility_mw,
                "heat_load_kw": s.heat_load_kw,
                "cooling_kw": s.cooling_kw,
                "floor_m2": s.floor_m2,
                "ft2_per_mw": s.ft2_per_mw,
                "violations": [v.to_json() for v in review.violations],
            }
        )
    if args.json:
        print_json({"plans": rows}, indent=2)
        return 0
    if not rows:
        print("no floor plans" + (f" for {args.strategy}" if args.strategy else ""))
    for r in rows:
        kinds = ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in r["items"].items())
        units = ", ".join(f"{n:,} × {m}" for m, n in r["counts"].items())
        print(f"{r['strategy']} · {r['hangar']}: {kinds or 'empty'}")
        if units:
            print(f"  holds {units}")
        per_mw = "—" if r["ft2_per_mw"] is None else f"{r['ft2_per_mw']:,.0f} ft² per MW"
        print(
            f"  IT {r['it_mw']:,.2f} MW, facility {r['facility_mw']:,.2f} MW; "
            f"CDU cooling {r['cooling_kw']:,.0f} kW for {r['heat_load_kw']:,.0f} kW liquid heat; "
            f"floor {r['floor_m2']:,.0f} m² ({per_mw})"
        )
        found = r["violations"]
        print(f"  {len(found)} violation(s)" + (":" if found else ""))
        for v in found[:50]:
            print(f"    - {v['message']}")
        if len(found) > 50:
            print(f"    … and {len(found) - 50} more")
    return 0


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text).strip("_") or "plan"
