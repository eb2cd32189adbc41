"""The monthly table's columns: key, unit, the row label the workbook and reports print, and
the short name a chart legend shows. Charts, the command line's CSV and the workbook all read
them from here, so a stream is called the same everywhere.

And the same table by project year, as a finance statement reads (``annual_statement``):
revenue by stream, costs (negative), EBITDA, capex, sales and terminal value, tax, free cash
flow, then the debt's flows and the equity cash flow. Years are the horizon's 12-month tax years
(year 1 is the first 12 months); each line sums its months, so every year's lines add up to
its subtotals."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Column:
    key: str
    unit: str
    label: str  # a row label: workbook, report, tables
    short: str  # a legend entry

    def __str__(self) -> str:
        return self.key


def _columns(*rows: tuple[str, str, str, str]) -> dict[str, Column]:
    return {key: Column(key, unit, label, short) for key, unit, label, short in rows}


# In the order of the monthly table (and of the ``--monthly`` CSV).
MONTHLY_COLUMNS: dict[str, Column] = _columns(
    ("revenue_mining_usd", "USD", "Mining revenue", "Mining"),
    ("revenue_colocation_usd", "USD", "Colocation revenue", "Colocation"),
    ("revenue_gpu_cloud_usd", "USD", "GPU cloud revenue", "GPU cloud"),
    ("revenue_hosting_usd", "USD", "Hosting revenue (third-party miners)", "Hosting"),
    (
        "power_passthrough_usd",
        "USD",
        "Power passed through to tenants and hosting clients",
        "Power passed through",
    ),
    ("dr_capacity_usd", "USD", "Demand-response capacity payments", "Demand response"),
    ("power_credits_usd", "USD", "Power credits (resold energy)", "Power credits"),
    ("revenue_total_usd", "USD", "Revenue, total", "Revenue"),
    ("energy_cost_usd", "USD", "Energy cost (incl. T&D adder)", "Energy"),
    ("demand_charge_usd", "USD", "Demand charge", "Demand"),
    ("fourcp_charge_usd", "USD", "4CP transmission charge", "4CP"),
    ("opex_usd", "USD", "Opex, total", "Opex"),
    ("ebitda_usd", "USD", "EBITDA", "EBITDA"),
    ("capex_usd", "USD", "Capex, total", "Capex"),
    ("salvage_usd", "USD", "Salvage proceeds, total", "Salvage"),
    (
        "terminal_value_usd",
        "USD",
        "Terminal value (book value: of salvage, the sale of assets held; continuing: added)",
        "Terminal value",
    ),
    ("depreciation_usd", "USD", "Depreciation, total", "Depreciation"),
    ("taxable_income_usd", "USD", "Taxable income", "Taxable income"),
    ("tax_usd", "USD", "Tax", "Tax"),
    ("fcf_usd", "USD", "Free cash flow", "FCF"),
    ("cumulative_fcf_usd", "USD", "Cumulative free cash flow", "Cumulative FCF"),
    ("discount_factor", "×", "Discount factor (start of month)", "Discount factor"),
    ("discounted_fcf_usd", "USD", "Discounted free cash flow", "Discounted FCF"),
    (
        "cumulative_discounted_fcf_usd",
        "USD",
        "Cumulative discounted free cash flow",
        "Cumulative discounted FCF",
    ),
    ("energy_mwh", "MWh", "Energy drawn", "Energy drawn"),
    ("mining_energy_mwh", "MWh", "Energy drawn by miners (own and hosted)", "Mining energy"),
    ("curtailed_mwh", "MWh", "Energy curtailed", "Curtailed"),
    ("hashrate_ph", "PH/s", "Hashrate", "Hashrate"),
    ("hashprice_usd_per_ph_day", "USD/PH/day", "Hashprice", "Hashprice"),
    ("btc_price_usd", "USD", "BTC price", "BTC price"),
    # Project finance (core.engine.debt); zero, and equity = free cash flow, without debt.
    ("debt_draw_usd", "USD", "Debt drawn", "Debt drawn"),
    ("interest_usd", "USD", "Interest accrued", "Interest"),
    ("interest_paid_usd", "USD", "Interest paid", "Interest paid"),
    ("capitalised_interest_usd", "USD", "Interest capitalised (construction)", "Capitalised"),
    ("principal_usd", "USD", "Principal repaid (incl. sweep)", "Principal"),
    (
        "balloon_usd",
        "USD",
        "Balloon repaid (in principal: the refinanced share, or what is owed at the horizon end)",
        "Balloon",
    ),
    ("fees_usd", "USD", "Upfront fee", "Fees"),
    ("dsra_funding_usd", "USD", "Debt-service reserve funded", "DSRA funded"),
    ("dsra_release_usd", "USD", "Debt-service reserve released", "DSRA released"),
    ("debt_balance_usd", "USD", "Debt balance (end of month)", "Debt balance"),
    ("cfads_usd", "USD", "Cash flow available for debt service", "CFADS"),
    ("dscr", "×", "DSCR (CFADS ÷ debt service; 0 without debt service)", "DSCR"),
    ("tax_shield_usd", "USD", "Interest tax shield", "Tax shield"),
    ("equity_fcf_usd", "USD", "Equity cash flow", "Equity FCF"),
    ("cumulative_equity_fcf_usd", "USD", "Cumulative equity cash flow", "Cumulative equity"),
)

# The revenue streams, which add up to ``revenue_total_usd``.
REVENUE_COLUMNS = (
    "revenue_mining_usd",
    "revenue_colocation_usd",
    "revenue_gpu_cloud_usd",
    "revenue_hosting_usd",
    "power_passthrough_usd",
    "dr_capacity_usd",
    "power_credits_usd",
)


# (label, monthly column, sign, kind): kind "line" adds up to the next "total" below it.
STATEMENT = (
    ("Mining revenue", "revenue_mining_usd", 1, "line"),
    ("Colocation revenue", "revenue_colocation_usd", 1, "line"),
    ("GPU cloud revenue", "revenue_gpu_cloud_usd", 1, "line"),
    ("Hosting revenue", "revenue_hosting_usd", 1, "line"),
    ("Power passed through", "power_passthrough_usd", 1, "line"),
    ("Demand response", "dr_capacity_usd", 1, "line"),
    ("Power credits", "power_credits_usd", 1, "line"),
    ("Total revenue", "revenue_total_usd", 1, "total"),
    ("Energy", "energy_cost_usd", -1, "line"),
    ("Demand charge", "demand_charge_usd", -1, "line"),
    ("4CP transmission", "fourcp_charge_usd", -1, "line"),
    ("Opex (site and O&M)", "opex_usd", -1, "line"),
    ("EBITDA", "ebitda_usd", 1, "total"),
    ("Capex", "capex_usd", -1, "line"),
    ("Asset sales", "asset_sales_usd", 1, "line"),
    ("Terminal value", "terminal_value_usd", 1, "line"),
    ("Tax", "tax_usd", -1, "line"),
    ("Free cash flow", "fcf_usd", 1, "total"),
    ("Debt drawn", "debt_draw_usd", 1, "line"),
    ("Interest paid", "interest_paid_usd", -1, "line"),
    ("Principal repaid", "principal_usd", -1, "line"),
    ("Fees", "fees_usd", -1, "line"),
    ("Reserve funded", "dsra_funding_usd", -1, "line"),
    ("Reserve released", "dsra_release_usd", 1, "line"),
    ("Interest tax shield", "tax_shield_usd", 1, "line"),
    ("Equity cash flow", "equity_fcf_usd", 1, "total"),
)
DEBT_LINES = ("debt_draw_usd", "interest_paid_usd", "principal_usd", "fees_usd")


@dataclass(frozen=True)
class AnnualStatement:
    years: list[str]  # "Year 1 (2027-01 to 2027-12)"
    labels: list[str]
    kinds: list[str]  # "line" or "total"
    values_usd: np.ndarray  # (lines, years + 1): each year, then the horizon's total

    def tsv(self) -> str:
        """Tab-separated text that pastes into a spreadsheet as numbers (USD, "-" for minus)."""
        head = "\t".join(["USD", *self.years, "Total"])
        rows = [
            "\t".join([label, *(f"{v:.2f}" for v in row)])
            for label, row in zip(self.labels, self.values_usd, strict=True)
        ]
        return "\n".join([head, *rows]) + "\n"


def annual_statement(monthly: dict[str, np.ndarray], month_labels: list[str]) -> AnnualStatement:
    """The statement of one strategy's monthly table. Lines that are zero in every year are
    left out (a strategy without debt shows no debt lines, but always its equity cash flow)."""
    n = len(month_labels)
    starts = list(range(0, n, 12))
    years = [
        f"Year {k + 1} ({month_labels[a]} to {month_labels[min(a + 11, n - 1)]})"
        for k, a in enumerate(starts)
    ]
    # The horizon-end sale at book value is in salvage_usd and is also the terminal value: the
    # sales line is what the free cash flow holds besides EBITDA, capex, tax and that value.
    columns = dict(monthly)
    columns["asset_sales_usd"] = (
        monthly["fcf_usd"]
        - monthly["ebitda_usd"]
        + monthly["capex_usd"]
        + monthly["tax_usd"]
        - monthly["terminal_value_usd"]
    )
    labels, kinds, rows = [], [], []
    for label, key, sign, kind in STATEMENT:
        by_year = np.add.reduceat(sign * np.asarray(columns[key], dtype=float), starts)
        if kind == "line" and not by_year.any():
            continue
        labels.append(label)
        kinds.append(kind)
        rows.append(np.append(by_year, by_year.sum()))
    return AnnualStatement(years, labels, kinds, np.array(rows))
