"""``minepivot --smoke-test OUT_DIR [PROJECT]``: prove a build works end to end.

Opens the project (the bundled example by default) in the main window, waits for the first
paint and the recompute, runs the risk analysis on fewer paths, exports a workbook (with its
Risk sheet) and a chart PNG into OUT_DIR, checks both can be read back, and exits 0. Any
failure exits 1 with the reason. The harness (``build/package_test.py``) times the start-up
from the ``first_paint_unix`` line."""

from __future__ import annotations

import math
import sys
import time
import traceback
import zipfile
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QImage

from core.io.projectfile import ProjectFileError, load_project
from core.resources import example_project_path


class SmokeFailure(Exception):
    pass


class FirstPaint(QObject):
    """Notes the wall-clock time of the window's first paint."""

    def __init__(self):
        super().__init__()
        self.at: float | None = None

    def eventFilter(self, obj, event) -> bool:
        if self.at is None and event.type() == QEvent.Type.Paint:
            self.at = time.time()
        return False


def check_workbook(path: Path) -> list[str]:
    """The sheet names of an .xlsx, read back with the standard library only."""
    if not path.is_file() or path.stat().st_size == 0:
        raise SmokeFailure(f"the workbook {path} was not written")
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
            if bad is not None:
                raise SmokeFailure(f"the workbook {path} is corrupt at {bad}")
            book = zf.read("xl/workbook.xml").decode("utf-8")
    except (zipfile.BadZipFile, KeyError) as exc:
        raise SmokeFailure(f"the workbook {path} cannot be read: {exc}") from None
    return [part.split('"', 1)[0] for part in book.split('<sheet name="')[1:]]


def _run(out_dir: Path, project_path: Path) -> None:
    from gui.app import application, scratch_settings

    out_dir.mkdir(parents=True, exist_ok=True)
    app = application()
    with scratch_settings() as settings:
        _check_window(app, settings, out_dir, project_path)


def _check_window(app, settings, out_dir: Path, project_path: Path) -> None:
    from core.io.xlsx.export import export_workbook
    from core.risk.sensitivity import analyse
    from gui.app import settle
    from gui.mainwindow import MainWindow

    window = MainWindow(settings=settings)
    first_paint = FirstPaint()
    window.installEventFilter(first_paint)
    try:
        load_project(project_path)
    except ProjectFileError as exc:
        raise SmokeFailure(f"cannot open {project_path}: {exc}") from None
    # The same path as `MinePivot PROJECT` and a file association take.
    if not window.open_path(project_path, ask=False) or window.doc.path != project_path:
        raise SmokeFailure(f"the window did not open {project_path}")
    window.show()
    deadline = time.monotonic() + 30
    while first_paint.at is None and time.monotonic() < deadline:
        app.processEvents()
    if first_paint.at is None:
        raise SmokeFailure("the main window was not painted within 30 s")
    print(f"first_paint_unix={first_paint.at:.6f}", flush=True)
    settle(app, window)
    result = window.doc.result
    if result is None:
        raise SmokeFailure("the recompute produced no result")
    for strategy in result.strategies:
        npv = strategy.kpis.npv_usd
        if not math.isfinite(npv):
            raise SmokeFailure(f"strategy {strategy.name!r}: NPV is {npv}")
        print(f"strategy {strategy.name}: NPV {npv / 1e6:,.1f} M USD", flush=True)
    # The risk analysis on fewer paths (its numbers are tested elsewhere; here: that it runs).
    project = window.doc.project
    quick = project.risk.model_copy(update={"paths": 1000, "split_paths": 200, "split_steps": 5})
    project = project.model_copy(update={"risk": quick})
    risk = analyse(project)
    print(f"risk: {risk.monte_carlo.paths:,} paths in {risk.seconds:.2f} s", flush=True)
    workbook = out_dir / "smoke.xlsx"
    export_workbook(project, workbook, None, window.doc.last_goal_seek, risk=risk)
    sheets = check_workbook(workbook)
    if "Summary" not in sheets or "Risk" not in sheets:
        raise SmokeFailure(f"the workbook lacks its Summary or Risk sheet (sheets: {sheets})")
    print(f"workbook {workbook}: {len(sheets)} sheets ({', '.join(sheets)})", flush=True)
    png = window.dashboard.cumulative.export(out_dir / "cumulative.png")
    image = QImage(str(png))
    if image.isNull() or image.width() < 100:
        raise SmokeFailure(f"the chart PNG {png} cannot be read back")
    print(f"chart {png}: {image.width()}×{image.height()} px", flush=True)
    window.doc.undo_stack.setClean()
    window.close()


def smoke_test(out_dir: Path, project_path: Path | None = None) -> int:
    try:
        _run(out_dir, project_path or example_project_path())
    except SmokeFailure as exc:
        print(f"smoke test failed: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # any crash is a failed smoke test, with its traceback
        traceback.print_exc()
        print(f"smoke test failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print("smoke test passed", flush=True)
    return 0
