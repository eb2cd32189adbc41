"""Demand response on every Monte Carlo path, from each segment's sorted tables of prices
(``segments.SegmentMarket``), with no hour-by-hour rows: mining in the called hours, and the
MWh available to curtail on which capacity income is earned."""

from __future__ import annotations

import numpy as np

from core.engine.blocks.demand import keep_order
from core.risk.segments import Draws, MiningBlockPaths, SegmentMarket


def dr_paths(
    mk: SegmentMarket,
    blocks: list[MiningBlockPaths],
    d: Draws,
    adder: float,
    enrolled: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mining in the called DR hours: (P, M) net, (P, M) peak mining MW in those hours and
    (P, M) MWh available in them, min(enrolled, load still running under the call).

    In a called hour the blocks whose break-even is at or above the hour's price run, and the
    enrolled MW come off the least valuable in the hour first (the engine's rule; a segment's
    hours share their values, and each path has its own order), so the most valuable running
    blocks keep up to capacity − enrolled; capacity income counts the load whose income the
    site keeps. Sorting a path's break-evens splits the
    segment's called hours into intervals with one running set each; each interval's hours
    and price sum come from the sorted table."""
    n, p = mk.ctx.tl.n_months, d.n
    net = np.zeros((n, p))
    peak = np.zeros((n, p))
    available = np.zeros((n, p))
    if not blocks or not any(h[-1] for h in mk.dr_hours):
        return net.T, peak.T, available.T
    n_seg = mk.seg_month.size
    row = np.full((len(blocks), n_seg), -1)
    for i, blk in enumerate(blocks):
        row[i, blk.segs] = np.arange(blk.segs.size)
    cols = np.arange(p)
    for s in range(n_seg):
        if not mk.dr_hours[s][-1]:
            continue
        active = [i for i in range(len(blocks)) if row[i, s] >= 0]
        if not active:
            continue
        m = int(mk.seg_month[s])
        hm = d.hashprice_by_month[m]
        group = [blocks[i] for i in active]
        rev = [b.rev_per_mwh[row[i, s]] for i, b in zip(active, group, strict=True)]
        value = np.array([b.value(hm, r) for b, r in zip(group, rev, strict=True)])  # (K, P)
        # The enrolled MW come off the least valuable in the hour first: on each path, as a
        # hosted rate does not move with hashprice.
        kept_first = keep_order(value)  # (K, P) positions in ``active``, most valuable first
        margin = value - adder
        be = margin / d.power  # (K, P) break-even prices
        order = np.argsort(-be, axis=0, kind="stable")
        rank = np.argsort(order, axis=0, kind="stable")  # 0 = highest break-even
        sorted_be = np.take_along_axis(be, order, axis=0)
        mw = np.array([b.mw for b in group])
        share = np.array([b.share for b in group])
        bonus = np.array([b.bonus for b in group])
        keeps = np.array([b.keeps_dr for b in group])
        allowed = mw.sum() - enrolled[m]
        upper_c, upper_s = _table_at(mk, s, sorted_be[0])
        for k in range(len(active)):
            if k + 1 < len(active):
                lower_c, lower_s = _table_at(mk, s, sorted_be[k + 1])
            else:
                lower_c, lower_s = np.zeros(p), np.zeros(p)
            hours, price_sum = upper_c - lower_c, upper_s - lower_s
            remaining = np.full(p, allowed)
            load = np.zeros(p)
            load_kept = np.zeros(p)
            for q in range(len(active)):
                a = kept_first[q]  # (P,)
                kept = np.minimum(np.where(rank[a, cols] <= k, mw[a], 0.0), remaining)
                remaining -= kept
                load += kept
                load_kept += kept * keeps[a]
                margin_sum = margin[a, cols] * hours - d.power * price_sum
                net[m] += kept * (share[a] * margin_sum + bonus[a] * hours)
            peak[m] = np.maximum(peak[m], np.where(hours > 0, load, 0.0))
            available[m] += hours * np.minimum(load_kept, enrolled[m])
            upper_c, upper_s = lower_c, lower_s
    return net.T, peak.T, available.T


def available_normal_paths(
    mk: SegmentMarket,
    blocks: list[MiningBlockPaths],
    d: Draws,
    adder: float,
    enrolled: np.ndarray,
) -> np.ndarray:
    """(P, M) MWh available to curtail in the normal hours (neither called, 4CP peak nor
    avoided): Σ over hours of min(enrolled, mining MW running).

    Within a segment a block runs exactly in the hours priced at or below its break-even, so
    the running sets are nested: with the blocks' break-evens in descending order, the hours at
    or below the k-th carry the k highest blocks at least. Each block adds its hour count times
    the rise of min(enrolled, cumulative MW) it brings."""
    n, p = mk.ctx.tl.n_months, d.n
    available = np.zeros((n, p))
    n_seg = mk.seg_month.size
    row = np.full((len(blocks), n_seg), -1)
    for i, blk in enumerate(blocks):
        row[i, blk.segs] = np.arange(blk.segs.size)
    for s in range(n_seg):
        m = int(mk.seg_month[s])
        active = [i for i in range(len(blocks)) if row[i, s] >= 0]
        if not active or not enrolled[m] or not mk.seg_hours[s][-1]:
            continue
        hm = d.hashprice_by_month[m]
        be = np.array(
            [
                (blocks[i].value(hm, blocks[i].rev_per_mwh[row[i, s]]) - adder) / d.power
                for i in active
            ]
        )
        mw = np.array([blocks[i].mw for i in active])
        order = np.argsort(-be, axis=0, kind="stable")
        sorted_be = np.take_along_axis(be, order, axis=0)
        cum = np.minimum(np.cumsum(mw[order], axis=0), enrolled[m])
        rise = np.diff(cum, axis=0, prepend=0.0)
        hours = mk.seg_hours[s][np.searchsorted(mk.seg_prices[s], sorted_be, side="right")]
        available[m] += np.sum(hours * rise, axis=0)
    return available.T


def _table_at(mk: SegmentMarket, s: int, breakeven: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Called hours of segment ``s`` priced at or below each path's break-even, and their sum."""
    k = np.searchsorted(mk.dr_prices[s], breakeven, side="right")
    return mk.dr_hours[s][k].astype(float), mk.dr_sums[s][k]
