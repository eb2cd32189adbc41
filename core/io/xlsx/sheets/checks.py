"""The sheets a reviewer checks the board workbook by: Checks (identities the formulas keep
whatever the inputs, and the app's values at export beside the formulas') and Sources (the
catalog's specs and prices, with where each comes from)."""

from __future__ import annotations

from typing import Any

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from core.engine.evaluation import ProjectResult
from core.io.xlsx.rows import FIRST_COL, StrategySheet, quote, write_table
from core.io.xlsx.sheets.summary import CHECKED, RATES
from core.model.catalog import Catalog
from core.model.project import Project


def _span(sheet: StrategySheet, key: str, first: int, last: int) -> str:
    """'Sheet'!$F$r:$X$r: months ``first`` … ``last`` (0-based) of a row."""
    r = sheet.rows[key] + 1
    a, b = xl_col_to_name(FIRST_COL + first), xl_col_to_name(FIRST_COL + last)
    return f"{quote(sheet.name)}!${a}${r}:${b}${r}"


def _within(residual: str, scale: str) -> str:
    """True where Σ|residual| is at most a millionth of Σ|scale| (or of $1)."""
    return f"SUMPRODUCT(ABS({residual}))<=1E-6*MAX(1,SUMPRODUCT(ABS({scale})))"


REVENUE_LINES = (
    "revenue_mining_usd",
    "revenue_hosting_usd",
    "power_passthrough_usd",
    "dr_capacity_usd",
    "power_credits_usd",
)
EQUITY_TERMS = (
    ("+", "debt_draw_usd"),
    ("-", "interest_paid_usd"),
    ("-", "principal_usd"),
    ("-", "fees_usd"),
    ("-", "dsra_funding_usd"),
    ("+", "dsra_release_usd"),
    ("+", "tax_shield_usd"),
)


def integrity_checks(sheet: StrategySheet) -> list[tuple[str, str]]:
    """(what, formula) of the identities one strategy sheet keeps whatever its inputs: each
    formula is TRUE while the rows add up. A value typed over a formula breaks one."""
    rows, n = sheet.rows, sheet.n
    out = []
    lines = [k for k in REVENUE_LINES if k in rows] + [k for k in rows if k.startswith("host")]
    if "revenue_total_usd" in rows and lines:
        total = sheet.ref("revenue_total_usd")
        parts = "".join(f"-{sheet.ref(k)}" for k in lines)
        out.append(("revenue lines add up to total revenue", _within(total + parts, total)))
    for cum, flow in (
        ("cumulative_fcf_usd", "fcf_usd"),
        ("cumulative_discounted_fcf_usd", "discounted_fcf_usd"),
        ("cumulative_equity_fcf_usd", "equity_fcf_usd"),
    ):
        if cum in rows and flow in rows and n > 1:
            step = (
                f"{_span(sheet, cum, 1, n - 1)}-{_span(sheet, cum, 0, n - 2)}"
                f"-{_span(sheet, flow, 1, n - 1)}"
            )
            first = f"{_span(sheet, cum, 0, 0)}-{_span(sheet, flow, 0, 0)}"
            out.append(
                (
                    f"{cum.removesuffix('_usd').replace('_', ' ')} is the running sum",
                    f"AND({_within(step, sheet.ref(flow))},{_within(first, sheet.ref(flow))})",
                )
            )
    if all(k in rows for k in ("debt_balance_usd", "debt_draw_usd", "principal_usd")):
        capitalised = (
            f"+SUM({sheet.ref('capitalised_interest_usd')})"
            if "capitalised_interest_usd" in rows
            else ""
        )
        rolled = (
            f"{sheet.last('debt_balance_usd')}-(SUM({sheet.ref('debt_draw_usd')}){capitalised}"
            f"-SUM({sheet.ref('principal_usd')}))"
        )
        out.append(
            (
                "debt balance = draws + capitalised interest − principal",
                f"ABS({rolled})<=1E-6*MAX(1,SUM({sheet.ref('debt_draw_usd')}))",
            )
        )
    if "equity_fcf_usd" in rows and all(k in rows for _, k in EQUITY_TERMS):
        terms = "".join(f"{'-' if sign == '+' else '+'}{sheet.ref(k)}" for sign, k in EQUITY_TERMS)
        residual = f"{sheet.ref('equity_fcf_usd')}-{sheet.ref('fcf_usd')}{terms}"
        out.append(
            (
                "equity cash flow = FCF + draws − debt service − fees ± DSRA + tax shield",
                _within(residual, sheet.ref("fcf_usd")),
            )
        )
    return out


