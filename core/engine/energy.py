"""Hourly energy simulation of one strategy: mining curtailment, DR events, 4CP, contract costs.

Mining load is flexible: a block runs in an hour only when its revenue per MWh covers the hour's
price plus the T&D adder, it is not inside a 4CP avoidance window (when enabled), and the site's
enrolled demand-response MW are not called. AI load is firm: it runs every live hour.
Results are summed into months; the hours behind them stay in ``HourlyLoads`` (for the hourly
chart), as references to arrays the simulation made anyway.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from core.engine.bitcoin import hourly_hashprice
from core.engine.demand import (
    apply_dr_events,
    dr_capacity_usd,
    fourcp_charge,
    load_called_hours,
)
from core.engine.exact import powers
from core.engine.hosting import hosting_months, keeps_dr_income, make_hosted, takes_dr
from core.engine.prices import hourly_prices
from core.engine.ranking import peak_hour, top_k_hours
from core.engine.timeline import Timeline, build_timeline, month_sums
from core.model.catalog import Catalog
from core.model.project import AiBlock, Energy, HostingBlock, MiningBlock, Project, Strategy

SUMMER_MONTHS = (6, 7, 8, 9)  # ERCOT's four coincident-peak months


@dataclass(frozen=True, eq=False)
class MarketContext:
    """Everything hourly that does not depend on the strategy, computed once per input state."""

    tl: Timeline
    price: np.ndarray  # $/MWh, escalated
    hashprice: np.ndarray  # USD per PH/s per day
    dr_event: np.ndarray  # bool: DR called (highest-price hours of each simulation year)
    fourcp_peak: np.ndarray  # int: the coincident-peak hour of each summer month in the grid
    fourcp_avoid: np.ndarray  # bool: hours a flexible load sits out to dodge the 4CP peak

    # Derived once per context (a context made with dataclasses.replace derives its own).
    @cached_property
    def dr_hours(self) -> np.ndarray:
        """The called hours, in time order."""
        return np.flatnonzero(self.dr_event)

    @cached_property
    def fourcp_years(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(simulation years that have peaks, index of each one's first peak, its count): the
        peaks are in time order, so each year's are one run."""
        return np.unique(
            self.tl.hour_sim_year[self.fourcp_peak], return_index=True, return_counts=True
        )

    @cached_property
    def monthly_hashprice(self) -> np.ndarray:
        """Each month's average hashprice, USD per PH/s per day (read-only: every strategy's
        table holds this one array)."""
        out = self.tl.month_sum(self.hashprice) / self.tl.hours_in_month
        out.flags.writeable = False
        return out

    @cached_property
    def price_month(self) -> np.ndarray:
        """Each month's sum of hourly prices, USD/MWh × hours (read-only)."""
        out = self.tl.month_sum(self.price)
        out.flags.writeable = False
        return out

    def var_cost(self, adder: float) -> np.ndarray:
        """Price + T&D adder per hour, USD/MWh (the price itself when there is no adder)."""
        if not adder:
            return self.price
        memo = self.__dict__.setdefault("_var_cost", {})
        if adder not in memo:
            memo[adder] = self.price + adder
            memo[adder].flags.writeable = False
        return memo[adder]


def market_context(
    project: Project, price_shift_usd_per_mwh: float = 0.0, btc_price_scale: float = 1.0
) -> MarketContext:
    tl, price, dr_event, peaks, avoid = _price_hours(project, price_shift_usd_per_mwh)
    hashprice = hourly_hashprice(project.market, tl, btc_price_scale)
    return MarketContext(tl, price, hashprice, dr_event, peaks, avoid)


# The hours that depend on prices only are kept for the last few price inputs: an edit of
# anything else (BTC price, a fleet, a lease) reuses them. Keys compare by value; the arrays
# are read-only, so no caller can change what another reads.
_PRICE_CACHE_SIZE = 4
_price_cache: list[tuple[tuple, tuple]] = []
_price_lock = threading.Lock()


