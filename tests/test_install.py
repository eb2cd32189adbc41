"""A real install: the wheel built from the tracked sources holds every package and the shipped
resources, and, installed into a fresh virtual environment and run from another folder, the
command line and the app find the catalog and the example.

The fresh environment gets the wheel alone (no dependencies from the network); numpy, Qt and
the rest come from this environment's site-packages through PYTHONPATH. A folder on PYTHONPATH
does not run its ``.pth`` files, so this checkout's editable install stays out of the picture:
the test prints where ``core`` was imported from and checks it is the fresh environment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = (
    "minepivot_resources/catalog/asics.json",
    "minepivot_resources/catalog/gpu_servers.json",
    "minepivot_resources/examples/west_texas_100mw.minepivot",
    "minepivot_resources/icons/minepivot.png",
)


def _packages_in_the_tree() -> set[str]:
    found = {"minepivot_resources"}
    for top in ("core", "gui"):
        for init in (ROOT / top).rglob("__init__.py"):
            found.add(".".join(init.parent.relative_to(ROOT).parts))
    return found


# The shipped data folders, listed as packages so setuptools installs them without a warning
# (they hold no Python; the README's screenshots do not ship).
DATA_PACKAGES = {f"minepivot_resources.{d}" for d in ("catalog", "examples", "icons")}


def test_pyproject_lists_every_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    assert listed == _packages_in_the_tree() | DATA_PACKAGES


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # Build from a copy of the sources so setuptools' scratch folders stay out of the checkout.
    src = tmp_path_factory.mktemp("src")
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("core", "gui", "resources"):
        shutil.copytree(ROOT / folder, src / folder, ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-w",
            str(out),
            str(src),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("minepivot-*.whl")
    return built


def test_the_wheel_holds_every_package_and_the_resources(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for resource in RESOURCES:
        assert resource in names
    for package in _packages_in_the_tree():
        assert package.replace(".", "/") + "/__init__.py" in names
    # The README's screenshots are not part of the product.
    assert not any("screenshot" in name for name in names)
    assert not any(name.startswith(("tests/", "build/")) for name in names)


def test_an_installed_wheel_runs_from_another_folder(wheel, tmp_path):
    env_dir = tmp_path / "fresh"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": sysconfig.get_paths()["purelib"],
        "QT_QPA_PLATFORM": "offscreen",
    }

    def run(*args: str) -> str:
        done = subprocess.run(
            list(args), cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    where = run(str(python), "-c", "import core, minepivot_resources as r; print(core.__file__)")
    assert Path(where.strip()).is_relative_to(env_dir)

    minepivot = str(env_dir / "bin" / "minepivot")
    run(minepivot, "example", "-o", "site.minepivot")
    kpis = json.loads(run(minepivot, "run", "site.minepivot", "--json"))
    assert {s["name"] for s in kpis["strategies"]} >= {"Keep mining", "Convert to AI"}
    run(minepivot, "export", "site.minepivot", "-o", "board.xlsx")
    assert "Summary" in load_workbook(elsewhere / "board.xlsx", read_only=True).sheetnames
    run(minepivot, "open", "--screenshot", "window.png")
    assert (elsewhere / "window.png").stat().st_size > 10_000
