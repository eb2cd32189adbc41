"""A strategy's KPIs from its monthly table: NPV, IRR, paybacks, peak funding, the terminal
value's share, and the same for its cash flow against the baseline (incremental). IRR and
paybacks are "n/m" where nothing is invested."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from core.engine.finance.returns import (
    discount_factors,
    irr,
    payback_months,
    peak_funding,
    serviced,
)
from core.engine.market.exact import dot
from core.model.project import Strategy


@dataclass(frozen=True)
class Kpis:
    npv_usd: float
    irr: float | None  # effective annual, fraction
    irr_note: str
    payback_months: int | None
    discounted_payback_months: int | None
    peak_funding_usd: float
    probability_weighted_npv_usd: float
    contract_probability_pct: float
    fallback_strategy: str | None
    payback_note: str = ""  # why there is no payback ("n/m" or "never"), empty when there is
    discounted_payback_note: str = ""
    terminal_value_pv_usd: float = 0.0  # PV of the horizon-end sale of assets still held
    terminal_value_share_of_npv: float | None = None  # of a positive NPV; None otherwise
    # Equity (core.engine.debt): the project's own figures when the strategy has no debt.
    equity_npv_usd: float = 0.0
    equity_irr: float | None = None
    equity_irr_note: str = ""
    equity_payback_months: int | None = None
    equity_payback_note: str = ""
    min_dscr: float | None = None
    avg_dscr: float | None = None
    dscr_note: str = "no debt"
    max_debt_usd: float = 0.0
    peak_equity_usd: float = 0.0
    # What is owed when the horizon ends (a balloon, or a loan not yet repaid): repaid in
    # the last month, and shown against the terminal value.
    balloon_usd: float = 0.0
    dscr_months: int = 0  # the repayment months the DSCR figures are over


@dataclass(frozen=True)
class Incremental:
    """A strategy against the baseline: KPIs of the monthly FCF difference (strategy minus
    baseline), the board's "what does this add over keeping the site as it is"."""

    vs: str
    npv_usd: float
    irr: float | None
    irr_note: str
    payback_months: int | None
    discounted_payback_months: int | None
    payback_note: str
    discounted_payback_note: str
    # With a contract probability below 100 %: the probability-weighted NPV less the
    # baseline's (the expected increment); None when the contract is certain.
    weighted_npv_usd: float | None = None


# Why IRR and paybacks are "n/m" (not meaningful) for a strategy that needs no money.
NO_INVESTMENT = "n/m: no investment to recover (cumulative free cash flow never goes below zero)"


def kpis_from_table(t: dict[str, np.ndarray], strategy: Strategy | None) -> Kpis:
    fcf = t["fcf_usd"]
    npv_usd = float(t["cumulative_discounted_fcf_usd"][-1])
    if invests(t["cumulative_fcf_usd"]):
        r = irr(fcf)
        rate, note = r.annual, r.note
        payback = payback_months(t["cumulative_fcf_usd"])
        discounted = payback_months(t["cumulative_discounted_fcf_usd"])
        payback_note = "" if payback is not None else "never: still negative at the horizon"
        discounted_note = "" if discounted is not None else "never: still negative at the horizon"
    else:
        rate, note, payback, discounted = None, NO_INVESTMENT, None, None
        payback_note = discounted_note = NO_INVESTMENT
    terminal = t.get("terminal_value_usd")
    tv = float(dot(terminal, t["discount_factor"])) if terminal is not None else 0.0
    return Kpis(
        terminal_value_pv_usd=tv,
        terminal_value_share_of_npv=tv / npv_usd if npv_usd > 0 else None,
        npv_usd=npv_usd,
        irr=rate,
        irr_note=note,
        payback_months=payback,
        discounted_payback_months=discounted,
        payback_note=payback_note,
        discounted_payback_note=discounted_note,
        peak_funding_usd=peak_funding(t["cumulative_fcf_usd"]),
        probability_weighted_npv_usd=npv_usd,
        contract_probability_pct=strategy.contract_probability_pct if strategy else 100.0,
        fallback_strategy=strategy.fallback_strategy if strategy else None,
    )


def invests(cumulative_fcf: np.ndarray) -> bool:
    """True when the strategy needs money at some point: its cumulative free cash flow goes
    below zero. Without that there is nothing to recover, so IRR and paybacks mean nothing."""
    return bool(cumulative_fcf.size) and float(cumulative_fcf.min()) < 0


def incremental_rows(
    fcf: np.ndarray, base_fcf: np.ndarray, discount: np.ndarray
) -> dict[str, np.ndarray]:
    """The monthly FCF over the baseline and its running sums, plain and discounted: the rows
    the incremental KPIs read (and the workbook shows)."""
    diff = fcf - base_fcf
    return {
        "fcf_usd": diff,
        "cumulative_fcf_usd": np.cumsum(diff),
        "cumulative_discounted_fcf_usd": np.cumsum(diff * discount),
    }


def incremental_kpis(
    fcf: np.ndarray, base_fcf: np.ndarray, discount: np.ndarray, vs: str
) -> Incremental:
    """KPIs of ``fcf − base_fcf``: what a strategy adds over the baseline ``vs``."""
    k = kpis_from_table(incremental_rows(fcf, base_fcf, discount), None)
    return Incremental(
        vs,
        k.npv_usd,
        k.irr,
        k.irr_note,
        k.payback_months,
        k.discounted_payback_months,
        k.payback_note,
        k.discounted_payback_note,
    )


def with_equity(
    k: Kpis, t: dict[str, np.ndarray], financed: bool, cost_of_equity_pct: float
) -> Kpis:
    """``k`` with the equity KPIs of the table's debt and equity rows: NPV at the cost of
    equity, IRR and payback of the equity cash flow, DSCR over the repayment months, peak
    debt and peak equity. Without debt they are the project's."""
    if not financed:
        return replace(
            k,
            equity_npv_usd=k.npv_usd,
            equity_irr=k.irr,
            equity_irr_note=k.irr_note,
            equity_payback_months=k.payback_months,
            equity_payback_note=k.payback_note,
            peak_equity_usd=k.peak_funding_usd,
        )
    flows, cumulative = t["equity_fcf_usd"], t["cumulative_equity_fcf_usd"]
    npv_usd = float(dot(flows, discount_factors(cost_of_equity_pct, flows.size)))
    if invests(cumulative):
        r = irr(flows)
        rate, note = r.annual, r.note
        payback = payback_months(cumulative)
        payback_note = "" if payback is not None else "never: still negative at the horizon"
    else:
        rate, note, payback, payback_note = None, NO_INVESTMENT, None, NO_INVESTMENT
    dscr = t["dscr"][serviced(t)]
    return replace(
        k,
        equity_npv_usd=npv_usd,
        equity_irr=rate,
        equity_irr_note=note,
        equity_payback_months=payback,
        equity_payback_note=payback_note,
        min_dscr=float(dscr.min()) if dscr.size else None,
        avg_dscr=float(dscr.mean()) if dscr.size else None,
        dscr_note=(
            f"over every repayment month ({dscr.size})"
            if dscr.size
            else "no debt service within the horizon"
        ),
        max_debt_usd=float(t["debt_balance_usd"].max()),
        peak_equity_usd=peak_funding(cumulative),
        balloon_usd=float(t["balloon_usd"][-1]),
        dscr_months=int(dscr.size),
    )
