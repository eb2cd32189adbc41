"""Hourly price CSV import: ``timestamp, $/MWh`` rows → whole years of local standard time.

Timestamps with a zone (``2023-01-01T06:00:00Z``) are moved to the site's local standard time
(a fixed UTC offset), so there is no daylight saving to handle. Timestamps without one are read
on the file's clock, which the user names (``file_clock``, see ``priceclock``): by default the
local wall clock as written, where a repeated daylight-saving fall-back hour is averaged and a
missing spring-forward hour is filled from the hour before, both reported.

Nothing is changed without a word, and what the file does not settle is refused with the line,
the text and the readings it could have:
- the decimal mark comes from the whole file (``pricenumbers``; ``decimal`` settles it);
- a headerless comma-separated row ``time,20,37`` is 20.37 or 20 and another column: refused
  unless ``decimal`` says which;
- the same time twice with different prices is refused outside a real fall-back hour, unless
  ``average_duplicates``; sub-hourly rows (15-minute prices) are averaged to hours;
- hour-ending files (01:00 … 24:00, or a year from Jan 1 01:00 to the next Jan 1 00:00) are
  read as such and said so;
- gaps of up to 3 hours are filled and reported; a year missing more than 2 % of its hours,
  or a longer gap, is refused.

The file is read as a stream: each row keeps a time, a price and its line (20 bytes), so ten
million rows stay well under a gigabyte, and ``progress`` hears how far the reading has got.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

from core.io.priceclock import (
    DEFAULT_SITE_UTC_OFFSET_HOURS,
    MAX_UTC_OFFSET_HOURS,
    Clock,
    FileClock,
    check_file_clock,
    check_utc_offset,
    clock_text,
    offset_text,
    parse_file_clock,
)
from core.io.pricenumbers import Decimal, PriceReader
from core.io.pricerows import distinct_times, hourly, seconds, whole_years
from core.model.project import (
    HOURLY_PRICE_MAX,
    HOURLY_PRICE_MIN,
    HOURLY_YEAR_MAX,
    HOURLY_YEAR_MIN,
    HourlySeriesPrice,
)

__all__ = [
    "DEFAULT_SITE_UTC_OFFSET_HOURS",
    "MAX_UTC_OFFSET_HOURS",
    "FileClock",
    "PriceImportError",
    "check_file_clock",
    "check_utc_offset",
    "import_price_csv",
    "import_price_text",
    "parse_file_clock",
]

MAX_PROBLEMS = 200  # reported line by line; beyond that only counted
_US_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
)
_PRICE_HINT = re.compile(r"price|usd|\$|lmp|spp|mwh|value", re.I)
_TIME_HINT = re.compile(r"time|date|hour|interval|stamp", re.I)
_HOUR_24 = re.compile(r"(?<![0-9])24:00(?::00)?(?![0-9:])")
_WHOLE = re.compile(r"[+-]?[0-9]+")
_DIGITS = re.compile(r"[0-9]+")
ProgressFn = Callable[[float], None]


class PriceImportError(Exception):
    def __init__(self, source: str, problems: list[str]):
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{source}: {len(problems)} problem(s)\n{shown}{more}")


@dataclass(frozen=True)
class ImportChoices:
    """What the user settles for a file the importer would otherwise refuse."""

    decimal: Decimal | None = None  # "point" or "comma": the file's decimal mark
    average_duplicates: bool = False  # the same time twice with different prices: average


NO_CHOICES = ImportChoices()  # the file must settle everything itself


def _read_time(text: str, utc_offset_hours: float) -> tuple[datetime, bool, bool]:
    """(naive local time, whether it came with a zone, whether it was written as 24:00; a
    time of 24:00 is midnight at the end of its day). Raises ValueError when unreadable."""
    text = text.strip()
    plain, n = _HOUR_24.subn("00:00", text, count=1)
    ts = _parse(plain, text)
    if n:
        ts += timedelta(days=1)
    if ts.tzinfo is None:
        return ts, False, bool(n)
    try:
        local = ts.astimezone(UTC).replace(tzinfo=None) + timedelta(hours=utc_offset_hours)
    except OverflowError:  # a zoned time at the very end or start of the calendar
        raise ValueError(f"timestamp {_short(text)} is outside the calendar") from None
    return local, True, bool(n)


def _parse(text: str, shown: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        for fmt in _US_FORMATS:
            try:
                return datetime.strptime(text, fmt)
            except ValueError:
                continue
        raise ValueError(f"unreadable timestamp {_short(shown)}") from None


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
    utc_offset_hours: float = DEFAULT_SITE_UTC_OFFSET_HOURS,
    progress: ProgressFn | None = None,
    file_clock: FileClock = None,
    choices: ImportChoices = NO_CHOICES,
) -> tuple[HourlySeriesPrice, list[str]]:
    """Read a price CSV into whole calendar years of hourly prices, with a report of what was
    read how. ``utc_offset_hours`` is the site's standard time; ``file_clock`` what the file's
    timestamps without a zone are in; ``choices`` settle what the file leaves open (see the
    module). ``progress`` gets the share of the file read (0 to 1) now and then."""
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

            return _import_lines(lines(), path.name, utc_offset_hours, file_clock, choices)
    except OSError as exc:
        raise PriceImportError(str(path), [f"cannot be read: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError:
        raise PriceImportError(str(path), ["is not UTF-8 text"]) from None


def import_price_text(
    text: str,
    source: str,
    utc_offset_hours: float = DEFAULT_SITE_UTC_OFFSET_HOURS,
    file_clock: FileClock = None,
    choices: ImportChoices = NO_CHOICES,
) -> tuple[HourlySeriesPrice, list[str]]:
    _check_clocks(source, utc_offset_hours, file_clock)
    return _import_lines(
        io.StringIO(text.removeprefix("\ufeff"), newline=""),
        source,
        utc_offset_hours,
        file_clock,
        choices,
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


class _Rows:
    """The rows as read: each one's time (seconds, site standard time), price and line."""

    def __init__(self) -> None:
        self.stamp = array("q")
        self.price = array("d")
        self.line = array("i")
        self.zoned: set[bool] = set()
        self.hour_24 = False  # a time written as 24:00

    def add(self, local: datetime, price: float, line: int) -> None:
        self.stamp.append(seconds(local))
        self.price.append(price)
        self.line.append(line)


