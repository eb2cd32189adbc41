"""The continuing value at the horizon end (``finance.terminal_value = "continuing"``): the
final year's free cash flow as a growing perpetuity at the discount rate, cut to what
contracts allow: a colocation lease without renewal stops at the end of its term, GPU
servers that run off stop at the end of their life, a retired fleet earns nothing."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from core.engine.blocks.ai import gpu_life_months
from core.engine.blocks.kinds import kind_of
from core.model.catalog import Catalog
from core.model.project import Finance, Project, Strategy

FINAL_YEAR_MONTHS = 12


def growth_factors(fin: Finance) -> tuple[float, float]:
    """(1 + g) / (1 + r) and (1 + g) / (r − g): the yearly ratio of a growing flow's PV and
    the value, one year before its first flow, of the flow growing for ever."""
    r = fin.discount_rate_pct_per_year / 100
    g = fin.terminal_growth_pct_per_year / 100
    if r <= g:
        raise ValueError(
            f"a continuing value needs a discount rate ({fin.discount_rate_pct_per_year:g} %) "
            f"above the terminal growth ({fin.terminal_growth_pct_per_year:g} %)"
        )
    return (1 + g) / (1 + r), (1 + g) / (r - g)


def years_factor(fin: Finance, months: float | None) -> float:
    """Value at the horizon end of a yearly flow F (the final year's) growing at g, per unit
    of F, received for ``months`` more months (None: for ever): F (1+g)/(r−g) ×
    (1 − ((1+g)/(1+r))^(months/12)), the growing annuity."""
    ratio, perpetuity = growth_factors(fin)
    if months is None:
        return perpetuity
    return perpetuity * (1 - ratio ** (max(months, 0) / 12))


class Term(NamedTuple):
    """One block's part in the continuing value: its MW, the share of the final year it held
    them (what earned the final year's flow), and what it holds after the horizon: in place
    for ``months`` more (None: for ever), then at the ``renewal`` probability for ever;
    ``future`` is that profile's factor (``years_factor`` of it)."""

    block: int
    mw: float
    held: float | np.ndarray
    months: float | None
    renewal: float
    future: float | np.ndarray


def _term(fin: Finance, j: int, mw: float, held: float, months: float | None, p: float) -> Term:
    annuity = years_factor(fin, months)
    future = annuity if months is None else annuity + p * (years_factor(fin, None) - annuity)
    return Term(j, mw, held, months, p, future)


def block_terms(project: Project, strategy: Strategy, catalog: Catalog, n: int) -> list[Term]:
    """Every block's term. A mining fleet holds its MW while it runs; it runs on after the
    horizon unless an end month says otherwise. An AI block holds its contracted MW × its share
    in place. After the horizon, GPU servers replaced or run on rent for ever; run off, to
    the end of their life. A lease is in place to the end of its term, then at the renewal
    probability (for ever, also when the term ended before the horizon)."""
    fin = project.finance
    year = np.arange(max(n - FINAL_YEAR_MONTHS, 0), n)
    life = gpu_life_months(project)
    out = []
    for j, b in enumerate(strategy.blocks):
        kind = kind_of(b)
        months, p = kind.after_horizon(b, n, life)
        held = float(np.mean(kind.in_place(b, n, life)[year]))  # its share of the final year
        out.append(_term(fin, j, kind.facility_mw(b, catalog), held, months, p))
    return out


def strategy_factor(terms: list[Term]) -> float | np.ndarray:
    """The factor on the final year's flow: Σ MW × future / Σ MW × held. Each block's flow
    continues in proportion to what it holds after the horizon over what it held in the final
    year (a lease that ended in the final year with a 10 % renewal continues 10 % of its full
    rate, not of a year that still had months at full rent). 0 when nothing was held."""
    held = sum(t.mw * t.held for t in terms)
    future = sum(t.mw * t.future for t in terms)
    safe = np.where(np.asarray(held) > 0, held, 1.0)
    out = np.where(np.asarray(held) > 0, np.asarray(future) / safe, 0.0)
    return float(out) if out.ndim == 0 else out


def final_year_base(fcf_before: np.ndarray, salvage: np.ndarray) -> np.ndarray:
    """The yearly flow that continues: the final year's free cash flow without asset sales
    (one-offs), floored at zero. Works along the last axis."""
    last = (fcf_before - salvage)[..., -FINAL_YEAR_MONTHS:]
    return np.maximum(last.sum(axis=-1), 0.0)


def continuing_row(fcf_before: np.ndarray, salvage: np.ndarray, factor: float) -> np.ndarray:
    """The continuing value as a monthly row: factor × the final year's flow, in the last
    month (the horizon end, as a sale of the assets would be)."""
    row = np.zeros_like(fcf_before)
    if factor:
        row[..., -1] = factor * final_year_base(fcf_before, salvage)
    return row
