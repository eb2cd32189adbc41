"""Hourly energy simulation of one strategy: mining curtailment, DR events, 4CP, contract costs.

Mining load is flexible: a block runs in an hour only when its revenue per MWh covers the hour's
price plus the T&D adder, it is not inside a 4CP avoidance window (when enabled), and the site's
enrolled demand-response MW are not called. AI load is firm: it runs every live hour. Each
block's kind (``core.engine.blocks``) runs its hours and adds its parts to the months.
Results are summed into months; the hours behind them stay in ``HourlyLoads`` (for the hourly
chart), as references to arrays the simulation made anyway.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from core.engine.blocks.ai import gpu_life_months
from core.engine.blocks.base import Block, MinerRun, MonthlySums
from core.engine.blocks.demand import (
    apply_dr_events,
    dr_capacity_usd,
    fourcp_charge,
    load_called_hours,
)
from core.engine.blocks.kinds import ai_kind, is_ai, miner_kind, mines
from core.engine.market.context import MarketContext
from core.engine.market.memo import Memo
from core.engine.market.timeline import month_sums
from core.model.catalog import Catalog
from core.model.project import MiningBlock, Project, Strategy


@dataclass(eq=False)
class EnergyResult:
    """Monthly sums for one strategy (all USD or MWh per month), and the hours behind them."""

    revenue_mining_usd: np.ndarray
    revenue_colocation_usd: np.ndarray
    revenue_gpu_cloud_usd: np.ndarray
    revenue_hosting_usd: np.ndarray  # third-party miners' hosting fees (and profit share)
    power_passthrough_usd: np.ndarray
    dr_capacity_usd: np.ndarray
    power_credits_usd: np.ndarray
    energy_cost_usd: np.ndarray
    demand_charge_usd: np.ndarray
    fourcp_charge_usd: np.ndarray
    energy_mwh: np.ndarray
    mining_energy_mwh: np.ndarray
    curtailed_mwh: np.ndarray
    hashrate_ph: np.ndarray  # average hashrate actually running in the month
    hourly: HourlyLoads
    fourcp_peak_mw: np.ndarray  # the strategy's load in each 4CP peak hour (ctx.fourcp_peak)
    # Per AI block (by its index in strategy.blocks): its hosting revenue, USD per month.
    block_revenue_usd: dict[int, np.ndarray] = field(default_factory=dict)


# The monthly sums the blocks' kinds add to (the rest the simulation computes for the site).
BLOCK_SUMS = (
    "revenue_mining_usd",
    "revenue_colocation_usd",
    "revenue_gpu_cloud_usd",
    "revenue_hosting_usd",
    "power_passthrough_usd",
    "hashrate_ph",
)


@dataclass(frozen=True, eq=False)
class HourlyLoads:
    """The hours behind a strategy's monthly sums, kept so the hourly chart needs no second
    simulation: each mining block's running share and full-run revenue over its active hours
    (arrays the simulation made anyway, held, not copied) and each AI block's constant load."""

    adder: float  # T&D adder, USD/MWh: a break-even is on the price before it
    mining: tuple[tuple[str, MinerRun], ...]  # chart key, block run
    ai: tuple[tuple[str, int, float], ...]  # chart key, first live hour, facility MW

    def window(
        self, a: int, b: int
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Hours [a, b): facility MW drawn per block; per mining block, True where it stood
        (partly) idle, and the price at or below which it runs (NaN while inactive)."""
        load: dict[str, np.ndarray] = {}
        curtailed: dict[str, np.ndarray] = {}
        breakeven: dict[str, np.ndarray] = {}
        n = b - a
        for key, mb in self.mining:
            lo, hi = max(a, mb.first), min(b, mb.stop)
            load[key], curtailed[key] = np.zeros(n), np.zeros(n, dtype=bool)
            breakeven[key] = np.full(n, np.nan)
            if lo >= hi:
                continue
            frac = mb.frac[lo - mb.first : hi - mb.first]
            load[key][lo - a : hi - a] = frac * mb.facility_mw
            curtailed[key][lo - a : hi - a] = frac < 1
            if mb.facility_mw > 0:
                full = mb.revenue_full[lo - mb.first : hi - mb.first]
                breakeven[key][lo - a : hi - a] = full / mb.facility_mw - self.adder
        for key, first, mw in self.ai:
            load[key] = np.zeros(n)
            load[key][max(first - a, 0) :] = mw if first < b else 0.0
        return load, curtailed, breakeven


@dataclass(frozen=True, eq=False)
class _MinerPart:
    """What a strategy's miners (own fleets and hosted racks) add to its months and hours: the
    hourly part of the simulation, kept for the inputs it reads (``_miner_part``)."""

    sums: dict[str, np.ndarray]  # their part of BLOCK_SUMS
    dr_capacity: np.ndarray
    index_cost: np.ndarray  # Σ load × price
    mining_mwh: np.ndarray
    curtailed_mwh: np.ndarray
    peak_load: np.ndarray  # their load in each 4CP peak hour
    load: np.ndarray | None  # their hourly load, when the contract or a demand charge needs it
    hourly: tuple[tuple[str, MinerRun], ...]  # chart key, block run


# A strategy's miner part for the last few inputs it read: an edit of an AI block, a loan or
# a tax input reruns no hour, and the retirement scan's runs of the same fleets are reused.
_miner_parts: Memo[_MinerPart] = Memo(24)


def _miner_part(
    project: Project,
    strategy: Strategy,
    ctx: MarketContext,
    catalog: Catalog,
    curtail: bool,
    called: np.ndarray | None,
) -> _MinerPart:
    energy = project.site.energy
    miners = tuple(b for b in strategy.blocks if mines(b))
    if called is not None:  # the Monte Carlo's own calls: not kept
        return _run_miners(project, miners, ctx, catalog, curtail, called)
    key = (
        ctx,  # by identity: the prices, hashprice, DR and 4CP hours it holds
        energy.tnd_adder_usd_per_mwh,
        energy.fourcp_avoidance,
        _needs_load(project),
        project.site.demand_response,
        miners,
        tuple(catalog.asics[b.asic_model] for b in miners),
        curtail,
    )
    return _miner_parts.get(key, lambda: _run_miners(project, miners, ctx, catalog, curtail, None))


def _needs_load(project: Project) -> bool:
    """Whether the site's hourly load is needed: a fixed block's shortfall and excess, or the
    month's peak for a demand charge."""
    energy = project.site.energy
    return energy.contract == "fixed_block" or bool(energy.demand_charge_usd_per_kw_month)


def _run_miners(
    project: Project,
    miners: tuple[MiningBlock, ...],
    ctx: MarketContext,
    catalog: Catalog,
    curtail: bool,
    called: np.ndarray | None,
) -> _MinerPart:
    """Run the miners hour by hour and sum their months (DR calls cut the least valuable)."""
    tl, price = ctx.tl, ctx.price
    energy = project.site.energy
    var_cost = ctx.var_cost(energy.tnd_adder_usd_per_mwh)
    zeros = np.zeros(tl.n_months)
    sums: MonthlySums = {k: zeros.copy() for k in BLOCK_SUMS}
    mining = miner_runs(miners, ctx, catalog, var_cost, curtail, energy.fourcp_avoidance)

    # Demand response: enrolled MW limited to the flexible capacity present in the month (own
    # fleets and curtailable hosting); the site keeps the income its own fleets earn first.
    dr = project.site.demand_response
    flexible = [mb for mb in mining if miner_kind(mb.block).takes_dr(mb.block)]
    cap_month = zeros.copy()
    for mb in flexible:
        cap_month += mb.facility_mw * (mb.active_hours > 0)
    enrolled_month = np.minimum(dr.enrolled_mw, cap_month)
    if flexible and dr.enrolled_mw > 0 and ctx.dr_event.any():
        if called is None and dr.events_on == "highest_load":
            called = load_called_hours(flexible, ctx)
        apply_dr_events(flexible, ctx, enrolled_month, called)
    kept = [mb for mb in flexible if miner_kind(mb.block).keeps_dr_income(mb.block)]
    dr_capacity = dr_capacity_usd(kept, tl, enrolled_month, dr.capacity_usd_per_mw_month)

    load = np.zeros(tl.n_hours) if _needs_load(project) else None
    peaks = ctx.fourcp_peak
    peak_load = np.zeros(peaks.size)
    mining_mwh, curtailed_mwh = zeros.copy(), zeros.copy()
    index_cost = zeros.copy()
    keys: dict[str, None] = {}  # chart keys taken, in block order
    hourly: list[tuple[str, MinerRun]] = []
    for i, mb in enumerate(mining):
        running_h = month_sums(tl, mb.frac, mb.first, mb.stop)
        miner_kind(mb.block).add_months(mb, ctx, var_cost, running_h, sums)
        index_cost += (
            month_sums(tl, mb.frac * price[mb.first : mb.stop], mb.first, mb.stop) * mb.facility_mw
        )
        mining_mwh += running_h * mb.facility_mw
        curtailed_mwh += (mb.active_hours - running_h) * mb.facility_mw
        inside = (peaks >= mb.first) & (peaks < mb.stop)
        peak_load[inside] += mb.frac[peaks[inside] - mb.first] * mb.facility_mw
        if load is not None:
            load[mb.first : mb.stop] += mb.frac * mb.facility_mw
        hourly.append((_key(mb.block.name, i, keys), mb))
        mb.frac.flags.writeable = False  # kept, and read by every result that holds it
        mb.revenue_full.flags.writeable = False
    part = _MinerPart(
        sums, dr_capacity, index_cost, mining_mwh, curtailed_mwh, peak_load, load, tuple(hourly)
    )
    for a in (*sums.values(), dr_capacity, index_cost, mining_mwh, curtailed_mwh, peak_load):
        a.flags.writeable = False
    if load is not None:
        load.flags.writeable = False
    return part


def simulate_strategy(
    project: Project,
    strategy: Strategy,
    ctx: MarketContext,
    catalog: Catalog,
    curtail: bool = True,
    called: np.ndarray | None = None,
) -> EnergyResult:
    """The strategy's hours and their monthly sums. ``called`` holds the DR-called hours (as
    ``called_hours`` chose them on other prices: the Monte Carlo keeps a strategy's calls
    where its own inputs put them); by default they are chosen here. The miners' hours are
    kept for the inputs they read (``_miner_part``); the AI blocks' firm load is added here."""
    tl, price = ctx.tl, ctx.price
    energy = project.site.energy
    adder = energy.tnd_adder_usd_per_mwh
    n_m = tl.n_months
    life_m = gpu_life_months(project)
    hours_month = tl.hours_in_month.astype(float)
    part = _miner_part(project, strategy, ctx, catalog, curtail, called)
    # Copies: the AI blocks add to them, and the part is kept.
    sums = {k: v.copy() for k, v in part.sums.items()}
    index_cost, peak_load = part.index_cost.copy(), part.peak_load.copy()
    load = None if part.load is None else part.load.copy()
    peaks = ctx.fourcp_peak
    keys: dict[str, None] = dict.fromkeys(k for k, _ in part.hourly)
    hourly_ai: list[tuple[str, int, float]] = []

    ai_mwh = np.zeros(n_m)
    price_month = ctx.price_month
    block_revenue: dict[int, np.ndarray] = {}
    ai_blocks = [(j, b) for j, b in enumerate(strategy.blocks) if is_ai(b)]
    for i, (j, block) in enumerate(ai_blocks):
        kind = ai_kind(block)
        live_from, _ = kind.operating_months(block, n_m)
        share = kind.in_place(block, n_m, life_m)  # lease and renewal, GPU run-off
        years_live = kind.years_live(block, n_m)
        mw = kind.load_mw(block, catalog)
        first = int(tl.month_first_hour[live_from])
        ai_mwh += share * hours_month * mw
        index_cost += share * price_month * mw
        at_peaks = (peaks >= first) * mw * share[tl.hour_month[peaks]]
        peak_load += at_peaks
        if load is not None:
            load[first:] += mw * np.repeat(share, tl.hours_in_month)[first:]
        block_revenue[j] = kind.revenue(block, catalog, share, hours_month, years_live)
        sums[kind.revenue_column] += block_revenue[j]
        kind.add_recharge(block, ctx, energy, share, mw, at_peaks, sums)
        hourly_ai.append((_key(block.name, i, keys), first, mw))

    energy_mwh = part.mining_mwh + ai_mwh
    if energy.contract == "fixed_block" and energy.fixed_block_mw > 0:
        assert load is not None
        b = energy.fixed_block_mw
        energy_cost = b * hours_month * energy.fixed_price_usd_per_mwh + tl.month_sum(
            np.maximum(load - b, 0.0) * price
        )
        credits = tl.month_sum(np.maximum(b - load, 0.0) * price)
    else:
        energy_cost, credits = index_cost, np.zeros(n_m)
    if adder:
        energy_cost = energy_cost + energy_mwh * adder
    if energy.demand_charge_usd_per_kw_month:
        assert load is not None
        demand = tl.month_max(load) * 1e3 * energy.demand_charge_usd_per_kw_month
    else:
        demand = np.zeros(n_m)
    fourcp = fourcp_charge(peak_load, ctx, energy.fourcp_usd_per_kw_year)

    return EnergyResult(
        sums["revenue_mining_usd"],
        sums["revenue_colocation_usd"],
        sums["revenue_gpu_cloud_usd"],
        sums["revenue_hosting_usd"],
        sums["power_passthrough_usd"],
        part.dr_capacity.copy(),
        credits,
        energy_cost,
        demand,
        fourcp,
        energy_mwh,
        part.mining_mwh.copy(),
        part.curtailed_mwh.copy(),
        sums["hashrate_ph"],
        HourlyLoads(adder, part.hourly, tuple(hourly_ai)),
        peak_load,
        block_revenue,
    )


def called_hours(
    project: Project, strategy: Strategy, ctx: MarketContext, catalog: Catalog
) -> np.ndarray:
    """The DR-called hours of one strategy: the year's highest-price hours, or with
    ``events_on = "highest_load"`` where its fleets would run (``demand.load_called_hours``)."""
    dr = project.site.demand_response
    if dr.events_on != "highest_load" or not ctx.dr_event.any():
        return ctx.dr_hours
    energy = project.site.energy
    var_cost = ctx.var_cost(energy.tnd_adder_usd_per_mwh)
    runs = miner_runs(strategy.blocks, ctx, catalog, var_cost, True, energy.fourcp_avoidance)
    return load_called_hours([mb for mb in runs if miner_kind(mb.block).takes_dr(mb.block)], ctx)


def miner_runs(
    blocks: Iterable[Block],
    ctx: MarketContext,
    catalog: Catalog,
    var_cost: np.ndarray,
    curtail: bool,
    avoid_4cp: bool,
) -> list[MinerRun]:
    """The runs of the miners among ``blocks``, own fleets and hosted racks, in block order."""
    return [
        miner_kind(b).run(b, ctx, catalog, var_cost, curtail, avoid_4cp) for b in blocks if mines(b)
    ]


def _key(name: str, i: int, taken: dict[str, None]) -> str:
    """A block's chart key: its name, or with its place among its kind if the name is taken."""
    key = name if name not in taken else f"{name} ({i + 1})"
    taken[key] = None
    return key
