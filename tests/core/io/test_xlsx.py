"""The board workbook: cached values, live formulas verified by LibreOffice, text safety, and
failures that leave existing files alone."""

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from core.engine.evaluation import evaluate
from core.io.example import example_project
from core.io.xlsx.export import ExportError, export_workbook
from core.io.xlsx.sheets.summary import KPI_ROWS

SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) not installed; .ci/run installs "
    "libreoffice-calc-nogui so CI always runs this",
)
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    project = example_project()
    path = tmp_path_factory.mktemp("xlsx") / "example.xlsx"
    export_workbook(project, path)
    return project, evaluate(project), path


def recalculate(path: Path, workdir: Path) -> Path:
    """LibreOffice with a throwaway profile that recalculates every formula on load (it would
    otherwise trust the cached values of a file that says it comes from Excel)."""
    return recalculate_all([path], workdir)[0]


def recalculate_all(paths: list[Path], workdir: Path) -> list[Path]:
    """``recalculate`` for many workbooks in one LibreOffice run (start-up is most of it)."""
    profile = workdir / "profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS)
    out = workdir / "out"
    out.mkdir(exist_ok=True)
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            *map(str, paths),
        ],
        check=True,
        capture_output=True,
        timeout=180 + 20 * len(paths),
    )
    return [out / p.name for p in paths]


def kpi_table(wb) -> dict[str, dict[str, object]]:
    ws = wb["Summary"]
    names = [c.value for c in ws[8][2:]]
    out: dict[str, dict[str, object]] = {}
    for row in ws.iter_rows(min_row=9, max_row=8 + len(KPI_ROWS), values_only=True):
        out[row[0]] = dict(zip(names, row[2:], strict=False))
    return out


def fcf_row(ws) -> np.ndarray:
    for row in ws.iter_rows(values_only=True):
        if row[0] == "Free cash flow":
            return np.array(row[5:], dtype=float)
    raise AssertionError("no free cash flow row")


def test_cached_values_are_the_apps(exported):
    _, result, path = exported
    wb = openpyxl.load_workbook(path, data_only=True)
    kpis = kpi_table(wb)
    for s in result.strategies:
        assert kpis["NPV"][s.name] == pytest.approx(s.kpis.npv_usd, rel=1e-12)
        assert np.allclose(fcf_row(wb[s.name]), s.monthly["fcf_usd"], rtol=1e-12)
    assert wb["Summary"]["B6"].value == "all pass"


def test_rows_are_live_formulas_one_per_row(exported):
    _, _, path = exported
    ws = openpyxl.load_workbook(path)["Keep mining"]
    assert ws.freeze_panes == "F5"
    for row in ws.iter_rows(min_row=5):
        label, cells = row[0].value, row[5:125]
        if label == "Capital assets: parameters":
            break  # the parameter table below is not a timeline
        if not label or not isinstance(cells[0].value, str) or not cells[0].value.startswith("="):
            continue
        shapes = {re.sub(r"(?<![A-Z$])\$?[A-Z]{1,3}(?=\$?\d)", "X", c.value) for c in cells}
        assert len(shapes) == 1, f"{label}: {len(shapes)} different formulas across the row"
    labels = [r[0].value for r in ws.iter_rows(max_col=1)]
    for needed in (
        "Revenue, total",
        "Energy cost (incl. T&D adder)",
        "Opex, total",
        "EBITDA",
        "Capex, total",
        "Depreciation, total",
        "Tax",
        "Free cash flow",
        "Cumulative free cash flow",
        "Discount factor (start of month)",
        "Discounted free cash flow",
    ):
        assert needed in labels
    summary = openpyxl.load_workbook(path)["Summary"]
    assert summary["C9"].value.startswith("=SUMPRODUCT(")
    assert "IRR(" in summary["C10"].value and "IrrGuess" in summary["C10"].value


