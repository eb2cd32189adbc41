"""The Monte Carlo reference: one path run through the hourly engine itself, slow, against
which the fast paths (``core.risk.fastpaths``) are held path by path."""

from __future__ import annotations

import dataclasses

import numpy as np

from core.engine.cashflow import cash_flow_table
from core.engine.energy import called_hours, simulate_strategy
from core.engine.market.context import market_context
from core.engine.retirement import operating_project
from core.model.catalog import catalog_for
from core.model.project import AiBlock, Project
from core.risk.fastpaths import gpu_decline_pct, with_delay
from core.risk.montecarlo import contract_at_risk
from core.risk.segments import Draws


def hourly_path_fcf(project: Project, d: Draws, i: int, strategy_name: str) -> np.ndarray:
    """The reference: path ``i`` run through the hourly engine itself (slow; for tests), with
    auto retirements as chosen on the project's own inputs, as the Monte Carlo holds them."""
    ctx = market_context(project)
    operated, _, _ = operating_project(project, ctx)
    by_name = {s.name: s for s in operated.strategies}
    strategy = by_name[strategy_name]
    signed = d.contract_u[i] < strategy.contract_probability_pct / 100
    if contract_at_risk(strategy) and strategy.fallback_strategy in by_name and not signed:
        return hourly_path_fcf(project, d, i, strategy.fallback_strategy)
    return hourly_path_fcf_table(project, d, i, strategy_name)["fcf_usd"]


def _path_variant(project: Project, d: Draws, i: int, strategy):
    """The strategy as path ``i`` runs it: its conversion delay and GPU rental decline."""
    # A path's rental decline moves the GPU-hour price only: replacement servers are priced on
    # the decline as entered (the block's own server decline, or its GPU-hour decline).
    blocks = [
        b.model_copy(
            update={
                "gpu_price_decline_pct_per_year": float(
                    gpu_decline_pct(b.gpu_price_decline_pct_per_year, d.gpu_decline_shift_pct[i])
                ),
                "server_price_decline_pct_per_year": b.gpu_price_decline_pct_per_year
                if b.server_price_decline_pct_per_year is None
                else b.server_price_decline_pct_per_year,
            }
        )
        if isinstance(b, AiBlock) and b.gpu_price_decline_pct_per_year < 100
        else b
        for b in with_delay(strategy, int(d.delay_months[i])).blocks
    ]
    return strategy.model_copy(update={"blocks": blocks})


def hourly_path_fcf_table(project: Project, d: Draws, i: int, strategy_name: str) -> dict:
    """Path ``i``'s monthly table of one strategy (no contract risk), from the hourly engine."""
    ctx = market_context(project)
    project, _, _ = operating_project(project, ctx)
    tl = ctx.tl
    path_ctx = dataclasses.replace(
        ctx,
        price=ctx.price * d.power[i],
        hashprice=ctx.hashprice * tl.per_hour(d.hashprice[i]),
    )
    catalog = catalog_for(project)
    strategy = next(s for s in project.strategies if s.name == strategy_name)
    variant = _path_variant(project, d, i, strategy)
    # DR calls held where the project's own inputs put them (they may follow the load).
    called = called_hours(project, variant, ctx, catalog)
    energy = simulate_strategy(project, variant, path_ctx, catalog, called=called)
    t, _ = cash_flow_table(project, variant, energy, path_ctx, catalog)
    return t


def hourly_path_equity(project: Project, d: Draws, i: int, strategy_name: str):
    """The reference for a financed strategy on path ``i``: (equity cash flow, minimum DSCR)
    from the hourly engine's table and ``core.engine.debt``, with contract risk as the Monte
    Carlo applies it (an unfinanced fallback: its free cash flow, no debt service)."""
    from core.engine.debt import debt_rows

    ctx = market_context(project)
    operated, _, _ = operating_project(project, ctx)
    by_name = {s.name: s for s in operated.strategies}
    strategy = by_name[strategy_name]
    signed = d.contract_u[i] < strategy.contract_probability_pct / 100
    if contract_at_risk(strategy) and strategy.fallback_strategy in by_name and not signed:
        fallback = by_name[strategy.fallback_strategy]
        if fallback.financing is None:
            return hourly_path_fcf(project, d, i, fallback.name), np.inf
        return hourly_path_equity(project, d, i, fallback.name)
    table = hourly_path_fcf_table(project, d, i, strategy_name)
    rows = debt_rows(operated, _path_variant(operated, d, i, strategy), table)
    # Over every repayment month (interest paid or principal scheduled), a negative DSCR too.
    scheduled = rows["principal_usd"] - rows["balloon_usd"]
    dscr = rows["dscr"][(rows["interest_paid_usd"] > 0) | (scheduled > 0)]
    return rows["equity_fcf_usd"], float(dscr.min()) if dscr.size else np.inf
