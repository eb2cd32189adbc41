"""Hashprice and halvings against published figures and hand arithmetic."""

from datetime import datetime, timedelta

import numpy as np
import pytest

from core.engine.market.bitcoin import (
    halving_schedule,
    hashprice_usd_per_ph_day,
    hourly_subsidy,
    monthly_btc_price,
    monthly_difficulty,
    network_hashrate_hs,
    subsidy_at_height,
)
from core.engine.market.timeline import build_timeline
from core.model.project import Market


def test_hashprice_matches_hashrate_index_published_figure():
    # Hashrate Index, Bitcoin Hashprice Index page as captured 2024-11-12: 1 BTC = $87,235,
    # network difficulty 101.65 T, block rewards (24 h) 3.28 BTC per block (subsidy 3.125 +
    # fees), hashprice (spot) $55.97 per PH/s per day. The brief allows ~1.5 %.
    hp = hashprice_usd_per_ph_day(87_235, 101.65e12, 3.125, 3.28 - 3.125)
    assert hp == pytest.approx(55.97, rel=0.015)


def test_hashprice_hand_worked():
    # 1e15 · 86400 · 3.125 · 60,000 / (1e14 · 2^32)
    #   = 1.62e25 / 4.294967296e23 = 37.71856... USD per PH/s per day
    assert hashprice_usd_per_ph_day(60_000, 1e14, 3.125, 0.0) == pytest.approx(37.718563, rel=1e-7)


def test_network_hashrate_from_difficulty():
    # D · 2^32 / 600: 101.65e12 · 4294967296 / 600 = 7.2764e20 H/s ≈ 728 EH/s; Hashrate Index
    # showed a 7-day average of 733 EH/s that day.
    assert network_hashrate_hs(101.65e12) / 1e18 == pytest.approx(733.11, rel=0.01)


def test_subsidy_by_height():
    assert subsidy_at_height(629_999) == 12.5
    assert subsidy_at_height(630_000) == 6.25
    assert subsidy_at_height(840_000) == 3.125
    assert subsidy_at_height(1_050_000) == 1.5625


def test_halving_projection_matches_hashrate_index_estimate():
    # Same capture: 179,980 blocks to go on 2024-11-12, "Halving Estimate April 15, 2028",
    # which projects at the 600 s target: 179,980 × 600 s = 1,249.86 days after 2024-11-12
    # 00:00 → 2028-04-14 20:40. The capture's time of day is not known, so the projection must
    # land within a day of the estimate. (At the observed 592.9 s it is 2028-03-31 01:42,
    # the early end of the 31 March–15 April range of estimates.)
    market = Market(
        as_of="2024-11-12",
        btc_price_usd=1.0,
        difficulty=1.0,
        block_height=1_050_000 - 179_980,
        block_time_s=600.0,
    )
    observed = market.model_copy(update={"block_time_s": 592.9})
    assert halving_schedule(observed, 1)[0][1] == datetime(2028, 3, 31, 1, 42, 22)
    height, when, after = halving_schedule(market, 1)[0]
    assert (height, after) == (1_050_000, 1.5625)
    assert when == datetime(2028, 4, 14, 20, 40)
    assert abs(when - datetime(2028, 4, 15)) < timedelta(days=1)


def test_halving_override_and_hourly_step():
    market = Market(
        as_of="2026-01-01",
        btc_price_usd=1.0,
        difficulty=1.0,
        block_height=1_000_000,
        next_halving_date="2026-03-10",
        block_time_s=600.0,
    )
    tl = build_timeline("2026-01", 1)
    s = hourly_subsidy(market, tl)
    # Jan (744 h) + Feb (672 h) + 9 days of March = hour 1,632 is the first at 1.5625 BTC.
    first = tl.hour_index_of(datetime(2026, 3, 10))
    assert first == 744 + 672 + 9 * 24
    assert s[first - 1] == 3.125 and s[first] == 1.5625 and s[-1] == 1.5625
    # The next one follows 210,000 × 600 s = 1,458.33 days later.
    assert (halving_schedule(market, 2)[1][1] - datetime(2026, 3, 10)).days == 1458


def test_price_and_difficulty_paths():
    m = Market(
        as_of="2026-01-01",
        btc_price_usd=100_000,
        btc_price_growth_pct_per_year=21.0,
        difficulty=1e14,
        difficulty_growth_pct_per_month=2.0,
        block_height=0,
    )
    p = monthly_btc_price(m, 25)
    # Growth compounds monthly to 21 % a year: month 12 → 121,000; month 24 → 146,410.
    assert p[12] == pytest.approx(121_000) and p[24] == pytest.approx(146_410)
    assert monthly_difficulty(m, 3)[2] == pytest.approx(1e14 * 1.02**2)
    table = m.model_copy(update={"btc_price_by_year_usd": [50_000, 60_000]})
    assert np.array_equal(
        monthly_btc_price(table, 30)[[0, 11, 12, 29]], [50_000, 50_000, 60_000, 60_000]
    )


def test_the_next_halving_is_projected_at_the_observed_block_time():
    # As of 2026-11-01 at height 972,000: 78,000 blocks to 1,050,000 at 592.9 s = 46,246,200 s
    # = 535 days 6 h 10 min, so 2028-04-19 06:10 (2026-11-01 + 365 days = 2027-11-01, + 170
    # days through Nov 30, Dec 31, Jan 31, Feb 29, Mar 31 = 152, then 18 more). The next one
    # is 210,000 × 592.9 s = 1,441 days 1 h 50 min later: 2032-03-30 08:00. At 600 s the first
    # would fall on 2028-04-25 16:00 (78,000 × 600 s = 541 days 16 h).
    from datetime import datetime

    from core.engine.market.bitcoin import halving_schedule
    from core.model.project import Market

    market = Market(as_of="2026-11-01", btc_price_usd=1.0, difficulty=1.0, block_height=972_000)
    assert market.block_time_s == 592.9
    (h1, d1, s1), (h2, d2, s2) = halving_schedule(market, 2)
    assert (h1, d1, s1) == (1_050_000, datetime(2028, 4, 19, 6, 10), 1.5625)
    assert (h2, d2, s2) == (1_260_000, datetime(2032, 3, 30, 8, 0), 0.78125)
    at_600 = market.model_copy(update={"block_time_s": 600.0})
    assert halving_schedule(at_600, 1)[0][1] == datetime(2028, 4, 25, 16, 0)
    # An explicit date still wins.
    fixed = market.model_copy(update={"next_halving_date": "2028-04-10"})
    assert halving_schedule(fixed, 1)[0][1] == datetime(2028, 4, 10)