@needs_soffice
def test_libreoffice_recalculation_matches_the_app(exported, tmp_path):
    _, result, path = exported
    wb = openpyxl.load_workbook(recalculate(path, tmp_path), data_only=True)
    kpis = kpi_table(wb)
    for s in result.strategies:
        k = s.kpis
        assert kpis["NPV"][s.name] == pytest.approx(k.npv_usd, rel=1e-6)
        if k.irr is None:  # "n/m" without an investment, "none" without a root
            assert kpis["IRR"][s.name] == ("n/m" if k.irr_note.startswith("n/m") else "none")
        else:
            assert kpis["IRR"][s.name] == pytest.approx(k.irr, rel=1e-6)
        # Months, "never" (still negative at the horizon) or "n/m" (nothing to recover).
        for label, value, note in (
            ("Payback", k.payback_months, k.payback_note),
            ("Discounted payback", k.discounted_payback_months, k.discounted_payback_note),
        ):
            shown = value if value is not None else ("n/m" if note.startswith("n/m") else "never")
            assert kpis[label][s.name] == shown
        assert kpis["Peak funding need"][s.name] == pytest.approx(
            k.peak_funding_usd, rel=1e-6, abs=1e-3
        )
        assert kpis["Probability-weighted NPV"][s.name] == pytest.approx(
            k.probability_weighted_npv_usd, rel=1e-6
        )
        recalculated = fcf_row(wb[s.name])
        annual = _annual_revenue(wb, s.name)
        expected = s.monthly["revenue_total_usd"].reshape(-1, 12).sum(axis=1)
        assert np.allclose(annual, expected, rtol=1e-6, atol=1e-3)
        scale = np.maximum(np.abs(s.monthly["fcf_usd"]), 1.0)
        assert np.all(np.abs(recalculated - s.monthly["fcf_usd"]) <= 1e-6 * scale)
    assert wb["Summary"]["B6"].value == "all pass"
    assert wb["Summary"]["B7"].value == "yes"  # matches MinePivot at export
    # What each strategy adds over the baseline (Keep mining), as the app reckons it.
    for s in result.strategies[1:]:
        added = kpis["NPV added over the baseline strategy"][s.name]
        assert added == pytest.approx(s.incremental.npv_usd, rel=1e-6)
    assert kpis["NPV added over the baseline strategy"][result.strategies[0].name] == "baseline"
    # Its IRR and payback, and terminal value's share of NPV (the held assets' sale at book
    # value at the horizon, discounted, over NPV), as the app reckons them.
    for s in result.strategies[1:]:
        inc = s.incremental
        got = kpis["IRR of what it adds over the baseline"][s.name]
        if inc.irr is None:
            assert got in ("n/m", "none")
        else:
            assert got == pytest.approx(inc.irr, rel=1e-6)
        shown = inc.payback_months
        if shown is None:
            shown = "n/m" if inc.payback_note.startswith("n/m") else "never"
        assert kpis["Payback of what it adds over the baseline"][s.name] == shown
    for s in result.strategies:
        share = s.kpis.terminal_value_share_of_npv
        got = kpis["Terminal value's share of NPV (its present value ÷ NPV)"][s.name]
        assert got == ("n/m" if share is None else pytest.approx(share, rel=1e-6))


@needs_soffice
def test_the_recalculation_really_recalculates(exported, tmp_path):
    # A wrong cached NPV (1.0) must come back as the formula's value.
    _, result, path = exported
    tampered = tmp_path / "tampered.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tampered, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(
                    rb'(<c r="C9"[^>]*><f>[^<]*</f><v>)[^<]*(</v>)', rb"\g<1>1\2", data
                )
                assert n == 1
            dst.writestr(item, data)
    assert openpyxl.load_workbook(tampered, data_only=True)["Summary"]["C9"].value == 1
    wb = openpyxl.load_workbook(recalculate(tampered, tmp_path), data_only=True)
    assert wb["Summary"]["C9"].value == pytest.approx(result.strategies[0].kpis.npv_usd, rel=1e-6)


def _annual_revenue(wb, strategy: str) -> np.ndarray:
    ws = wb["Summary"]
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "Year")
    col = rows[head].index(f"{strategy}: revenue")
    return np.array([r[col] for r in rows[head + 1 :] if isinstance(r[0], int | float)], float)


