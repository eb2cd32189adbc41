"""Tax on a monthly taxable income: losses carried forward without limit, or with the 80 %
limit (``finance_tax``), and the running sums and maxima they rest on, to the same bits on
every CPU."""

from __future__ import annotations

import numpy as np

from core.model.project import Finance


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
