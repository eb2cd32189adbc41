"""Project → results: every strategy's monthly table and KPIs, weighted by contract probability
and compared with the baseline.

``evaluate`` is the per-keystroke recompute (energy simulation, finance, NPV/IRR/payback,
probability weighting). Retirement months are chosen first (``core.engine.retirement``), so
this module sits above it. The goal-seek KPIs (break-evens, required AI price) live in
``core.engine.goalseek`` because each needs many re-evaluations.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from core.engine.blocks.kinds import facility_mw, is_ai, mines, operating_mask
from core.engine.cashflow import Breakdown, cash_flow_table
from core.engine.debt import debt_rows
from core.engine.energy import HourlyLoads, simulate_strategy
from core.engine.kpis import Incremental, Kpis, incremental_kpis, kpis_from_table, with_equity
from core.engine.loanterms import debt_warnings
from core.engine.market.context import MarketContext, market_context
from core.engine.market.exact import dot
from core.engine.market.memo import Memo
from core.engine.retirement import Retirement, has_auto, resolve_strategy
from core.model.business import zero_inputs
from core.model.catalog import Catalog, catalog_for
from core.model.project import AiBlock, MiningBlock, Project, Strategy


@dataclass(eq=False)
class StrategyResult:
    name: str
    monthly: dict[str, np.ndarray]
    kpis: Kpis
    warnings: list[str] = field(default_factory=list)
    weighted_cumulative_fcf_usd: np.ndarray | None = None
    breakdown: Breakdown | None = None
    hourly: HourlyLoads | None = None  # the hours behind the table, for the hourly chart
    retirements: list[Retirement] = field(default_factory=list)
    incremental: Incremental | None = None  # against the baseline (None for the baseline)

    @property
    def fcf(self) -> np.ndarray:
        return self.monthly["fcf_usd"]


@dataclass(eq=False)
class ProjectResult:
    months: list[str]
    strategies: list[StrategyResult]
    context: MarketContext | None = None  # the hourly market it was computed on (for charts)
    project: Project | None = None  # the project as operated: "auto" retirements filled in

    def by_name(self, name: str) -> StrategyResult:
        return next(s for s in self.strategies if s.name == name)


def capacity_warnings(project: Project, strategy: Strategy, catalog: Catalog, n: int) -> list[str]:
    """Months where what the strategy can draw exceeds the interconnect. A colocation tenant
    may draw its whole contracted IT capacity at any hour (the load factor only sets the
    energy), GPU servers their maximum kW, both × PUE; a mining fleet counts while it runs."""
    load = np.zeros(n)
    for b in strategy.blocks:
        load += operating_mask(b, n) * facility_mw(b, catalog)
    limit = project.site.interconnect_mw
    over = np.flatnonzero(load > limit + 1e-9)
    if over.size == 0:
        return []
    return [
        f"{strategy.name}: it can draw {load[over].max():,.1f} MW, above the "
        f"{limit:,.1f} MW interconnect, in {over.size} month(s) from month index {over[0]}"
    ]


def zero_input_warnings(strategy: Strategy) -> list[str]:
    """AI blocks whose business model still has a zero input (no servers, no price): the
    block earns nothing, and the card says so rather than showing a result built on it."""
    out = []
    for b in strategy.blocks:
        if is_ai(b) and (missing := zero_inputs(b)):
            out.append(
                f"{strategy.name}: {b.name} has {' and '.join(missing)} at 0; it earns nothing"
            )
    return out


def has_ai(strategy: Strategy) -> bool:
    return any(is_ai(b) for b in strategy.blocks)


def evaluate(project: Project, ctx: MarketContext | None = None) -> ProjectResult:
    """Run every strategy of the project and weight AI strategies by contract probability.
    Fleets set to retire "auto" are first given their best month (core.engine.retirement); the
    result's ``project`` is the project as operated, with those months filled in. Each
    strategy's run is kept for the inputs it reads (``strategy_run``), so an edit of one
    strategy reruns that strategy only."""
    catalog = catalog_for(project)
    ctx = ctx or market_context(project)
    runs = [strategy_run(project, s, ctx, catalog) for s in project.strategies]
    if any(r.strategy is not s for r, s in zip(runs, project.strategies, strict=True)):
        project = project.model_copy(update={"strategies": [r.strategy for r in runs]})
    results = [
        StrategyResult(
            r.strategy.name,
            dict(r.table),
            r.kpis,
            list(r.warnings),
            breakdown=r.breakdown,
            hourly=r.hourly,
            retirements=list(r.retirements),
        )
        for r in runs
    ]
    apply_contract_probability(project, results)
    apply_incremental(project, results)
    return ProjectResult(ctx.tl.month_labels, results, ctx, project)


@dataclass(frozen=True, eq=False)
class StrategyRun:
    """One strategy evaluated on its own: as operated (its "auto" retirements chosen), its
    monthly table with the debt rows, KPIs before contract weighting, and its warnings."""

    strategy: Strategy
    retirements: tuple[Retirement, ...]
    table: dict[str, np.ndarray]
    kpis: Kpis
    warnings: tuple[str, ...]
    breakdown: Breakdown
    hourly: HourlyLoads


# The last few strategy runs, by exactly what a strategy's run reads: the market context, the
# site, the finance and market inputs, the strategy itself and the catalog models it uses.
_strategy_runs: Memo[StrategyRun] = Memo(12)


def strategy_run(
    project: Project, strategy: Strategy, ctx: MarketContext, catalog: Catalog
) -> StrategyRun:
    models = tuple(_catalog_model(b, catalog) for b in strategy.blocks)
    key = (ctx, project.site, project.finance, project.market, strategy, models)
    return _strategy_runs.get(key, lambda: _run_strategy(project, strategy, ctx, catalog))


def _catalog_model(block: MiningBlock | AiBlock, catalog: Catalog) -> object:
    """The catalog entry a block runs on (its ASIC or its GPU server), None if absent."""
    if mines(block):
        return catalog.asics.get(block.asic_model)
    assert is_ai(block)
    return catalog.gpu_servers.get(block.gpu_server_model)


def _run_strategy(
    project: Project, s: Strategy, ctx: MarketContext, catalog: Catalog
) -> StrategyRun:
    chosen: list[Retirement] = []
    if has_auto(s):
        s, chosen, (energy, table, breakdown) = resolve_strategy(project, s, ctx, catalog)
    else:
        energy = simulate_strategy(project, s, ctx, catalog)
        table, breakdown = cash_flow_table(project, s, energy, ctx, catalog)
    table = table | debt_rows(project, s, table)
    for column in table.values():
        column.flags.writeable = False  # kept: every result of these inputs reads it
    kpis = with_equity(
        kpis_from_table(table, s),
        table,
        bool(table["debt_draw_usd"].any()),  # financed and borrowing: else the project's
        project.finance.cost_of_equity_pct_per_year,
    )
    # What makes the figures meaningless first: the card shows the first warning.
    warnings = zero_input_warnings(s) + capacity_warnings(project, s, catalog, ctx.tl.n_months)
    warnings += debt_warnings(project, s, table)
    return StrategyRun(s, tuple(chosen), table, kpis, tuple(warnings), breakdown, energy.hourly)


def baseline_name(project: Project) -> str:
    """The strategy the others are compared with: the project's choice, else the first."""
    return project.baseline_strategy or project.strategies[0].name


