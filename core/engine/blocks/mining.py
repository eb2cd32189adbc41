"""An owned mining fleet: its power and hashrate, its months, what the site buys and sells,
and its hourly run (it runs in an hour when its revenue covers the hour's power cost)."""

from __future__ import annotations

from typing import cast

import numpy as np

from core.engine.blocks.base import (
    FINAL_MONTHS,
    After,
    Block,
    BlockKind,
    BlockPath,
    MinerRun,
    MonthlySums,
    hours_active,
)
from core.engine.finance.assets import Asset
from core.engine.market.context import MarketContext
from core.engine.market.exact import powers
from core.engine.market.timeline import month_sums
from core.model.catalog import Catalog
from core.model.project import MiningBlock


def mining_block_power(block: MiningBlock, catalog: Catalog) -> tuple[float, float]:
    """(facility MW at the meter, fleet hashrate TH/s) of a mining block at full run."""
    asic = catalog.asics[block.asic_model]
    return block.asic_count * asic.power_w / 1e6 * block.pue, block.asic_count * asic.hashrate_ths


def mining_end(block: MiningBlock, n_months: int) -> int:
    """The month a mining block stops: its end month, or its retirement month if earlier, or
    the horizon. ``retire="auto"`` counts as never here; ``core.engine.retirement`` chooses the
    month before a strategy is evaluated."""
    end = n_months if block.end_month is None else block.end_month
    if isinstance(block.retire, int):
        end = min(end, block.retire)
    return min(end, n_months)


def sale_month(block: MiningBlock) -> int | None:
    """When a mining block's miners are sold: at its end or retirement month, else held."""
    ends = [m for m in (block.end_month, block.retire) if isinstance(m, int)]
    return min(ends) if ends else None


