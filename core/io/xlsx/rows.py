"""How a FAST sheet is written: label, unit, constant, total, a blank spacer column, then one
column per month, each row one formula across. ``RowWriter`` places the rows and remembers where
each went; ``StrategySheet`` is that record, which the Summary's formulas and charts read."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from xlsxwriter.utility import xl_col_to_name

from core.engine.columns import MONTHLY_COLUMNS

FIRST_COL = 5  # F: first month; E is the blank spacer


@dataclass
class StrategySheet:
    """Where a strategy sheet put its rows, for the Summary's formulas and charts."""

    name: str
    rows: dict[str, int] = field(default_factory=dict)  # key → 0-based row
    n: int = 0
    group_load: np.ndarray | None = None  # DR calls by load: its load in each Prices group

    def ref(self, key: str, absolute: bool = True) -> str:
        """'Sheet'!$F$r:$X$r for a row's months."""
        r = self.rows[key] + 1
        a, b = xl_col_to_name(FIRST_COL), xl_col_to_name(FIRST_COL + self.n - 1)
        d = "$" if absolute else ""
        return f"{quote(self.name)}!{d}{a}{d}{r}:{d}{b}{d}{r}"

    def last(self, key: str) -> str:
        return f"{quote(self.name)}!${xl_col_to_name(FIRST_COL + self.n - 1)}${self.rows[key] + 1}"


def quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def add_named_series(chart: Any, name: str, options: dict[str, Any]) -> None:
    """Add a chart series whose name is ``name`` as literal text. XlsxWriter reads a name that
    looks like a cell reference (``=cmd|'calc'!A0``, or any ``x!A1``) as a formula; a strategy
    name must never become one, so the name is set after the series is added."""
    chart.add_series({**options, "name": "series"})
    series = chart.series[-1]
    series["name"], series["name_formula"], series["name_id"] = name, None, None


class RowWriter:
    """Writes a sheet's rows one under another and remembers where each key went."""

    def __init__(self, ws, fmt: dict, n: int):
        self.ws, self.fmt, self.n = ws, fmt, n
        self.row = 0
        self.rows: dict[str, int] = {}

    def col(self, m: int) -> str:
        return xl_col_to_name(FIRST_COL + m)

    def r(self, key: str) -> int:
        """1-based row of a key, for A1 references."""
        return self.rows[key] + 1

    def line(
        self,
        key: str,
        label: str,
        unit: str,
        formula: Callable[[str, str], str] | None,
        values: np.ndarray,
        style: str = "num",
        total: bool = True,
        constant: object = None,
    ) -> None:
        """A row: ``formula(col, prev_col)`` gives each month's formula (None: values only)."""
        ws, r = self.ws, self.row
        self.rows[key] = r
        ws.write_string(r, 0, label, self.fmt["label"])
        ws.write_string(r, 1, unit, self.fmt["unit"])
        if constant is not None:
            ws.write(r, 2, constant, self.fmt["num"])
        fmt = self.fmt[style]
        for m in range(self.n):
            v = float(values[m])
            if formula is None:
                ws.write_number(r, FIRST_COL + m, v, fmt)
            else:
                c, p = self.col(m), xl_col_to_name(FIRST_COL + m - 1)
                ws.write_formula(r, FIRST_COL + m, "=" + formula(c, p), fmt, v)
        if total:
            a, b = self.col(0), self.col(self.n - 1)
            ws.write_formula(
                r, 3, f"=SUM({a}{r + 1}:{b}{r + 1})", self.fmt["total"], float(np.sum(values))
            )
        self.row += 1

    def column(
        self,
        key: str,
        formula: Callable[[str, str], str] | None,
        values: np.ndarray,
        style: str = "num",
        total: bool = True,
    ) -> None:
        """A row of the monthly table, with its label and unit from ``MONTHLY_COLUMNS``."""
        c = MONTHLY_COLUMNS[key]
        self.line(key, c.label, c.unit, formula, values, style, total)

    def heading(self, text: str) -> None:
        self.row += 1
        self.ws.write_string(self.row, 0, text, self.fmt["section"])
        self.row += 1


def month_hours(months: list[str]) -> np.ndarray:
    """Hours in each "YYYY-MM" month."""
    return np.array(
        [calendar.monthrange(int(m[:4]), int(m[5:]))[1] * 24 for m in months], dtype=float
    )


def write_months(
    w: RowWriter, months: list[str], idx_label: str, hours_total: bool = True
) -> dict[str, np.ndarray]:
    """What every FAST sheet starts with: row 2, each month's first day, then the month index,
    the year of the horizon and the hours in the month, which the formulas below count from.
    Returns the three rows' values."""
    ws, fmt = w.ws, w.fmt
    w.rows["date"] = 1
    ws.write_string(1, 0, "Month", fmt["label"])
    for m, label in enumerate(months):
        ws.write_datetime(1, FIRST_COL + m, datetime.strptime(label, "%Y-%m"), fmt["date"])
    w.row = 2
    idx = np.arange(len(months), dtype=float)
    hours = month_hours(months)
    w.line("idx", idx_label, "#", None, idx, "int", total=False)
    w.line(
        "year",
        "Year of the horizon (0 = first)",
        "#",
        lambda c, p: f"INT({c}${w.r('idx')}/12)",
        idx // 12,
        "int",
        total=False,
    )
    w.line(
        "hours",
        "Hours in the month",
        "h",
        lambda c, p: f"DAY(EOMONTH({c}$2,0))*24",
        hours,
        "int",
        total=hours_total,
    )
    return {"idx": idx, "year": idx // 12, "hours": hours}


def write_table(
    ws, fmt: dict, first: int, head: list[str], rows: list[list[Any]] | tuple = ()
) -> int:
    """A header row and data rows from ``first``; numbers as numbers, the rest as text.
    Returns the row after the table."""
    for c, h in enumerate(head):
        ws.write_string(first, c, h, fmt["header"])
    for r, values in enumerate(rows, start=first + 1):
        for c, v in enumerate(values):
            if isinstance(v, int | float):
                ws.write_number(r, c, v)
            else:
                ws.write_string(r, c, str(v))
    return first + 1 + len(rows)
