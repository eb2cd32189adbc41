"""GPU cloud: the site owns the GPU servers and rents GPU-hours, at a price that declines
each year; at the end of their life the servers are replaced, run on, or run off."""

from __future__ import annotations

from typing import cast

import numpy as np

from core.engine.blocks.ai import Ai
from core.engine.blocks.base import Block
from core.engine.finance.assets import Asset
from core.engine.market.exact import powers
from core.model.catalog import Catalog
from core.model.project import AiBlock


class GpuCloud(Ai):
    name = "gpu_cloud"
    label = "GPU cloud"
    revenue_column = "revenue_gpu_cloud_usd"
    price_unit = "USD/GPU-hour"

    def price(self, block: AiBlock) -> float:
        return block.gpu_hour_usd

    def it_mw(self, block: AiBlock, catalog: Catalog) -> float:
        """Servers × their typical draw."""
        return (
            block.server_count * catalog.gpu_servers[block.gpu_server_model].typical_power_kw / 1e3
        )

    def facility_mw(self, block: Block, catalog: Catalog) -> float:
        """Its servers at maximum power × PUE."""
        b = cast(AiBlock, block)
        server = catalog.gpu_servers[b.gpu_server_model]
        return b.server_count * server.max_power_kw / 1e3 * b.pue

    def refresh_months(self, block: AiBlock, n_months: int, life_months: int) -> list[int]:
        """Months at which the servers reach the end of their life within the horizon
        (replaced, or run off at the first), from go-live; none for "run_on", or for a block
        that never goes live."""
        live, _ = self.operating_months(block, n_months)
        if block.gpu_end_of_life == "run_on":
            return []
        if live >= n_months or life_months <= 0:
            return []
        months = list(range(live + life_months, n_months, life_months))
        return months[:1] if block.gpu_end_of_life == "run_off" else months

    def in_place(self, block: Block, n_months: int, life_months: int) -> np.ndarray:
        """1 from go-live; 0 once servers that run off reach the end of their life."""
        b = cast(AiBlock, block)
        share = super().in_place(b, n_months, life_months)
        if b.gpu_end_of_life == "run_off":
            for end in self.refresh_months(b, n_months, life_months):
                share[end:] = 0.0
        return share

    def live(self, block: Block, n_months: int, life_months: int) -> np.ndarray:
        """From go-live; servers that run off, until the end of their life."""
        mask = super().live(block, n_months, life_months)
        if cast(AiBlock, block).gpu_end_of_life == "run_off":
            mask &= self.in_place(block, n_months, life_months) > 0
        return mask

    def after_horizon(
        self, block: Block, n_months: int, life_months: int
    ) -> tuple[float | None, float]:
        """Servers replaced or run on rent for ever; run off, to the end of their life."""
        b = cast(AiBlock, block)
        first, _ = self.operating_months(b, n_months)
        if first >= n_months:
            return 0, 0.0
        return (first + life_months - n_months if b.gpu_end_of_life == "run_off" else None), 0.0

    def assets(
        self, j: int, block: Block, catalog: Catalog, n_months: int, life_months: int
    ) -> list[Asset]:
        """The retrofit, and the servers: bought at go-live; at the end of their life sold and
        either replaced by new ones at the server price declined since go-live, or not."""
        b = cast(AiBlock, block)
        out = super().assets(j, b, catalog, n_months, life_months)
        if not b.server_count:
            return out
        live = b.start_month + b.conversion_months
        unit, decline = self._server_price(b, catalog)
        ends = self.refresh_months(b, n_months, life_months)
        bought = [live] + (ends if b.gpu_end_of_life == "replace" else [])
        for k, month in enumerate(bought):
            cost = b.server_count * unit * (1 - decline / 100) ** ((month - live) / 12)
            sold = ends[k] if k < len(ends) else None
            name = f"{b.name}: GPU servers" + (f" (replacement {k})" if k else "")
            out.append(Asset(name, "gpu", cost, month, cost, cost, month, sold, j, "gpu", k))
        return out

    def _server_price(self, block: AiBlock, catalog: Catalog) -> tuple[float, float]:
        """(a server's price at go-live, its yearly decline %)."""
        server = catalog.gpu_servers[block.gpu_server_model]
        unit = (
            server.price_usd if block.server_unit_price_usd is None else block.server_unit_price_usd
        )
        decline = (
            block.gpu_price_decline_pct_per_year
            if block.server_price_decline_pct_per_year is None
            else block.server_price_decline_pct_per_year
        )
        return unit, decline

    def scaled(self, block: AiBlock, k: float) -> dict:
        return {"server_count": round(block.server_count * k)}

    def revenue(
        self,
        block: AiBlock,
        catalog: Catalog,
        share: np.ndarray,
        hours_month: np.ndarray,
        years_live: np.ndarray,
    ) -> np.ndarray:
        """GPUs × hours × the GPU-hour price, declined each year live, × utilisation."""
        server = catalog.gpu_servers[block.gpu_server_model]
        decline = powers(1 - block.gpu_price_decline_pct_per_year / 100, years_live)
        return (
            share
            * block.server_count
            * server.gpus
            * hours_month
            * block.gpu_hour_usd
            * decline
            * block.utilisation_pct
            / 100
        )


GPU_CLOUD = GpuCloud()
