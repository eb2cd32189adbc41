"""What a background job shares with whoever started it: whether it should stop, and how far it
has got (the pattern of Orange's ``TaskState``). A job stays a plain function that takes a
``TaskState``; the desktop's worker (``gui/worker.py``) starts, cancels and receives, and the
command line passes ``QUIET`` (never stops, reports nowhere). Qt-free, like all of ``core``.

>>> seen = []
>>> state = TaskState(report=lambda fraction, stage: seen.append((fraction, stage)))
>>> state.part(0.5, 0.25, "Monte Carlo").progress(0.5)
>>> seen
[(0.625, 'Monte Carlo')]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


class Cancelled(Exception):
    """A newer request replaced this run (raised by ``TaskState.check``)."""


def _never() -> bool:
    return False


@dataclass(frozen=True)
class TaskState:
    """``stop_requested()`` says whether the job should stop; ``report(fraction, stage)``
    hears its progress, 0 to 1."""

    stop_requested: Callable[[], bool] = _never
    report: Callable[[float, str], None] | None = None
    stage: str = ""

    def check(self) -> None:
        """Raise Cancelled where a stop was asked for: call it between steps."""
        if self.stop_requested():
            raise Cancelled

    def progress(self, fraction: float, stage: str | None = None) -> None:
        if self.report is not None:
            self.report(fraction, self.stage if stage is None else stage)

    def step(self, fraction: float, stage: str | None = None) -> None:
        """Between steps: stop here if a stop was asked for (``check``), else report how far
        the job has got (``progress``)."""
        self.check()
        self.progress(fraction, stage)

    def part(self, start: float, width: float, stage: str) -> TaskState:
        """The state of one part of the job, named ``stage``: its progress 0 to 1 is this
        job's ``start`` to ``start + width``; a stop asked of the job stops the part."""
        if self.report is None:
            return TaskState(self.stop_requested, None, stage)
        outer = self.report
        return TaskState(self.stop_requested, lambda f, s: outer(start + width * f, s), stage)


QUIET = TaskState()  # never asked to stop; its progress goes nowhere
