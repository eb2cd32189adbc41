"""Project finance on one strategy: construction draws, debt sized by loan-to-cost or DSCR,
repayment, reserve, cash sweep, and the equity cash flow with its tax shield.

Conventions (the bank's, as Excel's PMT(rate/12, …) assumes): the rate is nominal, so a month's
interest is its opening balance × rate / 12; a draw at month t is in the balance from month
t + 1. While the conversion is built (the months before repayment starts) draws fund the LTC
share of each month's capex and interest is capitalised. Repayment starts in the month after
the last AI block comes online (month 1 without one) and runs ``tenor_months``; a balance still
owed at the horizon end is repaid then. CFADS is EBITDA less the unlevered tax less the capex
the debt does not fund, so sizing is not circular; the interest paid is deductible (within 30 %
of each tax year's EBITDA, the excess carried forward, when ``finance.interest_limit_30_pct``)
and its tax saving (the shield) goes to equity. Capitalised interest is not deducted (it would
be depreciated with the asset) and neither is the fee.
"""

from __future__ import annotations

import numpy as np

from core.engine.energy import operating_months
from core.engine.finance import finance_tax
from core.model.project import AiBlock, Financing, Project, Strategy

DEBT_COLUMNS = (
    "debt_draw_usd",
    "interest_usd",
    "interest_paid_usd",
    "capitalised_interest_usd",
    "principal_usd",
    "fees_usd",
    "dsra_funding_usd",
    "dsra_release_usd",
    "debt_balance_usd",
    "cfads_usd",
    "dscr",
    "tax_shield_usd",
    "equity_fcf_usd",
    "cumulative_equity_fcf_usd",
)


def repayment_start(strategy: Strategy, n: int) -> int:
    """The month after the strategy's last AI block comes online (1 without an AI block)."""
    live = [operating_months(b, n)[0] for b in strategy.blocks if isinstance(b, AiBlock)]
    return min(max(live, default=0) + 1, n)


def debt_rows(project: Project, strategy: Strategy, t: dict[str, np.ndarray]) -> dict:
    """The debt and equity rows of a strategy's monthly table (``DEBT_COLUMNS``). Without
    financing there is no debt and the equity cash flow is the free cash flow."""
    n = t["fcf_usd"].size
    rows = {k: np.zeros(n) for k in DEBT_COLUMNS}
    fin = strategy.financing
    cfads = t["ebitda_usd"] - t["tax_usd"] - t["capex_usd"]
    if fin is None:
        rows["cfads_usd"] = cfads
        rows["equity_fcf_usd"] = t["fcf_usd"].copy()
        rows["cumulative_equity_fcf_usd"] = t["cumulative_fcf_usd"].copy()
        return rows
    i = fin.rate_pct_per_year / 100 / 12
    r0 = repayment_start(strategy, n)
    capex = t["capex_usd"]
    growth = (1 + i) ** (r0 - 1 - np.arange(r0))  # a draw at m grows to month r0's balance
    per_share = float(np.dot(capex[:r0], growth))  # month r0's balance if all capex is debt
    share = fin.ltc_pct / 100
    if fin.sizing == "dscr":
        share = min(_dscr_sized(fin, cfads[r0:], i) / per_share, 1.0) if per_share > 0 else 0.0
    draws = np.zeros(n)
    draws[:r0] = share * capex[:r0]
    rows["debt_draw_usd"] = draws
    rows["cfads_usd"] = cfads + draws
    _schedule(fin, rows, i, r0)
    deducted = rows["interest_paid_usd"]
    if project.finance.interest_limit_30_pct:
        deducted = deductible_interest(deducted, t["ebitda_usd"])
    levered = t["taxable_income_usd"] - deducted
    shield = t["tax_usd"] - finance_tax(levered, project.finance)
    rows["tax_shield_usd"] = shield
    equity = (
        t["fcf_usd"]
        + draws
        - rows["interest_paid_usd"]
        - rows["principal_usd"]
        - rows["fees_usd"]
        - rows["dsra_funding_usd"]
        + rows["dsra_release_usd"]
        + shield
    )
    rows["equity_fcf_usd"] = equity
    rows["cumulative_equity_fcf_usd"] = np.cumsum(equity)
    return rows


def deductible_interest(interest: np.ndarray, ebitda: np.ndarray) -> np.ndarray:
    """Interest deducted month by month under the 30 % limit: each tax year (12 months)
    deducts at most 30 % of its EBITDA (floored at 0) of its interest and the interest carried
    from earlier years; the rest is carried. The year's deduction falls in its months in
    proportion to the interest paid in them (evenly if none was)."""
    out = np.zeros_like(interest)
    carried = 0.0
    for a in range(0, interest.size, 12):
        paid = interest[a : a + 12]
        allowed = 0.3 * max(float(ebitda[a : a + 12].sum()), 0.0)
        due = float(paid.sum()) + carried
        deduct = min(due, allowed)
        carried = due - deduct
        share = paid / paid.sum() if paid.sum() > 0 else np.full(paid.size, 1 / paid.size)
        out[a : a + 12] = deduct * share
    return out


