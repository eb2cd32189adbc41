"""Bitcoin network economics: subsidy and halvings, hashprice, BTC price and difficulty paths."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np

from core.engine.market.exact import power_table
from core.engine.market.timeline import Timeline
from core.model.project import Market

HALVING_INTERVAL_BLOCKS = 210_000
BLOCK_TIME_S = 600  # the protocol's target: what difficulty assumes
INITIAL_SUBSIDY_BTC = 50.0
TWO_32 = 2.0**32
SECONDS_PER_DAY = 86_400


def subsidy_at_height(height: int) -> float:
    """Block subsidy in BTC: 50 halved once every 210,000 blocks."""
    return INITIAL_SUBSIDY_BTC / 2 ** (height // HALVING_INTERVAL_BLOCKS)


def hashprice_usd_per_ph_day(
    btc_price_usd: float | np.ndarray,
    difficulty: float | np.ndarray,
    subsidy_btc: float | np.ndarray,
    fees_btc_per_block: float | np.ndarray,
) -> float | np.ndarray:
    """Expected USD a PH/s earns per day: 1e15 · 86400 · (subsidy + fees) · price / (D · 2^32)."""
    return (
        1e15
        * SECONDS_PER_DAY
        * (subsidy_btc + fees_btc_per_block)
        * btc_price_usd
        / (difficulty * TWO_32)
    )


def network_hashrate_hs(difficulty: float) -> float:
    """Difficulty-implied network hashrate in hashes per second: D · 2^32 / 600."""
    return difficulty * TWO_32 / BLOCK_TIME_S


def halving_schedule(market: Market, count: int = 4) -> list[tuple[int, datetime, float]]:
    """The next ``count`` halvings as (height, date, subsidy after), projected from the block
    height at ``market.block_time_s`` per block (the observed mean, not the 600 s target).

    The first date is the user's override when set; later ones follow at 210,000 blocks ×
    the block time.
    """
    as_of = datetime.fromisoformat(market.as_of)
    next_height = (market.block_height // HALVING_INTERVAL_BLOCKS + 1) * HALVING_INTERVAL_BLOCKS
    block = market.block_time_s
    if market.next_halving_date:
        first = datetime.fromisoformat(market.next_halving_date)
    else:
        first = as_of + timedelta(seconds=(next_height - market.block_height) * block)
    step = timedelta(seconds=HALVING_INTERVAL_BLOCKS * block)
    return [
        (
            next_height + k * HALVING_INTERVAL_BLOCKS,
            first + k * step,
            subsidy_at_height(next_height + k * HALVING_INTERVAL_BLOCKS),
        )
        for k in range(count)
    ]


def hourly_subsidy(market: Market, tl: Timeline) -> np.ndarray:
    """Block subsidy (BTC) in force in every hour of the timeline, stepping at each halving."""
    years_after = tl.n_months / 12 + 1
    count = int(years_after // 4) + 2
    schedule = halving_schedule(market, count)
    subsidy = np.full(tl.n_hours, subsidy_at_height(market.block_height))
    for _height, when, after in schedule:
        subsidy[tl.hour_index_of(when) :] = after
    return subsidy


def monthly_btc_price(market: Market, n_months: int) -> np.ndarray:
    """USD per BTC for each month: a yearly table (last value held) or start × growth^(m/12)."""
    m = np.arange(n_months)
    if market.btc_price_by_year_usd:
        table = np.asarray(market.btc_price_by_year_usd, dtype=float)
        return table[np.minimum(m // 12, table.size - 1)]
    monthly = (1 + market.btc_price_growth_pct_per_year / 100) ** (1 / 12)
    return market.btc_price_usd * power_table(monthly, n_months)


def monthly_difficulty(market: Market, n_months: int) -> np.ndarray:
    """Network difficulty in each month: D0 · (1 + g)^m with g the monthly growth."""
    growth = 1 + market.difficulty_growth_pct_per_month / 100
    return market.difficulty * power_table(growth, n_months)


def hourly_hashprice(market: Market, tl: Timeline, btc_price_scale: float = 1.0) -> np.ndarray:
    """Hashprice (USD per PH/s per day) for every hour; halvings step it at the exact hour."""
    price = monthly_btc_price(market, tl.n_months) * btc_price_scale
    per_btc = hashprice_usd_per_ph_day(price, monthly_difficulty(market, tl.n_months), 1.0, 0.0)
    subsidy = hourly_subsidy(market, tl)
    subsidy += market.fees_btc_per_block
    subsidy *= tl.per_hour(np.asarray(per_btc))
    return subsidy


def subsidy_on(market: Market, day: date) -> float:
    """Subsidy in force on a date, from the projected (or overridden) halving schedule."""
    subsidy = subsidy_at_height(market.block_height)
    for _height, when, after in halving_schedule(market, 8):
        if datetime(day.year, day.month, day.day) >= when:
            subsidy = after
    return subsidy


def projected_monthly_hashprice(
    market: Market, start: date, n_months: int, btc_price_scale: float = 1.0
) -> np.ndarray:
    """Each month's average hashprice from ``start`` for ``n_months`` (USD per PH/s per day),
    by the same projection as ``hourly_hashprice`` without its hours: a halving counts for the
    hours of its month after it. What a continuing value follows for decades."""
    bounds = (np.datetime64(f"{start:%Y-%m}", "M") + np.arange(n_months + 1)).astype(
        "datetime64[h]"
    )
    hours = np.diff(bounds).astype(float)
    subsidy = subsidy_at_height(market.block_height) * hours
    before = subsidy_at_height(market.block_height)
    for _height, when, after in halving_schedule(market, n_months // 48 + 2):
        at = np.datetime64(when.replace(minute=0, second=0, microsecond=0), "h")
        share = np.clip((bounds[1:] - np.maximum(bounds[:-1], at)).astype(float), 0.0, hours)
        subsidy += (after - before) * share
        before = after
    price = monthly_btc_price(market, n_months) * btc_price_scale
    per_btc = hashprice_usd_per_ph_day(price, monthly_difficulty(market, n_months), 1.0, 0.0)
    return (subsidy / hours + market.fees_btc_per_block) * per_btc
