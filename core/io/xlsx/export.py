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
from xlsxwriter.utility import xl_col_to_name

from core.engine.blocks.kinds import is_hosted, mines, owns_gpus
from core.engine.blocks.mining import mining_end
from core.engine.evaluation import ProjectResult, baseline_name, evaluate
from core.engine.finance import IRR_CEILING, IRR_GUESS_MONTHLY
from core.engine.goalseek import GoalSeek, goal_seek
from core.io.atomicfile import atomic_write_bytes, cannot_write, write_target
from core.io.projectfile import project_to_json
from core.io.xlsx.formulas import FormulaLog, named_input_style
from core.io.xlsx.hourly import write_calls, write_market
from core.io.xlsx.layout import planned_count, write_layout
from core.io.xlsx.prices import MATRIX_COL, write_prices
from core.io.xlsx.risk import write_risk
from core.io.xlsx.rows import StrategySheet
from core.io.xlsx.strategy import write_strategy_sheet
from core.io.xlsx.summary import write_checks, write_sources, write_summary
from core.model import block_labels
from core.model import labels as spec
from core.model.catalog import Catalog, catalog_for
from core.model.paths import get_attr_path, has_path
from core.model.project import (
    HourlySeriesPrice,
    Project,
    TimeOfUsePrice,
)
from core.plan.layout import plan_counts
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
FIXED_NOTE = "Set in MinePivot: re-export to change. "
# Set apart whatever the formulas read: the workbook's shape follows them (its months, its
# price series), so a change here would not be honoured.
STRUCTURAL = {"finance.horizon_years", "finance.start_month", "price.kind", "price.source"}
NAMES = {
    "finance.discount_rate_pct_per_year": "DiscountRate",
    "finance.tax_rate_pct": "TaxRate",
    "finance.terminal_growth_pct_per_year": "TerminalGrowth",
    "finance.cost_of_equity_pct_per_year": "CostOfEquity",
    "site.fixed_opex_usd_per_year": "FixedOpex",
    "site.opex_escalator_pct_per_year": "OpexEscalator",
}
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


TIP_COL = 4  # the Inputs sheet: label, value, unit, Field (the project-file path), meaning
TIP_WIDTH = 80  # its width, in characters
TIP_CHARS_PER_LINE = 100  # italic text a line of it holds (~1.3 per character width), with room


