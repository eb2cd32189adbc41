"""One strategy's monthly cash-flow table from its energy result: revenue, costs, EBITDA, the
assets its blocks own, tax, free cash flow and discounting (``cash_flow_table``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.engine.blocks.ai import gpu_life_months
from core.engine.blocks.kinds import kind_of, mines, strategy_assets
from core.engine.blocks.mining import mining_end
from core.engine.columns import REVENUE_COLUMNS
from core.engine.energy import EnergyResult
from core.engine.finance.assets import Asset, AssetFlows, asset_flows
from core.engine.finance.returns import discount_factors
from core.engine.finance.tax import finance_tax
from core.engine.market.bitcoin import monthly_btc_price
from core.engine.market.context import MarketContext
from core.engine.market.exact import powers
from core.engine.terminal import Continuing, after_horizon, continuing_value
from core.model.catalog import Catalog
from core.model.project import AiBlock, MiningBlock, Project, Strategy


def block_om_usd(
    project: Project, strategy: Strategy, catalog: Catalog, n_months: int
) -> dict[int, np.ndarray]:
    """O&M of each block (by its index in strategy.blocks), USD per month while it operates."""
    out: dict[int, np.ndarray] = {}
    life = gpu_life_months(project)
    for j, b in enumerate(strategy.blocks):
        # O&M scales with facility MW for miners and with IT MW for AI hosting.
        kind = kind_of(b)
        mw = kind.om_mw(b, catalog)
        in_place = kind.in_place(b, n_months, life)
        out[j] = in_place * mw * b.om_usd_per_mw_month
    return out


@dataclass(frozen=True, eq=False)
class Breakdown:
    """What the monthly totals are made of, for the workbook's formula rows."""

    fixed_opex_usd: np.ndarray
    block_om_usd: dict[int, np.ndarray]
    block_revenue_usd: dict[int, np.ndarray]  # AI blocks, before any goal-seek price scale
    assets: tuple[tuple[Asset, AssetFlows], ...]
    continuing: Continuing | None = None  # finance.terminal_value = "continuing": its years


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
    with_continuing: bool = True,
) -> tuple[dict[str, np.ndarray], Breakdown]:
    """Monthly table from the energy result: revenue, costs, EBITDA, capex, tax, FCF, discount.
    ``with_continuing=False`` leaves a continuing value out (its row is 0): a caller that
    computes the months alone, from an energy run of part of the strategy."""
    t, fixed, om = operating_rows(project, strategy, energy, ctx, catalog, ai_price_scale)
    fin, n = project.finance, ctx.tl.n_months
    lives = fin.depreciation_life_years.model_dump()
    residual = fin.residual_value_pct.model_dump()
    assets = strategy_assets(strategy, catalog, n, gpu_life_months(project))
    hashprice = ctx.monthly_hashprice
    index = resale_index(project, ctx)
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
    t["terminal_value_usd"] = sum((f.salvage_usd for f in held), np.zeros(n))  # 0: continuing
    t["depreciation_usd"] = flows.depreciation_usd
    t["taxable_income_usd"] = t["ebitda_usd"] - flows.depreciation_usd + flows.sale_gain_usd
    t["tax_usd"] = finance_tax(t["taxable_income_usd"], fin)
    t["fcf_usd"] = t["ebitda_usd"] - t["capex_usd"] + t["salvage_usd"] - t["tax_usd"]
    parts = tuple(zip(assets, flows.each, strict=True))
    continuing = None
    if fin.terminal_value == "continuing" and with_continuing:
        rows = (t["ebitda_usd"], t["taxable_income_usd"], fixed, t["fourcp_charge_usd"])
        after = after_horizon(project, strategy, energy, ctx, catalog, rows, None, ai_price_scale)
        continuing = continuing_value(after, fin)
        t["terminal_value_usd"] = np.zeros(n)
        t["terminal_value_usd"][-1] = continuing.value_usd
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
    breakdown = Breakdown(fixed, om, energy.block_revenue_usd, parts, continuing)
    return t, breakdown


FORWARD_MONTHS = 12  # the months a buyer of used miners prices ahead (hashprice_forward)


def resale_index(project: Project, ctx: MarketContext) -> dict[str, np.ndarray]:
    """Per asset class, the multiplier on an aged value by sale month. Used ASICs trade at a
    $/TH that moves with hashprice (Hashrate Index's ASIC price index), so their value is
    scaled, when the project says so, by the month's hashprice over the first month's
    ("hashprice"), or by what the market expects ("hashprice_forward", the default): the mean
    hashprice of the 12 months from the sale over the same mean from the first month. A buyer
    prices the months ahead, a known halving included, so a fleet sold the month before a
    halving fetches no more than one sold the month after, but for its age."""
    rule = project.finance.asic_resale
    hashprice = ctx.monthly_hashprice
    if rule == "straight_line" or not hashprice.size or hashprice[0] <= 0:
        return {}
    if rule == "hashprice":
        return {"asic": hashprice / hashprice[0]}
    return {"asic": forward_index(hashprice, ctx.hashprice_ahead)}


def forward_index(hashprice: np.ndarray, ahead: np.ndarray) -> np.ndarray:
    """Per month m, the mean of months [m, m + 12) of ``hashprice`` followed by ``ahead`` (the
    months after the horizon) over the same mean at month 0. Along the last axis."""
    n = hashprice.shape[-1]
    path = np.concatenate(
        [hashprice, np.broadcast_to(ahead, (*hashprice.shape[:-1], ahead.shape[-1]))], axis=-1
    )
    total = np.cumsum(path, axis=-1)
    window = total[..., FORWARD_MONTHS - 1 : FORWARD_MONTHS - 1 + n].copy()
    window[..., 1:] -= total[..., : n - 1]
    return window / window[..., :1]


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
    return max((mining_end(b, n) if mines(b) else n for b in blocks), default=0)
