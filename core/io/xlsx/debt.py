"""A financed strategy's debt and equity rows on its sheet, as formulas of the financing
inputs and the sheet's own rows, by the rules of ``core.engine.debt``: draws while built,
capitalised interest, sizing by LTC or DSCR (a helper row of what each repayment month
supports), annuity, straight-line or sculpted service, sweep, reserve, the 30 % interest
limit, the levered tax and the equity cash flow. Rows refer to rows below them, so their
places are set before any is written."""

from __future__ import annotations

import numpy as np

from core.engine.blocks.kinds import is_ai, is_colocation, mines
from core.engine.columns import MONTHLY_COLUMNS
from core.engine.debt import deductible_interest
from core.engine.loanterms import repayment_start
from core.io.xlsx.strategyrows import StrategyRows, write_tax_rows

ROWS = (
    "fin_start",
    "fin_months",
    "fin_growth",
    "fin_supports",
    "debt_draw_usd",
    "fin_opening",
    "interest_usd",
    "capitalised_interest_usd",
    "interest_paid_usd",
    "fin_service",
    "fin_scheduled",
    "fin_sweep",
    "balloon_usd",
    "principal_usd",
    "debt_balance_usd",
    "fees_usd",
    "dsra_funding_usd",
    "dsra_release_usd",
    "cfads_usd",
    "dscr",
    "fin_interest_carried",
    "fin_deducted",
    "fin_taxable",
)


