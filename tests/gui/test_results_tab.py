"""The Results tab: the annual statement of the chosen strategy, copied as numbers."""

from PySide6.QtCore import QLocale
from PySide6.QtGui import QGuiApplication


def test_results_tab_shows_the_annual_statement_and_copies_it(qtbot, window):
    view = window.results_view
    window.views.setCurrentWidget(view)
    view.strategy.setCurrentText("Convert to AI")
    table = view.table
    labels = [table.verticalHeaderItem(r).text() for r in range(table.rowCount())]
    assert labels[0] == "Mining revenue" and "EBITDA" in labels and "Free cash flow" in labels
    assert table.columnCount() == 11  # ten years and the total
    capex = labels.index("Capex")
    first = table.item(capex, 0).text()
    assert first.startswith("\u2212")  # a real minus sign
    fcf = window.doc.result.by_name("Convert to AI").monthly["fcf_usd"]
    total = table.item(labels.index("Free cash flow"), 10).text()
    assert total == f"{fcf.sum() / 1e6:,.1f}"
    view.copy()
    text = QGuiApplication.clipboard().text()
    head, *rows = text.splitlines()
    assert head.startswith("USD\tYear 1 (2027-01 to 2027-12)")
    fcf_row = next(r for r in rows if r.startswith("Free cash flow\t")).split("\t")
    assert float(fcf_row[-1]) == round(fcf.sum(), 2)


def test_results_tab_catches_up_with_edits_made_while_hidden(qtbot, window):
    view = window.results_view
    window.views.setCurrentWidget(view)
    window.views.setCurrentWidget(window.dashboard)
    window.doc.set_value("market.btc_price_usd", 150_000.0)
    window.doc.recompute()
    window.views.setCurrentWidget(view)
    view.strategy.setCurrentText("Keep mining")
    table = view.table
    labels = [table.verticalHeaderItem(r).text() for r in range(table.rowCount())]
    fcf = window.doc.result.by_name("Keep mining").monthly["fcf_usd"]
    assert table.item(labels.index("Free cash flow"), 10).text() == f"{fcf.sum() / 1e6:,.1f}"


def test_the_copied_table_uses_the_locale_decimal_mark(qtbot, window, locale):
    """A German spreadsheet reads "1234,50" as a number and "1234.50" as text: the copy follows
    the system locale (no thousands separator in either)."""
    view = window.results_view
    window.views.setCurrentWidget(view)
    view.strategy.setCurrentText("Convert to AI")
    fcf = window.doc.result.by_name("Convert to AI").monthly["fcf_usd"]
    locale(QLocale.Language.German, QLocale.Country.Germany)
    view.copy()
    rows = QGuiApplication.clipboard().text().splitlines()
    assert rows[0].startswith("USD\tYear 1 (2027-01 to 2027-12)")  # the header as it was
    total = next(r for r in rows if r.startswith("Free cash flow\t")).split("\t")[-1]
    assert total == f"{fcf.sum():.2f}".replace(".", ",")
