"""The continuing value at the horizon end (``finance.terminal_value = "continuing"``): the
strategy's own years after the horizon, run by the model's rules for up to 50 years and
discounted to the horizon end.

Each block follows its own path from the final year (``BlockKind.path_after``):
- an owned fleet mines on at the projected hashprice (BTC price path, difficulty growth,
  halvings at the block time) and its derate, curtailed hour by hour on the final year's
  prices as in the horizon; it stops from the first year it no longer covers its power and
  O&M (or at its end month);
- hosted racks earn their contract as in the final year, to their end month;
- an AI block keeps its contract: a lease to the end of its term, then at its renewal
  probability and rate; GPU cloud keeps its rental decline and buys its replacement servers
  as an average yearly capex of server cost ÷ life (servers that run off stop at the end of
  their life);
- what the site earns or pays beside its blocks (DR income, demand and 4CP charges, the
  final year's other items) follows the MW in place, and the site's fixed opex escalates for
  as long as a block holds load (with none left the site closes, even one kept open inside
  the horizon).

Power prices after the horizon are the final year's, month by month. Tax is the project's
rule (losses carried out of the horizon, the 80 % limit) on EBITDA less the depreciation
left on the assets held at the horizon end and that of the replacements. Each year's flow
is spread over its months and discounted as the monthly table is; ``finance.
terminal_growth_pct_per_year`` applies on top, as (1 + g)^k on year k: a haircut or an
uplift in real terms."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.engine.blocks.ai import gpu_life_months
from core.engine.blocks.base import After, BlockPath
from core.engine.blocks.demand import fourcp_peak_kw
from core.engine.blocks.kinds import kind_of, strategy_assets
from core.engine.energy import EnergyResult
from core.engine.finance.assets import AssetFlows, asset_flows
from core.engine.finance.returns import monthly_rate
from core.engine.finance.tax import tax_steps
from core.engine.market.bitcoin import projected_monthly_hashprice
from core.engine.market.context import MarketContext
from core.engine.market.exact import power_table, powers
from core.model.catalog import Catalog
from core.model.project import Finance, Project, Strategy

FINAL_YEAR_MONTHS = 12
AFTER_YEARS = 50  # the years a continuing value sums; later ones are negligible at any rate
AFTER_MONTHS = AFTER_YEARS * 12


@dataclass(frozen=True, eq=False)
class AfterHorizon:
    """The strategy's years after the horizon (USD per year, ``AFTER_YEARS`` of them) and
    the tax losses carried out of the horizon."""

    ebitda_usd: np.ndarray
    capex_usd: np.ndarray
    salvage_usd: np.ndarray  # servers sold at the end of their life
    depreciation_usd: np.ndarray
    sale_gain_usd: np.ndarray
    losses_carried_usd: float
    loss_limit: float  # the share of a year's income losses may offset (0.8 or 1)


@dataclass(frozen=True, eq=False)
class Continuing:
    """The continuing value, year by year: tax, free cash flow, the growth input's factor,
    the discount factor to the horizon end, present value; ``value_usd`` their sum."""

    after: AfterHorizon
    taxable_usd: np.ndarray
    losses_carried_in_usd: np.ndarray  # the tax losses each year starts with
    losses_used_usd: np.ndarray
    tax_usd: np.ndarray
    fcf_usd: np.ndarray
    growth_factor: np.ndarray
    discount_factor: np.ndarray
    pv_usd: np.ndarray
    value_usd: float


def after_context(
    project: Project, ctx: MarketContext, energy: EnergyResult, ai_price_scale: float = 1.0
) -> After:
    """The months a continuing value runs over: the final year's, then ``AFTER_MONTHS``
    more, each priced as the same calendar month of the final year."""
    tl, n = ctx.tl, ctx.tl.n_months
    final = np.arange(n - FINAL_YEAR_MONTHS, n)
    cal = np.concatenate([final, final[np.arange(AFTER_MONTHS) % FINAL_YEAR_MONTHS]])
    adder = energy.hourly.adder
    var_month = ctx.price_month[cal] + adder * tl.hours_in_month[cal]
    assert ctx.market is not None
    hashprice = projected_monthly_hashprice(
        ctx.market, tl.start, n + AFTER_MONTHS, ctx.btc_price_scale
    )[n - FINAL_YEAR_MONTHS :]
    same_month = hashprice[cal - (n - FINAL_YEAR_MONTHS)]  # 0 at a BTC price of 0
    ratio = np.divide(hashprice, same_month, out=np.zeros_like(hashprice), where=same_month > 0)
    return After(
        n=n,
        months=AFTER_MONTHS,
        cal=cal,
        hours=tl.hours_in_month[cal].astype(float),
        var_month=var_month,
        hashprice_ratio=ratio,
        life_months=gpu_life_months(project),
        tl=tl,
        var_cost=ctx.var_cost(adder),
        ai_price_scale=ai_price_scale,
    )


def after_horizon(
    project: Project,
    strategy: Strategy,
    energy: EnergyResult,
    ctx: MarketContext,
    catalog: Catalog,
    rows: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    dropped: int | None = None,
    ai_price_scale: float = 1.0,
) -> AfterHorizon:
    """The strategy's years after the horizon from its monthly ``rows`` (EBITDA, taxable
    income, the site's fixed opex, its 4CP bill) and its hours (``energy``). ``dropped``: a
    block retired inside the horizon, which holds nothing after it (the retirement scan's
    candidates); ``ai_price_scale``: a goal seek's scale on the AI blocks' prices."""
    ebitda_row, taxable_row, fixed_opex_usd, fourcp_row = rows
    n = ctx.tl.n_months
    after = after_context(project, ctx, energy, ai_price_scale)
    span = FINAL_YEAR_MONTHS + AFTER_MONTHS
    margin = np.zeros(span)
    mw = np.zeros(span)
    miners = iter(run for _, run in energy.hourly.mining)  # in block order
    for j, b in enumerate(strategy.blocks):
        kind = kind_of(b)
        path: BlockPath = kind.path_after(b, catalog, after, next(miners) if kind.mines else None)
        if j == dropped:  # retired inside the horizon: its final year, nothing after it
            path = path.ended()
        margin += path.margin_usd
        mw += path.mw
    final = slice(n - FINAL_YEAR_MONTHS, n)
    fixed = fixed_opex_usd[final]
    # What the site earns or pays beside its blocks, per calendar month of the final year.
    fourcp = fourcp_row[final]  # billed on the year before's peaks: replaced below
    other = ebitda_row[final] - margin[:FINAL_YEAR_MONTHS] + fixed + fourcp
    in_final = mw[:FINAL_YEAR_MONTHS]
    k = np.arange(AFTER_MONTHS) % FINAL_YEAR_MONTHS
    held = mw[FINAL_YEAR_MONTHS:]
    share = np.divide(held, in_final[k], out=np.zeros(AFTER_MONTHS), where=in_final[k] > 0)
    years = np.arange(AFTER_MONTHS) // 12 + 1
    escalator = powers(1 + project.site.opex_escalator_pct_per_year / 100, years)
    # After the horizon the site is open while a block holds load: with none left, nothing
    # is coming that a site kept open would wait for.
    ebitda = margin[FINAL_YEAR_MONTHS:] + other[k] * share - fixed[k] * escalator * (held > 0)
    ebitda -= _fourcp_after(project, ctx, energy, mw)
    flows = _assets_after(project, strategy, catalog, n, dropped)
    carried, limit = losses_carried(taxable_row, project.finance)
    return AfterHorizon(
        _yearly(ebitda),
        _yearly(flows.capex_usd[n:]),
        _yearly(flows.salvage_usd[n:]),
        _yearly(flows.depreciation_usd[n:]),
        _yearly(flows.sale_gain_usd[n:]),
        carried,
        limit,
    )


def _fourcp_after(
    project: Project, ctx: MarketContext, energy: EnergyResult, mw: np.ndarray
) -> np.ndarray:
    """The 4CP bill of each month after the horizon: a year is billed on the year before's
    summer peaks (``fourcp_bill``), the first on the final year's own, later ones on that
    load × the MW in place in the year before over the final year's."""
    rate = project.site.energy.fourcp_usd_per_kw_year
    if not rate or ctx.fourcp_peak.size == 0:
        return np.zeros(AFTER_MONTHS)
    kw = float(fourcp_peak_kw(energy.fourcp_peak_mw, ctx)[-1])
    yearly = mw.reshape(AFTER_YEARS + 1, 12).mean(axis=1)
    ratio = np.divide(yearly[:-1], yearly[0], out=np.zeros(AFTER_YEARS), where=yearly[0] > 0)
    return np.repeat(kw * rate / 12 * ratio, 12)


