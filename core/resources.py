"""The one place that knows where bundled resources live, in a source tree or a frozen build."""

from __future__ import annotations

import sys
from pathlib import Path


def resource_path(*parts: str) -> Path:
    """Path of a file under ``resources/``; works from source and inside a PyInstaller bundle."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    root = Path(frozen_root) if frozen_root else Path(__file__).resolve().parent.parent
    return root.joinpath("resources", *parts)


def example_project_path() -> Path:
    return resource_path("examples", "west_texas_100mw.minepivot")
