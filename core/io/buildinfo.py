"""What build this is: the version, when a packaged build was made, and how current the catalog
is. A packaged build carries ``resources/build_info.json`` written by ``build/minepivot.spec``;
a source checkout reads the installed package's metadata instead."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import metadata

from core.model.catalog import bundled_catalog
from core.resources import resource_path

BUILD_INFO = "build_info.json"


@dataclass(frozen=True)
class BuildInfo:
    version: str
    build_date: str  # ISO date of a packaged build, or a note that this is a source checkout
    packaged: bool
    asics_as_of: str
    gpu_servers_as_of: str

    @property
    def catalog_as_of(self) -> str:
        """The older of the two catalog dates: the catalog is as current as its oldest part."""
        return min(self.asics_as_of, self.gpu_servers_as_of)


def build_info() -> BuildInfo:
    catalog = bundled_catalog()
    path = resource_path(BUILD_INFO)
    if path.is_file():
        data = json.loads(path.read_text(encoding="utf-8"))
        version, date, packaged = str(data["version"]), str(data["build_date"]), True
    else:
        try:
            version = metadata.version("minepivot")
        except metadata.PackageNotFoundError:
            version = "unknown"
        date, packaged = "source checkout (not a packaged build)", False
    return BuildInfo(version, date, packaged, catalog.asics_as_of, catalog.gpu_servers_as_of)
