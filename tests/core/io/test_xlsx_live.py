"""The workbook is live: each input typed on the Inputs sheet, alone, +10 %, recalculated by
LibreOffice, gives every strategy the NPV, IRR and equity IRR that ``minepivot run`` gives on the
same change in the project file.

The project is the example with three changes that let more inputs be tested: a 60 % LTC loan at
8 % over ten years on "Convert to AI" (so the equity IRR differs from the project IRR), a demand
charge of 1.5 USD/kW-month (so the demand-charge rows carry a value), and the retirement months
MinePivot chose for "auto" written in (a +10 % edit may move the month the app would choose, and
the workbook holds the month it was exported with: it is set in MinePivot). The fleets' ASIC
counts are not typed: the floor plans set them (grey on Inputs, tested below).
"""

import argparse
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from core.cli.commands import _cmd_run
from core.engine.columns import MONTHLY_COLUMNS
from core.engine.evaluation import evaluate
from core.io.example import example_project
from core.io.projectfile import project_from_data, project_to_json
from core.io.xlsx.export import export_workbook
from core.io.xlsx.prices import MATRIX_COL
from core.model.project import Financing
from tests.core.io.test_xlsx import kpi_table, needs_soffice, recalculate_all

# Every market and power driver, a time-of-use cell (March, 11:00: a cheap hour, so it moves no
# DR call or 4CP window), site, finance, fleet, AI, financing inputs, and Hybrid's two fleets
# (a pool fee that reorders which fleet a DR call cuts first). The residual values are not
# here: in this project no asset is sold at them (each that is sold goes before its life ends).
LIVE_INPUTS = (
    "market.btc_price_usd",
    "market.btc_price_growth_pct_per_year",
    "market.difficulty",
    "market.difficulty_growth_pct_per_month",
    "market.fees_btc_per_block",
    "site.energy.price_source.matrix_usd_per_mwh[2][11]",
    "site.energy.price_source.spikes.price_usd_per_mwh",
    "site.energy.escalator_pct_per_year",
    "site.energy.tnd_adder_usd_per_mwh",
    "site.energy.demand_charge_usd_per_kw_month",
    "site.energy.fourcp_usd_per_kw_year",
    "site.demand_response.enrolled_mw",
    "site.demand_response.capacity_usd_per_mw_month",
    "site.fixed_opex_usd_per_year",
    "site.opex_escalator_pct_per_year",
    "finance.discount_rate_pct_per_year",
    "finance.tax_rate_pct",
    "finance.cost_of_equity_pct_per_year",
    "finance.depreciation_life_years.facility",
    "strategies[0].blocks[0].pue",
    "strategies[0].blocks[0].pool_fee_pct",
    "strategies[0].blocks[0].derate_pct_per_year",
    "strategies[0].blocks[0].om_usd_per_mw_month",
    "strategies[1].blocks[1].it_mw",
    "strategies[1].blocks[1].colo_usd_per_kw_month",
    "strategies[1].blocks[1].colo_escalator_pct_per_year",
    "strategies[1].blocks[1].pue",
    "strategies[1].blocks[1].it_load_factor_pct",
    "strategies[1].blocks[1].retrofit_usd_per_mw",
    "strategies[1].blocks[1].om_usd_per_mw_month",
    "strategies[1].financing.ltc_pct",
    "strategies[1].financing.rate_pct_per_year",
    "strategies[1].financing.upfront_fee_pct",
    "strategies[1].blocks[0].pue",
    "strategies[2].blocks[0].pool_fee_pct",
    "strategies[2].blocks[1].pool_fee_pct",
    "strategies[2].blocks[2].it_mw",
)
_STEP = re.compile(r"\.?([A-Za-z_]\w*)|\[(\d+)\]")


def _steps(path: str) -> list[str | int]:
    return [int(i) if i else k for k, i in _STEP.findall(path)]


def _get(data, path: str):
    for step in _steps(path):
        data = data[step]
    return data


def _set(data, path: str, value) -> None:
    *head, last = _steps(path)
    for step in head:
        data = data[step]
    data[last] = value


