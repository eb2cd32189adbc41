"""The Market sheet: each month's place on the Prices sheet, the halving, the power price
escalation, BTC price, difficulty and hashprice, written once and read by every strategy."""

from __future__ import annotations

import functools

import numpy as np

from core.engine.market.bitcoin import monthly_btc_price
from core.io.xlsx import network
from core.io.xlsx.hourly.sheet import FIXED, MARKET, E, Hourly, Market
from core.io.xlsx.prices import SCREEN_ONLY, PriceSheet
from core.io.xlsx.rows import FIRST_COL, RowWriter, write_months
from core.model.project import Project


class _MarketSheet:
    """The few things of a strategy sheet the market rows need: a row writer on the same
    month columns, the month index, year and hours cells, and the input names."""

    def __init__(self, ws, fmt: dict, n: int, names: dict[str, str]):
        self.w, self.n, self.names = RowWriter(ws, fmt, n), n, names
        self.t: dict[str, np.ndarray] = {}


def write_market(
    wb, fmt: dict, project: Project, prices: PriceSheet, names: dict[str, str], months: list[str]
) -> Market:
    """The Market sheet: each month's place on the Prices sheet, the block subsidy, the power
    price escalation, BTC price, difficulty and hashprice, once for every strategy."""
    n = len(months)
    ws = wb.add_worksheet(MARKET)
    sh = _MarketSheet(ws, fmt, n, names)
    w = sh.w
    ws.freeze_panes(4, FIRST_COL)
    ws.set_column(0, 0, 52)
    ws.set_column(1, 1, 11)
    ws.set_column(2, 4, 4)
    ws.set_column(FIRST_COL, FIRST_COL + n - 1, 12.5)
    ws.set_landscape()
    ws.set_paper(9)
    # Printed: its title only, and a header that says why (its rows are for the screen).
    ws.print_area(0, 0, 0, 0)
    ws.set_header(SCREEN_ONLY.format(what="monthly rows"))
    ws.write_string(0, 0, "Market: month by month, for every strategy", fmt["title"])
    h = Hourly(sh, prices, project, None, np.zeros(n), Market({}, {}))
    h.v.update(write_months(w, months, "Month index (0 = start)", hours_total=False))
    m_, hours = h.v["idx"], h.v["hours"]
    h.hours = hours
    _timeline_rows(h)
    idx = lambda c: f"{c}${w.r('idx')}"  # noqa: E731
    energy, mk = project.site.energy, project.market
    w.heading("Power price and Bitcoin network")
    esc = (1 + energy.escalator_pct_per_year / 100) ** (m_ // 12)
    h.row(
        "esc",
        "Power price escalation, (1 + escalator)^year",
        "×",
        lambda c: f"(1+{names[E + 'escalator_pct_per_year']})^{c}${w.r('year')}",
        esc,
        "factor",
        False,
    )
    btc = monthly_btc_price(mk, n)
    h.row(
        "btc", "BTC price", "USD", lambda c: network.btc_price(mk, names, idx(c)), btc, "num", False
    )
    diff = mk.difficulty * (1 + mk.difficulty_growth_pct_per_month / 100) ** m_
    h.row(
        "difficulty",
        "Network difficulty",
        "",
        lambda c: network.difficulty(names, idx(c)),
        diff,
        "num",
        False,
    )
    per_btc = 1e15 * 86400 * btc / (diff * 2.0**32)
    for part, when in (("a", "at the month's start"), ("b", "after a halving in the month")):
        sub = prices.subsidy_a if part == "a" else prices.subsidy_b
        h.row(
            f"hp_{part}",
            f"Hashprice {when}",
            "USD/PH/day",
            functools.partial(
                lambda c, part: network.hashprice(
                    h.R("sub_" + part, c), names, h.R("btc", c), h.R("difficulty", c)
                ),
                part=part,
            ),
            (sub + mk.fees_btc_per_block) * per_btc,
            "num2",
            False,
        )
    hb = prices.hours_b
    h.row(
        "hashprice_m",
        "Hashprice, month average",
        "USD/PH/day",
        lambda c: (
            f"({h.R('hp_a', c)}*({h.R('hours', c)}-{h.R('hours_b', c)})"
            f"+{h.R('hp_b', c)}*{h.R('hours_b', c)})/{h.R('hours', c)}"
        ),
        (h.v["hp_a"] * (hours - hb) + h.v["hp_b"] * hb) / hours,
        "num2",
        False,
    )

    return Market({k: w.r(k) for k in h.v}, h.v)


def _timeline_rows(h: Hourly) -> None:
    ps = h.ps
    for key, label, values in (
        ("pa1", "Prices rows: first of the month (before any halving)", ps.a_first),
        ("pa2", "Prices rows: last before any halving", ps.a_last),
        ("pb1", "Prices rows: first after a halving in the month (4: none)", ps.b_first),
        ("pb2", "Prices rows: last after a halving in the month", ps.b_last),
    ):
        h.row(key, label, "row", None, values, FIXED, False)
    h.row("hours_b", "Hours after a halving in the month", "h", None, ps.hours_b, FIXED)
    h.row(
        "sub_a",
        "Block subsidy at the month's start",
        "BTC",
        None,
        ps.subsidy_a,
        "imported_2dp",
        False,
    )
    h.row(
        "sub_b",
        "Block subsidy after a halving in the month",
        "BTC",
        None,
        ps.subsidy_b,
        "imported_2dp",
        False,
    )
    h.row("has_peak", "4CP peak month (June to September)", "flag", None, ps.has_peak, FIXED, False)
    if ps.calls is not None:
        h.row(
            "calls",
            "DR calls in the month (the price rule's count), placed on the highest-load hours",
            "h",
            None,
            ps.calls,
            FIXED,
        )
