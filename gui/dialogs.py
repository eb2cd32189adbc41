"""Dialogs of the main window: Help → About (version, build date, catalog date) and the list
of problems of a file that could not be opened."""

from __future__ import annotations

import platform
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
    """Lists every problem of a file that could not be opened; the open project is untouched."""

    def __init__(self, title: str, source: str, problems: list[str], parent: QWidget):
        super().__init__(parent)
        self.setWindowTitle(title)
        lay = QVBoxLayout(self)
        head = QLabel(
            f"<b>{Path(source).name}</b> could not be used: {len(problems)} "
            "problem(s). Nothing was changed."
        )
        head.setWordWrap(True)
        lay.addWidget(head)
        self.list = QListWidget()
        self.list.addItems(problems)
        lay.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(640, 360)