class Mining(BlockKind):
    """The site's own miners."""

    name = "mining"
    label = "Mining"
    mines = True
    site_owns_machines = True

    def operating_months(self, block: Block, n_months: int) -> tuple[int, int]:
        """From its start to its end or retirement (or the horizon)."""
        b = cast(MiningBlock, block)
        first = min(b.start_month, n_months)
        return first, max(mining_end(b, n_months), first)

    def facility_mw(self, block: Block, catalog: Catalog) -> float:
        return mining_block_power(cast(MiningBlock, block), catalog)[0]

    def om_mw(self, block: Block, catalog: Catalog) -> float:
        """O&M scales with facility MW for miners."""
        return self.facility_mw(block, catalog)

    def assets(
        self, j: int, block: Block, catalog: Catalog, n_months: int, life_months: int
    ) -> list[Asset]:
        """The miners (bought, or owned at their resale value) and any new infrastructure."""
        b = cast(MiningBlock, block)
        asic = catalog.asics[b.asic_model]
        unit = asic.price_usd if b.asic_unit_price_usd is None else b.asic_unit_price_usd
        value = b.asic_count * unit
        capex = 0.0 if b.existing_fleet else value
        out = []
        if self.site_owns_machines:
            out.append(
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
            cost = self.facility_mw(b, catalog) * b.infrastructure_usd_per_mw
            out.append(
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
        return out

    def after_horizon(
        self, block: Block, n_months: int, life_months: int
    ) -> tuple[float | None, float]:
        """A fleet runs on after the horizon unless an end or retirement month stops it."""
        b = cast(MiningBlock, block)
        _, end = self.operating_months(b, n_months)
        stops = [m for m in (b.end_month, b.retire) if isinstance(m, int)]
        return (0 if end < n_months else (min(stops) - n_months if stops else None)), 0.0

    def derate(self, block: MiningBlock, n_months: int) -> np.ndarray:
        """Per month, the share of its hashrate the fleet still has: (1 − derate) per whole
        year since its start (1 before it)."""
        years = np.maximum((np.arange(n_months) - block.start_month) // 12, 0)
        return powers(1 - block.derate_pct_per_year / 100, years)

    def value_per_mwh(self, block: MiningBlock, catalog: Catalog) -> float:
        """USD per MWh drawn at the meter, at full run, per USD/PH/day of hashprice, before
        derate: one machine's PH/s × days per hour after the pool fee, over its MW × PUE."""
        asic = catalog.asics[block.asic_model]
        return (
            asic.hashrate_ths
            / 1e3
            / 24
            * (1 - block.pool_fee_pct / 100)
            / (asic.power_w / 1e6 * block.pue)
        )

    def path_after(
        self, block: Block, catalog: Catalog, after: After, run: MinerRun | None
    ) -> BlockPath:
        """The fleet mines on at the projected hashprice and its derate, curtailed on the
        final year's hours as in the horizon; it stops from the first year after the horizon
        that earns nothing over its power and O&M, or at its end month."""
        b = cast(MiningBlock, block)
        assert run is not None
        year_margin, mw, om = self._final_year_hours(b, catalog, after, run)
        months, _ = self.after_horizon(b, after.n, after.life_months)
        on = mw > 0  # the final year's months it ran
        stay = after.months if months is None else min(int(months), after.months)
        on[FINAL_MONTHS : FINAL_MONTHS + stay] = True
        margin = (year_margin - om) * on
        yearly = margin[FINAL_MONTHS:].reshape(-1, 12).sum(axis=1)
        losing = np.flatnonzero(yearly <= 0)
        if losing.size:
            on[FINAL_MONTHS + 12 * int(losing[0]) :] = False
        return BlockPath(margin * on, run.facility_mw * on)

    def _final_year_hours(
        self, block: MiningBlock, catalog: Catalog, after: After, run: MinerRun
    ) -> tuple[np.ndarray, np.ndarray, float]:
        """(the run's margin over power in each of After's months at its hashprice and
        derate, the facility MW in place in the final year's months (0 after), O&M per
        month). Each month runs the hours of its final-year month at the price that decided
        them: an hour curtailed on price runs once the revenue covers it; an hour sat out
        for a DR call or a 4CP peak stays out; with curtailment off every hour runs."""
        tl, n = after.tl, after.n
        first_hour = int(tl.month_first_hour[n - FINAL_MONTHS])
        lo = max(run.first, first_hour)
        margin = after.zeros()
        mw = after.zeros()
        om = self.om_mw(block, catalog) * block.om_usd_per_mw_month
        if run.stop <= lo:
            return margin, mw, om
        rev = run.revenue_full[lo - run.first : run.stop - run.first]
        frac = run.frac[lo - run.first : run.stop - run.first]
        cost = after.var_cost[lo : run.stop] * run.facility_mw
        month = tl.hour_month[lo : run.stop] - (n - FINAL_MONTHS)
        curtailing = not np.any((frac > 0) & (cost > rev))
        weight = np.where(cost > rev, 1.0, frac) if curtailing else frac
        scale = after.hashprice_ratio * powers(
            1 - block.derate_pct_per_year / 100, after.years_after()
        )
        cal = np.arange(after.span) % FINAL_MONTHS
        for c in range(FINAL_MONTHS):
            hours = month == c
            if not hours.any():
                continue
            mw[c] = run.facility_mw
            r, k, w = rev[hours], cost[hours], weight[hours]
            s = scale[cal == c]
            if not curtailing:
                margin[cal == c] = s * float(w @ r) - float(w @ k)
                continue
            ratio = np.divide(k, r, out=np.full(r.size, np.inf), where=r > 0)
            order = np.argsort(ratio, kind="stable")
            cum_r = np.concatenate([[0.0], np.cumsum((w * r)[order])])
            cum_k = np.concatenate([[0.0], np.cumsum((w * k)[order])])
            runs = np.searchsorted(ratio[order], s, side="right")
            margin[cal == c] = s * cum_r[runs] - cum_k[runs]
        return margin, mw, om

    # The hours --------------------------------------------------------------------------

    def run(
        self,
        block: MiningBlock,
        ctx: MarketContext,
        catalog: Catalog,
        var_cost: np.ndarray,
        curtail: bool,
        avoid_4cp: bool,
    ) -> MinerRun:
        """The miners' hours at their own revenue: full-run revenue per hour (hashprice ×
        hashrate after pool fee and derate), and whether they run in each hour: when the
        revenue covers price + adder (``curtail``), outside the 4CP avoidance hours
        (``avoid_4cp``)."""
        tl = ctx.tl
        facility_mw, ths = mining_block_power(block, catalog)
        _, end = self.operating_months(block, tl.n_months)
        first, stop = int(tl.month_first_hour[block.start_month]), int(tl.month_first_hour[end])
        scale = ths / 1e3 / 24 * (1 - block.pool_fee_pct / 100)
        revenue_full = ctx.hashprice[first:stop] * scale
        if block.derate_pct_per_year:
            derate = self.derate(block, end)[block.start_month : end]
            revenue_full *= np.repeat(derate, tl.hours_in_month[block.start_month : end])
        if curtail and facility_mw > 0:
            run = var_cost[first:stop] * facility_mw <= revenue_full
        else:
            run = np.ones(stop - first, dtype=bool)
        if avoid_4cp:
            run &= ~ctx.fourcp_avoid[first:stop]
        active_h = hours_active(tl, block.start_month, end)
        return MinerRun(
            block, facility_mw, ths, first, stop, active_h, revenue_full, run.astype(float)
        )

    def takes_dr(self, block: MiningBlock) -> bool:
        """Whether its load may be enrolled and called."""
        return True

    def keeps_dr_income(self, block: MiningBlock) -> bool:
        """Whether the site keeps the capacity income its load earns."""
        return True

    def add_months(
        self,
        run: MinerRun,
        ctx: MarketContext,
        var_cost: np.ndarray,
        running_h: np.ndarray,
        sums: MonthlySums,
    ) -> None:
        """Its mining revenue and the hashrate it ran (``running_h``: its hours at full run
        per month), added to the strategy's months."""
        tl = ctx.tl
        sums["revenue_mining_usd"] += month_sums(
            tl, run.frac * run.revenue_full, run.first, run.stop
        )
        sums["hashrate_ph"] += running_h / tl.hours_in_month.astype(float) * run.ths / 1e3


MINING = Mining()