def _price_hours(project: Project, shift: float) -> tuple:
    """(timeline, price, DR-called hours, 4CP peak hours, 4CP avoidance hours)."""
    energy, dr = project.site.energy, project.site.demand_response
    called = dr.event_hours_per_year if dr.enrolled_mw > 0 else 0
    key = (energy, called, project.finance.start_month, project.finance.horizon_years, shift)
    with _price_lock:
        for k, hours in _price_cache:
            if k == key:
                return hours
    hours = compute_price_hours(energy, called, build_timeline(*key[2:4]), shift)
    for a in hours[1:]:
        a.flags.writeable = False
    with _price_lock:
        _price_cache.insert(0, (key, hours))
        del _price_cache[_PRICE_CACHE_SIZE:]
    return hours


def compute_price_hours(energy: Energy, called: int, tl: Timeline, shift: float) -> tuple:
    """(timeline, price, DR-called hours, 4CP peak hours, 4CP avoidance hours) with ``called``
    calls a simulation year, not cached (``_price_hours`` keeps the last few; the workbook's
    Prices sheet asks for the calls whether or not MW are enrolled)."""
    price = hourly_prices(energy, tl, shift)
    # Rankings use the price itself; a uniform shift or a positive yearly factor keeps them.
    # Ties (a flat or time-of-use price is all ties) go to the earliest hour (core.engine.ranking).
    dr_event = np.zeros(tl.n_hours, dtype=bool)
    if called:
        bounds = tl.year_first_hour
        for y in range(tl.n_years):
            seg = price[bounds[y] : bounds[y + 1]]
            dr_event[bounds[y] + top_k_hours(seg, called)] = True
    peaks, avoid = [], np.zeros(tl.n_hours, dtype=bool)
    n_avoid = energy.fourcp_avoid_hours_per_month
    for m in np.flatnonzero(np.isin(tl.month_of_year, SUMMER_MONTHS)):
        a, b = tl.month_first_hour[m], tl.month_first_hour[m + 1]
        seg = price[a:b]
        peak = a + peak_hour(seg)
        peaks.append(peak)
        if energy.fourcp_avoidance:
            # The earliest-hour rule puts the peak (the earliest highest hour) in the window.
            avoid[a + top_k_hours(seg, n_avoid)] = True
    return tl, price, dr_event, np.asarray(peaks, dtype=int), avoid


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


@dataclass(eq=False)
class _Mining:
    block: MiningBlock
    facility_mw: float
    ths: float
    first: int  # first and last-plus-one hour of the block's active run
    stop: int
    active_hours: np.ndarray  # hours in the active run, per month
    revenue_full: np.ndarray  # USD per hour over [first, stop) if it ran all hour
    frac: np.ndarray  # share of the block running in each hour of [first, stop)


@dataclass(frozen=True, eq=False)
class HourlyLoads:
    """The hours behind a strategy's monthly sums, kept so the hourly chart needs no second
    simulation: each mining block's running share and full-run revenue over its active hours
    (arrays the simulation made anyway, held, not copied) and each AI block's constant load."""

    adder: float  # T&D adder, USD/MWh: a break-even is on the price before it
    mining: tuple[tuple[str, _Mining], ...]  # chart key, block run
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


def mining_block_power(block: MiningBlock, catalog: Catalog) -> tuple[float, float]:
    """(facility MW at the meter, fleet hashrate TH/s) of a mining block at full run."""
    asic = catalog.asics[block.asic_model]
    return block.asic_count * asic.power_w / 1e6 * block.pue, block.asic_count * asic.hashrate_ths


def ai_block_it_mw(block: AiBlock, catalog: Catalog) -> float:
    """Critical IT MW: contracted capacity (colocation) or servers × typical draw (GPU cloud)."""
    if block.business_model == "colocation":
        return block.it_mw
    return block.server_count * catalog.gpu_servers[block.gpu_server_model].typical_power_kw / 1e3


def ai_block_load_mw(block: AiBlock, catalog: Catalog) -> float:
    """Facility MW of a live AI block: IT load × PUE (colocation at the tenant's load factor)."""
    it = ai_block_it_mw(block, catalog)
    factor = block.it_load_factor_pct / 100 if block.business_model == "colocation" else 1.0
    return it * factor * block.pue


def ai_block_contracted_mw(block: AiBlock, catalog: Catalog) -> float:
    """The facility MW an AI block may draw at any hour: contracted IT MW (colocation) or its
    servers at maximum power (GPU cloud), × PUE."""
    if block.business_model == "colocation":
        return block.it_mw * block.pue
    server = catalog.gpu_servers[block.gpu_server_model]
    return block.server_count * server.max_power_kw / 1e3 * block.pue