def apply_incremental(project: Project, results: list[StrategyResult]) -> None:
    """Every strategy but the baseline gets the KPIs of its FCF minus the baseline's."""
    by_name = {r.name: r for r in results}
    base = by_name.get(baseline_name(project))
    if base is None:
        return
    for r in results:
        if r is not base:
            r.incremental = incremental_kpis(
                r.fcf, base.fcf, base.monthly["discount_factor"], base.name
            )
            if r.weighted_cumulative_fcf_usd is not None:  # the contract's odds, weighed
                gain = r.kpis.probability_weighted_npv_usd - base.kpis.probability_weighted_npv_usd
                r.incremental = replace(r.incremental, weighted_npv_usd=gain)


def apply_contract_probability(project: Project, results: list[StrategyResult]) -> None:
    """For uncertain AI contracts, the decision tree: the fallback's cash flow until the
    signing month, then p × this strategy's + (1 − p) × the fallback's. The weighted NPV is
    p × NPV + (1 − p) × NPV(fallback) + p × the PV of (fallback − this) before signing (0 when
    the two run alike until then, as validation makes the conversion's spending)."""
    by_name = {r.name: r for r in results}
    for s, r in zip(project.strategies, results, strict=True):
        p = s.contract_probability_pct / 100
        fb = by_name.get(s.fallback_strategy or "")
        signing = s.signing_month()
        if fb is None or signing is None:
            continue
        k = r.kpis
        before = (np.arange(r.fcf.size) < signing) * (fb.fcf - r.fcf)
        weighted = p * k.npv_usd + (1 - p) * fb.kpis.npv_usd
        if before.any():
            weighted += p * float(dot(before, r.monthly["discount_factor"]))
        r.kpis = Kpis(**{**k.__dict__, "probability_weighted_npv_usd": weighted})
        r.weighted_cumulative_fcf_usd = (
            p * r.monthly["cumulative_fcf_usd"] + (1 - p) * fb.monthly["cumulative_fcf_usd"]
        )
        if before.any():
            r.weighted_cumulative_fcf_usd = r.weighted_cumulative_fcf_usd + p * np.cumsum(before)