class _Inputs:
    def __init__(self, wb, fmt, project: Project):
        self.ws = wb.add_worksheet("Inputs")
        self.wb, self.fmt, self.row, self.project = wb, fmt, 2, project
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}
        # Counts a floor plan sets (its linked racks): the file's loader recounts them, so a
        # typed count would not be the app's.
        self.from_plans: set[str] = set()
        # Every value cell written input-styled: (row, column, value, unit, tip, path); the
        # ones no formula reads are set apart once the workbook is written (``set_apart``).
        self.cells: list[tuple[int, int, Any, str, str, str]] = []
        self.ws.set_column(0, 0, 40)
        self.ws.set_column(1, 1, 18)
        self.ws.set_column(2, 2, 14)
        self.ws.set_column(3, 3, 40)
        # The meaning and source wraps in a column a printed page holds beside the rest.
        self.ws.set_column(TIP_COL, TIP_COL, TIP_WIDTH, fmt["note_wrap"])
        self.ws.write_string(0, 0, "Inputs", fmt["title"])
        # Printed one page wide (label, value, unit, field, meaning), the group headings on
        # top of their rows; the price matrix and yearly tables to the right are for the
        # screen (the header says so).
        self.ws.set_landscape()
        self.ws.set_paper(9)
        self.ws.fit_to_pages(1, 0)
        self.ws.set_header(
            "&L&8Inputs&R&8Time-of-use prices and yearly tables, when the project has them, "
            "sit right of the printed columns (column F on): see them on screen."
        )

    def tip(self, r: int, text: str) -> None:
        """Row ``r``'s meaning and source, wrapped in its column; the row is as tall as the
        lines it takes (spreadsheets do not grow a written row to its wrapped text)."""
        self.ws.write_string(r, TIP_COL, text, self.fmt["note_wrap"])
        lines = max(1, -(-len(text) // TIP_CHARS_PER_LINE))
        if lines > 1:  # its label at the top, beside the text's first line
            self.ws.set_row(r, 15 * lines, self.fmt["top"])

    def group(self, title: str) -> None:
        self.row += 1
        for c, h in enumerate((title, "Value", "Unit", "Field", "Meaning and source")):
            self.ws.write_string(self.row, c, h, self.fmt["header"])
        self.row += 1

    def value(self, r: int, c: int, value: Any, unit: str, fixed: bool = False) -> None:
        ws, fmt = self.ws, self.fmt
        kind = "fixed" if fixed else "input"
        pct = "%" in unit
        if isinstance(value, bool):
            ws.write_boolean(r, c, value, fmt[f"{kind}_text"])
        elif isinstance(value, int | float):
            shown = value / 100 if pct else value
            ws.write_number(r, c, shown, fmt[f"{kind}_pct"] if pct else fmt[kind])
        elif value is None:
            ws.write_blank(r, c, None, fmt[f"{kind}_text"])
        else:
            ws.write_string(r, c, str(value), fmt[f"{kind}_text"])

    def put(
        self,
        path: str,
        label: str,
        value: Any,
        unit: str = "",
        tip: str = "",
        field: str = "",
        structural: bool = False,
    ) -> None:
        """One input row. ``field``: its project-file path where ``path`` is not one;
        ``structural``: set in MinePivot (the catalog, the horizon) even where formulas read
        it."""
        ws, r, fmt = self.ws, self.row, self.fmt
        ws.write_string(r, 0, label)
        field = field or (path if has_path(self.project, path) else "")
        fixed = structural or path in STRUCTURAL or path in self.from_plans
        if path in self.from_plans:
            tip = "Set by the strategy's floor plan (its linked racks) in MinePivot. " + tip
        self.value(r, 1, value, unit, fixed)
        if not fixed:
            self.cells.append((r, 1, value, unit, tip, path))
        ws.write_string(r, 2, unit, fmt["unit"])
        ws.write_string(r, 3, field, fmt["unit"])
        self.tip(r, FIXED_NOTE + tip if fixed else tip)
        ref = f"Inputs!$B${r + 1}"
        self.names[path] = ref
        self.values[path] = value
        if path in NAMES:
            self.wb.define_name(NAMES[path], "=" + ref)
        self.row += 1

    def rows(self, obj: Any, prefix: str, specs: list[tuple]) -> None:
        for row in specs:
            rel, label, unit, tip = row[:4]
            self.put(prefix + rel, label, get_attr_path(obj, rel), unit, tip)

    def set_apart(self, live: set[tuple[int, int]]) -> None:
        """Input cells no formula reads: restyled as set in MinePivot, their meaning saying
        so, and the sheet's note counting both kinds."""
        read = dead = 0
        for r, c, value, unit, tip, _path in self.cells:
            if (r, c) in live:
                read += 1
                continue
            dead += 1
            self.value(r, c, value, unit, fixed=True)
            if c == 1:
                self.tip(r, FIXED_NOTE + tip)
        self.ws.merge_range(  # across the printed columns, wrapped
            1,
            0,
            1,
            TIP_COL,
            f"Orange cells are live inputs (Excel's Input style): {read} of them drive the "
            "formulas, so a change recalculates the workbook. Grey cells "
            f"({dead} here, with the horizon, start month and price series) are set in "
            "MinePivot: re-export to change them. Field: each input's path in the project file.",
            self.fmt["note_wrap"],
        )
        self.ws.set_row(1, 30)


def write_inputs(
    wb, fmt, project: Project, catalog: Catalog
) -> tuple[dict[str, str], dict[tuple[int, int], str], _Inputs]:
    inp = _Inputs(wb, fmt, project)
    inp.group("Project")
    inp.put("name", "Project name", project.name)
    inp.put("notes", "Notes", project.notes)
    inp.group("Site")
    inp.rows(project.site, "site.", spec.SITE)
    inp.group("Power price")
    src = project.site.energy.price_source
    inp.put(
        "price.kind",
        "Price source",
        {"flat": "flat", "tou": "time of use (12 × 24)", "hourly": "imported hourly series"}[
            src.kind
        ],
        field="site.energy.price_source.kind",
    )
    if isinstance(src, HourlySeriesPrice):
        inp.put(
            "price.source",
            "Series",
            f"{src.source_name or 'imported'}: "
            f"{len(src.years_usd_per_mwh)} year(s) from {src.first_year}",
            field="site.energy.price_source.years_usd_per_mwh",
        )
    elif isinstance(src, TimeOfUsePrice):
        for mo, row in enumerate(src.matrix_usd_per_mwh):
            field = f"site.energy.price_source.matrix_usd_per_mwh[{mo}]"
            inp.put(
                f"price.tou.{mo}",
                f"Time of use, month {mo + 1} (hours 0–23 →)",
                None,
                "USD/MWh",
                field=field,
            )
            inp.cells.pop()  # the label row's blank value cell: the hours carry the prices
            inp.value(inp.row - 1, 1, None, "", fixed=True)
            for h, v in enumerate(row):
                inp.value(inp.row - 1, MATRIX_COL + h, v, "")
                inp.cells.append((inp.row - 1, MATRIX_COL + h, v, "", "", f"{field}[{h}]"))
    else:
        inp.put(
            "price.flat",
            "Flat price",
            src.price_usd_per_mwh,
            "USD/MWh",
            field="site.energy.price_source.price_usd_per_mwh",
        )
    if not isinstance(src, HourlySeriesPrice):
        spikes, at = src.spikes, "site.energy.price_source.spikes."
        inp.put(
            "price.spike_price",
            "Scarcity spike price",
            spikes.price_usd_per_mwh,
            "USD/MWh",
            "The price of each seeded spike hour (the Prices sheet's spike rows)",
            field=at + "price_usd_per_mwh",
        )
        inp.put(
            "price.spike_hours",
            "Scarcity spike hours",
            spikes.hours_per_year,
            "h/year",
            "Summer late afternoons, drawn with the seed below",
            field=at + "hours_per_year",
            structural=True,
        )
        inp.put(
            "price.spike_seed", "Spike seed", spikes.seed, "", field=at + "seed", structural=True
        )
    inp.rows(project.site.energy, "site.energy.", spec.ENERGY)
    inp.group("Demand response")
    inp.rows(project.site.demand_response, "site.demand_response.", spec.DEMAND_RESPONSE)
    inp.group("Bitcoin market")
    inp.rows(project.market, "market.", spec.MARKET)
    table = project.market.btc_price_by_year_usd
    if table:  # one cell a year, as the time-of-use hours: each is an input
        path = "market.btc_price_by_year_usd"
        r = int(inp.names[path].rsplit("$", 1)[1]) - 1
        inp.cells = [cell for cell in inp.cells if cell[5] != path]
        inp.value(r, 1, None, "", fixed=True)
        inp.ws.write_string(r, TIP_COL, "Years 1, 2, … of the horizon →", fmt["note"])
        for k, usd in enumerate(table):
            inp.value(r, MATRIX_COL + k, usd, "")
            inp.cells.append((r, MATRIX_COL + k, usd, "", "", f"{path}[{k}]"))
        first, last = xl_col_to_name(MATRIX_COL), xl_col_to_name(MATRIX_COL + len(table) - 1)
        wb.define_name("BtcPriceByYear", f"=Inputs!${first}${r + 1}:${last}${r + 1}")
    inp.group("Finance")
    inp.rows(project.finance, "finance.", spec.FINANCE)
    inp.put(
        "finance.monthly_rate",
        "Monthly discount rate",
        None,
        "%/month",
        "(1 + annual rate)^(1/12) − 1: every flow of month t sits at its start",
    )
    inp.ws.write_formula(
        inp.row - 1,
        1,
        "=(1+DiscountRate)^(1/12)-1",
        fmt["pct"],
        (1 + project.finance.discount_rate_pct_per_year / 100) ** (1 / 12) - 1,
    )
    wb.define_name("MonthlyRate", "=" + inp.names["finance.monthly_rate"])
    inp.put(
        "finance.irr_guess",
        "IRR start (Newton)",
        None,
        "%/month",
        "10 % a year as a monthly rate; where flows change sign more than once, several "
        "IRRs may exist and this start picks the one the app reports",
    )
    inp.ws.write_formula(inp.row - 1, 1, "=1.1^(1/12)-1", fmt["pct"], IRR_GUESS_MONTHLY)
    wb.define_name("IrrGuess", "=" + inp.names["finance.irr_guess"])
    inp.put(
        "finance.irr_ceiling",
        "IRR shown up to",
        None,
        "%/year",
        "a higher rate is n/m: too little money at risk for a rate to mean anything (NPV does)",
    )
    inp.ws.write_number(inp.row - 1, 1, IRR_CEILING, fmt["pct"])
    wb.define_name("IrrCeiling", "=" + inp.names["finance.irr_ceiling"])
    inp.put(
        "finance.horizon_months",
        "Horizon in months",
        project.finance.horizon_years * 12,
        "months",
        "The strategy sheets' month columns: month indices run from 0 to this less 1",
        structural=True,
    )
    wb.define_name("HorizonMonths", "=" + inp.names["finance.horizon_months"])
    n = project.finance.horizon_years * 12
    block_paths: dict[tuple[int, int], str] = {}
    for i, s in enumerate(project.strategies):
        inp.group(f"Strategy: {s.name}")
        inp.put(
            f"strategies[{i}].contract_probability_pct",
            "Contract probability",
            s.contract_probability_pct,
            "%",
            "Chance the AI contract is signed",
        )
        inp.put(f"strategies[{i}].fallback_strategy", "Fallback strategy", s.fallback_strategy)
        if s.signing_month() is not None:
            inp.put(
                f"strategies[{i}].contract_signing_month",
                "Contract signed in (month index)",
                s.signing_month(),
                "",
                "Until then the strategy runs as its fallback"
                + ("" if s.contract_signing_month is not None else " (its first conversion month)"),
            )
        if s.notes:
            inp.put(f"strategies[{i}].notes", "Notes", s.notes)
        if s.financing is not None:
            inp.rows(s.financing, f"strategies[{i}].financing.", block_labels.FINANCING)
        linked = plan_counts(project, s) if s.plans else {}
        for j, b in enumerate(s.blocks):
            p = f"strategies[{i}].blocks[{j}]"
            block_paths[(i, j)] = p
            if b.name in linked:
                inp.from_plans |= {p + ".asic_count", p + ".server_count", p + ".it_mw"}
            inp.ws.write_string(inp.row, 0, f"Block {j + 1}: {b.name}", fmt["section"])
            inp.row += 1
            if mines(b):
                inp.rows(b, p + ".", block_labels.block_rows(b))
                asic = catalog.asics[b.asic_model]
                inp.put(
                    p + ".asic_power_w",
                    "Miner power (catalog)",
                    asic.power_w,
                    "W",
                    asic.spec_source,
                    structural=True,
                )
                inp.put(
                    p + ".asic_hashrate_ths",
                    "Miner hashrate (catalog)",
                    asic.hashrate_ths,
                    "TH/s",
                    asic.spec_source,
                    structural=True,
                )
                if not is_hosted(b):  # a client's machines have no price here
                    _price_used(
                        inp, fmt, p, ".asic_unit_price_usd", asic.price_usd, asic.price_source
                    )
                inp.put(
                    p + ".end_month_or_horizon",
                    "Active until month",
                    mining_end(b, n),
                    "month #",
                    "The end month, the retirement month (chosen by MinePivot where retire is "
                    "auto) or the horizon, whichever comes first; the miners are sold then",
                )
            else:
                inp.rows(b, p + ".", block_labels.block_rows(b))
                if owns_gpus(b):
                    server = catalog.gpu_servers[b.gpu_server_model]
                    inp.put(
                        p + ".gpus_per_server",
                        "GPUs per server (catalog)",
                        server.gpus,
                        "",
                        server.spec_source,
                    )
                    _price_used(
                        inp, fmt, p, ".server_unit_price_usd", server.price_usd, server.price_source
                    )
                    inp.put(
                        p + ".server_decline_used",
                        "Server price decline used",
                        None,
                        "%/year",
                        "Empty above: the GPU-hour price decline",
                    )
                    own = inp.names[p + ".server_price_decline_pct_per_year"]
                    rental = inp.names[p + ".gpu_price_decline_pct_per_year"]
                    decline = b.server_price_decline_pct_per_year
                    inp.ws.write_formula(
                        inp.row - 1,
                        1,
                        f"=IF(ISNUMBER({own}),{own},{rental})",
                        fmt["pct"],
                        (b.gpu_price_decline_pct_per_year if decline is None else decline) / 100,
                    )
                    inp.put(
                        p + ".it_mw_used",
                        "IT load",
                        None,
                        "MW",
                        "servers × typical kW (catalog) / 1000",
                    )
                    inp.ws.write_formula(
                        inp.row - 1,
                        1,
                        f"={inp.names[p + '.server_count']}*{server.typical_power_kw}/1000",
                        fmt["num"],
                        b.server_count * server.typical_power_kw / 1000,
                    )
                else:
                    inp.names[p + ".it_mw_used"] = inp.names[p + ".it_mw"]
    inp.ws.print_area(0, 0, inp.row, TIP_COL)
    return inp.names, block_paths, inp


def _price_used(inp: _Inputs, fmt, p: str, field: str, catalog_price: float, source: str) -> None:
    """A row with the unit price in force: the block's own, else the catalog's."""
    given = inp.names[p + field]
    inp.put(
        p + ".catalog_price",
        "Catalog unit price",
        catalog_price,
        "USD",
        f"The equipment catalog: {source}",
        structural=True,
    )
    catalog = inp.names[p + ".catalog_price"]
    inp.put(
        p + ".price_used",
        "Unit price used",
        None,
        "USD",
        f"Empty above: catalog ${catalog_price:,.0f} ({source})",
    )
    own = inp.values.get(p + field)
    inp.ws.write_formula(
        inp.row - 1,
        1,
        f"=IF(ISNUMBER({given}),{given},{catalog})",
        fmt["num"],
        own if own is not None else catalog_price,
    )


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
