"""One year of a strategy's hours for the hourly chart: price, load per block, curtailed
flags and break-evens, read from the hours a result kept (or simulated when there is none)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.engine.energy import simulate_strategy
from core.engine.evaluation import ProjectResult
from core.engine.market.context import MarketContext, market_context
from core.engine.retirement import operating_project
from core.model.catalog import catalog_for
from core.model.project import Project


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
        ctx = ctx or market_context(project)
        operated, _, runs = operating_project(project, ctx)
        if strategy_name in runs:
            hourly = runs[strategy_name].energy.hourly
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
