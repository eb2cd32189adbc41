"""Results kept for the last few inputs that made them, so that an edit reruns only what reads
the value it changed. A key holds exactly the inputs the result reads, compared by value
(models and numbers) or by identity (a market context); what is kept must not be changed by
anyone who reads it (arrays are made read-only)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")

_ALL: list[Memo] = []
_bypass = threading.local()  # set while a thread computes everything afresh


class Memo(Generic[T]):
    """The last ``size`` (key, value) pairs, most recent first; safe across threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: list[tuple[object, T]] = []
        self._lock = threading.Lock()
        _ALL.append(self)

    def get(self, key: object, make: Callable[[], T]) -> T:
        """The value kept for ``key``, or ``make()`` kept and returned."""
        if getattr(_bypass, "on", False):
            return make()
        with self._lock:
            for i, (k, value) in enumerate(self._entries):
                if k == key:
                    if i:
                        self._entries.insert(0, self._entries.pop(i))
                    return value
        value = make()
        with self._lock:
            self._entries.insert(0, (key, value))
            del self._entries[self.size :]
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def clear_memos() -> None:
    """Forget every kept result."""
    for memo in _ALL:
        memo.clear()


@contextmanager
def fresh() -> Iterator[None]:
    """Within the block, this thread computes everything afresh and keeps nothing (tests
    compare kept and fresh results this way)."""
    _bypass.on = True
    try:
        yield
    finally:
        _bypass.on = False
