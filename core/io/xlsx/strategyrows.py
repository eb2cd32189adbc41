"""What every row group of one strategy sheet reads (``StrategyRows``); the tax rows that both
the unlevered cash flow and the levered one (``debt.py``) write; and the rows from tax to free
cash flow: the cash flow itself, what the strategy adds over the baseline, the continuing
value."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from xlsxwriter.utility import xl_col_to_name

from core.engine.cashflow import Breakdown
from core.engine.columns import MONTHLY_COLUMNS
from core.engine.finance.tax import tax_steps
from core.engine.kpis import incremental_rows
from core.engine.terminal import AFTER_YEARS
from core.io.xlsx.rows import FIRST_COL, RowWriter, StrategySheet, quote
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


def write_cash_flow_rows(sh: StrategyRows) -> None:
    w, t = sh.w, sh.t
    w.heading("Tax (losses carried forward) and free cash flow")
    w.column(
        "taxable_income_usd",
        lambda c, p: f"{c}{w.r('ebitda_usd')}-{c}{w.r('depreciation_usd')}+{c}{w.r('gain')}",
        t["taxable_income_usd"],
    )
    write_tax_rows(
        sh,
        "taxable_income_usd",
        t["taxable_income_usd"],
        "tax_usd",
        MONTHLY_COLUMNS["tax_usd"].label,
        t["tax_usd"],
    )
    tv = ""
    if sh.continuing:
        write_continuing_value_rows(sh)
        tv = f"+{{c}}{w.r('terminal_value_usd')}"
    w.column(
        "fcf_usd",
        lambda c, p: (
            f"{c}{w.r('ebitda_usd')}-{c}{w.r('capex_usd')}"
            f"+{c}{w.r('salvage_usd')}-{c}{w.r('tax_usd')}" + tv.replace("{c}", c)
        ),
        t["fcf_usd"],
        "bold",
    )
    w.column(
        "cumulative_fcf_usd",
        lambda c, p: f"N({p}{w.r('cumulative_fcf_usd')})+{c}{w.r('fcf_usd')}",
        t["cumulative_fcf_usd"],
        total=False,
    )
    w.column(
        "discount_factor",
        lambda c, p: f"(1+MonthlyRate)^(-{c}${w.r('idx')})",
        t["discount_factor"],
        "factor",
        total=False,
    )
    w.column(
        "discounted_fcf_usd",
        lambda c, p: f"{c}{w.r('fcf_usd')}*{c}{w.r('discount_factor')}",
        t["discounted_fcf_usd"],
    )
    w.column(
        "cumulative_discounted_fcf_usd",
        lambda c, p: f"N({p}{w.r('cumulative_discounted_fcf_usd')})+{c}{w.r('discounted_fcf_usd')}",
        t["cumulative_discounted_fcf_usd"],
        total=False,
    )
    if not sh.continuing:
        w.line(
            "terminal_value_usd",
            "Terminal value: the held assets' sale at the horizon (in salvage above)",
            "USD",
            sh.total(sh.held_salvage),
            t["terminal_value_usd"],
        )
    if sh.baseline is not None:
        write_over_baseline_rows(sh, *sh.baseline)


def write_over_baseline_rows(sh: StrategyRows, base: StrategySheet, base_fcf: np.ndarray) -> None:
    """What the strategy adds over the baseline: its FCF less the baseline's, month by month,
    and the running sums the incremental IRR and paybacks read (core.engine.kpis)."""
    w, t = sh.w, sh.t
    w.heading("Over the baseline strategy")
    over = incremental_rows(t["fcf_usd"], base_fcf, t["discount_factor"])
    ref, fcf_row, base_row = quote(base.name), w.r("fcf_usd"), base.rows["fcf_usd"] + 1
    w.line(
        "inc_fcf",
        f"Free cash flow over {base.name}",
        "USD",
        lambda c, p: f"{c}{fcf_row}-{ref}!{c}{base_row}",
        over["fcf_usd"],
    )
    w.line(
        "inc_cum",
        "Cumulative, over the baseline",
        "USD",
        lambda c, p: f"N({p}{w.r('inc_cum')})+{c}{w.r('inc_fcf')}",
        over["cumulative_fcf_usd"],
        total=False,
    )
    w.line(
        "inc_cum_disc",
        "Cumulative discounted, over the baseline",
        "USD",
        lambda c, p: f"N({p}{w.r('inc_cum_disc')})+{c}{w.r('inc_fcf')}*{c}{w.r('discount_factor')}",
        over["cumulative_discounted_fcf_usd"],
        total=False,
    )


def write_continuing_value_rows(sh: StrategyRows) -> None:
    """The continuing value: the strategy's own years after the horizon, one column a year
    (core.engine.terminal). EBITDA, capex, server sales, depreciation and sale gains are
    MinePivot's run of each block's path; tax (losses carried, the loss limit), free cash
    flow, the growth input, discounting and the sum are formulas. The monthly row holds the
    sum in the horizon's last month."""
    w, t, n = sh.w, sh.t, sh.n
    c = sh.bd.continuing
    assert c is not None
    a = c.after
    ws, fmt = w.ws, w.fmt
    w.heading(
        "Continuing value: the strategy's own years after the horizon, one column a year "
        "(EBITDA to sale gains from MinePivot's run of each block's path)"
    )
    years = np.arange(1, AFTER_YEARS + 1, dtype=float)

    def col(k: int) -> str:
        return xl_col_to_name(FIRST_COL + k)

    def row(key: str, label: str, formula, values: np.ndarray, style: str = "num") -> None:
        r = w.row
        w.rows[key] = r
        ws.write_string(r, 0, label, fmt["label"])
        ws.write_string(r, 1, "USD" if style != "factor" else "", fmt["unit"])
        for k in range(AFTER_YEARS):
            v = float(values[k])
            if formula is None:
                ws.write_number(r, FIRST_COL + k, v, fmt[style])
            else:
                prev = col(k - 1) if k else ""
                ws.write_formula(r, FIRST_COL + k, "=" + formula(col(k), prev, k), fmt[style], v)
        w.row += 1

    def at(key: str, cc: str) -> str:
        return f"{cc}{w.r(key)}"

    row("cv_year", "After the horizon: year", None, years, "factor")
    row("cv_ebitda", "After the horizon: EBITDA", None, a.ebitda_usd)
    row("cv_capex", "After the horizon: capex (servers replaced)", None, a.capex_usd)
    row(
        "cv_salvage",
        "After the horizon: servers sold at the end of their life",
        None,
        a.salvage_usd,
    )
    row("cv_dep", "After the horizon: depreciation", None, a.depreciation_usd)
    row("cv_gain", "After the horizon: gain on sales", None, a.sale_gain_usd)
    row(
        "cv_taxable",
        "After the horizon: taxable income",
        lambda cc, p, k: f"{at('cv_ebitda', cc)}-{at('cv_dep', cc)}+{at('cv_gain', cc)}",
        c.taxable_usd,
    )
    w.rows["cv_used"] = w.row + 1  # the row under it, which each year's carry reads
    row(
        "cv_carried",
        "After the horizon: tax losses carried in (year 1: from the horizon, MinePivot)",
        lambda cc, p, k: (
            f"{a.losses_carried_usd!r}"
            if not k
            else f"{at('cv_carried', p)}-{at('cv_used', p)}+MAX(-{at('cv_taxable', p)},0)"
        ),
        c.losses_carried_in_usd,
    )
    limit = f"{a.loss_limit!r}"
    row(
        "cv_used",
        "After the horizon: tax losses used"
        + (" (at most 80 % of the year's income)" if a.loss_limit < 1 else ""),
        lambda cc, p, k: f"MIN({at('cv_carried', cc)},{limit}*MAX({at('cv_taxable', cc)},0))",
        c.losses_used_usd,
    )
    row(
        "cv_tax",
        "After the horizon: tax",
        lambda cc, p, k: f"TaxRate*MAX(MAX({at('cv_taxable', cc)},0)-{at('cv_used', cc)},0)",
        c.tax_usd,
    )
    row(
        "cv_fcf",
        "After the horizon: free cash flow",
        lambda cc, p, k: (
            f"{at('cv_ebitda', cc)}-{at('cv_capex', cc)}+{at('cv_salvage', cc)}-{at('cv_tax', cc)}"
        ),
        c.fcf_usd,
    )
    row(
        "cv_growth",
        "After the horizon: growth input, (1 + g)^year",
        lambda cc, p, k: f"(1+TerminalGrowth)^{at('cv_year', cc)}",
        c.growth_factor,
        "factor",
    )
    row(
        "cv_discount",
        "After the horizon: discount to its last month (months averaged)",
        lambda cc, p, k: (
            f"(1+MonthlyRate)^(-12*({at('cv_year', cc)}-1))"
            "*((1+MonthlyRate)^-1-(1+MonthlyRate)^-13)/(1-(1+MonthlyRate)^-1)/12"
        ),
        c.discount_factor,
        "factor",
    )
    row(
        "cv_pv",
        "After the horizon: present value at its end",
        lambda cc, p, k: f"{at('cv_fcf', cc)}*{at('cv_growth', cc)}*{at('cv_discount', cc)}",
        c.pv_usd,
    )
    total = f"SUM({col(0)}{w.r('cv_pv')}:{col(AFTER_YEARS - 1)}{w.r('cv_pv')})"
    w.heading("The continuing value, in the horizon's last month, and free cash flow")
    last = w.col(n - 1)
    w.line(
        "terminal_value_usd",
        "Continuing value (the sum of the years after the horizon above)",
        "USD",
        lambda cc, p: total if cc == last else "0",
        t["terminal_value_usd"],
    )
