"""What switching an AI block's business model fills in, so that a switch never leaves a block
with no servers or no price ("NPV $27.1 M, payback immediate" from a GPU cloud of nothing).

Only inputs still at zero are filled; a value the user typed is kept. Defaults and sources:
- GPU servers from the IT MW at the server's maximum power (the tenant's contracted IT
  capacity is the most the servers may draw), e.g. 36 MW of HGX H100 at 10.2 kW → 3,529.
- GPU-hour price: about $2.35 per H100 GPU-hour for one-year contracts (March 2026), down from
  $7–12 in 2023 and $1.70 at the October 2025 low.
- IT MW from the servers at maximum power.
- Colocation rent: $140 per kW-month of critical IT, within the observed deals
  (TeraWulf–Fluidstack about $154, Hut 8 River Bend about $159, Riot–AMD about $104).
"""

from __future__ import annotations

import math

from core.model.catalog import Catalog
from core.model.project import AiBlock

GPU_HOUR_USD = 2.35
COLO_USD_PER_KW_MONTH = 140.0


def with_business_model(block: AiBlock, model: str, catalog: Catalog) -> AiBlock:
    """``block`` switched to ``model`` ("colocation" or "gpu_cloud"), its new model's zero
    inputs filled from the other model's and the sourced defaults above."""
    update: dict = {"business_model": model}
    server = catalog.gpu_servers.get(block.gpu_server_model)
    if model == "gpu_cloud":
        if block.server_count == 0 and server is not None and block.it_mw > 0:
            update["server_count"] = math.floor(block.it_mw * 1e3 / server.max_power_kw + 1e-9)
        if block.gpu_hour_usd == 0:
            update["gpu_hour_usd"] = GPU_HOUR_USD
    else:
        if block.it_mw == 0 and server is not None and block.server_count > 0:
            update["it_mw"] = round(block.server_count * server.max_power_kw / 1e3, 3)
        if block.colo_usd_per_kw_month == 0:
            update["colo_usd_per_kw_month"] = COLO_USD_PER_KW_MONTH
    return block.model_copy(update=update)


def zero_inputs(block: AiBlock) -> list[str]:
    """The inputs of the block's business model that are still zero, as a card names them."""
    if block.business_model == "colocation":
        checks = (("IT capacity", block.it_mw), ("colocation price", block.colo_usd_per_kw_month))
    else:
        checks = (("GPU servers", block.server_count), ("GPU-hour price", block.gpu_hour_usd))
    return [name for name, value in checks if value == 0]
