"""What a flow of cash is worth: discount factors, NPV, IRR (one flow or many paths), payback
and peak funding, and the months whose DSCR counts.

Conventions (brief §7): monthly periods; every flow of month t sits at the start of month t and
is discounted by t months at (1 + r)^(1/12) − 1, so NPV = CF0 + Excel NPV(r_m, CF1:CFn).
IRR is annualised from the monthly IRR as (1 + irr_m)^12 − 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.engine.market.exact import dot, power_table


def serviced(rows: dict[str, np.ndarray]) -> np.ndarray:
    """The repayment months of debt rows (``core.engine.debt``): those with interest paid or
    scheduled principal (a balloon alone is not scheduled service). Their DSCR counts, also a
    negative one."""
    scheduled = rows["principal_usd"] - rows["balloon_usd"]
    return (rows["interest_paid_usd"] > 0) | (scheduled > 0)


def monthly_rate(annual_pct: float) -> float:
    return (1 + annual_pct / 100) ** (1 / 12) - 1


def discount_factors(annual_pct: float, n_months: int) -> np.ndarray:
    """1 / (1 + r_m)^k for months k = 0 … n − 1, the same bits on every CPU (``exact``)."""
    return 1.0 / power_table(1 + monthly_rate(annual_pct), n_months)


def npv(annual_pct: float, flows: np.ndarray) -> float:
    return float(dot(flows, discount_factors(annual_pct, flows.size)))


def _scaled_discount(rate: float, t: np.ndarray) -> np.ndarray:
    """(1 + rate)^−t for whole months ``t`` times one positive factor that makes the largest
    of them 1: finite at any rate above −100 % (a late factor near −100 % a month exceeds any
    float), and built from products, so the same bits on every CPU."""
    k = t.astype(np.intp)
    first, last = int(k[0]), int(k[-1])  # months in order
    table = power_table(1 + rate, last - first + 1)
    if rate >= 0:  # the earliest month's factor is the largest
        return 1.0 / table[k - first]
    return table[last - k]


@dataclass(frozen=True)
class IrrResult:
    annual: float | None  # effective annual rate, as a fraction
    monthly: float | None
    note: str  # why there is none, or how it was found


def _npv_sign_at(rate: float, flows: np.ndarray, t: np.ndarray) -> float:
    """NPV at ``rate`` times a positive factor (same sign, never overflows).

    Near −100 % a month the late discount factors exceed any float; scaling them so that the
    largest is 1 keeps every term finite without changing the sign.
    """
    # Only the non-zero flows: a zero flow's factor (the months after a fleet is sold, say)
    # must not be the largest, or it would scale every other term down to nothing.
    nz = flows != 0
    if not nz.any():
        return 0.0
    return float(np.sum(flows[nz] * _scaled_discount(rate, t[nz])))


# Newton's start for flows with several sign changes: 10 % a year as a monthly rate. Excel's
# IRR() starts at a guess of 10 % per period; for monthly flows the workbook passes this guess
# (IRR(values, 1.1^(1/12) − 1)) so that it lands on the same root as the app.
IRR_GUESS_MONTHLY = 1.1 ** (1 / 12) - 1


# Above this annual rate an IRR is not shown: so little money is at risk (a month's loss
# against years of income, or a root of many sign changes far from any return) that the rate
# says nothing a board can use; NPV does. The workbook's IRR cells apply the same ceiling.
IRR_CEILING = 10.0  # 1,000 % a year


def _above_ceiling(annual: float) -> IrrResult:
    return IrrResult(
        None,
        None,
        f"n/m: the rate that makes NPV zero is {annual * 100:,.0f} % a year, above "
        f"{IRR_CEILING * 100:,.0f} %: too little money at risk for a rate to mean anything",
    )


def irr(flows: np.ndarray) -> IrrResult:
    """Monthly IRR of the flows, annualised; none where the flows never change sign or no root
    exists. With one sign change the root is unique and found by bisection; with several,
    Newton's method from IRR_GUESS_MONTHLY is used, as Excel's IRR(values, guess) does, and the
    note says so. A rate above IRR_CEILING is n/m, with the rate in the note."""
    flows = np.asarray(flows, dtype=float)
    held = flows != 0
    nz = flows[held]
    if nz.size == 0 or (nz > 0).all() or (nz < 0).all():
        return IrrResult(None, None, "cash flows never change sign, so there is no IRR")
    sign = np.sign(nz)
    changes = int(np.count_nonzero(sign[1:] != sign[:-1]))
    # Zero months add nothing to any NPV: the root search runs on the others only.
    t = np.flatnonzero(held).astype(float)
    flows = nz
    if changes == 1:
        root = _bisect_irr(flows, t)
        if root is None:
            return IrrResult(None, None, "no rate makes NPV zero")
        if (1 + root) ** 12 - 1 > IRR_CEILING:
            return _above_ceiling((1 + root) ** 12 - 1)
        return IrrResult(
            (1 + root) ** 12 - 1, root, "unique root (one sign change)" + _kind(flows, t, root)
        )
    root = _newton_irr(flows, t, IRR_GUESS_MONTHLY)
    if root is None:
        return IrrResult(
            None,
            None,
            f"no root found ({changes} sign changes; Newton from 10 % a year did not converge)",
        )
    if (1 + root) ** 12 - 1 > IRR_CEILING:
        return _above_ceiling((1 + root) ** 12 - 1)
    return IrrResult(
        (1 + root) ** 12 - 1,
        root,
        f"{changes} sign changes: several IRRs may exist; this one is Newton's from "
        "10 % a year, as Excel's IRR with that guess" + _kind(flows, t, root),
    )


def _kind(flows: np.ndarray, t: np.ndarray, root: float) -> str:
    """A note where the rate is a cost, not a return: NPV rises with the rate at the root,
    as for money received first and paid back later (a sale now against income later).
    ``flows`` has no zero month (``irr`` drops them), ``t`` their months."""
    slope = -float(np.add.reduce(t * flows * _scaled_discount(root, t + 1)))
    if slope > 0:
        return "; NPV rises with the rate here, so this is a cost of funds (lower is better)"
    return ""


def _bisect_irr(flows: np.ndarray, t: np.ndarray) -> float | None:
    """The root of the one sign change: bracketed, then each step is Newton's where it stays
    inside the bracket and halves the bracket otherwise (safeguarded Newton), so it converges
    as fast as Newton near the root and never leaves the bracket."""
    lo, hi = -0.999999, 1.0
    f_lo = _npv_sign_at(lo, flows, t)
    f_hi = _npv_sign_at(hi, flows, t)
    while np.sign(f_hi) == np.sign(f_lo) and hi < 1e6:
        hi *= 4
        f_hi = _npv_sign_at(hi, flows, t)
    if np.sign(f_hi) == np.sign(f_lo):
        return None
    rate, last_step = 0.5 * (lo + hi), hi - lo
    for _ in range(400):
        f, slope = _npv_and_slope_at(rate, flows, t)
        if f == 0:
            return rate
        if np.sign(f) == np.sign(f_lo):
            lo = rate
        else:
            hi = rate
        newton = rate - f / slope if slope else np.nan
        # Newton only while it stays inside and at least halves the step before it (as
        # Numerical Recipes' rtsafe), else bisection: never slower than bisection.
        if lo < newton < hi and abs(newton - rate) <= 0.5 * last_step:
            following = newton
        else:
            following = 0.5 * (lo + hi)
        last_step = abs(following - rate)
        if last_step < 1e-15 or hi - lo < 1e-15:
            return following
        rate = following
    return rate


def _npv_and_slope_at(rate: float, flows: np.ndarray, t: np.ndarray) -> tuple[float, float]:
    """NPV and its derivative in the rate at ``rate``, both times the same positive factor
    (``_npv_sign_at``'s), so their ratio is the Newton step. ``flows`` has no zeros."""
    terms = flows * _scaled_discount(rate, t)
    return float(terms.sum()), float(-dot(t, terms) / (1 + rate))


def _newton_irr(flows: np.ndarray, t: np.ndarray, guess: float) -> float | None:
    rate = guess
    neg_t = -t
    weighted = neg_t * flows  # −t·c, as each step would compute it first
    # Each step's arithmetic as np.sum(flows × disc) and np.sum(weighted × disc / (1 + rate))
    # would do it (np.sum is np.add.reduce), in buffers made once: the same roundings without
    # a temporary or np.sum's Python layer per call (a step is ~8 such calls on ~120 months).
    total = np.add.reduce
    a, b = np.empty_like(flows), np.empty_like(flows)
    months, span = t.astype(np.intp), int(t[-1]) + 1  # t: whole months in order
    for _ in range(100):
        disc = 1.0 / power_table(1 + rate, span)[months]  # (1 + rate)^−t
        f = float(total(np.multiply(flows, disc, out=a)))
        np.multiply(weighted, disc, out=b)
        b /= 1 + rate
        df = float(total(b))
        if df == 0 or not np.isfinite(df):
            return None
        step = f / df
        rate -= step
        if rate <= -1 or not np.isfinite(rate):
            return None
        if abs(step) < 1e-12:
            return rate
    return None


def irr_paths(flows: np.ndarray) -> np.ndarray:
    """Row by row, the annual IRR of monthly flows, as ``irr`` finds it: Newton's method from
    IRR_GUESS_MONTHLY (the root ``irr`` takes when the flows change sign several times; with
    one sign change the root is unique, and a row Newton misses is bisected). NaN where the
    flows never change sign or no root is found. NPV and slope by Horner's rule, so a step
    costs a few vector operations per month rather than a power per cell."""
    flows = np.asarray(flows, dtype=float)
    signs = np.sign(flows)
    has_change = (signs > 0).any(axis=1) & (signs < 0).any(axis=1)
    rate = np.full(flows.shape[0], IRR_GUESS_MONTHLY)
    done = ~has_change
    found = np.zeros(flows.shape[0], dtype=bool)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # diverging rows end
        _newton_rows(flows, rate, done, found)
        out = np.where(found, (1 + rate) ** 12 - 1, np.nan)
    # Newton missed a row with one sign change (its root is unique): bisect it as ``irr``
    # does. With several, ``irr`` runs the same Newton from the same start and misses too.
    changes = np.count_nonzero(np.diff(signs, axis=1) != 0, axis=1)  # zeros count as changes
    for r in np.flatnonzero(has_change & ~found):
        nz = flows[r][flows[r] != 0]
        if np.count_nonzero(np.diff(np.sign(nz))) == 1 or changes[r] == 1:
            result = irr(flows[r])
            out[r] = np.nan if result.annual is None else result.annual
    out[out > IRR_CEILING] = np.nan  # as ``irr``: n/m above the ceiling
    return out


def _newton_rows(flows: np.ndarray, rate: np.ndarray, done: np.ndarray, found: np.ndarray) -> None:
    """Newton steps on the rows not ``done``, in place, until each converges or fails."""
    by_month = np.ascontiguousarray(flows.T)  # (M, P): each month's flows are contiguous
    for _ in range(100):
        rows = np.flatnonzero(~done)
        if rows.size == 0:
            break
        months = by_month if rows.size == rate.size else by_month[:, rows]
        f, slope = _npv_slope_months(months, rate[rows])
        ok = (slope != 0) & np.isfinite(slope)
        step = np.where(ok, f / np.where(ok, slope, 1.0), np.nan)
        new = rate[rows] - step
        bad = ~ok | ~np.isfinite(new) | (new <= -1)
        rate[rows] = np.where(bad, rate[rows], new)
        converged = ~bad & (np.abs(step) < 1e-12)
        found[rows[converged]] = True
        done[rows[bad | converged]] = True


def _npv_slope_months(months: np.ndarray, rate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(NPV, dNPV/drate) of each column of ``months`` (M, P) at its rate: Σ c_t v^t with
    v = 1 / (1 + rate), by Horner's rule from the last month."""
    v = 1.0 / (1.0 + rate)
    f = np.zeros(rate.size)
    dv = np.zeros(rate.size)
    for c in months[::-1]:  # in place, the same roundings: dv = dv·v + f, f = f·v + c
        dv *= v
        dv += f
        f *= v
        f += c
    return f, -dv * v * v


def payback_months(cumulative: np.ndarray) -> int | None:
    """Months until the cumulative flow turns non-negative for good: 0 if it never dips,
    None if it is still negative at the horizon."""
    negative = np.flatnonzero(cumulative < 0)
    if negative.size == 0:
        return 0
    last = int(negative[-1])
    return None if last == cumulative.size - 1 else last + 1


def peak_funding(cumulative: np.ndarray) -> float:
    """Deepest point of the cumulative flow, as a positive amount to fund (0 if never negative)."""
    return float(max(0.0, -cumulative.min()))