def _import_lines(
    lines: Iterable[str],
    source: str,
    utc_offset_hours: float,
    file_clock: FileClock = None,
    choices: ImportChoices = NO_CHOICES,
) -> tuple[HourlySeriesPrice, list[str]]:
    clock = Clock(file_clock, utc_offset_hours)
    it = iter(lines)
    head = list(itertools.islice(it, 1))
    while head and not head[0].strip():  # leading blank lines
        head = list(itertools.islice(it, 1))
    if not head:
        raise PriceImportError(source, ["the file has no rows"])
    delimiter = _delimiter(head[0])
    reader = csv.reader(itertools.chain(head, it), delimiter=delimiter)
    numbers = PriceReader(choices.decimal)
    problems = _Problems()
    rows = _Rows()
    header_note = ""
    # Headerless "time,20,37": 20.37, or 20 and another column? The first such row, and how many.
    first_split: tuple[int, str] | None = None
    split_rows = 0
    time_col, price_col, width = 0, 1, 0
    first = True
    first_day = date(HOURLY_YEAR_MIN - 1, 12, 31).toordinal()
    last_day = date(HOURLY_YEAR_MAX + 1, 1, 1).toordinal()
    try:
        for row in reader:
            line = reader.line_num
            if not any(c.strip() for c in row):
                continue
            if first:
                first = False
                width = len(row)
                try:
                    _read_time(row[0], utc_offset_hours)
                except (ValueError, IndexError):
                    time_col, price_col = _pick_columns(row)
                    header_note = (
                        f"header row found on line {line}: took columns "
                        f"{row[time_col]!r} and {row[price_col]!r}"
                        if len(row) > max(time_col, price_col)
                        else ""
                    )
                    continue
            row, guessed = _decimal_comma_split(
                row, delimiter, price_col, width, bool(header_note), choices.decimal
            )
            if guessed:
                split_rows += 1
                first_split = first_split or (line, delimiter.join(row))
            if len(row) <= max(time_col, price_col):
                problems.add(f"line {line}: needs a timestamp and a price, got {len(row)} field(s)")
                continue
            if len(row) > width:
                problems.add(_extra_fields(line, len(row), width, delimiter, header_note))
                continue
            try:
                ts, has_zone, h24 = _read_time(row[time_col], utc_offset_hours)
                if not has_zone:
                    ts, has_zone = clock.local(ts)
            except ValueError as exc:
                problems.add(f"line {line}: {exc}")
                continue
            rows.zoned.add(has_zone)
            rows.hour_24 |= h24
            value, problem = numbers.read(row[price_col], line)
            if value is None:
                problems.add(problem or f"line {line}: price is not a number")
                continue
            if not HOURLY_PRICE_MIN <= value <= HOURLY_PRICE_MAX:
                problems.add(
                    f"line {line}: price {value:g} USD/MWh is outside {HOURLY_PRICE_MIN:,.0f} to "
                    f"{HOURLY_PRICE_MAX:,.0f}"
                )
                continue
            if not first_day <= ts.toordinal() <= last_day:
                problems.add(
                    f"line {line}: year {ts.year} is outside {HOURLY_YEAR_MIN} to {HOURLY_YEAR_MAX}"
                )
                continue
            rows.add(ts, value, line)
    except csv.Error as exc:
        problems.add(f"line {reader.line_num}: not readable as CSV ({exc})")
    if len(rows.zoned) > 1 and file_clock is None:
        problems.add("timestamps mix times with and without a UTC offset; use one kind")
    for p in numbers.problems():
        problems.add(p)
    if first_split:
        problems.add(_split_problem(*first_split, split_rows))
    if problems.items:
        raise PriceImportError(source, problems.listed())
    if not rows.price:
        raise PriceImportError(source, ["the file has no price rows"])
    notes: list[str] = []
    if header_note:
        notes.append(header_note)
    elif width > price_col + 1 and not (choices.decimal == "comma" and delimiter == ","):
        notes.append(f"no header: prices read from column {price_col + 1} of {width}")
    if file_clock is not None:
        notes.insert(
            0,
            f"{clock_text(file_clock)} moved to the site's standard time, "
            f"{offset_text(utc_offset_hours)}",
        )
    mark = numbers.summary()
    if mark:
        notes.append(mark)
    series = _to_years(
        rows,
        wall_clock=rows.zoned == {False},
        utc_offset_hours=utc_offset_hours,
        average_duplicates=choices.average_duplicates,
        notes=notes,
    )
    if isinstance(series, list):
        raise PriceImportError(source, series)
    return HourlySeriesPrice(
        source_name=source[:200], first_year=series[0], years_usd_per_mwh=series[1]
    ), notes


