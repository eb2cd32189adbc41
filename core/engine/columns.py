"""The monthly table's columns: key, unit, the row label the workbook and reports print, and
the short name a chart legend shows. Charts, the command line's CSV and the workbook all read
them from here, so a stream is called the same everywhere."""

from __future__ import annotations

from dataclasses import dataclass


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
