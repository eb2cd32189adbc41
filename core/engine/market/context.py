"""The market every strategy of a project shares, hour by hour: prices, hashprice, the hours
demand response is called and the 4CP peaks, computed once per input state."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from core.engine.market.bitcoin import hourly_hashprice, hourly_subsidy
from core.engine.market.memo import Memo
from core.engine.market.prices import hourly_prices
from core.engine.market.ranking import peak_hour, top_k_hours
from core.engine.market.timeline import Timeline, build_timeline
from core.model.project import Energy, Market, Project

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
    market: Market | None = None  # the Bitcoin market it was made from (for the months after)
    btc_price_scale: float = 1.0

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
    def hashprice_ahead(self) -> np.ndarray:
        """The average hashprice of each of the 12 months after the horizon: the last month's,
        carried along the market's own projection (BTC price path, difficulty growth, halvings
        at the block time). What a buyer of used miners sold near the horizon end looks ahead
        to (read-only). A context whose hashprice was scaled (a Monte Carlo path) continues
        from its own last month."""
        projected, _, end = self.months_after
        last = float(self.monthly_hashprice[-1])
        out = projected * (last / end) if end > 0 else projected.copy()
        out.flags.writeable = False
        return out

    @cached_property
    def months_after(self) -> tuple[np.ndarray, np.ndarray, float]:
        """The market's own projection of the 12 months after the horizon: (average hashprice,
        average subsidy in BTC per block over the hours, both read-only, as the workbook
        writes them; and the projection's hashprice of the horizon's last month)."""
        assert self.market is not None, "a context made by market_context"
        n = self.tl.n_months
        longer = build_timeline(f"{self.tl.start:%Y-%m}", n // 12 + 1)
        hourly = hourly_hashprice(self.market, longer, self.btc_price_scale)
        hashprice = longer.month_sum(hourly) / longer.hours_in_month
        subsidy = longer.month_sum(hourly_subsidy(self.market, longer)) / longer.hours_in_month
        after, sub = hashprice[n:], subsidy[n:]
        after.flags.writeable = sub.flags.writeable = False
        return after, sub, float(hashprice[n - 1])

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
    """The project's market, hour by hour. Kept for the last few market inputs (prices, DR
    hours, timeline, the Bitcoin market, the shifts): an edit of anything else (a fleet, a
    lease, a loan) gets the same context back, and whatever was kept on it stays valid."""
    key = (
        _price_key(project, price_shift_usd_per_mwh),
        project.market,
        btc_price_scale,
    )

    def make() -> MarketContext:
        tl, price, dr_event, peaks, avoid = _price_hours(project, price_shift_usd_per_mwh)
        hashprice = hourly_hashprice(project.market, tl, btc_price_scale)
        hashprice.flags.writeable = False
        return MarketContext(
            tl, price, hashprice, dr_event, peaks, avoid, project.market, btc_price_scale
        )

    return _contexts.get(key, make)


# The hours that depend on prices only are kept for the last few price inputs: an edit of
# anything else (BTC price, a fleet, a lease) reuses them. Keys compare by value; the arrays
# are read-only, so no caller can change what another reads.
_price_memo: Memo[tuple] = Memo(4)
_contexts: Memo[MarketContext] = Memo(6)


def _price_key(project: Project, shift: float) -> tuple:
    """What the price hours read: the energy inputs, the DR calls a year, the timeline."""
    energy, dr = project.site.energy, project.site.demand_response
    called = dr.event_hours_per_year if dr.enrolled_mw > 0 else 0
    return (energy, called, project.finance.start_month, project.finance.horizon_years, shift)


def _price_hours(project: Project, shift: float) -> tuple:
    """(timeline, price, DR-called hours, 4CP peak hours, 4CP avoidance hours)."""
    key = _price_key(project, shift)

    def make() -> tuple:
        hours = compute_price_hours(key[0], key[1], build_timeline(*key[2:4]), shift)
        for a in hours[1:]:
            a.flags.writeable = False
        return hours

    return _price_memo.get(key, make)


def compute_price_hours(energy: Energy, called: int, tl: Timeline, shift: float) -> tuple:
    """(timeline, price, DR-called hours, 4CP peak hours, 4CP avoidance hours) with ``called``
    calls a simulation year, not cached (``_price_hours`` keeps the last few; the workbook's
    Prices sheet asks for the calls whether or not MW are enrolled)."""
    price = hourly_prices(energy, tl, shift)
    # Rankings use the price itself; a uniform shift or a positive yearly factor keeps them.
    # Ties (a flat or time-of-use price is all ties) go to the earliest hour
    # (core.engine.market.ranking).
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