def _yearly(monthly: np.ndarray) -> np.ndarray:
    return monthly.reshape(AFTER_YEARS, 12).sum(axis=1)


def _assets_after(
    project: Project, strategy: Strategy, catalog: Catalog, n: int, dropped: int | None
) -> AssetFlows:
    """The strategy's assets over the horizon and the years after it, by the engine's asset
    rules: what is held at the horizon end depreciates on in use, GPU servers are replaced
    (and the old ones sold) at the end of each life as they are inside the horizon. The
    miners of a ``dropped`` block were sold when it retired."""
    fin = project.finance
    total = n + AFTER_MONTHS
    assets = [
        a
        for a in strategy_assets(strategy, catalog, total, gpu_life_months(project))
        if not (a.block_index == dropped and a.part == "asic")
    ]
    return asset_flows(
        assets,
        total,
        fin.depreciation_life_years.model_dump(),
        fin.residual_value_pct.model_dump(),
        {},
        "continuing",
        fin.bonus_depreciation_pct.model_dump(),
    )


def losses_carried(taxable: np.ndarray, fin: Finance) -> tuple[float, float]:
    """(tax losses carried out of the horizon, the share of a year's income they may offset),
    by the project's tax rule (``core.engine.finance.tax``)."""
    steps = tax_steps(taxable, fin)
    if not fin.nol_80_pct_limit:
        return float(steps["base"][-1] - steps["cum_taxable"][-1]), 1.0
    carried, ytd = float(steps["carried"][-1]), float(steps["ytd"][-1])
    used = min(carried, 0.8 * max(ytd, 0.0))
    return carried - used + max(-ytd, 0.0), 0.8