def write_checks(
    wb,
    fmt: dict,
    project: Project,
    result: ProjectResult,
    cells: dict[tuple[int, str], tuple[str, Any]],
    sheets: list[StrategySheet],
    summary,
    later: int = 0,
) -> tuple[Any, int]:
    """Two kinds of check, flagged apart: identities the formulas keep whatever the inputs
    (the master flag: an input changed leaves it true), and the app's values at export
    beside the formulas' (a changed input legitimately moves those). ``later``: rows kept in
    the integrity list for checks another sheet writes once it exists (the Layout's); returns
    the sheet and the first of those rows."""
    ws = wb.add_worksheet("Checks")
    ws.set_column(0, 0, 64)
    ws.set_column(1, 4, 18)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)  # one page wide, as many tall as it takes
    ws.write_string(0, 0, "Checks", fmt["title"])
    ws.write_string(2, 0, "Integrity: identities that hold for any input values", fmt["section"])
    ws.write_string(3, 0, "Item", fmt["header"])
    ws.write_string(3, 4, "OK", fmt["header"])
    r = 4
    integrity = []
    for sheet in sheets:
        for what, formula in integrity_checks(sheet):
            ws.write_string(r, 0, f"{sheet.name}: {what}")
            ws.write_formula(r, 4, f"=IFERROR({formula},FALSE)", fmt["ok"], True)
            integrity.append(xl_rowcol_to_cell(r, 4))
            r += 1
    reserved = r
    for _ in range(later):
        ws.write_boolean(r, 4, False, fmt["ok"])  # until the check is written
        integrity.append(xl_rowcol_to_cell(r, 4))
        r += 1
    ws.write_string(r, 0, "All integrity checks hold", fmt["section"])
    ws.write_formula(r, 4, f"=AND({','.join(integrity) or 'TRUE'})", fmt["ok"], True)
    integrity_cell = xl_rowcol_to_cell(r, 4, True, True)
    r += 3
    ws.write_string(
        r - 1,
        0,
        "Matches MinePivot at export: the app's values beside the workbook's formulas "
        "(an input changed here moves the formulas, not the app's values)",
        fmt["section"],
    )
    for c, h in enumerate(("Item", "App value", "Workbook formula", "Difference", "OK")):
        ws.write_string(r, c, h, fmt["header"])
    r += 1
    flags = []
    for i, s in enumerate(result.strategies):
        keys = [*CHECKED, *(k for k in ("equity_npv", "equity_irr") if (i, k) in cells)]
        items = [(f"{s.name}: {key}", cells[(i, key)]) for key in keys]
        items.append(
            (
                f"{s.name}: total free cash flow",
                (
                    f"{quote(sheets[i].name)}!$D${sheets[i].rows['fcf_usd'] + 1}",
                    float(s.monthly["fcf_usd"].sum()),
                ),
            )
        )
        for label, (ref, app) in items:
            ws.write_string(r, 0, label)
            style = fmt["kpi_pct"] if label.rsplit(": ", 1)[-1] in RATES else fmt["num"]
            if isinstance(app, str):
                ws.write_string(r, 1, app)
            else:
                ws.write_number(r, 1, app, style)
            ws.write_formula(r, 2, f"={ref}", style, app)
            b, cc = xl_rowcol_to_cell(r, 1), xl_rowcol_to_cell(r, 2)
            diff = 0 if isinstance(app, str) else 0.0
            ws.write_formula(
                r,
                3,
                f'=IF(AND(ISNUMBER({b}),ISNUMBER({cc})),{cc}-{b},"")',
                fmt["num"],
                "" if isinstance(app, str) else diff,
            )
            # Text against a number ("n/m" against a rate) is a difference, not an error.
            ws.write_formula(
                r,
                4,
                f"=IFERROR(IF(ISNUMBER({b}),ABS({cc}-{b})<=1E-6*MAX(1,ABS({b})),{cc}={b}),FALSE)",
                fmt["ok"],
                True,
            )
            flags.append(xl_rowcol_to_cell(r, 4))
            r += 1
    ws.write_string(r + 1, 0, "Matches MinePivot at export", fmt["section"])
    ws.write_formula(r + 1, 4, f"=AND({','.join(flags)})", fmt["ok"], True)
    _balloon_checks(ws, fmt, result, sheets, r + 4)
    summary.write_formula(
        5, 1, f'=IF(Checks!{integrity_cell},"all pass","CHECK FAILED")', fmt["ok"], "all pass"
    )
    summary.write_formula(
        6,
        1,
        f'=IF(Checks!{xl_rowcol_to_cell(r + 1, 4, True, True)},"yes","no: inputs changed")',
        fmt["ok"],
        "yes",
    )
    return ws, reserved


