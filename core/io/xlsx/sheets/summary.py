"""The Summary sheet of the board workbook: each strategy's KPIs as formulas over its sheet, and
native charts. The Checks and Sources sheets are in ``checks``."""

from __future__ import annotations

from datetime import date
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from core.engine.evaluation import ProjectResult, baseline_name
from core.engine.goalseek import GoalSeek
from core.io.buildinfo import build_info
from core.io.xlsx.rows import FIRST_COL, StrategySheet, add_named_series
from core.model.format import NOT_MEANINGFUL, no_payback, not_meaningful
from core.model.project import Project

KPI_ROWS = [
    ("npv", "NPV", "$ M"),
    ("irr", "IRR", "% p.a. effective"),
    ("payback", "Payback", "months"),
    ("dpayback", "Discounted payback", "months"),
    ("peak", "Peak funding need", "$ M"),
    ("probability", "AI contract probability", "%"),
    ("weighted", "Probability-weighted NPV", "$ M"),
    ("inc_npv", "NPV added over the baseline strategy", "$ M"),
    ("inc_weighted", "NPV added over the baseline, probability-weighted", "$ M"),
    ("be_power", "Break-even power price (engine goal seek)", "USD/MWh"),
    ("be_btc", "Break-even BTC price (engine goal seek)", "USD/BTC"),
    (
        "ai_price",
        "Required AI price for the target IRR (engine goal seek)",
        "USD/kW-month or USD/GPU-hour",
    ),
    ("equity_npv", "Equity NPV (at the cost of equity; the NPV without debt)", "$ M"),
    ("equity_irr", "Equity IRR (the IRR without debt)", "% p.a. effective"),
    ("min_dscr", "Minimum DSCR (over every repayment month)", "×"),
    ("balloon", "Debt owed at the horizon end (balloon, repaid then)", "$ M"),
    ("inc_irr", "IRR of what it adds over the baseline", "% p.a. effective"),
    ("inc_payback", "Payback of what it adds over the baseline", "months"),
    ("tv_share", "Terminal value's share of NPV (its present value ÷ NPV)", "%"),
]
CHECKED = ("npv", "irr", "payback", "dpayback", "peak", "weighted")
RATES = ("irr", "equity_irr")  # shown as percentages on the Checks sheet
AXIS_MONEY_M = '"$"#,##0,," M";"\u2212$"#,##0,," M";"$0"'  # chart axes in $ million


def annual_irr(values: str) -> str:
    """The annual IRR of monthly ``values`` as the app finds it (Newton from IrrGuess), "n/m"
    above IrrCeiling and "none" where Excel finds no root."""
    rate = f"((1+IRR({values},IrrGuess))^12-1)"
    return f'IFERROR(IF({rate}>IrrCeiling,"n/m",{rate}),"none")'


def irr_cell(sheet: StrategySheet, flows: str, cumulative: str) -> str:
    """The IRR formula of row ``flows``: "n/m" where row ``cumulative`` never dips below zero
    (nothing to recover), else ``annual_irr``."""
    return f'=IF({_no_investment(sheet, cumulative)},"n/m",{annual_irr(sheet.ref(flows))})'


def shown_irr(value: float | None, note: str) -> float | str:
    """An IRR as the workbook shows it: the rate, "n/m" or "none" (``annual_irr``)."""
    if value is not None:
        return value
    return NOT_MEANINGFUL if not_meaningful(note) else "none"


def _no_investment(sheet: StrategySheet, key: str = "cumulative_fcf_usd") -> str:
    """True where the cumulative free cash flow never goes below zero: nothing to recover."""
    return f"MIN({sheet.ref(key)})>=0"


def _payback_formula(sheet: StrategySheet, key: str, cumulative: str = "cumulative_fcf_usd") -> str:
    """Months until the cumulative row turns ≥ 0 for good: 1-based index of its last negative
    month, 0 if it never dips, "never" if it ends negative, "n/m" where there is no investment
    (SUMPRODUCT evaluates the array in Excel and LibreOffice alike)."""
    return (
        f'=IF({_no_investment(sheet, cumulative)},"n/m",IF({sheet.last(key)}<0,"never",'
        f"SUMPRODUCT(MAX(({sheet.ref(key)}<0)*({sheet.ref('idx')}+1)))))"
    )


def shown_months(value: int | None, note: str) -> int | str:
    """A payback as the workbook shows it: months, "n/m" or "never"."""
    return value if value is not None else no_payback(note)


