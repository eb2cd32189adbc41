"""The board workbook: Summary, Inputs, one FAST sheet per strategy, Checks, Sources.

Formulas are live and carry the engine's value as their cached result, so viewers that do not
recalculate still show numbers. User text is always written as text (never as a formula).
The file is written to a temporary file and renamed, so a failed export leaves any existing
file untouched.
"""

from __future__ import annotations

import hashlib
import io
import os
from datetime import date
from pathlib import Path
from typing import Any

import xlsxwriter

from core.engine.evaluation import ProjectResult, baseline_name, evaluate
from core.engine.goalseek import GoalSeek, goal_seek
from core.io.atomicfile import atomic_write_bytes, cannot_write, write_target
from core.io.projectfile import project_to_json
from core.io.xlsx.formulas import FormulaLog, named_input_style
from core.io.xlsx.hourly import write_calls, write_market
from core.io.xlsx.prices import write_prices
from core.io.xlsx.rows import StrategySheet
from core.io.xlsx.sheets.checks import write_checks, write_sources
from core.io.xlsx.sheets.inputs import write_inputs
from core.io.xlsx.sheets.layout import planned_count, write_layout
from core.io.xlsx.sheets.risk import write_risk
from core.io.xlsx.sheets.strategy import write_strategy_sheet
from core.io.xlsx.sheets.summary import write_summary
from core.model.catalog import catalog_for
from core.model.project import (
    Project,
)
from core.risk.sensitivity import RiskAnalysis
from core.tasks import QUIET, TaskState

INPUT_STYLE = {
    "bg_color": "#FFCC99",
    "font_color": "#3F3F76",
    "border": 1,
    "border_color": "#7F7F7F",
    "locked": False,  # the sheets are protected (no password): inputs stay editable
}  # the look of Excel's built-in "Input" cell style, which these cells are named as
# (core.io.xlsx.formulas)
IMPORTED_STYLE = {"bg_color": "#DDEBF7", "font_color": "#1F4E79"}
FIXED_STYLE = {"bg_color": "#EDEDED", "font_color": "#404040"}  # set in MinePivot
# Characters Excel refuses in a sheet name, and control characters (a tab in a sheet name
# breaks every formula that refers to it once recalculated), become "_" or go.
BAD_SHEET_CHARS = str.maketrans(
    {c: "_" for c in "[]:*?/\\"} | {chr(c): None for c in (*range(32), 127)}
)


MONEY_M = '"$"#,##0.0,," M";"\u2212$"#,##0.0,," M";"$0.0 M"'
# What a protected sheet still lets a reader do: select, resize and format, but not change a
# formula (Review → Unprotect Sheet, no password, lifts it).
PROTECTION = {
    "select_locked_cells": True,
    "select_unlocked_cells": True,
    "format_cells": True,
    "format_columns": True,
    "format_rows": True,
}


class ExportError(Exception):
    """The workbook could not be written; the message says why and where."""


def formats(wb: xlsxwriter.Workbook) -> dict[str, Any]:
    num = "#,##0;[Red]-#,##0"
    f = {
        "title": {"bold": True, "font_size": 14},
        "section": {"bold": True, "font_color": "#1F4E79"},
        "header": {"bold": True, "bottom": 1, "bg_color": "#F2F2F2"},
        # Above a column of figures: on their right edge, as the figures are.
        "header_right": {"bold": True, "bottom": 1, "bg_color": "#F2F2F2", "align": "right"},
        "label": {},
        "unit": {"font_color": "#595959"},
        "note": {"italic": True, "font_color": "#595959"},
        "top": {"valign": "top"},
        "note_wrap": {"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"},
        "num": {"num_format": num},
        "num2": {"num_format": "#,##0.00"},
        "int": {"num_format": "0"},
        "bold": {"num_format": num, "bold": True},
        "total": {"num_format": num, "bold": True},
        "factor": {"num_format": "0.000000"},
        "factor2": {"num_format": "0.00"},
        "area": {"num_format": "#,##0"},
        "pct": {"num_format": "0.00%"},
        "date": {"num_format": "mmm yyyy", "bold": True, "bottom": 1},
        "imported": {"num_format": num, **IMPORTED_STYLE},
        "imported_int": {"num_format": "0", **IMPORTED_STYLE},
        "imported_2dp": {"num_format": "#,##0.00", **IMPORTED_STYLE},
        "input": {"num_format": "#,##0.######", **INPUT_STYLE},
        "input_pct": {"num_format": "0.00%", **INPUT_STYLE},
        "input_text": {**INPUT_STYLE},
        "fixed": {"num_format": "#,##0.######", **FIXED_STYLE},
        "fixed_pct": {"num_format": "0.00%", **FIXED_STYLE},
        "fixed_text": {**FIXED_STYLE},
        "kpi": {"num_format": "#,##0;[Red]-#,##0", "align": "right"},
        "kpi_pct": {"num_format": "0.0%", "align": "right"},
        # Money as the app writes it: $ million, one decimal, a real minus sign (U+2212).
        "kpi_money": {"num_format": MONEY_M, "align": "right"},
        "ok": {"bold": True, "font_color": "#2E7D32"},
    }
    return {k: wb.add_format(v) for k, v in f.items()}


SHEET_NAME_UNITS = 31  # Excel's limit, counted in UTF-16 code units (an emoji takes two)


def utf16_cut(text: str, units: int) -> str:
    """The longest start of ``text`` that takes at most ``units`` UTF-16 code units (a
    character beyond the Basic Multilingual Plane takes two, and is never split)."""
    used = 0
    for i, c in enumerate(text):
        used += 2 if ord(c) > 0xFFFF else 1
        if used > units:
            return text[:i]
    return text


