"""Cash-flow arithmetic: assets and depreciation, tax with loss carry-forward, NPV, IRR, payback.

Conventions (brief §7): monthly periods; every flow of month t sits at the start of month t and
is discounted by t months at (1 + r)^(1/12) − 1, so NPV = CF0 + Excel NPV(r_m, CF1:CFn).
IRR is annualised from the monthly IRR as (1 + irr_m)^12 − 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from core.engine.market.exact import dot, power_table
from core.model.project import Finance

AssetClass = Literal["asic", "gpu", "facility"]


@dataclass(frozen=True)
class Asset:
    """A purchase (or an owned fleet) with its cash cost, tax basis and life in the plan.

    ``value_usd`` is what the asset is worth when put in service (its purchase price, or today's
    market value of an owned fleet); salvage falls straight-line from it over the class life to
    the residual %. ``tax_basis_usd`` is depreciated; an owned fleet has none left in the plan.
    """

    name: str
    asset_class: AssetClass
    capex_usd: float
    capex_month: int
    value_usd: float
    tax_basis_usd: float
    in_service_month: int
    sale_month: int | None  # None: held to the horizon end
    block_index: int | None = None  # which block of the strategy it belongs to
    part: str = ""  # "asic", "infrastructure", "retrofit" or "gpu"
    generation: int = 0  # GPU servers: 0 bought at go-live, k the k-th replacement
    # Paid over this many months from capex_month (a conversion's draws), in this shape.
    capex_months: int = 1
    capex_shape: str = "upfront"

    def capex_by_month(self) -> np.ndarray:
        """The capex paid in each month from ``capex_month``: all at once, evenly, or along
        an S-curve (smoothstep: cumulative share x²(3 − 2x) of the way x through)."""
        k = self.capex_months
        if self.capex_shape == "upfront" or k <= 1:
            return np.array([self.capex_usd])
        x = np.arange(k + 1) / k
        cumulative = x if self.capex_shape == "even" else x * x * (3 - 2 * x)
        return np.diff(cumulative) * self.capex_usd


@dataclass(frozen=True, eq=False)
class AssetFlows:
    capex_usd: np.ndarray
    depreciation_usd: np.ndarray
    salvage_usd: np.ndarray
    sale_gain_usd: np.ndarray
    each: tuple[AssetFlows, ...] = ()  # per asset, in input order (the totals are their sums)


def salvage_value(
    value_usd: float, age_months: int, life_years: float, residual_pct: float
) -> float:
    """Resale value: straight-line from the in-service value down to the residual share."""
    remaining = max(1.0 - age_months / (life_years * 12), residual_pct / 100)
    return value_usd * remaining


def asset_flows(
    assets: list[Asset],
    n_months: int,
    life_years: dict[str, float],
    residual_pct: dict[str, float],
    resale_index: dict[str, np.ndarray] | None = None,
    terminal_value: str = "book_value",
    bonus_pct: dict[str, float] | None = None,
) -> AssetFlows:
    """Capex, depreciation, salvage and gain on sale of each asset. ``resale_index`` gives, per
    asset class, a multiplier on the aged value by sale month (ASICs: hashprice over its start
    value), 1 where absent. ``terminal_value`` (``finance.terminal_value``) says what the
    assets held at the horizon end do: "book_value", sold at their aged value; "none", fetch
    nothing (their book value is a loss); "continuing", stay in use (no sale, no loss: the
    continuing value, core.engine.terminal, is what they earn on). ``bonus_pct``: per class,
    the share of the basis deducted in the month the asset enters service (if it is not sold
    then), the rest straight-line over the class life."""
    each = []
    for a in assets:
        capex, dep, salvage, gain = (np.zeros(n_months) for _ in range(4))
        each.append(AssetFlows(capex, dep, salvage, gain))
        paid = a.capex_by_month()[: max(n_months - a.capex_month, 0)]
        capex[a.capex_month : a.capex_month + paid.size] += paid
        if a.in_service_month >= n_months:
            continue
        sale = n_months - 1 if a.sale_month is None else min(a.sale_month, n_months - 1)
        life_m = round(life_years[a.asset_class] * 12)
        held_to_end = a.sale_month is None or a.sale_month >= n_months
        # Sold: no depreciation in the month of sale. Held: depreciated through the last month.
        dep_end = min(a.in_service_month + life_m, n_months if held_to_end else sale)
        bonus = (bonus_pct or {}).get(a.asset_class, 0.0) / 100 * a.tax_basis_usd
        if dep_end <= a.in_service_month:
            bonus = 0.0
        monthly = (a.tax_basis_usd - bonus) / life_m
        if dep_end > a.in_service_month:
            dep[a.in_service_month : dep_end] += monthly
            dep[a.in_service_month] += bonus
        book = a.tax_basis_usd - bonus - monthly * max(dep_end - a.in_service_month, 0)
        # Held to the end: valued one month after the last period starts (horizon end).
        age = (n_months if held_to_end else sale) - a.in_service_month
        proceeds = salvage_value(
            a.value_usd, age, life_years[a.asset_class], residual_pct[a.asset_class]
        )
        if resale_index and a.asset_class in resale_index:
            proceeds *= float(resale_index[a.asset_class][sale])
        if held_to_end and terminal_value != "book_value":
            proceeds = 0.0
            if terminal_value == "continuing":
                continue
        salvage[sale] += proceeds
        gain[sale] += proceeds - book
    zero = np.zeros(n_months)
    total = {
        k: sum((getattr(f, k) for f in each), zero)
        for k in ("capex_usd", "depreciation_usd", "salvage_usd", "sale_gain_usd")
    }
    return AssetFlows(**total, each=tuple(each))


def serviced(rows: dict[str, np.ndarray]) -> np.ndarray:
    """The repayment months of debt rows (``core.engine.debt``): those with interest paid or
    scheduled principal (a balloon alone is not scheduled service). Their DSCR counts, also a
    negative one."""
    scheduled = rows["principal_usd"] - rows["balloon_usd"]
    return (rows["interest_paid_usd"] > 0) | (scheduled > 0)


def running_sum(x: np.ndarray) -> np.ndarray:
    """np.cumsum along the last axis, to the same bits (floats are added in the same order),
    a column at a time where there are many rows: numpy's accumulate along a short last axis
    of a (paths, months) array is several times slower than a vector add per month."""
    return _running(np.add, x)


def running_max(x: np.ndarray) -> np.ndarray:
    """np.maximum.accumulate along the last axis (``running_sum``'s method)."""
    return _running(np.maximum, x)


def _running(op: np.ufunc, x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if x.ndim < 2 or x.size < 64 * x.shape[-1]:
        return op.accumulate(x, axis=-1)
    out = x.copy()
    for j in range(1, out.shape[-1]):
        op(out[..., j - 1], out[..., j], out=out[..., j])
    return out


def tax_with_loss_carryforward(taxable_usd: np.ndarray, rate_pct: float) -> np.ndarray:
    """Tax per month at ``rate_pct`` on positive income after unlimited loss carry-forward.

    With losses carried forward, the cumulative taxed base at month t is the running maximum of
    cumulative taxable income (floored at 0); each month pays tax on the increase.
    Works along the last axis, so a (paths, months) array is taxed path by path.
    """
    base = running_max(np.maximum(running_sum(taxable_usd), 0.0))
    increase = base.copy()
    increase[..., 1:] -= base[..., :-1]
    return increase * rate_pct / 100


def tax_with_loss_limit(taxable_usd: np.ndarray, rate_pct: float, limit_pct: float) -> np.ndarray:
    """Tax per month under the US rule for post-2017 losses: each tax year (12 months of the
    horizon) nets its own months, and losses carried from earlier years offset at most
    ``limit_pct`` of the year's taxable income. Paid as the year goes: each month pays the
    change in the year-to-date tax (a later loss in the year gives some back), so a year pays
    rate × (income − min(losses carried, limit × income)). Along the last axis."""
    x = np.asarray(taxable_usd, dtype=float)
    lead, n = x.shape[:-1], x.shape[-1]
    years = -(-n // 12)
    # Months padded with zeros to whole years (a padded month changes no year-to-date
    # figure), then laid out month of the year first, so that each month's figures for every
    # year (and path) are contiguous.
    if n == years * 12:
        padded = x
    else:
        padded = np.zeros((*lead, years * 12))
        padded[..., :n] = x
    limit = limit_pct / 100
    if all(d == 1 for d in lead):  # one row (the table's, or a (1, M) path)
        row = _tax_with_loss_limit_row(padded.reshape(years * 12), n, years, rate_pct, limit)
        return row.reshape((*lead, n))
    nd = len(lead) + 1  # the axes of (…, years)
    ytd = padded.reshape((*lead, years, 12)).transpose((nd, *range(nd))).copy()  # (12, …, years)
    for k in range(1, 12):
        ytd[k] += ytd[k - 1]
    year_end = ytd[-1]
    # Only the losses carried into each year are sequential; they depend on year-end totals.
    carried = np.zeros(year_end.shape)
    for y in range(1, years):
        prior = year_end[..., y - 1]
        used = np.minimum(carried[..., y - 1], limit * np.maximum(prior, 0.0))
        carried[..., y] = carried[..., y - 1] - used + np.maximum(-prior, 0.0)
    # base = max(ytd − min(carried, limit × max(ytd, 0)), 0), in one buffer (the same roundings;
    # a (paths, months) array would otherwise make five temporaries of its size).
    base = np.maximum(ytd, 0.0)
    base *= limit
    np.minimum(carried, base, out=base)
    np.subtract(ytd, base, out=base)
    np.maximum(base, 0.0, out=base)
    paid = base.copy()
    paid[1:] -= base[:-1]
    # × rate, written straight into month order (…, years, 12), then ÷ 100.
    out = np.empty((*lead, years, 12))
    np.multiply(paid.transpose((*range(1, nd + 1), 0)), rate_pct, out=out)
    out /= 100
    by_month = out.reshape((*lead, years * 12))
    return by_month if n == years * 12 else np.ascontiguousarray(by_month[..., :n])


def _tax_with_loss_limit_row(
    padded: np.ndarray, n: int, years: int, rate_pct: float, limit: float
) -> np.ndarray:
    """``tax_with_loss_limit`` of one row, in its own (years, 12) layout: the same additions
    in the same order (a cumulative sum runs month by month, as the loop over months does),
    so the same roundings, with a few numpy calls instead of one per month."""
    _, _, base = _loss_limit_steps(padded, years, limit)
    paid = base.copy()
    paid[:, 1:] -= base[:, :-1]
    paid *= rate_pct
    paid /= 100
    flat = paid.reshape(years * 12)
    return flat if n == years * 12 else flat[:n].copy()


def _loss_limit_steps(
    padded: np.ndarray, years: int, limit: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(year-to-date income (years, 12), losses carried into each year (years,), year-to-date
    income taxed (years, 12)) of one row padded to whole years."""
    ytd = np.add.accumulate(padded.reshape(years, 12), axis=1)  # np.cumsum, without its wrapper
    carry, each = 0.0, [0.0] * years
    for y in range(1, years):  # Python floats: no numpy call per year
        prior = float(ytd[y - 1, -1])
        used = min(carry, limit * max(prior, 0.0))
        carry = carry - used + max(-prior, 0.0)
        each[y] = carry
    carried = np.array(each)
    base = np.maximum(ytd, 0.0)
    base *= limit
    np.minimum(carried[:, None], base, out=base)
    np.subtract(ytd, base, out=base)
    np.maximum(base, 0.0, out=base)
    return ytd, carried, base


def tax_steps(taxable_usd: np.ndarray, fin: Finance) -> dict[str, np.ndarray]:
    """The steps behind ``finance_tax`` of one taxable-income row, as the workbook's rows show
    them. With the 80 % rule: the year-to-date income ("ytd"), the losses carried into each
    month's year ("carried") and the year-to-date income taxed ("base"); the month pays the
    rate × the change in "base" (from 0 in a year's first month). Without it: the cumulative
    taxable income ("cum_taxable") and its running maximum floored at 0 ("base"); the month
    pays the rate × the rise in "base"."""
    x = np.asarray(taxable_usd, dtype=float)
    if not fin.nol_80_pct_limit:
        cumulative = running_sum(x)
        return {"cum_taxable": cumulative, "base": running_max(np.maximum(cumulative, 0.0))}
    n = x.size
    years = -(-n // 12)
    padded = np.zeros(years * 12)
    padded[:n] = x
    ytd, carried, base = _loss_limit_steps(padded, years, 0.8)
    return {
        "ytd": ytd.reshape(years * 12)[:n],
        "carried": np.repeat(carried, 12)[:n],
        "base": base.reshape(years * 12)[:n],
    }


def finance_tax(taxable_usd: np.ndarray, fin: Finance) -> np.ndarray:
    """The project's tax on a taxable-income row (or rows): losses carried forward without a
    limit, or at most 80 % of a year's income (``fin.nol_80_pct_limit``)."""
    if fin.nol_80_pct_limit:
        return tax_with_loss_limit(taxable_usd, fin.tax_rate_pct, 80.0)
    return tax_with_loss_carryforward(taxable_usd, fin.tax_rate_pct)


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
