"""Start-up: a fresh process opens the example with its charts drawn from the first paint
(the first results are computed before the window shows), and says when, for the bench."""

import os
import subprocess
import sys

from core.resources import example_project_path


def test_the_startup_probe_reports_the_window_and_its_charts(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "gui.main", "open", str(example_project_path()), "--startup-probe"],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)},
    )
    assert run.returncode == 0, run.stderr
    marks = dict(
        line.split("=", 1) for line in run.stdout.splitlines() if line.startswith("startup_")
    )
    window, charts = float(marks["startup_window_unix"]), float(marks["startup_charts_unix"])
    assert window <= charts
    # The probe's scratch settings leave the user's alone: nothing written under HOME.
    assert not any(tmp_path.rglob("*.conf")) and not any(tmp_path.rglob("*.ini"))


def test_a_window_built_on_its_project_has_results_before_it_shows(qtbot, settings):
    # What open_app does: the project read first, the window built once on it, the first
    # results and the strategy charts drawn before the first paint.
    from core.io.projectfile import load_project
    from gui.mainwindow import MainWindow

    path = example_project_path()
    window = MainWindow(load_project(path), path, settings)
    window.doc.recompute()
    window.dashboard.draw_now()
    assert window.doc.result is not None and not window.dashboard.updating()
    assert window.dashboard.stack.plot.plotItem.listDataItems()  # drawn, not empty
    window.doc.undo_stack.setClean()
    window.close()