def mining_end(block: MiningBlock, n_months: int) -> int:
    """The month a mining block stops: its end month, or its retirement month if earlier, or
    the horizon. ``retire="auto"`` counts as never here; ``core.engine.retirement`` chooses the
    month before a strategy is evaluated."""
    end = n_months if block.end_month is None else block.end_month
    if isinstance(block.retire, int):
        end = min(end, block.retire)
    return min(end, n_months)


def operating_months(block: MiningBlock | AiBlock, n_months: int) -> tuple[int, int]:
    """[first, end) months a block draws power and earns: a mining block from its start to its
    end or retirement (or the horizon); an AI block once its conversion is done."""
    if isinstance(block, MiningBlock):
        return min(block.start_month, n_months), max(
            mining_end(block, n_months), min(block.start_month, n_months)
        )
    return min(block.start_month + block.conversion_months, n_months), n_months


def gpu_life_months(project: Project) -> int:
    """The GPU servers' life: their depreciation life, in months."""
    return round(project.finance.depreciation_life_years.gpu * 12)


def gpu_refresh_months(block: AiBlock, n_months: int, life_months: int) -> list[int]:
    """Months at which a GPU-cloud block's servers reach the end of their life within the
    horizon (replaced, or run off at the first), from go-live; none for colocation, for
    "run_on", or for a block that never goes live."""
    live, _ = operating_months(block, n_months)
    if block.business_model != "gpu_cloud" or block.gpu_end_of_life == "run_on":
        return []
    if live >= n_months or life_months <= 0:
        return []
    months = list(range(live + life_months, n_months, life_months))
    return months[:1] if block.gpu_end_of_life == "run_off" else months


def ai_block_share(block: AiBlock, n_months: int, life_months: int) -> np.ndarray:
    """Per month, the share of an AI block in place: 1 while live and within its lease, the
    renewal probability after the lease, 0 before go-live and after GPU servers run off."""
    live, _ = operating_months(block, n_months)
    share = np.zeros(n_months)
    share[live:] = 1.0
    if block.business_model == "colocation" and block.lease_term_months is not None:
        share[live + block.lease_term_months :] = block.renewal_probability_pct / 100
    if block.business_model == "gpu_cloud" and block.gpu_end_of_life == "run_off":
        for end in gpu_refresh_months(block, n_months, life_months):
            share[end:] = 0.0
    return share


