"""DR calls placed on the highest-load hours, as formulas (``demand.load_called_hours``): each
month takes as many calls as the price rule puts in it, on the hours with the most flexible
load running before any call, ties to the higher price, then to the earlier hour.

Each strategy has three columns on the Prices sheet: its load in each group (the flexible MW
whose break-even the group's price is at or below, none in 4CP avoidance), the hours of the
group called, and their price × hours. A group's called hours are the month's calls less the
hours of the month ranked before it (more load, or as much at a higher price, or as much at
the same price in a row above: the earlier part of a halving month first), between 0 and its
own hours."""

from __future__ import annotations

import numpy as np
from xlsxwriter.utility import xl_col_to_name

from core.io.xlsx.hourly.sheet import MARKET, E, Market, miners
from core.io.xlsx.prices import (
    CALL_COLS,
    CALL_FIRST_COL,
    FIRST_ROW,
    HOURS,
    PRICE,
    SHEET,
    PriceSheet,
)
from core.io.xlsx.rows import FIRST_COL, StrategySheet, quote
from core.model.project import Project

LOAD_DP = 9  # MW equal to a nanowatt are equal, as in the engine


def group_load(h) -> np.ndarray:
    """(G,) the strategy's flexible load in each Prices group before any call, MW (the
    cached values of its load column)."""
    month = h.g["month"]
    load = np.zeros(month.size)
    for j in h.m.flex:
        runs = h.runs_mask(h.breakeven_v(j, "a"), h.breakeven_v(j, "b"))
        load += h.v[f"f{j}"][month] * h.mw[j] * runs
    return np.round(load, LOAD_DP)


def write_calls(
    wb, fmt: dict, project: Project, prices: PriceSheet, market: Market, sheets, names
) -> None:
    """Each strategy's call columns on the Prices sheet (``sheets``: the strategy sheets, in
    the project's order)."""
    ws = wb.get_worksheet_by_name(SHEET)
    groups = prices.groups
    month, part = groups[:, 0], groups[:, 1]
    last = np.maximum(prices.a_last, prices.b_last)  # the month's last row, either part
    adder = names[E + "tnd_adder_usd_per_mwh"]
    esc, calls = market.rows["esc"], market.rows["calls"]
    sh: StrategySheet
    for i, (strategy, sh) in enumerate(zip(project.strategies, sheets, strict=True)):
        L, C = (xl_col_to_name(CALL_FIRST_COL + CALL_COLS * i + k) for k in range(2))
        for k, head in enumerate(("Load before calls (MW)", "DR called hours", "× price")):
            ws.write_string(
                2, CALL_FIRST_COL + CALL_COLS * i + k, f"{strategy.name}: {head}", fmt["header"]
            )
        ws.set_column(CALL_FIRST_COL + CALL_COLS * i, CALL_FIRST_COL + CALL_COLS * i + 2, 14)
        flex = miners(strategy).flex
        s = quote(sh.name)
        load_v = sh.group_load if sh.group_load is not None else np.zeros(month.size)
        called_v = prices.called_hours[i]
        for k in range(month.size):
            r = FIRST_ROW + k  # 1-based
            m, x = int(month[k]), xl_col_to_name(FIRST_COL + int(month[k]))
            terms = []
            for j in flex:
                f, v = sh.rows[f"f{j}"] + 1, sh.rows[f"v{'ab'[int(part[k])]}{j}"] + 1
                terms.append(
                    f"{s}!{x}${f}*{s}!$C${f}*(${PRICE}{r}<=({s}!{x}${v}-{adder})/{MARKET}!{x}${esc})"
                )
            load = f"=ROUND(({'+'.join(terms)})*(1-$D{r}),{LOAD_DP})" if terms else "=0"
            ws.write_formula(
                r - 1, CALL_FIRST_COL + CALL_COLS * i, load, fmt["num2"], float(load_v[k])
            )
            a, b = int(prices.a_first[m]), int(last[m])
            hrs, lds, prs = (f"${col}${a}:${col}${b}" for col in (HOURS, L, PRICE))
            before = f"SUMPRODUCT({hrs},({lds}>{L}{r})+({lds}={L}{r})*({prs}>${PRICE}{r}))"
            if r > a:  # as much load at the same price, in a row above
                uh, ul, up = (f"${col}${a}:${col}${r - 1}" for col in (HOURS, L, PRICE))
                before += f"+SUMPRODUCT({uh},({ul}={L}{r})*({up}=${PRICE}{r}))"
            ws.write_formula(
                r - 1,
                CALL_FIRST_COL + CALL_COLS * i + 1,
                f"=MAX(0,MIN(${HOURS}{r},{MARKET}!{x}${calls}-({before})))",
                fmt["num2"],
                float(called_v[k]),
            )
            ws.write_formula(
                r - 1,
                CALL_FIRST_COL + CALL_COLS * i + 2,
                f"={C}{r}*${PRICE}{r}",
                fmt["num"],
                float(called_v[k] * prices.price[k]),
            )
