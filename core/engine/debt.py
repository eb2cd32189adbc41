"""Project finance on one strategy: construction draws, debt sized by loan-to-cost or DSCR,
repayment, reserve, cash sweep, balloon, and the equity cash flow with its tax shield.

Conventions (the bank's, as Excel's PMT(rate/12, …) assumes): the rate is nominal, so a month's
interest is its opening balance × rate / 12; a draw at month t is in the balance from month
t + 1. While the conversion is built (the months before repayment starts) draws fund the LTC
share of each month's capex and interest is capitalised. Repayment starts in the month after
the last AI block comes online (month 1 without one) and runs ``tenor_months``, cut to the
months the strategy's blocks are expected to earn within the horizon (``core.engine.loanterms``):
the loan is sized and repaid on service the model holds, not on a balance left for after it.
A ``balloon_pct`` share is left to refinance and repaid with the last payment; a balance still
owed at the horizon end is repaid then, and both show in ``balloon_usd``. CFADS is EBITDA less
the unlevered tax less the capex the debt does not fund, so sizing is not circular; the interest
paid is deductible (within 30 % of each tax year's EBITDA, the excess carried forward, when
``finance.interest_limit_30_pct``) and its tax saving (the shield) goes to equity. Capitalised
interest is not deducted (it would be depreciated with the asset) and neither is the fee.
"""

from __future__ import annotations

import numpy as np

from core.engine.finance.tax import finance_tax, running_sum
from core.engine.loanterms import repayment_months, repayment_start
from core.engine.market.exact import dot, power_table
from core.model.project import Financing, Project, Strategy

