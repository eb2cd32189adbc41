"""A hosted rack's contract as formulas (``engine.blocks.hosting.hosting_months``): per kWh,
the rate × the kWh its machines drew; cost-plus, the margin per kWh drawn plus the client's share of
its mining margin, with the power its load drew at the meter recharged to the client."""

from __future__ import annotations

import numpy as np

from core.io.xlsx.hourly.sheet import E, Hourly
from core.io.xlsx.prices import HOURS, PRICE_HOURS
from core.model.project import HostingBlock


def hosting_rows(h: Hourly, j: int) -> None:
    """Block j's fee (``fee{j}``) and, cost-plus, its recharged power (``rch{j}``) and the
    profit share (``psh{j}``). Rates are per kWh the machines draw: the meter's MW ÷ PUE."""
    sh, v = h.sh, h.v
    b: HostingBlock = sh.strategy.blocks[j]
    mwc, pue, mw = h.mwc(j), sh.name(j, "pue"), h.mw[j]
    run = lambda c: h.R(f"run{j}", c)  # noqa: E731
    name = b.name
    if b.pricing == "per_kwh":
        rate = sh.name(j, "hosting_usd_per_kwh")
        h.row(
            f"fee{j}",
            f"{name}: hosting fee (the rate × the kWh its machines drew)",
            "USD",
            lambda c: f"{rate}*1000*{mwc}/{pue}*{run(c)}",
            b.hosting_usd_per_kwh * 1e3 * mw / b.pue * v[f"run{j}"],
        )
        return
    adder = h.names[E + "tnd_adder_usd_per_mwh"]
    adder_v = h.project.site.energy.tnd_adder_usd_per_mwh
    hours = lambda c: sh.hours.replace("{c}", c)  # noqa: E731
    f = lambda c: h.R(f"f{j}", c)  # noqa: E731
    esc = lambda c: h.R("esc", c)  # noqa: E731
    pct = sh.name(j, "profit_share_pct")
    ps, g = h.ps, h.g
    if b.curtailable:
        # It runs only where its value covers the hour's power, so each hour's margin is ≥ 0.
        recharge = lambda c: f"{mwc}*({h.R(f'ph{j}', c)}+{adder}*{run(c)})"  # noqa: E731
        recharge_v = mw * (v[f"ph{j}"] + adder_v * v[f"run{j}"])
        rb, rb_v = (lambda c: h.R(f"rb{j}", c)), v[f"rb{j}"]
        share = lambda c: (  # noqa: E731
            f"{pct}*({mwc}*({h.R(f'va{j}', c)}*({run(c)}-{rb(c)})"
            f"+{h.R(f'vb{j}', c)}*{rb(c)})-{h.R(f'rch{j}', c)})"
        )
        share_v = (
            b.profit_share_pct
            / 100
            * (mw * (v[f"va{j}"] * (v[f"run{j}"] - rb_v) + v[f"vb{j}"] * rb_v) - recharge_v)
        )
    else:
        # Firm: every hour's power is recharged; the share counts the hours whose margin is
        # positive, priced below (value − adder) ÷ escalation, called or not.
        recharge = lambda c: f"{f(c)}*{mwc}*({h.energy_sum(c)}+{adder}*{hours(c)})"  # noqa: E731
        price_month = h.gsum(ps.price * ps.hours, np.ones(ps.hours.size, dtype=bool))
        recharge_v = v[f"f{j}"] * mw * (v["esc"] * price_month + adder_v * h.hours)

        def margin(c: str, p: str) -> str:
            crit = h.breakeven(j, p, c)
            return (
                f"({h.R(f'v{p}{j}', c)}-{adder})*{h.sumifs(HOURS, p, c, crit, None)}"
                f"-{esc(c)}*{h.sumifs(PRICE_HOURS, p, c, crit, None)}"
            )

        share = lambda c: (  # noqa: E731
            f"IF({f(c)}=1,{pct}*{mwc}*({margin(c, 'a')}+{margin(c, 'b')}),0)"
        )
        below = h.crit_mask(h.breakeven_v(j, "a"), h.breakeven_v(j, "b"))
        share_v = np.zeros(h.n)
        for p, part in (("a", 0), ("b", 1)):
            m = below & (g["part"] == part)
            share_v += (v[f"v{p}{j}"] - adder_v) * h.gsum(ps.hours, m) - v["esc"] * h.gsum(
                ps.price * ps.hours, m
            )
        share_v *= b.profit_share_pct / 100 * mw * v[f"f{j}"]
    h.row(
        f"rch{j}", f"{name}: power recharged to the client (cost-plus)", "USD", recharge, recharge_v
    )
    h.row(f"psh{j}", f"{name}: the client's share of its mining margin", "USD", share, share_v)
    margin_v = b.margin_usd_per_kwh * 1e3 * mw / b.pue * v[f"run{j}"]
    h.row(
        f"fee{j}",
        f"{name}: hosting fee (the margin × the kWh drawn, and the share)",
        "USD",
        lambda c: (
            f"{sh.name(j, 'margin_usd_per_kwh')}*1000*{mwc}/{pue}*{run(c)}+{h.R(f'psh{j}', c)}"
        ),
        margin_v + share_v,
    )
