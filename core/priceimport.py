"""Hourly price CSV import: ``timestamp, $/MWh`` rows → whole years of local standard time.

Timestamps with a zone (``2023-01-01T06:00:00Z``) are moved to local standard time by a fixed
UTC offset, so there is no daylight saving to handle. Timestamps without one are local wall
clock: the repeated fall-back hour is averaged and the missing spring-forward hour is filled
from the hour before; both are reported. Sub-hourly rows (15-minute prices) are averaged to
hours. Bad values are rejected with their line numbers, all at once.
"""

from __future__ import annotations

import calendar
import csv
import io
import math
import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from core.model import HourlySeriesPrice

MAX_FILL_RUN_HOURS = 3  # longer gaps inside the data are errors, not guesses
EDGE_TOLERANCE_HOURS = 24  # a UTC file shifted to local time may spill this far
_US_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
)
_PRICE_HINT = re.compile(r"price|usd|\$|lmp|spp|mwh|value", re.I)
_TIME_HINT = re.compile(r"time|date|hour|interval|stamp", re.I)


class PriceImportError(Exception):
    def __init__(self, source: str, problems: list[str]):
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{source}: {len(problems)} problem(s)\n{shown}{more}")


def parse_timestamp(text: str, utc_offset_hours: float) -> tuple[datetime, bool]:
    """(naive local time, whether it came with a zone). Raises ValueError when unreadable."""
    text = text.strip()
    try:
        ts = datetime.fromisoformat(text)
    except ValueError:
        for fmt in _US_FORMATS:
            try:
                return datetime.strptime(text, fmt), False
            except ValueError:
                continue
        raise ValueError(f"unreadable timestamp {text!r}") from None
    if ts.tzinfo is None:
        return ts, False
    local = ts.astimezone(UTC).replace(tzinfo=None) + timedelta(hours=utc_offset_hours)
    return local, True