def colocation_rate(block: AiBlock, n_months: int) -> np.ndarray:
    """USD per kW-month by month: the contract rate escalated each lease year, and after the
    lease the renewal rate (escalated from the renewal on), or the escalated rate running on."""
    live, _ = operating_months(block, n_months)
    months = np.arange(n_months)
    growth = 1 + block.colo_escalator_pct_per_year / 100
    rate = block.colo_usd_per_kw_month * powers(growth, np.maximum((months - live) // 12, 0))
    term = block.lease_term_months
    if term is not None and block.renewal_usd_per_kw_month is not None:
        after = months >= live + term
        renewed = block.renewal_usd_per_kw_month * powers(growth, (months - live - term) // 12)
        rate = np.where(after, renewed, rate)
    return rate


def operating_mask(block: MiningBlock | AiBlock, n_months: int) -> np.ndarray:
    """True for each month the block operates (see operating_months)."""
    first, end = operating_months(block, n_months)
    mask = np.zeros(n_months, dtype=bool)
    mask[first:end] = True
    return mask


def _mining_run(
    block: MiningBlock,
    ctx: MarketContext,
    catalog: Catalog,
    var_cost: np.ndarray,
    curtail: bool,
    avoid_4cp: bool,
) -> _Mining:
    tl = ctx.tl
    facility_mw, ths = mining_block_power(block, catalog)
    _, end = operating_months(block, tl.n_months)
    first, stop = int(tl.month_first_hour[block.start_month]), int(tl.month_first_hour[end])
    scale = ths / 1e3 / 24 * (1 - block.pool_fee_pct / 100)
    revenue_full = ctx.hashprice[first:stop] * scale
    if block.derate_pct_per_year:
        months = np.arange(block.start_month, end)
        derate = powers(1 - block.derate_pct_per_year / 100, (months - block.start_month) // 12)
        revenue_full *= np.repeat(derate, tl.hours_in_month[block.start_month : end])
    if curtail and facility_mw > 0:
        run = var_cost[first:stop] * facility_mw <= revenue_full
    else:
        run = np.ones(stop - first, dtype=bool)
    if avoid_4cp:
        run &= ~ctx.fourcp_avoid[first:stop]
    active_h = np.zeros(tl.n_months)
    active_h[block.start_month : end] = tl.hours_in_month[block.start_month : end]
    return _Mining(block, facility_mw, ths, first, stop, active_h, revenue_full, run.astype(float))


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
    where its own inputs put them); by default they are chosen here."""
    tl, price = ctx.tl, ctx.price
    energy = project.site.energy
    adder = energy.tnd_adder_usd_per_mwh
    var_cost = ctx.var_cost(adder)
    n_m = tl.n_months
    life_m = gpu_life_months(project)
    zeros = np.zeros(n_m)
    hours_month = tl.hours_in_month.astype(float)

    mining = _miner_runs(strategy, ctx, catalog, var_cost, curtail, energy.fourcp_avoidance)

    # Demand response: enrolled MW limited to the flexible capacity present in the month (own
    # fleets and curtailable hosting); the site keeps the income its own fleets earn first.
    dr = project.site.demand_response
    flexible = [mb for mb in mining if takes_dr(mb)]
    cap_month = zeros.copy()
    for mb in flexible:
        cap_month += mb.facility_mw * (mb.active_hours > 0)
    enrolled_month = np.minimum(dr.enrolled_mw, cap_month)
    if flexible and dr.enrolled_mw > 0 and ctx.dr_event.any():
        if called is None and dr.events_on == "highest_load":
            called = load_called_hours(flexible, ctx)
        apply_dr_events(flexible, ctx, enrolled_month, called)
    kept = [mb for mb in flexible if keeps_dr_income(mb)]
    dr_capacity = dr_capacity_usd(kept, tl, enrolled_month, dr.capacity_usd_per_mw_month)

    need_load = energy.contract == "fixed_block" or bool(energy.demand_charge_usd_per_kw_month)
    load = np.zeros(tl.n_hours) if need_load else None
    peaks = ctx.fourcp_peak
    peak_load = np.zeros(peaks.size)
    revenue_mining, mining_mwh, curtailed_mwh, hashrate = (zeros.copy() for _ in range(4))
    hosting, passthrough = zeros.copy(), zeros.copy()
    index_cost = zeros.copy()  # Σ load × price, used by index contracts
    keys: dict[str, None] = {}  # chart keys taken, in block order
    hourly_mining: list[tuple[str, _Mining]] = []
    hourly_ai: list[tuple[str, int, float]] = []
    for i, mb in enumerate(mining):
        running_h = month_sums(tl, mb.frac, mb.first, mb.stop)
        if isinstance(mb.block, HostingBlock):  # the client's machines: the contract pays
            fee, recharge = hosting_months(mb, tl, var_cost)
            hosting += fee
            passthrough += recharge
        else:
            revenue_mining += month_sums(tl, mb.frac * mb.revenue_full, mb.first, mb.stop)
            hashrate += running_h / hours_month * mb.ths / 1e3
        index_cost += (
            month_sums(tl, mb.frac * price[mb.first : mb.stop], mb.first, mb.stop) * mb.facility_mw
        )
        mining_mwh += running_h * mb.facility_mw
        curtailed_mwh += (mb.active_hours - running_h) * mb.facility_mw
        inside = (peaks >= mb.first) & (peaks < mb.stop)
        peak_load[inside] += mb.frac[peaks[inside] - mb.first] * mb.facility_mw
        if load is not None:
            load[mb.first : mb.stop] += mb.frac * mb.facility_mw
        hourly_mining.append((_key(mb.block.name, i, keys), mb))

    colo, gpu, ai_mwh = (zeros.copy() for _ in range(3))
    months = np.arange(n_m)
    price_month = ctx.price_month
    var_month = price_month + adder * hours_month
    block_revenue: dict[int, np.ndarray] = {}
    ai_blocks = [(j, b) for j, b in enumerate(strategy.blocks) if isinstance(b, AiBlock)]
    for i, (j, block) in enumerate(ai_blocks):
        live_from, _ = operating_months(block, n_m)
        share = ai_block_share(block, n_m, life_m)  # lease and renewal, GPU run-off
        years_live = np.maximum((months - live_from) // 12, 0)
        mw = ai_block_load_mw(block, catalog)
        first = int(tl.month_first_hour[live_from])
        ai_mwh += share * hours_month * mw
        index_cost += share * price_month * mw
        at_peaks = (peaks >= first) * mw * share[tl.hour_month[peaks]]
        peak_load += at_peaks
        if load is not None:
            load[first:] += mw * np.repeat(share, tl.hours_in_month)[first:]
        if block.business_model == "colocation":
            rate = colocation_rate(block, n_m)
            block_revenue[j] = share * block.it_mw * 1e3 * rate
            colo += block_revenue[j]
            if block.power_passthrough:
                # Triple-net: the tenant pays its power and its grid charges, its demand
                # charge on its own (constant) load and its 4CP share by its load in the peaks.
                passthrough += share * var_month * mw
                passthrough += share * mw * 1e3 * energy.demand_charge_usd_per_kw_month
                passthrough += fourcp_charge(at_peaks, ctx, energy.fourcp_usd_per_kw_year)
        else:
            server = catalog.gpu_servers[block.gpu_server_model]
            decline = powers(1 - block.gpu_price_decline_pct_per_year / 100, years_live)
            block_revenue[j] = (
                share
                * block.server_count
                * server.gpus
                * hours_month
                * block.gpu_hour_usd
                * decline
                * block.utilisation_pct
                / 100
            )
            gpu += block_revenue[j]
        hourly_ai.append((_key(block.name, i, keys), first, mw))

    energy_mwh = mining_mwh + ai_mwh
    if energy.contract == "fixed_block" and energy.fixed_block_mw > 0:
        assert load is not None
        b = energy.fixed_block_mw
        energy_cost = b * hours_month * energy.fixed_price_usd_per_mwh + tl.month_sum(
            np.maximum(load - b, 0.0) * price
        )
        credits = tl.month_sum(np.maximum(b - load, 0.0) * price)
    else:
        energy_cost, credits = index_cost, zeros.copy()
    if adder:
        energy_cost = energy_cost + energy_mwh * adder
    if energy.demand_charge_usd_per_kw_month:
        assert load is not None
        demand = tl.month_max(load) * 1e3 * energy.demand_charge_usd_per_kw_month
    else:
        demand = zeros.copy()
    fourcp = fourcp_charge(peak_load, ctx, energy.fourcp_usd_per_kw_year)

    return EnergyResult(
        revenue_mining,
        colo,
        gpu,
        hosting,
        passthrough,
        dr_capacity,
        credits,
        energy_cost,
        demand,
        fourcp,
        energy_mwh,
        mining_mwh,
        curtailed_mwh,
        hashrate,
        HourlyLoads(adder, tuple(hourly_mining), tuple(hourly_ai)),
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
    runs = _miner_runs(strategy, ctx, catalog, var_cost, True, energy.fourcp_avoidance)
    return load_called_hours([mb for mb in runs if takes_dr(mb)], ctx)


def _miner_runs(
    strategy: Strategy,
    ctx: MarketContext,
    catalog: Catalog,
    var_cost: np.ndarray,
    curtail: bool,
    avoid_4cp: bool,
) -> list[_Mining]:
    """The runs of a strategy's miners, own fleets and hosted racks, in block order."""
    runs = []
    for b in strategy.blocks:
        if isinstance(b, HostingBlock):
            run = _mining_run(b, ctx, catalog, var_cost, False, False)
            make_hosted(run, var_cost, curtail, ctx.fourcp_avoid if avoid_4cp else None)
        elif isinstance(b, MiningBlock):
            run = _mining_run(b, ctx, catalog, var_cost, curtail, avoid_4cp)
        else:
            continue
        runs.append(run)
    return runs


def _key(name: str, i: int, taken: dict[str, None]) -> str:
    """A block's chart key: its name, or with its place among its kind if the name is taken."""
    key = name if name not in taken else f"{name} ({i + 1})"
    taken[key] = None
    return key
