"""Which kind a block is (``kind_of``), and the facts everything else asks of any block."""

from __future__ import annotations

from typing import TypeGuard, cast

import numpy as np

from core.engine.blocks.ai import Ai
from core.engine.blocks.base import Block, BlockKind
from core.engine.blocks.colocation import COLOCATION
from core.engine.blocks.gpu_cloud import GPU_CLOUD
from core.engine.blocks.hosting import HOSTING
from core.engine.blocks.mining import MINING, Mining
from core.engine.finance.assets import Asset
from core.model.catalog import Catalog
from core.model.project import AiBlock, HostingBlock, MiningBlock, Strategy

KINDS: tuple[BlockKind, ...] = (MINING, HOSTING, COLOCATION, GPU_CLOUD)
_BY_NAME = {k.name: k for k in KINDS}


def kind_name(block: Block) -> str:
    """The block's kind key: its model's ``kind``, or for an AI block its business model."""
    return block.business_model if isinstance(block, AiBlock) else block.kind


def kind_of(block: Block) -> BlockKind:
    """The kind that answers for the block (one of ``KINDS``)."""
    return _BY_NAME[kind_name(block)]


def miner_kind(block: MiningBlock) -> Mining:
    """The kind of a block of miners (owned or hosted)."""
    return cast(Mining, kind_of(block))


def ai_kind(block: AiBlock) -> Ai:
    """The kind of an AI block (by its business model)."""
    return cast(Ai, kind_of(block))


def mines(block: Block) -> TypeGuard[MiningBlock]:
    """Machines that mine by the hour: an owned fleet or hosted miners."""
    return kind_of(block).mines


def own_fleet(block: Block) -> TypeGuard[MiningBlock]:
    """The site's own miners (their hashrate, purchase and sale are the site's)."""
    return kind_of(block).site_owns_machines


def is_ai(block: Block) -> TypeGuard[AiBlock]:
    """An AI/HPC hall, whatever its business model."""
    return isinstance(kind_of(block), Ai)


def operating_months(block: Block, n_months: int) -> tuple[int, int]:
    """[first, end) months a block draws power and earns: a mining block from its start to its
    end or retirement (or the horizon); an AI block once its conversion is done."""
    return kind_of(block).operating_months(block, n_months)


def operating_mask(block: Block, n_months: int) -> np.ndarray:
    """True for each month the block operates (see operating_months)."""
    return kind_of(block).operating_mask(block, n_months)


def live_mask(block: Block, n_months: int, life_months: int) -> np.ndarray:
    """True in each month the block operates: a fleet from its start to its end or
    retirement, an AI block from go-live (GPU servers that run off, until the end of their
    life). The workbook's timing flags."""
    return kind_of(block).live(block, n_months, life_months)


def facility_mw(block: Block, catalog: Catalog) -> float:
    """Facility MW at the meter: a fleet at full run, an AI block at its contracted load."""
    return kind_of(block).facility_mw(block, catalog)


def ai_block_it_mw(block: AiBlock, catalog: Catalog) -> float:
    """Critical IT MW: contracted capacity (colocation) or servers × typical draw (GPU cloud)."""
    return ai_kind(block).it_mw(block, catalog)


def ai_block_load_mw(block: AiBlock, catalog: Catalog) -> float:
    """Facility MW of a live AI block: IT load × PUE (colocation at the tenant's load factor)."""
    return ai_kind(block).load_mw(block, catalog)


def ai_block_contracted_mw(block: AiBlock, catalog: Catalog) -> float:
    """The facility MW an AI block may draw at any hour: contracted IT MW (colocation) or its
    servers at maximum power (GPU cloud), × PUE."""
    return ai_kind(block).facility_mw(block, catalog)


def ai_block_share(block: AiBlock, n_months: int, life_months: int) -> np.ndarray:
    """Per month, the share of an AI block in place: 1 while live and within its lease, the
    renewal probability after the lease, 0 before go-live and after GPU servers run off."""
    return ai_kind(block).in_place(block, n_months, life_months)


def gpu_refresh_months(block: AiBlock, n_months: int, life_months: int) -> list[int]:
    """Months at which a GPU-cloud block's servers reach the end of their life within the
    horizon (replaced, or run off at the first), from go-live; none for colocation."""
    return ai_kind(block).refresh_months(block, n_months, life_months)


def is_hosted(block: Block) -> TypeGuard[HostingBlock]:
    """A client's miners on the site."""
    return kind_of(block) is HOSTING


def owns_gpus(block: Block) -> TypeGuard[AiBlock]:
    """An AI block whose GPU servers the site owns (GPU cloud)."""
    return kind_of(block) is GPU_CLOUD


def is_colocation(block: Block) -> TypeGuard[AiBlock]:
    """An AI block leased to a tenant by the kW (colocation)."""
    return kind_of(block) is COLOCATION


def strategy_assets(
    strategy: Strategy, catalog: Catalog, n_months: int, life_months: int
) -> list[Asset]:
    """Every purchase and owned fleet of a strategy, with timing and tax basis, as each block's
    kind lists them (``life_months``: the GPU servers' life, for their replacements)."""
    assets: list[Asset] = []
    for j, b in enumerate(strategy.blocks):
        assets += kind_of(b).assets(j, b, catalog, n_months, life_months)
    return assets
