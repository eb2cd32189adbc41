"""Hourly wholesale price over the horizon from a flat, time-of-use or imported source."""

from __future__ import annotations

import calendar

import numpy as np

from core.engine.market.exact import power_table
from core.engine.market.timeline import Timeline
from core.model.project import Energy, FlatPrice, HourlySeriesPrice, ScarcitySpikes, TimeOfUsePrice


def hourly_prices(energy: Energy, tl: Timeline, shift_usd_per_mwh: float = 0.0) -> np.ndarray:
    """$/MWh for every hour of the timeline (a new array), escalated yearly by simulation year.

    ``shift_usd_per_mwh`` moves every hour's base price (before escalation) by the same amount;
    the break-even power price solves for it.
    """
    src = energy.price_source
    if isinstance(src, FlatPrice):
        base = np.full(tl.n_hours, src.price_usd_per_mwh)
    elif isinstance(src, TimeOfUsePrice):
        matrix = np.asarray(src.matrix_usd_per_mwh, dtype=float)
        base = matrix[tl.day_month_of_year - 1].ravel()  # one 24-hour row per day
    else:
        base = series_over_timeline(src, tl)
    if not isinstance(src, HourlySeriesPrice) and src.spikes.hours_per_year > 0:
        base[spike_hours(src.spikes, tl)] = src.spikes.price_usd_per_mwh
    if shift_usd_per_mwh:
        base += shift_usd_per_mwh
    if energy.escalator_pct_per_year:
        growth = power_table(1.0 + energy.escalator_pct_per_year / 100.0, tl.n_years)
        bounds = tl.year_first_hour
        for y in range(1, tl.n_years):
            base[bounds[y] : bounds[y + 1]] *= growth[y]
    return base


def spike_hours(spikes: ScarcitySpikes, tl: Timeline) -> np.ndarray:
    """Seeded scarcity hours: summer (Jun–Sep) late afternoons, 15:00–20:00, each year."""
    rng = np.random.default_rng(spikes.seed)
    candidates = tl.summer_afternoons
    years = tl.hour_sim_year[candidates]
    chosen = []
    for y in range(tl.n_years):
        pool = candidates[years == y]
        k = min(spikes.hours_per_year, pool.size)
        if k:
            chosen.append(rng.choice(pool, size=k, replace=False))
    return np.concatenate(chosen) if chosen else np.empty(0, dtype=int)


def series_over_timeline(src: HourlySeriesPrice, tl: Timeline) -> np.ndarray:
    """Lay the imported years over the horizon, cycling through them in order.

    Calendar year Y of the horizon takes source year (Y − first horizon year) mod n. A month
    whose length differs (February in a leap year) is trimmed or padded with its last day.
    """
    years = [np.asarray(y, dtype=float) for y in src.years_usd_per_mwh]
    out = np.empty(tl.n_hours)
    first_horizon_year = int(tl.month_year[0])
    for m in range(tl.n_months):
        year, moy = int(tl.month_year[m]), int(tl.month_of_year[m])
        k = (year - first_horizon_year) % len(years)
        src_year = years[k]
        leap = src_year.size == 8784
        start = sum(calendar.monthrange(2024 if leap else 2023, i)[1] for i in range(1, moy)) * 24
        length = calendar.monthrange(2024 if leap else 2023, moy)[1] * 24
        chunk = src_year[start : start + length]
        need = int(tl.hours_in_month[m])
        if chunk.size > need:
            chunk = chunk[:need]
        elif chunk.size < need:
            chunk = np.concatenate([chunk, chunk[-24:][: need - chunk.size]])
        out[tl.month_first_hour[m] : tl.month_first_hour[m + 1]] = chunk
    return out