def _base_project():
    # The example with Convert to AI financed, and Keep mining's fleet kept to the horizon (at
    # the expected hashprice "auto" sells it in month 3, after which its own inputs, such as
    # its derate, move nothing), so that it is sold at the horizon end on the months after it.
    project = example_project()
    keep = project.strategies[0]
    kept = [keep.blocks[0].model_copy(update={"retire": "never"}), *keep.blocks[1:]]
    strategies = [
        s.model_copy(
            update={"financing": Financing(ltc_pct=60.0, rate_pct_per_year=8.0, tenor_months=120)}
        )
        if s.name == "Convert to AI"
        else s.model_copy(update={"blocks": kept})
        if s is keep
        else s
        for s in project.strategies
    ]
    energy = project.site.energy.model_copy(update={"demand_charge_usd_per_kw_month": 1.5})
    site = project.site.model_copy(update={"energy": energy})
    project = project.model_copy(update={"strategies": strategies, "site": site})
    operated = evaluate(project).project
    assert operated is not None
    return operated


def _input_cells(path: Path) -> dict[str, str]:
    """Field path → the A1 cell that holds it on the Inputs sheet (a time-of-use hour: its
    row's Field and the hour's column)."""
    ws = openpyxl.load_workbook(path)["Inputs"]
    out = {}
    for row in ws.iter_rows(min_col=1, max_col=4):
        field = row[3].value
        if not field:
            continue
        if field.startswith("site.energy.price_source.matrix_usd_per_mwh["):
            for h in range(24):
                cell = ws.cell(row=row[0].row, column=MATRIX_COL + 1 + h)
                out[f"{field}[{h}]"] = cell.coordinate
        else:
            out[field] = row[1].coordinate
    return out


