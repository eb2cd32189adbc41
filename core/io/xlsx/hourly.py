"""A strategy sheet's hourly rows as formulas: mining revenue, running and curtailed MWh, energy
cost, demand response, demand and 4CP charges, from the Prices sheet's grouped hours.

The method is the Monte Carlo fast path's (``core.risk.segments``). In a month (each part of
it, where a halving splits it) a fleet's hashprice is constant, so it runs in the hours whose
price is at or below its break-even, ``price ≤ value per MWh − T&D adder`` (a tie runs, as in the
engine); on the Prices sheet's base prices that is ``base ≤ (value − adder) ÷ escalation``.
- Called DR hours: the site's fleets keep running up to (capacity − enrolled MW), the most
  valuable per MWh first, ties to the block listed first (``demand.apply_dr_events``). A fleet
  runs whenever every fleet worth more runs, so what one keeps is min(MW, max(0, left − MW of
  those ahead of it)), the same in every called hour of the month.
- Capacity income: each hour's min(enrolled, running MW). The running fleets are always the
  most valuable ones, so block j adds min(E, ahead + MW) − min(E, ahead) in each hour it runs.
- 4CP: each summer month's peak hour is its own group, so the load in it is a sum over it;
  each year's average is billed over the next year (``demand.fourcp_bill``).
- A fixed-price block: each group's load against the block, by SUMPRODUCT (``_FixedBlock``).

A strategy whose energy the formulas cannot follow (a hosting contract, DR calls on the
highest-load hours) keeps the engine's values, and its heading says so.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.engine.bitcoin import monthly_btc_price
from core.engine.energy import (
    ai_block_load_mw,
    ai_block_share,
    gpu_life_months,
    mining_block_power,
)
from core.io.xlsx.prices import (
    AVOIDED,
    CALLED,
    HOURS,
    PEAK,
    PRICE,
    PRICE_HOURS,
    RANGE_NAMES,
    PriceSheet,
)
from core.io.xlsx.rows import FIRST_COL, RowWriter, write_months
from core.model.project import AiBlock, HostingBlock, MiningBlock, Project, Strategy

E = "site.energy."
DR = "site.demand_response."
MARKET = "Market"
FIXED = "imported_int"  # set in MinePivot: the calendar, the halving schedule


def formulas_follow(project: Project, strategy: Strategy) -> str:
    """Why a strategy's hourly rows stay engine values, or "" when formulas follow them."""
    dr = project.site.demand_response
    if any(isinstance(b, HostingBlock) for b in strategy.blocks):
        return "a hosting contract"
    if dr.events_on == "highest_load" and dr.enrolled_mw > 0:
        return "DR calls placed on the highest-load hours"
    return ""


