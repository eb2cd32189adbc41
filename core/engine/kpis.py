"""A strategy's KPIs from its monthly table: NPV, IRR, paybacks, peak funding, the terminal
value's share, and the same for its cash flow against the baseline (incremental). IRR and
paybacks are "n/m" where nothing is invested."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.engine.finance import irr, payback_months, peak_funding
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
    tv = float(terminal @ t["discount_factor"]) if terminal is not None else 0.0
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


def incremental_kpis(
    fcf: np.ndarray, base_fcf: np.ndarray, discount: np.ndarray, vs: str
) -> Incremental:
    """KPIs of ``fcf − base_fcf``: what a strategy adds over the baseline ``vs``."""
    diff = fcf - base_fcf
    k = kpis_from_table(
        {
            "fcf_usd": diff,
            "cumulative_fcf_usd": np.cumsum(diff),
            "cumulative_discounted_fcf_usd": np.cumsum(diff * discount),
        },
        None,
    )
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
