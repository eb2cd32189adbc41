"""What every block kind answers (``BlockKind``), and the hourly run of a block whose machines
mine by the hour (``MinerRun``: an owned fleet or hosted miners)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.engine.finance.assets import Asset
from core.engine.market.timeline import Timeline
from core.model.catalog import Catalog
from core.model.project import AiBlock, MiningBlock

Block = MiningBlock | AiBlock

# The monthly sums a block adds to, by the name of the energy result's field (USD or MWh per
# month): a kind adds its parts in place, so that one more kind needs no new branch elsewhere.
MonthlySums = dict[str, np.ndarray]


@dataclass(eq=False)
class MinerRun:
    """One block of miners over its active hours, as the hourly simulation runs it."""

    block: MiningBlock
    facility_mw: float
    ths: float
    first: int  # first and last-plus-one hour of the block's active run
    stop: int
    active_hours: np.ndarray  # hours in the active run, per month
    revenue_full: np.ndarray  # USD per hour over [first, stop) if it ran all hour
    frac: np.ndarray  # share of the block running in each hour of [first, stop)


@dataclass(frozen=True, eq=False)
class After:
    """The months a continuing value runs over (``core.engine.terminal``): the horizon's
    final 12, then ``months`` more; each is priced as the same calendar month of the final
    year. Arrays have 12 + ``months`` entries unless said."""

    n: int  # the horizon's months
    months: int
    cal: np.ndarray  # the final-year month (horizon index) whose prices each month repeats
    hours: np.ndarray
    var_month: np.ndarray  # Σ (price + T&D adder) over the month's hours, USD/MWh × h
    hashprice_ratio: np.ndarray  # projected hashprice over that of the final-year month
    life_months: int  # the GPU servers' life
    tl: Timeline  # the horizon's
    var_cost: np.ndarray  # the horizon's price + adder by hour
    ai_price_scale: float = 1.0  # a goal seek's scale on the AI blocks' prices

    @property
    def span(self) -> int:
        return FINAL_MONTHS + self.months

    def zeros(self) -> np.ndarray:
        return np.zeros(self.span)

    def years_after(self) -> np.ndarray:
        """Per month, the whole years after the same month of the final year (0 in it)."""
        return np.arange(self.span) // 12


FINAL_MONTHS = 12


@dataclass(frozen=True, eq=False)
class BlockPath:
    """One block over ``After``'s months: its margin (what it earns less its power and its
    O&M, USD per month) and the facility MW it holds in place. What it buys and sells is
    its assets' (``BlockKind.assets`` over the longer timeline)."""

    margin_usd: np.ndarray
    mw: np.ndarray

    def ended(self) -> BlockPath:
        """The same final year, and nothing after it."""
        cut = np.arange(self.mw.size) < FINAL_MONTHS
        return BlockPath(self.margin_usd * cut, self.mw * cut)


class BlockKind:
    """A kind of block. Its methods take the block (a project model) and answer for it."""

    name: str = ""  # the kind's key: "mining", "hosting", "colocation", "gpu_cloud"
    label: str = ""  # how a person names it
    mines: bool = False  # machines that mine by the hour (curtailed on price)
    site_owns_machines: bool = False  # the site's own fleet: its hashrate, capex and sale

    def operating_months(self, block: Block, n_months: int) -> tuple[int, int]:
        """[first, end) months the block draws power and earns."""
        raise NotImplementedError

    def operating_mask(self, block: Block, n_months: int) -> np.ndarray:
        """True for each month in ``operating_months`` (a new array)."""
        first, end = self.operating_months(block, n_months)
        mask = np.zeros(n_months, dtype=bool)
        mask[first:end] = True
        return mask

    def in_place(self, block: Block, n_months: int, life_months: int) -> np.ndarray:
        """Per month, the share of the block in place (its O&M and capacity follow it)."""
        return self.operating_mask(block, n_months)

    def expected_end(self, block: Block, n_months: int, life_months: int) -> float:
        """The month by which the block is expected to stop earning, within the horizon: its
        first month plus its expected months in place (a lease's renewal at its probability).
        What a loan may count on being repaid from."""
        first, _ = self.operating_months(block, n_months)
        return first + float(self.in_place(block, n_months, life_months)[first:].sum())

    def live(self, block: Block, n_months: int, life_months: int) -> np.ndarray:
        """True in each month the block operates (its timing flag)."""
        return self.operating_mask(block, n_months)

    def facility_mw(self, block: Block, catalog: Catalog) -> float:
        """Facility MW at the meter at full run (miners) or at the contracted load (AI)."""
        raise NotImplementedError

    def om_mw(self, block: Block, catalog: Catalog) -> float:
        """The MW its O&M rate is charged on."""
        raise NotImplementedError

    def assets(
        self, j: int, block: Block, catalog: Catalog, n_months: int, life_months: int
    ) -> list[Asset]:
        """What the strategy buys or owns for the block (``j``: its index in the strategy)."""
        raise NotImplementedError

    def after_horizon(
        self, block: Block, n_months: int, life_months: int
    ) -> tuple[float | None, float]:
        """(months it stays in place after the horizon, None for ever; then the probability it
        continues, for ever): its part in the continuing value."""
        raise NotImplementedError

    def path_after(
        self, block: Block, catalog: Catalog, after: After, run: MinerRun | None
    ) -> BlockPath:
        """The block over the final year and the months after the horizon, by its own rules
        (``run``: its hourly run, for machines that mine by the hour)."""
        raise NotImplementedError


def hours_active(tl: Timeline, start: int, end: int) -> np.ndarray:
    """Per month, the hours of [start, end) months (0 outside)."""
    out = np.zeros(tl.n_months)
    out[start:end] = tl.hours_in_month[start:end]
    return out
