"""Demand response and 4CP on one strategy's hours: called hours cut the blocks least
valuable in that hour first, capacity income is earned on the load that could be shed, and 4CP is
each year's load in its summer peaks, billed over the following year."""

from __future__ import annotations

import numpy as np

from core.engine.blocks.base import MinerRun
from core.engine.market.context import MarketContext
from core.engine.market.timeline import Timeline, month_sums


def dr_capacity_usd(
    mining: list[MinerRun], tl: Timeline, enrolled_month: np.ndarray, usd_per_mw_month: float
) -> np.ndarray:
    """Capacity income earned hour by hour on the MW that could be shed: min(enrolled MW,
    mining load running that hour at the meter), as ERCOT pays a controllable load resource
    only while it consumes. A fleet that is off, curtailed, retired or not yet installed earns
    nothing; called hours count the load still running under the call. USD per month: the
    rate × the month's available MWh ÷ its hours (pro rata)."""
    lo = min((mb.first for mb in mining), default=0)
    hi = max((mb.stop for mb in mining), default=0)
    if hi <= lo or not usd_per_mw_month or not enrolled_month.any():
        return np.zeros(tl.n_months)
    running = np.zeros(hi - lo)  # over the hours any block is active only
    for mb in mining:
        running[mb.first - lo : mb.stop - lo] += mb.frac * mb.facility_mw
    limit = np.repeat(enrolled_month, tl.hours_in_month)[lo:hi]
    available = np.minimum(running, limit, out=running)
    return month_sums(tl, available, lo, hi) / tl.hours_in_month * usd_per_mw_month


def load_called_hours(mining: list[MinerRun], ctx: MarketContext) -> np.ndarray:
    """Called hours that fall where the fleets would run (``events_on = "highest_load"``):
    each month takes as many calls as the price rule puts in it (the year's highest-price
    hours, which depend on prices only); within the month they go to the hours with the most
    mining load running before any call, ties to the higher price, then to the earlier hour.
    Decided month by month, so a fleet retired at a month changes no earlier call."""
    tl, price = ctx.tl, ctx.price
    calls = np.bincount(tl.hour_month[ctx.dr_hours], minlength=tl.n_months)
    load = np.zeros(tl.n_hours)
    for mb in mining:
        load[mb.first : mb.stop] += mb.frac * mb.facility_mw
    load = np.round(load, 9)  # MW equal to a nanowatt are equal, on every CPU
    out = []
    for m in np.flatnonzero(calls):
        a, b = int(tl.month_first_hour[m]), int(tl.month_first_hour[m + 1])
        order = np.lexsort((np.arange(b - a), -price[a:b], -load[a:b]))
        out.append(a + np.sort(order[: calls[m]]))
    return np.concatenate(out) if out else np.empty(0, dtype=np.int64)


def apply_dr_events(
    mining: list[MinerRun],
    ctx: MarketContext,
    enrolled_month: np.ndarray,
    hours: np.ndarray | None = None,
) -> None:
    """In called hours (``hours``, sorted; the context's price-rule hours by default), cut
    running mining load to (capacity − enrolled): the blocks worth the most in that hour keep
    running up to capacity − enrolled, so the least valuable are cut first. Each hour is
    decided on its own values (``keep_order``), so a fleet's later retirement never changes
    an earlier call."""
    blocks = [mb for mb in mining if mb.facility_mw > 0 and mb.stop > mb.first]
    if not blocks:
        return
    hours = ctx.dr_hours if hours is None else hours
    month = ctx.tl.hour_month[hours]
    value = np.full((len(blocks), hours.size), -np.inf)  # USD per MWh at full run
    run_mw = np.zeros((len(blocks), hours.size))
    capacity = np.zeros(hours.size)
    for i, mb in enumerate(blocks):
        inside = (hours >= mb.first) & (hours < mb.stop)
        idx = hours[inside] - mb.first
        value[i, inside] = mb.revenue_full[idx] / mb.facility_mw
        run_mw[i, inside] = mb.frac[idx] * mb.facility_mw
        capacity[inside] += mb.facility_mw
    remaining = np.maximum(capacity - enrolled_month[month], 0.0)
    cols = np.arange(hours.size)
    for i in keep_order(value):  # (K, H): the block kept q-th in each hour
        kept_mw = np.minimum(run_mw[i, cols], remaining)
        remaining -= kept_mw
        run_mw[i, cols] = kept_mw
    for i, mb in enumerate(blocks):
        inside = (hours >= mb.first) & (hours < mb.stop)
        idx = hours[inside] - mb.first
        cut = run_mw[i, inside] < mb.frac[idx] * mb.facility_mw
        mb.frac[idx[cut]] = run_mw[i, inside][cut] / mb.facility_mw


def keep_order(value: np.ndarray) -> np.ndarray:
    """(K, ...) → (K, ...): in each column, the rows from most to least valuable. Values
    within a millionth of a dollar per MWh are equal, and the block listed first is kept
    first (a stable sort), so the order is the same on every CPU."""
    return np.argsort(-np.round(value, 6), axis=0, kind="stable")


def fourcp_peak_kw(peak_load_mw: np.ndarray, ctx: MarketContext) -> np.ndarray:
    """(..., n_years) each simulation year's average load in its summer peak hours, kW, from
    the load in each peak hour along the first axis (…: paths or candidates, if any)."""
    tl = ctx.tl
    kw = np.zeros((*peak_load_mw.shape[1:], tl.n_years))
    if ctx.fourcp_peak.size == 0:
        return kw
    years, first, count = ctx.fourcp_years
    sums = np.add.reduceat(peak_load_mw, first, axis=0)
    average = sums / count.reshape((-1,) + (1,) * (sums.ndim - 1))
    kw[..., years] = average.transpose((*range(1, sums.ndim), 0))  # years to the last axis
    return kw * 1e3


def fourcp_bill(kw: np.ndarray, n_months: int, usd_per_kw_year: float) -> np.ndarray:
    """4CP charges by month from each year's peak kW (…, n_years): ERCOT bills a year's
    transmission charge over the year after the summer that set it, in twelve equal parts.
    The first year, whose previous summer the model does not have, is billed on its own."""
    source = np.maximum(np.arange(n_months) // 12 - 1, 0)  # the year whose peaks bill month m
    return kw[..., source] * (usd_per_kw_year / 12)


def fourcp_charge(
    peak_load_mw: np.ndarray, ctx: MarketContext, usd_per_kw_year: float
) -> np.ndarray:
    """4CP: each simulation year's average load in its four summer peak hours × $/kW-year,
    billed over the following year (``fourcp_bill``)."""
    if not usd_per_kw_year or ctx.fourcp_peak.size == 0:
        return np.zeros(ctx.tl.n_months)
    return fourcp_bill(fourcp_peak_kw(peak_load_mw, ctx), ctx.tl.n_months, usd_per_kw_year)
