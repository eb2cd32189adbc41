"""Goal-seek KPIs: break-even power price, break-even BTC price, required AI price for a target
IRR (project, and equity where the strategy borrows), and the debt a target DSCR allows.

Each solves one monotone equation NPV(x) = 0 by bracketing and the Illinois variant of regula
falsi; each answer is None with a reason when no value in the searched range gets there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.engine.blocks.kinds import ai_kind, is_ai, mines
from core.engine.cashflow import cash_flow_table
from core.engine.debt import debt_rows
from core.engine.energy import simulate_strategy
from core.engine.evaluation import has_ai
from core.engine.finance.returns import discount_factors
from core.engine.loanterms import repayment_start
from core.engine.market.context import market_context
from core.engine.market.exact import dot
from core.engine.retirement import resolve_strategy
from core.model.catalog import catalog_for
from core.model.format import quantity
from core.model.project import AiBlock, Project, Strategy


@dataclass(frozen=True)
class Solved:
    value: float | None
    unit: str
    note: str
    reason: str = ""  # without a value: why, in a few words for a table cell ("no mining")

    def cell(self) -> str:
        """The answer as a table shows it: "$61,250", "41.20 USD/MWh", or why there is none in
        a few words ("n/a: no mining"; ``note`` has it whole)."""
        if self.value is None:
            return f"n/a: {self.reason or self.note}"
        return quantity(self.value, self.unit)


NOT_FINANCED = Solved(None, "", "strategy has no financing", "no financing")


@dataclass(frozen=True)
class GoalSeek:
    breakeven_power: Solved
    breakeven_btc: Solved
    required_ai_price: Solved
    required_ai_price_equity: Solved = NOT_FINANCED  # for the target equity IRR
    debt_capacity: Solved = NOT_FINANCED  # the largest debt at the target minimum DSCR


def solve_root(f: Callable[[float], float], lo: float, hi: float, tol: float) -> float:
    """Root of f in [lo, hi] where f(lo) and f(hi) differ in sign (Illinois regula falsi)."""
    f_lo, f_hi = f(lo), f(hi)
    side = 0
    for _ in range(100):
        x = hi - f_hi * (hi - lo) / (f_hi - f_lo)
        fx = f(x)
        if abs(hi - lo) < tol or fx == 0:
            return x
        if np.sign(fx) == np.sign(f_hi):
            hi, f_hi = x, fx
            if side == -1:
                f_lo /= 2
            side = -1
        else:
            lo, f_lo = x, fx
            if side == 1:
                f_hi /= 2
            side = 1
    return x


def _bracket(
    f: Callable[[float], float], start: float, step: float, limit: float
) -> tuple[float, float] | None:
    """Walk from ``start`` by doubling steps toward ``limit`` until f changes sign."""
    a, fa = start, f(start)
    if fa == 0:
        return a, a
    b = start
    while abs(b - start) < abs(limit - start):
        b = start + step if abs(start + step - start) < abs(limit - start) else limit
        fb = f(b)
        if np.sign(fb) != np.sign(fa):
            return (a, b) if a < b else (b, a)
        a, fa, step = b, fb, step * 2
    return None


def _strategy_npv(
    project: Project, strategy: Strategy, shift: float = 0.0, btc: float = 1.0
) -> float:
    ctx = market_context(project, shift, btc)
    catalog = catalog_for(project)
    energy = simulate_strategy(project, strategy, ctx, catalog)
    return float(
        cash_flow_table(project, strategy, energy, ctx, catalog)[0][
            "cumulative_discounted_fcf_usd"
        ][-1]
    )


def breakeven_power(project: Project, strategy: Strategy) -> Solved:
    unit = "USD/MWh"
    contract = project.site.energy.contract
    base_fixed = project.site.energy.fixed_price_usd_per_mwh

    def f(shift: float) -> float:
        p = project
        if contract == "fixed_block":
            energy = p.site.energy.model_copy(
                update={"fixed_price_usd_per_mwh": base_fixed + shift}
            )
            p = p.model_copy(update={"site": p.site.model_copy(update={"energy": energy})})
        return _strategy_npv(p, strategy, shift=shift)

    ctx = market_context(project)
    first_year_avg = float(ctx.price[: ctx.tl.month_first_hour[min(12, ctx.tl.n_months)]].mean())
    f0 = f(0.0)
    if abs(f(100.0) - f0) < 1e-6 * max(1.0, abs(f0)):
        return Solved(
            None,
            unit,
            "NPV does not depend on the power price (power passed through)",
            "power passed through",
        )
    br = _bracket(f, 0.0, 20.0 if f0 > 0 else -20.0, 20_000.0 if f0 > 0 else -2_000.0)
    if br is None:
        searched = "+$20,000" if f0 > 0 else "−$2,000"
        sign = "positive" if f0 > 0 else "negative"
        return Solved(
            None,
            unit,
            f"NPV stays {sign} with every hour's price moved by up to {searched}/MWh",
            f"NPV {sign} at any price",
        )
    shift = solve_root(f, *br, tol=1e-3)
    return Solved(
        first_year_avg + shift,
        unit,
        "first-year average wholesale price, all hours moved equally, at which NPV = 0",
    )


def breakeven_btc(project: Project, strategy: Strategy) -> Solved:
    unit = "USD/BTC"
    if not any(mines(b) and b.asic_count for b in strategy.blocks):
        return Solved(None, unit, "strategy has no mining", "no mining")
    f = lambda k: _strategy_npv(project, strategy, btc=k)  # noqa: E731
    f1 = f(1.0)
    br = _bracket(f, 1.0, 0.25 if f1 < 0 else -0.25, 1000.0 if f1 < 0 else 0.0)
    if br is None:
        return Solved(
            None,
            unit,
            "NPV stays "
            + ("positive" if f1 > 0 else "negative")
            + " for every BTC price searched (×0 to ×1000 of today's path)",
            "NPV " + ("positive" if f1 > 0 else "negative") + " at any BTC price",
        )
    k = solve_root(f, *br, tol=1e-7)
    return Solved(
        project.market.btc_price_usd * k,
        unit,
        "starting BTC price (whole path scaled) at which NPV = 0",
    )


def required_ai_price(project: Project, strategy: Strategy) -> Solved:
    ai, unit, base = _ai_unit(strategy)
    if not ai:
        return Solved(None, "", "strategy has no AI block", "no AI block")
    target = project.finance.target_irr_pct_per_year
    growth = project.finance.terminal_growth_pct_per_year
    if project.finance.terminal_value == "continuing" and target <= growth:
        return Solved(
            None,
            unit,
            f"the target IRR ({target:g} %) must be above the terminal growth ({growth:g} %) "
            "for a continuing value",
            "target IRR ≤ growth",
        )
    at_target = project.model_copy(
        update={
            "finance": project.finance.model_copy(update={"discount_rate_pct_per_year": target})
        }
    )
    catalog = catalog_for(project)
    ctx = market_context(at_target)
    energy = simulate_strategy(at_target, strategy, ctx, catalog)
    if base <= 0:
        return Solved(
            None,
            unit,
            "the AI price is zero, so it cannot be scaled; enter a price",
            "AI price is zero",
        )

    def f(k: float) -> float:
        t, _ = cash_flow_table(at_target, strategy, energy, ctx, catalog, ai_price_scale=k)
        return float(t["cumulative_discounted_fcf_usd"][-1])

    return _scaled_price(f, ai, unit, base, f"{target:g} % IRR", f"{target:g} % p.a. IRR")


def _scaled_price(
    f: Callable[[float], float], ai: list[AiBlock], unit: str, base: float, miss: str, hit: str
) -> Solved:
    """The AI price at which ``f`` (an NPV of the AI price scale) is zero: bracketed from
    today's price, then solved; ``miss`` and ``hit`` name the goal in the two answers."""
    f1 = f(1.0)
    br = _bracket(f, 1.0, 0.25 if f1 < 0 else -0.25, 1000.0 if f1 < 0 else 0.0)
    if br is None:
        return Solved(None, unit, f"no AI price reaches a {miss}", "not reachable")
    k = solve_root(f, *br, tol=1e-9)
    both = " (all AI blocks' prices scaled together)" if len(ai) > 1 else ""
    return Solved(base * k, unit, f"price of '{ai[0].name}' for a {hit}{both}")


