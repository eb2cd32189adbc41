"""The miners' hourly rows: each one's value per MWh, the DR call's cut, the hours it runs,
its revenue, energy and capacity income (own fleets and hosted racks alike), and the AI
blocks' load."""

from __future__ import annotations

import functools

import numpy as np

from core.engine.blocks.ai import gpu_life_months
from core.engine.blocks.kinds import (
    ai_block_load_mw,
    ai_block_share,
    is_colocation,
    is_hosted,
    miner_kind,
)
from core.io.xlsx.hourly.sheet import DR, Hourly
from core.io.xlsx.prices import HOURS, PRICE_HOURS
from core.model.project import AiBlock, MiningBlock


def value_rows(h: Hourly, j: int) -> None:
    """Block j's value per MWh at full run in each part of the month (its timing flag and
    facility MW are the strategy sheet's): what its machines mine, after pool fee and derate;
    for a hosted rack, what decides whether it runs (``engine.blocks.hosting.make_hosted``):
    the rate per kWh, or the client's mining less the margin it pays."""
    sh, n = h.sh, h.n
    b: MiningBlock = sh.strategy.blocks[j]
    flag = h.v[f"f{j}"]
    f = lambda c: h.R(f"f{j}", c)  # noqa: E731
    pue = sh.name(j, "pue")
    if is_hosted(b) and b.pricing == "per_kwh":
        rate = sh.name(j, "hosting_usd_per_kwh")
        for part in "ab":
            h.row(
                f"v{part}{j}",
                f"{b.name}: value per MWh, the hosting rate per kWh drawn"
                + (" (after a halving)" if part == "b" else ""),
                "USD/MWh",
                lambda c: f"IF({f(c)}=1,{rate}*1000/{pue},0)",
                flag * (b.hosting_usd_per_kwh * 1e3 / b.pue),
                "num2",
                False,
            )
        return
    i = lambda c: sh.i.replace("{c}", c)  # noqa: E731
    start = sh.name(j, "start_month")
    watts = sh.name(j, "asic_power_w")
    pool, derate = sh.name(j, "pool_fee_pct"), sh.name(j, "derate_pct_per_year")
    ths = sh.name(j, "asic_hashrate_ths")
    kind = miner_kind(b)
    d = kind.derate(b, n)
    per_mwh = kind.value_per_mwh(b, h.catalog)
    less, less_v, what = "", 0.0, ": value per MWh at full run"
    if is_hosted(b):  # cost-plus: the client's mining less the margin
        less = f"-{sh.name(j, 'margin_usd_per_kwh')}*1000/{pue}"
        less_v = b.margin_usd_per_kwh * 1e3 / b.pue
        what = ": value per MWh, the client's mining less the margin"
    for part in "ab":
        h.row(
            f"v{part}{j}",
            b.name + what + (" (after a halving)" if part == "b" else ""),
            "USD/MWh",
            functools.partial(
                lambda c, part: (
                    f"IF({f(c)}=1,{h.R('hp_' + part, c)}*{ths}/1000/24"
                    f"*(1-{pool})*(1-{derate})^INT(({i(c)}-{start})/12)/({watts}/1000000*{pue})"
                    f"{less},0)"
                ),
                part=part,
            ),
            flag * (h.v[f"hp_{part}"] * per_mwh * d - less_v),
            "num2",
            False,
        )


def dr_rows(h: Hourly) -> None:
    """The site's flexible MW in the month, the MW enrolled against them, what a call leaves
    running, and what of the enrolled MW still runs (and earns) under a call."""
    names, dr = h.names, h.project.site.demand_response
    flex = h.m.flex
    enrolled = names[DR + "enrolled_mw"]
    cap = sum((h.v[f"f{j}"] * h.mw[j] for j in flex), np.zeros(h.n))
    terms = lambda c: "+".join(f"{h.R(f'f{j}', c)}*{h.mwc(j)}" for j in flex) or "0"  # noqa: E731
    what = "the fleets" if not h.m.hosted else "fleets and curtailable hosting"
    h.row(
        "dr_cap",
        f"DR: flexible MW present ({what} active in the month)",
        "MW",
        terms,
        cap,
        "num2",
        False,
    )
    em = np.minimum(dr.enrolled_mw, cap)
    h.row(
        "dr_em",
        "DR: MW enrolled (at most the flexible MW)",
        "MW",
        lambda c: f"MIN({enrolled},{h.R('dr_cap', c)})",
        em,
        "num2",
        False,
    )
    left = np.maximum(cap - dr.enrolled_mw, 0.0)
    h.row(
        "dr_left",
        "DR: MW a call leaves running",
        "MW",
        lambda c: f"MAX({h.R('dr_cap', c)}-{enrolled},0)",
        left,
        "num2",
        False,
    )
    h.row(
        "dr_e2",
        "DR: enrolled MW still running under a call",
        "MW",
        lambda c: f"MIN({h.R('dr_em', c)},{h.R('dr_left', c)})",
        np.minimum(em, left),
        "num2",
        False,
    )