def _annuity_factor(i: float, months: int) -> float:
    """PV of 1 a month for ``months`` months, first payment one month after."""
    return months if i == 0 else (1 - (1 + i) ** -months) / i


def _dscr_sized(fin: Financing, cfads: np.ndarray, i: float) -> float:
    """The largest balance at the start of repayment whose scheduled debt service keeps
    CFADS ≥ target × debt service in every repayment month within the horizon (``cfads``
    starts there)."""
    n_pay = fin.tenor_months
    c = cfads[:n_pay]
    if c.size == 0:
        return 0.0
    k = np.arange(c.size)
    target = fin.target_dscr
    if fin.repayment == "annuity":  # level payment ≤ min CFADS / target
        return max(float(c.min()) / target, 0.0) * _annuity_factor(i, n_pay)
    if fin.repayment == "straight_line":  # B (1/N + i (1 − k/N)) ≤ CFADS_k / target
        per_unit = 1 / n_pay + i * (1 - k / n_pay)
        return max(float((c / target / per_unit).min()), 0.0)
    # Sculpted: debt service = CFADS / target in every month; the debt is its present value.
    return float(np.dot(np.maximum(c, 0.0) / target, (1 + i) ** -(k + 1.0)))


def _schedule(fin: Financing, rows: dict, i: float, r0: int) -> None:
    """Balances, interest, principal, fees, reserve and DSCR, month by month, in place."""
    n = rows["debt_draw_usd"].size
    draws, cfads = rows["debt_draw_usd"], rows["cfads_usd"]
    balance = 0.0
    for m in range(r0):  # construction: interest capitalised
        interest = balance * i
        rows["interest_usd"][m] = rows["capitalised_interest_usd"][m] = interest
        balance += interest + draws[m]
        rows["debt_balance_usd"][m] = balance
    committed = float(draws.sum())
    if committed > 0:
        rows["fees_usd"][int(np.flatnonzero(draws)[0])] = fin.upfront_fee_pct / 100 * committed
    if balance <= 0 or r0 >= n:
        if balance > 0:  # never repaid within the horizon: owed at its end
            rows["principal_usd"][n - 1] = balance
            rows["debt_balance_usd"][n - 1] = 0.0
        return
    scheduled = _scheduled_service(fin, balance, cfads[r0:], i)
    n_pay = fin.tenor_months
    reserve = float(scheduled[: fin.dsra_months].sum())
    rows["dsra_funding_usd"][r0] = reserve
    start = balance
    paid_off = 1e-9 * start + 1e-6  # what is left of float rounding once the schedule ends
    for k, m in enumerate(range(r0, n)):
        if balance <= paid_off:
            balance = 0.0
            break
        interest = balance * i
        if fin.repayment == "straight_line":
            due = start / n_pay if k < n_pay else balance
        else:
            due = max(scheduled[k] - interest, 0.0) if k < n_pay else balance
        principal = min(due, balance)
        rows["interest_usd"][m] = rows["interest_paid_usd"][m] = interest
        service = interest + principal
        if service > 0:
            rows["dscr"][m] = cfads[m] / service
        spare = max(cfads[m] - service, 0.0)
        sweep = min(fin.cash_sweep_pct / 100 * spare, balance - principal)
        balance -= principal + sweep
        if m == n - 1 and balance > paid_off:  # the horizon ends first: the rest is repaid
            principal += balance
            balance = 0.0
        rows["principal_usd"][m] = principal + sweep
        rows["debt_balance_usd"][m] = balance
    repaid = np.flatnonzero(rows["debt_balance_usd"][r0:] <= paid_off)
    rows["dsra_release_usd"][r0 + int(repaid[0]) if repaid.size else n - 1] += reserve


def _scheduled_service(fin: Financing, balance: float, cfads: np.ndarray, i: float) -> np.ndarray:
    """Scheduled debt service (interest + principal) for each repayment month from the start
    (a straight-line loan's interest falls with its balance)."""
    n_pay = fin.tenor_months
    k = np.arange(max(cfads.size, n_pay))
    if fin.repayment == "annuity":
        payment = balance / _annuity_factor(i, n_pay)
        return np.where(k < n_pay, payment, 0.0)
    if fin.repayment == "straight_line":
        return np.where(k < n_pay, balance / n_pay + i * balance * (1 - k / n_pay), 0.0)
    # Sculpted: CFADS × a factor that repays the balance over the tenor.
    c = np.zeros(k.size)
    c[: min(cfads.size, n_pay)] = np.maximum(cfads[:n_pay], 0.0)
    pv = float(np.dot(c[:n_pay], (1 + i) ** -(k[:n_pay] + 1.0)))
    if pv <= 0:  # nothing to sculpt to: level payments
        return np.where(k < n_pay, balance / _annuity_factor(i, n_pay), 0.0)
    return c * (balance / pv)