def _typed(src: Path, dst: Path, cell: str, value: float) -> None:
    """A copy of the workbook with ``value`` typed into Inputs!``cell`` (the sheet's XML edited,
    so nothing else of the file changes)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":  # Inputs
                data, n = re.subn(
                    rb'(<c r="' + cell.encode() + rb'"[^>]*>)<v>[^<]*</v>',
                    rb"\g<1><v>" + repr(value).encode() + rb"</v>",
                    data,
                )
                assert n == 1, f"Inputs!{cell} is not a number cell"
            zout.writestr(item, data)


def typed_variants(project, base: Path, paths) -> list[tuple[str, Path, object]]:
    """For each field path, alone +10 % (an integer rounded): a copy of the workbook ``base``
    with the new value typed on Inputs (a percentage as the fraction the sheet holds), and
    the project with the same change made in its file."""
    cells = _input_cells(base)
    shown_in = openpyxl.load_workbook(base, data_only=True)["Inputs"]
    data = json.loads(project_to_json(project))
    out = []
    for k, path in enumerate(paths):
        assert path in cells, f"{path} has no row on the Inputs sheet"
        old = _get(data, path)
        new = round(old * 1.1) if isinstance(old, int) else old * 1.1
        shown = shown_in[cells[path]].value
        typed = new / 100 if abs(shown - old / 100) < 1e-15 * max(abs(old), 1) else new
        copy = base.with_name(f"{base.stem}_in{k:02d}.xlsx")
        _typed(base, copy, cells[path], typed)
        changed = json.loads(project_to_json(project))
        _set(changed, path, new)
        out.append((path, copy, project_from_data(changed)))
    return out


def worst_differences(cases, tmp_path: Path, lines) -> list[tuple[str, float]]:
    """``cases``: (label, workbook, project). All recalculated in one LibreOffice run; for
    each, the worst relative difference from the app over every strategy's NPV, IRR and
    equity IRR (where the app has one) and the totals of the monthly ``lines`` (relative to
    the larger of the app's total and 1). Each must keep the master check at "all pass"."""
    table = []
    outs = recalculate_all([copy for _, copy, _ in cases], tmp_path)
    for (label, _, project), out in zip(cases, outs, strict=True):
        wb = openpyxl.load_workbook(out, data_only=True)
        kpis = kpi_table(wb)
        worst = 0.0
        for s in evaluate(project).strategies:
            for name, want in (
                ("NPV", s.kpis.npv_usd),
                ("IRR", s.kpis.irr),
                ("Equity IRR (the IRR without debt)", s.kpis.equity_irr),
            ):
                if want is not None:
                    worst = max(worst, _rel(kpis[name][s.name], want))
            for key in lines:
                want = float(s.monthly[key].sum())
                worst = max(worst, abs(_total(wb[s.name], key) - want) / max(abs(want), 1.0))
        assert wb["Summary"]["B6"].value == "all pass", label
        table.append((label, worst))
    print("\n".join(f"{p:55s} {w:.1e}" for p, w in table))
    return table


def _run_json(path: Path, capsys) -> dict[str, dict]:
    """``minepivot run --json --no-goal-seek`` on a project file, by strategy name."""
    capsys.readouterr()
    args = argparse.Namespace(project=str(path), json=True, no_goal_seek=True, monthly=None)
    assert _cmd_run(args) == 0
    return {r["name"]: r for r in json.loads(capsys.readouterr().out)["strategies"]}


def _rel(a, b) -> float:
    if isinstance(a, str) or isinstance(b, str) or a is None or b is None:
        return 0.0 if a == b else float("inf")
    return abs(a - b) / max(abs(b), 1e-9)


@needs_soffice
def test_each_input_typed_on_inputs_recalculates_as_minepivot_run(tmp_path, capsys):
    project = _base_project()
    base = tmp_path / "base.xlsx"
    export_workbook(project, base)
    copies, expected, results = [], {}, {}
    for k, (path, copy, changed) in enumerate(typed_variants(project, base, LIVE_INPUTS)):
        copies.append(copy)
        file = tmp_path / f"in{k:02d}.minepivot"
        file.write_text(project_to_json(changed))
        expected[path] = _run_json(file, capsys)
        results[path] = evaluate(changed)
    table = []
    for path, out in zip(LIVE_INPUTS, recalculate_all(copies, tmp_path), strict=True):
        wb = openpyxl.load_workbook(out, data_only=True)
        kpis = kpi_table(wb)
        worst = 0.0
        for name, app in expected[path].items():
            for label, key in (
                ("NPV", "npv_usd"),
                ("IRR", "irr"),
                ("Equity IRR (the IRR without debt)", "equity_irr"),
            ):
                got, want = kpis[label][name], app[key]
                if want is None:  # "n/m" or "none" in the workbook
                    assert isinstance(got, str), f"{path}: {name} {label} {got!r}"
                    continue
                worst = max(worst, _rel(got, want))
        # Revenue and energy cost too: a pass-through moves both and leaves NPV alone.
        for s in results[path].strategies:
            for key in ("revenue_total_usd", "energy_cost_usd"):
                worst = max(worst, _rel(_total(wb[s.name], key), float(s.monthly[key].sum())))
        table.append((path, worst))
    print("\n".join(f"{p:55s} {w:.1e}" for p, w in table))
    bad = [(p, w) for p, w in table if not w <= 1e-6]
    assert not bad, f"inputs whose recalculation differs from minepivot run: {bad}"
    # Each input moves something in the app, so each is a test of a live cell.
    base_result = evaluate(project)
    still = [p for p in LIVE_INPUTS if _same(results[p], base_result)]
    assert not still, f"inputs that move nothing: {still}"


def _total(ws, key: str) -> float:
    label = MONTHLY_COLUMNS[key].label
    return next(r[3] for r in ws.iter_rows(values_only=True) if r[0] == label)


def _same(a, b) -> bool:
    for x, y in zip(a.strategies, b.strategies, strict=True):
        if any(not np.array_equal(x.monthly[k], y.monthly[k]) for k in x.monthly):
            return False
        if x.kpis != y.kpis:
            return False
    return True


def test_the_prices_and_market_sheets_carry_the_hours_and_the_market(tmp_path):
    project = example_project()
    path = tmp_path / "example.xlsx"
    export_workbook(project, path)
    wb = openpyxl.load_workbook(path)
    prices, market = wb["Prices"], wb["Market"]
    hours = [r[5].value for r in prices.iter_rows(min_row=5) if r[0].value is not None]
    assert sum(hours) == 87_672  # 2027-01 to 2036-12: 3,653 days (2028, 2032, 2036 are leap)
    # Each price is a formula of the Inputs cell it comes from, never a pasted number.
    sources = {r[6].value for r in prices.iter_rows(min_row=5) if r[0].value is not None}
    assert all(isinstance(s, str) and s.startswith("=Inputs!$") for s in sources)
    labels = [r[0].value for r in market.iter_rows(max_col=1)]
    assert "BTC price" in labels and "Hashprice, month average" in labels
    keep = wb["Keep mining"]
    revenue = next(r for r in keep.iter_rows() if r[0].value == "Mining revenue")
    assert revenue[5].value.startswith("=F")  # the fleet's own revenue row, a formula
    runs = next(r for r in keep.iter_rows() if r[0].value == "S21 fleet: hours run, not called")
    assert "SUMIFS(INDEX(PrHours," in runs[5].value


# DR calls on the highest-load hours move with whatever moves the load: the market, the power
# prices and adder, a fleet's pool fee and PUE, a hosting rate (the hosted project's Client B).
# How many calls each month takes is the price rule's count (the year's highest-price hours),
# set in MinePivot like the price rule's calls: the time-of-use cell is a cheap hour, which
# moves no count.
BY_LOAD_INPUTS = (
    "market.btc_price_usd",
    "market.difficulty_growth_pct_per_month",
    "site.energy.price_source.matrix_usd_per_mwh[2][11]",
    "site.energy.price_source.spikes.price_usd_per_mwh",
    "site.energy.tnd_adder_usd_per_mwh",
    "site.energy.escalator_pct_per_year",
    "site.demand_response.enrolled_mw",
    "site.demand_response.capacity_usd_per_mw_month",
    "strategies[0].blocks[0].pool_fee_pct",
    "strategies[2].blocks[0].pue",
    "strategies[0].blocks[2].hosting_usd_per_kwh",
)


@needs_soffice
def test_dr_calls_on_the_highest_load_hours_are_placed_by_formulas(tmp_path):
    # Each strategy's calls go to its own highest-load hours: on the Prices sheet its load in
    # each group and the hours of it called are formulas, so an edit that moves which hours
    # the fleets run moves the calls, as in the app.
    from tests.core.io.test_xlsx_hosting import _hosted_project

    project = _hosted_project()
    dr = project.site.demand_response.model_copy(update={"events_on": "highest_load"})
    project = project.model_copy(
        update={"site": project.site.model_copy(update={"demand_response": dr})}
    )
    base = tmp_path / "by_load.xlsx"
    export_workbook(project, base)
    prices = openpyxl.load_workbook(base)["Prices"]
    assert prices["J5"].value.startswith("=MAX(0,MIN($F5,Market!")  # Keep mining's calls
    variants = typed_variants(project, base, BY_LOAD_INPUTS)
    cases = [("as exported", base, project), *variants]
    table = worst_differences(
        cases, tmp_path, ("revenue_total_usd", "dr_capacity_usd", "energy_cost_usd")
    )
    bad = [(p, w) for p, w in table if not w <= 1e-9]
    assert not bad, f"inputs whose recalculation differs from the app: {bad}"
    # The calls do move: BTC price +10 % places some elsewhere in the app.
    from core.engine.energy import called_hours
    from core.engine.market.context import market_context
    from core.model.catalog import catalog_for

    catalog = catalog_for(project)
    moved = variants[0][2]
    before = called_hours(project, project.strategies[0], market_context(project), catalog)
    after = called_hours(moved, moved.strategies[0], market_context(moved), catalog)
    assert not np.array_equal(before, after)


@needs_soffice
def test_a_fixed_price_block_recalculates_and_its_price_is_live(tmp_path, capsys):
    # A 60 MW block at $38/MWh: each hour the load above the block is bought at the hour's
    # price and the unused block sold back (power credits), both SUMPRODUCTs of the Prices
    # groups. Exported as is, and with the fixed price and the block typed +10 % on Inputs.
    project = _base_project()
    energy = project.site.energy.model_copy(
        update={"contract": "fixed_block", "fixed_block_mw": 60.0, "fixed_price_usd_per_mwh": 38.0}
    )
    project = project.model_copy(
        update={"site": project.site.model_copy(update={"energy": energy})}
    )
    base = tmp_path / "fixed.xlsx"
    export_workbook(project, base)
    cells = _input_cells(base)
    copies, expected = [base], [evaluate(project)]
    for k, path in enumerate(
        (
            "site.energy.fixed_price_usd_per_mwh",
            "site.energy.fixed_block_mw",
            "market.btc_price_usd",
        )
    ):
        data = json.loads(project_to_json(project))
        new = _get(data, path) * 1.1
        copy = tmp_path / f"fixed{k}.xlsx"
        _typed(base, copy, cells[path], new)
        copies.append(copy)
        _set(data, path, new)
        expected.append(evaluate(project_from_data(data)))
    for out, result in zip(recalculate_all(copies, tmp_path), expected, strict=True):
        wb = openpyxl.load_workbook(out, data_only=True)
        kpis = kpi_table(wb)
        for s in result.strategies:
            assert kpis["NPV"][s.name] == pytest.approx(s.kpis.npv_usd, rel=1e-9)
            for key in ("energy_cost_usd", "power_credits_usd"):
                assert _total(wb[s.name], key) == pytest.approx(
                    float(s.monthly[key].sum()), rel=1e-9, abs=1e-3
                )
        assert wb["Summary"]["B6"].value == "all pass"
    assert float(expected[0].strategies[0].monthly["power_credits_usd"].sum()) > 0


def test_a_count_the_floor_plan_sets_is_set_apart(tmp_path):
    # The example's fleets are counted from their racks: the file's loader recounts them, so a
    # count typed in the workbook could never be the app's. Grey, and the note says why.
    path = tmp_path / "example.xlsx"
    export_workbook(example_project(), path)
    ws = openpyxl.load_workbook(path)["Inputs"]
    row = next(r for r in ws.iter_rows() if r[3].value == "strategies[0].blocks[0].asic_count")
    assert row[1].fill.fgColor.rgb.endswith("EDEDED")
    assert "floor plan" in row[4].value


def test_no_formula_needs_the_rewriting_the_export_skips(tmp_path):
    # The export stores formulas without XlsxWriter's per-formula rewriting of dynamic-array
    # functions (core.io.xlsx.formulas): it holds only while no formula uses one.
    from xlsxwriter.worksheet import re_dynamic_function

    path = tmp_path / "example.xlsx"
    export_workbook(example_project(), path)
    wb = openpyxl.load_workbook(path)
    count = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    count += 1
                    assert not re_dynamic_function.search(cell.value), (ws.title, cell.coordinate)
    assert count > 30_000


def test_live_inputs_carry_excels_named_input_style(tmp_path):
    # Excel's built-in "Input" style (builtinId 20), named, on the live inputs; the cells set
    # in MinePivot are Normal (grey fill).
    import zipfile as zf

    path = tmp_path / "example.xlsx"
    export_workbook(example_project(), path)
    wb = openpyxl.load_workbook(path)
    assert "Input" in wb.named_styles
    ws = wb["Inputs"]
    row = next(r for r in ws.iter_rows() if r[3].value == "market.btc_price_usd")
    assert row[1].style == "Input"
    fixed = next(r for r in ws.iter_rows() if r[3].value == "finance.horizon_years")
    assert fixed[1].style == "Normal"
    styles = zf.ZipFile(path).read("xl/styles.xml").decode()
    assert '<cellStyle name="Input" xfId="1" builtinId="20"/>' in styles


@needs_soffice
def test_a_btc_price_set_year_by_year_is_live(tmp_path):
    # Four years of BTC prices, the last held to the horizon: each year is an input cell, and
    # a typed year (the second, +10 %) moves every strategy as the app does.
    project = _base_project()
    market = project.market.model_copy(
        update={"btc_price_by_year_usd": [95_000.0, 110_000.0, 120_000.0, 100_000.0]}
    )
    project = project.model_copy(update={"market": market})
    base = tmp_path / "by_year.xlsx"
    export_workbook(project, base)
    cells = _input_cells_by_year(base)
    data = json.loads(project_to_json(project))
    data["market"]["btc_price_by_year_usd"][1] *= 1.1
    copy = tmp_path / "by_year_typed.xlsx"
    _typed(base, copy, cells[1], data["market"]["btc_price_by_year_usd"][1])
    expected = [evaluate(project), evaluate(project_from_data(data))]
    for out, result in zip(recalculate_all([base, copy], tmp_path), expected, strict=True):
        wb = openpyxl.load_workbook(out, data_only=True)
        kpis = kpi_table(wb)
        for s in result.strategies:
            assert kpis["NPV"][s.name] == pytest.approx(s.kpis.npv_usd, rel=1e-9)
            assert _total(wb[s.name], "revenue_mining_usd") == pytest.approx(
                float(s.monthly["revenue_mining_usd"].sum()), rel=1e-9, abs=1e-3
            )
    assert expected[0].strategies[0].kpis.npv_usd != expected[1].strategies[0].kpis.npv_usd


def _input_cells_by_year(path: Path) -> list[str]:
    ws = openpyxl.load_workbook(path)["Inputs"]
    row = next(r for r in ws.iter_rows() if r[3].value == "market.btc_price_by_year_usd")
    r = row[0].row
    return [ws.cell(row=r, column=MATRIX_COL + 1 + k).coordinate for k in range(4)]