def write_summary(
    wb,
    ws,
    fmt: dict,
    project: Project,
    result: ProjectResult,
    seeks: dict[str, GoalSeek],
    sheets: list[StrategySheet],
    names: dict[str, str],
    today: date,
    digest: str = "",
) -> dict[tuple[int, str], tuple[str, Any]]:
    """The KPIs of every strategy as formulas of the strategy sheets, with the app's values
    cached; ``digest``: the SHA-256 of the project as exported (its first 16 digits), and whether it
    has unsaved changes."""
    ws.hide_gridlines(2)
    ws.set_landscape()
    ws.fit_to_pages(1, 1)
    ws.set_paper(9)  # A4
    ws.set_column(0, 0, 46)
    ws.set_column(1, 1, 30)  # units whole: "USD/kW-month or USD/GPU-hour"
    ws.set_column(2, 1 + 2 * len(sheets), 21)
    ws.write_string(0, 0, "MinePivot feasibility summary", fmt["title"])
    ws.write_string(1, 0, "Project")
    ws.write_string(1, 1, project.name)
    ws.write_string(2, 0, "Exported")
    ws.write_string(2, 1, today.isoformat())
    ws.write_string(2, 2, f"MinePivot {build_info().version}; project SHA-256 {digest}")
    ws.write_string(3, 0, "Market inputs as of")
    ws.write_string(3, 1, project.market.as_of)
    ws.write_string(4, 0, "Horizon")
    ws.write_string(4, 1, f"{result.months[0]} to {result.months[-1]}")
    ws.write_string(5, 0, "Integrity checks (hold for any inputs)")
    ws.write_string(6, 0, "Matches MinePivot at export")
    top = 7
    ws.write_string(top, 0, "KPI", fmt["header"])
    ws.write_string(top, 1, "Unit", fmt["header"])
    for c, s in enumerate(result.strategies):
        ws.write_string(top, 2 + c, s.name, fmt["header_right"])
    cells: dict[tuple[int, str], tuple[str, Any]] = {}
    by_name = {s.name: i for i, s in enumerate(result.strategies)}
    for r, (_key, label, unit) in enumerate(KPI_ROWS):
        ws.write_string(top + 1 + r, 0, label)
        ws.write_string(top + 1 + r, 1, unit, fmt["unit"])
    for c, (s, sheet) in enumerate(zip(result.strategies, sheets, strict=True)):
        k, col = s.kpis, 2 + c
        row = {key: top + 1 + r for r, (key, _l, _u) in enumerate(KPI_ROWS)}

        def put(
            key: str, formula: str, value: Any, style: str = "kpi", col=col, row=row, c=c
        ) -> None:
            ws.write_formula(row[key], col, formula, fmt[style], value)
            cells[(c, key)] = (f"Summary!{xl_rowcol_to_cell(row[key], col, True, True)}", value)

        put(
            "npv",
            f"=SUMPRODUCT({sheet.ref('fcf_usd')},{sheet.ref('discount_factor')})",
            k.npv_usd,
            "kpi_money",
        )
        put(
            "irr",
            irr_cell(sheet, "fcf_usd", "cumulative_fcf_usd"),
            shown_irr(k.irr, k.irr_note),
            "kpi_pct",
        )
        put(
            "payback",
            _payback_formula(sheet, "cumulative_fcf_usd"),
            shown_months(k.payback_months, k.payback_note),
        )
        put(
            "dpayback",
            _payback_formula(sheet, "cumulative_discounted_fcf_usd"),
            shown_months(k.discounted_payback_months, k.discounted_payback_note),
        )
        for key, note in (
            ("irr", k.irr_note),
            ("payback", k.payback_note),
            ("dpayback", k.discounted_payback_note),
        ):
            if not_meaningful(note):
                ws.write_comment(row[key], col, note)
        put(
            "peak",
            f"=MAX(0,-MIN({sheet.ref('cumulative_fcf_usd')}))",
            k.peak_funding_usd,
            "kpi_money",
        )
        strategy = project.strategies[c]
        p_ref = names[f"strategies[{c}].contract_probability_pct"]
        put("probability", f"={p_ref}", k.contract_probability_pct / 100, "kpi_pct")
        fb = by_name.get(strategy.fallback_strategy or "")
        npv_cell = xl_rowcol_to_cell(row["npv"], col)
        signing = strategy.signing_month()
        if fb is not None and signing is not None:
            fb_cell = xl_rowcol_to_cell(row["npv"], 2 + fb)
            p_cell = xl_rowcol_to_cell(row["probability"], col)
            month = names[f"strategies[{c}].contract_signing_month"]
            # Until the signing month the strategy runs as its fallback.
            before = (
                f"SUMPRODUCT(({sheet.ref('idx')}<{month})*({sheets[fb].ref('fcf_usd')}"
                f"-{sheet.ref('fcf_usd')})*{sheet.ref('discount_factor')})"
            )
            formula = f"={p_cell}*{npv_cell}+(1-{p_cell})*{fb_cell}+{p_cell}*{before}"
        else:
            formula = f"={npv_cell}"
        put("weighted", formula, k.probability_weighted_npv_usd, "kpi_money")
        base = by_name.get(baseline_name(project), 0)
        if s.incremental is not None and base != c:
            put(
                "inc_npv",
                f"={npv_cell}-{xl_rowcol_to_cell(row['npv'], 2 + base)}",
                s.incremental.npv_usd,
                "kpi_money",
            )
        else:
            ws.write_string(row["inc_npv"], col, "baseline", fmt["unit"])
        weighted_gain = s.incremental.weighted_npv_usd if s.incremental is not None else None
        if weighted_gain is not None and base != c:
            put(
                "inc_weighted",
                f"={xl_rowcol_to_cell(row['weighted'], col)}"
                f"-{xl_rowcol_to_cell(row['weighted'], 2 + base)}",
                weighted_gain,
                "kpi_money",
            )
        else:
            ws.write_string(
                row["inc_weighted"],
                col,
                "baseline" if base == c else "contract certain",
                fmt["unit"],
            )
        g = seeks.get(s.name)
        for key, attr in (
            ("be_power", "breakeven_power"),
            ("be_btc", "breakeven_btc"),
            ("ai_price", "required_ai_price"),
        ):
            solved = getattr(g, attr) if g else None
            if solved is None or solved.value is None:
                ws.write_string(row[key], col, "—", fmt["unit"])
            else:
                ws.write_number(row[key], col, solved.value, fmt["imported_2dp"])
            if solved is not None:
                ws.write_comment(
                    row[key],
                    col,
                    (f"{solved.value:,.2f} {solved.unit}: " if solved.value is not None else "")
                    + solved.note,
                )
        _equity_kpis(put, ws, fmt, row, col, sheet, s, project.strategies[c].financing)
        inc = s.incremental
        if inc is not None and "inc_fcf" in sheet.rows:
            put(
                "inc_irr",
                irr_cell(sheet, "inc_fcf", "inc_cum"),
                shown_irr(inc.irr, inc.irr_note),
                "kpi_pct",
            )
            put(
                "inc_payback",
                _payback_formula(sheet, "inc_cum", "inc_cum"),
                shown_months(inc.payback_months, inc.payback_note),
            )
        else:
            ws.write_string(row["inc_irr"], col, "baseline", fmt["unit"])
            ws.write_string(row["inc_payback"], col, "baseline", fmt["unit"])
        share = k.terminal_value_share_of_npv
        put(
            "tv_share",
            f"=IF({npv_cell}>0,SUMPRODUCT({sheet.ref('terminal_value_usd')},"
            f'{sheet.ref("discount_factor")})/{npv_cell},"n/m")',
            share if share is not None else "n/m",
            "kpi_pct",
        )
    warn_row = top + len(KPI_ROWS) + 1
    ws.write_string(warn_row, 0, "Warnings")
    for c, s in enumerate(result.strategies):
        ws.write_string(warn_row, 2 + c, "; ".join(s.warnings) or "none", fmt["note"])
    _charts(wb, ws, fmt, result, sheets, top + len(KPI_ROWS) + 3)
    return cells


