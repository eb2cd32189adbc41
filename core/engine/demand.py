"""Demand response and 4CP on one strategy's hours: called hours cut the least valuable
running blocks first, capacity income is earned on the load that could be shed, and 4CP is
each year's load in its summer peaks, billed over the following year."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from core.engine.timeline import Timeline, month_sums

if TYPE_CHECKING:
    from core.engine.energy import MarketContext, _Mining


def dr_capacity_usd(
    mining: list[_Mining], tl: Timeline, enrolled_month: np.ndarray, usd_per_mw_month: float
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


def apply_dr_events(mining: list[_Mining], ctx: MarketContext, enrolled_month: np.ndarray) -> None:
    """In called hours, cut running mining load to (capacity − enrolled), least valuable first."""
    hours = np.flatnonzero(ctx.dr_event)
    month = ctx.tl.hour_month[hours]
    capacity = np.zeros(hours.size)
    running = np.zeros(hours.size)
    for mb in mining:
        inside = (hours >= mb.first) & (hours < mb.stop)
        capacity[inside] += mb.facility_mw
        running[inside] += mb.frac[hours[inside] - mb.first] * mb.facility_mw
    excess = np.maximum(running - (capacity - enrolled_month[month]), 0.0)
    # Least valuable per MWh first: revenue per MWh at full run, averaged over the block's life.
    order = sorted(
        (mb for mb in mining if mb.facility_mw > 0 and mb.stop > mb.first),
        key=lambda mb: mb.revenue_full.mean() / mb.facility_mw,
    )
    for mb in order:
        inside = (hours >= mb.first) & (hours < mb.stop)
        idx = hours[inside] - mb.first
        run_mw = mb.frac[idx] * mb.facility_mw
        cut = np.minimum(excess[inside], run_mw)
        mb.frac[idx] = (run_mw - cut) / mb.facility_mw
        excess[inside] -= cut


def fourcp_peak_kw(peak_load_mw: np.ndarray, ctx: MarketContext) -> np.ndarray:
    """(..., n_years) each simulation year's average load in its summer peak hours, kW, from
    the load in each peak hour along the first axis (…: paths or candidates, if any)."""
    tl = ctx.tl
    kw = np.zeros((*peak_load_mw.shape[1:], tl.n_years))
    if ctx.fourcp_peak.size == 0:
        return kw
    # The peaks are in time order, so each year's are one run: sum each run at once.
    years, first, count = np.unique(
        tl.hour_sim_year[ctx.fourcp_peak], return_index=True, return_counts=True
    )
    sums = np.add.reduceat(peak_load_mw, first, axis=0)
    kw[..., years] = np.moveaxis(sums / count.reshape((-1,) + (1,) * (sums.ndim - 1)), 0, -1)
    return kw * 1e3


def fourcp_bill(kw: np.ndarray, n_months: int, usd_per_kw_year: float) -> np.ndarray:
    """4CP charges by month from each year's peak kW (…, n_years): ERCOT bills a year's
    transmission charge over the year after the summer that set it, in twelve equal parts.
    The first year, whose previous summer the model does not have, is billed on its own."""
    out = np.zeros((*kw.shape[:-1], n_months))
    monthly = kw * usd_per_kw_year / 12
    for y in range(n_months // 12):
        source = max(y - 1, 0)
        out[..., y * 12 : (y + 1) * 12] = monthly[..., source : source + 1]
    return out


def fourcp_charge(
    peak_load_mw: np.ndarray, ctx: MarketContext, usd_per_kw_year: float
) -> np.ndarray:
    """4CP: each simulation year's average load in its four summer peak hours × $/kW-year,
    billed over the following year (``fourcp_bill``)."""
    if not usd_per_kw_year or ctx.fourcp_peak.size == 0:
        return np.zeros(ctx.tl.n_months)
    return fourcp_bill(fourcp_peak_kw(peak_load_mw, ctx), ctx.tl.n_months, usd_per_kw_year)
