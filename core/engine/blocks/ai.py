"""What AI blocks share, whichever their business model: firm load from go-live (after the
conversion), the IT MW a retrofit and O&M are charged on, and their share in place."""

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
)
from core.engine.finance.assets import Asset
from core.engine.market.context import MarketContext
from core.model.catalog import Catalog
from core.model.project import AiBlock, Energy, Project


def gpu_life_months(project: Project) -> int:
    """The GPU servers' life: their depreciation life, in months."""
    return round(project.finance.depreciation_life_years.gpu * 12)


class Ai(BlockKind):
    """An AI/HPC hall: a firm load that runs every hour from go-live."""

    revenue_column = ""  # the energy result's field its revenue adds to
    price_unit = ""  # the unit of the price its tenant or its customers pay

    def price(self, block: AiBlock) -> float:
        """The price its revenue is set by (what a required-price goal seek scales)."""
        raise NotImplementedError

    def operating_months(self, block: Block, n_months: int) -> tuple[int, int]:
        """From go-live (start + conversion) to the horizon."""
        b = cast(AiBlock, block)
        return min(b.start_month + b.conversion_months, n_months), n_months

    def years_live(self, block: AiBlock, n_months: int) -> np.ndarray:
        """Per month, the whole years since go-live (0 before it): what escalators and
        declines count."""
        live, _ = self.operating_months(block, n_months)
        return np.maximum((np.arange(n_months) - live) // 12, 0)

    def it_mw(self, block: AiBlock, catalog: Catalog) -> float:
        """Critical IT MW."""
        raise NotImplementedError

    def refresh_months(self, block: AiBlock, n_months: int, life_months: int) -> list[int]:
        """Months its owned servers reach the end of their life within the horizon (none
        unless the site owns servers)."""
        return []

    def load_mw(self, block: AiBlock, catalog: Catalog) -> float:
        """Facility MW of the live block: IT load × PUE."""
        return self.it_mw(block, catalog) * block.pue

    def facility_mw(self, block: Block, catalog: Catalog) -> float:
        """The facility MW it may draw at any hour."""
        raise NotImplementedError

    def om_mw(self, block: Block, catalog: Catalog) -> float:
        """O&M scales with IT MW for AI hosting."""
        return self.it_mw(cast(AiBlock, block), catalog)

    def in_place(self, block: Block, n_months: int, life_months: int) -> np.ndarray:
        """1 while live (0 before go-live); the models refine it after a lease or a life."""
        live, _ = self.operating_months(block, n_months)
        share = np.zeros(n_months)
        share[live:] = 1.0
        return share

    def assets(
        self, j: int, block: Block, catalog: Catalog, n_months: int, life_months: int
    ) -> list[Asset]:
        """The retrofit of the hall, drawn over the conversion, in service at go-live."""
        b = cast(AiBlock, block)
        if not b.retrofit_usd_per_mw:
            return []
        live = b.start_month + b.conversion_months
        cost = self.it_mw(b, catalog) * b.retrofit_usd_per_mw
        return [
            Asset(
                f"{b.name}: retrofit",
                "facility",
                cost,
                b.start_month,
                cost,
                cost,
                live,
                None,
                j,
                "retrofit",
                capex_months=b.conversion_months,
                capex_shape=b.capex_draw,
            )
        ]

    def scaled(self, block: AiBlock, k: float) -> dict:
        """The update that makes the block ``k`` times its size."""
        raise NotImplementedError

    def revenue(
        self,
        block: AiBlock,
        catalog: Catalog,
        share: np.ndarray,
        hours_month: np.ndarray,
        years_live: np.ndarray,
    ) -> np.ndarray:
        """Its hosting revenue, USD per month, at ``share`` in place."""
        raise NotImplementedError

    def passes_power(self, block: AiBlock) -> bool:
        """Whether the tenant repays the power its load draws (none unless the contract
        passes power through)."""
        return False

    def path_after(
        self, block: Block, catalog: Catalog, after: After, run: MinerRun | None
    ) -> BlockPath:
        """Its contract runs on by its own rules over the longer timeline (escalators, a
        lease's term and renewal, a rental decline, a run-off), its load drawing at the
        final year's prices."""
        b = cast(AiBlock, block)
        total = after.n + after.months
        share = self.in_place(b, total, after.life_months)
        hours = np.concatenate([after.tl.hours_in_month, after.hours[FINAL_MONTHS:]])
        revenue = self.revenue(b, catalog, share, hours, self.years_live(b, total))
        part = slice(after.n - FINAL_MONTHS, total)
        share = share[part]
        energy = share * self.load_mw(b, catalog) * after.var_month
        margin = revenue[part] * after.ai_price_scale - energy
        if self.passes_power(b):
            margin += energy
        margin -= share * self.om_mw(b, catalog) * b.om_usd_per_mw_month
        return BlockPath(margin, share * self.facility_mw(b, catalog))

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
        """What the tenant repays of the site's power bill, added to the strategy's months
        (none unless the contract passes power through)."""
