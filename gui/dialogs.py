"""Dialogs of the main window: Help → About (version, build date, catalog date) and the list
of problems of a file that could not be opened."""

from __future__ import annotations

import platform
from html import escape
from pathlib import Path

import pyqtgraph
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.io.buildinfo import BuildInfo, build_info
from core.resources import resource_path


def about_text(info: BuildInfo) -> str:
    return (
        f"<h3>MinePivot {info.version}</h3>"
        "<p>Keep mining, convert to AI/HPC hosting, or both: a feasibility calculator for "
        "Bitcoin mining sites.</p>"
        '<table cellpadding="2">'
        f"<tr><td>Version</td><td>{info.version}</td></tr>"
        f"<tr><td>Build date</td><td>{info.build_date}</td></tr>"
        f"<tr><td>Equipment catalog as of</td><td>{info.catalog_as_of} "
        f"(ASICs {info.asics_as_of}, GPU servers {info.gpu_servers_as_of})</td></tr>"
        f"<tr><td>Python</td><td>{platform.python_version()}</td></tr>"
        f"<tr><td>Qt (PySide6)</td><td>{pyside_version}</td></tr>"
        f"<tr><td>pyqtgraph</td><td>{pyqtgraph.__version__}</td></tr>"
        "</table>"
    )


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, info: BuildInfo | None = None):
        super().__init__(parent)
        self.setWindowTitle("About MinePivot")
        self.info = info or build_info()
        row = QHBoxLayout()
        icon = QLabel()
        icon.setPixmap(
            QPixmap(str(resource_path("icons", "minepivot.png"))).scaled(
                96,
                96,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        row.addWidget(icon)
        self.text = QLabel(about_text(self.info))
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setWordWrap(True)
        row.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)


class ProblemsDialog(QDialog):
    """Lists every problem of a file that could not be opened; the open project is untouched.
    With a ``summary`` (the file as a whole is unusable: not a project, unreadable, too new),
    that sentence is what the dialog says, and the technical detail waits under "Show
    details"."""

    def __init__(
        self,
        title: str,
        source: str,
        problems: list[str],
        parent: QWidget,
        summary: str | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(title)
        lay = QVBoxLayout(self)
        name = escape(Path(source).name)
        said = (
            f"<b>{name}</b> could not be used. {escape(summary)} Nothing was changed."
            if summary
            else f"<b>{name}</b> could not be used: {len(problems)} problem(s). Nothing was "
            "changed."
        )
        head = QLabel(said)
        head.setWordWrap(True)
        lay.addWidget(head)
        self.list = QListWidget()
        self.list.addItems(problems)
        lay.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.details = QPushButton("Show details")
        self.details.setCheckable(True)
        self.details.toggled.connect(self._show_details)
        if summary:  # the parser's words are detail: hidden until asked for
            buttons.addButton(self.details, QDialogButtonBox.ButtonRole.HelpRole)
            self.list.hide()
        lay.addWidget(buttons)
        self.head = head
        self.resize(640, 360 if not summary else 160)

    def _show_details(self, shown: bool) -> None:
        self.list.setVisible(shown)
        self.details.setText("Hide details" if shown else "Show details")
        self.resize(self.width(), 360 if shown else 160)
