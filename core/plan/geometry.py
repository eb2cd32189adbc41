"""Floor-plan geometry checked on numpy arrays: walls, overlaps, aisles and door egress.

A whole plan goes through a spatial grid, so only rectangles sharing a grid cell are compared; a
drag goes through ``PlanGeometry.moved``, which compares only the changed items with the rest.
Touching edges are not an overlap. ``Violation`` is what every plan check reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.model.plan import RACK_KINDS, FloorPlan, Hangar, LayoutRules, PlanItem
from core.plan.layout import FRONT, door_name, door_zone, footprint, item_name

EPS = 1e-6
# Zone kinds: a rack's cold aisle (front), hot aisle (back), a door's egress strip.
COLD, HOT, DOOR = 0, 1, 2
_FRONT_X = np.array([FRONT[q * 90][0] for q in range(4)], dtype=float)
_FRONT_Y = np.array([FRONT[q * 90][1] for q in range(4)], dtype=float)
RULE_TITLES = {
    "outside": "Outside the walls",
    "overlap": "Overlap",
    "cold_aisle": "Cold aisle too narrow",
    "hot_aisle": "Hot aisle too narrow",
    "door": "Door egress blocked",
    "rack_kw": "Above cooling limit",
    "cooling": "Cooling short",
    "facility": "Facility load above interconnect",
    "link": "Not counted",
}


@dataclass(frozen=True)
class Violation:
    rule: str
    items: tuple[int, ...]  # indices into the plan's items
    message: str

    def to_json(self) -> dict[str, object]:
        return {"rule": self.rule, "items": list(self.items), "message": self.message}


def _overlaps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise: do rectangles a and b share area (more than touching)?"""
    w = np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0])
    h = np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1])
    return (w > EPS) & (h > EPS)


