"""Hourly price CSV import: ``timestamp, $/MWh`` rows → whole years of local standard time.

Timestamps with a zone (``2023-01-01T06:00:00Z``) are moved to the site's local standard time
(a fixed UTC offset), so there is no daylight saving to handle. Timestamps without one are read
on the file's clock, which the user names (``file_clock``): by default the local wall clock as
written, where the repeated fall-back hour is averaged and the missing spring-forward hour is
filled from the hour before, both reported; or UTC, a fixed UTC offset, or a time zone (IANA
name, daylight saving included: the second of two equal fall-back times is the later hour),
each moved to the site's standard time. Sub-hourly rows (15-minute prices) are averaged to
hours. Bad values are rejected with their line numbers, all at once; nothing is changed
silently (a row with more fields than the header is refused, not read off by one column).

The file is read as a stream: each row keeps only an hour index and a price (16 bytes), so ten
million rows stay well under a gigabyte, and ``progress`` hears how far the reading has got.
"""

from __future__ import annotations

import calendar
import csv
import io
import itertools
import math
import re
from array import array
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from core.model.project import (
    HOURLY_PRICE_MAX,
    HOURLY_PRICE_MIN,
    HOURLY_YEAR_MAX,
    HOURLY_YEAR_MIN,
    MAX_SERIES_YEARS,
    HourlySeriesPrice,
)

MAX_FILL_RUN_HOURS = 3  # longer gaps inside the data are errors, not guesses
EDGE_TOLERANCE_HOURS = 24  # a UTC file shifted to local time may spill this far
MAX_PROBLEMS = 200  # reported line by line; beyond that only counted
MAX_UTC_OFFSET_HOURS = 14.0  # UTC−12 … UTC+14 are the world's zones
_US_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
)
_PRICE_HINT = re.compile(r"price|usd|\$|lmp|spp|mwh|value", re.I)
_TIME_HINT = re.compile(r"time|date|hour|interval|stamp", re.I)
_DECIMAL_COMMA = re.compile(r"[-+]?[0-9]+,[0-9]+")
# Hours are counted from the start of the first year a row may fall in (a spill of a day).
_BASE = date(HOURLY_YEAR_MIN - 1, 1, 1)
_BASE_ORDINAL = _BASE.toordinal()
ProgressFn = Callable[[float], None]


class PriceImportError(Exception):
    def __init__(self, source: str, problems: list[str]):
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{source}: {len(problems)} problem(s)\n{shown}{more}")


def check_utc_offset(hours: float) -> str | None:
    """The problem with a UTC offset (whole or half hours within ±14), or None."""
    if not isinstance(hours, int | float) or isinstance(hours, bool) or not math.isfinite(hours):
        return f"UTC offset must be a number of hours, got {hours!r}"
    if abs(hours) > MAX_UTC_OFFSET_HOURS or (hours * 2) != int(hours * 2):
        return f"UTC offset must be whole or half hours from -14 to +14, got {hours:g}"
    return None


FileClock = str | float | None  # None: as written; "UTC", hours from UTC, or an IANA zone name


def check_file_clock(clock: FileClock) -> str | None:
    """The problem with a file clock, or None."""
    if clock is None or clock == "UTC":
        return None
    if isinstance(clock, int | float):
        problem = check_utc_offset(float(clock))
        return problem and problem.replace("UTC offset", "the file's UTC offset")
    try:
        ZoneInfo(str(clock))
    except (ZoneInfoNotFoundError, ValueError):
        return f"time zone {str(clock)[:60]!r} is not known (an IANA name: America/Chicago)"
    return None


def parse_file_clock(text: str) -> FileClock:
    """ "as-written" → None, "UTC" → "UTC", "-5" or "UTC-5" → −5.0, else a zone name."""
    word = text.strip()
    if word.lower() in ("", "as-written", "as written", "local"):
        return None
    if word.upper() == "UTC":
        return "UTC"
    number = word[3:] if word.upper().startswith("UTC") else word
    try:
        return float(number.replace("\u2212", "-"))
    except ValueError:
        return word


