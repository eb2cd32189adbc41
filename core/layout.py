"""What a floor plan holds: footprints, aisle zones, loads, summaries, and the equipment counts
it hands to its strategy's blocks (the plan is the source of those counts)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from core.catalog import Catalog, catalog_for
from core.model import AiBlock, MiningBlock, Project, Strategy
from core.planmodel import (
    CDU_COOLED,
    KIND_LABELS,
    MINER_KINDS,
    SERVER_KINDS,
    Door,
    FloorPlan,
    Hangar,
    LayoutRules,
    PlanItem,
)

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in metres
FT2_PER_M2 = 10.763910416709722
DEFAULT_SERVER_MODEL = "hgx_h100"
# Where a rack's front faces at each rotation (y grows southwards).
FRONT: dict[int, tuple[int, int]] = {0: (0, 1), 90: (-1, 0), 180: (0, -1), 270: (1, 0)}


def size(item: PlanItem) -> tuple[float, float]:
    """Footprint as placed: (east-west, north-south) in metres."""
    if item.rotation in (0, 180):
        return item.length_m, item.depth_m
    return item.depth_m, item.length_m


def footprint(item: PlanItem) -> Rect:
    w, h = size(item)
    return item.x_m, item.y_m, item.x_m + w, item.y_m + h


def door_zone(hangar: Hangar, door: Door, clearance_m: float) -> Rect:
    """The egress strip inside a door: the door's width, ``clearance_m`` deep."""
    a, b = door.offset_m, door.offset_m + door.width_m
    if door.wall == "north":
        return a, 0.0, b, clearance_m
    if door.wall == "south":
        return a, hangar.width_m - clearance_m, b, hangar.width_m
    if door.wall == "west":
        return 0.0, a, clearance_m, b
    return hangar.length_m - clearance_m, a, hangar.length_m, b


def door_name(door: Door) -> str:
    return f"{door.wall} door at {door.offset_m:g} m"


def rotated(item: PlanItem, rotation: int) -> PlanItem:
    """The item turned to ``rotation`` about its centre."""
    x0, y0, x1, y1 = footprint(item)
    turned = item.model_copy(update={"rotation": rotation % 360})
    w, h = size(turned)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return turned.model_copy(update={"x_m": cx - w / 2, "y_m": cy - h / 2})


def item_name(index: int, item: PlanItem) -> str:
    return item.label or f"{KIND_LABELS[item.kind]} {index + 1}"


# ----------------------------------------------------------------------------- loads
@dataclass
class PlanContext:
    """What a strategy's plans need from the project: its blocks, models and interconnect."""

    catalog: Catalog
    blocks: dict[str, MiningBlock | AiBlock]
    duplicate_blocks: set[str]
    interconnect_mw: float
    rules: LayoutRules
    hangars: dict[str, Hangar]

    @classmethod
    def of(cls, project: Project, strategy: Strategy) -> PlanContext:
        names = Counter(b.name for b in strategy.blocks)
        return cls(
            catalog=catalog_for(project),
            blocks={b.name: b for b in strategy.blocks},
            duplicate_blocks={n for n, k in names.items() if k > 1},
            interconnect_mw=project.site.interconnect_mw,
            rules=project.site.aisles,
            hangars={h.name: h for h in project.site.hangars},
        )

    def linked_block(self, item: PlanItem) -> MiningBlock | AiBlock | None:
        """The block this item feeds, or None when the link is missing or does not fit."""
        if item.block is None or item.block in self.duplicate_blocks:
            return None
        block = self.blocks.get(item.block)
        if block is None:
            return None
        if item.kind in MINER_KINDS and isinstance(block, MiningBlock):
            return block
        if item.kind in SERVER_KINDS and isinstance(block, AiBlock):
            return block
        return None

    def model_of(self, item: PlanItem) -> str | None:
        block = self.linked_block(item)
        if isinstance(block, MiningBlock):
            return block.asic_model
        if isinstance(block, AiBlock) and block.business_model == "gpu_cloud":
            return block.gpu_server_model
        if item.kind in SERVER_KINDS:
            return item.model or DEFAULT_SERVER_MODEL
        return item.model if item.kind in MINER_KINDS else None

    def unit_kw(self, item: PlanItem) -> float:
        """IT kW of one miner or server in this item (a server at its design maximum)."""
        model = self.model_of(item)
        if item.kind in MINER_KINDS and model in self.catalog.asics:
            return self.catalog.asics[model].power_w / 1000.0
        if item.kind in SERVER_KINDS and model in self.catalog.gpu_servers:
            return self.catalog.gpu_servers[model].max_power_kw
        return 0.0

    def item_kw(self, item: PlanItem) -> float:
        return item.units * self.unit_kw(item)

    def pue(self, item: PlanItem) -> float:
        block = self.linked_block(item)
        if block is not None:
            return block.pue
        kind = MiningBlock if item.kind in MINER_KINDS else AiBlock
        return float(kind.model_fields["pue"].default)


