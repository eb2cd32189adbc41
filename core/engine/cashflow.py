"""Project → results: the monthly cash-flow table and KPIs of every strategy.

``evaluate`` is the per-keystroke recompute (energy simulation, finance, NPV/IRR/payback,
probability weighting). The goal-seek KPIs (break-evens, required AI price) live in
``core.engine.goalseek`` because each needs many re-evaluations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.engine.bitcoin import monthly_btc_price
from core.engine.columns import REVENUE_COLUMNS
from core.engine.debt import debt_rows
from core.engine.energy import (
    EnergyResult,
    HourlyLoads,
    MarketContext,
    ai_block_contracted_mw,
    ai_block_it_mw,
    ai_block_share,
    gpu_life_months,
    gpu_refresh_months,
    market_context,
    mining_block_power,
    mining_end,
    operating_mask,
    simulate_strategy,
)
from core.engine.exact import powers
from core.engine.finance import (
    Asset,
    AssetFlows,
    asset_flows,
    discount_factors,
    finance_tax,
)
from core.engine.kpis import Incremental, Kpis, incremental_kpis, kpis_from_table, with_equity
from core.engine.terminal import block_terms, continuing_row, strategy_factor
from core.model.business import zero_inputs
from core.model.catalog import Catalog, catalog_for
from core.model.project import AiBlock, HostingBlock, MiningBlock, Project, Strategy


@dataclass(eq=False)
class StrategyResult:
    name: str
    monthly: dict[str, np.ndarray]
    kpis: Kpis
    warnings: list[str] = field(default_factory=list)
    weighted_cumulative_fcf_usd: np.ndarray | None = None
    breakdown: Breakdown | None = None
    hourly: HourlyLoads | None = None  # the hours behind the table, for the hourly chart
    retirements: list[Any] = field(default_factory=list)  # core.engine.retirement.Retirement
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


def sale_month(block: MiningBlock) -> int | None:
    """When a mining block's miners are sold: at its end or retirement month, else held."""
    ends = [m for m in (block.end_month, block.retire) if isinstance(m, int)]
    return min(ends) if ends else None


def strategy_assets(
    strategy: Strategy, catalog: Catalog, n_months: int, life_months: int
) -> list[Asset]:
    """Every purchase and owned fleet of a strategy, with timing and tax basis
    (``life_months``: the GPU servers' life, for their replacements)."""
    assets: list[Asset] = []
    for j, b in enumerate(strategy.blocks):
        if isinstance(b, MiningBlock):
            asic = catalog.asics[b.asic_model]
            unit = asic.price_usd if b.asic_unit_price_usd is None else b.asic_unit_price_usd
            value = b.asic_count * unit
            capex = 0.0 if b.existing_fleet else value
            if not isinstance(b, HostingBlock):  # a client's machines are not the site's
                assets.append(
                    Asset(
                        f"{b.name}: ASICs",
                        "asic",
                        capex,
                        b.start_month,
                        value,
                        capex,
                        b.start_month,
                        sale_month(b),
                        j,
                        "asic",
                    )
                )
            if b.infrastructure_usd_per_mw:
                mw, _ = mining_block_power(b, catalog)
                cost = mw * b.infrastructure_usd_per_mw
                assets.append(
                    Asset(
                        f"{b.name}: infrastructure",
                        "facility",
                        cost,
                        b.start_month,
                        cost,
                        cost,
                        b.start_month,
                        None,
                        j,
                        "infrastructure",
                    )
                )
        else:
            live = b.start_month + b.conversion_months
            it_mw = ai_block_it_mw(b, catalog)
            if b.retrofit_usd_per_mw:
                cost = it_mw * b.retrofit_usd_per_mw
                assets.append(
                    Asset(
                        f"{b.name}: retrofit",
                        "facility",
                        cost,
                        b.start_month,
                        cost,
                        cost,
                        live,
                        None,
                        j,
                        "retrofit",
                        capex_months=b.conversion_months,
                        capex_shape=b.capex_draw,
                    )
                )
            if b.business_model == "gpu_cloud" and b.server_count:
                assets += _gpu_servers(j, b, catalog, live, n_months, life_months)
    return assets


