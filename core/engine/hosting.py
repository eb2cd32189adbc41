"""Hosting third-party miners: what a hosted rack draws and what its contract pays the site.

A hosted block is simulated as a mining run of the client's machines, with its hourly value
replaced by what decides whether it runs: per kWh, the site's rate (the site buys the power,
so it curtails when the price plus T&D adder exceeds the rate); cost-plus, the client's
mining revenue less the margin it pays (the client pays the power, so the machines stand
idle when they would lose the client money). Rates are per kWh the machines draw; the site
buys their draw at the meter (× PUE). A firm (non-curtailable) block runs every hour of its
term and takes no demand-response calls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from core.engine.timeline import Timeline, month_sums
from core.model.project import HostingBlock

if TYPE_CHECKING:
    from core.engine.energy import _Mining


def it_mw(run: _Mining) -> float:
    """The client's machines' own draw, MW (the meter's MW ÷ PUE)."""
    return run.facility_mw / run.block.pue


def make_hosted(
    run: _Mining, var_cost: np.ndarray, curtail: bool, avoid: np.ndarray | None
) -> None:
    """Turn the client's mining run into the hosted run, in place: ``revenue_full`` becomes
    the hour's value at full run (USD per hour) and ``frac`` whether it runs. ``avoid``: the
    4CP hours a curtailable block sits out, if the site dodges 4CP."""
    block = run.block
    assert isinstance(block, HostingBlock)
    if block.pricing == "per_kwh":
        run.revenue_full = np.full(
            run.stop - run.first, block.hosting_usd_per_kwh * 1e3 * it_mw(run)
        )
    else:
        run.revenue_full = run.revenue_full - block.margin_usd_per_kwh * 1e3 * it_mw(run)
    if not block.curtailable:
        run.frac = np.ones(run.stop - run.first)
        return
    runs = np.ones(run.stop - run.first, dtype=bool)
    if curtail and run.facility_mw > 0:
        runs = var_cost[run.first : run.stop] * run.facility_mw <= run.revenue_full
    if avoid is not None:
        runs &= ~avoid[run.first : run.stop]
    run.frac = runs.astype(float)


def takes_dr(run: _Mining) -> bool:
    """Whether a run's load may be enrolled and called: own fleets and curtailable hosting."""
    return not isinstance(run.block, HostingBlock) or run.block.curtailable


def keeps_dr_income(run: _Mining) -> bool:
    """Whether the site keeps the capacity income a run's load earns."""
    return not isinstance(run.block, HostingBlock) or run.block.dr_income == "kept"


def hosting_months(
    run: _Mining, tl: Timeline, var_cost: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(hosting revenue, power recharged to the client) by month, USD. Per kWh: the rate × the
    kWh the machines drew. Cost-plus: the client repays the power its load drew at the meter
    (price + T&D adder) as a pass-through, and pays the margin per kWh drawn plus its share of
    each hour's mining margin (revenue after pool fee, less power and margin) where positive."""
    block = run.block
    assert isinstance(block, HostingBlock)
    a, b = run.first, run.stop
    if block.pricing == "per_kwh":
        return month_sums(tl, run.frac * run.revenue_full, a, b), np.zeros(tl.n_months)
    cost = var_cost[a:b] * run.facility_mw  # USD per hour at full run
    recharge = month_sums(tl, run.frac * cost, a, b)
    margin = block.margin_usd_per_kwh * 1e3 * it_mw(run) * month_sums(tl, run.frac, a, b)
    client = np.maximum(run.revenue_full - cost, 0.0)  # the client's margin per hour, ≥ 0
    share = block.profit_share_pct / 100 * month_sums(tl, run.frac * client, a, b)
    return margin + share, recharge
