"""The fast method behind the Monte Carlo: a strategy's monthly cash flow on many paths at once.

No path reruns the hourly simulation. A path scales every hour's power price by one factor and
every hour's hashprice by one factor per month, so within a segment (a month, split where a
halving falls) a mining block runs exactly in the hours priced at or below its break-even.
Those hours are sorted once; for any path's break-even, the hours run and their energy cost
come from a ``searchsorted`` and a prefix sum. Demand-response calls are a second sorted set per
segment: in a called hour the blocks that run are those whose break-even is at or above the
hour's price, so between consecutive break-evens the running set, and so the MW each block
keeps under the call, is fixed (``_dr_paths``). Only the 4CP peak hours stay hourly, at most
four a year: a year of called hours costs no more than a few. Hosted racks ride the same
tables: a per-kWh rate does not move with hashprice, so each path orders the DR cut on its
own, and a firm cost-plus rack's profit share is read from every hour's table
(``segments.MiningBlockPaths``). Firm terms (AI, firm hosting) are linear in the power factor,
so two engine runs (prices as they are and at zero) give them for every path. A fixed-price
block adds a term linear in the power factor (``strategy_template``). The result matches the
hourly engine run path by path (``tests/core/risk/reference.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.engine.blocks.base import Block
from core.engine.blocks.demand import fourcp_bill, fourcp_peak_kw, keep_order
from core.engine.blocks.kinds import ai_kind, is_ai, is_hosted, owns_gpus
from core.engine.cashflow import cash_flow_table, forward_index
from core.engine.energy import simulate_strategy
from core.engine.finance.tax import finance_tax
from core.engine.market.context import MarketContext
from core.engine.terminal import final_year_base
from core.model.catalog import Catalog
from core.model.project import AiBlock, HostingBlock, Project, Strategy
from core.risk.drcalls import available_normal_paths, dr_paths
from core.risk.segments import (
    Draws,
    MiningBlockPaths,
    SegmentMarket,
    lookup,
    monthly,
)


@dataclass(frozen=True, eq=False)
class StrategyTemplate:
    """One strategy with one conversion delay: the parts that do not depend on the path."""

    const_usd: np.ndarray  # (M,) EBITDA terms fixed for every path
    per_power_usd: np.ndarray  # (M,) EBITDA terms proportional to the power factor
    gpu: list[tuple[np.ndarray, np.ndarray, float]]  # revenue (M,), years live (M,), decline %
    ai_load_mw: np.ndarray  # (M,) AI facility load, for demand charges
    capex_usd: np.ndarray
    salvage_usd: np.ndarray
    depreciation_usd: np.ndarray
    sale_gain_usd: np.ndarray
    # (M,) proceeds of miners sold whose price follows hashprice: a path scales them by its
    # hashprice multiplier at the sale over the first month's
    asic_resale_usd: np.ndarray | None = None
    # "hashprice_forward": the monthly hashprice the proceeds were priced on, then the 12
    # months after the horizon (M + 12,); a path's index is its forward mean over this one's
    resale_hashprice: np.ndarray | None = None
    # finance.terminal_value = "continuing": the central case's continuing value and its
    # final year's flow (floored at 0), which a path's continuing value is scaled by
    continuing_usd: float = 0.0
    continuing_base_usd: float = 0.0


def map_blocks(
    strategy: Strategy, which: Callable[[Block], bool], update: Callable[[Any], dict]
) -> Strategy:
    """The strategy with every block ``which`` picks copied with ``update(block)`` applied."""
    blocks = [b.model_copy(update=update(b)) if which(b) else b for b in strategy.blocks]
    return strategy.model_copy(update={"blocks": blocks})


def with_delay(strategy: Strategy, months: int) -> Strategy:
    """The strategy with every AI block's conversion taking ``months`` longer."""
    if not months:
        return strategy
    return map_blocks(
        strategy, is_ai, lambda b: {"conversion_months": b.conversion_months + months}
    )