def _gpu_servers(
    j: int, b: AiBlock, catalog: Catalog, live: int, n_months: int, life_months: int
) -> list[Asset]:
    """A GPU-cloud block's servers: bought at go-live; at the end of their life sold and either
    replaced by new ones at the server price declined since go-live, or not (run off)."""
    server = catalog.gpu_servers[b.gpu_server_model]
    unit = server.price_usd if b.server_unit_price_usd is None else b.server_unit_price_usd
    decline = (
        b.gpu_price_decline_pct_per_year
        if b.server_price_decline_pct_per_year is None
        else b.server_price_decline_pct_per_year
    )
    ends = gpu_refresh_months(b, n_months, life_months)
    bought = [live] + (ends if b.gpu_end_of_life == "replace" else [])
    out = []
    for k, month in enumerate(bought):
        cost = b.server_count * unit * (1 - decline / 100) ** ((month - live) / 12)
        sold = ends[k] if k < len(ends) else None
        name = f"{b.name}: GPU servers" + (f" (replacement {k})" if k else "")
        out.append(Asset(name, "gpu", cost, month, cost, cost, month, sold, j, "gpu", k))
    return out


def block_om_usd(
    project: Project, strategy: Strategy, catalog: Catalog, n_months: int
) -> dict[int, np.ndarray]:
    """O&M of each block (by its index in strategy.blocks), USD per month while it operates."""
    out: dict[int, np.ndarray] = {}
    for j, b in enumerate(strategy.blocks):
        # O&M scales with facility MW for miners and with IT MW for AI hosting.
        mw = (
            mining_block_power(b, catalog)[0]
            if isinstance(b, MiningBlock)
            else (ai_block_it_mw(b, catalog))
        )
        in_place = (
            operating_mask(b, n_months)
            if isinstance(b, MiningBlock)
            else ai_block_share(b, n_months, gpu_life_months(project))
        )
        out[j] = in_place * mw * b.om_usd_per_mw_month
    return out


@dataclass(frozen=True, eq=False)
class Breakdown:
    """What the monthly totals are made of, for the workbook's formula rows."""

    fixed_opex_usd: np.ndarray
    block_om_usd: dict[int, np.ndarray]
    block_revenue_usd: dict[int, np.ndarray]  # AI blocks, before any goal-seek price scale
    assets: tuple[tuple[Asset, AssetFlows], ...]


def operating_rows(
    project: Project,
    strategy: Strategy,
    energy: EnergyResult,
    ctx: MarketContext,
    catalog: Catalog,
    ai_price_scale: float = 1.0,
) -> tuple[dict[str, np.ndarray], np.ndarray, dict[int, np.ndarray]]:
    """The table's rows down to EBITDA, the site's fixed opex and each block's O&M: all a
    retirement scan needs of the run without the fleet."""
    n = ctx.tl.n_months
    t: dict[str, np.ndarray] = {
        "revenue_mining_usd": energy.revenue_mining_usd,
        "revenue_colocation_usd": energy.revenue_colocation_usd * ai_price_scale,
        "revenue_gpu_cloud_usd": energy.revenue_gpu_cloud_usd * ai_price_scale,
        "revenue_hosting_usd": energy.revenue_hosting_usd,
        "power_passthrough_usd": energy.power_passthrough_usd,
        "dr_capacity_usd": energy.dr_capacity_usd,
        "power_credits_usd": energy.power_credits_usd,
    }
    t["revenue_total_usd"] = np.asarray(sum(t[c] for c in REVENUE_COLUMNS))
    t["energy_cost_usd"] = energy.energy_cost_usd
    t["demand_charge_usd"] = energy.demand_charge_usd
    t["fourcp_charge_usd"] = energy.fourcp_charge_usd
    fixed = fixed_opex_usd(project, n)
    if not strategy.keep_site_open:
        fixed[site_closes(strategy.blocks, n) :] = 0.0
    om = block_om_usd(project, strategy, catalog, n)
    t["opex_usd"] = fixed + sum(om.values(), np.zeros(n))
    t["ebitda_usd"] = (
        t["revenue_total_usd"]
        - t["energy_cost_usd"]
        - t["demand_charge_usd"]
        - t["fourcp_charge_usd"]
        - t["opex_usd"]
    )
    return t, fixed, om


