"""What has to be true: a tornado of NPV swings per input, and the hybrid split sweep.

The tornado scales one input at a time by the project's low and high percentages and reruns
the engine; the NPV shown is the probability-weighted one (the plain NPV where there is no
contract risk). The split sweep gives a share of the interconnect to AI hosting and the rest
to mining, from 0 to 100 %, and reports NPV and the Monte Carlo P10 at each share.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.engine.blocks.base import Block
from core.engine.blocks.kinds import (
    ai_block_load_mw,
    ai_kind,
    is_ai,
    operating_months,
    own_fleet,
)
from core.engine.blocks.mining import mining_block_power
from core.engine.evaluation import evaluate
from core.engine.market.context import market_context
from core.model.catalog import catalog_for
from core.model.project import (
    AiBlock,
    FlatPrice,
    HourlySeriesPrice,
    MiningBlock,
    Project,
    Strategy,
    TimeOfUsePrice,
)
from core.risk.fastpaths import map_blocks
from core.risk.montecarlo import (
    RiskError,
    RiskResult,
    Simulator,
    contract_at_risk,
    draw_paths,
    run_monte_carlo,
    summarise,
    with_contract_risk,
)
from core.tasks import QUIET, TaskState

# key: (label, what is scaled)
TORNADO_INPUTS: dict[str, tuple[str, str]] = {
    "btc_price": ("BTC price", "the BTC price (and any yearly price table)"),
    "difficulty_growth": ("Difficulty growth", "monthly difficulty growth"),
    "fees": ("Transaction fees", "fees per block"),
    "power_price": ("Power price", "every hour's wholesale price"),
    "dr_payment": ("DR capacity payment", "USD per enrolled MW-month"),
    "colo_price": ("Colocation price", "USD per kW-month of every colocation block"),
    "gpu_hour_price": ("GPU-hour price", "USD per GPU-hour of every GPU-cloud block"),
    "retrofit_cost": ("Retrofit capex", "USD per MW of every AI block's retrofit"),
    "conversion_time": ("Conversion time", "months of every AI conversion (rounded)"),
    "opex": ("Opex", "fixed site opex and every block's O&M"),
    "discount_rate": ("Discount rate", "the yearly discount rate"),
    "tax_rate": ("Tax rate", "the tax rate (at most 100 %)"),
}
MARKET_INPUTS = {"btc_price", "difficulty_growth", "fees", "power_price"}


def _blocks(
    project: Project, which: Callable[[Block], bool], update: Callable[[Any], dict]
) -> Project:
    """Every block ``which`` picks in every strategy with ``update(block)`` applied."""
    strategies = [map_blocks(s, which, update) for s in project.strategies]
    return project.model_copy(update={"strategies": strategies})


def _times(factor: float, *fields: str) -> Callable[[Any], dict]:
    return lambda b: {k: getattr(b, k) * factor for k in fields}


def _power_price(project: Project, f: float) -> Project:
    energy = project.site.energy
    src = energy.price_source
    if isinstance(src, FlatPrice):
        src = src.model_copy(
            update={
                "price_usd_per_mwh": src.price_usd_per_mwh * f,
                "spikes": src.spikes.model_copy(
                    update={"price_usd_per_mwh": src.spikes.price_usd_per_mwh * f}
                ),
            }
        )
    elif isinstance(src, TimeOfUsePrice):
        src = src.model_copy(
            update={
                "matrix_usd_per_mwh": [[v * f for v in row] for row in src.matrix_usd_per_mwh],
                "spikes": src.spikes.model_copy(
                    update={"price_usd_per_mwh": src.spikes.price_usd_per_mwh * f}
                ),
            }
        )
    elif isinstance(src, HourlySeriesPrice):
        src = src.model_copy(
            update={"years_usd_per_mwh": [[v * f for v in y] for y in src.years_usd_per_mwh]}
        )
    site = project.site.model_copy(
        update={"energy": energy.model_copy(update={"price_source": src})}
    )
    return project.model_copy(update={"site": site})


def scaled(project: Project, key: str, factor: float) -> Project:
    """The project with one tornado input multiplied by ``factor``."""
    m, site, fin = project.market, project.site, project.finance
    if key == "btc_price":
        table = m.btc_price_by_year_usd
        market = m.model_copy(
            update={
                "btc_price_usd": m.btc_price_usd * factor,
                "btc_price_by_year_usd": None if table is None else [v * factor for v in table],
            }
        )
        return project.model_copy(update={"market": market})
    if key == "difficulty_growth":
        g = m.difficulty_growth_pct_per_month * factor
        return project.model_copy(
            update={"market": m.model_copy(update={"difficulty_growth_pct_per_month": g})}
        )
    if key == "fees":
        fees = m.fees_btc_per_block * factor
        return project.model_copy(
            update={"market": m.model_copy(update={"fees_btc_per_block": fees})}
        )
    if key == "power_price":
        return _power_price(project, factor)
    if key == "dr_payment":
        dr = site.demand_response
        dr = dr.model_copy(
            update={"capacity_usd_per_mw_month": dr.capacity_usd_per_mw_month * factor}
        )
        return project.model_copy(update={"site": site.model_copy(update={"demand_response": dr})})
    if key == "colo_price":
        return _blocks(project, is_ai, _times(factor, "colo_usd_per_kw_month"))
    if key == "gpu_hour_price":
        return _blocks(project, is_ai, _times(factor, "gpu_hour_usd"))
    if key == "retrofit_cost":
        return _blocks(project, is_ai, _times(factor, "retrofit_usd_per_mw"))
    if key == "conversion_time":
        return _blocks(
            project, is_ai, lambda b: {"conversion_months": round(b.conversion_months * factor)}
        )
    if key == "opex":
        site = site.model_copy(
            update={"fixed_opex_usd_per_year": site.fixed_opex_usd_per_year * factor}
        )
        out = project.model_copy(update={"site": site})
        return _blocks(out, lambda b: True, _times(factor, "om_usd_per_mw_month"))
    if key == "discount_rate":
        rate = fin.discount_rate_pct_per_year * factor
        if fin.terminal_value == "continuing":  # r > g for a perpetuity: stop 1 point above g
            rate = max(rate, fin.terminal_growth_pct_per_year + 1.0)
        return project.model_copy(
            update={"finance": fin.model_copy(update={"discount_rate_pct_per_year": rate})}
        )
    if key == "tax_rate":
        rate = min(fin.tax_rate_pct * factor, 100.0)
        return project.model_copy(update={"finance": fin.model_copy(update={"tax_rate_pct": rate})})
    raise KeyError(f"unknown tornado input {key!r}")


@dataclass(frozen=True)
class TornadoBar:
    key: str
    label: str
    low_pct: float
    high_pct: float
    npv_low_usd: dict[str, float]  # per strategy
    npv_high_usd: dict[str, float]
    # Financed strategies that borrow: equity NPV (at the cost of equity) at each end.
    equity_npv_low_usd: dict[str, float] = field(default_factory=dict)
    equity_npv_high_usd: dict[str, float] = field(default_factory=dict)

    def swing_usd(self, strategy: str) -> float:
        return abs(self.npv_high_usd[strategy] - self.npv_low_usd[strategy])


@dataclass(frozen=True)
class Tornado:
    base_npv_usd: dict[str, float]
    bars: list[TornadoBar]  # widest swing (over all strategies) first
    base_equity_npv_usd: dict[str, float] = field(default_factory=dict)  # strategies that borrow


def _npvs(project: Project, ctx=None) -> tuple[dict[str, float], dict[str, float]]:
    """Probability-weighted NPV of every strategy, and equity NPV of those that borrow."""
    strategies = evaluate(project, ctx).strategies
    npv = {s.name: s.kpis.probability_weighted_npv_usd for s in strategies}
    equity = {s.name: s.kpis.equity_npv_usd for s in strategies if s.kpis.max_debt_usd > 0}
    return npv, equity


def tornado(project: Project, state: TaskState = QUIET) -> Tornado:
    """NPV of every strategy (and equity NPV where it borrows) with each chosen input at its
    low and at its high."""
    ctx = market_context(project)
    base, base_equity = _npvs(project, ctx)
    bars = []
    for item in project.risk.tornado:
        ends = []
        for pct in (item.low_pct, item.high_pct):
            state.check()
            variant = scaled(project, item.input, 1 + pct / 100)
            ends.append(_npvs(variant, None if item.input in MARKET_INPUTS else ctx))
        label = TORNADO_INPUTS[item.input][0]
        (low, low_equity), (high, high_equity) = ends
        bars.append(
            TornadoBar(
                item.input, label, item.low_pct, item.high_pct, low, high, low_equity, high_equity
            )
        )
    bars.sort(key=lambda b: max((b.swing_usd(n) for n in base), default=0.0), reverse=True)
    return Tornado(base, bars, base_equity)


# ----------------------------------------------------------------------------- hybrid split
def _kept(strategy: Strategy, n_months: int) -> list[MiningBlock]:
    """Mining blocks still running once the first AI block goes live."""
    ai = [b for b in strategy.blocks if is_ai(b)]
    if not ai:
        return []
    live = min(operating_months(b, n_months)[0] for b in ai)
    return [
        b for b in strategy.blocks if own_fleet(b) and (b.end_month is None or b.end_month > live)
    ]


def split_candidate(project: Project) -> Strategy | None:
    """The first hybrid: a strategy whose mining goes on beside its AI hosting."""
    n = project.finance.horizon_years * 12
    return next((s for s in project.strategies if _kept(s, n)), None)


def split_strategy(project: Project, strategy: Strategy, ai_share: float) -> Strategy:
    """``strategy`` with ``ai_share`` of the interconnect given to AI and the rest to mining.

    AI blocks are scaled together so their facility load is ai_share × interconnect; hosted
    racks stay as their contract says. Mining
    blocks still running when the first AI block goes live ("kept") are scaled to the rest;
    blocks that stop earlier (the fleet until conversion) take whatever ASICs of the
    strategy's fleet are not kept. If the kept blocks need more ASICs than the fleet has, the
    extra are bought at the block's unit price in a block of their own.
    """
    catalog = catalog_for(project)
    limit = project.site.interconnect_mw
    n = project.finance.horizon_years * 12
    ai = [b for b in strategy.blocks if is_ai(b)]
    ai_load = sum(ai_block_load_mw(b, catalog) for b in ai)
    if ai_load <= 0:
        raise RiskError(f"{strategy.name}: its AI blocks draw no power, so they cannot be scaled")
    mining = [b for b in strategy.blocks if own_fleet(b)]  # a hosting contract is not re-cut
    kept = _kept(strategy, n)
    if not kept:
        raise RiskError(f"{strategy.name}: no mining block runs after the AI block goes live")
    kept_mw = sum(mining_block_power(b, catalog)[0] for b in kept)
    if kept_mw <= 0:
        raise RiskError(f"{strategy.name}: its mining blocks draw no power, so cannot be scaled")
    fleet = sum(b.asic_count for b in mining)
    k_ai = ai_share * limit / ai_load
    k_mining = (1 - ai_share) * limit / kept_mw
    wanted = {id(b): round(b.asic_count * k_mining) for b in kept}
    total = sum(wanted.values())
    bought = max(total - fleet, 0)
    if bought:  # the fleet is all kept; the kept blocks own it, the extra is bought
        wanted = {k: round(v * fleet / total) for k, v in wanted.items()}
    spare = fleet - sum(wanted.values())
    early = [b for b in mining if b not in kept]
    early_total = max(sum(b.asic_count for b in early), 1)
    blocks: list[MiningBlock | AiBlock] = []
    for b in strategy.blocks:
        if is_ai(b):
            blocks.append(b.model_copy(update=ai_kind(b).scaled(b, k_ai)))
        elif not own_fleet(b):  # a hosting contract: as it is
            blocks.append(b)
        elif id(b) in wanted:
            blocks.append(b.model_copy(update={"asic_count": wanted[id(b)]}))
        else:  # the rest of the fleet runs until conversion, then is sold
            count = max(round(spare * b.asic_count / early_total), 0)
            blocks.append(b.model_copy(update={"asic_count": count}))
    if bought:
        blocks.append(
            kept[0].model_copy(
                update={
                    "name": f"{kept[0].name} (bought for the split)",
                    "asic_count": bought,
                    "existing_fleet": False,
                }
            )
        )
    return strategy.model_copy(update={"blocks": blocks})


@dataclass(frozen=True)
class SplitSweep:
    strategy: str
    ai_share_pct: np.ndarray
    npv_usd: np.ndarray  # probability-weighted NPV at each share
    p10_npv_usd: np.ndarray  # Monte Carlo P10 (contract risk included) at each share
    paths: int

    @property
    def best_index(self) -> int:
        return int(np.argmax(self.npv_usd))

    @property
    def best_p10_index(self) -> int:
        return int(np.argmax(self.p10_npv_usd))


def split_sweep(
    project: Project,
    strategy_name: str | None = None,
    state: TaskState = QUIET,
) -> SplitSweep:
    """NPV and P10 NPV of the hybrid at AI shares 0, …, 100 % of the interconnect; every
    share sees the same Monte Carlo paths, so the curves are smooth."""
    risk = project.risk
    if strategy_name is None:
        strategy = split_candidate(project)
        if strategy is None:
            raise RiskError(
                "The split sweep needs a strategy with both a mining and an AI block "
                "(a hybrid); add one under Strategies."
            )
    else:
        strategy = next((s for s in project.strategies if s.name == strategy_name), None)
        if strategy is None:
            raise RiskError(f"no strategy named {strategy_name!r}")
    shares = np.linspace(0.0, 1.0, risk.split_steps)
    d = draw_paths(risk, project, risk.split_paths)
    sim = Simulator.for_project(project)
    # As operated (its fleets' retirement months chosen), like every strategy of the paths.
    fallback = next(
        (s for s in sim.project.strategies if s.name == strategy.fallback_strategy), None
    )
    cache: dict = {}
    at_risk = fallback is not None and contract_at_risk(strategy)
    fallback_fcf = sim.fcf(fallback, d, state, cache) if fallback is not None and at_risk else None
    npv, p10 = [], []
    ctx = sim.market.ctx
    for i, share in enumerate(shares):
        state.check()
        variant = split_strategy(project, strategy, float(share))
        strategies = [variant if s.name == strategy.name else s for s in project.strategies]
        at_share = project.model_copy(update={"strategies": strategies})
        evaluated = evaluate(at_share, ctx)
        npv.append(evaluated.by_name(strategy.name).kpis.probability_weighted_npv_usd)
        # The paths run the variant as operated: its fleets retired when its NPV chose.
        assert evaluated.project is not None
        operated = next(s for s in evaluated.project.strategies if s.name == strategy.name)
        fcf = with_contract_risk(operated, d, sim.fcf(operated, d, state, cache), fallback_fcf)
        p10.append(summarise(project, strategy.name, fcf).percentile(10))
        state.progress((i + 1) / shares.size)
    return SplitSweep(strategy.name, shares * 100, np.asarray(npv), np.asarray(p10), d.n)


# ----------------------------------------------------------------------------- all of it
@dataclass(frozen=True, eq=False)
class RiskAnalysis:
    """One run of tornado, Monte Carlo and split sweep, for the project it was computed on."""

    project: Project
    tornado: Tornado
    monte_carlo: RiskResult
    split: SplitSweep | None
    split_note: str  # why there is no split sweep, when there is none
    seconds: float


def analyse(project: Project, state: TaskState = QUIET) -> RiskAnalysis:
    """Tornado, Monte Carlo and split sweep; ``state`` hears (fraction, stage) along the way
    and can stop it between steps."""
    t0 = time.perf_counter()
    state.progress(0.0, "Tornado")
    torn = tornado(project, state)
    state.progress(0.15, "Monte Carlo")
    mc = run_monte_carlo(project, state=state.part(0.15, 0.45, "Monte Carlo"))
    state.progress(0.6, "Hybrid split")
    try:
        split = split_sweep(project, state=state.part(0.6, 0.4, "Hybrid split"))
        note = ""
    except RiskError as exc:
        split, note = None, str(exc)
    return RiskAnalysis(project, torn, mc, split, note, time.perf_counter() - t0)
