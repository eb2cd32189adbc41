"""Input paths as the project file and the app name them: ``strategies[1].blocks[0].asic_count``."""

from __future__ import annotations

import functools
import re
from typing import Any

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@functools.lru_cache(maxsize=4096)
def _split(path: str) -> tuple[str | int, ...]:
    return tuple(name if name else int(index) for name, index in _TOKEN.findall(path))


def split_path(path: str) -> list[str | int]:
    """'strategies[1].blocks[0].asic_count' → ['strategies', 1, 'blocks', 0, 'asic_count']."""
    return list(_split(path))


_MISSING = object()


def _walk(obj: Any, path: str, errors: tuple[type[Exception], ...]) -> Any:
    """What ``path`` names in ``obj``, or _MISSING where a step raises one of ``errors``."""
    for part in _split(path):  # a field reads its value on every edit: parsed once
        try:
            obj = obj[part] if isinstance(part, int) else getattr(obj, part)
        except errors:
            return _MISSING
    return obj


def get_attr_path(obj: Any, path: str) -> Any:
    """Follow a path through model attributes and list indices; None if it no longer exists."""
    value = _walk(obj, path, (IndexError, AttributeError, TypeError))
    return None if value is _MISSING else value


def has_path(obj: Any, path: str) -> bool:
    """True where ``path`` names a field of ``obj`` (its value may be None)."""
    return _walk(obj, path, (IndexError, AttributeError, TypeError, KeyError)) is not _MISSING
