"""The Bitcoin network's formulas, for a month whose index is a formula (``m``): its BTC price,
its difficulty and the hashprice they give. The Market sheet writes them for the horizon's
months; a strategy's asset table for the 12 months after it (used miners' expected resale)."""

from __future__ import annotations

from core.model.project import Market


def btc_price(market: Market, names: dict[str, str], m: str) -> str:
    """The BTC price in month ``m``: the year's price where a path is given (the last one held),
    else the price grown yearly."""
    if market.btc_price_by_year_usd:
        return f"INDEX(BtcPriceByYear,MIN(INT({m}/12),COLUMNS(BtcPriceByYear)-1)+1)"
    return (
        f"{names['market.btc_price_usd']}"
        f"*(1+{names['market.btc_price_growth_pct_per_year']})^({m}/12)"
    )


def difficulty(names: dict[str, str], m: str) -> str:
    """The network difficulty in month ``m``, grown monthly."""
    return f"{names['market.difficulty']}*(1+{names['market.difficulty_growth_pct_per_month']})^{m}"


def hashprice(subsidy: str, names: dict[str, str], btc: str, diff: str) -> str:
    """USD per PH/s per day from the block subsidy (BTC per block), the fees, the BTC price and
    the difficulty: 1e15 × 86,400 × (subsidy + fees) × price ÷ (difficulty × 2³²)."""
    return f"1E+15*86400*({subsidy}+{names['market.fees_btc_per_block']})*{btc}/({diff}*2^32)"
