"""The Prices sheet: the horizon's hours, grouped so that formulas can count them.

Within a month (split where a halving falls, as the Monte Carlo's segments are), what decides a
fleet's hours is how many hours are priced at or below its break-even, and what they cost. So each
month's hours are grouped by where their base price comes from (a time-of-use cell on Inputs, the
spike price, the flat price, or an imported hour's value) and by the flags that set them apart:
called for demand response, sat out to dodge a 4CP peak, or the month's 4CP peak itself. Each row
gives its hours and its base price (before the escalator) as a formula of the input it comes from,
so COUNTIFS/SUMIFS-style sums on the strategy sheets follow every price input.

The flags depend only on the prices as exported (the year's highest-price hours, the summer
months' highest hours, the seeded spike hours): they are selections made in MinePivot, labelled so.
DR calls placed on the highest-load hours depend on each strategy's load, so then the groups are
not split by a call flag: each strategy has its own columns (``hourly.calls``), the load in each
group and the hours of it called, as formulas.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xlsxwriter.utility import xl_col_to_name

from core.engine.energy import called_hours
from core.engine.market.bitcoin import hourly_subsidy
from core.engine.market.context import compute_price_hours, market_context
from core.engine.market.prices import series_over_timeline, spike_hours
from core.engine.market.timeline import Timeline, build_timeline
from core.model.catalog import Catalog
from core.model.project import FlatPrice, HourlySeriesPrice, Project, TimeOfUsePrice

# On the Inputs sheet, a price matrix row's first value (a time-of-use month: hours 0–23).
MATRIX_COL = 5

SHEET = "Prices"
# The print header of a sheet whose rows are for the screen (hundreds of rows or columns).
SCREEN_ONLY = (
    "&L&8This sheet's {what} are for the screen, not for print: open it in the workbook "
    "(the strategy sheets' formulas read it)."
)
FIRST_ROW = 5  # 1-based: the first group; row 4 holds no hours (an empty part of a month)
EMPTY_ROW = 4
# Columns of a group: month, part, flags, hours, base price, base price × hours.
MONTH, PART, CALLED, AVOIDED, PEAK, HOURS, PRICE, PRICE_HOURS = "ABCDEFGH"
PRICE_HOURS_COL = 7
# The columns the strategy sheets sum, by name (shorter formulas, and an auditor reads
# "PrHours" more easily than "Prices!$F:$F").
RANGE_NAMES = {
    CALLED: "PrCalled",
    AVOIDED: "PrAvoided",
    PEAK: "PrPeak",
    HOURS: "PrHours",
    PRICE: "PrPrice",
    PRICE_HOURS: "PrPriceHours",
}
SPIKE = -1  # source code of a scarcity-spike hour
# With DR calls on the highest-load hours, strategy i's columns: its load before any call,
# the hours of the group called, and their base price × hours.
CALL_COLS = 3
CALL_FIRST_COL = 8  # column I


def call_names(i: int) -> tuple[str, str, str]:
    """Strategy i's (0-based) column names on the Prices sheet, with calls by load."""
    return f"PrLoad{i + 1}", f"PrCallHours{i + 1}", f"PrCallPriceHours{i + 1}"


@dataclass(frozen=True)
class PriceSheet:
    """Where each month's groups sit on the Prices sheet (1-based rows), and the month facts
    the strategy sheets need beside them."""

    a_first: np.ndarray  # (M,) first and last row of the month's hours before any halving
    a_last: np.ndarray
    b_first: np.ndarray  # (M,) the same after a halving in the month (EMPTY_ROW if none)
    b_last: np.ndarray
    hours_b: np.ndarray  # (M,) hours after the halving
    subsidy_a: np.ndarray  # (M,) BTC per block at the month's start, and after its halving
    subsidy_b: np.ndarray
    has_peak: np.ndarray  # (M,) 1 for a month with a 4CP peak hour (Jun–Sep)
    # The groups themselves, for the cached values: month, part, flags, hours, base price.
    groups: np.ndarray  # (G, 5) int: month, part, called, avoided, peak
    hours: np.ndarray  # (G,)
    price: np.ndarray  # (G,) USD/MWh before the escalator
    # DR calls on the highest-load hours: each month's number of calls (the price rule's
    # count), and each strategy's called hours in each group as the app placed them.
    calls: np.ndarray | None = None  # (M,)
    called_hours: tuple[np.ndarray, ...] = ()  # per strategy, (G,)

    @property
    def by_load(self) -> bool:
        return self.calls is not None

    def called_share(self, i: int) -> np.ndarray:
        """(G,) the share of each group's hours strategy i has called."""
        if self.calls is None:
            return self.groups[:, 2].astype(float)
        return self.called_hours[i] / self.hours