def _balloon_checks(ws, fmt: dict, result: ProjectResult, sheets, r: int) -> None:
    """Debt still owed when the horizon ends, beside the terminal value that repays it: told
    apart from the integrity checks (the inputs decide it, not the formulas)."""
    financed = [
        (s, sh) for s, sh in zip(result.strategies, sheets, strict=True) if s.kpis.max_debt_usd > 0
    ]
    if not financed:
        return
    ws.write_string(
        r,
        0,
        "Debt owed at the horizon end (a balloon, repaid then), against the terminal value",
        fmt["section"],
    )
    r += 1
    for c, h in enumerate(("Item", "Owed", "Terminal value", "", "Covered")):
        if h:
            ws.write_string(r, c, h, fmt["header"])
    for s, sheet in financed:
        r += 1
        value = float(s.monthly["terminal_value_usd"][-1])
        ws.write_string(r, 0, f"{s.name}: owed at the horizon end")
        ws.write_formula(r, 1, f"={sheet.last('balloon_usd')}", fmt["num"], s.kpis.balloon_usd)
        ws.write_formula(r, 2, f"={sheet.last('terminal_value_usd')}", fmt["num"], value)
        b, tv = xl_rowcol_to_cell(r, 1), xl_rowcol_to_cell(r, 2)
        covered = s.kpis.balloon_usd <= value
        ws.write_formula(r, 4, f'=IF({b}<={tv},"yes","no")', fmt["ok"], "yes" if covered else "no")


def write_sources(wb, fmt: dict, project: Project, catalog: Catalog) -> None:
    ws = wb.add_worksheet("Sources")
    ws.set_column(0, 0, 30)
    ws.set_column(1, 6, 14)
    ws.set_column(7, 8, 50, fmt["note_wrap"])  # the sources wrap: the sheet prints one page wide
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.write_string(0, 0, "Sources: catalog specs and prices", fmt["title"])
    ws.write_string(
        1,
        0,
        f"ASIC catalog as of {catalog.asics_as_of}; GPU servers as of "
        f"{catalog.gpu_servers_as_of}; market inputs as of "
        f"{project.market.as_of}.",
        fmt["note"],
    )
    r = write_table(
        ws,
        fmt,
        3,
        [
            "Model",
            "TH/s",
            "W",
            "J/TH",
            "Cooling",
            "Price USD",
            "As of",
            "Spec source",
            "Price source",
        ],
        [
            [
                m.name,
                m.hashrate_ths,
                m.power_w,
                m.efficiency_j_per_th,
                m.cooling,
                m.price_usd,
                m.as_of or "",
                m.spec_source,
                m.price_source,
            ]
            for m in catalog.asics.values()
        ],
    )
    r = write_table(
        ws,
        fmt,
        r + 1,
        [
            "Server",
            "GPUs",
            "Max kW",
            "Typical kW",
            "",
            "Price USD",
            "As of",
            "Spec source",
            "Price source",
        ],
        [
            [
                g.name,
                g.gpus,
                g.max_power_kw,
                g.typical_power_kw,
                "",
                g.price_usd,
                g.as_of or "",
                g.spec_source,
                g.price_source,
            ]
            for g in catalog.gpu_servers.values()
        ],
    )
    ws.write_string(
        r + 1, 0, "Every input's meaning and source is on the Inputs sheet.", fmt["note"]
    )
