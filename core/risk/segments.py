"""The Monte Carlo's grid: the paths' draws, each segment's sorted prices (a month, split where
a halving falls) and every miner block on the segment grid: own fleets and hosted racks,
whose value per MWh may or may not move with hashprice (``MiningBlockPaths``)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from core.engine.blocks.kinds import is_hosted, miner_kind, mines
from core.engine.blocks.mining import MINING, mining_block_power
from core.engine.market.bitcoin import hourly_subsidy
from core.engine.market.context import MarketContext
from core.model.catalog import Catalog
from core.model.project import MiningBlock, Project, Strategy


@dataclass(frozen=True, eq=False)
class Draws:
    """One row per path. Multipliers apply to the project's own monthly paths."""

    hashprice: np.ndarray  # (P, M) multiplier on hashprice: BTC price over difficulty
    power: np.ndarray  # (P,) multiplier on every hour's power price
    gpu_decline_shift_pct: np.ndarray  # (P,) added to each GPU block's yearly price decline
    delay_months: np.ndarray  # (P,) extra conversion months of every AI block
    contract_u: np.ndarray  # (P,) uniform: the contract is signed where u < probability

    @property
    def n(self) -> int:
        return self.power.size

    @cached_property
    def hashprice_by_month(self) -> np.ndarray:
        """(M, P): the hashprice multiplier with months as rows, for work along the months."""
        return np.ascontiguousarray(self.hashprice.T)


# ----------------------------------------------------------------------------- market tables
@dataclass(frozen=True, eq=False)
class SegmentMarket:
    """Per project state: segments and the sorted normal-hour prices of each."""

    ctx: MarketContext
    seg_start: np.ndarray  # (S + 1,) first hour of each segment, then n_hours
    seg_month: np.ndarray  # (S,)
    month_first_seg: np.ndarray  # (M,) index of each month's first segment
    # Per segment: its distinct normal-hour prices in order, and with a leading 0 the hours
    # and the sum of prices at or below each (a time-of-use month has about 25 prices).
    seg_prices: list[np.ndarray]
    seg_hours: list[np.ndarray]
    seg_sums: list[np.ndarray]
    # The same for each segment's called DR hours (neither 4CP peaks nor avoided).
    dr_prices: list[np.ndarray]
    dr_hours: list[np.ndarray]
    dr_sums: list[np.ndarray]
    special: np.ndarray  # 4CP peak hours (not avoided), in time order: simulated hour by hour
    special_dr: np.ndarray  # bool per special hour: also a DR call
    peak_pos: np.ndarray  # (n_peaks,) position in ``special`` of each 4CP peak, −1 if avoided

    @cached_property
    def all_tables(self) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
        """The sorted tables of every hour of each segment (firm hosting runs in all)."""
        every = np.ones(self.ctx.tl.n_hours, dtype=bool)
        return _sorted_tables(self.ctx.price, self.seg_start, every)


def segment_market(project: Project, ctx: MarketContext) -> SegmentMarket:
    tl, price = ctx.tl, ctx.price
    subsidy = hourly_subsidy(project.market, tl)
    steps = np.flatnonzero(np.diff(subsidy)) + 1
    seg_start = np.union1d(tl.month_first_hour, steps).astype(np.int64)
    seg_month = tl.hour_month[seg_start[:-1]].astype(np.int64)
    month_first_seg = np.searchsorted(seg_month, np.arange(tl.n_months))

    energy = project.site.energy
    peak = np.zeros(tl.n_hours, dtype=bool)
    if energy.fourcp_usd_per_kw_year:
        peak[ctx.fourcp_peak] = True
    special_mask = peak & ~ctx.fourcp_avoid
    called = ctx.dr_event & ~special_mask & ~ctx.fourcp_avoid
    normal = ~(ctx.dr_event | peak) & ~ctx.fourcp_avoid
    special = np.flatnonzero(special_mask)
    pos = np.full(tl.n_hours, -1)
    pos[special] = np.arange(special.size)
    peak_pos = pos[ctx.fourcp_peak] if energy.fourcp_usd_per_kw_year else np.empty(0, int)
    prices, hours, sums = _sorted_tables(price, seg_start, normal)
    dr_prices, dr_hours, dr_sums = _sorted_tables(price, seg_start, called)
    return SegmentMarket(
        ctx,
        seg_start,
        seg_month,
        month_first_seg,
        prices,
        hours,
        sums,
        dr_prices,
        dr_hours,
        dr_sums,
        special,
        ctx.dr_event[special],
        peak_pos,
    )