def test_user_text_is_always_text(tmp_path):
    nasty = ["=1+1", "+SUM(A1:A2)", "-2+3", "@cmd", "\t=tab", "\r=cr"]
    p = example_project()
    p = p.model_copy(
        update={
            "name": nasty[0],
            "notes": nasty[2],
            "strategies": [
                s.model_copy(update={"name": f"{nasty[1 + i]}"}) for i, s in enumerate(p.strategies)
            ],
        }
    )
    # Fallbacks must follow the renamed strategy.
    p = p.model_copy(
        update={
            "strategies": [
                s.model_copy(
                    update={
                        "fallback_strategy": nasty[1] if s.fallback_strategy else None,
                        "blocks": [
                            b.model_copy(update={"name": nasty[3 + j % 3]})
                            for j, b in enumerate(s.blocks)
                        ],
                    }
                )
                for s in p.strategies
            ]
        }
    )
    path = export_workbook(p, tmp_path / "nasty.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb["Summary"]["B2"].value == nasty[0] and wb["Summary"]["B2"].data_type == "s"
    assert wb["Inputs"]["B5"].value == nasty[0] and wb["Inputs"]["B6"].value == nasty[2]
    assert wb["Inputs"]["B6"].data_type == "s"
    texts = {
        c.value
        for ws in wb
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.data_type == "s"
    }
    for t in nasty:  # (XML turns a carriage return into a line feed; it stays text)
        assert any(t.strip() in v for v in texts), t
    formulas = [c.value for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert not any(f.lstrip("=") in ("1+1", "-2+3") for f in formulas)


def test_failed_export_leaves_the_existing_file(tmp_path, monkeypatch):
    target = tmp_path / "board.xlsx"
    target.write_bytes(b"previous workbook")
    import xlsxwriter

    def full_disk(self):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xlsxwriter.Workbook, "close", full_disk)
    with pytest.raises(ExportError, match="the disk is full"):
        export_workbook(example_project(), target)
    assert target.read_bytes() == b"previous workbook"
    assert [p.name for p in tmp_path.iterdir()] == ["board.xlsx"]


def test_export_to_a_missing_or_read_only_folder(tmp_path):
    with pytest.raises(ExportError, match="cannot write in"):
        export_workbook(example_project(), tmp_path / "missing" / "x.xlsx")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        if (ro / "probe").exists() or _can_write(ro):
            pytest.skip("running as a user that ignores folder permissions (root)")
        with pytest.raises(ExportError, match="cannot write in"):
            export_workbook(example_project(), ro / "x.xlsx")
    finally:
        ro.chmod(0o700)


def test_export_to_a_folder_without_write_permission(tmp_path, monkeypatch):
    # As root, folder permissions are not enforced; refuse the way the OS would.
    import tempfile

    def refuse(*_, **__):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(ExportError, match=r"cannot write in .*Permission denied"):
        export_workbook(example_project(), tmp_path / "x.xlsx")


def _can_write(folder: Path) -> bool:
    try:
        (folder / "probe").write_text("x")
        (folder / "probe").unlink()
        return True
    except OSError:
        return False


@needs_soffice
def test_layout_sheet_loads_recalculate_and_flag_an_over_interconnect(tmp_path):
    # The example's Keep mining plans: 2 × 13,250 S21 × 3.5 kW × 1.05 PUE = 97.39 MW, under
    # the 100 MW interconnect. At 95 MW the recalculated check says OVER.
    project = example_project()
    site = project.site.model_copy(update={"interconnect_mw": 95.0})
    path = tmp_path / "layout.xlsx"
    export_workbook(project.model_copy(update={"site": site}), path)
    wb = openpyxl.load_workbook(recalculate(path, tmp_path), data_only=True)
    rows = [r for r in wb["Layout"].iter_rows(values_only=True)]
    loads = [r for r in rows if r[0] == "Keep mining" and r[2] == "Antminer S21"]
    assert [(r[3], r[5], r[7]) for r in loads] == [(13_250, 46_375, pytest.approx(48_693.75))] * 2
    check = next(r for r in rows if r[0] == "Keep mining" and r[3] in ("OK", "OVER"))
    assert check[1] == pytest.approx(2 * 48_693.75 / 1000) and check[3] == "OVER"
    listed = [r for r in rows if r[2] == "Facility load above interconnect"]
    assert len(listed) == 2 and "97.39 MW" in listed[0][3]  # one per Keep mining hangar


@needs_soffice
def test_the_interconnect_typed_on_inputs_reaches_the_layout_check(tmp_path):
    # Exported at 100 MW (97.39 MW drawn: OK); 95 MW typed on the Inputs sheet: OVER.
    from tests.core.io.test_xlsx_terminal import _set_input

    path = export_workbook(example_project(), tmp_path / "plans.xlsx")
    edited = _set_input(path, "Interconnect", 95.0, tmp_path / "edited.xlsx")
    wb = openpyxl.load_workbook(recalculate(edited, tmp_path), data_only=True)
    rows = [r for r in wb["Layout"].iter_rows(values_only=True)]
    check = next(r for r in rows if r[0] == "Keep mining" and r[3] in ("OK", "OVER"))
    assert (check[2], check[3]) == (95, "OVER")
    # A legitimate edit keeps the integrity checks; the check agrees with its loads.
    assert wb["Summary"]["B6"].value == "all pass"
    names = [r[0] for r in wb["Checks"].iter_rows(values_only=True) if r[0]]
    assert "Layout: Keep mining: the interconnect check agrees with the loads" in names


@needs_soffice
def test_an_ok_typed_over_the_interconnect_check_fails_the_integrity_checks(tmp_path):
    # At 95 MW the check says OVER; "OK" typed over its formula is caught.
    project = example_project()
    site = project.site.model_copy(update={"interconnect_mw": 95.0})
    path = export_workbook(project.model_copy(update={"site": site}), tmp_path / "over.xlsx")
    ws = openpyxl.load_workbook(path)["Layout"]
    cell = next(
        r[3].coordinate
        for r in ws.iter_rows()
        if r[0].value == "Keep mining" and isinstance(r[3].value, str) and "OVER" in r[3].value
    )
    sheet = next(
        i for i, n in enumerate(openpyxl.load_workbook(path).sheetnames, 1) if n == "Layout"
    )
    typed = tmp_path / "typed.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(typed, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == f"xl/worksheets/sheet{sheet}.xml":
                data, n = re.subn(
                    rb'<c r="' + cell.encode() + rb'"([^>]*)><f>[^<]*</f><v>[^<]*</v></c>',
                    rb'<c r="' + cell.encode() + rb'" t="inlineStr"><is><t>OK</t></is></c>',
                    data,
                )
                assert n == 1
            dst.writestr(item, data)
    wb = openpyxl.load_workbook(recalculate(typed, tmp_path), data_only=True)
    assert wb["Summary"]["B6"].value == "CHECK FAILED"


@needs_soffice
def test_a_lease_that_ends_recalculates_as_the_app(tmp_path):
    # Convert to AI with a 60-month lease renewed at 70 % and $120/kW-month, and Hybrid's
    # lease ending with no renewal: the revenue and O&M rows are live formulas of the lease
    # inputs, and LibreOffice's recalculation gives the app's free cash flow.
    project = example_project()
    strategies = list(project.strategies)
    for k, update in (
        (
            1,
            {
                "lease_term_months": 60,
                "renewal_probability_pct": 70.0,
                "renewal_usd_per_kw_month": 120.0,
            },
        ),
        (2, {"lease_term_months": 48, "renewal_probability_pct": 0.0}),
    ):
        s = strategies[k]
        blocks = [b.model_copy(update=update) if b.kind == "ai" else b for b in s.blocks]
        strategies[k] = s.model_copy(update={"blocks": blocks})
    project = project.model_copy(update={"strategies": strategies})
    path = tmp_path / "lease.xlsx"
    export_workbook(project, path)
    result = evaluate(project)
    wb = openpyxl.load_workbook(recalculate(path, tmp_path), data_only=True)
    for s in result.strategies[1:3]:
        np.testing.assert_allclose(fcf_row(wb[s.name]), s.fcf, rtol=1e-9, atol=1e-3)
        assert kpi_table(wb)["NPV"][s.name] == pytest.approx(s.kpis.npv_usd, rel=1e-9)


@needs_soffice
def test_gpu_servers_replaced_or_run_off_recalculate_as_the_app(tmp_path):
    # Convert to AI rents 2,000 H100 servers that run off after a 3-year GPU life; Hybrid's
    # 1,000 are replaced every 3 years (live at month 15: at 51 and 87) at a server price
    # falling 20 % a year: the revenue, O&M and asset rows (replacement capex, sales at the
    # residual 10 %) are formulas, and LibreOffice's recalculation gives the app's FCF.
    project = example_project()
    strategies = list(project.strategies)
    for k, update in (
        (1, {"server_count": 2000, "gpu_end_of_life": "run_off"}),
        (2, {"server_count": 1000, "gpu_end_of_life": "replace"}),
    ):
        s = strategies[k]
        gpu = {"business_model": "gpu_cloud", "gpu_hour_usd": 2.35, "utilisation_pct": 85.0}
        gpu |= {"server_price_decline_pct_per_year": 20.0} if k == 2 else {}
        blocks = [b.model_copy(update=gpu | update) if b.kind == "ai" else b for b in s.blocks]
        strategies[k] = s.model_copy(update={"blocks": blocks})
    finance = project.finance.model_copy(
        update={
            "depreciation_life_years": project.finance.depreciation_life_years.model_copy(
                update={"gpu": 3.0}
            ),
            "residual_value_pct": project.finance.residual_value_pct.model_copy(
                update={"gpu": 10.0}
            ),
        }
    )
    project = project.model_copy(update={"strategies": strategies, "finance": finance})
    path = tmp_path / "gpu.xlsx"
    export_workbook(project, path)
    result = evaluate(project)
    assert any("replacement 2" in a.name for a, _ in result.strategies[2].breakdown.assets)
    wb = openpyxl.load_workbook(recalculate(path, tmp_path), data_only=True)
    for s in result.strategies[1:3]:
        np.testing.assert_allclose(fcf_row(wb[s.name]), s.fcf, rtol=1e-9, atol=1e-3)
        assert kpi_table(wb)["NPV"][s.name] == pytest.approx(s.kpis.npv_usd, rel=1e-9)


_CELL = re.compile(r"(?:'([^']+)'|([A-Za-z_][\w.]*))!\$?([A-Z]{1,3})\$?(\d+)")


def test_the_summary_reads_like_finance(exported):
    # Money in $ million with one decimal and a real minus sign; the version and the file's
    # hash beside the export date; strategy sheets print landscape, one page tall, with
    # their label and unit columns on every page.
    _, _, path = exported
    wb = openpyxl.load_workbook(path)
    summary = wb["Summary"]
    assert summary["C9"].number_format == '"$"#,##0.0,," M";"\u2212$"#,##0.0,," M";"$0.0 M"'
    assert summary["C10"].number_format == "0.0%"
    assert summary["C3"].value.startswith("MinePivot ") and "SHA-256" in summary["C3"].value
    sheet = wb["Keep mining"]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_cols == "$A:$B" and sheet.sheet_properties.pageSetUpPr.fitToPage


def test_every_orange_input_drives_a_formula_and_every_input_names_its_field(exported):
    # Read from the file: a cell styled as an input (Excel's Input orange) must be read by a
    # formula on another sheet, directly, through a defined name, or through an Inputs
    # formula cell that is so read. The others are grey, "set in MinePivot".
    from core.model.paths import has_path

    project, _, path = exported
    wb = openpyxl.load_workbook(path)
    formulas = {
        (ws.title, c.coordinate): c.value
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    }
    names = {n: wb.defined_names[n].attr_text for n in wb.defined_names}

    def cells(text):
        out = {(q or p, f"{col}{row}") for q, p, col, row in _CELL.findall(text)}
        for name, ref in names.items():
            if re.search(rf"\b{re.escape(name)}\b", text):
                out |= cells(ref)
        return out

    read, todo = set(), [f for (sheet, _), f in formulas.items() if sheet != "Inputs"]
    while todo:
        for cell in cells(todo.pop()):
            if cell[0] == "Inputs" and cell not in read:
                read.add(cell)
                if cell in formulas:
                    todo.append(formulas[cell])
    ws = wb["Inputs"]
    orange, grey = [], []
    for row in ws.iter_rows():
        for c in row:
            fill = c.fill.fgColor.rgb if c.fill.fill_type else ""
            if str(fill).endswith("FFCC99"):
                orange.append(c.coordinate)
            elif str(fill).endswith("EDEDED"):
                grey.append(c.coordinate)
    assert len(orange) > 50 and grey
    unread = [a for a in orange if ("Inputs", a) not in read]
    assert unread == []
    # Protected without a password: an input can be typed, a formula not overwritten.
    assert all(w.protection.sheet for w in wb.worksheets)
    assert not any(ws[a].protection.locked for a in orange)
    assert all(wb[s][a].protection.locked for s, a in list(formulas)[:500])
    # The horizon is set apart whatever reads it; a grey value says where it is set.
    fields = {ws.cell(r, 4).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, 4).value}
    horizon = fields["finance.horizon_years"]
    assert ws.cell(horizon, 2).coordinate in grey
    assert ws.cell(horizon, 5).value.startswith("Set in MinePivot: re-export to change.")
    # Every Field names a path of the project file (a matrix row: its row).
    assert "site.energy.price_source.matrix_usd_per_mwh[0]" in fields
    missing = [f for f in fields if f != "Field" and not has_path(project, f)]
    assert missing == []


