"""Floor-plan review: each violation names the item(s) and the rule they break. Geometry
(walls, overlaps, aisles, door egress) is in ``core.plan.geometry``; capacity (rack kW, CDU
cooling, facility load) and the links to the strategy's blocks are summed per item here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.model.plan import (
    COOLING_LABELS,
    MINER_KINDS,
    SERVER_KINDS,
    FloorPlan,
    PlanItem,
)
from core.model.project import Project, Strategy
from core.plan.geometry import EPS, PlanGeometry, Violation
from core.plan.layout import (
    PlanContext,
    PlanSummary,
    item_name,
    summarise,
)


# ----------------------------------------------------------------------------- capacity
def capacity_violations(
    plan: FloorPlan, ctx: PlanContext, summary: PlanSummary | None = None
) -> list[Violation]:
    """Per item: its link and its kW against its cooling limit; per hangar: CDU capacity."""
    found = []
    s = summary or summarise(plan, "", ctx)
    problems: dict[tuple, str | None] = {}  # per kind, link and model: the same answer
    for a, item in enumerate(plan.items):
        if item.kind not in MINER_KINDS and item.kind not in SERVER_KINDS:
            continue
        key = (item.kind, item.block, item.model, item.units > 0)
        if key not in problems:
            problems[key] = _link_problem(item, ctx)
        if problems[key]:
            found.append(Violation("link", (a,), f"{item_name(a, item)}: {problems[key]}"))
    limits = np.array([i.cooling_limit_kw for i in plan.items], dtype=float)
    for over in np.flatnonzero((limits > 0) & (s.item_kw > limits + EPS)):
        a = int(over)
        item = plan.items[a]
        found.append(
            Violation(
                "rack_kw",
                (int(a),),
                f"{item_name(int(a), item)}: {s.item_kw[a]:,.1f} kW is above its "
                f"{COOLING_LABELS[item.cooling]} cooling limit of {limits[a]:,.1f} kW",
            )
        )
    if s.heat_load_kw > s.cooling_kw + EPS:
        cdus = tuple(a for a, i in enumerate(plan.items) if i.kind == "cdu")
        found.append(
            Violation(
                "cooling",
                cdus,
                f"{plan.hangar}: CDU capacity {s.cooling_kw:,.0f} kW is below the liquid-cooled "
                f"heat load of {s.heat_load_kw:,.0f} kW (short {-s.cooling_balance_kw:,.0f} kW)",
            )
        )
    return found


def _link_problem(item: PlanItem, ctx: PlanContext) -> str | None:
    wants = "a mining" if item.kind in MINER_KINDS else "an AI"
    if item.block is None:
        return f"not linked to {wants} block, so its {_units(item)} are not counted"
    if item.block in ctx.duplicate_blocks:
        return f"several blocks are named {item.block!r}; rename one so the link is clear"
    if item.block not in ctx.blocks:
        return f"linked to {item.block!r}, which is not a block of this strategy"
    if ctx.linked_block(item) is None:
        return f"linked to {item.block!r}, which is not {wants} block"
    model = ctx.model_of(item)
    if ctx.unit_kw(item) == 0 and item.units > 0:
        return f"model {model!r} is not in the catalog, so its load is unknown"
    return None


def _units(item: PlanItem) -> str:
    return "miners" if item.kind in MINER_KINDS else "servers"


def facility_violation(
    project: Project, strategy: Strategy, summaries: dict[str, PlanSummary] | None = None
) -> Violation | None:
    """IT load × PUE of all the strategy's plans against the site's interconnect."""
    if summaries is None:
        ctx = PlanContext.of(project, strategy)
        summaries = {p.hangar: summarise(p, strategy.name, ctx) for p in strategy.plans}
    total = sum(s.facility_kw for s in summaries.values()) / 1000
    if total <= project.site.interconnect_mw + EPS:
        return None
    return Violation(
        "facility",
        (),
        f"{strategy.name}: facility load {total:,.2f} MW (IT × PUE, all hangars) is above "
        f"the {project.site.interconnect_mw:g} MW interconnect",
    )


@dataclass
class PlanReview:
    """One plan checked: its geometry (kept for drags), its summary and every plan's of the
    strategy, and its violations split by what a drag can change."""

    plan: FloorPlan
    geometry: PlanGeometry
    summary: PlanSummary
    summaries: dict[str, PlanSummary]  # every plan of the strategy, by hangar
    placement: list[Violation]  # walls, overlaps, aisles, doors: what a drag can change
    others: list[Violation]  # links, rack kW, cooling, the strategy's facility load

    @property
    def violations(self) -> list[Violation]:
        return self.placement + self.others


def review_plan(
    project: Project,
    strategy: Strategy,
    plan: FloorPlan,
    ctx: PlanContext | None = None,
    summaries: dict[str, PlanSummary] | None = None,
) -> PlanReview:
    """Check ``plan`` (one of the strategy's, or its replacement being edited); the facility
    load counts the strategy's other plans as they are. The plan's hangar must exist."""
    ctx = ctx or PlanContext.of(project, strategy)
    if summaries is None:
        summaries = {
            p.hangar: summarise(p, strategy.name, ctx)
            for p in strategy.plans
            if p.hangar != plan.hangar
        }
        summaries[plan.hangar] = summarise(plan, strategy.name, ctx)
    summary = summaries[plan.hangar]
    geometry = PlanGeometry(plan, ctx.hangars[plan.hangar], ctx.rules)
    facility = facility_violation(project, strategy, summaries)
    others = capacity_violations(plan, ctx, summary) + ([facility] if facility else [])
    return PlanReview(plan, geometry, summary, summaries, geometry.violations(), others)


def review_plans(project: Project, strategy: Strategy) -> list[PlanReview]:
    """Every plan of the strategy, each summarised once."""
    ctx = PlanContext.of(project, strategy)
    summaries = {p.hangar: summarise(p, strategy.name, ctx) for p in strategy.plans}
    return [review_plan(project, strategy, p, ctx, summaries) for p in strategy.plans]


def check_plan(project: Project, strategy: Strategy, plan: FloorPlan) -> list[Violation]:
    """Every violation of one hangar's plan, the strategy's facility load included."""
    ctx = PlanContext.of(project, strategy)
    if plan.hangar not in ctx.hangars:
        return [Violation("outside", (), f"no site hangar named {plan.hangar!r}")]
    return review_plan(project, strategy, plan, ctx).violations