@dataclass
class PlanSummary:
    strategy: str
    hangar: str
    counts: dict[str, int] = field(default_factory=dict)  # units per ASIC or server model
    items_by_kind: dict[str, int] = field(default_factory=dict)
    it_kw: float = 0.0
    facility_kw: float = 0.0
    heat_load_kw: float = 0.0  # rejected through CDUs
    cooling_kw: float = 0.0  # CDU capacity
    transformer_mva: float = 0.0
    floor_m2: float = 0.0
    occupied_m2: float = 0.0

    @property
    def it_mw(self) -> float:
        return self.it_kw / 1000.0

    @property
    def facility_mw(self) -> float:
        return self.facility_kw / 1000.0

    @property
    def cooling_balance_kw(self) -> float:
        return self.cooling_kw - self.heat_load_kw

    @property
    def ft2_per_mw(self) -> float | None:
        """Hangar floor per MW of IT load (rules of thumb: mining ~1,000, AI ~5,000)."""
        return self.floor_m2 * FT2_PER_M2 / self.it_mw if self.it_kw > 0 else None


def summarise(plan: FloorPlan, strategy_name: str, ctx: PlanContext) -> PlanSummary:
    hangar = ctx.hangars.get(plan.hangar)
    s = PlanSummary(strategy=strategy_name, hangar=plan.hangar)
    s.floor_m2 = hangar.length_m * hangar.width_m if hangar else 0.0
    counts: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for item in plan.items:
        kinds[item.kind] += 1
        w, h = size(item)
        s.occupied_m2 += w * h
        if item.kind == "cdu":
            s.cooling_kw += item.cooling_kw
            continue
        if item.kind == "power_pad":
            s.transformer_mva += item.mva
            continue
        model = ctx.model_of(item)
        if model is not None:
            counts[model] += item.units
        kw = ctx.item_kw(item)
        s.it_kw += kw
        s.facility_kw += kw * ctx.pue(item)
        if item.cooling in CDU_COOLED:
            s.heat_load_kw += kw
    s.counts = dict(sorted(counts.items()))
    s.items_by_kind = dict(sorted(kinds.items()))
    return s


# ----------------------------------------------------------------------------- counts
def plan_counts(project: Project, strategy: Strategy) -> dict[str, float]:
    """Per linked block name: its ASIC or server count, or a colocation block's IT MW."""
    ctx = PlanContext.of(project, strategy)
    totals: dict[str, float] = {}
    for plan in strategy.plans:
        for item in plan.items:
            block = ctx.linked_block(item)
            if block is None:
                continue
            if isinstance(block, AiBlock) and block.business_model == "colocation":
                value = ctx.item_kw(item) / 1000.0
            else:
                value = item.units
            totals[block.name] = totals.get(block.name, 0) + value
    return totals


def apply_plan_counts(project: Project) -> Project:
    """The project with every block that a plan item feeds set to the plan's count."""
    strategies = []
    changed = False
    for strategy in project.strategies:
        totals = plan_counts(project, strategy) if strategy.plans else {}
        blocks = []
        for block in strategy.blocks:
            if block.name in totals:
                block = _with_count(block, totals[block.name])
            blocks.append(block)
        if blocks != strategy.blocks:
            changed = True
            strategy = strategy.model_copy(update={"blocks": blocks})
        strategies.append(strategy)
    return project.model_copy(update={"strategies": strategies}) if changed else project


def _with_count(block: MiningBlock | AiBlock, value: float) -> MiningBlock | AiBlock:
    if isinstance(block, MiningBlock):
        return block.model_copy(update={"asic_count": int(value)})
    if block.business_model == "gpu_cloud":
        return block.model_copy(update={"server_count": int(value)})
    return block.model_copy(update={"it_mw": round(value, 6)})