def _when(p: str) -> str:
    return {"": "", "a": " (before any halving)", "b": " (after a halving)"}[p]


def _ahead(h: Hourly, j: int, p: str, among: list[int], weight: str = ""):
    """Σ over the blocks of ``among`` kept ahead of j in a call (worth more per MWh, to the
    millionth of a dollar, or as much and listed before it, as ``demand.keep_order``) of
    flag × MW (× their row ``weight``): (formula of a column, values)."""
    v, pa = h.v, p or "a"

    def body(c: str) -> str:
        out = []
        for k in among:
            if k == j:
                continue
            op = ">=" if k < j else ">"
            w = f"*{h.R(f'{weight}{p}{k}', c)}" if weight else ""
            out.append(
                f"{h.R(f'f{k}', c)}*{h.mwc(k)}{w}"
                f"*(ROUND({h.R(f'v{pa}{k}', c)},6){op}ROUND({h.R(f'v{pa}{j}', c)},6))"
            )
        return "+".join(out) or "0"

    values = np.zeros(h.n)
    for k in among:
        if k == j:
            continue
        vk, vj = np.round(v[f"v{pa}{k}"], 6), np.round(v[f"v{pa}{j}"], 6)
        w = v[f"{weight}{p}{k}"] if weight else 1.0
        values += v[f"f{k}"] * h.mw[k] * w * ((vk >= vj) if k < j else (vk > vj))
    return body, values


def call_rows(h: Hourly, j: int) -> None:
    """Flexible block j's place in a DR call: the MW kept ahead of it and the share it keeps
    (in each part of the month where a halving may reorder the blocks)."""
    v, mw, name, mwc = h.v, h.mw[j], h.sh.strategy.blocks[j].name, h.mwc(j)
    for p in h.m.parts:
        body, ahead = _ahead(h, j, p, h.m.flex)
        h.row(
            f"ahead{p}{j}",
            f"{name}: MW kept ahead of it in a DR call{_when(p)}",
            "MW",
            body,
            ahead,
            "num2",
            False,
        )
        keep = np.where(
            mw > 0, np.minimum(mw, np.maximum(0.0, v["dr_left"] - ahead)) / max(mw, 1e-300), 0
        )
        h.row(
            f"keep{p}{j}",
            f"{name}: share kept running in a DR call{_when(p)}",
            "share",
            functools.partial(
                lambda c, p: (
                    f"IF({mwc}>0,MIN({mwc},MAX(0,{h.R('dr_left', c)}"
                    f"-{h.R(f'ahead{p}{j}', c)}))/{mwc},0)"
                ),
                p=p,
            ),
            keep,
            "factor",
            False,
        )


