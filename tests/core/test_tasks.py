"""The task state a background job shares with its starter: a stop asked for raises Cancelled
at the next check, and a part's progress maps onto its share of the whole."""

import pytest

from core.tasks import QUIET, Cancelled, TaskState


def test_a_stop_asked_for_raises_at_the_next_check():
    asked = []
    state = TaskState(stop_requested=lambda: bool(asked))
    state.check()  # not asked yet
    asked.append(True)
    with pytest.raises(Cancelled):
        state.check()
    with pytest.raises(Cancelled):  # a part stops with the whole
        state.part(0.5, 0.5, "Split").check()
    QUIET.check()
    QUIET.progress(0.5, "nowhere")  # reports nowhere, and does not fail


def test_parts_report_their_share_of_the_whole_under_their_own_name():
    seen = []
    state = TaskState(report=lambda f, s: seen.append((f, s)))
    mc = state.part(0.15, 0.45, "Monte Carlo")
    mc.progress(0.0)
    mc.progress(1.0)
    mc.part(0.5, 0.5, "inner").progress(0.5)  # 0.15 + 0.45 × (0.5 + 0.5 × 0.5)
    state.progress(1.0, "Done")
    assert seen == [
        (0.15, "Monte Carlo"),
        (pytest.approx(0.6), "Monte Carlo"),
        (pytest.approx(0.4875), "inner"),
        (1.0, "Done"),
    ]