def _equity_kpis(put, ws, fmt, row, col, sheet: StrategySheet, s, financing) -> None:
    """Equity NPV, equity IRR and minimum DSCR from the sheet's equity and DSCR rows; without
    debt, the project's NPV and IRR and no DSCR."""
    k = s.kpis
    if financing is None or k.max_debt_usd <= 0:
        put("equity_npv", f"={xl_rowcol_to_cell(row['npv'], col)}", k.equity_npv_usd, "kpi_money")
        irr = shown_irr(k.irr, k.irr_note)
        put("equity_irr", f"={xl_rowcol_to_cell(row['irr'], col)}", irr, "kpi_pct")
        ws.write_string(row["min_dscr"], col, "—", fmt["unit"])
        ws.write_string(row["balloon"], col, "—", fmt["unit"])
        return
    discount = f"(1+CostOfEquity)^(-{sheet.ref('idx')}/12)"
    put(
        "equity_npv",
        f"=SUMPRODUCT({sheet.ref('equity_fcf_usd')},{discount})",
        k.equity_npv_usd,
        "kpi_money",
    )
    put(
        "equity_irr",
        irr_cell(sheet, "equity_fcf_usd", "cumulative_equity_fcf_usd"),
        shown_irr(k.equity_irr, k.equity_irr_note),
        "kpi_pct",
    )
    # Every month with interest paid or principal scheduled, a negative DSCR too.
    dscr, paid, due = sheet.ref("dscr"), sheet.ref("interest_paid_usd"), sheet.ref("fin_scheduled")
    lowest = ",".join(
        f'IF(COUNTIF({x},">0"),_xlfn.MINIFS({dscr},{x},">0"),1E+300)' for x in (paid, due)
    )
    put(
        "min_dscr",
        f'=IF(COUNTIF({paid},">0")+COUNTIF({due},">0")=0,"—",MIN({lowest}))',
        k.min_dscr if k.min_dscr is not None else "—",
        "kpi",
    )
    put("balloon", f"={sheet.last('balloon_usd')}", k.balloon_usd, "kpi_money")


