"""One strategy's sheet in the FAST layout: label, unit, constant, total, a blank spacer column,
then one column per month. Every row holds one formula, the same across the row; the blank
spacer is the "previous month" of the first month, so running balances need no special case.
Rows from the hourly simulation are written as values and styled as imported data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from xlsxwriter.utility import xl_col_to_name

from core.engine.cashflow import StrategyResult
from core.io.xlsx.assets import write_asset_table
from core.model.catalog import Catalog
from core.model.project import AiBlock, MiningBlock, Project, Strategy

FIRST_COL = 5  # F: first month; E is the blank spacer
ENGINE_ROWS = [
    ("revenue_mining_usd", "Mining revenue", "USD"),
    ("power_passthrough_usd", "Power passed through to tenants", "USD"),
    ("dr_capacity_usd", "Demand-response capacity payments", "USD"),
    ("power_credits_usd", "Power credits (resold energy)", "USD"),
    ("energy_cost_usd", "Energy cost (incl. T&D adder)", "USD"),
    ("demand_charge_usd", "Demand charge", "USD"),
    ("fourcp_charge_usd", "4CP transmission charge", "USD"),
    ("energy_mwh", "Energy drawn", "MWh"),
    ("curtailed_mwh", "Energy curtailed", "MWh"),
]


@dataclass
class StrategySheet:
    """Where a strategy sheet put its rows, for the Summary's formulas and charts."""

    name: str
    rows: dict[str, int] = field(default_factory=dict)  # key → 0-based row
    n: int = 0

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


class _Writer:
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

    def heading(self, text: str) -> None:
        self.row += 1
        self.ws.write_string(self.row, 0, text, self.fmt["section"])
        self.row += 1