def _ai_unit(strategy: Strategy) -> tuple[list[AiBlock], str, float]:
    ai = [b for b in strategy.blocks if is_ai(b)]
    if not ai:
        return ai, "", 0.0
    kind = ai_kind(ai[0])
    return ai, kind.price_unit, kind.price(ai[0])


def required_ai_price_equity(project: Project, strategy: Strategy) -> Solved:
    """The AI price (all AI blocks scaled together) at which the equity cash flow returns
    ``finance.target_equity_irr_pct_per_year``: its NPV at that rate is zero. The debt is
    re-sized at each price when it is sized by DSCR."""
    if strategy.financing is None:
        return NOT_FINANCED
    ai, unit, base = _ai_unit(strategy)
    if not ai:
        return Solved(None, "", "strategy has no AI block", "no AI block")
    if base <= 0:
        return Solved(
            None,
            unit,
            "the AI price is zero, so it cannot be scaled; enter a price",
            "AI price is zero",
        )
    target = project.finance.target_equity_irr_pct_per_year
    catalog = catalog_for(project)
    ctx = market_context(project)
    energy = simulate_strategy(project, strategy, ctx, catalog)
    df = discount_factors(target, ctx.tl.n_months)

    def f(k: float) -> float:
        t, _ = cash_flow_table(project, strategy, energy, ctx, catalog, ai_price_scale=k)
        return float(dot(debt_rows(project, strategy, t)["equity_fcf_usd"], df))

    goal = f"{target:g} % equity IRR"
    return _scaled_price(f, ai, unit, base, goal, goal)


