"""AI colocation: a tenant leases critical IT MW at a rate per kW-month, escalated each lease
year, renewed after the term with a probability; triple-net leases pass power through."""

from __future__ import annotations

from typing import cast

import numpy as np

from core.engine.blocks.ai import Ai
from core.engine.blocks.base import Block, MonthlySums
from core.engine.blocks.demand import fourcp_charge
from core.engine.market.context import MarketContext
from core.engine.market.exact import powers
from core.model.catalog import Catalog
from core.model.project import AiBlock, Energy


class Colocation(Ai):
    name = "colocation"
    label = "AI colocation"
    revenue_column = "revenue_colocation_usd"
    price_unit = "USD/kW-month"

    def price(self, block: AiBlock) -> float:
        return block.colo_usd_per_kw_month

    def it_mw(self, block: AiBlock, catalog: Catalog) -> float:
        """The tenant's contracted IT MW."""
        return block.it_mw

    def load_mw(self, block: AiBlock, catalog: Catalog) -> float:
        """Contracted IT MW at the tenant's load factor × PUE."""
        return block.it_mw * (block.it_load_factor_pct / 100) * block.pue

    def facility_mw(self, block: Block, catalog: Catalog) -> float:
        """Contracted IT MW × PUE."""
        b = cast(AiBlock, block)
        return b.it_mw * b.pue

    def in_place(self, block: Block, n_months: int, life_months: int) -> np.ndarray:
        """1 within the lease, the renewal probability after it."""
        b = cast(AiBlock, block)
        share = super().in_place(b, n_months, life_months)
        if b.lease_term_months is not None:
            live, _ = self.operating_months(b, n_months)
            share[live + b.lease_term_months :] = b.renewal_probability_pct / 100
        return share

    def after_horizon(
        self, block: Block, n_months: int, life_months: int
    ) -> tuple[float | None, float]:
        """In place to the end of its term, then at the renewal probability (for ever, also
        when the term ended before the horizon); for ever with no term."""
        b = cast(AiBlock, block)
        first, _ = self.operating_months(b, n_months)
        if first >= n_months:
            return 0, 0.0
        if b.lease_term_months is None:
            return None, 0.0
        return max(first + b.lease_term_months - n_months, 0), b.renewal_probability_pct / 100

    def scaled(self, block: AiBlock, k: float) -> dict:
        return {"it_mw": block.it_mw * k}

    def revenue(
        self,
        block: AiBlock,
        catalog: Catalog,
        share: np.ndarray,
        hours_month: np.ndarray,
        years_live: np.ndarray,
    ) -> np.ndarray:
        """Share in place × contracted kW × the month's rate."""
        return share * block.it_mw * 1e3 * colocation_rate(block, share.size)

    def passes_power(self, block: AiBlock) -> bool:
        return block.power_passthrough

    def add_recharge(
        self,
        block: AiBlock,
        ctx: MarketContext,
        energy: Energy,
        share: np.ndarray,
        mw: float,
        at_peaks: np.ndarray,
        sums: MonthlySums,
    ) -> None:
        """Triple-net: the tenant pays its power and its grid charges, its demand charge on its
        own (constant) load and its 4CP share by its load in the peaks."""
        if not block.power_passthrough:
            return
        hours_month = ctx.tl.hours_in_month.astype(float)
        var_month = ctx.price_month + energy.tnd_adder_usd_per_mwh * hours_month
        sums["power_passthrough_usd"] += share * var_month * mw
        sums["power_passthrough_usd"] += share * mw * 1e3 * energy.demand_charge_usd_per_kw_month
        sums["power_passthrough_usd"] += fourcp_charge(at_peaks, ctx, energy.fourcp_usd_per_kw_year)


COLOCATION = Colocation()


def colocation_rate(block: AiBlock, n_months: int) -> np.ndarray:
    """USD per kW-month by month: the contract rate escalated each lease year, and after the
    lease the renewal rate (escalated from the renewal on), or the escalated rate running on."""
    live, _ = COLOCATION.operating_months(block, n_months)
    months = np.arange(n_months)
    growth = 1 + block.colo_escalator_pct_per_year / 100
    rate = block.colo_usd_per_kw_month * powers(growth, COLOCATION.years_live(block, n_months))
    term = block.lease_term_months
    if term is not None and block.renewal_usd_per_kw_month is not None:
        after = months >= live + term
        renewed = block.renewal_usd_per_kw_month * powers(growth, (months - live - term) // 12)
        rate = np.where(after, renewed, rate)
    return rate
