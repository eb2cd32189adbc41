"""A loan's terms as the model holds them: when repayment starts (after the last AI block comes
online), the months the strategy's blocks are expected to earn, the months a loan is sized and
repaid over (its tenor, cut to those), and what a lender would ask about them (``debt_warnings``).
``core.engine.debt`` sizes and schedules the loan on these terms."""

from __future__ import annotations

import math

import numpy as np

from core.engine.blocks.ai import gpu_life_months
from core.engine.blocks.kinds import is_ai, kind_of, operating_months
from core.model.format import money
from core.model.project import Project, Strategy


def repayment_start(strategy: Strategy, n: int) -> int:
    """The month after the strategy's last AI block comes online (1 without an AI block)."""
    live = [operating_months(b, n)[0] for b in strategy.blocks if is_ai(b)]
    return min(max(live, default=0) + 1, n)


def earning_end(project: Project, strategy: Strategy, n: int) -> int:
    """The month by which the strategy's blocks are expected to stop earning, at most the
    horizon: the latest of each block's ``expected_end`` (a lease's term plus its renewal at
    its probability, a fleet's end, GPU servers run off at the end of their life)."""
    life = gpu_life_months(project)
    ends = [kind_of(b).expected_end(b, n, life) for b in strategy.blocks]
    return min(n, math.floor(max(ends, default=n) + 1e-9))


def repayment_months(project: Project, strategy: Strategy, n: int) -> int:
    """The months a financed strategy's loan is sized and repaid over: its tenor, cut to the
    months from the start of repayment to ``earning_end`` (at least one)."""
    fin = strategy.financing
    assert fin is not None
    return max(
        min(fin.tenor_months, earning_end(project, strategy, n) - repayment_start(strategy, n)), 1
    )


def debt_warnings(project: Project, strategy: Strategy, t: dict[str, np.ndarray]) -> list[str]:
    """What a lender would ask about the loan of a strategy's table: a tenor cut to the months
    its blocks earn, and debt still owed when the horizon ends, against the terminal value."""
    fin = strategy.financing
    if fin is None or not t["debt_draw_usd"].any():
        return []
    n = t["fcf_usd"].size
    out = []
    months = repayment_months(project, strategy, n)
    if months < fin.tenor_months and repayment_start(strategy, n) < n:
        out.append(
            f"{strategy.name}: the loan's {fin.tenor_months}-month tenor runs past the "
            f"{months} months its blocks are expected to earn within the horizon; it is sized "
            f"and repaid over {months} months"
        )
    owed = float(t["balloon_usd"][-1])
    if owed > 0:
        value = float(t["terminal_value_usd"][-1])
        out.append(
            f"{strategy.name}: {money(owed)} of debt is still owed at the horizon end (balloon), "
            f"repaid then against a terminal value of {money(value)}"
            + (": more than the assets are worth" if owed > value else "")
        )
    return out