def write_debt_rows(sh: StrategyRows, fin_path: str, debt: dict[str, np.ndarray]) -> None:
    """``debt``: the engine's rows (the cached values); ``fin_path``: the Inputs prefix of
    the strategy's financing (``strategies[i].financing``)."""
    w, t, n = sh.w, sh.t, sh.n
    fin = sh.strategy.financing
    assert fin is not None
    w.heading("Financing (core.engine.debt): draws, interest, repayment, reserve, equity")
    at = {key: w.row + k + 1 for k, key in enumerate(ROWS)}  # 1-based A1 rows, set now
    last = w.col(n - 1)

    def name(field: str) -> str:
        return sh.names[f"{fin_path}.{field}"]

    def i(c: str) -> str:
        return sh.i.replace("{c}", c)

    def cell(key: str, c: str) -> str:
        return f"{c}{at[key] if key in at else w.r(key)}"

    def row_span(r: int) -> str:
        return f"${w.col(0)}${r}:${last}${r}"

    def span(key: str) -> str:
        return row_span(at[key] if key in at else w.r(key))

    rate = f"({name('rate_pct_per_year')}/12)"
    tenor, target, start = f"$C${at['fin_months']}", name("target_dscr"), f"$C${at['fin_start']}"
    share, balance0 = f"$C${at['debt_draw_usd']}", f"$C${at['fin_opening']}"
    balloon = name("balloon_pct")
    kept = f"(1-{balloon}*(1+{rate})^(-{tenor}))"  # the share the service repays, in PV
    r0 = repayment_start(sh.strategy, n)
    n_pay = int(debt["repayment_window"].sum())

    def window(c: str) -> str:
        return f"AND({i(c)}>={start},{i(c)}<{start}+{tenor})"

    def unfunded(c: str) -> str:  # CFADS before draws: EBITDA − tax − capex
        return f"({cell('ebitda_usd', c)}-{cell('tax_usd', c)}-{cell('capex_usd', c)})"

    def k(c: str) -> str:
        return f"({i(c)}-{start})"

    def line(key, label, unit, body, values, style="num", total=True, constant=None):
        assert w.row + 1 == at[key], key
        w.line(key, label, unit, body, values, style, total, constant)

    # -- timing and sizing
    lives = [
        f"{sh.name(j, 'start_month')}+{sh.name(j, 'conversion_months')}"
        for j, b in enumerate(sh.strategy.blocks)
        if is_ai(b)
    ]
    line(
        "fin_start",
        "Repayment phase (from the month in column C: after the last AI block is online)",
        "flag",
        lambda c, p: f"IF({i(c)}>={start},1,0)",
        debt["repayment_phase"],
        "int",
        total=False,
        constant=r0,
    )
    w.ws.write_formula(
        at["fin_start"] - 1, 2, f"=MAX({','.join(lives)})+1" if lives else "=1", w.fmt["int"], r0
    )
    line(
        "fin_months",
        "Repaid over (column C: the tenor, cut to the months the blocks are expected to earn)",
        "flag",
        lambda c, p: f"IF({window(c)},1,0)",
        debt["repayment_window"],
        "int",
        total=False,
        constant=n_pay,
    )
    end = f"INT(MIN({n},MAX({','.join(_earning_ends(sh, row_span)) or n}))+1E-9)"
    w.ws.write_formula(
        at["fin_months"] - 1,
        2,
        f"=MAX(MIN({name('tenor_months')},{end}-{start}),1)",
        w.fmt["int"],
        n_pay,
    )
    line(
        "fin_growth",
        "Construction capex grown by interest to the start of repayment",
        "USD",
        lambda c, p: f"IF({i(c)}<{start},{cell('capex_usd', c)}*(1+{rate})^({start}-1-{i(c)}),0)",
        debt["sizing_growth_usd"],
    )
    if fin.repayment == "straight_line":
        supports = lambda c: (  # noqa: E731
            f"{unfunded(c)}/({target}*((1-{balloon})/{tenor}+{rate}*(1-(1-{balloon})*{k(c)}/{tenor})))"
        )
    elif fin.repayment == "sculpted":
        supports = lambda c: f"MAX({unfunded(c)},0)/{target}/(1+{rate})^({k(c)}+1)"  # noqa: E731
    else:
        supports = lambda c: f"{unfunded(c)}/{target}"  # noqa: E731
    line(
        "fin_supports",
        "What each repayment month supports at the target DSCR (sizing)",
        "USD",
        lambda c, p: f'IF({window(c)},{supports(c)},"")',
        debt["sizing_supports_usd"],
        total=False,
    )
    grown = f"SUM({span('fin_growth')})"
    if fin.sizing == "dscr":
        af = f"IF({rate}=0,{tenor},(1-(1+{rate})^(-{tenor}))/{rate})"
        capacity = {
            "annuity": f"MAX(MIN({span('fin_supports')}),0)*{af}/{kept}",
            "straight_line": f"MAX(MIN({span('fin_supports')}),0)",
            "sculpted": f"SUM({span('fin_supports')})/{kept}",
        }[fin.repayment]
        share_formula = f"=IF({grown}>0,MIN({capacity}/{grown},1),0)"
    else:
        share_formula = f"={name('ltc_pct')}"
    built = float(t["capex_usd"][:r0].sum())
    share_value = float(debt["debt_draw_usd"].sum()) / built if built else 0.0
    line(
        "debt_draw_usd",
        "Debt drawn (share of construction capex in column C)",
        "USD",
        lambda c, p: f"IF({i(c)}<{start},{share}*{cell('capex_usd', c)},0)",
        debt["debt_draw_usd"],
        constant=share_value,
    )
    w.ws.write_formula(at["debt_draw_usd"] - 1, 2, share_formula, w.fmt["pct"], share_value)
    # -- balances, interest and service
    opening = np.concatenate([[0.0], debt["debt_balance_usd"][:-1]])
    line(
        "fin_opening",
        "Opening balance (column C: the balance when repayment starts)",
        "USD",
        lambda c, p: f"N({p}{at['debt_balance_usd']})",
        opening,
        total=False,
        constant=float(opening[r0]) if r0 < n else 0.0,
    )
    w.ws.write_formula(
        at["fin_opening"] - 1,
        2,
        f"={share}*{grown}",
        w.fmt["num"],
        float(opening[r0]) if r0 < n else 0.0,
    )
    line(
        "interest_usd",
        MONTHLY_COLUMNS["interest_usd"].label + " (opening balance × rate / 12)",
        "USD",
        lambda c, p: f"{cell('fin_opening', c)}*{rate}",
        debt["interest_usd"],
    )
    line(
        "capitalised_interest_usd",
        MONTHLY_COLUMNS["capitalised_interest_usd"].label,
        "USD",
        lambda c, p: f"IF({i(c)}<{start},{cell('interest_usd', c)},0)",
        debt["capitalised_interest_usd"],
    )
    line(
        "interest_paid_usd",
        MONTHLY_COLUMNS["interest_paid_usd"].label,
        "USD",
        lambda c, p: f"IF({i(c)}>={start},{cell('interest_usd', c)},0)",
        debt["interest_paid_usd"],
    )
    pv = f"(SUM({span('fin_supports')})*{target})"  # sculpted: PV of CFADS over the tenor
    left = f"{balloon}*{balance0}"  # the balloon, left after the last payment
    level = f"IF({rate}=0,{balance0}*(1-{balloon})/{tenor},-PMT({rate},{tenor},{balance0},-{left}))"
    service = {
        "annuity": lambda c: level,
        "straight_line": lambda c: (
            f"{balance0}*(1-{balloon})/{tenor}+{rate}*{balance0}*(1-(1-{balloon})*{k(c)}/{tenor})"
        ),
        "sculpted": lambda c: f"IF({pv}>0,MAX({unfunded(c)},0)*{balance0}*{kept}/{pv},{level})",
    }[fin.repayment]
    line(
        "fin_service",
        "Scheduled debt service (the reserve holds its first months)",
        "USD",
        lambda c, p: f"IF({window(c)},{service(c)},0)",
        debt["scheduled_service_usd"],
    )
    due = (
        (lambda c: f"{balance0}*(1-{balloon})/{tenor}")
        if fin.repayment == "straight_line"
        else (lambda c: f"MAX({cell('fin_service', c)}-{cell('interest_usd', c)},0)")
    )
    line(
        "fin_scheduled",
        "Principal scheduled",
        "USD",
        lambda c, p: (
            f"IF({i(c)}<{start},0,IF({window(c)},MIN({due(c)},{cell('fin_opening', c)}),"
            f"{cell('fin_opening', c)}))"
        ),
        debt["scheduled_principal_usd"],
    )
    line(
        "fin_sweep",
        "Cash sweep (share of the cash left after service)",
        "USD",
        lambda c, p: (
            f"IF({i(c)}>={start},MIN({name('cash_sweep_pct')}*MAX({cell('cfads_usd', c)}"
            f"-{cell('interest_usd', c)}-{cell('fin_scheduled', c)},0),"
            f"{cell('fin_opening', c)}-{cell('fin_scheduled', c)}),0)"
        ),
        debt["sweep_usd"],
    )

    def before_balloon(c: str) -> str:
        return (
            f"({cell('fin_opening', c)}+IF({i(c)}<{start},{cell('interest_usd', c)}"
            f"+{cell('debt_draw_usd', c)},0)-{cell('fin_scheduled', c)}-{cell('fin_sweep', c)})"
        )

    line(
        "balloon_usd",
        "Balloon: what is left with the last payment, and what is owed at the horizon end",
        "USD",
        lambda c, p: (
            before_balloon(c)
            if c == last
            else f"IF(AND({balloon}>0,{i(c)}={start}+{tenor}-1),{before_balloon(c)},0)"
        ),
        debt["balloon_usd"],
    )
    line(
        "principal_usd",
        MONTHLY_COLUMNS["principal_usd"].label + " (scheduled + sweep + balloon)",
        "USD",
        lambda c, p: f"{cell('fin_scheduled', c)}+{cell('fin_sweep', c)}+{cell('balloon_usd', c)}",
        debt["principal_usd"],
    )
    line(
        "debt_balance_usd",
        MONTHLY_COLUMNS["debt_balance_usd"].label,
        "USD",
        lambda c, p: (
            f"{cell('fin_opening', c)}+IF({i(c)}<{start},{cell('interest_usd', c)}"
            f"+{cell('debt_draw_usd', c)},0)-{cell('principal_usd', c)}"
        ),
        debt["debt_balance_usd"],
        total=False,
    )
    idx_span = row_span(w.r("idx"))
    first_draw = f'_xlfn.MINIFS({idx_span},{span("debt_draw_usd")},">0")'
    line(
        "fees_usd",
        MONTHLY_COLUMNS["fees_usd"].label + " (at the first draw)",
        "USD",
        lambda c, p: (
            f"IF(AND(SUM({span('debt_draw_usd')})>0,{i(c)}={first_draw}),"
            f"{name('upfront_fee_pct')}*SUM({span('debt_draw_usd')}),0)"
        ),
        debt["fees_usd"],
    )
    reserve = (
        f'SUMIFS({span("fin_service")},{idx_span},">="&{start},{idx_span},"<"&{start}'
        f"+{name('dsra_months')})"
    )
    line(
        "dsra_funding_usd",
        MONTHLY_COLUMNS["dsra_funding_usd"].label,
        "USD",
        lambda c, p: f"IF({i(c)}={start},{reserve},0)",
        debt["dsra_funding_usd"],
    )
    paid_off = f"(1E-9*{balance0}+1E-6)"
    line(
        "dsra_release_usd",
        MONTHLY_COLUMNS["dsra_release_usd"].label + " (when the debt is repaid)",
        "USD",
        lambda c, p: (
            f"IF(AND({i(c)}>={start},{balance0}>0,{cell('debt_balance_usd', c)}<={paid_off},"
            f"OR({i(c)}={start},N({p}{at['debt_balance_usd']})>{paid_off})),"
            f"SUM({span('dsra_funding_usd')}),0)"
        ),
        debt["dsra_release_usd"],
    )
    line(
        "cfads_usd",
        MONTHLY_COLUMNS["cfads_usd"].label + " (EBITDA − tax − capex not funded by debt)",
        "USD",
        lambda c, p: f"{unfunded(c)}+{cell('debt_draw_usd', c)}",
        debt["cfads_usd"],
    )
    line(
        "dscr",
        MONTHLY_COLUMNS["dscr"].label,
        "×",
        lambda c, p: (
            f"IF({cell('interest_paid_usd', c)}+{cell('fin_scheduled', c)}>0,"
            f"{cell('cfads_usd', c)}/({cell('interest_paid_usd', c)}+{cell('fin_scheduled', c)}),0)"
        ),
        debt["dscr"],
        "factor",
        total=False,
    )
    # -- tax: interest deducted (within 30 % of each tax year's EBITDA), the levered tax
    year = sh.year
    year_span = row_span(w.r("year"))
    carried, deducted = _interest_limit_values(sh, debt)

    def year_sum(key: str, c: str, back: int = 0) -> str:
        y = f"{year.replace('{c}', c)}-{back}" if back else year.replace("{c}", c)
        return f"SUMIFS({span(key)},{year_span},{y})"

    assert sh.project_finance is not None
    limited = sh.project_finance.interest_limit_30_pct
    line(
        "fin_interest_carried",
        "Interest carried into the tax year (over 30 % of EBITDA before)",
        "USD",
        lambda c, p: (
            f"IF(MOD({i(c)},12)=0,MAX(N({p}{at['fin_interest_carried']})"
            f"+{year_sum('interest_paid_usd', c, 1)}-0.3*MAX({year_sum('ebitda_usd', c, 1)},0),0),"
            f"N({p}{at['fin_interest_carried']}))"
            if limited
            else "0"
        ),
        carried,
        total=False,
    )
    y_int, y_ebitda = (
        (lambda c: year_sum("interest_paid_usd", c)),
        (lambda c: year_sum("ebitda_usd", c)),
    )
    line(
        "fin_deducted",
        "Interest deducted" + (" (≤ 30 % of the tax year's EBITDA)" if limited else ""),
        "USD",
        lambda c, p: (
            f"MIN({y_int(c)}+{cell('fin_interest_carried', c)},0.3*MAX({y_ebitda(c)},0))"
            f"*IF({y_int(c)}>0,{cell('interest_paid_usd', c)}/{y_int(c)},1/12)"
            if limited
            else cell("interest_paid_usd", c)
        ),
        deducted,
    )
    levered = t["taxable_income_usd"] - deducted
    line(
        "fin_taxable",
        "Taxable income after interest",
        "USD",
        lambda c, p: f"{cell('taxable_income_usd', c)}-{cell('fin_deducted', c)}",
        levered,
    )
    levered_tax = t["tax_usd"] - debt["tax_shield_usd"]
    write_tax_rows(sh, "fin_taxable", levered, "fin_tax", "Tax after interest", levered_tax, "lev_")
    w.column(
        "tax_shield_usd",
        lambda c, p: f"{c}{w.r('tax_usd')}-{c}{w.r('fin_tax')}",
        debt["tax_shield_usd"],
    )
    w.column(
        "equity_fcf_usd",
        lambda c, p: (
            f"{c}{w.r('fcf_usd')}+{c}{w.r('debt_draw_usd')}-{c}{w.r('interest_paid_usd')}"
            f"-{c}{w.r('principal_usd')}-{c}{w.r('fees_usd')}-{c}{w.r('dsra_funding_usd')}"
            f"+{c}{w.r('dsra_release_usd')}+{c}{w.r('tax_shield_usd')}"
        ),
        debt["equity_fcf_usd"],
        "bold",
    )
    w.column(
        "cumulative_equity_fcf_usd",
        lambda c, p: f"N({p}{w.r('cumulative_equity_fcf_usd')})+{c}{w.r('equity_fcf_usd')}",
        debt["cumulative_equity_fcf_usd"],
        total=False,
    )


