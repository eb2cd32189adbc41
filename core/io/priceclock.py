"""The clocks of a price file: the site's standard time (a fixed UTC offset), what a file's
timestamps without a zone are in, and which wall-clock hours daylight saving repeats or skips
in the time zones that keep the site's standard time."""

from __future__ import annotations

import math
import zoneinfo
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_UTC_OFFSET_HOURS = 14.0  # UTC−12 … UTC+14 are the world's zones
DEFAULT_SITE_UTC_OFFSET_HOURS = -6.0  # US Central standard time: ERCOT's, the example's

FileClock = str | float | None  # None: as written; "UTC", hours from UTC, or an IANA zone name


def check_utc_offset(hours: float) -> str | None:
    """The problem with a UTC offset (whole or half hours within ±14), or None."""
    if not isinstance(hours, int | float) or isinstance(hours, bool) or not math.isfinite(hours):
        return f"UTC offset must be a number of hours, got {hours!r}"
    if abs(hours) > MAX_UTC_OFFSET_HOURS or (hours * 2) != int(hours * 2):
        return f"UTC offset must be whole or half hours from -14 to +14, got {hours:g}"
    return None


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


class Clock:
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


@lru_cache(maxsize=4)
def _zones_keeping(standard_offset_hours: float) -> tuple[ZoneInfo, ...]:
    """The time zones with daylight saving whose standard time is this offset."""
    want = timedelta(hours=standard_offset_hours)
    out = []
    for name in sorted(zoneinfo.available_timezones()):
        try:
            z = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            continue
        offsets = []
        for month in (1, 7):
            t = datetime(2024, month, 1, tzinfo=z)
            utc, dst = t.utcoffset(), t.dst()
            if utc is not None and dst is not None:
                offsets.append((utc - dst, dst))
        if any(std == want and dst for std, dst in offsets):
            out.append(z)
    return tuple(out)


@lru_cache(maxsize=32)
def daylight_saving_hours(
    year: int, standard_offset_hours: float
) -> tuple[frozenset[datetime], frozenset[datetime]]:
    """(repeated, skipped): the wall-clock hours of ``year`` that daylight saving repeats (fall
    back) or skips (spring forward) in some time zone whose standard time is the offset."""
    repeated: set[datetime] = set()
    skipped: set[datetime] = set()
    first = date(year, 1, 1).toordinal()
    days = [date.fromordinal(first + k) for k in range(date(year + 1, 1, 1).toordinal() - first)]
    for z in _zones_keeping(standard_offset_hours):
        noon = [datetime(d.year, d.month, d.day, 12, tzinfo=z).utcoffset() for d in days]
        for k in range(1, len(days)):
            if noon[k] == noon[k - 1]:
                continue
            start = datetime.combine(days[k - 1], datetime.min.time())
            for h in range(48):  # the change falls between the two noons
                wall = start + timedelta(hours=h)
                a, b = wall.replace(tzinfo=z, fold=0), wall.replace(tzinfo=z, fold=1)
                before, after = a.utcoffset(), b.utcoffset()
                if before is not None and after is not None and before != after:
                    (repeated if before > after else skipped).add(wall)
    return frozenset(repeated), frozenset(skipped)