def debt_capacity(project: Project, strategy: Strategy) -> Solved:
    """The largest debt (the balance when repayment starts) whose scheduled service keeps the
    minimum DSCR at the financing's target, on its repayment terms."""
    fin = strategy.financing
    if fin is None:
        return Solved(None, "USD", NOT_FINANCED.note, NOT_FINANCED.reason)
    sized = strategy.model_copy(update={"financing": fin.model_copy(update={"sizing": "dscr"})})
    catalog = catalog_for(project)
    ctx = market_context(project)
    energy = simulate_strategy(project, sized, ctx, catalog)
    t, _ = cash_flow_table(project, sized, energy, ctx, catalog)
    rows = debt_rows(project, sized, t)
    debt = float(rows["debt_balance_usd"].max())
    capped = rows["debt_draw_usd"].sum() >= t["capex_usd"][
        : repayment_start(sized, t["capex_usd"].size)
    ].sum() * (1 - 1e-12)
    repayment = fin.repayment.replace("_", "-")
    terms = f"{fin.target_dscr:g}× minimum DSCR, {repayment} over {fin.tenor_months} months"
    if debt <= 0:
        return Solved(0.0, "USD", f"no debt keeps {terms} (no capex while built, or no CFADS)")
    if capped:
        return Solved(debt, "USD", f"the whole construction capex: {terms} allows more")
    return Solved(debt, "USD", f"largest debt at {terms}")


def goal_seek(project: Project, strategy: Strategy) -> GoalSeek:
    """Break-even power and BTC prices and the required AI price of one strategy, with its
    fleets' retirement months as chosen on the project's own inputs (held while the price
    moves: a break-even asks what price makes the plan pay, not a different plan)."""
    if any(mines(b) and b.retire == "auto" for b in strategy.blocks):
        # This strategy's months only: the others do not enter its break-evens.
        strategy, _, _ = resolve_strategy(
            project, strategy, market_context(project), catalog_for(project)
        )
    return GoalSeek(
        breakeven_power(project, strategy),
        breakeven_btc(project, strategy),
        required_ai_price(project, strategy)
        if has_ai(strategy)
        else Solved(None, "", "strategy has no AI block", "no AI block"),
        required_ai_price_equity(project, strategy),
        debt_capacity(project, strategy),
    )
