"""What every row group of one strategy sheet reads (``StrategyRows``), and the tax rows that
both the unlevered cash flow (``strategy.py``) and the levered one (``debt.py``) write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from core.engine.cashflow import Breakdown
from core.engine.finance.tax import tax_steps
from core.io.xlsx.rows import RowWriter, StrategySheet
from core.model.project import Finance, Strategy


@dataclass
class StrategyRows:
    """What every row group of one strategy sheet reads."""

    w: RowWriter
    strategy: Strategy
    t: dict[str, np.ndarray]
    bd: Breakdown
    names: dict[str, str]  # input path → defined name on the Inputs sheet
    block_paths: dict[int, str]  # block index → its input path
    n: int
    # A month column's cells, with "{c}" for the column: index, year of the horizon, hours.
    i: str = ""
    year: str = ""
    hours: str = ""
    continuing: bool = False  # finance.terminal_value: held assets stay in use, not sold
    nol_limit: bool = False  # finance.nol_80_pct_limit: the yearly 80 % loss rule
    project_finance: Finance | None = None
    baseline: tuple[StrategySheet, np.ndarray] | None = None  # the baseline's, for others
    held_salvage: list[str] = field(default_factory=list)  # salvage rows of assets held
    flags: dict[str, np.ndarray] = field(default_factory=dict)  # timing flag rows' values

    def name(self, j: int, field: str) -> str:
        """The defined name of block ``j``'s input ``field``."""
        return self.names[f"{self.block_paths[j]}.{field}"]

    def total(self, keys: list[str]) -> Callable[[str, str], str]:
        """A month's sum of the rows ``keys`` (0 when there are none)."""
        w = self.w
        return lambda c, p: "+".join(f"{c}{w.r(k)}" for k in keys) if keys else "0"


def write_tax_rows(
    sh: StrategyRows,
    taxable_key: str,
    taxable: np.ndarray,
    out_key: str,
    out_label: str,
    out_values: np.ndarray,
    prefix: str = "",
) -> None:
    """The tax rows on the taxable-income row ``taxable_key``: the 80 % yearly rule or
    unlimited carry-forward, as the project says, ending in row ``out_key``. ``prefix`` keeps
    a second set (the levered tax) apart from the first. The cached values are the engine's
    steps of the same rule (``core.engine.finance.tax.tax_steps``)."""
    assert sh.project_finance is not None
    steps = tax_steps(taxable, sh.project_finance)
    if sh.nol_limit:
        _tax_with_loss_limit(sh, taxable_key, steps, out_key, out_label, out_values, prefix)
    else:
        _tax_unlimited(sh, taxable_key, steps, out_key, out_label, out_values, prefix)


def _tax_unlimited(sh, taxable_key, steps, out_key, out_label, out_values, prefix) -> None:
    """Losses carried forward without limit, month by month: tax on each rise of the running
    maximum of cumulative taxable income (core.engine.finance.tax.tax_with_loss_carryforward)."""
    w = sh.w
    cum_key, base_key = prefix + "cum_taxable", prefix + "base"
    w.line(
        cum_key,
        "Cumulative taxable income",
        "USD",
        lambda c, p: f"N({p}{w.r(cum_key)})+{c}{w.r(taxable_key)}",
        steps["cum_taxable"],
        total=False,
    )
    w.line(
        base_key,
        "Cumulative income taxed (running maximum, ≥ 0)",
        "USD",
        lambda c, p: f"MAX(N({p}{w.r(base_key)}),{c}{w.r(cum_key)},0)",
        steps["base"],
        total=False,
    )
    w.line(
        out_key,
        out_label,
        "USD",
        lambda c, p: f"TaxRate*({c}{w.r(base_key)}-N({p}{w.r(base_key)}))",
        out_values,
    )


def _tax_with_loss_limit(sh, taxable_key, steps, out_key, out_label, out_values, prefix) -> None:
    """Each tax year nets its months; losses carried from earlier years offset at most 80 %
    of the year's income; each month pays the change in the year-to-date tax
    (core.engine.finance.tax.tax_with_loss_limit)."""
    w = sh.w
    ytd_key, carried_key, base_key = prefix + "ytd", prefix + "carried", prefix + "base"
    ytd, carried, base = steps["ytd"], steps["carried"], steps["base"]
    new_year = f"MOD({sh.i},12)=0"

    def prev(key: str, p: str) -> str:
        return f"N({p}{w.r(key)})"

    w.line(
        ytd_key,
        "Taxable income, year to date",
        "USD",
        lambda c, p: f"IF({new_year.replace('{c}', c)},0,{prev(ytd_key, p)})+{c}{w.r(taxable_key)}",
        ytd,
        total=False,
    )
    w.line(
        carried_key,
        "Losses carried into the year",
        "USD",
        lambda c, p: (
            f"IF({new_year.replace('{c}', c)},{prev(carried_key, p)}"
            f"-MIN({prev(carried_key, p)},0.8*MAX({prev(ytd_key, p)},0))"
            f"+MAX(-{prev(ytd_key, p)},0),{prev(carried_key, p)})"
        ),
        carried,
        total=False,
    )
    w.line(
        base_key,
        "Income taxed, year to date (losses offset ≤ 80 % of it)",
        "USD",
        lambda c, p: (
            f"MAX({c}{w.r(ytd_key)}-MIN({c}{w.r(carried_key)},0.8*MAX({c}{w.r(ytd_key)},0)),0)"
        ),
        base,
        total=False,
    )
    w.line(
        out_key,
        out_label,
        "USD",
        lambda c, p: (
            f"TaxRate*({c}{w.r(base_key)}-IF({new_year.replace('{c}', c)},0,{prev(base_key, p)}))"
        ),
        out_values,
    )
