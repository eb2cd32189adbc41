"""A strategy's cash flows by project year, as a finance statement reads: revenue by stream,
costs (negative), EBITDA, capex, sales and terminal value, tax, free cash flow, then the debt's
flows and the equity cash flow. Years are the horizon's 12-month tax years (year 1 is the first
12 months); each line sums its months, so every year's lines add up to its subtotals."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
