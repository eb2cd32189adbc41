"""Start the desktop app (``open_app``) or render it once (``screenshot``); the settings and
event-loop helpers that the smoke test and the benchmarks share."""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, QTimer
from PySide6.QtGui import QFileOpenEvent, QIcon
from PySide6.QtWidgets import QApplication

from core.io.atomicfile import cannot_write
from core.io.preflight import compute_problems
from core.io.projectfile import ProjectFileError, load_project
from core.model.project import Project
from core.resources import example_project_path, resource_path


def application() -> QApplication:
    app = cast(QApplication, QApplication.instance() or QApplication(sys.argv[:1]))
    QCoreApplication.setOrganizationName("MinePivot")
    QCoreApplication.setApplicationName("MinePivot")
    app.setWindowIcon(QIcon(str(resource_path("icons", "minepivot.png"))))
    return app


class FileOpenFilter(QObject):
    """macOS hands a double-clicked project to a running app as a FileOpen event, not argv."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            self.window.open_path(Path(event.file()))
            return True
        return False


@contextmanager
def scratch_settings() -> Iterator[QSettings]:
    """Settings in a throwaway file, for runs that must not touch the user's recent files and
    window geometry (screenshot, smoke test, benchmark). Not os.devnull: QSettings saves by
    renaming a temporary file over its target, which would replace the /dev/null device."""
    with tempfile.TemporaryDirectory(prefix="minepivot-") as folder:
        settings = QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)
        try:
            yield settings
        finally:
            # Written now, while the folder exists: a QSettings with unsaved changes writes
            # them when it is destroyed, which would make the folder again after its removal.
            settings.sync()


def settle(app: QApplication, window, goal_seek: bool = True) -> None:
    """Process events until the first results (and, ``goal_seek``, the goal seek's answers)
    have reached the widgets."""
    for _ in range(50):
        app.processEvents()
        if window.doc.result is not None and not window.dashboard.updating():
            break
    if goal_seek:
        window.doc.wait_for_goal_seek()
    for _ in range(20):
        app.processEvents()
    risk = window.risk_view
    if window.views.currentWidget() is risk:  # its tab shown: wait for its analysis
        deadline = time.monotonic() + 120
        while not risk.is_current() and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.01)
        for _ in range(20):
            app.processEvents()


def screenshot(
    out: Path,
    project_path: Path | None,
    size: tuple[int, int] = (1440, 900),
    tab: str | None = None,
) -> int:
    """The window on the project (the example by default) at ``size``, showing ``tab`` (a
    results tab such as "Risk" or an inputs tab such as "Finance"), saved as a PNG, atomically."""
    from gui.mainwindow import MainWindow
    from gui.picture import save_picture

    app = application()
    path = project_path or example_project_path()
    try:
        project = load_project(path)
    except ProjectFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with scratch_settings() as settings:
        window = MainWindow(project, path, settings=settings)
        if tab is not None and not window.show_tab(tab):
            window.doc.undo_stack.setClean()
            window.close()
            print(
                f"error: --tab: no tab named {tab!r}; there are {window.tab_names()}",
                file=sys.stderr,
            )
            return 2
        window.resize(*size)
        window.show()
        settle(app, window)
        shot = window.grab()
        return _write_then_close(
            window,
            out,
            lambda: save_picture(
                out,
                project.name,
                window.size(),
                paint=lambda painter: painter.drawPixmap(0, 0, shot),
                png=shot.toImage,
            ),
        )


def report(project_path: Path, out: Path, paper: str = "a4", with_risk: bool = False) -> int:
    """``minepivot report``: the window on the project, off screen, writes the board report."""
    if not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a command needs no screen
    from gui.mainwindow import MainWindow
    from gui.report.board import write_report

    app = application()
    try:
        project = load_project(project_path)
    except ProjectFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with scratch_settings() as settings:
        window = MainWindow(project, project_path, settings=settings)
        window.resize(1600, 1000)
        if with_risk:
            window.show_tab("Risk")
        window.show()
        settle(app, window, goal_seek=False)  # the report shows no goal-seek figures
        return _write_then_close(window, out, lambda: write_report(window, out, paper))


def _write_then_close(window, out: Path, write: Callable[[], object]) -> int:
    """A one-shot command's file: ``write`` it, then close the window (its project unchanged,
    so no prompt). 0, or 2 with the reason when the file cannot be written."""
    try:
        write()
    except OSError as exc:
        print(f"error: {cannot_write(out, exc)}", file=sys.stderr)
        return 2
    finally:
        window.doc.undo_stack.setClean()
        window.close()
    print(f"wrote {out}")
    return 0


def install_error_hook(window) -> None:
    """An exception that escapes a slot is a bug: it is shown (and printed with its traceback)
    rather than lost on a console the user never sees; the app carries on."""

    def hook(kind, value, tb) -> None:
        traceback.print_exception(kind, value, tb)
        try:
            window.show_error(f"Unexpected error ({kind.__name__}: {value}). Please report it.")
        except Exception:  # the window itself is gone
            pass

    sys.excepthook = hook


def open_app(project_path: Path | None, probe: bool = False) -> int:
    """The desktop app's event loop, on ``project_path`` when given (else a new project).

    A project that opens cleanly is read before the window is built, so the window is built
    once, on it, and its first results are computed before it shows: no chart is drawn empty
    or on the wrong scale. A file with problems opens the window on a new project, then lists
    them. ``probe``: print when the window was first painted and when its charts were drawn
    (``startup_window_unix=``, ``startup_charts_unix=``), then quit (``minepivot bench``)."""
    from gui.mainwindow import MainWindow

    app = application()
    project = _readable(project_path)
    with scratch_settings() if probe else _no_settings() as settings:
        window = MainWindow(project, project_path if project is not None else None, settings)
        install_error_hook(window)
        app.installEventFilter(FileOpenFilter(window))
        if project is not None and project_path is not None:
            window.opened(project_path)
        elif project_path is not None:  # says what is wrong with it
            QTimer.singleShot(0, lambda: window.open_path(project_path, ask=False))
        window.doc.recompute()  # the first results, before the first paint
        window.dashboard.draw_now()
        if probe:
            _probe(app, window)
        window.show()
        return app.exec()


@contextmanager
def _no_settings() -> Iterator[QSettings | None]:
    yield None  # the window's own: QSettings() for the organisation and application


def _readable(path: Path | None) -> Project | None:
    """The project at ``path`` if it opens without a problem, else None."""
    if path is None:
        return None
    try:
        project = load_project(path)
    except ProjectFileError:
        return None
    return None if compute_problems(project) else project


def _probe(app: QApplication, window) -> None:
    """Print the first paint's time, then the time the charts were drawn with the first
    results (the goal seek's answers may still be on their way), and quit."""
    marks: dict[str, float] = {}

    class Painted(QObject):
        def eventFilter(self, obj, event) -> bool:
            if "window" not in marks and event.type() == QEvent.Type.Paint:
                marks["window"] = time.time()
                print(f"startup_window_unix={marks['window']:.6f}", flush=True)
            return False

    painted = Painted(window)
    window.installEventFilter(painted)

    def poll() -> None:
        doc = window.doc
        if "window" not in marks or doc.result is None or doc.recompute_pending():
            return
        if window.dashboard.updating():
            return
        window.dashboard.cumulative.plot.repaint()
        print(f"startup_charts_unix={time.time():.6f}", flush=True)
        timer.stop()
        window.doc.undo_stack.setClean()
        QTimer.singleShot(0, app.quit)

    timer = QTimer(window)
    timer.timeout.connect(poll)
    timer.start(5)