def _charts(
    wb, ws, fmt: dict, result: ProjectResult, sheets: list[StrategySheet], first_row: int
) -> None:
    line = wb.add_chart({"type": "line"})
    for s in sheets:
        r = s.rows["cumulative_fcf_usd"] + 1
        d = s.rows["date"] + 1
        last = FIRST_COL + s.n - 1
        add_named_series(
            line,
            s.name,
            {
                "categories": [s.name, d - 1, FIRST_COL, d - 1, last],
                "values": [s.name, r - 1, FIRST_COL, r - 1, last],
                "line": {"width": 2},
            },
        )
    line.set_title({"name": "Cumulative free cash flow ($ M)"})
    line.set_x_axis(
        {
            "date_axis": True,
            "num_format": "yyyy",
            "major_unit": 12,
            "major_unit_type": "months",
            "label_position": "low",  # years below the plot, not on the zero line
        }
    )
    line.set_y_axis({"num_format": AXIS_MONEY_M})
    line.set_legend({"position": "bottom"})
    line.set_size({"width": 720, "height": 340})
    ws.insert_chart(first_row, 0, line)
    # Annual revenue and cost per strategy, summed from the strategy sheets by year.
    years = sorted({m // 12 for m in range(len(result.months))})
    top = first_row + 19
    ws.write_string(top, 0, "Annual revenue and operating cost (USD)", fmt["section"])
    ws.write_string(top + 1, 0, "Year", fmt["header"])
    col = 1
    series = []
    for s, sr in zip(sheets, result.strategies, strict=True):
        for what, rows in (
            ("revenue", ["revenue_total_usd"]),
            ("cost", ["energy_cost_usd", "demand_charge_usd", "fourcp_charge_usd", "opex_usd"]),
        ):
            ws.write_string(top + 1, col, f"{s.name}: {what}", fmt["header"])
            for k, y in enumerate(years):
                ycell = xl_rowcol_to_cell(top + 2 + k, 0)  # 1-based year; the row is 0-based
                parts = [f"SUMIF({s.ref('year')},{ycell}-1,{s.ref(r)})" for r in rows]
                value = sum(float(sr.monthly[r][y * 12 : (y + 1) * 12].sum()) for r in rows)
                ws.write_formula(top + 2 + k, col, "=" + "+".join(parts), fmt["num"], value)
            series.append((f"{s.name}: {what}", col))
            col += 1
    for k, y in enumerate(years):
        ws.write_number(top + 2 + k, 0, y + 1, fmt["int"])
    bars = wb.add_chart({"type": "column"})
    for name, c in series:
        add_named_series(
            bars,
            name,
            {
                "categories": ["Summary", top + 2, 0, top + 1 + len(years), 0],
                "values": ["Summary", top + 2, c, top + 1 + len(years), c],
            },
        )
    bars.set_title({"name": "Annual revenue vs operating cost ($ M)"})
    bars.set_x_axis({"name": "Year of the horizon", "label_position": "low"})
    bars.set_y_axis({"num_format": AXIS_MONEY_M})
    bars.set_legend({"position": "bottom"})
    bars.set_size({"width": 720, "height": 340})
    ws.insert_chart(first_row, 6, bars)
