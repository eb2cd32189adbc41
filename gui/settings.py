"""The desktop's settings, declared once: each with its key, its default and how a stored value
is read back. Code reads ``LAST_FOLDER.read(store)`` and writes ``LAST_FOLDER.write(store,
value)``, never a raw ``QSettings`` key; a value that does not read as its type (a file edited
by hand, or written by another version) reads as the default."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

from core.io.priceclock import DEFAULT_SITE_UTC_OFFSET_HOURS

T = TypeVar("T")


@dataclass(frozen=True)
class Setting(Generic[T]):
    key: str
    default: T
    parse: Callable[[object], T]  # a stored value as the setting's type; raises if it is not

    def read(self, store: QSettings) -> T:
        raw = store.value(self.key, None)
        if raw is not None:
            try:
                return self.parse(raw)
            except (TypeError, ValueError):
                pass
        return copy.copy(self.default)  # a list default is the caller's to change

    def write(self, store: QSettings, value: T) -> None:
        store.setValue(self.key, value)


def _text(raw: object) -> str:
    if not isinstance(raw, str):
        raise TypeError(f"not text: {raw!r}")
    return raw


def _hours(raw: object) -> float:
    return float(str(raw))


def _texts(raw: object) -> list[str]:
    """An INI file returns a one-item list as the item."""
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list | tuple):
        return [str(item) for item in raw]
    raise TypeError(f"not a list: {raw!r}")


def _bytes(raw: object) -> QByteArray:
    if isinstance(raw, QByteArray):
        return raw
    if isinstance(raw, bytes):
        return QByteArray(raw)
    raise TypeError(f"not bytes: {raw!r}")


def _optional_text(raw: object) -> str | None:
    return _text(raw) or None


LAST_FOLDER = Setting("files/last_folder", str(Path.home()), _text)
RECENT_FILES: Setting[list[str]] = Setting("files/recent", [], _texts)
WINDOW_GEOMETRY = Setting("window/geometry", QByteArray(), _bytes)
# File → Import hourly prices: the choices of the last import.
IMPORT_CLOCK = Setting("import/clock", "as_written", _text)
IMPORT_FILE_OFFSET = Setting("import/file_offset", DEFAULT_SITE_UTC_OFFSET_HOURS, _hours)
IMPORT_ZONE = Setting("import/zone", "America/Chicago", _text)
IMPORT_SITE_OFFSET = Setting("import/site_offset", DEFAULT_SITE_UTC_OFFSET_HOURS, _hours)
IMPORT_DECIMAL: Setting[str | None] = Setting("import/decimal", None, _optional_text)
