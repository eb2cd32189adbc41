"""``make package-test``: run the built bundle as a user would and fail loudly if it breaks.

Runs ``MinePivot --smoke-test`` offscreen on the bundled example (several times, to time the
start-up), on a project passed by path (as a file association does), and on a malformed file;
checks ``--version``; reports the bundle size and the cold start to the first painted window
as medians. Fails on a non-zero exit, a traceback, a Qt platform plugin that could not load, a
missing or unreadable workbook, or a bundle over the size budget."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gui.smoketest import check_workbook  # noqa: E402

SIZE_BUDGET_MB = 200
START_BUDGET_S = 2.0
RUNS = 5
FATAL = ("Traceback (most recent call last)", "could not load the Qt platform plugin")


class Failed(Exception):
    pass


def executable(bundle: Path) -> Path:
    name = "MinePivot.exe" if sys.platform == "win32" else "MinePivot"
    return bundle / name


def run(exe: Path, *args: str, expect: int = 0) -> tuple[str, float]:
    """Run the bundle; returns its output and the wall-clock time it was started at."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    started = time.time()
    proc = subprocess.run(
        [str(exe), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    output = proc.stdout + proc.stderr
    for bad in FATAL:
        if bad in output:
            raise Failed(f"`{exe.name} {' '.join(args)}` printed {bad!r}:\n{output}")
    if proc.returncode != expect:
        raise Failed(
            f"`{exe.name} {' '.join(args)}` exited {proc.returncode}, expected {expect}:\n{output}"
        )
    return output, started


def first_paint_s(output: str, started: float) -> float:
    for line in output.splitlines():
        if line.startswith("first_paint_unix="):
            return float(line.split("=", 1)[1]) - started
    raise Failed(f"the smoke test did not report its first paint:\n{output}")


def size_mb(folder: Path) -> float:
    # Symbolic links (the bundle links some libraries into place) take no space of their own.
    files = (p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    return sum(p.stat().st_size for p in files) / 1e6


def check(bundle: Path) -> None:
    exe = executable(bundle)
    if not exe.is_file():
        raise Failed(f"no executable at {exe}; run `make package` first")
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    output, _ = run(exe, "--version")
    if output.strip() != f"minepivot {version}":
        raise Failed(f"--version printed {output.strip()!r}, expected 'minepivot {version}'")

    starts = []
    with tempfile.TemporaryDirectory(prefix="minepivot-package-test-") as tmp:
        for i in range(RUNS):
            out_dir = Path(tmp) / f"run{i}"
            output, started = run(exe, "--smoke-test", str(out_dir))
            starts.append(first_paint_s(output, started))
            sheets = check_workbook(out_dir / "smoke.xlsx")
            if "Summary" not in sheets or not (out_dir / "cumulative.png").stat().st_size:
                raise Failed(f"run {i}: workbook sheets {sheets}, or an empty chart PNG")
        print(output.strip())

        # A project passed by path, as `MinePivot project.minepivot` or a file association.
        project = Path(tmp) / "Board review 2026.minepivot"
        shutil.copy(ROOT / "resources" / "examples" / "west_texas_100mw.minepivot", project)
        output, _ = run(exe, "--smoke-test", str(Path(tmp) / "byname"), str(project))
        check_workbook(Path(tmp) / "byname" / "smoke.xlsx")
        print(f"opened by path: {project.name}")

        broken = Path(tmp) / "broken.minepivot"
        broken.write_text('{"schema_version": 1, "name": ', encoding="utf-8")
        output, _ = run(exe, "--smoke-test", str(Path(tmp) / "broken"), str(broken), expect=1)
        if "cannot open" not in output:
            raise Failed(f"a malformed project did not say why it failed:\n{output}")
        print("malformed project: refused with a message, no traceback")

        plan = Path(tmp) / "plan.png"
        run(exe, "layout", str(project), "--strategy", "Hybrid", "--png", str(plan))
        if not plan.exists() or plan.read_bytes()[:8] != b"\x89PNG\r\n\x1a\n":
            raise Failed(f"`layout --png` wrote no PNG at {plan}")
        print(f"layout --png: {plan.name}, {plan.stat().st_size:,} bytes")

    size = size_mb(bundle)
    cold = statistics.median(starts)
    print(f"bundle_size_mb      {size:8.1f}   (budget {SIZE_BUDGET_MB})")
    print(
        f"cold_start_s        {cold:8.2f}   median of {RUNS} (budget {START_BUDGET_S});"
        f" first run {starts[0]:.2f}, all {', '.join(f'{s:.2f}' for s in starts)}"
    )
    if cold > START_BUDGET_S:
        print(f"warning: start-up median {cold:.2f} s is over the {START_BUDGET_S} s budget")
    if size > SIZE_BUDGET_MB:
        raise Failed(f"the bundle is {size:.1f} MB, over the {SIZE_BUDGET_MB} MB budget")


def main() -> int:
    bundle = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist" / "MinePivot"
    try:
        check(bundle)
    except (Failed, subprocess.TimeoutExpired) as exc:
        print(f"package test FAILED: {exc}", file=sys.stderr)
        return 1
    print("package test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
