"""Numbers as a finance user reads them: thousands grouped, no exponent, the system locale's
separators in the fields (project files and the workbook stay locale-free), none in a seed."""

import pytest
from PySide6.QtCore import QLocale

from gui.widgets.fields import format_number, parse_number


@pytest.fixture
def locale():
    """Set the default locale for a test, and put the previous one back."""
    before = QLocale()
    yield lambda language, country: QLocale.setDefault(QLocale(language, country))
    QLocale.setDefault(before)


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
