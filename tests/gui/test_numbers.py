"""Numbers as a finance user reads them: thousands grouped, no exponent, the system locale's
separators in the fields (project files and the workbook stay locale-free), none in a seed."""

import subprocess

import pytest
from PySide6.QtCore import QLocale

from core.model.format import money as plain_money
from gui.widgets.numbers import format_number, parse_number


def test_english_numbers_are_grouped_with_no_exponent(locale):
    locale(QLocale.Language.English, QLocale.Country.UnitedStates)
    assert format_number(60_000) == "60,000"
    assert format_number(60_000.0) == "60,000"
    assert format_number(1.6e14) == "160,000,000,000,000"  # not "1.6e+14"
    assert format_number(0.1 + 0.2) == "0.3"  # 10 significant digits
    assert format_number(0.025) == "0.025"
    assert format_number(-1_234.5) == "-1,234.5"
    assert format_number(2.5e-7) == "0.00000025"
    assert format_number(20_261, grouped=False) == "20261"  # a seed
    assert parse_number("160,000,000,000,000", integer=False) == 1.6e14
    assert parse_number("$95,000", integer=False) == 95_000
    assert parse_number("3 %", integer=False) == 3


def test_german_numbers_use_its_separators(locale):
    locale(QLocale.Language.German, QLocale.Country.Germany)
    assert format_number(60_000) == "60.000"
    assert format_number(1_234.5) == "1.234,5"
    assert format_number(0.025) == "0,025"
    assert format_number(20_261, grouped=False) == "20261"
    assert parse_number("1.234,5", integer=False) == 1_234.5
    assert parse_number("95.000", integer=True) == 95_000
    with pytest.raises(ValueError):
        parse_number("1.234,5", integer=True)


def test_french_numbers_group_with_a_narrow_space(locale):
    locale(QLocale.Language.French, QLocale.Country.France)
    group = QLocale().groupSeparator()
    assert format_number(60_000) == f"60{group}000"
    assert format_number(0.5) == "0,5"
    assert parse_number("60 000", integer=True) == 60_000  # typed with a plain space
    assert parse_number(f"1{group}234,5", integer=False) == 1_234.5


def test_the_fields_show_grouped_numbers_and_seeds_without(window):
    market = window.market_panel.fields
    assert market["market.difficulty"].editor.text() == "160,000,000,000,000"
    assert window.risk_panel.fields["risk.seed"].editor.text().isdigit()


def test_a_figure_takes_the_locale_separators_and_nothing_else_does(locale):
    from gui.widgets.numbers import general_change, localise, localise_warning, money, pct

    locale(QLocale.Language.German, QLocale.Country.Germany)
    assert localise("$1,234.5 M") == "$1.234,5 M"
    assert localise("−$102.9 M · IRR 17.2 % · payback 71 mo (5.9 y)") == (
        "−$102,9 M · IRR 17,2 % · payback 71 mo (5,9 y)"
    )
    assert localise("P10, 50 and 90 of 2,000 paths.") == "P10, 50 and 90 of 2.000 paths."
    assert localise("2027-01, seed 20261") == "2027-01, seed 20261"  # no separator in either
    assert money(154_012_345) == "$154,0 M"  # the model's wording, German separators
    assert money(1.234e9) == "$1,23 B"
    assert pct(-0.045) == "\u22124,5 %"
    assert general_change(-2.5) == "\u22122,5"
    assert localise_warning("Phase 1.5: $86.7 M of debt is still owed") == (
        "Phase 1.5: $86,7 M of debt is still owed"  # the strategy's name as typed
    )
    locale(QLocale.Language.English, QLocale.Country.UnitedStates)
    assert money(154_012_345) == "$154.0 M"
    assert localise("$1,234.5 M") == "$1,234.5 M"


def test_cards_compare_and_report_read_in_the_locale(window, locale, tmp_path):
    """A German system: the card, the Compare table and the board report give the NPV in
    German separators ("$51,5 M"), in the model's own wording."""
    k = window.doc.result.strategies[0].kpis
    german = plain_money(k.npv_usd).replace(".", ",")
    assert german != plain_money(k.npv_usd)  # the figure has a decimal to show
    locale(QLocale.Language.German, QLocale.Country.Germany)
    window.doc.recompute()
    window.dashboard.draw_now()
    assert window.cards.cards[0].npv.text() == f"NPV {german}"
    assert window.compare.item(0, 0).text() == german
    out = tmp_path / "board.pdf"
    assert window.export_report(out, "a4")
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert german in text