def _firm(strategy: Strategy) -> Strategy:
    """The strategy's firm load: AI blocks and firm hosted racks, whose hours do not depend on
    the path. A firm cost-plus rack's profit share does, so it is left out here (it is in
    ``firm_shares``)."""
    blocks: list[AiBlock | HostingBlock] = []
    for b in strategy.blocks:
        if is_hosted(b) and not b.curtailable:
            blocks.append(b.model_copy(update={"profit_share_pct": 0.0}))
        elif is_ai(b):
            blocks.append(b)
    return strategy.model_copy(update={"blocks": blocks})


def strategy_template(
    project: Project, strategy: Strategy, ctx: MarketContext, zero: MarketContext, cat: Catalog
) -> StrategyTemplate:
    """Firm terms (AI, firm hosting) from two engine runs (prices as they are, and at zero:
    they are linear in the power factor); O&M and every asset flow from the engine as well.
    DR capacity depends on the hours mining runs, so it is per path (``mining_paths``)."""
    ai = _firm(strategy)
    energy = project.site.energy
    fixed_mw = energy.fixed_block_mw if energy.contract == "fixed_block" else 0.0
    # A fixed block's cost less its resale credits is linear in the load: the block at its
    # price, plus every MWh drawn at index, less the block's MWh at index (Σ max(L − B, 0) p
    # − Σ max(B − L, 0) p = Σ (L − B) p). So the paths run on index prices and add the block.
    index = project.model_copy(
        update={
            "site": project.site.model_copy(
                update={"energy": energy.model_copy(update={"contract": "index"})}
            )
        }
    )
    e1 = simulate_strategy(index, ai, ctx, cat)
    e0 = simulate_strategy(index, ai, zero, cat)
    t, parts = cash_flow_table(project, strategy, e1, ctx, cat, with_continuing=False)
    continuing = _continuing(project, strategy, ctx, cat)
    n = ctx.tl.n_months
    hours = ctx.tl.hours_in_month.astype(float)
    block_const = -fixed_mw * hours * energy.fixed_price_usd_per_mwh
    block_per_power = fixed_mw * ctx.price_month
    gpu = []
    for j, b in enumerate(ai.blocks):  # e1 keys blocks by their index in ``ai``
        if owns_gpus(b):
            years = ai_kind(b).years_live(b, n)  # the engine's decline counts these
            gpu.append((e1.block_revenue_usd[j], years, b.gpu_price_decline_pct_per_year))
    rate = project.site.energy.demand_charge_usd_per_kw_month
    return StrategyTemplate(
        const_usd=e1.revenue_colocation_usd
        + e1.revenue_hosting_usd
        + e0.power_passthrough_usd
        - e0.energy_cost_usd
        - e1.fourcp_charge_usd
        - t["opex_usd"]
        + block_const,
        per_power_usd=(e1.power_passthrough_usd - e0.power_passthrough_usd)
        - (e1.energy_cost_usd - e0.energy_cost_usd)
        + block_per_power,
        gpu=gpu,
        ai_load_mw=e1.demand_charge_usd / (1e3 * rate) if rate else np.zeros(n),
        capex_usd=t["capex_usd"],
        salvage_usd=t["salvage_usd"],
        depreciation_usd=t["depreciation_usd"],
        sale_gain_usd=t["taxable_income_usd"] - t["ebitda_usd"] + t["depreciation_usd"],
        asic_resale_usd=sum(
            (f.salvage_usd for a, f in parts.assets if a.asset_class == "asic"), np.zeros(n)
        )
        if project.finance.asic_resale != "straight_line"
        else None,
        resale_hashprice=np.concatenate([ctx.monthly_hashprice, ctx.hashprice_ahead])
        if project.finance.asic_resale == "hashprice_forward"
        else None,
        continuing_usd=continuing[0],
        continuing_base_usd=continuing[1],
    )


def _continuing(
    project: Project, strategy: Strategy, ctx: MarketContext, cat: Catalog
) -> tuple[float, float]:
    """(the central case's continuing value, its final year's flow floored at 0): a path's
    continuing value is the first × the path's final-year flow over the second (0, 0 unless
    finance.terminal_value = "continuing")."""
    if project.finance.terminal_value != "continuing":
        return 0.0, 0.0
    t, _ = cash_flow_table(
        project, strategy, simulate_strategy(project, strategy, ctx, cat), ctx, cat
    )
    value = float(t["terminal_value_usd"][-1])
    return value, float(final_year_base(t["fcf_usd"] - t["terminal_value_usd"], t["salvage_usd"]))