class _Clock:
    """Naive timestamps from the file's clock to the site's standard time. A time zone's
    repeated fall-back hour is told apart by order: a time not after the one before it, inside
    the repeated hour, is its second occurrence."""

    def __init__(self, clock: FileClock, utc_offset_hours: float):
        self.site = timedelta(hours=utc_offset_hours)
        self.zone: timezone | ZoneInfo | None = None
        if clock == "UTC":
            self.zone = UTC
        elif isinstance(clock, int | float):
            self.zone = timezone(timedelta(hours=float(clock)))
        elif clock is not None:
            self.zone = ZoneInfo(str(clock))
        self.last: datetime | None = None

    def local(self, ts: datetime) -> tuple[datetime, bool]:
        """(site standard time, whether it was converted)."""
        if self.zone is None:
            return ts, False
        fold = 1 if self.last is not None and ts <= self.last else 0
        self.last = ts
        aware = ts.replace(tzinfo=self.zone, fold=fold)
        try:
            return aware.astimezone(UTC).replace(tzinfo=None) + self.site, True
        except OverflowError:
            raise ValueError(f"timestamp {ts:%Y-%m-%d %H:%M} is outside the calendar") from None


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
        raise ValueError(f"unreadable timestamp {_short(text)}") from None
    if ts.tzinfo is None:
        return ts, False
    try:
        local = ts.astimezone(UTC).replace(tzinfo=None) + timedelta(hours=utc_offset_hours)
    except OverflowError:  # a zoned time at the very end or start of the calendar
        raise ValueError(f"timestamp {_short(text)} is outside the calendar") from None
    return local, True


def offset_text(hours: float) -> str:
    """ "UTC−6", "UTC+5:30", "UTC"."""
    if not hours:
        return "UTC"
    whole, half = divmod(abs(hours), 1)
    return f"UTC{'−' if hours < 0 else '+'}{int(whole)}" + (":30" if half else "")


def clock_text(clock: FileClock) -> str:
    if clock is None:
        return "timestamps as written (local clock)"
    if clock == "UTC":
        return "timestamps in UTC"
    if isinstance(clock, int | float):
        return f"timestamps at {offset_text(float(clock))}"
    return f"timestamps on {clock} clock time"


def _short(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "…")


def _delimiter(first_line: str) -> str:
    """Tab or semicolon when the first line has one (a semicolon file often has decimal
    commas, so commas are only the separator when nothing else is)."""
    for d in ("\t", ";"):
        if d in first_line:
            return d
    return ","


def _pick_columns(header: list[str]) -> tuple[int, int]:
    time_col = next((i for i, h in enumerate(header) if _TIME_HINT.search(h)), 0)
    price_col = next(
        (i for i, h in enumerate(header) if i != time_col and _PRICE_HINT.search(h)),
        1 if time_col == 0 else 0,
    )
    return time_col, price_col


