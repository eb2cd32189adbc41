"""Auto-layout: fill a hangar, or a rectangle within it, with rows of one item and aisles.

Rows run along the hangar's length. Racks come in facing pairs, back to the wall first: a row
facing south, the cold aisle, a row facing north, the hot aisle, and again; a last single row
is placed only if its cold aisle fits. Other items get rows with a cold-aisle gap. A position
is dropped when it would block a door's egress zone, overlap an item being kept, or put a kept
item in its aisles (or itself in theirs).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from core.model.plan import RACK_KINDS, FloorPlan, Hangar, LayoutRules, PlanItem, new_item
from core.plan.geometry import EPS, PlanGeometry, aisle_strips, overlapping_pairs
from core.plan.layout import Rect, footprint, size


def row_offsets(depth_m: float, span_m: float, rules: LayoutRules, racks: bool) -> list[tuple]:
    """(offset from the area's north edge, rotation) of each row that fits in ``span_m``."""
    rows: list[tuple[float, int]] = []
    y = 0.0
    if not racks:
        while y + depth_m <= span_m + EPS:
            rows.append((y, 0))
            y += depth_m + rules.cold_aisle_m
        return rows
    while True:
        if y + depth_m + rules.cold_aisle_m > span_m + EPS:  # a south-facing row needs its aisle
            return rows
        rows.append((y, 0))
        y_north = y + depth_m + rules.cold_aisle_m
        if y_north + depth_m > span_m + EPS:
            return rows
        rows.append((y_north, 180))
        y = y_north + depth_m + rules.hot_aisle_m


def auto_layout(
    hangar: Hangar,
    template: PlanItem,
    rules: LayoutRules,
    area: Rect | None = None,
    keep: list[PlanItem] | tuple[PlanItem, ...] = (),
) -> list[PlanItem]:
    """New items filling ``area`` (default: the whole hangar) in rows; ``keep`` are items that
    stay where they are."""
    x0, y0, x1, y1 = area if area is not None else (0.0, 0.0, hangar.length_m, hangar.width_m)
    x0, y0 = max(x0, 0.0), max(y0, 0.0)
    x1, y1 = min(x1, hangar.length_m), min(y1, hangar.width_m)
    length, depth = template.length_m, template.depth_m
    if x1 - x0 < length - EPS or y1 - y0 < depth - EPS:
        return []
    racks = template.kind in RACK_KINDS
    rows = row_offsets(depth, y1 - y0, rules, racks)
    per_row = int((x1 - x0 + EPS) // length)
    xs = [round(x0 + length * k, 6) for k in range(per_row)]
    cand = [(x, round(y0 + dy, 6), rot) for dy, rot in rows for x in xs]
    if not cand:
        return []
    rects = np.array([(x, y, x + length, y + depth) for x, y, _ in cand])
    blocked = _blocked(rects, cand, template, hangar, rules, list(keep))
    return [
        template.model_copy(update={"x_m": x, "y_m": y, "rotation": rot})
        for (x, y, rot), bad in zip(cand, blocked, strict=True)
        if not bad
    ]


def _blocked(
    rects: np.ndarray,
    cand: list[tuple[float, float, int]],
    template: PlanItem,
    hangar: Hangar,
    rules: LayoutRules,
    keep: list[PlanItem],
) -> np.ndarray:
    """Which candidate positions collide with a door zone or with kept items and their aisles."""
    n = len(rects)
    # Door zones, and the kept items with their aisle strips, are hard obstacles; the kept
    # footprints also keep the candidates' own aisle strips clear.
    kept = PlanGeometry(FloorPlan(hangar=hangar.name, items=list(keep)), hangar, rules)
    hard = np.concatenate([kept.rects, kept.zones])
    soft = kept.rects
    blocked = np.zeros(n, dtype=bool)
    if len(hard):
        blocked |= _hits(rects, hard)
    if len(soft) and template.kind in RACK_KINDS:  # the candidates' own aisles stay clear
        rotations = np.array([rot for _, _, rot in cand])
        cold, hot = aisle_strips(rects, rotations, rules)
        blocked |= _hits(cold, soft) | _hits(hot, soft)
    return blocked


def _hits(rects: np.ndarray, obstacles: np.ndarray) -> np.ndarray:
    """For each rectangle: does it share area with any obstacle? (grid pairs, not all pairs)"""
    i, j = overlapping_pairs(np.concatenate([rects, obstacles]))
    out = np.zeros(len(rects), dtype=bool)
    out[i[(i < len(rects)) & (j >= len(rects))]] = True
    return out


def free_position(
    hangar: Hangar,
    item: PlanItem,
    others: list[PlanItem] | tuple[PlanItem, ...],
    near: tuple[float, float],
    step_m: float = 0.1,
) -> tuple[float, float] | None:
    """The (x, y) nearest ``near`` (the item's centre) where ``item`` fits inside the walls on
    a ``step_m`` grid without touching another item's footprint; None if the hangar has no
    room. An occupancy grid with a summed-area table: every window is tested at once."""
    w, h = size(item)
    nx, ny = (
        int(np.floor(hangar.length_m / step_m + EPS)),
        int(np.floor(hangar.width_m / step_m + EPS)),
    )
    kx, ky = int(np.ceil(w / step_m - EPS)), int(np.ceil(h / step_m - EPS))
    if kx > nx or ky > ny:
        return None
    busy = np.zeros((ny, nx), dtype=np.int32)
    for other in others:
        x0, y0, x1, y1 = footprint(other)
        i0, j0 = max(int(np.floor(y0 / step_m + EPS)), 0), max(int(np.floor(x0 / step_m + EPS)), 0)
        i1, j1 = min(int(np.ceil(y1 / step_m - EPS)), ny), min(int(np.ceil(x1 / step_m - EPS)), nx)
        if i1 > i0 and j1 > j0:
            busy[i0:i1, j0:j1] = 1
    table = np.zeros((ny + 1, nx + 1), dtype=np.int64)
    table[1:, 1:] = busy.cumsum(0).cumsum(1)
    # Cells covered by a window whose top-left cell is (i, j): rows i..i+ky, columns j..j+kx.
    covered = table[ky:, kx:] - table[:-ky, kx:] - table[ky:, :-kx] + table[:-ky, :-kx]
    free_i, free_j = np.nonzero(covered == 0)
    if free_i.size == 0:
        return None
    cx = free_j * step_m + w / 2 - near[0]
    cy = free_i * step_m + h / 2 - near[1]
    best = int(np.lexsort((free_j, free_i, cx * cx + cy * cy))[0])  # ties: north, then west
    return round(float(free_j[best] * step_m), 6), round(float(free_i[best] * step_m), 6)


def layout_with_cdus(
    hangar: Hangar,
    template: PlanItem,
    rules: LayoutRules,
    heat_kw: Callable[[list[PlanItem]], float],
    area: Rect | None = None,
    keep: list[PlanItem] | tuple[PlanItem, ...] = (),
    cdu: PlanItem | None = None,
) -> tuple[list[PlanItem], list[PlanItem]]:
    """Liquid-cooled racks filling ``area`` and the CDUs that carry their heat (``heat_kw`` of
    the racks, as the capacity check counts it), in a strip kept at the area's east end: one
    CDU column first, another while the strip holds too few. (racks, CDUs)."""
    cdu = cdu or new_item("cdu")
    x0, y0, x1, y1 = area if area is not None else (0.0, 0.0, hangar.length_m, hangar.width_m)
    x1 = min(x1, hangar.length_m)
    racks: list[PlanItem] = []
    for columns in range(1, 21):
        strip = columns * cdu.length_m + rules.cold_aisle_m  # CDUs, and an aisle to the racks
        if x1 - strip <= x0:
            break
        racks = auto_layout(hangar, template, rules, (x0, y0, x1 - strip, y1), keep)
        need = int(np.ceil(heat_kw(racks) / cdu.cooling_kw - 1e-9)) if cdu.cooling_kw else 0
        room = (x1 - columns * cdu.length_m, y0, x1, y1)
        cdus = auto_layout(hangar, cdu, rules, room, [*keep, *racks])
        if len(cdus) >= need:
            return racks, cdus[:need]
    return racks, []
