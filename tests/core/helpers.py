"""Small projects built in code for hand-worked tests."""

from __future__ import annotations

from typing import Any

from core.model.project import (
    AiBlock,
    DemandResponse,
    Energy,
    Finance,
    FlatPrice,
    Market,
    MiningBlock,
    Project,
    Site,
    Strategy,
)


def tiny_project(
    blocks: list[MiningBlock | AiBlock],
    price: float = 40.0,
    energy: dict[str, Any] | None = None,
    market: dict[str, Any] | None = None,
    finance: dict[str, Any] | None = None,
    dr: dict[str, Any] | None = None,
    site: dict[str, Any] | None = None,
    strategies: list[Strategy] | None = None,
) -> Project:
    """One strategy on a flat price, no tax, no discounting unless asked; halving far away."""
    return Project(
        site=Site(
            **(
                {
                    "interconnect_mw": 1000.0,
                    "energy": Energy(
                        **({"price_source": FlatPrice(price_usd_per_mwh=price)} | (energy or {}))
                    ),
                    "demand_response": DemandResponse(**(dr or {})),
                }
                | (site or {})
            )
        ),
        market=Market(
            **(
                {
                    "as_of": "2026-01-01",
                    "btc_price_usd": 100_000.0,
                    "difficulty": 100e12,
                    "block_height": 900_000,
                    "next_halving_date": "2040-01-01",
                }
                | (market or {})
            )
        ),
        finance=Finance(
            **(
                {
                    "start_month": "2026-01",
                    "horizon_years": 1,
                    "discount_rate_pct_per_year": 0.0,
                    "tax_rate_pct": 0.0,
                }
                | (finance or {})
            )
        ),
        strategies=strategies or [Strategy(name="S", blocks=blocks)],
    )


def miner(**kw: Any) -> MiningBlock:
    """One Antminer S21 (200 TH/s, 3,500 W), PUE 1, no pool fee, owned, never retired: the
    test's unit miner."""
    return MiningBlock(
        **(
            {
                "asic_model": "s21",
                "asic_count": 1,
                "pue": 1.0,
                "pool_fee_pct": 0.0,
                "existing_fleet": True,
                "asic_unit_price_usd": 0.0,
                "retire": "never",  # runs to its end unless a test asks otherwise
            }
            | kw
        )
    )
