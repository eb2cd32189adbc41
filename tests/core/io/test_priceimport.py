"""Hourly price CSV import, on real ERCOT files and on made-up edge cases."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from core.engine.energy import simulate_strategy
from core.engine.market.context import market_context
from core.io.priceimport import PriceImportError, import_price_csv, import_price_text
from core.model.catalog import catalog_for
from tests.core.helpers import miner, tiny_project


def _wall_clock_csv(
    year: int, drop: list[datetime] = (), double: list[datetime] = (), header: str = "Date,Price\n"
) -> str:
    """A whole year of naive local timestamps, price = hour of day, with DST-style edits."""
    lines = [header] if header else []
    t = datetime(year, 1, 1)
    while t.year == year:
        if t not in drop:
            lines.append(f"{t:%m/%d/%Y %I:%M:%S %p},{t.hour}\n")
            if t in double:
                lines.append(f"{t:%m/%d/%Y %I:%M:%S %p},{t.hour + 10}\n")
        t += timedelta(hours=1)
    return "".join(lines)


def test_real_ercot_file_matches_its_published_statistics(ercot_csv):
    # shared/data/README: HB_WEST RTM 2023: 8,760 rows, mean 49.45, max 5,257.58,
    # 62 hours above $1,000, 727 below zero.
    series, report = import_price_csv(ercot_csv("ercot_hb_west_rtm_2023_hourly.csv"))
    (year,) = series.years_usd_per_mwh
    a = np.array(year)
    assert series.first_year == 2023 and a.size == 8760
    assert a.mean() == pytest.approx(49.45, abs=0.01)
    assert a.max() == pytest.approx(5257.58, abs=0.01)
    assert (a > 1000).sum() == 62 and (a < 0).sum() == 727
    assert "header row found" in report[0]


def test_leap_year_file(ercot_csv):
    series, _ = import_price_csv(ercot_csv("ercot_lz_west_dam_2024_hourly.csv"))
    assert series.first_year == 2024 and len(series.years_usd_per_mwh[0]) == 8784


def test_winter_storm_uri_curtails_a_miner(ercot_csv):
    # README: 14–19 Feb 2021 local (144 h), HB_WEST DAM: 142 hours above $1,000. A unit S21
    # with break-even $149.68/MWh (tests/core/test_engine_hand.py) must sit out at least those.
    series, _ = import_price_csv(ercot_csv("ercot_hb_west_dam_2021_hourly.csv"))
    feb = np.array(series.years_usd_per_mwh[0])[(31 + 13) * 24 : (31 + 19) * 24]
    assert feb.size == 144 and (feb > 1000).sum() == 142
    project = tiny_project(
        [miner()], energy={"price_source": series}, finance={"start_month": "2021-01"}
    )
    ctx = market_context(project)
    e = simulate_strategy(project, project.strategies[0], ctx, catalog_for(project))
    _load, curtailed_by_block, _be = e.hourly.window(0, ctx.tl.n_hours)
    curtailed = next(iter(curtailed_by_block.values()))
    assert curtailed[(31 + 13) * 24 : (31 + 19) * 24].sum() >= 142
    # Under index pricing, running through Uri would have cost far more than it earned.
    forced = simulate_strategy(
        project, project.strategies[0], ctx, catalog_for(project), curtail=False
    )
    assert (e.revenue_mining_usd - e.energy_cost_usd)[1] > (
        forced.revenue_mining_usd - forced.energy_cost_usd
    )[1] + 500


def test_august_2023_heat_curtails_at_least_the_spike_hours(ercot_csv):
    # README: 41 real-time hours above $1,000 at HB_WEST in August 2023.
    series, _ = import_price_csv(ercot_csv("ercot_hb_west_rtm_2023_hourly.csv"))
    project = tiny_project(
        [miner()], energy={"price_source": series}, finance={"start_month": "2023-01"}
    )
    e = simulate_strategy(
        project, project.strategies[0], market_context(project), catalog_for(project)
    )
    assert e.curtailed_mwh[7] >= 41 * 0.0035


def test_daylight_saving_duplicate_and_gap_in_wall_clock_times():
    # US 2023: spring forward skips 2023-03-12 02:00; fall back repeats 2023-11-05 01:00.
    gap, dup = datetime(2023, 3, 12, 2), datetime(2023, 11, 5, 1)
    series, report = import_price_text(_wall_clock_csv(2023, drop=[gap], double=[dup]), "t.csv")
    a = np.array(series.years_usd_per_mwh[0])
    assert a.size == 8760
    idx = lambda t: (t - datetime(2023, 1, 1)) // timedelta(hours=1)  # noqa: E731
    assert a[idx(gap)] == 1.0  # filled from 01:00 (price = hour of day = 1)
    assert a[idx(dup)] == (1 + 11) / 2  # the two 01:00 rows (1 and 11) averaged
    text = "\n".join(report)
    assert "2023-11-05 01:00 appears 2 times (daylight-saving fall-back): averaged" in text
    assert "2023-03-12 02:00: 1 missing hour(s) (daylight-saving spring-forward) filled" in text


def test_headerless_file_and_sub_hourly_rows():
    rows = []
    t = datetime(2023, 1, 1)
    while t.year == 2023:
        for q in range(4):  # four 15-minute prices: 10, 20, 30, 40 → hourly 25
            rows.append(f"{(t + timedelta(minutes=15 * q)).isoformat()},{10 * (q + 1)}")
        t += timedelta(hours=1)
    series, report = import_price_text("\n".join(rows), "q.csv")
    assert np.allclose(series.years_usd_per_mwh[0], 25.0)
    assert any("4 rows per hour averaged" in r for r in report)


def test_utc_timestamps_move_to_local_standard_time():
    # 2023-01-01T06:00Z is midnight in US Central standard time (UTC−6).
    rows = ["timestamp_utc,price_usd_per_mwh"]
    t = datetime(2023, 1, 1, 6)
    for h in range(8760):
        rows.append(f"{(t + timedelta(hours=h)).isoformat()}Z,{h}")
    series, _ = import_price_text("\n".join(rows), "u.csv", utc_offset_hours=-6)
    assert series.first_year == 2023 and series.years_usd_per_mwh[0][:3] == [0.0, 1.0, 2.0]


def test_negative_prices_are_accepted():
    text = _wall_clock_csv(2023).replace(",0\n", ",-31.5\n")
    series, _ = import_price_text(text, "n.csv")
    assert min(series.years_usd_per_mwh[0]) == -31.5


def test_bad_values_are_all_reported_with_line_numbers():
    lines = _wall_clock_csv(2023).splitlines()
    lines[5] = lines[5].split(",")[0] + ",abc"
    lines[9] = lines[9].split(",")[0] + ","
    lines[12] = lines[12].split(",")[0] + ",nan"
    lines[20] = "yesterday,5"
    with pytest.raises(PriceImportError) as info:
        import_price_text("\n".join(lines), "bad.csv")
    assert info.value.problems == [
        "line 6: price 'abc' is not a number",
        "line 10: price is empty",
        "line 13: price 'nan' is not a finite number",
        "line 21: unreadable timestamp 'yesterday'",
    ]


def test_partial_year_and_long_gap_are_errors():
    text = "".join(_wall_clock_csv(2023, header="").splitlines(keepends=True)[:4000])
    with pytest.raises(PriceImportError, match="2023 has 4,000 of 8,760 hours"):
        import_price_text(text, "p.csv")
    gap = [datetime(2023, 5, 1) + timedelta(hours=h) for h in range(10)]
    with pytest.raises(
        PriceImportError, match="missing 10 hours from 2023-05-01 00:00 to 2023-05-01 09:00"
    ):
        import_price_text(_wall_clock_csv(2023, drop=gap), "g.csv")


def test_multi_year_series_cycles_over_the_horizon():
    # 2023 priced 10, 2024 priced 20: a 2026–2028 horizon uses 10, 20, 10 (cycling).
    from core.engine.market.prices import hourly_prices
    from core.engine.market.timeline import build_timeline
    from core.model.project import Energy, HourlySeriesPrice

    src = HourlySeriesPrice(first_year=2023, years_usd_per_mwh=[[10.0] * 8760, [20.0] * 8784])
    tl = build_timeline("2026-01", 3)
    p = hourly_prices(Energy(price_source=src, escalator_pct_per_year=10.0), tl)
    y = tl.year_first_hour
    assert np.allclose(p[y[0] : y[1]], 10.0)
    assert np.allclose(p[y[1] : y[2]], 22.0)  # second year: 20 × 1.10
    assert np.allclose(p[y[2] : y[3]], 12.1)  # third year: 10 × 1.10²
    assert p.size == 3 * 8760 + 24  # 2028 is a leap year: February padded by a day


def _utc_year_rows(fmt) -> str:
    """A price per UTC hour, price = hours since 2023-01-01T06:00Z (US Central midnight),
    each timestamp written by ``fmt(utc datetime)``."""
    t = datetime(2023, 1, 1, 6)
    rows = ["timestamp,price"]
    rows += [f"{fmt(t + timedelta(hours=h))},{h}" for h in range(8760)]
    return "\n".join(rows)


def test_the_file_clock_says_what_unzoned_timestamps_are():
    zoned, _ = import_price_text(_utc_year_rows(lambda t: t.isoformat() + "Z"), "z.csv")
    expected = list(range(8760))
    assert zoned.years_usd_per_mwh[0] == expected
    # The same instants written without a zone, with the file's clock named.
    utc, report = import_price_text(
        _utc_year_rows(lambda t: t.isoformat(sep=" ")), "u.csv", file_clock="UTC"
    )
    assert utc.years_usd_per_mwh == zoned.years_usd_per_mwh
    assert report[0] == "timestamps in UTC moved to the site's standard time, UTC−6"
    # US Eastern standard time (UTC−5) is an hour ahead of Central standard time.
    est, _ = import_price_text(
        _utc_year_rows(lambda t: (t - timedelta(hours=5)).isoformat(sep=" ")),
        "e.csv",
        file_clock=-5.0,
    )
    assert est.years_usd_per_mwh == zoned.years_usd_per_mwh
    # Chicago wall clock with daylight saving: 2023-03-12 02:00 does not exist and
    # 2023-11-05 01:00 comes twice (CDT, then CST); read on that zone, every hour lands once.
    chicago = ZoneInfo("America/Chicago")

    def wall(t):
        return t.replace(tzinfo=UTC).astimezone(chicago).replace(tzinfo=None).isoformat(sep=" ")

    text = _utc_year_rows(wall)
    assert text.count("2023-11-05 01:00:00,") == 2 and "2023-03-12 02:00:00," not in text
    dst, report = import_price_text(text, "c.csv", file_clock="America/Chicago")
    assert dst.years_usd_per_mwh == zoned.years_usd_per_mwh
    assert not any("averaged" in r or "filled" in r for r in report)
    # As written (the default), the same file is local wall clock: the repeat is averaged.
    _, as_written = import_price_text(text, "c.csv")
    assert any("fall-back" in r for r in as_written)


def test_an_unknown_time_zone_is_refused_by_name():
    with pytest.raises(PriceImportError) as exc:
        import_price_text("2023-01-01 00:00,1", "x.csv", file_clock="Mars/Olympus")
    assert exc.value.problems == [
        "time zone 'Mars/Olympus' is not known (an IANA name: America/Chicago)"
    ]
    with pytest.raises(PriceImportError) as exc:
        import_price_text("2023-01-01 00:00,1", "x.csv", file_clock=-15.0)
    assert "the file's UTC offset must be whole or half hours" in exc.value.problems[0]
