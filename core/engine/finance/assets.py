"""Assets and their flows: purchases drawn over time, depreciation, resale or salvage, the gain
or loss on a sale (``asset_flows``), by the conventions of brief §7."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

AssetClass = Literal["asic", "gpu", "facility"]


@dataclass(frozen=True)
class Asset:
    """A purchase (or an owned fleet) with its cash cost, tax basis and life in the plan.

    ``value_usd`` is what the asset is worth when put in service (its purchase price, or today's
    market value of an owned fleet); salvage falls straight-line from it over the class life to
    the residual %. ``tax_basis_usd`` is depreciated; an owned fleet has none left in the plan.
    """

    name: str
    asset_class: AssetClass
    capex_usd: float
    capex_month: int
    value_usd: float
    tax_basis_usd: float
    in_service_month: int
    sale_month: int | None  # None: held to the horizon end
    block_index: int | None = None  # which block of the strategy it belongs to
    part: str = ""  # "asic", "infrastructure", "retrofit" or "gpu"
    generation: int = 0  # GPU servers: 0 bought at go-live, k the k-th replacement
    # Paid over this many months from capex_month (a conversion's draws), in this shape.
    capex_months: int = 1
    capex_shape: str = "upfront"

    def capex_by_month(self) -> np.ndarray:
        """The capex paid in each month from ``capex_month``: all at once, evenly, or along
        an S-curve (smoothstep: cumulative share x²(3 − 2x) of the way x through)."""
        k = self.capex_months
        if self.capex_shape == "upfront" or k <= 1:
            return np.array([self.capex_usd])
        x = np.arange(k + 1) / k
        cumulative = x if self.capex_shape == "even" else x * x * (3 - 2 * x)
        return np.diff(cumulative) * self.capex_usd


@dataclass(frozen=True, eq=False)
class AssetFlows:
    capex_usd: np.ndarray
    depreciation_usd: np.ndarray
    salvage_usd: np.ndarray
    sale_gain_usd: np.ndarray
    each: tuple[AssetFlows, ...] = ()  # per asset, in input order (the totals are their sums)


def salvage_value(
    value_usd: float, age_months: int, life_years: float, residual_pct: float
) -> float:
    """Resale value: straight-line from the in-service value down to the residual share."""
    remaining = max(1.0 - age_months / (life_years * 12), residual_pct / 100)
    return value_usd * remaining


def asset_flows(
    assets: list[Asset],
    n_months: int,
    life_years: dict[str, float],
    residual_pct: dict[str, float],
    resale_index: dict[str, np.ndarray] | None = None,
    terminal_value: str = "book_value",
    bonus_pct: dict[str, float] | None = None,
) -> AssetFlows:
    """Capex, depreciation, salvage and gain on sale of each asset. ``resale_index`` gives, per
    asset class, a multiplier on the aged value by sale month (ASICs: hashprice over its start
    value), 1 where absent. ``terminal_value`` (``finance.terminal_value``) says what the
    assets held at the horizon end do: "book_value", sold at their aged value; "none", fetch
    nothing (their book value is a loss); "continuing", stay in use (no sale, no loss: the
    continuing value, core.engine.terminal, is what they earn on). ``bonus_pct``: per class,
    the share of the basis deducted in the month the asset enters service (if it is not sold
    then), the rest straight-line over the class life."""
    each = []
    for a in assets:
        capex, dep, salvage, gain = (np.zeros(n_months) for _ in range(4))
        each.append(AssetFlows(capex, dep, salvage, gain))
        paid = a.capex_by_month()[: max(n_months - a.capex_month, 0)]
        capex[a.capex_month : a.capex_month + paid.size] += paid
        if a.in_service_month >= n_months:
            continue
        sale = n_months - 1 if a.sale_month is None else min(a.sale_month, n_months - 1)
        life_m = round(life_years[a.asset_class] * 12)
        held_to_end = a.sale_month is None or a.sale_month >= n_months
        # Sold: no depreciation in the month of sale. Held: depreciated through the last month.
        dep_end = min(a.in_service_month + life_m, n_months if held_to_end else sale)
        bonus = (bonus_pct or {}).get(a.asset_class, 0.0) / 100 * a.tax_basis_usd
        if dep_end <= a.in_service_month:
            bonus = 0.0
        monthly = (a.tax_basis_usd - bonus) / life_m
        if dep_end > a.in_service_month:
            dep[a.in_service_month : dep_end] += monthly
            dep[a.in_service_month] += bonus
        book = a.tax_basis_usd - bonus - monthly * max(dep_end - a.in_service_month, 0)
        # Held to the end: valued one month after the last period starts (horizon end).
        age = (n_months if held_to_end else sale) - a.in_service_month
        proceeds = salvage_value(
            a.value_usd, age, life_years[a.asset_class], residual_pct[a.asset_class]
        )
        if resale_index and a.asset_class in resale_index:
            proceeds *= float(resale_index[a.asset_class][sale])
        if held_to_end and terminal_value != "book_value":
            proceeds = 0.0
            if terminal_value == "continuing":
                continue
        salvage[sale] += proceeds
        gain[sale] += proceeds - book
    zero = np.zeros(n_months)
    total = {
        k: sum((getattr(f, k) for f in each), zero)
        for k in ("capex_usd", "depreciation_usd", "salvage_usd", "sale_gain_usd")
    }
    return AssetFlows(**total, each=tuple(each))