def _sorted_tables(
    price: np.ndarray, seg_start: np.ndarray, mask: np.ndarray
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Per segment: the distinct prices of the masked hours in order, and with a leading 0 the
    hours and the sum of prices at or below each."""
    prices, hours, sums = [], [], []
    for a, b in itertools.pairwise(seg_start):
        seg = np.sort(price[a:b][mask[a:b]])
        last = np.flatnonzero(np.diff(seg, append=np.inf) != 0)
        prices.append(seg[last])
        hours.append(np.concatenate([[0], last + 1]))
        sums.append(np.concatenate([[0.0], np.cumsum(seg)[last]]))
    return prices, hours, sums


def lookup(
    mk: SegmentMarket, segs: np.ndarray, breakeven: np.ndarray, tables: tuple | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """For each segment (row) and path (column): the normal hours (or those of ``tables``)
    priced at or below the break-even, and the sum of their prices."""
    prices, hours, sums = tables or (mk.seg_prices, mk.seg_hours, mk.seg_sums)
    count = np.empty(breakeven.shape)
    total = np.empty(breakeven.shape)
    for row, s in enumerate(segs):
        k = np.searchsorted(prices[s], breakeven[row], side="right")
        count[row] = hours[s][k]
        total[row] = sums[s][k]
    return count, total


@dataclass(frozen=True, eq=False)
class MiningBlockPaths:
    """A mining block on the segment grid."""

    mw: float
    segs: np.ndarray  # segments the block is active in
    rev_per_mwh: np.ndarray  # (len(segs),) USD per MWh at full run at the project's hashprice
    first: int
    stop: int
    special_rev: np.ndarray  # (n_special,) USD per MWh in each special hour, 0 if inactive
    special_active: np.ndarray  # (n_special,) bool: the hour is inside the block's run
    # A hosted rack (core.engine.blocks.hosting): its value per MWh is ``rev`` × the path's
    # hashprice multiplier (not for a per-kWh rate) less ``offset`` (a cost-plus margin); it
    # runs where value − adder covers the price; the site earns ``share`` of that margin (a
    # profit share) and ``bonus`` per MWh run (the cost-plus margin). An own fleet: 1, 0, 1, 0.
    scaled: bool = True
    offset: float = 0.0
    share: float = 1.0
    bonus: float = 0.0
    keeps_dr: bool = True  # the site keeps the capacity income its load earns

    def value(self, hm: np.ndarray, rev: np.ndarray) -> np.ndarray:
        """USD per MWh at full run, for hashprice multipliers ``hm`` (broadcast with ``rev``)."""
        if self.scaled:
            return hm * rev - self.offset
        return np.broadcast_to(rev, np.broadcast_shapes(np.shape(hm), np.shape(rev))) - self.offset

    def site_net(self, mwh: np.ndarray, margin_mwh: np.ndarray) -> np.ndarray:
        """The site's net per MW from the MWh run and Σ (value − adder − price) over them."""
        return self.share * margin_mwh + self.bonus * mwh


def mining_blocks(
    project: Project, strategy: Strategy, mk: SegmentMarket, cat: Catalog
) -> list[MiningBlockPaths]:
    """The strategy's own fleets and curtailable hosted racks on the segment grid."""
    out = []
    starts = mk.seg_start[:-1]
    for b in strategy.blocks:
        if not mines(b) or not miner_kind(b).takes_dr(b):
            continue  # firm hosting is in the template (and ``firm_shares``)
        blk = _block_on_grid(b, mk, cat, starts)
        if blk is not None:
            out.append(blk)
    return out


def firm_shares(
    project: Project, strategy: Strategy, mk: SegmentMarket, cat: Catalog
) -> list[MiningBlockPaths]:
    """The profit shares of firm cost-plus racks: each hour's client margin where positive,
    over every hour of the term (they run in all of them), as blocks that draw no load."""
    starts = mk.seg_start[:-1]
    out = []
    for b in strategy.blocks:
        if (
            is_hosted(b)
            and not b.curtailable
            and b.pricing == "cost_plus"
            and b.profit_share_pct > 0
        ):
            blk = _block_on_grid(b, mk, cat, starts)
            if blk is not None:
                out.append(replace(blk, bonus=0.0))
    return out


def _block_on_grid(
    b: MiningBlock, mk: SegmentMarket, cat: Catalog, starts: np.ndarray
) -> MiningBlockPaths | None:
    ctx = mk.ctx
    mw, _ = mining_block_power(b, cat)
    run = MINING.run(b, ctx, cat, ctx.price, curtail=False, avoid_4cp=False)
    if mw <= 0 or run.stop <= run.first:
        return None
    segs = np.flatnonzero((starts >= run.first) & (starts < run.stop))
    rev = run.revenue_full[starts[segs] - run.first] / mw
    special_rev = np.zeros(mk.special.size)
    inside = (mk.special >= run.first) & (mk.special < run.stop)
    special_rev[inside] = run.revenue_full[mk.special[inside] - run.first] / mw
    blk = MiningBlockPaths(mw, segs, rev, run.first, run.stop, special_rev, inside)
    if not is_hosted(b):
        return blk
    keeps = b.dr_income == "kept"
    if b.pricing == "per_kwh":
        rate = b.hosting_usd_per_kwh * 1e3 / b.pue  # per MWh at the meter
        return replace(
            blk,
            rev_per_mwh=np.full(segs.size, rate),
            special_rev=np.where(inside, rate, 0.0),
            scaled=False,
            keeps_dr=keeps,
        )
    margin = b.margin_usd_per_kwh * 1e3 / b.pue
    return replace(blk, offset=margin, share=b.profit_share_pct / 100, bonus=margin, keeps_dr=keeps)


def monthly(n_months: int, months: np.ndarray, per_segment: np.ndarray) -> np.ndarray:
    """(segments, P) in time order → (M, P) summed by month."""
    starts = np.flatnonzero(np.diff(months, prepend=-1))
    out = np.zeros((n_months, per_segment.shape[1]))
    out[months[starts]] = np.add.reduceat(per_segment, starts, axis=0)
    return out
