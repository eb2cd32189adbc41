"""What every hourly module writes with: the row helper over the Prices sheet's groups, the
Market sheet's rows, and a strategy's miners sorted by the part they play."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.engine.blocks.kinds import is_ai, is_hosted, mines
from core.io.xlsx.prices import (
    AVOIDED,
    CALLED,
    HOURS,
    PEAK,
    PRICE,
    PRICE_HOURS,
    RANGE_NAMES,
    PriceSheet,
    call_names,
)
from core.model.project import Project, Strategy

E = "site.energy."
DR = "site.demand_response."
MARKET = "Market"
FIXED = "imported_int"  # set in MinePivot: the calendar, the halving schedule


@dataclass
class Market:
    """The Market sheet's monthly rows (1-based) and their values: what every strategy's
    hourly rows read (the calendar of the Prices sheet, the halving, escalation, hashprice)."""

    rows: dict[str, int]
    values: dict[str, np.ndarray]


@dataclass
class Miners:
    """A strategy's blocks by the part they play (indices in block order). Flexible loads
    (own fleets, curtailable hosting) run on price and take DR calls; firm hosting runs every
    hour of its term. ``parts``: ("",) when one keep order holds all month, ("a", "b") when it
    may change at a halving (a hosting rate per kWh, or a margin, does not halve)."""

    own: list[int]
    flex: list[int]
    firm: list[int]
    kept: list[int]  # flexible loads whose capacity income the site keeps
    hosted: list[int]
    ais: list[int]
    parts: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """Whether some flexible load passes its capacity income to the client."""
        return len(self.kept) < len(self.flex)


def miners(strategy: Strategy) -> Miners:
    blocks = strategy.blocks
    mining = [j for j, b in enumerate(blocks) if mines(b)]
    hosting = {j: b for j, b in enumerate(blocks) if is_hosted(b)}
    hosted = list(hosting)
    firm = [j for j in hosted if not hosting[j].curtailable]
    flex = [j for j in mining if j not in firm]
    kept = [j for j in flex if j not in hosting or hosting[j].dr_income == "kept"]
    ais = [j for j, b in enumerate(blocks) if is_ai(b)]
    split = len(flex) > 1 and any(j in hosted for j in flex)
    own = [j for j in mining if j not in hosted]
    return Miners(own, flex, firm, kept, hosted, ais, ("a", "b") if split else ("",))


class Hourly:
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
        self.mw: dict[int, float] = {}  # facility MW of each miner (by block index)
        self.m = Miners([], [], [], [], [], [], ("",))  # a strategy sheet's: ``miners``
        gm, gp, gc, ga, gk = prices.groups.T
        self.g = {"month": gm, "part": gp, "called": gc, "avoided": ga, "peak": gk}
        # The strategy's place in the project: with DR calls on the highest-load hours, its
        # own call columns on the Prices sheet.
        strategy = getattr(sh, "strategy", None)
        self.i = next((k for k, s in enumerate(project.strategies) if s is strategy), 0)
        self.calls = call_names(self.i) if prices.by_load and strategy is not None else None
        self.cs = prices.called_share(self.i)  # (G,) the share of each group's hours called

    # ------------------------------------------------------------------ writing
    def R(self, key: str, c: str) -> str:
        """Row ``key`` in column ``c``: on this sheet, or the Market sheet's row."""
        if key in self.market.rows:
            return f"{MARKET}!{c}${self.market.rows[key]}"
        return f"{c}{self.w.r(key)}"

    def mwc(self, j: int) -> str:
        """Block j's facility MW (column C of its timing flag)."""
        return f"$C${self.w.r(f'f{j}')}"

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
        """The month part's rows of a Prices column (a letter, or a column's defined name)."""
        a, b = self.R(f"p{part}1", c), self.R(f"p{part}2", c)
        name = RANGE_NAMES.get(col, col)
        return f"INDEX({name},{a}):INDEX({name},{b})"

    def sumifs(
        self, col: str, part: str, c: str, crit: str | None, called: int | None, peak=False
    ) -> str:
        """Σ of Prices column ``col`` over the month's part: not sat out for 4CP, called or
        not, (the peak only), priced at or below ``crit`` (any price when None). ``called``
        None: every hour, called, sat out or not (a firm load's)."""
        by_load = self.calls is not None and called is not None
        conds = [] if called is None or by_load else [(CALLED, str(called)), (AVOIDED, "0")]
        conds += [(AVOIDED, "0")] if by_load else []
        conds += [(PEAK, "1")] if peak else []
        if crit is not None:
            conds.append((PRICE, f'"<="&{crit}'))
        body = ",".join(f"{self.rng(k, part, c)},{v}" for k, v in conds)
        if not by_load:
            return f"SUMIFS({self.rng(col, part, c)},{body})"
        # Calls by load: the strategy's called hours are a column of their own.
        assert self.calls is not None and col in (HOURS, PRICE_HOURS)
        of_calls = self.calls[1] if col == HOURS else self.calls[2]
        in_calls = f"SUMIFS({self.rng(of_calls, part, c)},{body})"
        return in_calls if called == 1 else f"(SUMIFS({self.rng(col, part, c)},{body})-{in_calls})"

    def month_sum(self, col: str, c: str) -> str:
        return f"SUM({self.rng(col, 'a', c)})+SUM({self.rng(col, 'b', c)})"

    def energy_sum(self, c: str) -> str:
        """The month's escalated Σ price × hours: a firm MW's energy cost, USD/MW."""
        return f"{self.R('esc', c)}*({self.month_sum(PRICE_HOURS, c)})"

    def breakeven(self, j: int, part: str, c: str) -> str:
        """Block j's break-even base price in the month part: the highest Prices base price
        at which it runs, (value per MWh − T&D adder) ÷ escalation."""
        adder = self.names[E + "tnd_adder_usd_per_mwh"]
        return f"({self.R(f'v{part}{j}', c)}-{adder})/{self.R('esc', c)}"

    # ------------------------------------------------------------------ values
    def gsum(self, weights: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return np.bincount(self.g["month"], weights=weights * mask, minlength=self.n)

    def breakeven_v(self, j: int, part: str) -> np.ndarray:
        """``breakeven``'s values by month."""
        adder = self.project.site.energy.tnd_adder_usd_per_mwh
        return (self.v[f"v{part}{j}"] - adder) / self.v["esc"]

    def crit_mask(self, crit_a: np.ndarray, crit_b: np.ndarray) -> np.ndarray:
        """The groups priced at or below each month part's criterion."""
        g = self.g
        crit = np.where(g["part"] == 0, crit_a[g["month"]], crit_b[g["month"]])
        return self.ps.price <= crit

    def runs_mask(self, crit_a: np.ndarray, crit_b: np.ndarray) -> np.ndarray:
        return self.crit_mask(crit_a, crit_b) & (self.g["avoided"] == 0)
