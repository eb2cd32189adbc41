"""The workbook's Layout sheet: what each strategy's floor plans hold, their loads as formulas
(units × kW each × PUE) against the interconnect, and every violation listed."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from core.io.xlsx.rows import write_table
from core.model.plan import KIND_LABELS
from core.model.project import Project
from core.plan.checks import review_plans
from core.plan.geometry import RULE_TITLES
from core.plan.layout import FT2_PER_M2, PlanContext

MAX_LISTED = 500  # violations per plan written out; the count is always given


def write_layout(
    wb,
    fmt: dict,
    project: Project,
    names: dict[str, str] | None = None,
    checks: tuple[Any, int] | None = None,
) -> None:
    """``names``: the Inputs sheet's cells by project path (the interconnect and each
    block's PUE are read from there, so an edit on Inputs reaches the checks). ``checks``:
    the Checks sheet and the first of the rows it kept for one integrity check per planned
    strategy (``planned_count``): the load check agrees with its loads."""
    names = names or {}
    ws = wb.add_worksheet("Layout")
    ws.hide_gridlines(2)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_column(0, 1, 22)
    ws.set_column(2, 2, 30)
    ws.set_column(3, 9, 14)
    ws.write_string(0, 0, "Layout: floor plans, loads and checks", fmt["title"])
    ws.write_string(
        1,
        0,
        "The plans set the equipment counts of the blocks they feed. IT load = units × kW each "
        "(a server at its design maximum); facility = IT × the block's PUE.",
        fmt["note"],
    )
    row = 3
    ws.write_string(row, 0, "Site hangars", fmt["section"])
    row = write_table(
        ws,
        fmt,
        row + 1,
        ["Hangar", "Length (m)", "Width (m)", "Floor (m²)", "Floor (ft²)", "Doors"],
        [
            [
                h.name,
                h.length_m,
                h.width_m,
                h.length_m * h.width_m,
                h.length_m * h.width_m * FT2_PER_M2,
                ", ".join(f"{d.wall} at {d.offset_m:g} m ({d.width_m:g} m)" for d in h.doors)
                or "—",
            ]
            for h in project.site.hangars
        ],
    )
    for k, h in enumerate(project.site.hangars):  # floor areas to the square metre / foot
        area = h.length_m * h.width_m
        ws.write_number(row - len(project.site.hangars) + k, 3, area, fmt["area"])
        ws.write_number(row - len(project.site.hangars) + k, 4, area * FT2_PER_M2, fmt["area"])
    a = project.site.aisles
    ws.write_string(
        row + 1,
        0,
        f"Clearances: cold aisle ≥ {a.cold_aisle_m:g} m, hot aisle ≥ {a.hot_aisle_m:g} m, "
        f"door egress zone {a.door_clearance_m:g} m deep.",
        fmt["note"],
    )
    row += 3
    ws.write_string(row, 0, "Loads by plan and model", fmt["section"])
    head = ["Strategy", "Hangar", "Model", "Units", "kW each", "IT kW", "PUE", "Facility kW"]
    row = write_table(ws, fmt, row + 1, head)
    totals: dict[str, list[str]] = defaultdict(list)  # strategy → its facility kW cells
    planned = [s for s in project.strategies if s.plans]
    reviews = {s.name: review_plans(project, s) for s in planned}  # each plan checked once
    block_pue: dict[tuple, str] = {}  # (strategy, model, PUE) → the block's PUE cell
    for i, strategy in enumerate(project.strategies):
        for j, b in enumerate(strategy.blocks):
            model = getattr(b, "asic_model", None) or getattr(b, "gpu_server_model", None)
            ref = names.get(f"strategies[{i}].blocks[{j}].pue")
            if model and ref:
                block_pue.setdefault((strategy.name, model, getattr(b, "pue", None)), ref)
    for strategy in planned:
        ctx = PlanContext.of(project, strategy)
        for plan in strategy.plans:
            groups: dict[tuple, int] = defaultdict(int)
            for item in plan.items:
                p = ctx.profile(item)
                if p.unit_kw > 0 and item.units > 0:
                    groups[(p.model or "?", p.unit_kw, p.pue)] += item.units
            for (model, unit_kw, pue), units in sorted(groups.items()):
                name = ctx.catalog.asics.get(model) or ctx.catalog.gpu_servers.get(model)
                ws.write_string(row, 0, strategy.name)
                ws.write_string(row, 1, plan.hangar)
                ws.write_string(row, 2, name.name if name else model)
                ws.write_number(row, 3, units, fmt["num"])
                ws.write_number(row, 4, unit_kw, fmt["input"])
                d, e, f, g = (xl_rowcol_to_cell(row, c) for c in (3, 4, 5, 6))
                ws.write_formula(row, 5, f"={d}*{e}", fmt["num"], units * unit_kw)
                pue_ref = block_pue.get((strategy.name, model, pue))
                if pue_ref:
                    ws.write_formula(row, 6, f"={pue_ref}", fmt["factor2"], pue)
                else:
                    ws.write_number(row, 6, pue, fmt["factor2"])
                ws.write_formula(row, 7, f"={f}*{g}", fmt["num"], units * unit_kw * pue)
                totals[strategy.name].append(xl_rowcol_to_cell(row, 7))
                row += 1
    row += 1
    ws.write_string(row, 0, "Facility load against the interconnect", fmt["section"])
    row = write_table(ws, fmt, row + 1, ["Strategy", "Facility MW", "Interconnect MW", "Check"])
    for strategy in planned:
        cells = totals.get(strategy.name, [])
        mw = sum(r.summary.facility_kw for r in reviews[strategy.name]) / 1000
        ws.write_string(row, 0, strategy.name)
        formula = f"=({'+'.join(cells)})/1000" if cells else "=0"
        ws.write_formula(row, 1, formula, fmt["imported_2dp"], mw)
        interconnect = names.get("site.interconnect_mw")
        if interconnect:
            ws.write_formula(row, 2, f"={interconnect}", fmt["num"], project.site.interconnect_mw)
        else:
            ws.write_number(row, 2, project.site.interconnect_mw, fmt["num"])
        b, c = xl_rowcol_to_cell(row, 1), xl_rowcol_to_cell(row, 2)
        ok = mw <= project.site.interconnect_mw + 1e-9
        ws.write_formula(row, 3, f'=IF({b}<={c},"OK","OVER")', None, "OK" if ok else "OVER")
        if checks is not None:
            sheet, at = checks
            cell = f"Layout!{xl_rowcol_to_cell(row, 1)}"
            parts = "+".join(f"Layout!{x}" for x in cells) or "0"
            flag, limit = (
                f"Layout!{xl_rowcol_to_cell(row, 3)}",
                f"Layout!{xl_rowcol_to_cell(row, 2)}",
            )
            sheet.write_string(
                at, 0, f"Layout: {strategy.name}: the interconnect check agrees with the loads"
            )
            sheet.write_formula(
                at,
                4,
                f"=IFERROR(AND(ABS({cell}-({parts})/1000)<=1E-9*MAX(1,ABS({cell})),"
                f'{flag}=IF({cell}<={limit},"OK","OVER")),FALSE)',
                fmt["ok"],
                True,
            )
            checks = (sheet, at + 1)
        row += 1
    row += 1
    ws.write_string(row, 0, "Plans", fmt["section"])
    head = [
        "Strategy",
        "Hangar",
        "Items",
        "IT MW",
        "Facility MW",
        "CDU kW",
        "Liquid heat kW",
        "ft² per MW",
        "Violations",
    ]
    plan_rows, listed = [], []
    for strategy in planned:
        for review in reviews[strategy.name]:
            plan, sm, found = review.plan, review.summary, review.violations
            kinds = ", ".join(f"{n:,} {KIND_LABELS[k]}" for k, n in sm.items_by_kind.items())
            per_mw = round(sm.ft2_per_mw) if sm.ft2_per_mw is not None else "—"
            plan_rows.append(
                [
                    strategy.name,
                    plan.hangar,
                    kinds or "empty",
                    round(sm.it_mw, 2),
                    round(sm.facility_mw, 2),
                    round(sm.cooling_kw),
                    round(sm.heat_load_kw),
                    per_mw,
                    len(found),
                ]
            )
            for v in found[:MAX_LISTED]:
                listed.append([strategy.name, plan.hangar, RULE_TITLES[v.rule], v.message])
            if len(found) > MAX_LISTED:
                more = f"and {len(found) - MAX_LISTED:,} more"
                listed.append([strategy.name, plan.hangar, "…", more])
    row = write_table(ws, fmt, row + 1, head, plan_rows)
    row += 1
    ws.write_string(row, 0, "Violations", fmt["section"])
    rows = listed
    if not rows:
        rows = [["—", "—", "—", "No violations in any plan"]]
    write_table(ws, fmt, row + 1, ["Strategy", "Hangar", "Rule", "What"], rows)


def planned_count(project: Project) -> int:
    """The strategies the Layout sheet checks against the interconnect: those with plans."""
    return sum(1 for s in project.strategies if s.plans)
