"""A strategy's hourly totals from its miners' and AI blocks' rows: revenue, hosting fees and
recharges, DR capacity income, energy and its cost (a fixed-price block by SUMPRODUCT over
the Prices groups), the demand charge and 4CP."""

from __future__ import annotations

import numpy as np

from core.engine.blocks.kinds import is_colocation
from core.io.xlsx.hourly.sheet import DR, E, Hourly
from core.io.xlsx.prices import AVOIDED, CALLED, HOURS, PRICE


class FixedBlock:
    """A fixed-price block contract's energy cost and credits (``energy.simulate_strategy``):
    the block's MW every hour at the fixed price, the load above it at the hour's price, and
    the block's unused MW sold back at it. The load in each Prices group is the firm loads' MW
    (AI blocks, firm hosting) plus each flexible block's MW where the group's price is at or
    below its break-even (not in 4CP avoidance; in a DR call, the share it keeps), so both are
    SUMPRODUCTs over the groups."""

    def __init__(self, h: Hourly):
        self.h = h
        self.b = h.names[E + "fixed_block_mw"]
        self.price = h.names[E + "fixed_price_usd_per_mwh"]

    def load(self, c: str, part: str, called: bool | None = None) -> str:
        """Each group's load in the month part: in a DR call where the group is called
        (``called`` None), or all called or none (DR calls by load: the hours called are a
        column of their own)."""
        h, m = self.h, self.h.m
        firm = [h.R(f"load{j}", c) for j in m.ais] + [
            f"{h.R(f'f{j}', c)}*{h.mwc(j)}" for j in m.firm
        ]
        terms = [f"({'+'.join(firm) or '0'})"]
        p = part if m.parts != ("",) else ""
        for j in m.flex:
            crit = h.breakeven(j, part, c)
            keep = h.R(f"keep{p}{j}", c)
            cut = {None: f"*(1+({keep}-1)*{h.rng(CALLED, part, c)})", True: f"*{keep}"}
            terms.append(
                f"{h.R(f'f{j}', c)}*{h.mwc(j)}*({h.rng(PRICE, part, c)}<={crit})"
                f"*(1-{h.rng(AVOIDED, part, c)}){cut.get(called, '')}"
            )
        return "(" + "+".join(terms) + ")"

    def _sum(self, c: str, gap) -> str:
        h = self.h
        if h.calls is None:
            parts = [
                f"SUMPRODUCT({h.rng(HOURS, p, c)},{h.rng(PRICE, p, c)},{gap(self.load(c, p))})"
                for p in "ab"
            ]
        else:  # the hours not called at the full load, those called at the cut load
            called = h.calls[1]
            parts = [
                f"SUMPRODUCT({h.rng(HOURS, p, c)}-{h.rng(called, p, c)},{h.rng(PRICE, p, c)},"
                f"{gap(self.load(c, p, False))})+SUMPRODUCT({h.rng(called, p, c)},"
                f"{h.rng(PRICE, p, c)},{gap(self.load(c, p, True))})"
                for p in "ab"
            ]
        return f"{h.R('esc', c)}*({'+'.join(parts)})"

    def cost(self, c: str) -> str:
        b = self.b
        above = self._sum(c, lambda load: f"({load}-{b})*({load}>{b})")
        return f"{b}*{self.h.sh.hours.replace('{c}', c)}*{self.price}+{above}"

    def credits(self, c: str) -> str:
        b = self.b
        return self._sum(c, lambda load: f"({b}-{load})*({b}>{load})")


def _fixed_block(h: Hourly) -> FixedBlock | None:
    energy = h.project.site.energy
    if energy.contract == "fixed_block" and energy.fixed_block_mw > 0:
        return FixedBlock(h)
    return None


