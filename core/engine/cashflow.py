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
from core.engine.energy import (
    EnergyResult,
    HourlyLoads,
    MarketContext,
    ai_block_it_mw,
    market_context,
    mining_block_power,
    mining_end,
    operating_mask,
    simulate_strategy,
)
from core.engine.finance import (
    Asset,
    AssetFlows,
    asset_flows,
    discount_factors,
    irr,
    payback_months,
    peak_funding,
    tax_with_loss_carryforward,
)
from core.model.catalog import Catalog, catalog_for
from core.model.project import AiBlock, MiningBlock, Project, Strategy


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


def strategy_assets(strategy: Strategy, catalog: Catalog) -> list[Asset]:
    """Every purchase and owned fleet of a strategy, with timing and tax basis."""
    assets: list[Asset] = []
    for j, b in enumerate(strategy.blocks):
        if isinstance(b, MiningBlock):
            asic = catalog.asics[b.asic_model]
            unit = asic.price_usd if b.asic_unit_price_usd is None else b.asic_unit_price_usd
            value = b.asic_count * unit
            capex = 0.0 if b.existing_fleet else value
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
                    )
                )
            if b.business_model == "gpu_cloud" and b.server_count:
                server = catalog.gpu_servers[b.gpu_server_model]
                unit = (
                    server.price_usd if b.server_unit_price_usd is None else b.server_unit_price_usd
                )
                cost = b.server_count * unit
                assets.append(
                    Asset(
                        f"{b.name}: GPU servers",
                        "gpu",
                        cost,
                        live,
                        cost,
                        cost,
                        live,
                        None,
                        j,
                        "gpu",
                    )
                )
    return assets


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
        out[j] = operating_mask(b, n_months) * mw * b.om_usd_per_mw_month
    return out


@dataclass(frozen=True, eq=False)
class Breakdown:
    """What the monthly totals are made of, for the workbook's formula rows."""

    fixed_opex_usd: np.ndarray
    block_om_usd: dict[int, np.ndarray]
    block_revenue_usd: dict[int, np.ndarray]  # AI blocks, before any goal-seek price scale
    assets: tuple[tuple[Asset, AssetFlows], ...]