def run_rows(h: Hourly, j: int) -> None:
    """Flexible block j's hours run (not called; called, before and after the cut; after a
    halving), its mining revenue (own fleets), the escalated price × hours it ran, the MWh
    that earn capacity income (if the site keeps it) and its share running in the 4CP peak."""
    sh, v = h.sh, h.v
    b: MiningBlock = sh.strategy.blocks[j]
    mw, name, mwc, parts = h.mw[j], b.name, h.mwc(j), h.m.parts
    flag = v[f"f{j}"]
    g, ps = h.g, h.ps
    runs = h.runs_mask(h.breakeven_v(j, "a"), h.breakeven_v(j, "b"))
    in_part = {"": True, "a": g["part"] == 0, "b": g["part"] == 1}
    cs = h.cs  # the share of each group's hours called
    keep = lambda c, p: h.R(f"keep{p}{j}", c)  # noqa: E731
    f = lambda c: h.R(f"f{j}", c)  # noqa: E731

    def over(col: str, c: str, k_called: int, peak: bool = False, parts: str = "ab") -> str:
        """Σ of Prices ``col`` over the month's parts where the block would run."""
        return "+".join(h.sumifs(col, q, c, h.breakeven(j, q, c), k_called, peak) for q in parts)

    def kept(col: str, c: str, peak: bool = False, only: str = "") -> str:
        """The same, the called hours at the share the block keeps in a call (``only``: one
        part of the month)."""
        out = []
        for p in parts:
            qs = "".join(q for q in (p or "ab") if not only or q == only)
            if qs:
                out.append(
                    f"{over(col, c, 0, peak, qs)}+{keep(c, p)}*({over(col, c, 1, peak, qs)})"
                )
        return "+".join(out)

    def kept_sum(x: np.ndarray, mask: np.ndarray | bool = True) -> np.ndarray:
        """``kept``'s value over the groups, weights ``x``."""
        out = np.zeros(h.n)
        for p in parts:
            m = mask & in_part[p]
            out += h.gsum(x * (1 - cs), runs & m) + v[f"keep{p}{j}"] * h.gsum(x * cs, runs & m)
        return out * flag

    run = np.zeros(h.n)
    for p in parts:
        run_n = h.gsum(ps.hours * (1 - cs), runs & in_part[p]) * flag
        run_c = h.gsum(ps.hours * cs, runs & in_part[p]) * flag
        for key, label, k_called, values in (
            (f"rn{p}{j}", "hours run, not called", 0, run_n),
            (f"rc{p}{j}", "called hours it would run, before the cut", 1, run_c),
        ):
            h.row(
                key,
                f"{name}: {label}{_when(p)}",
                "h",
                functools.partial(
                    lambda c, k, p: f"IF({f(c)}=1,{over(HOURS, c, k, parts=p or 'ab')},0)",
                    k=k_called,
                    p=p,
                ),
                values,
                "num2",
            )
        run += run_n + v[f"keep{p}{j}"] * run_c
    run_b = kept_sum(ps.hours, g["part"] == 1)
    if parts == ("",):
        body_b = lambda c: f"IF({f(c)}=1,{kept(HOURS, c, only='b')},0)"  # noqa: E731
    else:
        body_b = lambda c: f"{h.R(f'rnb{j}', c)}+{keep(c, 'b')}*{h.R(f'rcb{j}', c)}"  # noqa: E731
    h.row(f"rb{j}", f"{name}: hours run after a halving in the month", "h", body_b, run_b, "num2")
    h.row(
        f"run{j}",
        f"{name}: hours at full run",
        "h",
        lambda c: "+".join(
            f"{h.R(f'rn{p}{j}', c)}+{keep(c, p)}*{h.R(f'rc{p}{j}', c)}" for p in parts
        ),
        run,
        "num2",
    )
    if not is_hosted(b):
        h.row(
            f"rev{j}",
            f"{name}: mining revenue",
            "USD",
            lambda c: (
                f"{mwc}*({h.R(f'va{j}', c)}*({h.R(f'run{j}', c)}-{h.R(f'rb{j}', c)})"
                f"+{h.R(f'vb{j}', c)}*{h.R(f'rb{j}', c)})"
            ),
            mw * (v[f"va{j}"] * (run - run_b) + v[f"vb{j}"] * run_b),
        )
    h.row(
        f"ph{j}",
        f"{name}: price × hours run (escalated)",
        "USD/MWh·h",
        lambda c: f"IF({f(c)}=1,{h.R('esc', c)}*({kept(PRICE_HOURS, c)}),0)",
        kept_sum(ps.price * ps.hours) * v["esc"],
    )
    if j in h.m.kept:
        _avail(h, j)
    h.row(
        f"pk{j}",
        f"{name}: share running in the 4CP peak hour",
        "share",
        lambda c: f"IF(AND({f(c)}=1,{h.R('has_peak', c)}=1),{kept(HOURS, c, peak=True)},0)",
        kept_sum(ps.hours, g["peak"] == 1),
        "factor",
        False,
    )