def totals(h: Hourly, adder: str) -> None:
    sh, w, t, names, m = h.sh, h.w, h.sh.t, h.names, h.m
    hours = lambda c: sh.hours.replace("{c}", c)  # noqa: E731
    yr = lambda c: sh.year.replace("{c}", c)  # noqa: E731
    dc, fourcp = names[E + "demand_charge_usd_per_kw_month"], names[E + "fourcp_usd_per_kw_year"]
    firm_mw = lambda c, j: f"{h.R(f'f{j}', c)}*{h.mwc(j)}"  # noqa: E731
    cost_plus = [j for j in m.hosted if sh.strategy.blocks[j].pricing == "cost_plus"]

    def plus(terms: list[str]) -> str:
        return "+".join(terms) or "0"

    def billed(key: str, c: str) -> str:
        """A year's average load in its 4CP peaks, billed over the next year, USD."""
        return (
            f"IFERROR(AVERAGEIFS({h.row_span(key)},{h.row_span('year')},MAX({yr(c)}-1,0),"
            f"{h.row_span('has_peak')},1),0)*1000*{fourcp}/12"
        )

    w.column(
        "revenue_mining_usd",
        lambda c, p: plus([h.R(f"rev{j}", c) for j in m.own]),
        t["revenue_mining_usd"],
    )
    w.column(
        "revenue_hosting_usd",
        lambda c, p: plus([h.R(f"fee{j}", c) for j in m.hosted]),
        t["revenue_hosting_usd"],
    )
    pass_terms = [lambda c, j=j: h.R(f"rch{j}", c) for j in cost_plus]
    for j in m.ais:
        b = sh.strategy.blocks[j]
        if is_colocation(b) and b.power_passthrough:
            pass_terms.append(
                lambda c, j=j: (
                    f"{h.R(f'load{j}', c)}*({h.energy_sum(c)}+{adder}*{hours(c)}"
                    f"+1000*{dc})+{billed(f'load{j}', c)}"
                )
            )
    w.column(
        "power_passthrough_usd",
        lambda c, p: plus([f(c) for f in pass_terms]),
        t["power_passthrough_usd"],
    )
    rate = names[DR + "capacity_usd_per_mw_month"]
    w.column(
        "dr_capacity_usd",
        lambda c, p: f"({plus([h.R(f'avail{j}', c) for j in m.kept])})/{hours(c)}*{rate}",
        t["dr_capacity_usd"],
    )
    fixed = _fixed_block(h)
    w.column(
        "power_credits_usd",
        (lambda c, p: fixed.credits(c)) if fixed else (lambda c, p: "0"),
        t["power_credits_usd"],
    )
    w.column(
        "energy_mwh",
        lambda c, p: plus(
            [f"{h.mwc(j)}*{h.R(f'run{j}', c)}" for j in m.flex + m.firm]
            + [f"{h.R(f'load{j}', c)}*{hours(c)}" for j in m.ais]
        ),
        t["energy_mwh"],
    )
    w.column(
        "curtailed_mwh",
        lambda c, p: plus(
            [f"{h.mwc(j)}*({h.R(f'f{j}', c)}*{hours(c)}-{h.R(f'run{j}', c)})" for j in m.flex]
        ),
        t["curtailed_mwh"],
    )
    w.column(
        "energy_cost_usd",
        lambda c, p: (
            (
                fixed.cost(c)
                if fixed
                else plus(
                    [f"{h.mwc(j)}*{h.R(f'ph{j}', c)}" for j in m.flex]
                    + [f"{firm_mw(c, j)}*{h.energy_sum(c)}" for j in m.firm]
                    + [f"{h.R(f'load{j}', c)}*{h.energy_sum(c)}" for j in m.ais]
                )
            )
            + f"+{adder}*{c}{w.r('energy_mwh')}"
        ),
        t["energy_cost_usd"],
    )

    def peak_flex(c: str) -> str:
        """The month's highest flexible load: in an hour a block runs, so do those ahead."""
        out = ["0"]
        for j in m.flex:
            for p in m.parts:
                top = f"{h.R(f'ahead{p}{j}', c)}+{h.mwc(j)}"
                out.append(f"IF({h.R(f'rn{p}{j}', c)}>0,{top},0)")
                out.append(f"IF({h.R(f'rc{p}{j}', c)}>0,MIN({top},{h.R('dr_left', c)}),0)")
        return "MAX(" + ",".join(out) + ")"

    def firm_load(c: str) -> list[str]:
        return [firm_mw(c, j) for j in m.firm] + [h.R(f"load{j}", c) for j in m.ais]

    w.column(
        "demand_charge_usd",
        lambda c, p: f"({peak_flex(c)}+{plus(firm_load(c))})*1000*{dc}",
        t["demand_charge_usd"],
    )
    firm_v = sum((h.v[f"f{j}"] * h.mw[j] for j in m.firm), np.zeros(h.n))
    peak_load = sum((h.mw[j] * h.v[f"pk{j}"] for j in m.flex), np.zeros(h.n)) + (
        sum((h.v[f"load{j}"] for j in m.ais), firm_v) * h.ps.has_peak
    )
    h.row(
        "peak_load",
        "Load in the month's 4CP peak hour",
        "MW",
        lambda c: (
            f"{h.R('has_peak', c)}*("
            + plus([f"{h.mwc(j)}*{h.R(f'pk{j}', c)}" for j in m.flex] + firm_load(c))
            + ")"
        ),
        peak_load,
        "num2",
        False,
    )
    w.column("fourcp_charge_usd", lambda c, p: billed("peak_load", c), t["fourcp_charge_usd"])
