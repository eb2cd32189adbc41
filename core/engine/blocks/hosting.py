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

from typing import cast

import numpy as np

from core.engine.blocks.base import FINAL_MONTHS, After, Block, BlockPath, MinerRun, MonthlySums
from core.engine.blocks.mining import Mining
from core.engine.market.context import MarketContext
from core.engine.market.timeline import Timeline, month_sums
from core.model.catalog import Catalog
from core.model.project import HostingBlock, MiningBlock


class Hosting(Mining):
    """A client's miners on the site: the site sells it power and space, not hashrate."""

    name = "hosting"
    label = "Hosting"
    site_owns_machines = False  # a client's machines are not the site's

    def run(
        self,
        block: MiningBlock,
        ctx: MarketContext,
        catalog: Catalog,
        var_cost: np.ndarray,
        curtail: bool,
        avoid_4cp: bool,
    ) -> MinerRun:
        """The client's machines, run as the contract decides (``make_hosted``)."""
        run = super().run(block, ctx, catalog, var_cost, False, False)  # the machines mine
        make_hosted(run, var_cost, curtail, ctx.fourcp_avoid if avoid_4cp else None)
        return run

    def takes_dr(self, block: MiningBlock) -> bool:
        """A firm (non-curtailable) rack takes no calls."""
        return cast_hosting(block).curtailable

    def keeps_dr_income(self, block: MiningBlock) -> bool:
        """The site keeps the capacity income unless the contract passes it to the client."""
        return cast_hosting(block).dr_income == "kept"

    def add_months(
        self,
        run: MinerRun,
        ctx: MarketContext,
        var_cost: np.ndarray,
        running_h: np.ndarray,
        sums: MonthlySums,
    ) -> None:
        """The contract pays: hosting fees, and the power recharged to the client."""
        fee, recharge = hosting_months(run, ctx.tl, var_cost)
        sums["revenue_hosting_usd"] += fee
        sums["power_passthrough_usd"] += recharge

    def path_after(
        self, block: Block, catalog: Catalog, after: After, run: MinerRun | None
    ) -> BlockPath:
        """The contract pays on as in the same month of the final year, less the power the
        site buys for the racks and their O&M, to the block's end month."""
        b = cast_hosting(cast(MiningBlock, block))
        assert run is not None
        tl, n = after.tl, after.n
        fee, recharge = hosting_months(run, tl, after.var_cost)
        power = month_sums(
            tl,
            run.frac * after.var_cost[run.first : run.stop] * run.facility_mw,
            run.first,
            run.stop,
        )
        final = slice(n - FINAL_MONTHS, n)
        in_place = run.active_hours[final] > 0
        om = self.om_mw(b, catalog) * b.om_usd_per_mw_month
        per_month = (fee + recharge - power)[final] - om
        months, _ = self.after_horizon(b, n, after.life_months)
        on = np.concatenate([in_place, np.zeros(after.months, dtype=bool)])
        stay = after.months if months is None else min(int(months), after.months)
        on[FINAL_MONTHS : FINAL_MONTHS + stay] = in_place[np.arange(stay) % FINAL_MONTHS]
        cal = np.arange(after.span) % FINAL_MONTHS
        return BlockPath(per_month[cal] * on, run.facility_mw * on)


HOSTING = Hosting()


def cast_hosting(block: MiningBlock) -> HostingBlock:
    """A block of this kind, typed as the hosting contract it is."""
    assert isinstance(block, HostingBlock)
    return block


def it_mw(run: MinerRun) -> float:
    """The client's machines' own draw, MW (the meter's MW ÷ PUE)."""
    return run.facility_mw / run.block.pue


def make_hosted(
    run: MinerRun, var_cost: np.ndarray, curtail: bool, avoid: np.ndarray | None
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


def hosting_months(
    run: MinerRun, tl: Timeline, var_cost: np.ndarray
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