def overlapping_pairs(
    rects: np.ndarray, skip_among: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i < j) of rectangles that share area, each once, found through a uniform
    grid: only rectangles in the same cell are compared, and a pair counts in the one cell
    holding the north-west corner of their intersection. Pairs of two rectangles flagged in
    ``skip_among`` are not wanted and not tested."""
    n = len(rects)
    empty = np.zeros(0, dtype=np.int64)
    if n < 2:
        return empty, empty
    x0, y0, x1, y1 = (np.ascontiguousarray(rects[:, k]) for k in range(4))
    cell = max(float(np.median(np.maximum(x1 - x0, y1 - y0))), 0.25)
    while True:
        c = np.floor(rects / cell).astype(np.int64)
        # A far edge on a cell boundary only touches the next cell: leave that cell out.
        c[:, 2:] = np.maximum(np.floor((rects[:, 2:] - EPS) / cell).astype(np.int64), c[:, :2])
        nx, ny = c[:, 2] - c[:, 0] + 1, c[:, 3] - c[:, 1] + 1
        count = nx * ny
        if count.sum() <= 16 * n:
            break
        cell *= 2.0  # a few huge items: coarser cells rather than millions of entries
    total = int(count.sum())
    owner = np.repeat(np.arange(n), count)
    k = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
    per_row = np.repeat(nx, count)
    cx = np.repeat(c[:, 0], count) + k % per_row
    cy = np.repeat(c[:, 1], count) + k // per_row
    key = (cx - cx.min()) * (int(cy.max() - cy.min()) + 1) + (cy - cy.min())
    order = np.argsort(key, kind="stable")
    key, owner, cx, cy = key[order], owner[order], cx[order], cy[order]
    starts = np.empty(total, dtype=bool)
    starts[0] = True
    starts[1:] = key[1:] != key[:-1]
    last = np.flatnonzero(np.r_[starts[1:], True])[np.cumsum(starts) - 1]
    after = last - np.arange(total)  # later entries in the same cell
    left = np.repeat(np.arange(total), after)
    right = left + 1 + np.arange(len(left)) - np.repeat(np.cumsum(after) - after, after)
    a, b = owner[left], owner[right]
    if skip_among is not None:
        wanted = ~(skip_among[a] & skip_among[b])
        a, b, left = a[wanted], b[wanted], left[wanted]
    left_x, top_y = np.maximum(x0[a], x0[b]), np.maximum(y0[a], y0[b])
    hit = (np.minimum(x1[a], x1[b]) - left_x > EPS) & (np.minimum(y1[a], y1[b]) - top_y > EPS)
    hit &= np.floor(left_x / cell).astype(np.int64) == cx[left]
    hit &= np.floor(top_y / cell).astype(np.int64) == cy[left]
    a, b = a[hit], b[hit]
    return np.minimum(a, b), np.maximum(a, b)


def aisle_strips(
    rects: np.ndarray, rotations: np.ndarray, rules: LayoutRules
) -> tuple[np.ndarray, np.ndarray]:
    """Each rack's clear strips: in front (cold aisle) and behind (hot aisle), on the sides
    its rotation's FRONT points to and away from."""
    quarter = (np.asarray(rotations) // 90).astype(np.int64)
    fx, fy = _FRONT_X[quarter], _FRONT_Y[quarter]
    return _strips(rects, fx, fy, rules.cold_aisle_m), _strips(rects, -fx, -fy, rules.hot_aisle_m)


def _strips(r: np.ndarray, dx: np.ndarray, dy: np.ndarray, d: float) -> np.ndarray:
    """The strip of depth ``d`` beside each rectangle on the side (dx, dy) points to."""
    x0 = np.where(dx > 0, r[:, 2], np.where(dx < 0, r[:, 0] - d, r[:, 0]))
    x1 = np.where(dx > 0, r[:, 2] + d, np.where(dx < 0, r[:, 0], r[:, 2]))
    y0 = np.where(dy > 0, r[:, 3], np.where(dy < 0, r[:, 1] - d, r[:, 1]))
    y1 = np.where(dy > 0, r[:, 3] + d, np.where(dy < 0, r[:, 1], r[:, 3]))
    return np.c_[x0, y0, x1, y1]


class PlanGeometry:
    """The plan's rectangles (items, then aisle and door zones) and their violations."""

    def __init__(self, plan: FloorPlan, hangar: Hangar, rules: LayoutRules):
        self.hangar, self.rules = hangar, rules
        self.items = list(plan.items)
        self.doors = [door_zone(hangar, d, rules.door_clearance_m) for d in hangar.doors]
        self._build()

    def _build(self) -> None:
        n = len(self.items)
        cols = np.array(
            [
                (i.x_m, i.y_m, i.length_m, i.depth_m, i.rotation, i.kind in RACK_KINDS)
                for i in self.items
            ],
            dtype=float,
        ).reshape(n, 6)
        x, y, length, depth, rot = (cols[:, k] for k in range(5))
        across = (rot == 90) | (rot == 270)
        w, h = np.where(across, depth, length), np.where(across, length, depth)
        self.rects = np.c_[x, y, x + w, y + h]
        racks = np.flatnonzero(cols[:, 5] > 0)
        zones = aisle_strips(self.rects[racks], rot[racks], self.rules)
        self.zones = np.concatenate([*zones, np.array(self.doors, dtype=float).reshape(-1, 4)])
        m = len(racks)
        self.zone_owner = np.r_[racks, racks, -1 - np.arange(len(self.doors))].astype(np.int64)
        self.zone_kind = np.r_[np.full(m, COLD), np.full(m, HOT), np.full(len(self.doors), DOOR)]

    # ------------------------------------------------------------------ whole plan
    def violations(self) -> list[Violation]:
        n = len(self.items)
        found: list[Violation] = []
        found += self._outside(np.arange(n))
        both = np.concatenate([self.rects, self.zones])
        zone = np.r_[np.zeros(n, dtype=bool), np.ones(len(self.zones), dtype=bool)]
        i, j = overlapping_pairs(both, skip_among=zone)
        items = j < n
        found += [self._overlap(a, b) for a, b in zip(i[items], j[items], strict=True)]
        mixed = (i < n) & (j >= n)  # one item, one zone (i < j, so the zone is j)
        item, zone = i[mixed], j[mixed] - n
        ok = self.zone_owner[zone] != item
        found += [self._zone(int(z), int(a)) for a, z in zip(item[ok], zone[ok], strict=True)]
        return _unique(found)

    # ------------------------------------------------------------------ a drag
    def moved(self, changes: dict[int, PlanItem], before: list[Violation]) -> list[Violation]:
        """Violations after replacing some items: the rest's are kept, the changed items are
        compared with every rectangle (a vector test per changed item, no pair search)."""
        for index, item in changes.items():
            same_kind = self.items[index].kind == item.kind
            self.items[index] = item
            if not same_kind:
                self._build()
                continue
            self.rects[index] = footprint(item)
            own = np.flatnonzero(self.zone_owner == index)  # its cold strip, then its hot one
            if len(own):
                cold, hot = aisle_strips(
                    self.rects[index : index + 1], np.array([item.rotation]), self.rules
                )
                self.zones[own[0]], self.zones[own[1]] = cold[0], hot[0]
        changed = set(changes)
        kept = [v for v in before if not changed.intersection(v.items)]
        found: list[Violation] = list(self._outside(np.array(sorted(changed))))
        for a in sorted(changed):
            hit = np.flatnonzero(_overlaps(self.rects, self.rects[a]))
            found += [self._overlap(a, int(b)) for b in hit if b != a]
            hit = np.flatnonzero(_overlaps(self.zones, self.rects[a]) & (self.zone_owner != a))
            found += [self._zone(int(z), a) for z in hit]
            for z in np.flatnonzero(self.zone_owner == a):
                hit = np.flatnonzero(_overlaps(self.rects, self.zones[z]))
                found += [self._zone(int(z), int(b)) for b in hit if b != a]
        return _unique(kept + found)

    # ------------------------------------------------------------------ messages
    def _outside(self, idx: np.ndarray) -> list[Violation]:
        if len(idx) == 0:
            return []
        r = self.rects[idx]
        L, W = self.hangar.length_m, self.hangar.width_m
        out = (r[:, 0] < -EPS) | (r[:, 1] < -EPS) | (r[:, 2] > L + EPS) | (r[:, 3] > W + EPS)
        found = []
        inside = idx[~out]
        for a in idx[out]:
            a = int(a)
            found.append(
                Violation(
                    "outside",
                    (a,),
                    f"{self._name(a)} is outside the walls of {self.hangar.name} ({L:g} × {W:g} m)",
                )
            )
        # A rack's front is where it is serviced: its cold aisle must be inside the hangar.
        cold = np.flatnonzero((self.zone_kind == COLD) & np.isin(self.zone_owner, inside))
        z = self.zones[cold]
        bad = (z[:, 0] < -EPS) | (z[:, 1] < -EPS) | (z[:, 2] > L + EPS) | (z[:, 3] > W + EPS)
        for a in self.zone_owner[cold[bad]]:
            a = int(a)
            found.append(
                Violation(
                    "cold_aisle",
                    (a,),
                    f"{self._name(a)} faces a wall {self._gap_to_wall(a):.2f} m away; its cold "
                    f"aisle needs ≥ {self.rules.cold_aisle_m:g} m",
                )
            )
        return found

    def _overlap(self, a: int, b: int) -> Violation:
        a, b = sorted((int(a), int(b)))
        return Violation("overlap", (a, b), f"{self._name(a)} overlaps {self._name(b)}")

    def _zone(self, z: int, b: int) -> Violation:
        kind, owner = int(self.zone_kind[z]), int(self.zone_owner[z])
        if kind == DOOR:
            door = self.hangar.doors[-1 - owner]
            return Violation(
                "door",
                (b,),
                f"{self._name(b)} blocks the egress zone of the {door_name(door)} "
                f"({door.width_m:g} m wide, {self.rules.door_clearance_m:g} m deep)",
            )
        a = owner
        dx, dy = FRONT[self.items[a].rotation]
        if kind == HOT:
            dx, dy = -dx, -dy
        ra, rb = self.rects[a], self.rects[b]
        gap = {
            (0, 1): rb[1] - ra[3],
            (0, -1): ra[1] - rb[3],
            (1, 0): rb[0] - ra[2],
            (-1, 0): ra[0] - rb[2],
        }[(dx, dy)]
        side, need = (
            ("cold", self.rules.cold_aisle_m) if kind == COLD else ("hot", self.rules.hot_aisle_m)
        )
        where = "in front of" if kind == COLD else "behind"
        return Violation(
            f"{side}_aisle",
            tuple(sorted((a, b))),
            f"{self._name(b)} is {max(gap, 0.0):.2f} m {where} {self._name(a)}; "
            f"the {side} aisle needs ≥ {need:g} m",
        )

    def _gap_to_wall(self, a: int) -> float:
        x0, y0, x1, y1 = self.rects[a]
        dx, dy = FRONT[self.items[a].rotation]
        L, W = self.hangar.length_m, self.hangar.width_m
        gap = {(0, 1): W - y1, (0, -1): y0, (1, 0): L - x1, (-1, 0): x0}[(dx, dy)]
        return max(float(gap), 0.0)

    def _name(self, a: int) -> str:
        return item_name(a, self.items[a])


def _unique(found: list[Violation]) -> list[Violation]:
    """One violation per rule and set of items (two racks facing each other both see the
    narrow aisle); which message is kept does not depend on the order they were found in."""
    seen: dict[tuple, Violation] = {}
    for v in found:
        key = (v.rule, v.items) if len(v.items) > 1 else (v.rule, v.items, v.message)
        if key not in seen or v.message < seen[key].message:
            seen[key] = v
    return sorted(seen.values(), key=lambda v: (v.items, v.rule, v.message))