@needs_soffice
def test_integrity_checks_survive_an_edit_and_catch_an_overwritten_formula(exported, tmp_path):
    # A board member raises the fixed opex: the workbook recalculates, its identities still
    # hold ("all pass"), and only the export-time comparison says the inputs changed. A value
    # typed over a revenue formula breaks "revenue lines add up to total revenue".
    _, result, path = exported
    wb = openpyxl.load_workbook(path)
    inputs = wb["Inputs"]
    row = next(
        r
        for r in range(1, inputs.max_row + 1)
        if inputs.cell(r, 4).value == "site.fixed_opex_usd_per_year"
    )
    inputs.cell(row, 2).value = inputs.cell(row, 2).value * 1.1
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    sheet = wb[result.strategies[0].name]
    total = next(
        r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "Revenue, total"
    )
    sheet.cell(total, 7).value = 123.0  # the second month's total, typed over its formula
    broken = tmp_path / "broken.xlsx"
    wb.save(broken)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    after = openpyxl.load_workbook(recalculate(edited, tmp_path / "a"), data_only=True)
    assert after["Summary"]["B6"].value == "all pass"
    assert after["Summary"]["B7"].value == "no: inputs changed"
    npv = kpi_table(after)["NPV"][result.strategies[0].name]
    assert npv < result.strategies[0].kpis.npv_usd  # dearer opex, lower NPV
    checks = after["Checks"]
    assert not any(v == "#VALUE!" for row in checks.iter_rows(values_only=True) for v in row)
    wrong = openpyxl.load_workbook(recalculate(broken, tmp_path / "b"), data_only=True)
    assert wrong["Summary"]["B6"].value == "CHECK FAILED"
    failed = [
        r[0]
        for r in wrong["Checks"].iter_rows(values_only=True)
        if r and r[4] is False and isinstance(r[0], str)
    ]
    assert f"{result.strategies[0].name}: revenue lines add up to total revenue" in failed


