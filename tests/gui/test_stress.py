"""500 consecutive input changes with live chart updates: no crash, no growth in Qt objects.

PySide6 6.12.0 with pyqtgraph 0.14.0 aborts the interpreter under exactly this load; the pin to
6.11.3 is what this test guards.
"""

from PySide6.QtCore import QObject

from tests.gui.conftest import type_into


def live_objects(window) -> tuple[int, int]:
    items = sum(
        len(c.plot.scene().items())
        for c in (
            window.dashboard.cumulative,
            window.dashboard.stack,
            window.dashboard.hashprice,
            window.dashboard.hourly,
        )
    )
    return len(window.findChildren(QObject)), items


def test_500_live_updates(qtbot, window):
    field = window.market_panel.fields["market.btc_price_usd"]
    adder = window.site_panel.fields["site.energy.tnd_adder_usd_per_mwh"]
    for i in range(20):  # warm up caches, legends and lazily created items
        type_into(field, f"{90_000 + i}")
        window.doc.recompute()
        qtbot.wait(0)
    baseline = live_objects(window)
    for i in range(500):
        type_into(field, f"{90_000 + 37 * i}")
        if i % 5 == 0:
            type_into(adder, f"{i % 9}")
        window.doc.recompute()  # what the zero-delay timer does, once per change
        window.dashboard.cumulative.plot.repaint()
        window.dashboard.hourly.plot.repaint()
        qtbot.wait(0)
    assert window.doc.project.market.btc_price_usd == 90_000 + 37 * 499
    assert window.dashboard.cumulative.curves["Keep mining"].yData.size == 120
    assert live_objects(window) == baseline
