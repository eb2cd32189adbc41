"""The latest-input-wins worker that goal seek and risk share: the newest request's answer is
the only one delivered, a replaced or cancelled job stops at its next check, and an error
reaches the GUI thread with its traceback kept."""

import threading
import time

import pytest

from core.tasks import Cancelled
from gui.worker import LatestWins


@pytest.fixture
def worker(qtbot):
    w = LatestWins("Test job", "test-worker")
    yield w
    w.shutdown()


def _slow_job(seen_stop: threading.Event, value: str):
    def job(state):
        for i in range(200):  # up to 2 s unless stopped
            if state.stop_requested():
                seen_stop.set()
                raise Cancelled
            state.progress(i / 200, value)
            time.sleep(0.01)
        return value

    return job


def test_a_new_request_stops_the_old_one_and_only_the_new_answer_arrives(qtbot, worker):
    stopped = threading.Event()
    results, stages = [], []
    worker.finished.connect(results.append)
    worker.progressed.connect(lambda f, stage: stages.append(stage))
    worker.request(_slow_job(stopped, "old"))
    qtbot.waitUntil(lambda: "old" in stages, timeout=5000)
    worker.request(lambda state: "new")
    qtbot.waitUntil(lambda: results == ["new"], timeout=5000)
    assert stopped.wait(5)  # the old job saw the stop and gave up
    qtbot.wait(50)
    assert results == ["new"] and not worker.running


def test_cancel_stops_a_running_job_and_says_so(qtbot, worker):
    stopped = threading.Event()
    results = []
    worker.finished.connect(results.append)
    with qtbot.waitSignal(worker.cancelled, timeout=5000):
        worker.request(_slow_job(stopped, "x"))
        qtbot.wait(30)
        worker.cancel()
    assert stopped.wait(5)
    qtbot.wait(50)
    assert results == [] and not worker.running


def test_an_error_arrives_with_its_traceback(qtbot, worker):
    def broken(state):
        raise ZeroDivisionError("float division by zero")

    with qtbot.waitSignal(worker.failed, timeout=5000) as failed:
        worker.request(broken)
    assert failed.args == ["Test job failed: float division by zero"]
    assert "ZeroDivisionError" in worker.last_traceback and "broken" in worker.last_traceback
    assert not worker.running
