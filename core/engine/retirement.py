"""When to retire a fleet: ``retire="auto"`` becomes the month that maximises the strategy's NPV.

Retiring block j at month r changes nothing before r: every hour before it is simulated as if
the block ran on, and every hour from r on as if it had already gone. That holds because every
rule of the hourly simulation is decided hour by hour or month by month: curtailment, the
demand-response cut (the least valuable block in the hour first), capacity income, demand
charges and the fixed-block contract. So two runs give every candidate month at once: A, with
the block running to its end, and B, with it gone from its start. A candidate's monthly energy
terms are A's before r and B's from r; the 4CP charge, which a year's summer peaks set, is
recomputed from A's and B's load in each peak hour. The block's miners are sold at r (salvage,
depreciation and gain follow), the site's fixed opex stops when the last block has stopped
(unless the strategy keeps the site open), and tax with losses carried forward and a continuing
value are recomputed per candidate, all as (candidates × months) arrays.

The chosen month's energy run is spliced from A and B the same way (``spliced``), with no third
simulation; a test holds it equal to simulating the retired fleet. Ties go to the earliest
month within $1 of the best, and a retirement is kept only when it does not lower the NPV.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import NamedTuple

import numpy as np

from core.engine.blocks.demand import fourcp_bill, fourcp_charge, fourcp_peak_kw
from core.engine.blocks.kinds import mines
from core.engine.blocks.mining import mining_end
from core.engine.cashflow import (
    Breakdown,
    cash_flow_table,
    fixed_opex_usd,
    operating_rows,
    resale_index,
    site_closes,
)
from core.engine.energy import EnergyResult, simulate_strategy
from core.engine.finance.returns import discount_factors
from core.engine.finance.tax import finance_tax
from core.engine.market.context import MarketContext, market_context
from core.engine.market.exact import dot
from core.engine.terminal import (
    FINAL_YEAR_MONTHS,
    AfterHorizon,
    after_horizon,
    continuing_value,
    losses_carried,
)
from core.model.catalog import Catalog, catalog_for
from core.model.project import AiBlock, Finance, MiningBlock, Project, Strategy

TIE_USD = 1.0  # candidates within this of the best NPV count as equal: the earliest wins


@dataclass(frozen=True)
class Retirement:
    """What was chosen for one ``auto`` block: the month (None: runs to its end) and the NPV
    gained over running on."""

    block_index: int
    month: int | None
    npv_gain_usd: float


class Run(NamedTuple):
    """One strategy as operated: its energy run, monthly table and breakdown."""

    energy: EnergyResult
    table: dict[str, np.ndarray]
    breakdown: Breakdown


def operating_project(
    project: Project, ctx: MarketContext | None = None, catalog: Catalog | None = None
) -> tuple[Project, dict[str, list[Retirement]], dict[str, Run]]:
    """The project with every ``retire="auto"`` replaced by the chosen month (or "never"),
    what was chosen per strategy, and the run of each strategy that had a choice (so the
    caller need not simulate it again). A project without auto blocks comes back as is."""
    if not any(_is_auto(b) for s in project.strategies for b in s.blocks):
        return project, {}, {}
    ctx = ctx or market_context(project)
    catalog = catalog or catalog_for(project)
    chosen: dict[str, list[Retirement]] = {}
    runs: dict[str, Run] = {}
    strategies = []
    for s in project.strategies:
        if any(_is_auto(b) for b in s.blocks):
            name = s.name
            s, chosen[name], runs[name] = resolve_strategy(project, s, ctx, catalog)
        strategies.append(s)
    return project.model_copy(update={"strategies": strategies}), chosen, runs


def _is_auto(block: MiningBlock | AiBlock) -> bool:
    return mines(block) and block.retire == "auto"


def has_auto(strategy: Strategy) -> bool:
    """Whether a fleet of the strategy waits for MinePivot to choose its retirement."""
    return any(_is_auto(b) for b in strategy.blocks)


def _with_retire(strategy: Strategy, j: int, retire: int | str) -> Strategy:
    blocks = list(strategy.blocks)
    blocks[j] = blocks[j].model_copy(update={"retire": retire})
    return strategy.model_copy(update={"blocks": blocks})


def resolve_strategy(
    project: Project, strategy: Strategy, ctx: MarketContext, catalog: Catalog
) -> tuple[Strategy, list[Retirement], Run]:
    """Each auto block in turn (the others as already decided; autos not yet reached run on).
    Returns the strategy as operated, the choices and its run."""
    n = ctx.tl.n_months
    df = discount_factors(project.finance.discount_rate_pct_per_year, n)
    current = strategy.model_copy(
        update={
            "blocks": [
                b.model_copy(update={"retire": "never"}) if _is_auto(b) else b
                for b in strategy.blocks
            ]
        }
    )

    def run(s: Strategy, energy: EnergyResult | None = None) -> Run:
        if energy is None:
            energy = simulate_strategy(project, s, ctx, catalog)
        return Run(energy, *cash_flow_table(project, s, energy, ctx, catalog))

    state = run(current)  # current's energy, table and breakdown
    out = []
    for j, b in enumerate(strategy.blocks):
        if not _is_auto(b):
            continue
        assert mines(b)
        # Not sold before an uncertain contract is signed: until then the fallback runs.
        lo = min(max(b.start_month, strategy.signing_month() or 0), n)
        hi = mining_end(b.model_copy(update={"retire": "never"}), n)
        if hi <= lo:
            out.append(Retirement(j, None, 0.0))
            continue
        gone = _operating_run(project, _with_retire(current, j, lo), ctx, catalog)
        months = np.arange(lo, hi + 1)  # hi: runs to its end
        npvs = dot(_candidate_fcf(project, current, j, months, ctx, catalog, state, gone), df)
        r = int(months[np.flatnonzero(npvs >= npvs.max() - TIE_USD)[0]])
        if r < hi:
            trial_strategy = _with_retire(current, j, r)
            trial = run(trial_strategy, spliced(project, ctx, strategy, j, r, state[0], gone[0]))
            gain = _npv(trial.table) - _npv(state.table)
            if gain >= 0:
                current, state = trial_strategy, trial
                out.append(Retirement(j, r, gain))
                continue
        out.append(Retirement(j, None, 0.0))
    return current, out, state


def _operating_run(
    project: Project, strategy: Strategy, ctx: MarketContext, catalog: Catalog
) -> Run:
    """A run whose table stops at EBITDA (and whose breakdown has no assets): what the scan
    reads of the run without the fleet."""
    energy = simulate_strategy(project, strategy, ctx, catalog)
    t, fixed, om = operating_rows(project, strategy, energy, ctx, catalog)
    return Run(energy, t, Breakdown(fixed, om, energy.block_revenue_usd, ()))


def spliced(
    project: Project,
    ctx: MarketContext,
    strategy: Strategy,
    j: int,
    r: int,
    a: EnergyResult,
    b: EnergyResult,
) -> EnergyResult:
    """The energy run of ``strategy`` with block ``j`` retired at month ``r``, from run A (the
    block running on) before ``r`` and run B (the block gone) from it: each monthly sum, each
    hour of every other fleet, and the 4CP peaks, whose charge is then recomputed."""
    tl = ctx.tl
    before = np.arange(tl.n_months) < r
    cut = int(tl.month_first_hour[r])
    sums = {
        f.name: np.where(before, getattr(a, f.name), getattr(b, f.name))
        for f in fields(EnergyResult)
        if f.name not in ("hourly", "fourcp_peak_mw", "block_revenue_usd")
    }
    peaks_before = tl.hour_month[ctx.fourcp_peak] < r
    peak_mw = np.where(peaks_before, a.fourcp_peak_mw, b.fourcp_peak_mw)
    sums["fourcp_charge_usd"] = fourcp_charge(
        peak_mw, ctx, project.site.energy.fourcp_usd_per_kw_year
    )
    position = sum(mines(x) for x in strategy.blocks[:j])
    mining = []
    for k, ((key, ma), (_, mb)) in enumerate(zip(a.hourly.mining, b.hourly.mining, strict=True)):
        if k == position:
            stop = max(min(ma.stop, cut), ma.first)
            run = replace(
                ma,
                stop=stop,
                active_hours=np.where(before, ma.active_hours, 0.0),
                revenue_full=ma.revenue_full[: stop - ma.first],
                frac=ma.frac[: stop - ma.first],
            )
        elif ma.first < cut < ma.stop:
            at = cut - ma.first
            run = replace(ma, frac=np.concatenate([ma.frac[:at], mb.frac[at:]]))
        else:
            run = ma if cut >= ma.stop else mb
        mining.append((key, run))
    hourly = replace(a.hourly, mining=tuple(mining))
    return EnergyResult(
        **sums, hourly=hourly, fourcp_peak_mw=peak_mw, block_revenue_usd=a.block_revenue_usd
    )


def _npv(table: dict[str, np.ndarray]) -> float:
    return float(table["cumulative_discounted_fcf_usd"][-1])


def _candidate_fcf(
    project: Project,
    strategy: Strategy,
    j: int,
    months: np.ndarray,
    ctx: MarketContext,
    catalog: Catalog,
    a: Run,
    b: Run,
) -> np.ndarray:
    """(candidates, months) free cash flow with block ``j`` retired at each of ``months``."""
    energy_a, t_a, parts_a = a
    energy_b, t_b, parts_b = b
    n = ctx.tl.n_months
    m = np.arange(n)
    before = m[None, :] < months[:, None]  # (R, n): the block still runs
    fixed = fixed_opex_usd(project, n)  # over the whole horizon, before any closure
    # Before fixed opex and 4CP, which depend on the candidate month: both are added back.
    ebitda_a = t_a["ebitda_usd"] + parts_a.fixed_opex_usd + energy_a.fourcp_charge_usd
    ebitda_b = t_b["ebitda_usd"] + parts_b.fixed_opex_usd + energy_b.fourcp_charge_usd
    ebitda = np.where(before, ebitda_a, ebitda_b)
    fourcp = _fourcp_candidates(project, ctx, energy_a, energy_b, months)
    ebitda -= fourcp
    # The site closes when its last block stops, unless the strategy keeps it open.
    if strategy.keep_site_open:
        closes = np.full(months.size, n)
    else:
        others = [x for k, x in enumerate(strategy.blocks) if k != j]
        closes = np.maximum(months, site_closes(others, n))
    ebitda -= fixed * (m[None, :] < closes[:, None])
    # Every asset but the block's miners as in A; the miners sold at each candidate month.
    lives = project.finance.depreciation_life_years.model_dump()
    residual = project.finance.residual_value_pct.model_dump()
    dep = np.repeat(t_a["depreciation_usd"][None, :], months.size, axis=0)
    salvage = np.repeat(t_a["salvage_usd"][None, :], months.size, axis=0)
    gain = np.repeat(
        (t_a["taxable_income_usd"] - t_a["ebitda_usd"] + t_a["depreciation_usd"])[None, :],
        months.size,
        axis=0,
    )
    for asset, flows in parts_a.assets:
        if asset.block_index != j or asset.part != "asic":
            continue
        dep -= flows.depreciation_usd
        salvage -= flows.salvage_usd
        gain -= flows.sale_gain_usd
        index = resale_index(project, ctx).get(asset.asset_class)
        d, s, g = _sold_at(asset, months, n, lives, residual, index, project.finance)
        dep += d
        salvage += s
        gain += g
    taxable = ebitda - dep + gain
    tax = finance_tax(taxable, project.finance)
    fcf = ebitda - t_a["capex_usd"] + salvage - tax
    if project.finance.terminal_value == "continuing":
        site_fixed = fixed * (m[None, :] < closes[:, None])
        fcf[:, -1] += _candidate_continuing(
            project, strategy, j, months, ctx, catalog, a, b, (ebitda, taxable, site_fixed, fourcp)
        )
    return fcf


def _candidate_continuing(
    project: Project,
    strategy: Strategy,
    j: int,
    months: np.ndarray,
    ctx: MarketContext,
    catalog: Catalog,
    a: Run,
    b: Run,
    rows: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> np.ndarray:
    """(candidates,) the continuing value with block ``j`` retired at each of ``months``, as
    a full evaluation of each finds it (``rows``: each candidate's EBITDA, taxable income,
    fixed opex and 4CP bill). Never retired (r = n) the strategy goes on as run A does;
    retired before the final year, its years after the horizon are run B's, only the tax
    losses carried out of the horizon differ; retired inside the final year, its hours are
    spliced from A and B."""
    fin = project.finance
    n = ctx.tl.n_months
    ebitda, taxable, fixed, fourcp = rows
    energy_a, _, parts_a = a
    energy_b = b[0]
    out = np.zeros(months.size)
    gone: AfterHorizon | None = None
    for i, r in enumerate(months.tolist()):
        if r >= n:
            assert parts_a.continuing is not None
            after = parts_a.continuing.after
            carried, limit = losses_carried(taxable[i], fin)
            after = replace(after, losses_carried_usd=carried, loss_limit=limit)
        elif r <= n - FINAL_YEAR_MONTHS:
            if gone is None:
                gone = after_horizon(
                    project,
                    strategy,
                    energy_b,
                    ctx,
                    catalog,
                    (ebitda[i], taxable[i], fixed[i], fourcp[i]),
                    j,
                )
            carried, limit = losses_carried(taxable[i], fin)
            after = replace(gone, losses_carried_usd=carried, loss_limit=limit)
        else:
            energy = spliced(project, ctx, strategy, j, r, energy_a, energy_b)
            after = after_horizon(
                project,
                strategy,
                energy,
                ctx,
                catalog,
                (ebitda[i], taxable[i], fixed[i], fourcp[i]),
                j,
            )
        out[i] = continuing_value(after, fin).value_usd
    return out


def _fourcp_candidates(
    project: Project,
    ctx: MarketContext,
    energy_a: EnergyResult,
    energy_b: EnergyResult,
    months: np.ndarray,
) -> np.ndarray:
    """(R, n) 4CP charge per candidate: each peak hour's load from A before the retirement
    month and from B from it on."""
    rate = project.site.energy.fourcp_usd_per_kw_year
    tl = ctx.tl
    if not rate or ctx.fourcp_peak.size == 0:
        return np.zeros((months.size, tl.n_months))
    before = tl.hour_month[ctx.fourcp_peak][:, None] < months[None, :]  # (peaks, R)
    load = np.where(before, energy_a.fourcp_peak_mw[:, None], energy_b.fourcp_peak_mw[:, None])
    return fourcp_bill(fourcp_peak_kw(load, ctx), tl.n_months, rate)


def _sold_at(
    asset,
    months: np.ndarray,
    n: int,
    lives: dict,
    residual: dict,
    index: np.ndarray | None,
    fin: Finance,
) -> tuple:
    """(R, n) depreciation, salvage and gain of one asset sold at each month in ``months``
    (``n``: held to the horizon end), by the rules of ``core.engine.finance.assets.asset_flows``."""
    r_count = months.size
    dep = np.zeros((r_count, n))
    salvage = np.zeros((r_count, n))
    gain = np.zeros((r_count, n))
    start = asset.in_service_month
    if start >= n:
        return dep, salvage, gain
    terminal_value = fin.terminal_value
    life_years = lives[asset.asset_class]
    life_m = round(life_years * 12)
    held = months >= n
    sale = np.minimum(months, n - 1)
    dep_end = np.minimum(start + life_m, np.where(held, n, sale))
    bonus_share = fin.bonus_depreciation_pct.model_dump()[asset.asset_class] / 100
    bonus = np.where(dep_end > start, bonus_share * asset.tax_basis_usd, 0.0)  # (R,)
    monthly = (asset.tax_basis_usd - bonus) / life_m
    m = np.arange(n)
    dep += monthly[:, None] * ((m[None, :] >= start) & (m[None, :] < dep_end[:, None]))
    dep[:, start] += bonus
    book = asset.tax_basis_usd - bonus - monthly * np.maximum(dep_end - start, 0)
    age = np.where(held, n, sale) - start
    # salvage_value, for every age at once
    remaining = np.maximum(1.0 - age / (life_years * 12), residual[asset.asset_class] / 100)
    proceeds = asset.value_usd * remaining
    if index is not None:
        proceeds = proceeds * index[sale]
    if terminal_value != "book_value":
        proceeds = np.where(held, 0.0, proceeds)
    rows = np.arange(r_count)
    salvage[rows, sale] = proceeds
    loss = proceeds - book
    if terminal_value == "continuing":  # held on: no sale, no loss
        loss = np.where(held, 0.0, loss)
    gain[rows, sale] = loss
    return dep, salvage, gain
