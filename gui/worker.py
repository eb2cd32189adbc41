"""Latest input wins: heavy work (goal seek, risk) on one worker thread, where a new request
makes the running one stale and asks it to stop; results, progress and errors come back to the
GUI thread as queued signals, and only the newest request's reach the views. An error keeps
its traceback (``last_traceback``, and printed). Modelled on Orange's ``ConcurrentMixin``.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from core.tasks import Cancelled, TaskState

# A job: job(state) → result, a plain function. It calls ``state.check()`` between steps (which
# raises Cancelled once a newer request or cancel() asked it to stop) and reports how far it
# has got with ``state.progress(fraction, stage)``.
Job = Callable[[TaskState], Any]


class LatestWins(QObject):
    started = Signal()
    progressed = Signal(float, str)  # fraction, stage: the current request's only
    finished = Signal(object)  # the current request's result
    failed = Signal(str)  # "what failed: why" (the traceback is in last_traceback)
    cancelled = Signal()  # cancel() stopped a running request
    _done = Signal(int, object, str)  # generation, result, error ("" if none)
    _progress = Signal(int, float, str)

    def __init__(self, what: str, thread_name: str, parent: QObject | None = None):
        """``what`` names the work in messages ("Goal seek failed: …"); ``thread_name``
        prefixes the worker thread's name."""
        super().__init__(parent)
        self.what = what
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=thread_name)
        self._generation = 0
        self._stop = threading.Event()
        self._future: Future | None = None
        self.running = False
        self.last_traceback = ""
        self._done.connect(self._on_done)
        self._progress.connect(self._on_progress)

    @property
    def generation(self) -> int:
        """The request whose signals count; older ones are stale."""
        return self._generation

    def request(self, job: Job) -> int:
        """Start ``job``; a running older request is asked to stop and its result dropped."""
        self._stop.set()
        self._generation += 1
        generation, stop = self._generation, threading.Event()
        self._stop = stop

        def work() -> None:
            if stop.is_set():
                return
            try:
                state = TaskState(stop.is_set, lambda f, s: self._progress.emit(generation, f, s))
                result = job(state)
                self._done.emit(generation, result, "")
            except Cancelled:
                self._done.emit(generation, None, "")
            except Exception as exc:  # the user sees it; the app goes on
                self.last_traceback = traceback.format_exc()
                traceback.print_exc()
                self._done.emit(generation, None, f"{self.what} failed: {exc}")

        self.running = True
        self.started.emit()
        self._future = self._executor.submit(work)
        return generation

    def cancel(self, quiet: bool = False) -> None:
        """Stop the running request at its next check; its result, if any, is dropped.
        ``quiet``: a new request follows (the inputs changed), so no ``cancelled`` signal."""
        self._stop.set()
        self._generation += 1
        was_running, self.running = self.running, False
        if was_running and not quiet:
            self.cancelled.emit()

    def _on_progress(self, generation: int, fraction: float, stage: str) -> None:
        if generation == self._generation:
            self.progressed.emit(fraction, stage)

    def _on_done(self, generation: int, result: Any, error: str) -> None:
        if generation != self._generation:
            return  # a replaced request finishing late
        self.running = False
        if error:
            self.failed.emit(error)
        elif result is not None:
            self.finished.emit(result)

    def wait(self, timeout_s: float = 60.0) -> None:
        """Block until the submitted work is done (its signal is still queued): tests, exports."""
        if self._future is not None:
            self._future.result(timeout=timeout_s)

    def shutdown(self) -> None:
        self._stop.set()
        self._generation += 1
        self._executor.shutdown(wait=True, cancel_futures=True)


def run_with_progress(parent: QWidget, title: str, job: Job) -> tuple[Any, bool]:
    """Run ``job`` on a thread of its own behind a window-modal progress dialog with a Cancel
    button; the GUI keeps painting meanwhile. Returns (result, False), or (None, True) when the
    user cancelled it (the job stopped at its next ``state.check()``). Its exceptions are
    raised here, in the GUI thread."""
    dialog = QProgressDialog(f"{title}…", "Cancel", 0, 1000, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    stop = threading.Event()
    seen: list[tuple[float, str]] = [(0.0, "")]  # the job's thread swaps in one pair

    def report(fraction: float, stage: str) -> None:
        seen[0] = (fraction, stage)

    dialog.show()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="export") as pool:
        future = pool.submit(job, TaskState(stop.is_set, report))
        while not future.done():
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 30)
            fraction, stage = seen[0]
            dialog.setValue(int(fraction * 1000))
            if stage:
                dialog.setLabelText(f"{title}: {stage}…")
            if dialog.wasCanceled():
                stop.set()
            wait([future], timeout=0.03)
    dialog.close()
    dialog.deleteLater()
    try:
        return future.result(), False
    except Cancelled:
        return None, True