def _avail(h: Hourly, j: int) -> None:
    """The MWh of block j that earn capacity income: each hour's min(enrolled, running MW
    kept), telescoped over the blocks in keep order, so block j adds min(E, K + its MW) −
    min(E, K), K the kept MW running ahead of it. Where every flexible block keeps its income,
    a call's K is the MW ahead and the limit what the call leaves running (min(E, left));
    otherwise K counts the blocks whose income is kept, at the share each keeps."""
    v, mw, mwc, name = h.v, h.mw[j], h.mwc(j), h.sh.strategy.blocks[j].name
    em_v, e2_v = v["dr_em"], v["dr_e2"]

    def shed(limit: str, below: str, mw: str, hours: str) -> str:
        return f"(MIN({limit},{below}+{mw})-MIN({limit},{below}))*{hours}"

    def term(c: str, p: str) -> str:
        """Part ``p``'s MWh: the hours run not called, then the called hours it runs."""
        em, rn, rc = h.R("dr_em", c), h.R(f"rn{p}{j}", c), h.R(f"rc{p}{j}", c)
        if not h.m.passed:
            a = h.R(f"ahead{p}{j}", c)
            return f"{shed(em, a, mwc, rn)}+{shed(h.R('dr_e2', c), a, mwc, rc)}"
        kept_mw = f"{h.R(f'keep{p}{j}', c)}*{mwc}"
        return (
            f"{shed(em, h.R(f'kahead{p}{j}', c), mwc, rn)}"
            f"+{shed(em, h.R(f'kcall{p}{j}', c), kept_mw, rc)}"
        )

    def shed_v(limit, below, mw, hours) -> np.ndarray:
        return (np.minimum(limit, below + mw) - np.minimum(limit, below)) * hours

    value = np.zeros(h.n)
    for p in h.m.parts:
        rn, rc = v[f"rn{p}{j}"], v[f"rc{p}{j}"]
        if not h.m.passed:
            ahead = v[f"ahead{p}{j}"]
            value += shed_v(em_v, ahead, mw, rn) + shed_v(e2_v, ahead, mw, rc)
            continue
        for key, label, weight in (
            (f"kahead{p}{j}", "MW kept ahead of it that keeps its capacity income", ""),
            (f"kcall{p}{j}", "the same running in a DR call", "keep"),
        ):
            body, values = _ahead(h, j, p, h.m.kept, weight)
            h.row(key, f"{name}: {label}{_when(p)}", "MW", body, values, "num2", False)
        kept_v = v[f"keep{p}{j}"] * mw
        value += shed_v(em_v, v[f"kahead{p}{j}"], mw, rn) + shed_v(
            em_v, v[f"kcall{p}{j}"], kept_v, rc
        )
    h.row(
        f"avail{j}",
        f"{name}: MWh that could be shed (earns capacity income)",
        "MWh",
        lambda c: "+".join(term(c, p) for p in h.m.parts),
        value,
    )


def firm_rows(h: Hourly, j: int) -> None:
    """A firm hosted rack runs every hour of its term: hours at full run."""
    sh = h.sh
    h.row(
        f"run{j}",
        f"{sh.strategy.blocks[j].name}: hours at full run (firm: every hour of its term)",
        "h",
        lambda c: f"{h.R(f'f{j}', c)}*{sh.hours.replace('{c}', c)}",
        h.v[f"f{j}"] * h.hours,
        "num2",
    )


def ai_rows(h: Hourly, j: int) -> None:
    """An AI block's share in place (lease, renewal, GPU run-off) and the facility MW it draws."""
    sh = h.sh
    b: AiBlock = sh.strategy.blocks[j]
    i = lambda c: sh.i.replace("{c}", c)  # noqa: E731
    live = f"({sh.name(j, 'start_month')}+{sh.name(j, 'conversion_months')})"
    flag = lambda c: h.R(f"live{j}", c)  # noqa: E731 (the timing flag)
    if is_colocation(b) and b.lease_term_months is not None:
        end = f"{live}+{sh.name(j, 'lease_term_months')}"
        body = lambda c: (  # noqa: E731
            f"IF({flag(c)}=0,0,IF({i(c)}<{end},1,{sh.name(j, 'renewal_probability_pct')}))"
        )
    else:
        body = flag
    share = ai_block_share(b, h.n, gpu_life_months(h.project))
    h.row(f"share{j}", f"{b.name}: share in place", "share", body, share, "factor", False)
    it = sh.name(j, "it_mw_used")
    base = f"{it}*{sh.name(j, 'pue')}"
    if is_colocation(b):
        base = f"{it}*{sh.name(j, 'it_load_factor_pct')}*{sh.name(j, 'pue')}"
    mw = ai_block_load_mw(b, h.catalog)
    h.row(
        f"load{j}",
        f"{b.name}: facility MW drawn",
        "MW",
        lambda c: f"{h.R(f'share{j}', c)}*{base}",
        share * mw,
        "num2",
        False,
    )