def _decimal_comma_split(
    row: list[str],
    delimiter: str,
    price_col: int,
    width: int,
    has_header: bool,
    decimal: Decimal | None,
) -> tuple[list[str], bool]:
    """A comma-separated row whose price may be a decimal comma taken for a separator
    (``20,37`` read as the fields 20 and 37). Returns the row to read and whether it is
    ambiguous. A header naming a column after the price settles it (that is the column). Else,
    with decimal commas named, the two fields are joined as one price; with decimal points
    they stay apart; with neither, a header of ``price_col + 1`` columns refuses the extra field
    as such elsewhere, and without a header the row is ambiguous."""
    if delimiter != "," or len(row) != price_col + 2 or decimal == "point":
        return row, False
    whole, fraction = row[price_col].strip(), row[price_col + 1].strip()
    if not (_WHOLE.fullmatch(whole) and _DIGITS.fullmatch(fraction)):
        return row, False
    if has_header and width > price_col + 1:
        return row, False  # the header names the field after the price
    if decimal == "comma":
        return [*row[:price_col], f"{whole},{fraction}"], False
    return row, not has_header


def _split_problem(line: int, text: str, rows: int) -> str:
    fields = text.split(",")
    whole, fraction = fields[-2].strip(), fields[-1].strip()
    more = f" ({rows - 1:,} more such rows)" if rows > 1 else ""
    return (
        f"line {line}: {text!r} has no header to say what its last field is: a price of "
        f"{whole}.{fraction} written with a decimal comma, or {whole} followed by another "
        f"column ({fraction}){more}; name the file's decimal mark: --decimal comma or "
        "--decimal point"
    )


def _extra_fields(line: int, got: int, width: int, delimiter: str, header: str) -> str:
    what = "the header" if header else "the first row"
    hint = (
        " (a decimal comma in a comma-separated file? Separate fields with ';', write "
        "decimals with a point, or name the mark: --decimal comma)"
        if delimiter == ","
        else ""
    )
    return f"line {line}: {got} fields, but {what} has {width}{hint}"


def _to_years(
    rows: _Rows,
    wall_clock: bool,
    utc_offset_hours: float,
    average_duplicates: bool,
    notes: list[str],
) -> tuple[int, list[list[float]]] | list[str]:
    """Whole years of hourly prices from the rows (see ``pricerows``), or the problems."""
    times = distinct_times(
        np.frombuffer(rows.stamp, dtype=np.int64),
        np.frombuffer(rows.price, dtype=np.float64),
        np.frombuffer(rows.line, dtype=np.int32),
        wall_clock,
        utc_offset_hours,
        average_duplicates,
        rows.hour_24,
        notes,
    )
    if isinstance(times, list):
        return times
    first_hour, sums, counts = hourly(*times, notes)
    return whole_years(first_hour, sums, counts, wall_clock, utc_offset_hours, notes)
