"""From a price file's rows (time, price, line) to whole calendar years of hourly prices: one
price per time (repeats refused, or averaged where that is known to be right), hours from
sub-hourly rows, short gaps filled; every such step is reported (see ``priceimport``)."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

import numpy as np

from core.io.priceclock import daylight_saving_hours
from core.model.project import HOURLY_YEAR_MAX, HOURLY_YEAR_MIN, MAX_SERIES_YEARS

HOUR = 3600  # seconds
MAX_FILL_RUN_HOURS = 3  # longer gaps inside the data are errors, not guesses
MAX_MISSING_SHARE = 0.02  # a year missing more of its hours than this is refused
EDGE_TOLERANCE_HOURS = 24  # a UTC file shifted to local time may spill this far
MAX_LISTED = 10  # fills, repeats and problems listed one by one; beyond that counted
# Times are counted in seconds from the start of the first year a row may fall in.
BASE_ORDINAL = date(HOURLY_YEAR_MIN - 1, 1, 1).toordinal()

Years = tuple[int, list[list[float]]]


def seconds(t: datetime) -> int:
    """``t`` as seconds from the base."""
    return (t.toordinal() - BASE_ORDINAL) * 86400 + t.hour * HOUR + t.minute * 60 + t.second


def wall_time(stamp: int) -> datetime:
    """Seconds from the base as a time."""
    day = date.fromordinal(BASE_ORDINAL + stamp // 86400)
    return datetime.combine(day, datetime.min.time()) + timedelta(seconds=stamp % 86400)


def _year_start(year: int) -> int:
    return seconds(datetime(year, 1, 1))


def _spacing(stamp: np.ndarray) -> int:
    """The data's step in seconds (an hour for hourly rows, 900 for quarter hours)."""
    steps = np.diff(np.unique(stamp))
    return int(steps.min()) if steps.size else HOUR


def distinct_times(
    stamp: np.ndarray,
    price: np.ndarray,
    line: np.ndarray,
    wall_clock: bool,
    utc_offset_hours: float,
    average_duplicates: bool,
    hour_24: bool,
    notes: list[str],
) -> tuple[np.ndarray, np.ndarray] | list[str]:
    """(times, prices) in time order, one price per time, or the problems. An hour-ending
    file's times (``hour_ending``) move back one step. A time given twice with one price is
    kept once; with different prices it is averaged only in a real daylight-saving fall-back
    hour of a wall clock (as written), or where the user chose ``average_duplicates``."""
    if hour_ending(stamp, hour_24):
        step = _spacing(stamp)
        stamp = stamp - step
        what = "hour" if step == HOUR else f"{step // 60}-minute interval"
        notes.append(
            f"hour-ending timestamps (a day runs 01:00 to 24:00): each price is for the "
            f"{what} before its time"
        )
    if stamp.size > 1 and not bool(np.all(stamp[1:] >= stamp[:-1])):
        order = np.argsort(stamp, kind="stable")
        stamp, price, line = stamp[order], price[order], line[order]
    starts = np.flatnonzero(np.r_[True, stamp[1:] != stamp[:-1]])
    if starts.size == stamp.size:
        return stamp, price
    counts = np.diff(np.r_[starts, stamp.size])
    sums = np.add.reduceat(price, starts)
    lo = np.minimum.reduceat(price, starts)
    hi = np.maximum.reduceat(price, starts)
    repeated = np.flatnonzero(counts > 1)
    same = repeated[lo[repeated] == hi[repeated]]
    differ = repeated[lo[repeated] != hi[repeated]]
    if same.size:
        first = int(line[starts[same[0]]])
        notes.append(
            f"{same.size:,} time(s) appear more than once with the same price, each kept once "
            f"(the first: {wall_time(int(stamp[starts[same[0]]])):%Y-%m-%d %H:%M}, line {first})"
        )
    problems, averaged = [], []
    for k in differ:
        t = wall_time(int(stamp[starts[k]]))
        rows = line[starts[k] : starts[k] + counts[k]]
        values = price[starts[k] : starts[k] + counts[k]]
        if wall_clock and _in_fall_back(t, utc_offset_hours):
            averaged.append(
                f"{t:%Y-%m-%d %H:%M} appears {counts[k]} times (daylight-saving "
                "fall-back): averaged"
            )
        elif average_duplicates:
            averaged.append(f"{t:%Y-%m-%d %H:%M} appears {counts[k]} times: averaged, as chosen")
        else:
            problems.append(
                f"lines {', '.join(str(int(r)) for r in rows[:4])}: {t:%Y-%m-%d %H:%M} appears "
                f"{counts[k]} times with different prices "
                f"({', '.join(f'{v:g}' for v in values[:4])})"
            )
    if problems:
        shown = problems[:MAX_LISTED]
        if len(problems) > MAX_LISTED:
            shown.append(f"… and {len(problems) - MAX_LISTED:,} more times given twice")
        shown.append(
            "a time may appear twice only in a daylight-saving fall-back hour of a local "
            "clock; two price series in one file? Import one, or choose to average repeated "
            "times (--average-duplicates)"
        )
        return shown
    notes.extend(averaged[:MAX_LISTED])
    if len(averaged) > MAX_LISTED:
        notes.append(f"… and {len(averaged) - MAX_LISTED:,} more repeated times, averaged")
    return stamp[starts], sums / counts