def cash_flow_table(
    project: Project,
    strategy: Strategy,
    energy: EnergyResult,
    ctx: MarketContext,
    catalog: Catalog,
    ai_price_scale: float = 1.0,
) -> tuple[dict[str, np.ndarray], Breakdown]:
    """Monthly table from the energy result: revenue, costs, EBITDA, capex, tax, FCF, discount."""
    t, fixed, om = operating_rows(project, strategy, energy, ctx, catalog, ai_price_scale)
    fin, n = project.finance, ctx.tl.n_months
    lives = fin.depreciation_life_years.model_dump()
    residual = fin.residual_value_pct.model_dump()
    assets = strategy_assets(strategy, catalog, n, gpu_life_months(project))
    hashprice = ctx.monthly_hashprice
    index = resale_index(project, hashprice)
    bonus = fin.bonus_depreciation_pct.model_dump()
    flows = asset_flows(assets, n, lives, residual, index, fin.terminal_value, bonus)
    t["capex_usd"] = flows.capex_usd
    t["salvage_usd"] = flows.salvage_usd
    held = [
        f
        for a, f in zip(assets, flows.each, strict=True)
        if a.sale_month is None or a.sale_month >= n
    ]
    # The horizon-end sale of what is still held (nothing under "none"); a continuing value
    # replaces it below, once the final year's flow is known.
    t["terminal_value_usd"] = sum((f.salvage_usd for f in held), np.zeros(n))
    t["depreciation_usd"] = flows.depreciation_usd
    t["taxable_income_usd"] = t["ebitda_usd"] - flows.depreciation_usd + flows.sale_gain_usd
    t["tax_usd"] = finance_tax(t["taxable_income_usd"], fin)
    t["fcf_usd"] = t["ebitda_usd"] - t["capex_usd"] + t["salvage_usd"] - t["tax_usd"]
    if fin.terminal_value == "continuing":
        factor = float(strategy_factor(block_terms(project, strategy, catalog, n)))
        t["terminal_value_usd"] = continuing_row(t["fcf_usd"], t["salvage_usd"], factor)
        t["fcf_usd"] = t["fcf_usd"] + t["terminal_value_usd"]
    t["cumulative_fcf_usd"] = np.cumsum(t["fcf_usd"])
    t["discount_factor"] = discount_factors(fin.discount_rate_pct_per_year, n)
    t["discounted_fcf_usd"] = t["fcf_usd"] * t["discount_factor"]
    t["cumulative_discounted_fcf_usd"] = np.cumsum(t["discounted_fcf_usd"])
    t["energy_mwh"] = energy.energy_mwh
    t["mining_energy_mwh"] = energy.mining_energy_mwh
    t["curtailed_mwh"] = energy.curtailed_mwh
    t["hashrate_ph"] = energy.hashrate_ph
    t["hashprice_usd_per_ph_day"] = hashprice
    t["btc_price_usd"] = monthly_btc_price(project.market, n)
    breakdown = Breakdown(
        fixed, om, energy.block_revenue_usd, tuple(zip(assets, flows.each, strict=True))
    )
    return t, breakdown


def resale_index(project: Project, hashprice: np.ndarray) -> dict[str, np.ndarray]:
    """Per asset class, the multiplier on an aged value by sale month. Used ASICs trade at a
    $/TH that moves with hashprice (Hashrate Index's ASIC price index), so their value is
    scaled by the month's hashprice over the first month's, when the project says so."""
    if project.finance.asic_resale != "hashprice" or not hashprice.size or hashprice[0] <= 0:
        return {}
    return {"asic": hashprice / hashprice[0]}