def gpu_decline_pct(base_pct: float, shift_pct: np.ndarray | float) -> np.ndarray:
    """A path's yearly GPU price decline: the block's own plus the path's shift, kept within
    what a price can do (−100 %, doubling, to 99 %)."""
    return np.clip(base_pct + np.asarray(shift_pct, dtype=float), -100.0, 99.0)


# ----------------------------------------------------------------------------- the fast path
def _by_month(mk: SegmentMarket, values: np.ndarray) -> np.ndarray:
    """(n_special, P) → (P, M) by month, via a prefix sum over the time-ordered hours."""
    bounds = np.searchsorted(mk.special, mk.ctx.tl.month_first_hour)
    c = np.concatenate([np.zeros((1, values.shape[1])), np.cumsum(values, axis=0)])
    return (c[bounds[1:]] - c[bounds[:-1]]).T


def _cut_for_dr(
    mk: SegmentMarket,
    blocks: list[MiningBlockPaths],
    fracs: list[np.ndarray],
    enrolled,
    d: Draws,
) -> None:
    """In called hours, cut running mining load to (capacity − enrolled), the blocks least
    valuable in the hour first: the engine's rule (demand.apply_dr_events) on the special
    hours (rows), each path in its own order (a hosted rate does not move with hashprice)."""
    dr = mk.special_dr
    hm = d.hashprice_by_month[mk.ctx.tl.hour_month[mk.special[dr]]]  # (H, P)
    value = np.stack(
        [
            np.where(
                b.special_active[dr][:, None], b.value(hm, b.special_rev[dr][:, None]), -np.inf
            )
            for b in blocks
        ]
    )  # (K, H, P)
    run = np.stack([f[dr] * b.mw for b, f in zip(blocks, fracs, strict=True)])  # (K, H, P)
    capacity = sum((b.mw * b.special_active[dr] for b in blocks), np.zeros(dr.sum()))
    remaining = np.maximum(capacity - enrolled[dr], 0.0)[:, None] * np.ones(run.shape[2])
    for i in keep_order(value):  # (H, P): the block kept q-th in each hour on each path
        at = i[None]
        kept = np.minimum(np.take_along_axis(run, at, axis=0)[0], remaining)
        remaining -= kept
        np.put_along_axis(run, at, kept[None], axis=0)
    for k, (b, f) in enumerate(zip(blocks, fracs, strict=True)):
        f[dr] = np.where(run[k] < f[dr] * b.mw, run[k] / b.mw, f[dr])


@dataclass(frozen=True, eq=False)
class MiningPaths:
    """Mining on every path: (P, M) net of energy, T&D adder and its 4CP share, and the
    month's peak mining MW where demand charges need it."""

    net_usd: np.ndarray
    peak_mw: np.ndarray | None


def _block_paths(
    mk: SegmentMarket, blk: MiningBlockPaths, d: Draws, adder: float, cache: dict
) -> tuple:
    """Per MW of one block, before DR calls: the normal hours' net by month (P, M), whether it
    runs in each of its segments (segments, P), and in each special hour (n_special, P).
    Blocks that differ only in size (a fleet split between strategies) share this."""
    # The market too: its normal hours leave out the called ones, a strategy's own with DR
    # calls on the highest-load hours (markets live as long as the run's cache).
    key = (
        id(mk),
        blk.segs.tobytes(),
        blk.rev_per_mwh.tobytes(),
        blk.special_rev.tobytes(),
        (blk.scaled, blk.offset, blk.share, blk.bonus),
    )
    if key in cache:
        return cache[key]
    tl = mk.ctx.tl
    months = mk.seg_month[blk.segs]
    margin = blk.value(d.hashprice_by_month[months], blk.rev_per_mwh[:, None]) - adder  # $/MWh
    count, psum = lookup(mk, blk.segs, margin / d.power)
    net = monthly(tl.n_months, months, blk.site_net(count, count * margin - psum * d.power))
    runs = np.zeros((mk.special.size, d.n))
    act = np.flatnonzero(blk.special_active)
    if act.size:
        hm = d.hashprice_by_month[tl.hour_month[mk.special[act]]]
        price = mk.ctx.price[mk.special[act]][:, None]
        runs[act] = d.power * price + adder <= blk.value(hm, blk.special_rev[act][:, None])
    cache[key] = (net.T, count > 0, runs)
    return cache[key]