def _read_rows(text: str) -> tuple[list[tuple[int, list[str]]], str]:
    sample = text[:4096]
    delimiter = max((",", ";", "\t"), key=sample.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    return [(reader.line_num, row) for row in reader if any(c.strip() for c in row)], delimiter


def _pick_columns(header: list[str]) -> tuple[int, int]:
    time_col = next((i for i, h in enumerate(header) if _TIME_HINT.search(h)), 0)
    price_col = next(
        (i for i, h in enumerate(header) if i != time_col and _PRICE_HINT.search(h)),
        1 if time_col == 0 else 0,
    )
    return time_col, price_col


def import_price_csv(
    path: str | Path, utc_offset_hours: float = -6.0
) -> tuple[HourlySeriesPrice, list[str]]:
    """Read a price CSV into whole calendar years of hourly prices, with a report of fixes."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise PriceImportError(str(path), [f"cannot be read: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError:
        raise PriceImportError(str(path), ["is not UTF-8 text"]) from None
    return import_price_text(text, path.name, utc_offset_hours)


def import_price_text(
    text: str, source: str, utc_offset_hours: float = -6.0
) -> tuple[HourlySeriesPrice, list[str]]:
    rows, _ = _read_rows(text)
    if not rows:
        raise PriceImportError(source, ["the file has no rows"])
    time_col, price_col = 0, 1
    first_line, first = rows[0]
    header = False
    try:
        parse_timestamp(first[0], utc_offset_hours)
    except (ValueError, IndexError):
        header = True
        time_col, price_col = _pick_columns(first)
    problems: list[str] = []
    report: list[str] = []
    buckets: dict[datetime, list[float]] = defaultdict(list)
    zoned = set()
    for line, row in rows[1:] if header else rows:
        if len(row) <= max(time_col, price_col):
            problems.append(f"line {line}: needs a timestamp and a price, got {len(row)} field(s)")
            continue
        try:
            ts, has_zone = parse_timestamp(row[time_col], utc_offset_hours)
        except ValueError as exc:
            problems.append(f"line {line}: {exc}")
            continue
        zoned.add(has_zone)
        raw = row[price_col].strip()
        if not raw:
            problems.append(f"line {line}: price is empty")
            continue
        try:
            value = float(raw.replace("$", ""))
        except ValueError:
            problems.append(f"line {line}: price {raw!r} is not a number")
            continue
        if not math.isfinite(value):
            problems.append(f"line {line}: price {raw!r} is not a finite number")
            continue
        buckets[ts.replace(minute=0, second=0, microsecond=0)].append(value)
    if len(zoned) > 1:
        problems.append("timestamps mix times with and without a UTC offset; use one kind")
    if problems:
        raise PriceImportError(source, problems)
    if not buckets:
        raise PriceImportError(source, ["the file has no price rows"])
    series, notes = _to_years(buckets, wall_clock=zoned == {False})
    if isinstance(series, list):
        raise PriceImportError(source, series)
    report.extend(notes)
    if header:
        report.insert(
            0,
            f"header row found on line {first_line}: took columns "
            f"{first[time_col]!r} and {first[price_col]!r}",
        )
    return HourlySeriesPrice(
        source_name=source, first_year=series[0], years_usd_per_mwh=series[1]
    ), report


def _to_years(
    buckets: dict[datetime, list[float]], wall_clock: bool
) -> tuple[tuple[int, list[list[float]]] | list[str], list[str]]:
    notes: list[str] = []
    counts = np.array([len(v) for v in buckets.values()])
    per_hour = int(np.median(counts))
    if per_hour > 1:
        notes.append(f"sub-hourly data: {per_hour} rows per hour averaged to hourly prices")
    doubled = sorted(k for k, v in buckets.items() if len(v) > per_hour)
    for k in doubled[:10]:
        why = " (daylight-saving fall-back)" if wall_clock else ""
        notes.append(
            f"{k:%Y-%m-%d %H:00} appears {len(buckets[k]) // per_hour} times{why}: averaged"
        )
    if len(doubled) > 10:
        notes.append(f"… and {len(doubled) - 10} more repeated hours, averaged")
    hours = sorted(buckets)
    y0, y1 = hours[0].year, hours[-1].year
    # A UTC series moved to local time can start a few hours late or spill into the next year.
    if (hours[-1] - datetime(y1, 1, 1)) < timedelta(hours=EDGE_TOLERANCE_HOURS) and y1 > y0:
        spill = [h for h in hours if h.year == y1]
        notes.append(f"dropped {len(spill)} hour(s) after {y1 - 1} (time-zone spill)")
        y1 -= 1
    if y1 - y0 + 1 > 30:
        return [f"the series spans {y1 - y0 + 1} years; at most 30 are allowed"], notes
    grid = {
        y: np.full((366 if calendar.isleap(y) else 365) * 24, np.nan) for y in range(y0, y1 + 1)
    }
    for h in hours:
        if h.year <= y1:
            idx = (h.timetuple().tm_yday - 1) * 24 + h.hour
            grid[h.year][idx] = sum(buckets[h]) / len(buckets[h])
    errors: list[str] = []
    years: list[list[float]] = []
    for y, values in grid.items():
        n = values.size
        start = datetime(y, 1, 1)
        missing = np.flatnonzero(np.isnan(values))
        if missing.size > n // 2:
            errors.append(
                f"{y} has {n - missing.size:,} of {n:,} hours: the series must cover "
                "whole calendar years"
            )
            continue
        err = _fill_gaps(values, missing, start, y == y0, y == y1, wall_clock, notes)
        if err:
            errors.extend(err)
            continue
        years.append(values.tolist())
    if errors:
        return errors, notes
    return (y0, years), notes


def _fill_gaps(
    values: np.ndarray,
    missing: np.ndarray,
    start: datetime,
    first_year: bool,
    last_year: bool,
    wall_clock: bool,
    notes: list[str],
) -> list[str]:
    """Fill short gaps from the neighbouring hour; report each; long gaps are errors."""
    errors = []
    if missing.size == 0:
        return errors
    runs = np.split(missing, np.flatnonzero(np.diff(missing) > 1) + 1)
    for run in runs:
        a, b = int(run[0]), int(run[-1])
        at_edge = (first_year and a == 0) or (last_year and b == values.size - 1)
        t0 = start + timedelta(hours=a)
        if run.size > MAX_FILL_RUN_HOURS and not (at_edge and run.size <= EDGE_TOLERANCE_HOURS):
            t1 = start + timedelta(hours=b)
            errors.append(
                f"missing {run.size} hours from {t0:%Y-%m-%d %H:00} to "
                f"{t1:%Y-%m-%d %H:00}: too long a gap to fill"
            )
            continue
        source = values[a - 1] if a > 0 else values[b + 1]
        values[a : b + 1] = source
        why = (
            " (daylight-saving spring-forward)"
            if wall_clock and run.size == 1 and t0.month in (3, 4)
            else ""
        )
        notes.append(
            f"{t0:%Y-%m-%d %H:00}: {run.size} missing hour(s){why} filled from the "
            "neighbouring hour"
        )
    return errors