def import_price_csv(
    path: str | Path,
    utc_offset_hours: float = -6.0,
    progress: ProgressFn | None = None,
    file_clock: FileClock = None,
) -> tuple[HourlySeriesPrice, list[str]]:
    """Read a price CSV into whole calendar years of hourly prices, with a report of fixes.
    ``utc_offset_hours`` is the site's standard time; ``file_clock`` what the file's timestamps
    without a zone are in (see the module). ``progress`` gets the share of the file read (0 to
    1) now and then."""
    path = Path(path)
    _check_clocks(str(path), utc_offset_hours, file_clock)
    try:
        size = path.stat().st_size
        with open(path, "rb") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            report_every = max(size // 100, 1 << 16)

            def lines() -> Iterator[str]:
                next_report = report_every
                for line in text:
                    yield line
                    if progress is not None and raw.tell() >= next_report:
                        progress(min(raw.tell() / max(size, 1), 1.0))
                        next_report = raw.tell() + report_every
                if progress is not None:
                    progress(1.0)

            return _import_lines(lines(), path.name, utc_offset_hours, file_clock)
    except OSError as exc:
        raise PriceImportError(str(path), [f"cannot be read: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError:
        raise PriceImportError(str(path), ["is not UTF-8 text"]) from None


def import_price_text(
    text: str, source: str, utc_offset_hours: float = -6.0, file_clock: FileClock = None
) -> tuple[HourlySeriesPrice, list[str]]:
    _check_clocks(source, utc_offset_hours, file_clock)
    return _import_lines(
        io.StringIO(text.removeprefix("\ufeff"), newline=""), source, utc_offset_hours, file_clock
    )


def _check_clocks(source: str, utc_offset_hours: float, file_clock: FileClock) -> None:
    problems = [p for p in (check_utc_offset(utc_offset_hours), check_file_clock(file_clock)) if p]
    if problems:
        raise PriceImportError(source, problems)


class _Problems:
    """Line problems, the first MAX_PROBLEMS in full and the rest counted."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.more = 0

    def add(self, text: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(text)
        else:
            self.more += 1

    def listed(self) -> list[str]:
        return self.items + ([f"… and {self.more:,} more problems"] if self.more else [])


def _import_lines(
    lines: Iterable[str], source: str, utc_offset_hours: float, file_clock: FileClock = None
) -> tuple[HourlySeriesPrice, list[str]]:
    clock = _Clock(file_clock, utc_offset_hours)
    it = iter(lines)
    head = list(itertools.islice(it, 1))
    while head and not head[0].strip():  # leading blank lines
        head = list(itertools.islice(it, 1))
    if not head:
        raise PriceImportError(source, ["the file has no rows"])
    delimiter = _delimiter(head[0])
    reader = csv.reader(itertools.chain(head, it), delimiter=delimiter)
    problems = _Problems()
    hour_index = array("q")
    prices = array("d")
    zoned: set[bool] = set()
    header_note = ""
    time_col, price_col, width = 0, 1, 0
    first = True
    lo_hour = (date(HOURLY_YEAR_MIN - 1, 12, 31).toordinal() - _BASE_ORDINAL) * 24
    hi_hour = (date(HOURLY_YEAR_MAX + 1, 1, 1).toordinal() - _BASE_ORDINAL) * 24 + 23
    try:
        for row in reader:
            line = reader.line_num
            if not any(c.strip() for c in row):
                continue
            if first:
                first = False
                width = len(row)
                try:
                    parse_timestamp(row[0], utc_offset_hours)
                except (ValueError, IndexError):
                    time_col, price_col = _pick_columns(row)
                    header_note = (
                        f"header row found on line {line}: took columns "
                        f"{row[time_col]!r} and {row[price_col]!r}"
                        if len(row) > max(time_col, price_col)
                        else ""
                    )
                    continue
            if len(row) <= max(time_col, price_col):
                problems.add(f"line {line}: needs a timestamp and a price, got {len(row)} field(s)")
                continue
            if len(row) > width:
                problems.add(_extra_fields(line, len(row), width, delimiter, header_note))
                continue
            try:
                ts, has_zone = parse_timestamp(row[time_col], utc_offset_hours)
                if not has_zone:
                    ts, has_zone = clock.local(ts)
            except ValueError as exc:
                problems.add(f"line {line}: {exc}")
                continue
            zoned.add(has_zone)
            value = _price(row[price_col], delimiter, line, problems)
            if value is None:
                continue
            h = (ts.toordinal() - _BASE_ORDINAL) * 24 + ts.hour
            if not lo_hour <= h <= hi_hour:
                problems.add(
                    f"line {line}: year {ts.year} is outside {HOURLY_YEAR_MIN} to {HOURLY_YEAR_MAX}"
                )
                continue
            hour_index.append(h)
            prices.append(value)
    except csv.Error as exc:
        problems.add(f"line {reader.line_num}: not readable as CSV ({exc})")
    if len(zoned) > 1 and file_clock is None:
        problems.add("timestamps mix times with and without a UTC offset; use one kind")
    if problems.items:
        raise PriceImportError(source, problems.listed())
    if not prices:
        raise PriceImportError(source, ["the file has no price rows"])
    series, notes = _to_years(
        np.frombuffer(hour_index, dtype=np.int64),
        np.frombuffer(prices, dtype=np.float64),
        wall_clock=zoned == {False},
    )
    if isinstance(series, list):
        raise PriceImportError(source, series)
    if header_note:
        notes.insert(0, header_note)
    if file_clock is not None:
        notes.insert(
            0,
            f"{clock_text(file_clock)} moved to the site's standard time, "
            f"{offset_text(utc_offset_hours)}",
        )
    return HourlySeriesPrice(
        source_name=source[:200], first_year=series[0], years_usd_per_mwh=series[1]
    ), notes


def _extra_fields(line: int, got: int, width: int, delimiter: str, header: str) -> str:
    what = "the header" if header else "the first row"
    hint = (
        " (a decimal comma in a comma-separated file? Separate fields with ';' or write "
        "decimals with a point)"
        if delimiter == ","
        else ""
    )
    return f"line {line}: {got} fields, but {what} has {width}{hint}"


def _price(raw: str, delimiter: str, line: int, problems: _Problems) -> float | None:
    raw = raw.strip()
    if not raw:
        problems.add(f"line {line}: price is empty")
        return None
    text = raw.replace("$", "")
    if delimiter != "," and _DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")  # 12,5 in a semicolon- or tab-separated file
    try:
        value = float(text)
    except ValueError:
        hint = (
            " (decimal commas are read in semicolon- or tab-separated files only; "
            "no thousands separators)"
            if "," in text
            else ""
        )
        problems.add(f"line {line}: price {_short(raw)} is not a number{hint}")
        return None
    if not math.isfinite(value):
        problems.add(f"line {line}: price {_short(raw)} is not a finite number")
        return None
    if not HOURLY_PRICE_MIN <= value <= HOURLY_PRICE_MAX:
        problems.add(
            f"line {line}: price {value:g} USD/MWh is outside {HOURLY_PRICE_MIN:,.0f} to "
            f"{HOURLY_PRICE_MAX:,.0f}"
        )
        return None
    return value


def _year_start_hour(year: int) -> int:
    return (date(year, 1, 1).toordinal() - _BASE_ORDINAL) * 24


def _to_years(
    hour: np.ndarray, price: np.ndarray, wall_clock: bool
) -> tuple[tuple[int, list[list[float]]] | list[str], list[str]]:
    notes: list[str] = []
    first_h, last_h = int(hour.min()), int(hour.max())
    counts = np.bincount(hour - first_h)
    # Sums in row order, as a running total would add them.
    sums = np.bincount(hour - first_h, weights=price)
    present = counts > 0
    per_hour = int(np.median(counts[present]))
    if per_hour > 1:
        notes.append(f"sub-hourly data: {per_hour} rows per hour averaged to hourly prices")
    doubled = np.flatnonzero(counts > per_hour)
    for k in doubled[:10]:
        why = " (daylight-saving fall-back)" if wall_clock else ""
        t = _hour_time(first_h + int(k))
        notes.append(f"{t:%Y-%m-%d %H:00} appears {counts[k] // per_hour} times{why}: averaged")
    if doubled.size > 10:
        notes.append(f"… and {doubled.size - 10} more repeated hours, averaged")
    y0, y1 = _hour_time(first_h).year, _hour_time(last_h).year
    # A UTC series moved to local time can start a few hours early (a US offset: the hours
    # before the first local midnight belong to the previous year) or spill into the next year.
    if y1 > y0 and _year_start_hour(y0 + 1) - first_h <= EDGE_TOLERANCE_HOURS:
        n = int(present[: _year_start_hour(y0 + 1) - first_h].sum())
        notes.append(f"dropped {n} hour(s) before {y0 + 1} (time-zone spill)")
        y0 += 1
    if y1 > y0 and last_h - _year_start_hour(y1) < EDGE_TOLERANCE_HOURS:
        n = int(present[_year_start_hour(y1) - first_h :].sum())
        notes.append(f"dropped {n} hour(s) after {y1 - 1} (time-zone spill)")
        y1 -= 1
    if y1 - y0 + 1 > MAX_SERIES_YEARS:
        return [
            f"the series spans {y1 - y0 + 1} years; at most {MAX_SERIES_YEARS} are allowed"
        ], notes
    if not HOURLY_YEAR_MIN <= y0 <= HOURLY_YEAR_MAX:
        return [
            f"the series starts in {y0}; it must start {HOURLY_YEAR_MIN} to {HOURLY_YEAR_MAX}"
        ], notes
    errors: list[str] = []
    years: list[list[float]] = []
    for y in range(y0, y1 + 1):
        n = (366 if calendar.isleap(y) else 365) * 24
        values = np.full(n, np.nan)
        a = _year_start_hour(y) - first_h
        lo, hi = max(a, 0), min(a + n, counts.size)
        if hi > lo:
            c = counts[lo:hi]
            with np.errstate(invalid="ignore", divide="ignore"):
                values[lo - a : hi - a] = np.where(c > 0, sums[lo:hi] / np.maximum(c, 1), np.nan)
        missing = np.flatnonzero(np.isnan(values))
        if missing.size > n // 2:
            errors.append(
                f"{y} has {n - missing.size:,} of {n:,} hours: the series must cover "
                "whole calendar years"
            )
            continue
        err = _fill_gaps(values, missing, datetime(y, 1, 1), y == y0, y == y1, wall_clock, notes)
        if err:
            errors.extend(err)
            continue
        years.append(values.tolist())
    if errors:
        return errors, notes
    return (y0, years), notes


def _hour_time(h: int) -> datetime:
    return datetime.combine(date.fromordinal(_BASE_ORDINAL + h // 24), datetime.min.time()) + (
        timedelta(hours=h % 24)
    )


def _fill_gaps(
    values: np.ndarray,
    missing: np.ndarray,
    start: datetime,
    first_year: bool,
    last_year: bool,
    wall_clock: bool,
    notes: list[str],
) -> list[str]:
    """Fill short gaps from the neighbouring hour; report each; long gaps are errors. The first
    and last day of the series may be partial (a UTC file moved to local time)."""
    errors: list[str] = []
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