def hour_ending(stamp: np.ndarray, hour_24: bool) -> bool:
    """Whether each time ends its hour (01:00 … 24:00): a time written as 24:00 says so, and
    so do whole years of the site's time that run from 1 January 01:00 (or a quarter or half
    hour past midnight, for shorter intervals) to 1 January 00:00 of a later year; a year from
    00:00 to 23:00 (or to 23:45) is hour-beginning, and anything else is read as that."""
    if hour_24:
        return True
    a, b = wall_time(int(stamp.min())), wall_time(int(stamp.max()))
    after_midnight = a - datetime(a.year, 1, 1)
    return (
        timedelta(0) < after_midnight <= timedelta(hours=1)
        and b.year > a.year
        and b == datetime(b.year, 1, 1)
    )


def _in_fall_back(t: datetime, utc_offset_hours: float) -> bool:
    repeated, _ = daylight_saving_hours(t.year, utc_offset_hours)
    return t.replace(minute=0, second=0) in repeated


def _in_spring_forward(t: datetime, utc_offset_hours: float) -> bool:
    _, skipped = daylight_saving_hours(t.year, utc_offset_hours)
    return t in skipped


def hourly(
    stamp: np.ndarray, price: np.ndarray, notes: list[str]
) -> tuple[int, np.ndarray, np.ndarray]:
    """(first hour, price sums, row counts) per hour from the first: sub-hourly rows (distinct
    times within an hour) are summed for averaging."""
    hour = stamp // HOUR
    first = int(hour[0])
    counts = np.bincount(hour - first)
    sums = np.bincount(hour - first, weights=price)  # in time order
    per_hour = int(np.median(counts[counts > 0]))
    if per_hour > 1:
        notes.append(f"sub-hourly data: {per_hour} rows per hour averaged to hourly prices")
    return first, sums, counts