def write_strategy_sheet(
    wb,
    fmt: dict,
    sheet_name: str,
    project: Project,
    strategy: Strategy,
    result: StrategyResult,
    names: dict[str, str],
    catalog: Catalog,
    months: list[str],
    block_paths: dict[int, str],
) -> StrategySheet:
    ws = wb.add_worksheet(sheet_name)
    n = len(months)
    t, bd = result.monthly, result.breakdown
    assert bd is not None
    w = _Writer(ws, fmt, n)
    ws.freeze_panes(4, FIRST_COL)
    ws.set_column(0, 0, 42)
    ws.set_column(1, 1, 11)
    ws.set_column(2, 3, 15)
    ws.set_column(4, 4, 2)
    ws.set_column(FIRST_COL, FIRST_COL + n - 1, 12.5)
    ws.write_string(0, 0, strategy.name, fmt["title"])
    ws.write_string(0, 2, "constant", fmt["unit"])
    ws.write_string(0, 3, "total", fmt["unit"])
    w.row = 1
    # --- timeline
    w.rows["date"] = 1
    ws.write_string(1, 0, "Month", fmt["label"])
    for m, label in enumerate(months):
        ws.write_datetime(1, FIRST_COL + m, datetime.strptime(label, "%Y-%m"), fmt["date"])
    w.row = 2
    idx = np.arange(n, dtype=float)
    w.line(
        "idx", "Month index (0 = start, flows at month start)", "#", None, idx, "int", total=False
    )
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
        _hours(months),
        "int",
    )
    i = f"{{c}}${w.r('idx')}"  # the month index cell of a column
    year = f"{{c}}${w.r('year')}"
    hours = f"{{c}}${w.r('hours')}"

    w.heading("From the hourly simulation (engine values: they do not follow edits to Inputs)")
    for key, label, unit in ENGINE_ROWS:
        w.line(key, label, unit, None, t[key], "imported")

    w.heading("Revenue")
    hosting_keys = []
    for j, b in enumerate(strategy.blocks):
        if not isinstance(b, AiBlock):
            continue
        p = block_paths[j]
        live = f"({names[p + '.start_month']}+{names[p + '.conversion_months']})"
        yrs = f"INT(({i}-{live})/12)"
        if b.business_model == "colocation":
            body = (
                f"IF({i}>={live},{names[p + '.it_mw']}*1000*{names[p + '.colo_usd_per_kw_month']}"
                f"*(1+{names[p + '.colo_escalator_pct_per_year']})^{yrs},0)"
            )
        else:
            body = (
                f"IF({i}>={live},{names[p + '.server_count']}*{names[p + '.gpus_per_server']}"
                f"*{hours}*{names[p + '.gpu_hour_usd']}"
                f"*(1-{names[p + '.gpu_price_decline_pct_per_year']})^{yrs}"
                f"*{names[p + '.utilisation_pct']},0)"
            )
        key = f"hosting{j}"
        w.line(key, f"Hosting revenue: {b.name}", "USD", _f(body), bd.block_revenue_usd[j])
        hosting_keys.append(key)
    streams = [
        "revenue_mining_usd",
        "power_passthrough_usd",
        "dr_capacity_usd",
        "power_credits_usd",
        *hosting_keys,
    ]
    w.line(
        "revenue_total_usd",
        "Revenue, total",
        "USD",
        lambda c, p: "+".join(f"{c}{w.r(k)}" for k in streams),
        t["revenue_total_usd"],
        "bold",
    )

    w.heading("Operating costs")
    w.line(
        "fixed_opex",
        "Fixed site opex",
        "USD",
        _f(f"FixedOpex/12*(1+OpexEscalator)^{year}"),
        bd.fixed_opex_usd,
    )
    om_keys = []
    for j, b in enumerate(strategy.blocks):
        p = block_paths[j]
        if isinstance(b, MiningBlock):
            end = names.get(p + ".end_month_or_horizon")
            count, watts = names[p + ".asic_count"], names[p + ".asic_power_w"]
            mw = f"{count}*{watts}/1000000*{names[p + '.pue']}"
            body = (
                f"IF(AND({i}>={names[p + '.start_month']},{i}<{end}),"
                f"{mw}*{names[p + '.om_usd_per_mw_month']},0)"
            )
        else:
            live = f"({names[p + '.start_month']}+{names[p + '.conversion_months']})"
            body = (
                f"IF({i}>={live},{names[p + '.it_mw_used']}*{names[p + '.om_usd_per_mw_month']},0)"
            )
        key = f"om{j}"
        w.line(key, f"O&M: {b.name}", "USD", _f(body), bd.block_om_usd[j])
        om_keys.append(key)
    w.line(
        "opex_usd",
        "Opex, total",
        "USD",
        lambda c, p: "+".join(f"{c}{w.r(k)}" for k in ["fixed_opex", *om_keys]),
        t["opex_usd"],
        "bold",
    )
    w.line(
        "ebitda_usd",
        "EBITDA",
        "USD",
        lambda c, p: (
            f"{c}{w.r('revenue_total_usd')}-{c}{w.r('energy_cost_usd')}"
            f"-{c}{w.r('demand_charge_usd')}-{c}{w.r('fourcp_charge_usd')}"
            f"-{c}{w.r('opex_usd')}"
        ),
        t["ebitda_usd"],
        "bold",
    )

    # --- assets: parameters in a table below the timeline, flows here
    w.heading("Capital assets (parameters in the table at the bottom of this sheet)")
    asset_start = w.row
    n_assets = len(bd.assets)
    table_first = asset_start + 4 * n_assets + 24  # rows reserved below for the flow rows
    kinds: dict[str, list] = {"capex": [], "dep": [], "salvage": [], "gain": []}
    for k, (a, flows) in enumerate(bd.assets):
        tr = table_first + 1 + k + 1  # 1-based row of the asset's parameter line
        cols = {c: f"${c}${tr}" for c in "CDEFGHIJKLMNO"}
        rows = (
            ("capex", f"Capex: {a.name}", f"IF({i}={cols['D']},{cols['C']},0)", flows.capex_usd),
            (
                "dep",
                f"Depreciation: {a.name}",
                f"IF(AND({i}>={cols['G']},{i}<{cols['I']}),{cols['M']},0)",
                flows.depreciation_usd,
            ),
            (
                "salvage",
                f"Salvage: {a.name}",
                f"IF({i}={cols['J']},{cols['N']},0)",
                flows.salvage_usd,
            ),
            (
                "gain",
                f"Gain on sale: {a.name}",
                f"IF({i}={cols['J']},{cols['N']}-{cols['O']},0)",
                flows.sale_gain_usd,
            ),
        )
        for kind, label, body, values in rows:
            key = f"{kind}{k}"
            w.line(key, label, "USD", _f(body), values)
            kinds[kind].append(key)

    def total(keys: list[str]) -> Callable[[str, str], str]:
        return lambda c, p: "+".join(f"{c}{w.r(k)}" for k in keys) if keys else "0"

    w.line("capex_usd", "Capex, total", "USD", total(kinds["capex"]), t["capex_usd"], "bold")
    w.line(
        "depreciation_usd",
        "Depreciation, total",
        "USD",
        total(kinds["dep"]),
        t["depreciation_usd"],
        "bold",
    )
    w.line(
        "salvage_usd",
        "Salvage proceeds, total",
        "USD",
        total(kinds["salvage"]),
        t["salvage_usd"],
        "bold",
    )
    gain = sum((f.sale_gain_usd for _, f in bd.assets), np.zeros(n))
    w.line("gain", "Gain on sale, total", "USD", total(kinds["gain"]), gain, "bold")

    w.heading("Tax (losses carried forward) and free cash flow")
    w.line(
        "taxable_income_usd",
        "Taxable income",
        "USD",
        lambda c, p: f"{c}{w.r('ebitda_usd')}-{c}{w.r('depreciation_usd')}+{c}{w.r('gain')}",
        t["taxable_income_usd"],
    )
    cum_taxable = np.cumsum(t["taxable_income_usd"])
    w.line(
        "cum_taxable",
        "Cumulative taxable income",
        "USD",
        lambda c, p: f"N({p}{w.r('cum_taxable')})+{c}{w.r('taxable_income_usd')}",
        cum_taxable,
        total=False,
    )
    base = np.maximum.accumulate(np.maximum(cum_taxable, 0.0))
    w.line(
        "base",
        "Cumulative income taxed (running maximum, ≥ 0)",
        "USD",
        lambda c, p: f"MAX(N({p}{w.r('base')}),{c}{w.r('cum_taxable')},0)",
        base,
        total=False,
    )
    w.line(
        "tax_usd",
        "Tax",
        "USD",
        lambda c, p: f"TaxRate*({c}{w.r('base')}-N({p}{w.r('base')}))",
        t["tax_usd"],
    )
    w.line(
        "fcf_usd",
        "Free cash flow",
        "USD",
        lambda c, p: (
            f"{c}{w.r('ebitda_usd')}-{c}{w.r('capex_usd')}"
            f"+{c}{w.r('salvage_usd')}-{c}{w.r('tax_usd')}"
        ),
        t["fcf_usd"],
        "bold",
    )
    w.line(
        "cumulative_fcf_usd",
        "Cumulative free cash flow",
        "USD",
        lambda c, p: f"N({p}{w.r('cumulative_fcf_usd')})+{c}{w.r('fcf_usd')}",
        t["cumulative_fcf_usd"],
        total=False,
    )
    w.line(
        "discount_factor",
        "Discount factor (start of month)",
        "×",
        lambda c, p: f"(1+MonthlyRate)^(-{c}${w.r('idx')})",
        t["discount_factor"],
        "factor",
        total=False,
    )
    w.line(
        "discounted_fcf_usd",
        "Discounted free cash flow",
        "USD",
        lambda c, p: f"{c}{w.r('fcf_usd')}*{c}{w.r('discount_factor')}",
        t["discounted_fcf_usd"],
    )
    w.line(
        "cumulative_discounted_fcf_usd",
        "Cumulative discounted free cash flow",
        "USD",
        lambda c, p: f"N({p}{w.r('cumulative_discounted_fcf_usd')})+{c}{w.r('discounted_fcf_usd')}",
        t["cumulative_discounted_fcf_usd"],
        total=False,
    )

    # --- the asset parameter table
    assert w.row < table_first - 1, "asset table would overlap the flow rows"
    write_asset_table(ws, fmt, table_first, bd.assets, names, project, n, block_paths, strategy)
    return StrategySheet(sheet_name, w.rows, n)


def _f(body: str) -> Callable[[str, str], str]:
    return lambda c, p: body.replace("{c}", c)


def _hours(months: list[str]) -> np.ndarray:
    import calendar

    return np.array(
        [calendar.monthrange(int(m[:4]), int(m[5:]))[1] * 24 for m in months], dtype=float
    )