def firm_share_paths(
    mk: SegmentMarket, blocks: list[MiningBlockPaths], d: Draws, adder: float
) -> np.ndarray:
    """(P, M) the profit shares of firm cost-plus racks: share × Σ max(0, client margin) over
    every hour of each segment of the term, from the all-hours tables."""
    tl = mk.ctx.tl
    out = np.zeros((tl.n_months, d.n))
    for blk in blocks:
        months = mk.seg_month[blk.segs]
        margin = blk.value(d.hashprice_by_month[months], blk.rev_per_mwh[:, None]) - adder
        be = margin / d.power
        count, psum = lookup(mk, blk.segs, be, mk.all_tables)
        margin_mwh = count * margin - psum * d.power
        out += monthly(tl.n_months, months, blk.share * margin_mwh * blk.mw)
    return out.T


def mining_paths(
    project: Project, mk: SegmentMarket, blocks: list[MiningBlockPaths], d: Draws, cache: dict
) -> MiningPaths:
    tl, energy = mk.ctx.tl, project.site.energy
    adder = energy.tnd_adder_usd_per_mwh
    p, n = d.n, tl.n_months
    net = np.zeros((p, n))
    seg_load = np.zeros((mk.seg_month.size, p)) if energy.demand_charge_usd_per_kw_month else None
    fracs = []
    for blk in blocks:
        block_net, runs_seg, runs_sp = _block_paths(mk, blk, d, adder, cache)
        net += block_net * blk.mw
        if seg_load is not None:
            seg_load[blk.segs] += runs_seg * blk.mw
        fracs.append(runs_sp)
    sp = mk.special
    sp_month = tl.hour_month[sp]
    enrolled = _enrolled_month(project, mk, blocks, n)
    dr_net, dr_peak, dr_available = dr_paths(mk, blocks, d, adder, enrolled)
    net += dr_net
    live = [i for i, b in enumerate(blocks) if b.special_active.any()]
    if live:
        if mk.special_dr.any():
            fracs = [f.copy() for f in fracs]  # the cache keeps the uncut runs
            _cut_for_dr(mk, blocks, fracs, enrolled[sp_month], d)
        hm = d.hashprice_by_month[sp_month]
        cost = d.power * mk.ctx.price[sp][:, None] + adder
        hourly = np.zeros((sp.size, p))
        for i in live:
            b, mwh = blocks[i], fracs[i] * blocks[i].mw
            hourly += b.site_net(mwh, mwh * (b.value(hm, b.special_rev[:, None]) - cost))
        net += _by_month(mk, hourly)
    mining_sp = sum((fracs[i] * blocks[i].mw for i in live), np.zeros((sp.size, p)))
    rate = project.site.demand_response.capacity_usd_per_mw_month
    if rate and enrolled.any():
        # Income on the load whose income the site keeps (own fleets first, as the engine).
        kept = [b for b in blocks if b.keeps_dr]
        kept_sp = sum(
            (fracs[i] * blocks[i].mw for i in live if blocks[i].keeps_dr), np.zeros((sp.size, p))
        )
        available = dr_available + available_normal_paths(mk, kept, d, adder, enrolled)
        if sp.size:
            available += _by_month(mk, np.minimum(kept_sp, enrolled[sp_month][:, None]))
        net += available / tl.hours_in_month * rate
    if energy.fourcp_usd_per_kw_year and (mk.peak_pos >= 0).any():
        net -= _fourcp_mining(mk, mining_sp, energy.fourcp_usd_per_kw_year)
    peak = None
    if seg_load is not None:
        peak = np.maximum(np.maximum.reduceat(seg_load, mk.month_first_seg, axis=0).T, dr_peak)
        for m in np.unique(sp_month):
            peak[:, m] = np.maximum(peak[:, m], mining_sp[sp_month == m].max(axis=0))
    return MiningPaths(net, peak)