def whole_years(
    first_h: int,
    sums: np.ndarray,
    counts: np.ndarray,
    wall_clock: bool,
    utc_offset_hours: float,
    notes: list[str],
) -> Years | list[str]:
    """Whole calendar years of hourly prices, or the problems."""
    present = counts > 0
    last_h = first_h + counts.size - 1
    y0, y1 = wall_time(first_h * HOUR).year, wall_time(last_h * HOUR).year
    # A UTC series moved to local time can start a few hours early (a US offset: the hours
    # before the first local midnight belong to the previous year) or spill into the next year.
    if y1 > y0 and _year_start(y0 + 1) // HOUR - first_h <= EDGE_TOLERANCE_HOURS:
        n = int(present[: _year_start(y0 + 1) // HOUR - first_h].sum())
        notes.append(f"dropped {n} hour(s) before {y0 + 1} (time-zone spill)")
        y0 += 1
    if y1 > y0 and last_h - _year_start(y1) // HOUR < EDGE_TOLERANCE_HOURS:
        n = int(present[_year_start(y1) // HOUR - first_h :].sum())
        notes.append(f"dropped {n} hour(s) after {y1 - 1} (time-zone spill)")
        y1 -= 1
    if y1 - y0 + 1 > MAX_SERIES_YEARS:
        return [f"the series spans {y1 - y0 + 1} years; at most {MAX_SERIES_YEARS} are allowed"]
    if not HOURLY_YEAR_MIN <= y0 <= HOURLY_YEAR_MAX:
        return [f"the series starts in {y0}; it must start {HOURLY_YEAR_MIN} to {HOURLY_YEAR_MAX}"]
    errors: list[str] = []
    years: list[list[float]] = []
    fills = _Fills(wall_clock, utc_offset_hours)
    for y in range(y0, y1 + 1):
        n = (366 if calendar.isleap(y) else 365) * 24
        values = np.full(n, np.nan)
        a = _year_start(y) // HOUR - first_h
        lo, hi = max(a, 0), min(a + n, counts.size)
        if hi > lo:
            c = counts[lo:hi]
            with np.errstate(invalid="ignore", divide="ignore"):
                values[lo - a : hi - a] = np.where(c > 0, sums[lo:hi] / np.maximum(c, 1), np.nan)
        missing = np.flatnonzero(np.isnan(values))
        if missing.size > MAX_MISSING_SHARE * n:
            allowed = f"{MAX_MISSING_SHARE * 100:g} % ({int(MAX_MISSING_SHARE * n)} hours)"
            errors.append(
                f"{y} has {n - missing.size:,} of {n:,} hours: at most {allowed} may be "
                f"missing, in gaps of up to {MAX_FILL_RUN_HOURS} hours; the series must cover "
                "whole calendar years"
            )
            continue
        err = fills.fill(values, missing, datetime(y, 1, 1), y == y0, y == y1)
        if err:
            errors.extend(err)
            continue
        years.append(values.tolist())
    notes.extend(fills.notes())
    if errors:
        return errors
    return y0, years


class _Fills:
    """Short gaps filled from the neighbouring hour, each reported (the first MAX_LISTED one
    by one, then counted); long gaps are errors. The first and last day of the series may be
    partial (a UTC file moved to local time)."""

    def __init__(self, wall_clock: bool, utc_offset_hours: float):
        self.wall_clock = wall_clock
        self.offset = utc_offset_hours
        self.listed: list[str] = []
        self.more_gaps = 0
        self.more_hours = 0

    def fill(
        self, values: np.ndarray, missing: np.ndarray, start: datetime, first: bool, last: bool
    ) -> list[str]:
        errors: list[str] = []
        if missing.size == 0:
            return errors
        for run in np.split(missing, np.flatnonzero(np.diff(missing) > 1) + 1):
            a, b = int(run[0]), int(run[-1])
            at_edge = (first and a == 0) or (last and b == values.size - 1)
            t0 = start + timedelta(hours=a)
            if run.size > MAX_FILL_RUN_HOURS and not (at_edge and run.size <= EDGE_TOLERANCE_HOURS):
                t1 = start + timedelta(hours=b)
                errors.append(
                    f"missing {run.size} hours from {t0:%Y-%m-%d %H:00} to "
                    f"{t1:%Y-%m-%d %H:00}: too long a gap to fill"
                )
                continue
            values[a : b + 1] = values[a - 1] if a > 0 else values[b + 1]
            if len(self.listed) >= MAX_LISTED:
                self.more_gaps += 1
                self.more_hours += run.size
                continue
            spring = self.wall_clock and run.size == 1 and _in_spring_forward(t0, self.offset)
            why = " (daylight-saving spring-forward)" if spring else ""
            self.listed.append(
                f"{t0:%Y-%m-%d %H:00}: {run.size} missing hour(s){why} filled from the "
                "neighbouring hour"
            )
        return errors

    def notes(self) -> list[str]:
        more = (
            [f"… and {self.more_gaps:,} more gaps filled ({self.more_hours:,} hours)"]
            if self.more_gaps
            else []
        )
        return self.listed + more
