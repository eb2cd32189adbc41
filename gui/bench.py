"""Desktop benchmarks: edit-to-chart latency on the example project (``edit_to_chart_ms``, and
``edit_to_chart_colo_rate_ms`` for an edit no hour depends on), and the start-up of a fresh
process to the window and to its charts (``startup_to_window_ms``, ``startup_to_charts_ms``)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

import numpy as np


def _idle(app, window) -> None:
    """Let every pending update and paint finish: the user pauses between keystrokes."""
    for _ in range(100):
        app.processEvents()
        if not (window.busy()):
            break
    app.processEvents()


def gui_benchmarks(edits: int = 30) -> dict[str, float]:
    """Type a new BTC price into its field and time until the cumulative chart's data changed
    and was repainted: from an idle window (``edit_to_chart_ms``), with edits back to back,
    as fast as the app takes them (``edit_to_chart_burst_ms``), and with the Risk tab open,
    each edit landing during a risk run (``edit_to_chart_risk_running_ms``). Then type a new
    colocation rate for Convert to AI's tenant, idle between edits
    (``edit_to_chart_colo_rate_ms``): no hourly simulation reruns for it."""
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
    curve = window.dashboard.cumulative.curves["Keep mining"]
    figures = {}
    modes = (
        ("edit_to_chart_ms", "idle", edits),
        ("edit_to_chart_burst_ms", "burst", edits),
        # The Risk tab open: each edit lands while a risk run works on the other core.
        ("edit_to_chart_risk_running_ms", "risk", 12),
    )
    for key, mode, count in modes:
        times = []
        if mode == "risk":
            window.views.setCurrentWidget(window.risk_view)
        for i in range(count + 3):
            if mode == "idle":
                _idle(app, window)
            elif mode == "risk":
                _wait_for_risk_run(app, window)
            text = f"{90_000 + 250 * (i % 20) + (i // 20) + len(mode)}"
            ms = _edit_to_chart_ms(app, window, field, curve, text)
            if i >= 3:
                times.append(ms)
        figures[key] = statistics.median(times)
    window.views.setCurrentIndex(0)
    figures["edit_to_chart_colo_rate_ms"] = _colo_rate_edits(app, window, edits)
    window.doc.undo_stack.setClean()
    window.close()
    return figures


def _colo_rate_edits(app, window, edits: int) -> float:
    """Median ms from typing a colocation rate to the Convert to AI curve redrawn."""
    panel = window.strategies_panel
    window.inputs.setCurrentWidget(panel)
    panel.list.setCurrentRow(1)  # Convert to AI: the fleet, then the colocation block
    panel.blocks.setCurrentRow(1)
    path = "strategies[1].blocks[1].colo_usd_per_kw_month"
    t0 = time.perf_counter()
    while path not in panel.block_fields:
        app.processEvents()
        if time.perf_counter() - t0 > 5:
            raise RuntimeError("the colocation block's form did not open")
    field = panel.block_fields[path]
    curve = window.dashboard.cumulative.curves["Convert to AI"]
    times = []
    for i in range(edits + 3):
        _idle(app, window)
        ms = _edit_to_chart_ms(app, window, field, curve, f"{130 + (i % 20) + (i // 20) / 10:g}")
        if i >= 3:
            times.append(ms)
    return statistics.median(times)


def _edit_to_chart_ms(app, window, field, curve, text: str) -> float:
    """Type ``text`` into ``field``; ms until ``curve``'s data changed (the typed value's
    preview) and it was repainted. Enter then commits it, outside the timing."""
    before = curve.yData.copy()
    t0 = time.perf_counter()
    field.editor.setText(text)
    field.editor.textEdited.emit(text)
    while np.array_equal(curve.yData, before):
        app.processEvents()
        if time.perf_counter() - t0 > 5:
            raise RuntimeError("the chart did not change within 5 s of an edit")
    window.dashboard.cumulative.plot.repaint()
    ms = (time.perf_counter() - t0) * 1e3
    field.editor.returnPressed.emit()
    return ms


def _wait_for_risk_run(app, window, timeout_s: float = 10.0) -> None:
    """Pause long enough for the debounced risk run to start, then a little into it."""
    t0 = time.perf_counter()
    while not window.risk_view.runner.running and time.perf_counter() - t0 < timeout_s:
        app.processEvents()
    t1 = time.perf_counter()
    while time.perf_counter() - t1 < 0.2:
        app.processEvents()


def startup_benchmarks(runs: int = 5) -> dict[str, float]:
    """Medians over ``runs`` warm starts (a first, cold one is not counted): a fresh process
    opening the example, from its launch to the window's first paint, and to its charts drawn
    with the first results."""
    from core.resources import example_project_path

    command = [
        sys.executable,
        "-m",
        "gui.main",
        "open",
        str(example_project_path()),
        "--startup-probe",
    ]
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    window, charts = [], []
    for k in range(runs + 1):
        t0 = time.time()
        out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
        marks = dict(
            line.split("=", 1) for line in out.stdout.splitlines() if line.startswith("startup_")
        )
        if out.returncode or len(marks) != 2:
            raise RuntimeError(f"the start-up probe failed: {out.stderr.strip()[-400:]}")
        if k:  # the first start is cold (files not yet cached)
            window.append((float(marks["startup_window_unix"]) - t0) * 1e3)
            charts.append((float(marks["startup_charts_unix"]) - t0) * 1e3)
    return {
        "startup_to_window_ms": statistics.median(window),
        "startup_to_charts_ms": statistics.median(charts),
    }