def ebitda_paths(
    project: Project, tpl: StrategyTemplate, mining: MiningPaths, d: Draws, rows: np.ndarray
) -> np.ndarray:
    """(len(rows), M) EBITDA of one strategy variant on the given paths."""
    out = tpl.const_usd + d.power[rows, None] * tpl.per_power_usd + mining.net_usd[rows]
    for revenue, years, base in tpl.gpu:
        if base < 100:
            shift = d.gpu_decline_shift_pct[rows]
            ratio = (1 - gpu_decline_pct(base, shift) / 100) / (1 - base / 100)
            out += revenue * ratio[:, None] ** years
        else:
            out += revenue
    rate = project.site.energy.demand_charge_usd_per_kw_month
    if rate:
        peak = tpl.ai_load_mw if mining.peak_mw is None else mining.peak_mw[rows] + tpl.ai_load_mw
        out -= peak * 1e3 * rate
    return out


def _enrolled_month(
    project: Project, mk: SegmentMarket, blocks: list[MiningBlockPaths], n: int
) -> np.ndarray:
    """The engine's enrolled DR MW per month: the enrolment, capped by mining capacity present."""
    cap = np.zeros(n)
    for blk in blocks:
        cap[np.unique(mk.seg_month[blk.segs])] += blk.mw
    return np.minimum(project.site.demand_response.enrolled_mw, cap)


def _fourcp_mining(mk: SegmentMarket, mining_sp: np.ndarray, usd_per_kw_year: float) -> np.ndarray:
    """The mining share of 4CP charges, (P, M) (the AI share is in the template; the charge is
    linear in the average peak load): each year's mean mining load in its peak hours, billed
    as the engine bills it (``demand.fourcp_bill``)."""
    load = np.where((mk.peak_pos >= 0)[:, None], mining_sp[np.maximum(mk.peak_pos, 0)], 0.0)
    kw = fourcp_peak_kw(load, mk.ctx)  # (P, years)
    return fourcp_bill(kw, mk.ctx.tl.n_months, usd_per_kw_year)


def resale_ratio(tpl: StrategyTemplate, factor: np.ndarray) -> np.ndarray:
    """(P, M) each path's resale index over the one the template's proceeds were priced on,
    from its hashprice multipliers ``factor`` (P, M): spot, the multiplier at the sale over
    the first month's; forward, the path's forward index over the base's, the path's last
    multiplier held through the months after the horizon."""
    if tpl.resale_hashprice is None:
        return factor / factor[:, :1]
    base = tpl.resale_hashprice
    n = factor.shape[1]
    after = np.repeat(factor[:, -1:], base.size - n, axis=1)
    path = np.concatenate([factor, after], axis=1) * base
    return forward_index(path[:, :n], path[:, n:]) / forward_index(base[:n], base[n:])


def fcf_paths(
    project: Project, tpl: StrategyTemplate, ebitda: np.ndarray, d: Draws, rows: np.ndarray
) -> np.ndarray:
    return fcf_parts(project, tpl, ebitda, d, rows)[0]


def fcf_parts(
    project: Project, tpl: StrategyTemplate, ebitda: np.ndarray, d: Draws, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(free cash flow, tax, taxable income), each (len(rows), M)."""
    salvage, gain = tpl.salvage_usd, tpl.sale_gain_usd
    if tpl.asic_resale_usd is not None and tpl.asic_resale_usd.any():
        ratio = resale_ratio(tpl, d.hashprice[rows])
        extra = tpl.asic_resale_usd * (ratio - 1.0)
        salvage, gain = salvage + extra, gain + extra
    taxable = ebitda - tpl.depreciation_usd + gain
    tax = finance_tax(taxable, project.finance)
    fcf = ebitda - tpl.capex_usd + salvage - tax
    if tpl.continuing_usd:
        # The strategy's own years after the horizon (core.engine.terminal), scaled by the
        # path's final-year flow over the central case's.
        if tpl.continuing_base_usd > 0:
            fcf[:, -1] += (
                tpl.continuing_usd * final_year_base(fcf, salvage) / tpl.continuing_base_usd
            )
        else:
            fcf[:, -1] += tpl.continuing_usd
    return fcf, tax, taxable
