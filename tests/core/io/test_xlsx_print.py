"""The workbook prints as a board reads it: the example with hourly prices converts to a PDF
of at most 40 pages (it was 234), Summary, Inputs and Checks one page wide, Inputs on at most
six pages, the hourly sheets their heading only, the strategy sheets one page tall."""

from __future__ import annotations

import collections
import subprocess

import openpyxl

from core.io.example import example_project
from core.io.xlsx.export import export_workbook
from core.model.project import HourlySeriesPrice
from tests.core.io.test_xlsx import SOFFICE, needs_soffice


def _hourly_example():
    """The example on a year of hourly prices (a daily shape with a few spikes)."""
    project = example_project()
    prices = HourlySeriesPrice(
        first_year=2025,
        years_usd_per_mwh=[
            [
                22.0 + 18.0 * ((h % 24) in range(15, 21)) + (250.0 if h % 613 == 0 else 0.0)
                for h in range(8760)
            ]
        ],
        source_name="test prices",
    )
    energy = project.site.energy.model_copy(update={"price_source": prices})
    return project.model_copy(update={"site": project.site.model_copy(update={"energy": energy})})


def test_the_print_setup_of_each_sheet(tmp_path):
    path = export_workbook(_hourly_example(), tmp_path / "board.xlsx")
    wb = openpyxl.load_workbook(path)
    for name in ("Summary", "Inputs", "Checks", "Sources"):
        setup = wb[name].page_setup
        assert wb[name].sheet_properties.pageSetUpPr.fitToPage, name
        # One page wide (1 is the file's default, left unwritten), as many tall as it takes.
        assert setup.fitToWidth in (None, 1) and setup.orientation == "landscape", name
    assert wb["Inputs"].print_area.startswith("'Inputs'!$A$1:$E$")  # label … meaning
    for name in ("Prices", "Market"):  # their heading only, and a header saying why
        area = wb[name].print_area
        assert area.endswith("$1"), (name, area)
        assert "for the screen, not for print" in wb[name].oddHeader.left.text
    keep = wb["Keep mining"]
    assert keep.page_setup.fitToHeight in (None, 1) and keep.page_setup.fitToWidth == 0


@needs_soffice
def test_the_hourly_example_prints_on_at_most_40_pages(tmp_path):
    path = export_workbook(_hourly_example(), tmp_path / "board.xlsx")
    profile = tmp_path / "profile"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    pdf = tmp_path / "board.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")[:-1]
    assert len(pages) <= 40, f"{len(pages)} pages"
    firsts = collections.Counter(
        next((line.strip() for line in page.splitlines() if line.strip()), "")[:20]
        for page in pages
    )
    inputs = sum(n for first, n in firsts.items() if first.startswith("Inputs"))
    assert 1 <= inputs <= 6, firsts
    summary = sum(n for first, n in firsts.items() if first.startswith("MinePivot feasib"))
    assert summary == 1  # the Summary: one page
    screen = [f for f in firsts if f.startswith("This sheet's")]
    assert sum(firsts[f] for f in screen) == 2  # Prices and Market: a page each