def _sheet_names(project: Project) -> list[str]:
    """One sheet name per strategy, unique (as Excel compares them) and within Excel's rules:
    no []:*?/\\ or control characters, no apostrophe at either end, at most 31 UTF-16 units."""
    taken = {"summary", "inputs", "checks", "sources", "risk", "layout", "history"}
    out = []
    for s in project.strategies:
        clean = s.name.translate(BAD_SHEET_CHARS).strip("'")
        base = utf16_cut(clean, SHEET_NAME_UNITS - 3).strip("'") or "Strategy"
        name, k = base, 2
        while name.lower() in taken:
            name, k = f"{utf16_cut(base, SHEET_NAME_UNITS - 6)} ({k})", k + 1  # room for " (99)"
        taken.add(name.lower())
        out.append(name)
    return out


def export_workbook(
    project: Project,
    path: str | os.PathLike[str],
    result: ProjectResult | None = None,
    seeks: dict[str, GoalSeek] | None = None,
    today: date | None = None,
    risk: RiskAnalysis | None = None,
    unsaved: bool = False,
    state: TaskState = QUIET,
) -> Path:
    """Write the board workbook to ``path`` (atomically). Raises ExportError with the reason.
    With ``risk`` (computed on this same project), the workbook gains a Risk sheet.
    ``unsaved``: the project is not the saved file (the desktop's unsaved changes), which the
    Summary says beside its SHA-256. ``state`` hears the progress and may stop the export
    (``core.tasks.Cancelled``) until the file is written: nothing is then written."""
    path = Path(path)
    if risk is not None and risk.project != project:
        raise ExportError("the risk results are for other inputs; run the risk analysis again")
    result = result or evaluate(project)
    if seeks is None:
        seeks = {s.name: goal_seek(project, s) for s in project.strategies}
    try:
        write_target(path)  # a folder or a link loop is refused before the work
    except OSError as exc:
        raise ExportError(cannot_write(path, exc)) from None
    operated = result.project or project  # "auto" retirements as the app chose them
    digest = hashlib.sha256(project_to_json(project).encode()).hexdigest()  # as entered
    digest = f"{digest[:16]}…" + (", unsaved changes" if unsaved else "")
    # Built in memory (XlsxWriter's temporaries would otherwise go to the system's temp
    # folder, and stay there when the disk fills), then written in one atomic step.
    buffer = io.BytesIO()
    try:
        _write(operated, result, seeks, buffer, today or date.today(), risk, digest, state)
    except OSError as exc:  # nothing is written to disk yet: the target is untouched
        raise ExportError(cannot_write(path, exc)) from None
    data = buffer.getvalue()
    state.step(0.98, "Writing the file")  # the last moment a stop leaves no file behind
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise ExportError(cannot_write(path, exc, len(data))) from None
    return path


def _write(
    project: Project,
    result: ProjectResult,
    seeks: dict[str, GoalSeek],
    out: io.BytesIO,
    today: date,
    risk: RiskAnalysis | None,
    digest: str = "",
    state: TaskState = QUIET,
) -> None:
    catalog = catalog_for(project)
    state.progress(0.0, "Inputs")
    wb = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "nan_inf_to_errors": True,
        },
    )
    wb.set_properties(
        {
            "title": project.name,
            "subject": "MinePivot feasibility workbook",
            "comments": "Formulas carry the app's values as cached results.",
        }
    )
    formulas = FormulaLog(wb)  # which input cells the formulas read, for ``set_apart``
    fmt = formats(wb)
    summary = wb.add_worksheet("Summary")
    names, block_paths, inputs = write_inputs(wb, fmt, project, catalog)
    state.step(0.05, "Prices")
    prices = write_prices(wb, fmt, project, names, catalog)
    state.step(0.15, "Market")
    market = write_market(wb, fmt, project, prices, names, result.months)
    # The sheets in the project's order; the baseline's is written first, so that the others
    # can refer to its rows (what each adds over it).
    sheet_names = _sheet_names(project)
    worksheets = [wb.add_worksheet(name) for name in sheet_names]
    base_i = next(
        (i for i, s in enumerate(project.strategies) if s.name == baseline_name(project)), 0
    )
    written: dict[int, StrategySheet] = {}
    order = [base_i, *(k for k in range(len(sheet_names)) if k != base_i)]
    for done, i in enumerate(order):
        s = project.strategies[i]
        state.step(0.2 + 0.4 * done / len(order), s.name)
        paths = {j: block_paths[(i, j)] for j in range(len(s.blocks))}
        base = None
        if i != base_i:
            base = (written[base_i], result.strategies[base_i].monthly["fcf_usd"])
        written[i] = write_strategy_sheet(
            worksheets[i],
            fmt,
            project,
            s,
            result.strategies[i],
            names,
            catalog,
            result.months,
            paths,
            f"strategies[{i}].financing",
            prices,
            market,
            base,
        )
    sheets = [written[i] for i in range(len(sheet_names))]
    state.step(0.6, "Summary and checks")
    if prices.by_load:
        write_calls(wb, fmt, project, prices, market, sheets, names)
    kpi_cells = write_summary(
        wb, summary, fmt, project, result, seeks, sheets, names, today, digest
    )
    later = planned_count(project)
    checks = write_checks(wb, fmt, project, result, kpi_cells, sheets, summary, later)
    if risk is not None:
        write_risk(wb, fmt, risk)
    if later:
        write_layout(wb, fmt, project, names, checks)
    write_sources(wb, fmt, project, catalog)
    inputs.set_apart(formulas.live_cells("Inputs"))
    for ws in wb.worksheets():  # formulas cannot be typed over by accident; no password
        ws.protect("", PROTECTION)
    state.step(0.65, "Assembling the workbook")
    with named_input_style([fmt["input"], fmt["input_pct"], fmt["input_text"]]):
        wb.close()
