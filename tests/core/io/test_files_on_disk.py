"""Files on disk: a failed write says so once and leaves what was there; links are written
through; a killed save's temporaries are cleared; a rename is made durable; workbook text from
strategy names never turns into a chart formula or a broken sheet name."""

import errno
import os
import re
import stat
import zipfile
from pathlib import Path

import openpyxl
import pytest

from core.io import atomicfile
from core.io.atomicfile import TEMP_SUFFIX, remove_stale_temporaries
from core.io.example import example_project
from core.io.projectfile import load_project, save_project
from core.io.xlsx.export import export_workbook
from core.resources import example_project_path
from gui.main import main as cli_main
from tests.core.helpers import miner, tiny_project
from tests.core.io.test_xlsx import needs_soffice, recalculate

EXAMPLE = str(example_project_path())


def _only_error(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: "), err
    return err[0]


@pytest.mark.parametrize(
    "command",
    [
        ["example", "-o", "{out}"],
        ["export", EXAMPLE, "-o", "{out}"],
        ["run", EXAMPLE, "--no-goal-seek", "--monthly", "{out}"],
    ],
)
def test_a_folder_or_missing_parent_as_the_target(tmp_path, capsys, command):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    for out, expected in (
        (folder, f"cannot write {folder}: Is a directory"),
        (tmp_path / "missing" / "x.out", f"cannot write in {tmp_path / 'missing'}"),
    ):
        args = [a.replace("{out}", str(out)) for a in command]
        assert cli_main(args) == 2
        assert expected in _only_error(capsys)
    assert folder.is_dir() and not any(folder.iterdir())


@pytest.mark.parametrize(
    "code, name", [(errno.ENOSPC, "the disk is full ("), (errno.EROFS, "Read-only")]
)
def test_full_disk_or_read_only_folder_keeps_the_old_file(
    tmp_path, capsys, monkeypatch, code, name
):
    # As root, permissions are not enforced: the file system's answers are simulated.
    targets = {"example": tmp_path / "p.minepivot", "export": tmp_path / "b.xlsx"}
    for t in targets.values():
        t.write_bytes(b"what was there")

    def refuse(*_a, **_k):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(atomicfile.os, "replace", refuse)
    assert cli_main(["example", "-o", str(targets["example"])]) == 2
    assert name in _only_error(capsys)
    assert cli_main(["export", EXAMPLE, "-o", str(targets["export"])]) == 2
    assert name in _only_error(capsys)
    for t in targets.values():
        assert t.read_bytes() == b"what was there"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.xlsx", "p.minepivot"]


def test_saving_and_exporting_through_a_link_keeps_the_link(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "p.minepivot").write_text("old")
    (real / "b.xlsx").write_text("old")
    link = tmp_path / "link.minepivot"
    link.symlink_to(real / "p.minepivot")
    xlink = tmp_path / "link.xlsx"
    xlink.symlink_to(real / "b.xlsx")
    save_project(example_project(), link)
    export_workbook(tiny_project([miner()]), xlink)
    assert link.is_symlink() and xlink.is_symlink()
    assert load_project(real / "p.minepivot") == example_project()
    assert (real / "b.xlsx").read_bytes()[:2] == b"PK"
    # A link to a folder, or a loop of links, is refused rather than replaced.
    (tmp_path / "to-folder.minepivot").symlink_to(real)
    loop = tmp_path / "loop.minepivot"
    loop.symlink_to(loop)
    for bad in (tmp_path / "to-folder.minepivot", loop):
        with pytest.raises(OSError):
            save_project(example_project(), bad)
        assert bad.is_symlink()


def test_a_killed_saves_temporaries_are_cleared_by_the_next_save(tmp_path):
    stale = tmp_path / f".p.minepivot.abc123{TEMP_SUFFIX}"
    stale.write_text("half a project")
    other = tmp_path / f".other.xlsx.xyz{TEMP_SUFFIX}"
    other.write_text("half a workbook")
    save_project(example_project(), tmp_path / "p.minepivot")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.minepivot"]


def test_a_temporary_still_being_written_is_left_alone(tmp_path):
    # Another save in progress holds its temporary locked: the cleaner must not take it.
    tmp = atomicfile.TempFile(tmp_path / "q.minepivot")
    try:
        assert remove_stale_temporaries(tmp_path) == 0
        assert tmp.path.exists()
    finally:
        tmp.discard()
    assert not any(tmp_path.iterdir())


def test_the_folder_is_flushed_after_the_rename(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync

    def record(fd):
        synced.append(stat.S_ISDIR(os.fstat(fd).st_mode))
        real_fsync(fd)

    monkeypatch.setattr(atomicfile.os, "fsync", record)
    save_project(example_project(), tmp_path / "p.minepivot")
    assert synced == [False, True]  # the file's data, then the folder's entry


def _chart_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/"))


def test_strategy_names_stay_text_in_charts_and_sheet_names(tmp_path):
    names = ["=cmd|'calc'!A0", "Site!A1 plan", "tab\there", "cr\rhere"]
    one = tiny_project([miner()]).strategies[0]
    p = tiny_project([], strategies=[one.model_copy(update={"name": n}) for n in names])
    path = export_workbook(p, tmp_path / "names.xlsx")
    xml = _chart_xml(path)
    series_formulas = re.findall(r"<c:tx><c:strRef><c:f>(.*?)</c:f>", xml)
    assert series_formulas == []  # every series name is a literal string
    assert "=cmd|&apos;calc&apos;!A0" in xml or "=cmd|'calc'!A0" in xml
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode()
    sheets = re.findall(r'<sheet name="([^"]*)"', book)
    assert "tabhere" in sheets and "crhere" in sheets
    assert not any(c in s for s in sheets for c in "\t\r\n")


@needs_soffice
def test_a_tab_in_a_strategy_name_breaks_no_formula_after_recalculation(tmp_path):
    one = tiny_project([miner()]).strategies[0]
    p = tiny_project([], strategies=[one.model_copy(update={"name": "Keep\tmining"})])
    out = recalculate(export_workbook(p, tmp_path / "tab.xlsx"), tmp_path)
    wb = openpyxl.load_workbook(out, data_only=True)
    errors = [
        f"{ws.title}!{c.coordinate}"
        for ws in wb
        for row in ws.iter_rows()
        for c in row
        if c.value in ("#NAME?", "#REF!", "#VALUE!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!")
    ]
    assert errors == []
