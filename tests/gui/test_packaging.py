"""What the packaged build relies on, checked from source: the smoke test, Help → About, a
project handed over by the desktop (argv or a macOS FileOpen event), and --version."""

import json
import tomllib
from pathlib import Path

import pytest
from PySide6.QtGui import QFileOpenEvent, QImage
from PySide6.QtWidgets import QApplication

from core.io import buildinfo
from core.io.projectfile import save_project
from core.resources import example_project_path, resource_path
from gui.app import FileOpenFilter
from gui.smoketest import SmokeFailure, check_workbook, smoke_test

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def test_smoke_test_exports_a_readable_workbook_and_chart(qtbot, tmp_path, capsys):
    assert smoke_test(tmp_path / "out") == 0
    out = capsys.readouterr().out
    assert "first_paint_unix=" in out and out.rstrip().endswith("smoke test passed")
    assert "Summary" in check_workbook(tmp_path / "out" / "smoke.xlsx")
    image = QImage(str(tmp_path / "out" / "cumulative.png"))
    assert not image.isNull() and image.width() >= 1200


def test_smoke_test_opens_the_project_it_is_given(qtbot, tmp_path, capsys):
    from core.io.example import example_project

    project = example_project().model_copy(update={"name": "Board review"})
    path = tmp_path / "Board review.minepivot"
    save_project(project, path)
    assert smoke_test(tmp_path / "out", path) == 0
    assert "Inputs" in check_workbook(tmp_path / "out" / "smoke.xlsx")


def test_smoke_test_fails_with_the_reason_on_a_malformed_project(qtbot, tmp_path, capsys):
    broken = tmp_path / "broken.minepivot"
    broken.write_text('{"schema_version": 1, "name": ', encoding="utf-8")
    assert smoke_test(tmp_path / "out", broken) == 1
    err = capsys.readouterr().err
    assert "smoke test failed: cannot open" in err and "Traceback" not in err


def test_check_workbook_refuses_a_truncated_file(tmp_path):
    good = tmp_path / "good.xlsx"
    from core.io.example import example_project
    from core.io.xlsx.export import export_workbook

    export_workbook(example_project(), good)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(good.read_bytes()[:5000])
    with pytest.raises(SmokeFailure, match="cannot be read"):
        check_workbook(bad)
    with pytest.raises(SmokeFailure, match="was not written"):
        check_workbook(tmp_path / "missing.xlsx")


def test_about_shows_version_build_and_catalog_date(qtbot, window):
    catalog = json.loads(resource_path("catalog", "asics.json").read_text(encoding="utf-8"))
    gpus = json.loads(resource_path("catalog", "gpu_servers.json").read_text(encoding="utf-8"))
    help_menu = window.menuBar().actions()[-1].menu()
    about = next(a for a in help_menu.actions() if a.text() == "&About MinePivot")
    about.trigger()
    text = window.about_dialog.text.text()
    assert window.about_dialog.isVisible()
    assert f"MinePivot {VERSION}" in text
    assert "source checkout" in text  # not a packaged build
    assert min(catalog["as_of"], gpus["as_of"]) in text
    window.about_dialog.close()


def test_a_packaged_build_reads_its_version_and_date(tmp_path, monkeypatch):
    (tmp_path / "build_info.json").write_text(
        json.dumps({"version": "9.8.7", "build_date": "2026-11-20"}), encoding="utf-8"
    )
    real = buildinfo.resource_path
    monkeypatch.setattr(
        buildinfo,
        "resource_path",
        lambda *p: tmp_path / p[0] if p == (buildinfo.BUILD_INFO,) else real(*p),
    )
    info = buildinfo.build_info()
    assert (info.version, info.build_date, info.packaged) == ("9.8.7", "2026-11-20", True)


def test_a_file_open_event_opens_the_project(qtbot, window, tmp_path):
    from core.io.example import example_project

    path = tmp_path / "from Finder.minepivot"
    save_project(example_project().model_copy(update={"name": "From Finder"}), path)
    app = QApplication.instance()
    opener = FileOpenFilter(window)
    app.installEventFilter(opener)
    try:
        QApplication.sendEvent(app, QFileOpenEvent(str(path)))
    finally:
        app.removeEventFilter(opener)
    assert window.doc.path == path
    assert window.doc.project.name == "From Finder"


def test_version_flag_prints_the_pyproject_version(capsys):
    from gui.main import main

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"minepivot {VERSION}"


def test_smoke_test_without_a_folder_is_a_usage_error(capsys):
    from gui.main import main

    with pytest.raises(SystemExit) as exit_:
        main(["--smoke-test"])
    assert exit_.value.code == 2
    assert "argument --smoke-test: expected one argument" in capsys.readouterr().err


def test_example_project_is_where_the_spec_bundles_it():
    spec = (ROOT / "build" / "minepivot.spec").read_text(encoding="utf-8")
    assert example_project_path().parent == resource_path("examples")
    for folder in ("catalog", "examples", "icons"):
        assert f'"resources/{folder}"' in spec
        assert resource_path(folder).is_dir()
    for icon in ("minepivot.png", "minepivot.ico", "minepivot.icns"):
        assert resource_path("icons", icon).stat().st_size > 1000
