"""Per panel: change a widget → the project changes → the chart data changes."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from tests.gui.conftest import curve_y, settle, type_into


def test_btc_price_moves_project_cumulative_and_hashprice(qtbot, window):
    before_cum, before_hp = curve_y(window), window.dashboard.hashprice.curve.yData.copy()
    type_into(window.market_panel.fields["market.btc_price_usd"], "120,000")
    assert window.doc.project.market.btc_price_usd == 120_000
    settle(qtbot, window)
    assert not np.array_equal(curve_y(window), before_cum)
    # Hashprice is proportional to price: ×120/95 in the first month.
    assert window.dashboard.hashprice.curve.yData[0] == pytest.approx(
        before_hp[0] * 120 / 95, rel=1e-9
    )


def test_invalid_value_marks_the_field_and_keeps_the_charts(qtbot, window):
    field = window.site_panel.fields["site.interconnect_mw"]
    before = curve_y(window)
    type_into(field, "-5")
    assert field.has_error and "must be > 0, got -5" in field.error_label.text()
    assert window.doc.project.site.interconnect_mw == 100
    type_into(field, "abc")
    assert "must be a number, got 'abc'" in field.error_label.text()
    settle(qtbot, window)
    assert np.array_equal(curve_y(window), before)
    type_into(field, "120")
    assert not field.has_error and window.doc.project.site.interconnect_mw == 120


def test_fixed_opex_and_tnd_adder_move_the_cash_flow(qtbot, window):
    before = curve_y(window)
    type_into(window.site_panel.fields["site.fixed_opex_usd_per_year"], "5,000,000")
    settle(qtbot, window)
    after_opex = curve_y(window)
    assert after_opex[-1] < before[-1]
    type_into(window.site_panel.fields["site.energy.tnd_adder_usd_per_mwh"], "10")
    settle(qtbot, window)
    assert curve_y(window)[-1] < after_opex[-1]


def test_contract_choice_needs_a_block_size(qtbot, window):
    field = window.site_panel.fields["site.energy.contract"]
    field.editor.setCurrentIndex(1)
    field.editor.activated.emit(1)
    assert window.doc.project.site.energy.contract == "index"  # refused: no block yet
    assert "fixed_block_mw: must be > 0" in field.error_label.text()
    type_into(window.site_panel.fields["site.energy.fixed_block_mw"], "95")
    type_into(window.site_panel.fields["site.energy.fixed_price_usd_per_mwh"], "35")
    field.editor.activated.emit(1)
    assert window.doc.project.site.energy.contract == "fixed_block"
    settle(qtbot, window)
    credits = window.doc.result.by_name("Keep mining").monthly["power_credits_usd"]
    assert credits.sum() > 0


def test_time_of_use_cell_edit_reaches_the_hourly_chart(qtbot, window):
    grid = window.site_panel.price.grid
    # Row = hour 03:00, column = February: January has 744 hours, so Feb 1st 03:00 is 747.
    grid.item(3, 1).setText("77")
    assert window.doc.project.site.energy.price_source.matrix_usd_per_mwh[1][3] == 77
    settle(qtbot, window)
    assert window.dashboard.hourly.price.yData[744 + 3] == pytest.approx(77.0)
    grid.item(3, 1).setText("x")
    price = window.site_panel.price
    assert price.grid_error.text() == (
        "Time-of-use price, Feb 03:00: must be a number in USD/MWh, got 'x'"
    )
    assert grid.item(3, 1).background().color().name() == "#ffcdd2"  # marked red
    assert window.invalid_label.isVisible()  # the results are the last valid grid's
    assert window.doc.project.site.energy.price_source.matrix_usd_per_mwh[1][3] == 77
    grid.item(3, 1).setText("nan")  # not finite: refused too
    assert "must be a number" in price.grid_error.text()
    grid.item(3, 1).setText("78")
    assert price.grid_error.text() == "" and not window.invalid_label.isVisible()
    assert grid.item(3, 1).background().style() == Qt.BrushStyle.NoBrush
    grid.item(2, 1).setText("abc")
    window.doc.undo_stack.undo()  # a refresh rewrites the grid: no mark stays
    assert price.grid_error.text() == "" and not window.invalid_label.isVisible()


def test_switching_to_a_flat_price(qtbot, window):
    kind = window.site_panel.price.kind
    kind.setCurrentIndex(0)
    kind.activated.emit(0)
    src = window.doc.project.site.energy.price_source
    assert src.kind == "flat" and src.price_usd_per_mwh > 0
    type_into(
        window.site_panel.price.flat_fields["site.energy.price_source.price_usd_per_mwh"], "31"
    )
    assert window.doc.project.site.energy.price_source.price_usd_per_mwh == 31


def test_importing_a_price_csv_shows_a_preview(qtbot, window, tmp_path):
    lines = ["timestamp_utc,price_usd_per_mwh"]
    from datetime import datetime, timedelta

    t = datetime(2023, 1, 1, 6)
    lines += [f"{(t + timedelta(hours=h)).isoformat()}Z,{20 + h % 24}" for h in range(8760)]
    path = tmp_path / "prices.csv"
    path.write_text("\n".join(lines))
    assert window.prices.import_csv(path)
    src = window.doc.project.site.energy.price_source
    assert src.kind == "hourly" and src.first_year == 2023
    assert window.site_panel.price.stack.currentIndex() == 2
    assert window.site_panel.price.preview_curve.yData.size == 8760
    settle(qtbot, window)
    assert window.dashboard.hourly.price.yData[0] == pytest.approx(20.0)


def test_a_bad_price_csv_lists_its_problems(qtbot, window, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("2023-01-01 00:00,abc\n2023-01-01 01:00,\n")
    before = window.doc.project
    assert not window.prices.import_csv(path)
    items = [
        window.problems_dialog.list.item(i).text()
        for i in range(window.problems_dialog.list.count())
    ]
    assert items == ["line 1: price 'abc' is not a number", "line 2: price is empty"]
    assert window.doc.project is before


def test_demand_response_enrolment_changes_income(qtbot, window):
    type_into(window.dr_panel.fields["site.demand_response.enrolled_mw"], "0")
    settle(qtbot, window)
    assert window.doc.result.by_name("Keep mining").monthly["dr_capacity_usd"].sum() == 0
    assert not window.dashboard.stack.bars["dr_capacity_usd"].isVisible()


def test_horizon_changes_the_timeline(qtbot, window):
    type_into(window.finance_panel.fields["finance.horizon_years"], "15")
    settle(qtbot, window)
    assert curve_y(window).size == 180
    assert window.dashboard.hourly.year.maximum() == 15


def test_yearly_btc_table_field(qtbot, window):
    field = window.market_panel.fields["market.btc_price_by_year_usd"]
    type_into(field, "80,000; 90,000")
    assert window.doc.project.market.btc_price_by_year_usd == [80_000, 90_000]
    type_into(field, "")
    assert window.doc.project.market.btc_price_by_year_usd is None


def test_tooltips_carry_units_and_sources(window):
    tip = window.dr_panel.fields["site.demand_response.capacity_usd_per_mw_month"].editor.toolTip()
    assert "ERS" in tip and "USD/MW-month" in tip


def test_hover_readout(qtbot, window):
    text = window.dashboard.cumulative.describe(12, 0)
    assert text.startswith("2028-01") and "Keep mining" in text


def test_chart_export_png_and_svg(qtbot, window, tmp_path):
    chart = window.dashboard.cumulative
    window.show()
    QApplication.processEvents()
    on_screen = (chart.plot.size(), chart.legend.columnCount, chart.plot.getAxis("left").width())
    png = chart.export(tmp_path / "c.png")
    svg = window.dashboard.hourly.export(tmp_path / "h.svg")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    assert b"<svg" in svg.read_bytes()[:2000]
    # A slide picture: 16:9 at 2560 × 1440 pixels, with the chart's title in it.
    image = QImage(str(png))
    assert (image.width(), image.height()) == (2560, 1440)
    assert b"Hourly price and curtailment" in svg.read_bytes()
    # The screen's layout is as it was.
    after = (chart.plot.size(), chart.legend.columnCount, chart.plot.getAxis("left").width())
    assert after == on_screen
    assert not chart.plot.plotItem.titleLabel.isVisible()


def test_legends_sit_below_the_data_and_axes_never_rescale(qtbot, window):
    window.show()
    QApplication.processEvents()
    for chart in window.dashboard.charts:
        vb = chart.plot.plotItem.vb.sceneBoundingRect()
        if chart.legend.items:
            legend = chart.legend.sceneBoundingRect()
            assert legend.top() >= vb.bottom(), chart.title
            assert legend.width() <= chart.plot.width(), chart.title
        assert not chart.plot.getAxis("left").autoSIPrefix  # no "(x0.001)" on an empty chart
    assert chart.plot.getAxis("left").tickStrings([-5.0], 1, 1) == ["\u22125"]


def test_reset_view_after_zoom(qtbot, window):
    vb = window.dashboard.cumulative.plot.plotItem.vb
    vb.setXRange(10, 20)
    window.dashboard.cumulative.reset_view()
    lo, hi = vb.viewRange()[0]
    assert lo <= 0 and hi >= 119


def test_legend_toggle_hides_a_curve(qtbot, window):
    curve = window.dashboard.cumulative.curves["Hybrid"]
    sample = next(
        s for s, label in window.dashboard.cumulative.legend.items if label.text == "Hybrid"
    )
    qtbot.mouseClick(
        window.dashboard.cumulative.plot.viewport(), Qt.MouseButton.LeftButton
    )  # focus
    sample.mouseClickEvent(_FakeClick())
    assert not curve.isVisible()


class _FakeClick:
    def button(self):
        return Qt.MouseButton.LeftButton

    def accept(self):
        pass


def test_the_import_dialog_asks_for_the_file_clock(qtbot, window, tmp_path, monkeypatch):
    from datetime import datetime, timedelta

    from PySide6.QtWidgets import QDialog, QFileDialog

    from gui.inputs.importprices import FileClockDialog

    # A year of UTC hours without a zone: the price is the UTC hour of the day.
    t = datetime(2023, 1, 1)
    rows = [f"{t + timedelta(hours=h):%Y-%m-%d %H:%M},{h % 24}" for h in range(8760 + 24)]
    path = tmp_path / "utc.csv"
    path.write_text("\n".join(rows))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))

    def answer(dialog):
        dialog.kind.setCurrentIndex(dialog.kind.findData("utc"))
        assert not dialog.zone.isEnabled() and not dialog.offset.isEnabled()
        dialog.site.setValue(-6.0)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(FileClockDialog, "exec", answer)
    window.prices.import_csv_dialog()
    src = window.doc.project.site.energy.price_source
    # Local midnight (UTC−6) is 06:00 UTC: the first local hour costs 6.
    assert src.kind == "hourly" and src.years_usd_per_mwh[0][:2] == [6.0, 7.0]
    assert "UTC moved to the site's standard time, UTC−6" in window.statusBar().currentMessage()
    again = FileClockDialog("x.csv", window.settings)  # the choice is remembered
    assert again.file_clock() == "UTC"
    again.kind.setCurrentIndex(again.kind.findData("zone"))
    again.zone.setCurrentText("America/Chicago")
    assert again.zone.isEnabled() and again.file_clock() == "America/Chicago"


def test_the_import_dialog_settles_the_decimal_mark_and_repeats(
    qtbot, window, tmp_path, monkeypatch
):
    from datetime import datetime, timedelta

    from PySide6.QtWidgets import QDialog, QFileDialog

    from gui.inputs.importprices import FileClockDialog

    # Headerless "time,20,37": refused as it stands (20.37, or 20 and a column?).
    t = datetime(2023, 1, 1)
    path = tmp_path / "eu.csv"
    path.write_text(
        "\n".join(f"{t + timedelta(hours=h):%Y-%m-%d %H:%M},20,37" for h in range(8760))
    )
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    before = window.doc.project
    monkeypatch.setattr(FileClockDialog, "exec", lambda d: QDialog.DialogCode.Accepted)
    window.prices.import_csv_dialog()
    assert window.doc.project is before
    first = window.problems_dialog.list.item(0).text()
    assert "a price of 20.37 written with a decimal comma" in first

    def comma(dialog):
        assert dialog.decimal.currentData() is None  # the file decides, by default
        dialog.decimal.setCurrentIndex(dialog.decimal.findData("comma"))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(FileClockDialog, "exec", comma)
    window.prices.import_csv_dialog()
    src = window.doc.project.site.energy.price_source
    assert src.kind == "hourly" and set(src.years_usd_per_mwh[0]) == {20.37}
    assert FileClockDialog("x.csv", window.settings).decimal.currentData() == "comma"
    assert not FileClockDialog("x.csv", window.settings).choices().average_duplicates


def test_the_mouse_wheel_over_a_choice_scrolls_the_panel_not_the_choice(qtbot, window):
    # Scrolling the Strategies form over the ASIC model box must not pick another model.
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    panel = window.strategies_panel
    window.show_tab("Strategies")
    panel.list.setCurrentRow(0)
    panel.blocks.setCurrentRow(0)
    path = "strategies[0].blocks[0].asic_model"
    qtbot.waitUntil(lambda: path in panel.block_fields)
    box = panel.block_fields[path].editor
    before = window.doc.project.strategies[0].blocks[0].asic_model
    centre = QPointF(box.rect().center())
    wheel = QWheelEvent(
        centre,
        QPointF(box.mapToGlobal(QPoint(int(centre.x()), int(centre.y())))),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(box, wheel)
    assert window.doc.project.strategies[0].blocks[0].asic_model == before
    assert not box.hasFocus()
