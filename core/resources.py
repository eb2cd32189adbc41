"""The one place that knows where bundled resources live: an installed package or a frozen build.

``resources/`` at the project's top level is installed as the package ``minepivot_resources``
(``pyproject.toml`` maps it), so a wheel, an editable install and a source checkout installed
with ``make`` all find the catalog, the example and the icons the same way. A PyInstaller
bundle unpacks the same files into ``<bundle>/resources/`` (``build/minepivot.spec``)."""

from __future__ import annotations

import sys
from functools import cache
from importlib import resources
from pathlib import Path

PACKAGE = "minepivot_resources"


@cache
def _root() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(str(resources.files(PACKAGE)))


def resource_path(*parts: str) -> Path:
    """Path of a file shipped under ``resources/``."""
    return _root().joinpath(*parts)


def example_project_path() -> Path:
    return resource_path("examples", "west_texas_100mw.minepivot")