def price_timeline(project: Project) -> tuple[Timeline, np.ndarray, np.ndarray, np.ndarray]:
    """(timeline, DR-called hours, 4CP peak hours, 4CP avoidance hours) as the engine chooses
    them. Calls are chosen whether or not MW are enrolled, so typing enrolled MW on Inputs is
    honoured (with none enrolled, a call cuts nothing)."""
    energy = project.site.energy
    tl = build_timeline(project.finance.start_month, project.finance.horizon_years)
    called = project.site.demand_response.event_hours_per_year
    _, _, dr_event, peaks, avoid = compute_price_hours(energy, called, tl, 0.0)
    return tl, dr_event, peaks, avoid


def _sources(project: Project, tl: Timeline) -> tuple[np.ndarray, np.ndarray]:
    """Per hour: the code of its base price's source, and the series' distinct values (for an
    imported series the code indexes them; a matrix hour's code is month × 24 + hour)."""
    src = project.site.energy.price_source
    if isinstance(src, HourlySeriesPrice):
        values, code = np.unique(series_over_timeline(src, tl), return_inverse=True)
        return code.astype(np.int64), values
    if isinstance(src, TimeOfUsePrice):
        code = (tl.hour_month_of_year.astype(np.int64) - 1) * 24 + tl.hour_of_day
    else:
        code = np.zeros(tl.n_hours, dtype=np.int64)
    if src.spikes.hours_per_year > 0:
        code[spike_hours(src.spikes, tl)] = SPIKE
    return code, np.empty(0)


def write_prices(
    wb, fmt: dict, project: Project, names: dict[str, str], catalog: Catalog
) -> PriceSheet:
    tl, dr_event, peaks, avoid = price_timeline(project)
    by_load = project.site.demand_response.events_on == "highest_load"
    subsidy = hourly_subsidy(project.market, tl)
    first_hour = tl.month_first_hour[:-1]
    month = tl.hour_month.astype(np.int64)
    part = (subsidy != np.repeat(subsidy[first_hour], tl.hours_in_month)).astype(np.int64)
    peak = np.zeros(tl.n_hours, dtype=np.int64)
    peak[peaks] = 1
    code, series_values = _sources(project, tl)
    called, avoided = dr_event.astype(np.int64), avoid.astype(np.int64)
    if by_load:  # each strategy places its own calls, in its columns
        called = np.zeros_like(called)
    # One integer per hour orders the groups by month, part, flags, then source.
    n_codes = int(code.max()) + 2
    key = ((((month * 2 + part) * 2 + called) * 2 + avoided) * 2 + peak) * n_codes + code + 1
    uniq, hour_group, hours = np.unique(key, return_inverse=True, return_counts=True)
    flags, source = np.divmod(uniq, n_codes)
    cols = []
    for _ in range(4):
        flags, bit = np.divmod(flags, 2)
        cols.append(bit)
    groups = np.stack([flags, *reversed(cols), source - 1], axis=1)  # month, part, .., code

    src = project.site.energy.price_source
    ws = wb.add_worksheet(SHEET)
    ws.write_string(0, 0, "Prices: the horizon's hours, grouped by month and price", fmt["title"])
    ws.write_string(
        1,
        0,
        "Each row is a set of hours of one month (part 1: after a halving in that month) with "
        "one base price, before the escalator. The price is a formula of the Inputs cell it "
        "comes from (a time-of-use hour, the spike price or the flat price); the hours and "
        "the flags are set in MinePivot (the calendar, the year's highest-price hours called for "
        "demand response, the 4CP peak and the hours sat out to dodge it, the seeded spike "
        "hours): re-export to change them."
        + (
            " DR calls go to each strategy's highest-load hours: its columns on the right "
            "place each month's calls (the price rule's count, on the Market sheet) by "
            "formulas of its load."
            if by_load
            else ""
        ),
        fmt["note"],
    )
    heads = (
        "Month #",
        "Part",
        "DR called" if not by_load else "DR called (by load: each strategy's columns)",
        "4CP avoided",
        "4CP peak",
        "Hours",
        "Base price (USD/MWh)",
        "Price × hours",
    )
    for c, h in enumerate(heads):
        ws.write_string(2, c, h, fmt["header"])
    ws.set_column(0, 5, 10)
    ws.set_column(6, 7, 16)
    ws.freeze_panes(3, 0)
    # Printed: its title only, and a header that says why (its rows are for the screen).
    ws.print_area(0, 0, 0, PRICE_HOURS_COL)
    ws.fit_to_pages(1, 1)
    ws.set_header(SCREEN_ONLY.format(what="hour groups"))
    for c in range(6):  # the row of no hours: an empty part of a month points here
        ws.write_number(EMPTY_ROW - 1, c, 0, fmt["int"])
    ws.write_string(EMPTY_ROW - 1, 6, "(no hours)", fmt["unit"])
    for letter, name in RANGE_NAMES.items():
        wb.define_name(name, f"={SHEET}!${letter}:${letter}")
    cell_of = None if isinstance(src, HourlySeriesPrice) else _price_cell(project, names)
    price = np.empty(groups.shape[0])
    for k, ((m, p, c_, a, pk, s), h) in enumerate(zip(groups, hours, strict=True)):
        r = FIRST_ROW - 1 + k
        for col, v in enumerate((m, p, c_, a, pk, h)):
            ws.write_number(r, col, int(v), fmt["int"])
        if isinstance(src, HourlySeriesPrice):
            value = float(series_values[s])
            ws.write_number(r, 6, value, fmt["imported_2dp"])
        else:
            assert cell_of is not None
            ref, value = cell_of(int(s))
            ws.write_formula(r, 6, "=" + ref, fmt["num2"], value)
        ws.write_formula(r, 7, f"=G{r + 1}*F{r + 1}", fmt["num"], value * float(h))
        price[k] = value

    rows = np.arange(groups.shape[0]) + FIRST_ROW
    n = tl.n_months
    a_first, a_last = np.full(n, EMPTY_ROW), np.full(n, EMPTY_ROW)
    b_first, b_last = np.full(n, EMPTY_ROW), np.full(n, EMPTY_ROW)
    for target_first, target_last, which in ((a_first, a_last, 0), (b_first, b_last, 1)):
        sel = groups[:, 1] == which
        ms, idx = groups[sel, 0], rows[sel]
        if ms.size:
            uniq, first = np.unique(ms, return_index=True)
            last = np.append(first[1:], ms.size) - 1
            target_first[uniq], target_last[uniq] = idx[first], idx[last]
    hours_b = tl.month_sum(part.astype(float))
    last_hour = tl.month_first_hour[1:] - 1
    calls: np.ndarray | None = None
    by_strategy: tuple[np.ndarray, ...] = ()
    if by_load:
        calls = np.bincount(tl.hour_month[dr_event], minlength=n).astype(float)
        by_strategy = _called_hours(project, catalog, hour_group, groups.shape[0])
        for i in range(len(project.strategies)):
            for k, name in enumerate(call_names(i)):
                col = xl_col_to_name(CALL_FIRST_COL + CALL_COLS * i + k)
                wb.define_name(name, f"={SHEET}!${col}:${col}")
    return PriceSheet(
        a_first,
        a_last,
        b_first,
        b_last,
        hours_b,
        subsidy[first_hour],
        subsidy[last_hour],
        np.isin(tl.month_of_year, (6, 7, 8, 9)).astype(float) * (peaks.size > 0),
        groups[:, :5],
        hours.astype(float),
        price,
        calls,
        by_strategy,
    )


