"""minepivot --screenshot renders the main window at 1440×900 once it has computed."""

import os
import subprocess
import sys

from PySide6.QtGui import QImage


def test_screenshot_command(tmp_path):
    out = tmp_path / "shot.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    run = subprocess.run(
        [sys.executable, "-m", "gui.main", "--screenshot", str(out)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1440, 900)
    # Not blank: the charts draw many colours.
    colours = {image.pixel(x, y) for x in range(0, 1440, 7) for y in range(0, 900, 7)}
    assert len(colours) > 50


def test_screenshot_of_a_bad_project_exits_2(tmp_path):
    bad = tmp_path / "bad.minepivot"
    bad.write_text("{")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    run = subprocess.run(
        [sys.executable, "-m", "gui.main", "--screenshot", str(tmp_path / "x.png"), str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert run.returncode == 2 and "not valid JSON" in run.stderr
