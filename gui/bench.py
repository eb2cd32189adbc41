"""Desktop benchmark: edit-to-chart latency on the example project (``edit_to_chart_ms``)."""

from __future__ import annotations

import os
import statistics
import time

import numpy as np


def _idle(app, window) -> None:
    """Let every pending update and paint finish: the user pauses between keystrokes."""
    for _ in range(100):
        app.processEvents()
        if not (window._secondary_timer.isActive() or window.doc._recompute_timer.isActive()):
            break
    app.processEvents()


def gui_benchmarks(edits: int = 30) -> dict[str, float]:
    """Type a new BTC price into its field and time until the cumulative chart's data changed
    and was repainted: from an idle window (``edit_to_chart_ms``) and with edits back to back,
    as fast as the app takes them (``edit_to_chart_burst_ms``)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from gui.app import application, scratch_settings
    from gui.mainwindow import MainWindow

    app = application()
    with scratch_settings() as settings:
        return _measure(app, MainWindow(settings=settings), edits)


def _measure(app, window, edits: int) -> dict[str, float]:
    from gui.app import settle

    window.resize(1440, 900)
    window.show()
    settle(app, window)
    field = window.market_panel.fields["market.btc_price_usd"]
    curve = window.cumulative.curves["Keep mining"]
    figures = {}
    for key, idle in (("edit_to_chart_ms", True), ("edit_to_chart_burst_ms", False)):
        times = []
        for i in range(edits + 3):
            if idle:
                _idle(app, window)
            before = curve.yData.copy()
            text = f"{90_000 + 250 * (i % 20) + (i // 20) + (7 if idle else 3)}"
            t0 = time.perf_counter()
            field.editor.setText(text)
            field.editor.textEdited.emit(text)
            while np.array_equal(curve.yData, before):
                app.processEvents()
                if time.perf_counter() - t0 > 5:
                    raise RuntimeError("the chart did not change within 5 s of an edit")
            window.cumulative.plot.repaint()
            if i >= 3:
                times.append((time.perf_counter() - t0) * 1e3)
        figures[key] = statistics.median(times)
    window.doc.undo_stack.setClean()
    window.close()
    return figures
