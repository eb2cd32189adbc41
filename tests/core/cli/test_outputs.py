"""Nothing the user had is lost: a command never writes over its own input or a project it did
not mean to write, long legal names work, a full disk says so and leaves no temporaries, and
the window's one-shot commands leave nothing behind in the system's temp folder."""

import csv
import os
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest

from core.io import atomicfile
from core.io.example import example_project
from core.io.projectfile import save_project
from core.io.xlsx.export import export_workbook
from core.resources import example_project_path
from gui.main import main as cli_main

EXAMPLE = example_project_path()
CJK_NAME = "採掘" * 40  # 80 characters, 240 bytes in UTF-8: with ".minepivot", a 250-byte name


def _project(folder: Path, name: str = "site.minepivot") -> Path:
    path = folder / name
    save_project(example_project(), path)
    return path


def _price_csv(path: Path) -> Path:
    """A year of hourly prices in US Central standard time, price = hour of the day."""
    day = date(2023, 1, 1)
    rows = ["timestamp,price"]
    while day.year == 2023:
        rows += [f"{day.isoformat()}T{h:02d}:00:00-06:00,{h}" for h in range(24)]
        day += timedelta(days=1)
    path.write_text("\n".join(rows) + "\n")
    return path


def _window_command(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    run = subprocess.run(
        [sys.executable, "-m", "gui.main", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen", **(env or {})),
    )
    assert "Traceback" not in run.stderr, run.stderr
    return run


@pytest.mark.parametrize(
    "command, output",
    [
        (["export", "{p}", "-o", "{p}"], "{p}"),
        (["run", "{p}", "--no-goal-seek", "--monthly", "{p}"], "{p}"),
        (["import-prices", "{p}", "{csv}", "-o", "{csv}"], "{csv}"),
        (["report", "{p}", "-o", "{p}"], "{p}"),
    ],
)
def test_a_command_never_writes_over_its_own_input(tmp_path, capsys, command, output):
    # Before: export, report and run --monthly replaced the project, import-prices the
    # price file, each with exit code 0.
    project = _project(tmp_path)
    prices = _price_csv(tmp_path / "prices.csv")
    before = {p: p.read_bytes() for p in (project, prices)}
    args = [a.replace("{p}", str(project)).replace("{csv}", str(prices)) for a in command]
    assert cli_main(args) == 2
    err = capsys.readouterr().err
    target = output.replace("{p}", str(project)).replace("{csv}", str(prices))
    # The message names the output and the input it would replace.
    assert f"the output {target} is the " in err and err.count(target) == 2, err
    assert {p: p.read_bytes() for p in before} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prices.csv", "site.minepivot"]


def test_import_prices_into_the_project_it_reads_is_refused(tmp_path, capsys):
    project = _project(tmp_path)
    before = project.read_bytes()
    csv = _price_csv(tmp_path / "prices.csv")
    assert cli_main(["import-prices", str(project), str(csv), "-o", str(project)]) == 2
    assert f"the output {project} is the project {project}" in capsys.readouterr().err
    assert project.read_bytes() == before


@pytest.mark.parametrize(
    "command",
    [
        ["export", str(EXAMPLE), "-o", "{out}"],
        ["run", str(EXAMPLE), "--no-goal-seek", "--monthly", "{out}"],
        ["report", str(EXAMPLE), "-o", "{out}"],
    ],
)
def test_another_project_file_is_never_the_output_of_an_export(tmp_path, capsys, command):
    # A second project, named .minepivot or not: the commands that write workbooks, tables
    # and reports refuse it rather than replace it.
    for name in ("other.minepivot", "saved-as.json"):
        other = _project(tmp_path, name)
        before = other.read_bytes()
        assert cli_main([a.replace("{out}", str(other)) for a in command]) == 2
        assert "is a MinePivot project file, but this command writes" in capsys.readouterr().err
        assert other.read_bytes() == before
    # A new file named as a project is refused too: a workbook is not a project.
    fresh = tmp_path / "new.minepivot"
    assert cli_main([a.replace("{out}", str(fresh)) for a in command]) == 2
    assert not fresh.exists()


def test_screenshot_never_empties_the_file_it_is_given(tmp_path):
    # Before: `minepivot --screenshot site.minepivot` left the project at 0 bytes, then said
    # it could not write it.
    project = _project(tmp_path)
    before = project.read_bytes()
    run = _window_command("--screenshot", str(project))
    assert run.returncode == 2
    assert "--screenshot writes a PNG picture (OUT.png), got" in run.stderr
    assert project.read_bytes() == before
    # The project given as the input and as the output: refused, naming both.
    shot = tmp_path / "shot.png"
    shot.write_bytes(b"old picture")
    run = _window_command(str(shot), "--screenshot", str(shot))
    assert run.returncode == 2 and f"the output {shot} is the project {shot}" in run.stderr
    assert shot.read_bytes() == b"old picture"


def test_screenshot_and_report_leave_nothing_in_the_temp_folder(tmp_path):
    # Before: each run left a minepivot-*/settings.ini folder in the system's temp folder.
    temp = tmp_path / "temp"
    temp.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    env = {"TMPDIR": str(temp)}
    run = _window_command("--screenshot", str(out / "shot.png"), env=env)
    assert run.returncode == 0, run.stderr
    run = _window_command("report", str(EXAMPLE), "-o", str(out / "r.pdf"), env=env)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in out.iterdir()) == ["r.pdf", "shot.png"]
    assert list(temp.iterdir()) == []


def test_smoke_test_into_an_existing_file_is_a_clear_error(tmp_path):
    # Before: a traceback (FileExistsError from mkdir) and exit code 1.
    project = _project(tmp_path)
    before = project.read_bytes()
    run = _window_command("--smoke-test", str(project))
    assert run.returncode == 2
    assert f"--smoke-test writes into a folder; {project} is a file" in run.stderr
    assert project.read_bytes() == before


def test_long_legal_file_names_are_written(tmp_path, capsys):
    # Before: "File name too long" from every command, as the temporary name beside a
    # 250-byte name passed 255 bytes.
    assert len((CJK_NAME + ".minepivot").encode()) == 250
    project = tmp_path / f"{CJK_NAME}.minepivot"
    assert cli_main(["example", "-o", str(project)]) == 0
    csv = _price_csv(tmp_path / "p.csv")
    imported = tmp_path / f"{CJK_NAME[:-1]}x.minepivot"
    assert cli_main(["import-prices", str(project), str(csv), "-o", str(imported)]) == 0
    workbook = tmp_path / f"{CJK_NAME}.xlsx"
    assert cli_main(["export", str(project), "-o", str(workbook)]) == 0
    table = tmp_path / f"{CJK_NAME}.csv"
    assert cli_main(["run", str(project), "--no-goal-seek", "--monthly", str(table)]) == 0
    capsys.readouterr()
    run = _window_command("report", str(project), "-o", str(tmp_path / f"{CJK_NAME}.pdf"))
    assert run.returncode == 0, run.stderr
    for path in (project, imported, workbook, table, tmp_path / f"{CJK_NAME}.pdf"):
        assert path.stat().st_size > 1000, path
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(atomicfile.TEMP_SUFFIX)]