def fixed_opex_usd(project: Project, n: int) -> np.ndarray:
    """The site's fixed opex per month over the whole horizon, escalated yearly."""
    site = project.site
    return (
        site.fixed_opex_usd_per_year
        / 12
        * powers(1 + site.opex_escalator_pct_per_year / 100, np.arange(n) // 12)
    )


def site_closes(blocks: list[MiningBlock | AiBlock], n: int) -> int:
    """The month the site closes: when its last block has stopped (an AI block runs to the
    horizon; a strategy with no blocks never opens)."""
    return max((mining_end(b, n) if isinstance(b, MiningBlock) else n for b in blocks), default=0)


def capacity_warnings(project: Project, strategy: Strategy, catalog: Catalog, n: int) -> list[str]:
    """Months where what the strategy can draw exceeds the interconnect. A colocation tenant
    may draw its whole contracted IT capacity at any hour (the load factor only sets the
    energy), GPU servers their maximum kW, both × PUE; a mining fleet counts while it runs."""
    load = np.zeros(n)
    for b in strategy.blocks:
        mw = (
            mining_block_power(b, catalog)[0]
            if isinstance(b, MiningBlock)
            else (ai_block_contracted_mw(b, catalog))
        )
        load += operating_mask(b, n) * mw
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
        if isinstance(b, AiBlock) and (missing := zero_inputs(b)):
            out.append(
                f"{strategy.name}: {b.name} has {' and '.join(missing)} at 0; it earns nothing"
            )
    return out


def has_ai(strategy: Strategy) -> bool:
    return any(isinstance(b, AiBlock) for b in strategy.blocks)


def evaluate(project: Project, ctx: MarketContext | None = None) -> ProjectResult:
    """Run every strategy of the project and weight AI strategies by contract probability.
    Fleets set to retire "auto" are first given their best month (core.engine.retirement); the
    result's ``project`` is the project as operated, with those months filled in."""
    # Retirement compares whole strategy runs, so it sits above the cash flow it calls.
    from core.engine.retirement import operating_project

    catalog = catalog_for(project)
    ctx = ctx or market_context(project)
    project, retirements, runs = operating_project(project, ctx, catalog)
    results = []
    for s in project.strategies:
        if s.name in runs:
            energy, table, breakdown = runs[s.name]
        else:
            energy = simulate_strategy(project, s, ctx, catalog)
            table, breakdown = cash_flow_table(project, s, energy, ctx, catalog)
        table = table | debt_rows(project, s, table)
        kpis = with_equity(
            kpis_from_table(table, s),
            table,
            bool(table["debt_draw_usd"].any()),  # financed and borrowing: else the project's
            project.finance.cost_of_equity_pct_per_year,
        )
        results.append(
            StrategyResult(
                s.name,
                table,
                kpis,
                # What makes the figures meaningless first: the card shows the first warning.
                zero_input_warnings(s) + capacity_warnings(project, s, catalog, ctx.tl.n_months),
                breakdown=breakdown,
                hourly=energy.hourly,
                retirements=retirements.get(s.name, []),
            )
        )
    apply_contract_probability(project, results)
    apply_incremental(project, results)
    return ProjectResult(ctx.tl.month_labels, results, ctx, project)


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


def apply_contract_probability(project: Project, results: list[StrategyResult]) -> None:
    """p × this strategy + (1 − p) × its fallback (keep mining) for uncertain AI contracts."""
    by_name = {r.name: r for r in results}
    for s, r in zip(project.strategies, results, strict=True):
        p = s.contract_probability_pct / 100
        fb = by_name.get(s.fallback_strategy or "")
        if fb is None or p >= 1 or not has_ai(s):
            continue
        k = r.kpis
        weighted = p * k.npv_usd + (1 - p) * fb.kpis.npv_usd
        r.kpis = Kpis(**{**k.__dict__, "probability_weighted_npv_usd": weighted})
        r.weighted_cumulative_fcf_usd = (
            p * r.monthly["cumulative_fcf_usd"] + (1 - p) * fb.monthly["cumulative_fcf_usd"]
        )