def cash_flow_table(
    project: Project,
    strategy: Strategy,
    energy: EnergyResult,
    ctx: MarketContext,
    catalog: Catalog,
    ai_price_scale: float = 1.0,
) -> tuple[dict[str, np.ndarray], Breakdown]:
    """Monthly table from the energy result: revenue, costs, EBITDA, capex, tax, FCF, discount."""
    tl, fin = ctx.tl, project.finance
    n = tl.n_months
    t: dict[str, np.ndarray] = {
        "revenue_mining_usd": energy.revenue_mining_usd,
        "revenue_colocation_usd": energy.revenue_colocation_usd * ai_price_scale,
        "revenue_gpu_cloud_usd": energy.revenue_gpu_cloud_usd * ai_price_scale,
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
    lives = fin.depreciation_life_years.model_dump()
    residual = fin.residual_value_pct.model_dump()
    assets = strategy_assets(strategy, catalog)
    hashprice = tl.month_sum(ctx.hashprice) / tl.hours_in_month
    index = resale_index(project, hashprice)
    keep_value = fin.terminal_value == "book_value"
    flows = asset_flows(assets, n, lives, residual, index, keep_value)
    t["capex_usd"] = flows.capex_usd
    t["salvage_usd"] = flows.salvage_usd
    held = [
        f
        for a, f in zip(assets, flows.each, strict=True)
        if a.sale_month is None or a.sale_month >= n
    ]
    t["terminal_value_usd"] = sum((f.salvage_usd for f in held), np.zeros(n))
    t["depreciation_usd"] = flows.depreciation_usd
    t["taxable_income_usd"] = t["ebitda_usd"] - flows.depreciation_usd + flows.sale_gain_usd
    t["tax_usd"] = tax_with_loss_carryforward(t["taxable_income_usd"], fin.tax_rate_pct)
    t["fcf_usd"] = t["ebitda_usd"] - t["capex_usd"] + t["salvage_usd"] - t["tax_usd"]
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
        * (1 + site.opex_escalator_pct_per_year / 100) ** (np.arange(n) // 12)
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


def ai_block_contracted_mw(block: AiBlock, catalog: Catalog) -> float:
    """The facility MW an AI block may draw at any hour: contracted IT MW (colocation) or its
    servers at maximum power (GPU cloud), × PUE."""
    if block.business_model == "colocation":
        return block.it_mw * block.pue
    server = catalog.gpu_servers[block.gpu_server_model]
    return block.server_count * server.max_power_kw / 1e3 * block.pue


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
    project, retirements, energies = operating_project(project, ctx, catalog)
    results = []
    for s in project.strategies:
        energy = energies.get(s.name) or simulate_strategy(project, s, ctx, catalog)
        table, breakdown = cash_flow_table(project, s, energy, ctx, catalog)
        results.append(
            StrategyResult(
                s.name,
                table,
                kpis_from_table(table, s),
                capacity_warnings(project, s, catalog, ctx.tl.n_months),
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
    df = base.monthly["discount_factor"]
    for r in results:
        if r is base:
            continue
        diff = r.fcf - base.fcf
        cum = np.cumsum(diff)
        k = kpis_from_table(
            {
                "fcf_usd": diff,
                "cumulative_fcf_usd": cum,
                "cumulative_discounted_fcf_usd": np.cumsum(diff * df),
            },
            None,
        )
        r.incremental = Incremental(
            base.name,
            k.npv_usd,
            k.irr,
            k.irr_note,
            k.payback_months,
            k.discounted_payback_months,
            k.payback_note,
            k.discounted_payback_note,
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


@dataclass(frozen=True, eq=False)
class HourlyDetail:
    """One simulation year of hourly data for charts."""

    strategy: str
    year_index: int  # 0 = first year of the horizon
    first_month: str  # YYYY-MM of the year's first hour
    price_usd_per_mwh: np.ndarray
    load_mw: dict[str, np.ndarray]  # per block, facility MW actually drawn
    curtailed: dict[str, np.ndarray]  # per mining block, True where it stood (partly) idle
    breakeven_usd_per_mwh: dict[str, np.ndarray]  # per mining block: the hour's break-even


def hourly_detail(
    project: Project,
    strategy_name: str,
    year_index: int,
    ctx: MarketContext | None = None,
    result: ProjectResult | None = None,
) -> HourlyDetail:
    """Hourly price, load per block, curtailed flags and break-evens for one year of a strategy.
    Given the project's ``result``, it reads the hours that result was computed from; without
    one it simulates the strategy."""
    strategy = next((s for s in project.strategies if s.name == strategy_name), None)
    if strategy is None:
        raise ValueError(f"no strategy named {strategy_name!r}")
    if not 0 <= year_index < project.finance.horizon_years:
        raise ValueError(f"year must be 0 to {project.finance.horizon_years - 1}, got {year_index}")
    computed = None
    if result is not None and result.context is not None:
        if year_index < result.context.tl.n_years:  # the result may predate a longer horizon
            computed = next((s for s in result.strategies if s.name == strategy_name), None)
    if result is not None and computed is not None and computed.hourly is not None:
        ctx, hourly = result.context, computed.hourly
    else:
        from core.engine.retirement import operating_project

        ctx = ctx or market_context(project)
        operated, _, energies = operating_project(project, ctx)
        if strategy_name in energies:
            hourly = energies[strategy_name].hourly
        else:
            hourly = simulate_strategy(operated, strategy, ctx, catalog_for(project)).hourly
    assert ctx is not None
    a, b = ctx.tl.year_first_hour[year_index], ctx.tl.year_first_hour[year_index + 1]
    load, curtailed, breakeven = hourly.window(int(a), int(b))
    return HourlyDetail(
        strategy.name,
        year_index,
        ctx.tl.month_labels[year_index * 12],
        ctx.price[a:b].copy(),
        load,
        curtailed,
        breakeven,
    )