def _called_hours(
    project: Project, catalog: Catalog, hour_group: np.ndarray, n_groups: int
) -> tuple[np.ndarray, ...]:
    """Each strategy's DR-called hours as the app places them on its highest-load hours,
    counted by group (the cached values of the formulas ``hourly.calls`` writes). They are
    placed whether or not MW are enrolled, as the price rule's calls are here."""
    enrolled = project.site.demand_response.model_copy(update={"enrolled_mw": 1.0})
    placing = project.model_copy(
        update={"site": project.site.model_copy(update={"demand_response": enrolled})}
    )
    ctx = market_context(placing)
    out = []
    for s in project.strategies:
        hours = called_hours(placing, s, ctx, catalog)
        out.append(np.bincount(hour_group[hours], minlength=n_groups).astype(float))
    return tuple(out)


def _price_cell(project: Project, names: dict[str, str]):
    """Source code → (formula reference, value) for a flat or time-of-use source with its
    spikes."""
    src = project.site.energy.price_source
    assert not isinstance(src, HourlySeriesPrice)
    spike = names.get("price.spike_price", "")

    def base(s: int) -> tuple[str, float]:
        if s == SPIKE:
            return spike, src.spikes.price_usd_per_mwh
        if isinstance(src, FlatPrice):
            return names["price.flat"], src.price_usd_per_mwh
        assert isinstance(src, TimeOfUsePrice)
        mo, h = divmod(s, 24)
        row = names[f"price.tou.{mo}"].rsplit("$", 1)[1]
        col = xl_col_to_name(MATRIX_COL + h)
        return f"Inputs!${col}${row}", src.matrix_usd_per_mwh[mo][h]

    return base