def test_no_horizon_or_catalog_price_literal_sits_in_a_formula(exported):
    # The horizon (120 months: 119 is its last index) and the catalog's S21 price ($3,400)
    # are cells on Inputs, set in MinePivot, that the formulas name (HorizonMonths, the
    # catalog price row); a cell reference such as $F$120 is not a literal.
    _, _, path = exported
    wb = openpyxl.load_workbook(path)
    literal = re.compile(r"(?<![\w$.:])(119|120|3400(?:\.0)?)(?![\w.])")
    found = [
        (ws.title, c.coordinate, c.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=") and literal.search(c.value)
    ]
    assert found == []
    assert "HorizonMonths" in wb.defined_names


def test_an_export_reports_its_stages_and_stops_when_asked(tmp_path):
    # The desktop shows these stages in its progress dialog; a stop asked before the file is
    # written leaves no file.
    from core.tasks import Cancelled, TaskState

    project = example_project()
    seen: list[tuple[float, str]] = []
    out = tmp_path / "board.xlsx"
    export_workbook(project, out, state=TaskState(report=lambda f, s: seen.append((f, s))))
    stages = [s for _, s in seen]
    assert stages[0] == "Inputs" and stages[-1] == "Writing the file"
    assert all(s.name in stages for s in project.strategies)
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and 0 <= fractions[0] and fractions[-1] < 1
    stop_after = {"Summary and checks"}
    asked: list[str] = []
    state = TaskState(
        stop_requested=lambda: bool(asked) and asked[-1] in stop_after,
        report=lambda f, s: asked.append(s),
    )
    other = tmp_path / "stopped.xlsx"
    with pytest.raises(Cancelled):
        export_workbook(project, other, state=state)
    assert not other.exists()
