"""GUI fixtures: settings in a temporary file, a main window on the example with results."""

import numpy as np
import pytest
from PySide6.QtCore import QLocale, QSettings

from gui.mainwindow import MainWindow


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def _unexpected_prompt():
    raise AssertionError("an unsaved-changes prompt opened that the test did not expect")


@pytest.fixture
def locale():
    """Set the default locale for a test, and put the previous one back."""
    before = QLocale()
    yield lambda language, country: QLocale.setDefault(QLocale(language, country))
    QLocale.setDefault(before)


@pytest.fixture
def window(qtbot, settings):
    # Not qtbot.addWidget: it closes the window before this fixture marks the project clean.
    w = MainWindow(settings=settings)
    w.ask_unsaved = _unexpected_prompt
    w.resize(1440, 900)
    w.show()
    qtbot.waitUntil(lambda: w.doc.result is not None, timeout=10_000)
    yield w
    w.doc.undo_stack.setClean()  # no unsaved-changes prompt on close
    w.close()


def curve_y(window, name="Keep mining") -> np.ndarray:
    return window.dashboard.cumulative.curves[name].yData.copy()


def type_only(field, text: str) -> None:
    """What typing does: the text changes and textEdited fires (a preview, not committed)."""
    field.editor.setFocus()
    field.editor.setText(text)
    field.editor.textEdited.emit(text)


def type_into(field, text: str) -> None:
    """Type ``text`` and press Enter: a valid value is committed, a refused one stays marked."""
    type_only(field, text)
    field.editor.returnPressed.emit()


def settle(qtbot, window) -> None:
    """Let the zero-delay recompute and the strategy charts' update after it run."""
    qtbot.waitUntil(
        lambda: not window.busy(),
        timeout=5000,
    )
    qtbot.wait(1)
