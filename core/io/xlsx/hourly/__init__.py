"""A strategy sheet's hourly rows as formulas: mining revenue, hosting fees, running and
curtailed MWh, energy cost, demand response, demand and 4CP charges, from the Prices sheet's
grouped hours.

The method is the Monte Carlo fast path's (``core.risk.segments``). In a month (each part of
it, where a halving splits it) a block's value per MWh is constant, so it runs in the hours
whose price is at or below its break-even, ``price ≤ value per MWh − T&D adder`` (a tie runs,
as in the engine); on the Prices sheet's base prices that is ``base ≤ (value − adder) ÷
escalation``. A hosted rack's value is its contract's (``fleets.value_rows``).
- Called DR hours: the site's flexible loads keep running up to (capacity − enrolled MW), the
  most valuable per MWh first, ties to the block listed first (``demand.apply_dr_events``). A
  block runs whenever every block worth more runs, so what one keeps is min(MW, max(0, left −
  MW of those ahead of it)), the same in every called hour of the month (of its part, where a
  hosting rate that does not halve may reorder them).
- Capacity income: each hour's min(enrolled, running MW the site keeps the income of). The
  running blocks are always the most valuable ones, so block j adds min(E, ahead + MW) −
  min(E, ahead) in each hour it runs.
- 4CP: each summer month's peak hour is its own group, so the load in it is a sum over it;
  each year's average is billed over the next year (``demand.fourcp_bill``).
- A fixed-price block: each group's load against the block, by SUMPRODUCT (``FixedBlock``).

- DR calls on the highest-load hours: each strategy places its own, by formulas of its load on
  the Prices sheet (``calls``).
"""

from __future__ import annotations

import numpy as np

from core.engine.blocks.kinds import is_hosted
from core.engine.blocks.mining import mining_block_power
from core.io.xlsx.hourly.calls import group_load, write_calls
from core.io.xlsx.hourly.fleets import (
    ai_rows,
    call_rows,
    dr_rows,
    firm_rows,
    run_rows,
    value_rows,
)
from core.io.xlsx.hourly.hosting import hosting_rows
from core.io.xlsx.hourly.market import write_market
from core.io.xlsx.hourly.sheet import E, Hourly, Market, miners
from core.io.xlsx.hourly.totals import totals
from core.io.xlsx.prices import PriceSheet
from core.model.project import Project

__all__ = ["Market", "write_calls", "write_hourly", "write_market"]


def write_hourly(
    sh, prices: PriceSheet, market: Market, project: Project, catalog, hours: np.ndarray
) -> np.ndarray | None:
    """The hourly rows of ``sh`` (a strategy sheet) as formulas; the totals carry the engine's
    values as cached results, the steps this module's own sums of the same groups. With DR
    calls by load: the strategy's load in each Prices group (the cached values of its column)."""
    h = Hourly(sh, prices, project, catalog, hours, market)
    w = h.w
    w.heading("Hourly simulation as formulas (each month's hours grouped on the Prices sheet)")
    adder = h.names[E + "tnd_adder_usd_per_mwh"]
    h.row(
        "hashprice_usd_per_ph_day",
        "Hashprice, month average (used miners' resale follows it)",
        "USD/PH/day",
        lambda c: h.R("hashprice_m", c),
        market.values["hashprice_m"],
        "num2",
        False,
    )
    blocks = sh.strategy.blocks
    h.m = m = miners(sh.strategy)
    h.mw = {j: mining_block_power(blocks[j], catalog)[0] for j in m.flex + m.firm}
    h.v.update(sh.flags)  # the timing flags' values (the strategy sheet's rows)
    for j in m.flex + m.firm:
        b = blocks[j]
        if j in m.flex or (is_hosted(b) and b.pricing == "cost_plus"):
            value_rows(h, j)
    dr_rows(h)
    for j in m.flex:
        call_rows(h, j)
    for j in m.flex:
        run_rows(h, j)
    for j in m.firm:
        firm_rows(h, j)
    for j in m.hosted:
        hosting_rows(h, j)
    for j in m.ais:
        ai_rows(h, j)
    totals(h, adder)
    return group_load(h) if prices.by_load else None