def continuing_value(after: AfterHorizon, fin: Finance) -> Continuing:
    """Tax, free cash flow and present value of each year after the horizon, and their sum:
    the value at the horizon end's month of the strategy's own years to come."""
    taxable = after.ebitda_usd - after.depreciation_usd + after.sale_gain_usd
    carry = after.losses_carried_usd
    used = np.zeros(AFTER_YEARS)
    carried_in = np.zeros(AFTER_YEARS)
    for y in range(AFTER_YEARS):  # Python floats: the same bits on every CPU
        x = float(taxable[y])
        carried_in[y] = carry
        used[y] = min(carry, after.loss_limit * max(x, 0.0))
        carry = carry - used[y] + max(-x, 0.0)
    tax = fin.tax_rate_pct / 100 * np.maximum(np.maximum(taxable, 0.0) - used, 0.0)
    fcf = after.ebitda_usd - after.capex_usd + after.salvage_usd - tax
    growth = power_table(1 + fin.terminal_growth_pct_per_year / 100, AFTER_YEARS + 1)[1:]
    discount = after_discount(fin.discount_rate_pct_per_year)
    pv = fcf * growth * discount
    return Continuing(
        after, taxable, carried_in, used, tax, fcf, growth, discount, pv, float(pv.sum())
    )


def after_discount(annual_pct: float) -> np.ndarray:
    """Per year k after the horizon, the mean over its 12 months of the monthly discount
    factor relative to the horizon's last month: v^(12(k−1)) × (v + … + v^12) / 12, with
    v = 1 / (1 + the monthly rate)."""
    v = 1.0 / (1.0 + monthly_rate(annual_pct))
    within = power_table(v, 13)[1:].sum() / 12
    return power_table(v**12, AFTER_YEARS) * within


def final_year_base(fcf_before: np.ndarray, salvage: np.ndarray) -> np.ndarray:
    """The final year's free cash flow without asset sales (one-offs), floored at zero: what
    a Monte Carlo path's continuing value is scaled by. Works along the last axis."""
    last = (fcf_before - salvage)[..., -FINAL_YEAR_MONTHS:]
    return np.maximum(last.sum(axis=-1), 0.0)