DEBT_COLUMNS = (
    "debt_draw_usd",
    "interest_usd",
    "interest_paid_usd",
    "capitalised_interest_usd",
    "principal_usd",
    "balloon_usd",
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


SCHEDULE_PARTS = ("scheduled_service_usd", "scheduled_principal_usd", "sweep_usd")


def _kept(fin: Financing, i: float, n_pay: int) -> float:
    """The share of the opening balance the scheduled service repays, in present value: 1 less
    the balloon discounted over the repayment months."""
    bp = fin.balloon_pct / 100
    return 1.0 - bp * (1 + i) ** -n_pay if bp else 1.0


def debt_rows(project: Project, strategy: Strategy, t: dict[str, np.ndarray]) -> dict:
    """The debt and equity rows of a strategy's monthly table (``DEBT_COLUMNS``). Without
    financing there is no debt and the equity cash flow is the free cash flow."""
    rows = debt_detail(project, strategy, t)
    return {k: rows[k] for k in DEBT_COLUMNS}


def debt_detail(project: Project, strategy: Strategy, t: dict[str, np.ndarray]) -> dict:
    """``debt_rows`` and, where the strategy is financed, the parts the workbook shows: the
    schedule's "scheduled_service_usd", "scheduled_principal_usd" and "sweep_usd", the sizing
    rows (``sizing_rows``) and the interest carried under the 30 % limit
    ("interest_carried_usd")."""
    fin = strategy.financing
    n = t["fcf_usd"].size
    nothing_to_fund = (
        fin is not None
        and fin.sizing == "ltc"
        and not t["capex_usd"][: repayment_start(strategy, n)].any()
    )
    if fin is None or nothing_to_fund:  # unlevered: the equity is the project
        parts = SCHEDULE_PARTS if fin is not None else ()
        rows = {k: np.zeros(n) for k in (*DEBT_COLUMNS, *parts)}
        rows["cfads_usd"] = t["ebitda_usd"] - t["tax_usd"] - t["capex_usd"]
        rows["equity_fcf_usd"] = t["fcf_usd"].copy()
        rows["cumulative_equity_fcf_usd"] = t["cumulative_fcf_usd"].copy()
    else:
        one = {k: t[k][None, :] for k in ("ebitda_usd", "tax_usd", "taxable_income_usd", "fcf_usd")}
        paths = debt_paths(project, strategy, t["capex_usd"], **one)
        rows = {k: v[0] for k, v in paths.items()}
    if fin is None:
        return rows
    limited = project.finance.interest_limit_30_pct
    carried = interest_carried(rows["interest_paid_usd"], t["ebitda_usd"]) if limited else None
    rows["interest_carried_usd"] = np.zeros(n) if carried is None else carried
    r0, n_pay = repayment_start(strategy, n), repayment_months(project, strategy, n)
    return rows | sizing_rows(fin, t, r0, n_pay)


def sizing_rows(
    fin: Financing, t: dict[str, np.ndarray], r0: int, n_pay: int
) -> dict[str, np.ndarray]:
    """The monthly rows behind the loan's size, as the workbook shows them: 1 from the start of
    repayment ("repayment_phase"), 1 in the ``n_pay`` months it is repaid over
    ("repayment_window"), each construction month's capex grown by interest to the
    start of repayment ("sizing_growth_usd": their sum is the balance per unit of
    loan-to-cost), and what each of the ``n_pay`` repayment months' CFADS supports at
    the target DSCR ("sizing_supports_usd", 0 outside the repayment window): CFADS ÷ target
    (annuity, times the annuity factor of their minimum), CFADS ÷ target ÷ the month's share
    of a straight-line service, or the present value of CFADS ÷ target (sculpted)."""
    n = t["capex_usd"].size
    i = fin.rate_pct_per_year / 100 / 12
    growth = np.zeros(n)
    growth[:r0] = t["capex_usd"][:r0] * power_table(1 + i, r0)[::-1]
    cfads = (t["ebitda_usd"] - t["tax_usd"] - t["capex_usd"])[r0 : r0 + n_pay]
    k = np.arange(cfads.size)
    if fin.repayment == "straight_line":
        kept = 1 - fin.balloon_pct / 100
        supports = cfads / fin.target_dscr / (kept / n_pay + i * (1 - kept * k / n_pay))
    elif fin.repayment == "sculpted":
        supports = np.maximum(cfads, 0.0) / fin.target_dscr / power_table(1 + i, k.size + 1)[1:]
    else:
        supports = cfads / fin.target_dscr
    months = np.arange(n)
    rows = {
        "repayment_phase": (months >= r0).astype(float),
        "repayment_window": ((months >= r0) & (months < r0 + n_pay)).astype(float),
        "sizing_growth_usd": growth,
        "sizing_supports_usd": np.zeros(n),
    }
    rows["sizing_supports_usd"][r0 : r0 + cfads.size] = supports
    return rows


def interest_carried(interest: np.ndarray, ebitda: np.ndarray) -> np.ndarray:
    """Under the 30 % limit, the interest carried into each month's tax year from earlier
    years (one row): what ``deductible_interest`` carries."""
    carried = np.zeros(interest.size)
    held = 0.0
    for a in range(0, interest.size, 12):
        carried[a : a + 12] = held
        due = float(interest[a : a + 12].sum()) + held
        held = due - min(due, 0.3 * max(float(ebitda[a : a + 12].sum()), 0.0))
    return carried


def debt_paths(
    project: Project,
    strategy: Strategy,
    capex_usd: np.ndarray,
    ebitda_usd: np.ndarray,
    tax_usd: np.ndarray,
    taxable_income_usd: np.ndarray,
    fcf_usd: np.ndarray,
) -> dict[str, np.ndarray]:
    """``DEBT_COLUMNS`` as (P, M) arrays for P paths that share the capex (M,): the table's
    (P = 1) and the Monte Carlo's. The strategy must be financed."""
    fin = strategy.financing
    assert fin is not None
    p, n = fcf_usd.shape
    cfads = ebitda_usd - tax_usd - capex_usd
    i = fin.rate_pct_per_year / 100 / 12
    r0, n_pay = repayment_start(strategy, n), repayment_months(project, strategy, n)
    growth = power_table(1 + i, r0)[::-1]  # a draw at m grows to month r0's balance
    per_share = float(dot(capex_usd[:r0], growth))  # month r0's balance if all is debt
    share = np.full(p, fin.ltc_pct / 100)
    if fin.sizing == "dscr":
        sized = _dscr_sized(fin, cfads[:, r0:], i, n_pay)
        share = np.minimum(sized / per_share, 1.0) if per_share > 0 else np.zeros(p)
    # A loan sized on cost and repaid on a fixed schedule owes the same on every path: its
    # schedule is worked out once, and only the cover, the tax shield and the equity per path.
    shared = fin.sizing == "ltc" and fin.cash_sweep_pct == 0 and fin.repayment != "sculpted"
    q = 1 if shared else p
    rows = {k: np.zeros((q, n)) for k in (*DEBT_COLUMNS, *SCHEDULE_PARTS)}
    draws = np.zeros((q, n))
    draws[:, :r0] = share[:q, None] * capex_usd[None, :r0]
    rows["debt_draw_usd"] = draws
    rows["cfads_usd"] = cfads[:q] + draws
    if draws.any():
        _schedule(fin, rows, i, r0, n_pay)
    interest_paid = rows["interest_paid_usd"]  # (q, n): one row when the schedule is shared
    if q < p:
        rows = {k: np.broadcast_to(v, (p, n)) for k, v in rows.items()}
        rows["cfads_usd"] = cfads + rows["debt_draw_usd"]
        if draws.any():  # as the schedule computes it: scheduled service, not the balloon
            service = rows["interest_paid_usd"] + rows["scheduled_principal_usd"]
            rows["dscr"] = np.where(
                service > 0, rows["cfads_usd"] / np.where(service > 0, service, 1.0), 0.0
            )
    draws = rows["debt_draw_usd"]
    if not draws.any():  # nothing to borrow against: the equity is the project
        rows["equity_fcf_usd"] = fcf_usd.copy()
        rows["cumulative_equity_fcf_usd"] = running_sum(fcf_usd)
        return rows
    deducted = rows["interest_paid_usd"]
    if project.finance.interest_limit_30_pct:
        deducted = deductible_interest(interest_paid, ebitda_usd)
    levered = taxable_income_usd - deducted
    shield = tax_usd - finance_tax(levered, project.finance)
    rows["tax_shield_usd"] = shield
    equity = (
        fcf_usd
        + draws
        - rows["interest_paid_usd"]
        - rows["principal_usd"]
        - rows["fees_usd"]
        - rows["dsra_funding_usd"]
        + rows["dsra_release_usd"]
        + shield
    )
    rows["equity_fcf_usd"] = equity
    rows["cumulative_equity_fcf_usd"] = running_sum(equity)
    return rows


def deductible_interest(interest: np.ndarray, ebitda: np.ndarray) -> np.ndarray:
    """Interest deducted month by month under the 30 % limit: each tax year (12 months)
    deducts at most 30 % of its EBITDA (floored at 0) of its interest and the interest carried
    from earlier years; the rest is carried. The year's deduction falls in its months in
    proportion to the interest paid in them (evenly if none was). Along the last axis; the
    leading axes broadcast (one interest row against every path's EBITDA)."""
    n = interest.shape[-1]
    if n % 12:
        return _deductible_by_year(interest, ebitda)
    years = n // 12
    paid = interest.reshape((*interest.shape[:-1], years, 12))
    total = paid.sum(axis=-1)
    allowed = 0.3 * np.maximum(ebitda.reshape((*ebitda.shape[:-1], years, 12)).sum(axis=-1), 0.0)
    same = total.shape == allowed.shape
    deduct = np.zeros(total.shape if same else np.broadcast_shapes(total.shape, allowed.shape))
    if deduct.size == years:  # one row: Python floats, no numpy call a year
        owed, room, each, carry = total.ravel().tolist(), allowed.ravel().tolist(), [], 0.0
        for y in range(years):
            due = owed[y] + carry
            each.append(min(due, room[y]))
            carry = due - each[-1]
        deduct.reshape(years)[:] = each
    else:
        carried = np.zeros(deduct.shape[:-1])
        for y in range(years):  # only what is carried is sequential
            due = total[..., y] + carried
            deduct[..., y] = np.minimum(due, allowed[..., y])
            carried = due - deduct[..., y]
    safe = np.where(total > 0, total, 1.0)
    share = np.where((total > 0)[..., None], paid / safe[..., None], 1.0 / 12)
    out = deduct[..., None] * share
    return out.reshape((*out.shape[:-2], n))


def _deductible_by_year(interest: np.ndarray, ebitda: np.ndarray) -> np.ndarray:
    """``deductible_interest`` a tax year at a time (a horizon that ends inside a year)."""
    out = np.zeros(np.broadcast_shapes(interest.shape, ebitda.shape))
    carried = np.zeros(out.shape[:-1])
    for a in range(0, interest.shape[-1], 12):
        paid = interest[..., a : a + 12]
        total = paid.sum(axis=-1)
        allowed = 0.3 * np.maximum(ebitda[..., a : a + 12].sum(axis=-1), 0.0)
        due = total + carried
        deduct = np.minimum(due, allowed)
        carried = due - deduct
        safe = np.where(total > 0, total, 1.0)
        share = np.where((total > 0)[..., None], paid / safe[..., None], 1.0 / paid.shape[-1])
        out[..., a : a + 12] = deduct[..., None] * share
    return out


def _annuity_factor(i: float, months: int) -> float:
    """PV of 1 a month for ``months`` months, first payment one month after."""
    return months if i == 0 else (1 - (1 + i) ** -months) / i


def _dscr_sized(fin: Financing, cfads: np.ndarray, i: float, n_pay: int) -> np.ndarray:
    """Per path, the largest balance at the start of repayment whose scheduled debt service
    keeps CFADS ≥ target × debt service in each of the ``n_pay`` repayment months
    (``cfads`` (P, K) starts there). A balloon share b is left out of the service: the
    annuity and sculpted balance is the service's present value ÷ (1 − b (1 + i)^−N)."""
    c = cfads[:, :n_pay]
    if c.shape[1] == 0:
        return np.zeros(c.shape[0])
    k = np.arange(c.shape[1])
    target, kept = fin.target_dscr, _kept(fin, i, n_pay)
    if fin.repayment == "annuity":  # level payment ≤ min CFADS / target
        return np.maximum(c.min(axis=1) / target, 0.0) * _annuity_factor(i, n_pay) / kept
    if fin.repayment == "straight_line":  # B ((1−b)/N + i (1 − (1−b) k/N)) ≤ CFADS_k / target
        repaid = 1 - fin.balloon_pct / 100
        per_unit = repaid / n_pay + i * (1 - repaid * k / n_pay)
        return np.maximum((c / target / per_unit).min(axis=1), 0.0)
    # Sculpted: debt service = CFADS / target in every month; the debt is its present value.
    return dot(np.maximum(c, 0.0) / target, 1.0 / power_table(1 + i, k.size + 1)[1:]) / kept


def _schedule(fin: Financing, rows: dict, i: float, r0: int, n_pay: int) -> None:
    """Balances, interest, principal, fees, reserve and DSCR, month by month, in place, on
    every path at once ((P, M) rows), repaid over ``n_pay`` months from ``r0``."""
    draws, cfads = rows["debt_draw_usd"], rows["cfads_usd"]
    p, n = draws.shape
    balance = np.zeros(p)
    if p == 1:  # one path: the same arithmetic on Python floats, no numpy call a month
        b, accrued, owed = 0.0, [0.0] * r0, [0.0] * r0
        for m, d in enumerate(draws[0, :r0].tolist()):  # construction: interest capitalised
            accrued[m] = b * i
            b = b + accrued[m] + d
            owed[m] = b
        rows["interest_usd"][0, :r0] = rows["capitalised_interest_usd"][0, :r0] = accrued
        rows["debt_balance_usd"][0, :r0] = owed
        balance[0] = b
    for m in range(r0 if p > 1 else 0):  # construction: interest capitalised
        interest = balance * i
        rows["interest_usd"][:, m] = rows["capitalised_interest_usd"][:, m] = interest
        balance = balance + interest + draws[:, m]
        rows["debt_balance_usd"][:, m] = balance
    committed = draws.sum(axis=1)
    drawn = np.flatnonzero(draws[0] if p == 1 else draws.any(axis=0))
    if drawn.size:
        rows["fees_usd"][:, drawn[0]] = fin.upfront_fee_pct / 100 * committed
    if r0 >= n:  # never repaid within the horizon: owed at its end
        rows["principal_usd"][:, n - 1] += balance
        rows["balloon_usd"][:, n - 1] += balance
        rows["debt_balance_usd"][:, n - 1] = 0.0
        return
    scheduled = _scheduled_service(fin, balance, cfads[:, r0:], i, n_pay)
    rows["scheduled_service_usd"][:, r0:] = scheduled[:, : n - r0]
    reserve = scheduled[:, : fin.dsra_months].sum(axis=1)
    rows["dsra_funding_usd"][:, r0] = reserve
    if fin.cash_sweep_pct == 0 and fin.repayment in ("annuity", "straight_line"):
        _level_schedule(fin, rows, i, r0, balance, reserve, n_pay)
        return
    start = balance.copy()
    paid_off = 1e-9 * start + 1e-6  # what is left of float rounding once the schedule ends
    released = np.zeros(p, dtype=bool)
    for k, m in enumerate(range(r0, n)):
        live = balance > paid_off
        balance = np.where(live, balance, 0.0)
        interest = balance * i
        if fin.repayment == "straight_line":
            due = start * (1 - fin.balloon_pct / 100) / n_pay if k < n_pay else balance
        else:
            due = np.maximum(scheduled[:, k] - interest, 0.0) if k < n_pay else balance
        principal = np.minimum(due, balance)
        rows["scheduled_principal_usd"][:, m] = principal
        rows["interest_usd"][:, m] = rows["interest_paid_usd"][:, m] = interest
        service = interest + principal
        rows["dscr"][:, m] = np.where(
            service > 0, cfads[:, m] / np.where(service > 0, service, 1.0), 0.0
        )
        spare = np.maximum(cfads[:, m] - service, 0.0)
        sweep = np.minimum(fin.cash_sweep_pct / 100 * spare, balance - principal)
        balance = balance - principal - sweep
        if m == n - 1 or (fin.balloon_pct and k == n_pay - 1):  # the balloon, or the horizon end
            balloon = np.where(balance > paid_off, balance, 0.0)
            rows["balloon_usd"][:, m] = balloon
            principal = principal + balloon
            balance = np.where(balance > paid_off, 0.0, balance)
        rows["sweep_usd"][:, m] = sweep
        rows["principal_usd"][:, m] = principal + sweep
        rows["debt_balance_usd"][:, m] = np.where(balance > paid_off, balance, 0.0)
        done = ~released & (balance <= paid_off) & (start > 0)
        rows["dsra_release_usd"][:, m] += np.where(done, reserve, 0.0)
        released |= done


def _level_schedule(
    fin: Financing,
    rows: dict,
    i: float,
    r0: int,
    start: np.ndarray,
    reserve: np.ndarray,
    n_pay: int,
) -> None:
    """The annuity or straight-line schedule without a sweep, all months at once: the opening
    balance k months into repayment is start × (((1+i)^N − (1+i)^k) + b ((1+i)^k − 1)) /
    ((1+i)^N − 1) (annuity with a balloon share b; start × (1 − (1 − b) k/N) straight-line or
    at 0 %); the balloon is repaid with the N-th payment, and what is owed when the horizon
    ends is repaid then."""
    n = rows["debt_draw_usd"].shape[1]
    bp = fin.balloon_pct / 100
    k = np.arange(n - r0 + 1, dtype=float)
    kk = np.minimum(k, n_pay)
    scheduled = 1 - (1 - bp) * kk / n_pay
    if fin.repayment == "annuity" and i > 0:
        grown = power_table(1 + i, n_pay + 1)  # (1 + i)^k; the last is (1 + i)^N exactly
        g, gk = grown[-1], grown[kk.astype(int)]
        scheduled = ((g - gk) + bp * (gk - 1)) / (g - 1) if bp else (g - gk) / (g - 1)
    left = np.where(k < n_pay, scheduled, 0.0)  # the balloon goes with the N-th payment
    opening = start[:, None] * left[None, :]  # (P, K + 1): opening balances, then the closing
    planned = start[:, None] * scheduled[None, :]
    interest = opening[:, :-1] * i
    due = planned[:, :-1] - planned[:, 1:]  # the scheduled principal
    principal = opening[:, :-1] - opening[:, 1:]
    service = interest + due
    m = slice(r0, n)
    rows["interest_usd"][:, m] = rows["interest_paid_usd"][:, m] = interest
    cfads = rows["cfads_usd"][:, m]
    rows["dscr"][:, m] = np.where(service > 0, cfads / np.where(service > 0, service, 1.0), 0.0)
    rows["scheduled_service_usd"][:, m] = np.where(k[:-1] < n_pay, service, 0.0)
    rows["scheduled_principal_usd"][:, m] = due
    balloon = principal - due
    balloon[:, -1] += opening[:, -1]  # owed at the horizon end: repaid then
    principal[:, -1] += opening[:, -1]
    rows["principal_usd"][:, m] = principal
    rows["balloon_usd"][:, m] = balloon
    closing = opening[:, 1:].copy()
    closing[:, -1] = 0.0
    rows["debt_balance_usd"][:, m] = closing
    repaid = r0 + min(n_pay, n - r0) - 1  # the last payment, or the horizon end
    rows["dsra_release_usd"][:, repaid] += np.where(start > 0, reserve, 0.0)


def _scheduled_service(
    fin: Financing, balance: np.ndarray, cfads: np.ndarray, i: float, n_pay: int
) -> np.ndarray:
    """(P, K) scheduled debt service (interest + principal) for each of the ``n_pay``
    repayment months from the start (a straight-line loan's interest falls with its balance;
    the balloon is not scheduled service)."""
    k = np.arange(max(cfads.shape[1], n_pay))
    on = (k < n_pay)[None, :]
    b = balance[:, None]
    kept = _kept(fin, i, n_pay)
    if fin.repayment == "annuity":
        return np.where(on, b * kept / _annuity_factor(i, n_pay), 0.0)
    if fin.repayment == "straight_line":
        repaid = 1 - fin.balloon_pct / 100
        return np.where(on, b * repaid / n_pay + i * b * (1 - repaid * k / n_pay), 0.0)
    # Sculpted: CFADS × a factor that repays the balance over the tenor.
    c = np.zeros((balance.size, k.size))
    width = min(cfads.shape[1], n_pay)
    c[:, :width] = np.maximum(cfads[:, :width], 0.0)
    pv = dot(c[:, :n_pay], 1.0 / power_table(1 + i, min(k.size, n_pay) + 1)[1:])
    level = np.where(on, b * kept / _annuity_factor(i, n_pay), 0.0)  # nothing to sculpt to
    safe = np.where(pv > 0, pv, 1.0)
    return np.where((pv > 0)[:, None], c * (balance * kept / safe)[:, None], level)