class _Hourly:
    """Writes the rows; ``v`` keeps each row's values (the cached results of the steps)."""

    def __init__(
        self, sh, prices: PriceSheet, project: Project, catalog, hours: np.ndarray, market
    ):
        self.sh, self.w, self.ps, self.project, self.catalog = sh, sh.w, prices, project, catalog
        self.market: Market = market
        self.names = sh.names
        self.n = sh.n
        self.hours = hours
        self.v: dict[str, np.ndarray] = dict(market.values)
        self.mw: dict[int, float] = {}  # facility MW of each fleet (by block index)
        gm, gp, gc, ga, gk = prices.groups.T
        self.g = {"month": gm, "part": gp, "called": gc, "avoided": ga, "peak": gk}

    # ------------------------------------------------------------------ writing
    def R(self, key: str, c: str) -> str:
        """Row ``key`` in column ``c``: on this sheet, or the Market sheet's row."""
        if key in self.market.rows:
            return f"{MARKET}!{c}${self.market.rows[key]}"
        return f"{c}{self.w.r(key)}"

    def row(
        self,
        key: str,
        label: str,
        unit: str,
        body: Callable[[str], str] | None,
        values: np.ndarray,
        style: str = "num",
        total: bool = True,
    ) -> None:
        self.v[key] = np.asarray(values, dtype=float)
        formula = None if body is None else (lambda c, p: body(c))
        self.w.line(key, label, unit, formula, self.v[key], style, total)

    def row_span(self, key: str) -> str:
        w = self.w
        at = f"{MARKET}!" if key in self.market.rows else ""
        r = self.market.rows[key] if at else w.r(key)
        return f"{at}${w.col(0)}${r}:${w.col(self.n - 1)}${r}"

    def rng(self, col: str, part: str, c: str) -> str:
        a, b = self.R(f"p{part}1", c), self.R(f"p{part}2", c)
        name = RANGE_NAMES[col]
        return f"INDEX({name},{a}):INDEX({name},{b})"

    def sumifs(self, col: str, part: str, c: str, crit: str | None, called: int, peak=False):
        """Σ of Prices column ``col`` over the month's part: not sat out for 4CP, called or
        not, (the peak only), priced at or below ``crit`` (any price when None)."""
        conds = [(CALLED, str(called)), (AVOIDED, "0")] + ([(PEAK, "1")] if peak else [])
        body = ",".join(f"{self.rng(k, part, c)},{v}" for k, v in conds)
        if crit is not None:
            body += f',{self.rng(PRICE, part, c)},"<="&{crit}'
        return f"SUMIFS({self.rng(col, part, c)},{body})"

    def month_sum(self, col: str, c: str) -> str:
        return f"SUM({self.rng(col, 'a', c)})+SUM({self.rng(col, 'b', c)})"

    # ------------------------------------------------------------------ values
    def gsum(self, weights: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return np.bincount(self.g["month"], weights=weights * mask, minlength=self.n)

    def runs_mask(self, crit_a: np.ndarray, crit_b: np.ndarray) -> np.ndarray:
        g = self.g
        crit = np.where(g["part"] == 0, crit_a[g["month"]], crit_b[g["month"]])
        return (self.ps.price <= crit) & (g["avoided"] == 0)


@dataclass
class Market:
    """The Market sheet's monthly rows (1-based) and their values: what every strategy's
    hourly rows read (the calendar of the Prices sheet, the halving, escalation, hashprice)."""

    rows: dict[str, int]
    values: dict[str, np.ndarray]


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
    ws.repeat_columns(0, 1)
    ws.fit_to_pages(0, 1)
    ws.write_string(0, 0, "Market: month by month, for every strategy", fmt["title"])
    h = _Hourly(sh, prices, project, None, np.zeros(n), Market({}, {}))
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
    if mk.btc_price_by_year_usd:  # the year's price, the last one held
        btc_body = lambda c: (  # noqa: E731
            f"INDEX(BtcPriceByYear,MIN(INT({idx(c)}/12),COLUMNS(BtcPriceByYear)-1)+1)"
        )
    else:
        btc_body = lambda c: (  # noqa: E731
            f"{names['market.btc_price_usd']}"
            f"*(1+{names['market.btc_price_growth_pct_per_year']})^({idx(c)}/12)"
        )
    h.row("btc", "BTC price", "USD", btc_body, btc, "num", False)
    diff = mk.difficulty * (1 + mk.difficulty_growth_pct_per_month / 100) ** m_
    h.row(
        "difficulty",
        "Network difficulty",
        "",
        lambda c: (
            f"{names['market.difficulty']}"
            f"*(1+{names['market.difficulty_growth_pct_per_month']})^{idx(c)}"
        ),
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
                lambda c, part: (
                    f"1E+15*86400*({h.R('sub_' + part, c)}"
                    f"+{names['market.fees_btc_per_block']})*{h.R('btc', c)}"
                    f"/({h.R('difficulty', c)}*2^32)"
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


def write_hourly(
    sh, prices: PriceSheet, market: Market, project: Project, catalog, hours: np.ndarray
) -> None:
    """The hourly rows of ``sh`` (a strategy sheet) as formulas; the totals carry the engine's
    values as cached results, the steps this module's own sums of the same groups."""
    h = _Hourly(sh, prices, project, catalog, hours, market)
    w = h.w
    w.heading("Hourly simulation as formulas (each month's hours grouped on the Prices sheet)")
    adder = h.names[E + "tnd_adder_usd_per_mwh"]
    h.row(
        "hashprice_usd_per_ph_day",
        "Hashprice, month average (used miners' resale follows it)",
        "USD/PH/day",
        lambda c: h.R("hashprice_m", c),
        market.values["hashprice_m"],
        "num2",
        False,
    )
    fleets = [j for j, b in enumerate(sh.strategy.blocks) if isinstance(b, MiningBlock)]
    ais = [j for j, b in enumerate(sh.strategy.blocks) if isinstance(b, AiBlock)]
    h.mw = {j: mining_block_power(sh.strategy.blocks[j], catalog)[0] for j in fleets}
    h.v.update(sh.flags)  # the timing flags' values (the strategy sheet's rows)
    for j in fleets:
        _fleet_values(h, j)
    _dr_rows(h, fleets)
    for j in fleets:
        _fleet_runs(h, j, fleets)
    for j in ais:
        _ai_rows(h, j)
    _totals(h, fleets, ais, adder)


def _timeline_rows(h: _Hourly) -> None:
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


def _fleet_values(h: _Hourly, j: int) -> None:
    """Block j's value per MWh at full run in each part of the month (its timing flag and
    facility MW are the strategy sheet's)."""
    sh, n = h.sh, h.n
    b: MiningBlock = sh.strategy.blocks[j]
    asic = h.catalog.asics[b.asic_model]
    m_ = np.arange(n)
    flag = h.v[f"f{j}"]  # the block's timing flag (strategy sheet), with its MW in column C
    i = lambda c: sh.i.replace("{c}", c)  # noqa: E731
    start = sh.name(j, "start_month")
    watts, pue = sh.name(j, "asic_power_w"), sh.name(j, "pue")
    pool, derate = sh.name(j, "pool_fee_pct"), sh.name(j, "derate_pct_per_year")
    ths = sh.name(j, "asic_hashrate_ths")
    d = (1 - b.derate_pct_per_year / 100) ** np.maximum((m_ - b.start_month) // 12, 0)
    per_mwh = (
        asic.hashrate_ths / 1e3 / 24 * (1 - b.pool_fee_pct / 100) / (asic.power_w / 1e6 * b.pue)
    )
    for part in "ab":
        h.row(
            f"v{part}{j}",
            f"{b.name}: value per MWh at full run" + (" (after a halving)" if part == "b" else ""),
            "USD/MWh",
            functools.partial(
                lambda c, part: (
                    f"IF({h.R(f'f{j}', c)}=1,{h.R('hp_' + part, c)}*{ths}/1000/24"
                    f"*(1-{pool})*(1-{derate})^INT(({i(c)}-{start})/12)/({watts}/1000000*{pue}),0)"
                ),
                part=part,
            ),
            flag * h.v[f"hp_{part}"] * per_mwh * d,
            "num2",
            False,
        )


def _mw(h: _Hourly, j: int) -> str:
    return f"$C${h.w.r(f'f{j}')}"


def _dr_rows(h: _Hourly, fleets: list[int]) -> None:
    """The site's flexible MW in the month, the MW enrolled against them, what a call leaves
    running, and what of the enrolled MW still runs (and earns) under a call."""
    names, dr = h.names, h.project.site.demand_response
    enrolled = names[DR + "enrolled_mw"]
    cap = sum((h.v[f"f{j}"] * h.mw[j] for j in fleets), np.zeros(h.n))
    terms = lambda c: "+".join(f"{h.R(f'f{j}', c)}*{_mw(h, j)}" for j in fleets) or "0"  # noqa: E731
    h.row(
        "dr_cap",
        "DR: flexible MW present (the fleets active in the month)",
        "MW",
        terms,
        cap,
        "num2",
        False,
    )
    em = np.minimum(dr.enrolled_mw, cap)
    h.row(
        "dr_em",
        "DR: MW enrolled (at most the flexible MW)",
        "MW",
        lambda c: f"MIN({enrolled},{h.R('dr_cap', c)})",
        em,
        "num2",
        False,
    )
    left = np.maximum(cap - dr.enrolled_mw, 0.0)
    h.row(
        "dr_left",
        "DR: MW a call leaves running",
        "MW",
        lambda c: f"MAX({h.R('dr_cap', c)}-{enrolled},0)",
        left,
        "num2",
        False,
    )
    h.row(
        "dr_e2",
        "DR: enrolled MW still running under a call",
        "MW",
        lambda c: f"MIN({h.R('dr_em', c)},{h.R('dr_left', c)})",
        np.minimum(em, left),
        "num2",
        False,
    )


def _fleet_runs(h: _Hourly, j: int, fleets: list[int]) -> None:
    sh, v = h.sh, h.v
    b: MiningBlock = sh.strategy.blocks[j]
    mws = h.mw
    mw = mws[j]
    name, mwc = b.name, _mw(h, j)
    adder = h.names[E + "tnd_adder_usd_per_mwh"]
    adder_v = h.project.site.energy.tnd_adder_usd_per_mwh
    crit = {p: (lambda c, p=p: f"({h.R(f'v{p}{j}', c)}-{adder})/{h.R('esc', c)}") for p in "ab"}
    crit_v = {p: (v[f"v{p}{j}"] - adder_v) / v["esc"] for p in "ab"}
    flag = v[f"f{j}"]

    # Blocks kept ahead of this one in a call: worth more per MWh (to the millionth of a
    # dollar), or as much and listed before it.
    def ahead_terms(c: str) -> str:
        out = []
        for k in fleets:
            if k == j:
                continue
            op = ">=" if k < j else ">"
            out.append(
                f"{h.R(f'f{k}', c)}*{_mw(h, k)}"
                f"*(ROUND({h.R(f'va{k}', c)},6){op}ROUND({h.R(f'va{j}', c)},6))"
            )
        return "+".join(out) or "0"

    ahead = np.zeros(h.n)
    for k in fleets:
        if k == j:
            continue
        vk, vj = np.round(v[f"va{k}"], 6), np.round(v[f"va{j}"], 6)
        ahead += v[f"f{k}"] * mws[k] * ((vk >= vj) if k < j else (vk > vj))
    h.row(
        f"ahead{j}",
        f"{name}: MW kept ahead of it in a DR call",
        "MW",
        ahead_terms,
        ahead,
        "num2",
        False,
    )
    keep = np.where(
        mw > 0, np.minimum(mw, np.maximum(0.0, v["dr_left"] - ahead)) / max(mw, 1e-300), 0
    )
    h.row(
        f"keep{j}",
        f"{name}: share kept running in a DR call",
        "share",
        lambda c: (
            f"IF({mwc}>0,MIN({mwc},MAX(0,{h.R('dr_left', c)}-{h.R(f'ahead{j}', c)}))/{mwc},0)"
        ),
        keep,
        "factor",
        False,
    )

    g, ps = h.g, h.ps
    runs = h.runs_mask(crit_v["a"], crit_v["b"])
    normal, called = runs & (g["called"] == 0), runs & (g["called"] == 1)

    def over(col: str, c: str, k_called: int, peak: bool = False, parts: str = "ab") -> str:
        """Σ of Prices ``col`` over the month's parts where the fleet would run."""
        return "+".join(h.sumifs(col, p, c, crit[p](c), k_called, peak) for p in parts)

    def kept(col: str, c: str, peak: bool = False, parts: str = "ab") -> str:
        """The same, the called hours at the share the fleet keeps in a call."""
        return (
            f"{over(col, c, 0, peak, parts)}+{h.R(f'keep{j}', c)}*({over(col, c, 1, peak, parts)})"
        )

    def kept_sum(x: np.ndarray, mask: np.ndarray | bool = True) -> np.ndarray:
        """``kept``'s value over the groups, weights ``x``."""
        return (h.gsum(x, normal & mask) + keep * h.gsum(x, called & mask)) * flag

    run_n = h.gsum(ps.hours, normal) * flag
    run_c = h.gsum(ps.hours, called) * flag
    f = lambda c: h.R(f"f{j}", c)  # noqa: E731
    for key, label, k_called, values in (
        (f"rn{j}", "hours run, not called", 0, run_n),
        (f"rc{j}", "called hours it would run (before the cut)", 1, run_c),
    ):
        h.row(
            key,
            f"{name}: {label}",
            "h",
            functools.partial(lambda c, k: f"IF({f(c)}=1,{over(HOURS, c, k)},0)", k=k_called),
            values,
            "num2",
        )
    run_b = kept_sum(ps.hours, g["part"] == 1)
    h.row(
        f"rb{j}",
        f"{name}: hours run after a halving in the month",
        "h",
        lambda c: f"IF({f(c)}=1,{kept(HOURS, c, parts='b')},0)",
        run_b,
        "num2",
    )
    run = run_n + keep * run_c
    h.row(
        f"run{j}",
        f"{name}: hours at full run",
        "h",
        lambda c: f"{h.R(f'rn{j}', c)}+{h.R(f'keep{j}', c)}*{h.R(f'rc{j}', c)}",
        run,
        "num2",
    )
    h.row(
        f"rev{j}",
        f"{name}: mining revenue",
        "USD",
        lambda c: (
            f"{mwc}*({h.R(f'va{j}', c)}*({h.R(f'run{j}', c)}-{h.R(f'rb{j}', c)})"
            f"+{h.R(f'vb{j}', c)}*{h.R(f'rb{j}', c)})"
        ),
        mw * (v[f"va{j}"] * (run - run_b) + v[f"vb{j}"] * run_b),
    )
    h.row(
        f"ph{j}",
        f"{name}: price × hours run (escalated)",
        "USD/MWh·h",
        lambda c: f"IF({f(c)}=1,{h.R('esc', c)}*({kept(PRICE_HOURS, c)}),0)",
        kept_sum(ps.price * ps.hours) * v["esc"],
    )
    em, e2 = v["dr_em"], v["dr_e2"]
    avail = (np.minimum(em, ahead + mw) - np.minimum(em, ahead)) * run_n + (
        np.minimum(e2, ahead + mw) - np.minimum(e2, ahead)
    ) * run_c
    a_ = lambda c: h.R(f"ahead{j}", c)  # noqa: E731
    h.row(
        f"avail{j}",
        f"{name}: MWh that could be shed (earns capacity income)",
        "MWh",
        lambda c: (
            f"(MIN({h.R('dr_em', c)},{a_(c)}+{mwc})-MIN({h.R('dr_em', c)},{a_(c)}))"
            f"*{h.R(f'rn{j}', c)}+(MIN({h.R('dr_e2', c)},{a_(c)}+{mwc})"
            f"-MIN({h.R('dr_e2', c)},{a_(c)}))*{h.R(f'rc{j}', c)}"
        ),
        avail,
    )
    h.row(
        f"pk{j}",
        f"{name}: share running in the 4CP peak hour",
        "share",
        lambda c: f"IF(AND({f(c)}=1,{h.R('has_peak', c)}=1),{kept(HOURS, c, peak=True)},0)",
        kept_sum(ps.hours, g["peak"] == 1),
        "factor",
        False,
    )


def _ai_rows(h: _Hourly, j: int) -> None:
    """An AI block's share in place (lease, renewal, GPU run-off) and the facility MW it draws."""
    sh = h.sh
    b: AiBlock = sh.strategy.blocks[j]
    i = lambda c: sh.i.replace("{c}", c)  # noqa: E731
    live = f"({sh.name(j, 'start_month')}+{sh.name(j, 'conversion_months')})"
    flag = lambda c: h.R(f"live{j}", c)  # noqa: E731 (the timing flag)
    if b.business_model == "colocation" and b.lease_term_months is not None:
        end = f"{live}+{sh.name(j, 'lease_term_months')}"
        body = lambda c: (  # noqa: E731
            f"IF({flag(c)}=0,0,IF({i(c)}<{end},1,{sh.name(j, 'renewal_probability_pct')}))"
        )
    else:
        body = flag
    share = ai_block_share(b, h.n, gpu_life_months(h.project))
    h.row(f"share{j}", f"{b.name}: share in place", "share", body, share, "factor", False)
    it = sh.name(j, "it_mw_used")
    base = f"{it}*{sh.name(j, 'pue')}"
    if b.business_model == "colocation":
        base = f"{it}*{sh.name(j, 'it_load_factor_pct')}*{sh.name(j, 'pue')}"
    mw = ai_block_load_mw(b, h.catalog)
    h.row(
        f"load{j}",
        f"{b.name}: facility MW drawn",
        "MW",
        lambda c: f"{h.R(f'share{j}', c)}*{base}",
        share * mw,
        "num2",
        False,
    )


class _FixedBlock:
    """A fixed-price block contract's energy cost and credits (``energy.simulate_strategy``):
    the block's MW every hour at the fixed price, the load above it at the hour's price, and
    the block's unused MW sold back at it. The load in each Prices group is the AI blocks' MW
    plus each fleet's MW where the group's price is at or below its break-even (not in 4CP
    avoidance; in a DR call, the share it keeps), so both are SUMPRODUCTs over the groups."""

    def __init__(self, h: _Hourly, fleets: list[int], ais: list[int], adder: str):
        self.h, self.fleets, self.ais, self.adder = h, fleets, ais, adder
        self.b = h.names[E + "fixed_block_mw"]
        self.price = h.names[E + "fixed_price_usd_per_mwh"]

    def load(self, c: str, part: str) -> str:
        h = self.h
        ai = "+".join(h.R(f"load{j}", c) for j in self.ais) or "0"
        terms = [f"({ai})"]
        for j in self.fleets:
            crit = f"({h.R(f'v{part}{j}', c)}-{self.adder})/{h.R('esc', c)}"
            terms.append(
                f"{h.R(f'f{j}', c)}*{_mw(h, j)}*({h.rng(PRICE, part, c)}<={crit})"
                f"*(1-{h.rng(AVOIDED, part, c)})"
                f"*(1+({h.R(f'keep{j}', c)}-1)*{h.rng(CALLED, part, c)})"
            )
        return "(" + "+".join(terms) + ")"

    def _sum(self, c: str, gap) -> str:
        h = self.h
        parts = [
            f"SUMPRODUCT({h.rng(HOURS, p, c)},{h.rng(PRICE, p, c)},{gap(self.load(c, p))})"
            for p in "ab"
        ]
        return f"{h.R('esc', c)}*({'+'.join(parts)})"

    def cost(self, c: str) -> str:
        b = self.b
        above = self._sum(c, lambda load: f"({load}-{b})*({load}>{b})")
        return f"{b}*{self.h.sh.hours.replace('{c}', c)}*{self.price}+{above}"

    def credits(self, c: str) -> str:
        b = self.b
        return self._sum(c, lambda load: f"({b}-{load})*({b}>{load})")


def _fixed_block(h: _Hourly, fleets: list[int], ais: list[int], adder: str) -> _FixedBlock | None:
    energy = h.project.site.energy
    if energy.contract == "fixed_block" and energy.fixed_block_mw > 0:
        return _FixedBlock(h, fleets, ais, adder)
    return None


def _totals(h: _Hourly, fleets: list[int], ais: list[int], adder: str) -> None:
    sh, w, t, names = h.sh, h.w, h.sh.t, h.names
    hours = lambda c: sh.hours.replace("{c}", c)  # noqa: E731
    yr = lambda c: sh.year.replace("{c}", c)  # noqa: E731
    dc, fourcp = names[E + "demand_charge_usd_per_kw_month"], names[E + "fourcp_usd_per_kw_year"]

    def plus(terms: list[str]) -> str:
        return "+".join(terms) or "0"

    def billed(key: str, c: str) -> str:
        """A year's average load in its 4CP peaks, billed over the next year, USD."""
        return (
            f"IFERROR(AVERAGEIFS({h.row_span(key)},{h.row_span('year')},MAX({yr(c)}-1,0),"
            f"{h.row_span('has_peak')},1),0)*1000*{fourcp}/12"
        )

    energy_sum = lambda c: f"{h.R('esc', c)}*({h.month_sum(PRICE_HOURS, c)})"  # noqa: E731
    w.column(
        "revenue_mining_usd",
        lambda c, p: plus([h.R(f"rev{j}", c) for j in fleets]),
        t["revenue_mining_usd"],
    )
    w.column("revenue_hosting_usd", lambda c, p: "0", t["revenue_hosting_usd"])
    pass_terms = []
    for j in ais:
        b = sh.strategy.blocks[j]
        if b.business_model == "colocation" and b.power_passthrough:
            pass_terms.append(
                lambda c, j=j: (
                    f"{h.R(f'load{j}', c)}*({energy_sum(c)}+{adder}*{hours(c)}"
                    f"+1000*{dc})+{billed(f'load{j}', c)}"
                )
            )
    w.column(
        "power_passthrough_usd",
        lambda c, p: plus([f(c) for f in pass_terms]),
        t["power_passthrough_usd"],
    )
    rate = names[DR + "capacity_usd_per_mw_month"]
    w.column(
        "dr_capacity_usd",
        lambda c, p: f"({plus([h.R(f'avail{j}', c) for j in fleets])})/{hours(c)}*{rate}",
        t["dr_capacity_usd"],
    )
    fixed = _fixed_block(h, fleets, ais, adder)
    w.column(
        "power_credits_usd",
        (lambda c, p: fixed.credits(c)) if fixed else (lambda c, p: "0"),
        t["power_credits_usd"],
    )
    w.column(
        "energy_mwh",
        lambda c, p: plus(
            [f"{_mw(h, j)}*{h.R(f'run{j}', c)}" for j in fleets]
            + [f"{h.R(f'load{j}', c)}*{hours(c)}" for j in ais]
        ),
        t["energy_mwh"],
    )
    w.column(
        "curtailed_mwh",
        lambda c, p: plus(
            [f"{_mw(h, j)}*({h.R(f'f{j}', c)}*{hours(c)}-{h.R(f'run{j}', c)})" for j in fleets]
        ),
        t["curtailed_mwh"],
    )
    w.column(
        "energy_cost_usd",
        lambda c, p: (
            (
                fixed.cost(c)
                if fixed
                else plus(
                    [f"{_mw(h, j)}*{h.R(f'ph{j}', c)}" for j in fleets]
                    + [f"{h.R(f'load{j}', c)}*{energy_sum(c)}" for j in ais]
                )
            )
            + f"+{adder}*{c}{w.r('energy_mwh')}"
        ),
        t["energy_cost_usd"],
    )

    def peak_mining(c: str) -> str:
        out = ["0"]
        for j in fleets:
            top = f"{h.R(f'ahead{j}', c)}+{_mw(h, j)}"
            out.append(f"IF({h.R(f'rn{j}', c)}>0,{top},0)")
            out.append(f"IF({h.R(f'rc{j}', c)}>0,MIN({top},{h.R('dr_left', c)}),0)")
        return "MAX(" + ",".join(out) + ")"

    w.column(
        "demand_charge_usd",
        lambda c, p: f"({peak_mining(c)}+{plus([h.R(f'load{j}', c) for j in ais])})*1000*{dc}",
        t["demand_charge_usd"],
    )
    peak_load = sum((h.mw[j] * h.v[f"pk{j}"] for j in fleets), np.zeros(h.n)) + sum(
        (h.v[f"load{j}"] * h.ps.has_peak for j in ais), np.zeros(h.n)
    )
    h.row(
        "peak_load",
        "Load in the month's 4CP peak hour",
        "MW",
        lambda c: (
            f"{h.R('has_peak', c)}*("
            + plus(
                [f"{_mw(h, j)}*{h.R(f'pk{j}', c)}" for j in fleets]
                + [h.R(f"load{j}", c) for j in ais]
            )
            + ")"
        ),
        peak_load,
        "num2",
        False,
    )
    w.column("fourcp_charge_usd", lambda c, p: billed("peak_load", c), t["fourcp_charge_usd"])
