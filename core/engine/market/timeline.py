"""Monthly periods with an hourly grid inside each month (local standard time, no DST)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property, lru_cache

import numpy as np


@dataclass(frozen=True, eq=False)
class Timeline:
    start: date  # first day of the first month
    n_months: int
    month_year: np.ndarray  # calendar year of each month
    month_of_year: np.ndarray  # 1..12
    hours_in_month: np.ndarray  # 672..744
    month_first_hour: np.ndarray  # offset of each month in the hourly grid, length n_months + 1
    hour_month: np.ndarray  # month index of every hour
    hour_of_day: np.ndarray  # 0..23
    hour_sim_year: np.ndarray  # 0-based year of the simulation (month index // 12)

    @property
    def n_hours(self) -> int:
        return int(self.month_first_hour[-1])

    @property
    def n_years(self) -> int:
        return (self.n_months + 11) // 12

    @cached_property
    def year_first_hour(self) -> np.ndarray:
        """Offset of each simulation year in the hourly grid, length n_years + 1."""
        return np.append(self.month_first_hour[: self.n_months : 12], self.n_hours)

    @cached_property
    def hour_month_of_year(self) -> np.ndarray:
        return self.per_hour(self.month_of_year)

    @cached_property
    def day_month_of_year(self) -> np.ndarray:
        """Month of year (1..12) of every day of the grid."""
        return np.repeat(self.month_of_year, self.hours_in_month // 24)

    def per_hour(self, monthly: np.ndarray) -> np.ndarray:
        """Spread one value per month over that month's hours."""
        return np.repeat(monthly, self.hours_in_month)

    @cached_property
    def summer_afternoons(self) -> np.ndarray:
        """Hours 15:00–20:59 of June to September: where scarcity spikes are seeded."""
        moy = self.hour_month_of_year
        return np.flatnonzero(
            (moy >= 6) & (moy <= 9) & (self.hour_of_day >= 15) & (self.hour_of_day <= 20)
        )

    @cached_property
    def month_labels(self) -> list[str]:
        return [self.month_start(m).strftime("%Y-%m") for m in range(self.n_months)]

    def month_start(self, m: int) -> date:
        y, mo = divmod(self.start.month - 1 + m, 12)
        return date(self.start.year + y, mo + 1, 1)

    def hour_index_of(self, when: datetime) -> int:
        """Index of the hour containing ``when`` (clamped to the grid's ends)."""
        hours = (when - datetime(self.start.year, self.start.month, 1)) // timedelta(hours=1)
        return int(min(max(hours, 0), self.n_hours))

    def month_sum(self, hourly: np.ndarray) -> np.ndarray:
        """Sum an hourly array into months."""
        return np.add.reduceat(hourly, self.month_first_hour[:-1])

    def month_max(self, hourly: np.ndarray) -> np.ndarray:
        return np.maximum.reduceat(hourly, self.month_first_hour[:-1])


def parse_month(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


@lru_cache(maxsize=8)
def build_timeline(start_month: str, horizon_years: int) -> Timeline:
    start = parse_month(start_month)
    n = horizon_years * 12
    idx = np.arange(n)
    years = start.year + (start.month - 1 + idx) // 12
    moy = (start.month - 1 + idx) % 12 + 1
    days = [calendar.monthrange(int(y), int(m))[1] for y, m in zip(years, moy, strict=True)]
    hours = np.array(days) * 24
    first = np.concatenate(([0], np.cumsum(hours)))
    hour_month = np.repeat(idx, hours).astype(np.int32)
    hod = np.tile(np.arange(24, dtype=np.int8), int(first[-1]) // 24)
    arrays = (years, moy, hours, first, hour_month, hod, (hour_month // 12).astype(np.int32))
    for a in arrays:
        a.setflags(write=False)
    return Timeline(start, n, *arrays)


def month_sums(tl: Timeline, values: np.ndarray, first: int, stop: int) -> np.ndarray:
    """Monthly sums of an hourly array that covers hours [first, stop) only."""
    out = np.zeros(tl.n_months)
    if stop <= first:
        return out
    m0, m1 = int(tl.hour_month[first]), int(tl.hour_month[stop - 1]) + 1
    out[m0:m1] = np.add.reduceat(values, tl.month_first_hour[m0:m1] - first)
    return out