def _interest_limit_values(sh, debt: dict) -> tuple[np.ndarray, np.ndarray]:
    """(interest carried into each month's tax year, interest deducted), the engine's."""
    paid = debt["interest_paid_usd"]
    if sh.project_finance is None or not sh.project_finance.interest_limit_30_pct:
        return debt["interest_carried_usd"], paid
    return debt["interest_carried_usd"], deductible_interest(paid, sh.t["ebitda_usd"])


def _earning_ends(sh: StrategyRows, row_span) -> list[str]:
    """Each block's month by which it is expected to stop earning (``BlockKind.expected_end``):
    its first month plus the months its timing flag is 1; a lease counts the months after its
    term at the renewal probability."""
    w, n = sh.w, sh.n
    out = []
    for j, b in enumerate(sh.strategy.blocks):
        if mines(b):
            first = f"MIN({sh.name(j, 'start_month')},{n})"
            months = f"SUM({row_span(w.r(f'f{j}'))})"
        else:
            first = f"MIN({sh.name(j, 'start_month')}+{sh.name(j, 'conversion_months')},{n})"
            months = f"SUM({row_span(w.r(f'live{j}'))})"
            if is_colocation(b) and b.lease_term_months is not None:
                term, p = sh.name(j, "lease_term_months"), sh.name(j, "renewal_probability_pct")
                months = f"({months}-(1-{p})*MAX({months}-{term},0))"
        out.append(f"{first}+{months}")
    return out