def test_a_full_disk_is_named_with_the_space_needed(tmp_path, capsys, monkeypatch):
    # Before: a traceback (xlsxwriter FileCreateError, errno 28) and exit code 1.
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"what was there")

    def full(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomicfile.os, "write", full)
    assert cli_main(["export", str(EXAMPLE), "-o", str(target)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: cannot write {target}: the disk is full (")
    assert " kB needed, " in err and " free)" in err
    assert target.read_bytes() == b"what was there"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def _can_mount_a_small_disk() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "--map-root-user", "--mount", "sh", "-c", "mount -t tmpfs tmpfs /mnt"],
        capture_output=True,
    )
    return probe.returncode == 0


@pytest.mark.skipif(
    not _can_mount_a_small_disk(), reason="needs unshare and a mountable tmpfs (a Linux kernel)"
)
def test_export_on_a_really_full_disk_leaves_no_temporaries(tmp_path):
    # A 300 kB disk holding the system's temp folder and an old workbook: the export (760 kB)
    # cannot fit. The mount lives only inside the command, so the checks run there too.
    disk = tmp_path / "disk"
    disk.mkdir()
    script = f"""
set -u
mount -t tmpfs -o size=300k tmpfs {disk}
mkdir {disk}/temp
printf 'what was there' > {disk}/book.xlsx
TMPDIR={disk}/temp {sys.executable} -m gui.main export {EXAMPLE} -o {disk}/book.xlsx
echo "rc=$?"
echo "temp=$(ls -A {disk}/temp | wc -l)"
echo "files=$(ls -A {disk} | tr '\\n' ' ')"
echo "old=$(cat {disk}/book.xlsx)"
"""
    run = subprocess.run(
        ["unshare", "--map-root-user", "--mount", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in run.stderr, run.stderr
    assert "rc=2" in run.stdout, run.stdout + run.stderr
    assert "the disk is full (" in run.stderr and "needed" in run.stderr
    assert "temp=0" in run.stdout
    assert "files=book.xlsx temp " in run.stdout
    assert "old=what was there" in run.stdout


def test_monthly_csv_text_that_starts_like_a_formula_stays_text(tmp_path, capsys):
    # Before: a strategy named =HYPERLINK(...) was a bare cell, a live formula in Excel.
    names = ['=HYPERLINK("http://x","y")', "+1 case", "-2 case", "@SUM(A1)", "\tTabbed", "Plain"]
    p = example_project()
    one = p.strategies[0]
    p = p.model_copy(update={"strategies": [one.model_copy(update={"name": n}) for n in names]})
    project = tmp_path / "p.minepivot"
    save_project(p, project)
    table = tmp_path / "m.csv"
    assert cli_main(["run", str(project), "--no-goal-seek", "--monthly", str(table)]) == 0
    capsys.readouterr()
    with table.open(newline="") as fh:
        shown = {row["strategy"] for row in csv.DictReader(fh)}
    assert shown == {"'" + n for n in names[:-1]} | {"Plain"}


def test_any_valid_strategy_name_exports_with_excel_sheet_names(tmp_path):
    # Before: 20 emoji (40 UTF-16 units, Excel's count) crashed export with
    # InvalidWorksheetName.
    p = example_project()
    one = p.strategies[0]
    names = ["😀" * 20, "😀" * 20 + "!", "x" * 40, "X" * 40]
    p = p.model_copy(update={"strategies": [one.model_copy(update={"name": n}) for n in names]})
    path = export_workbook(p, tmp_path / "emoji.xlsx")
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode()
    sheets = re.findall(r'<sheet name="([^"]*)"', book)
    strategy_sheets = [s for s in sheets if s[0] in "😀xX"]
    assert len(strategy_sheets) == 4
    assert len({s.lower() for s in strategy_sheets}) == 4
    assert all(len(s.encode("utf-16-le")) // 2 <= 31 for s in strategy_sheets)
    assert strategy_sheets[0] == "😀" * 14  # 28 units: no emoji cut in half


def test_hashprice_refuses_inputs_whose_result_overflows(capsys):
    # Before: `hashprice: inf USD per PH/s per day`.
    args = ["hashprice", "--btc-price", "1e308", "--difficulty", "1e-300", "--fees-per-block", "0"]
    assert cli_main(args) == 2
    out = capsys.readouterr()
    assert "inf" not in out.out + out.err.replace("1e+308", "")
    assert "--btc-price 1e+308 with --difficulty 1e-300" in out.err
