"""The ``minepivot`` entry point: one argparse dispatcher for the desktop app, every command and
the diagnostic flags, so that ``minepivot --help`` tells the whole truth.

``minepivot [PROJECT]`` (the ``open`` command) opens the window; every other command works
without one. Qt is imported only by what needs it: the window, ``layout --png`` and ``bench``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from core.cli import commands, plans
from core.cli.allocator import tune_allocator
from core.io.buildinfo import build_info

OPEN = "open"
EPILOG = """\
No command, or a project file, opens the desktop app: `minepivot [PROJECT]` is
`minepivot open [PROJECT]`. Every other command runs without a window. Bad input exits
with code 2 and a message naming the field, the value and what is allowed."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="minepivot",
        description="MinePivot: keep mining, convert the site to AI/HPC hosting, or run both.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"minepivot {build_info().version}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    o = sub.add_parser(OPEN, help="open the desktop app (the default when no command is given)")
    o.add_argument("project", nargs="?", type=Path, help="project file (default: a new project)")
    what = o.add_mutually_exclusive_group()
    what.add_argument(
        "--screenshot",
        metavar="OUT.png",
        type=Path,
        help="render the window on the project (the example by default) and exit",
    )
    what.add_argument(
        "--smoke-test",
        metavar="OUT_DIR",
        type=Path,
        help="open, recompute, export a workbook and a chart into OUT_DIR, check both, exit",
    )
    o.add_argument(  # for ``minepivot bench``: not a user's option
        "--startup-probe", action="store_true", help=argparse.SUPPRESS
    )
    o.add_argument(
        "--size",
        metavar="WxH",
        type=_size,
        default=(1440, 900),
        help="window size for --screenshot, e.g. 1366x768 (default 1440x900)",
    )
    o.add_argument(
        "--tab",
        metavar="NAME",
        help="for --screenshot: the tab to show, e.g. 'Floor plan', 'Risk' or 'Finance'",
    )
    o.set_defaults(func=_open)
    parsers = commands.add_commands(sub)
    parsers["layout"].set_defaults(func=_layout)
    parsers["bench"].set_defaults(func=_bench)
    parsers["report"].set_defaults(func=_report)
    return p


def _size(text: str) -> tuple[int, int]:
    """ "1366x768" → (1366, 768); anything else is refused with what is allowed."""
    w, sep, h = text.lower().replace("×", "x").partition("x")
    if sep and w.strip().isdigit() and h.strip().isdigit():
        size = int(w), int(h)
        if 320 <= size[0] <= 7680 and 240 <= size[1] <= 4320:
            return size
    raise argparse.ArgumentTypeError(
        f"must be WIDTHxHEIGHT in pixels, from 320x240 to 7680x4320, got {text!r}"
    )


def _open(args: argparse.Namespace) -> int:
    if args.screenshot is not None:
        from gui.app import screenshot

        if args.screenshot.suffix.lower() != ".png":
            raise commands.UserError(
                f"--screenshot writes a PNG picture (OUT.png), got {str(args.screenshot)!r}"
            )
        commands.check_output(args.screenshot, _project_input(args), "a PNG picture")

        return screenshot(args.screenshot, args.project, args.size, args.tab)
    if args.tab is not None:
        raise commands.UserError("--tab works with --screenshot only")
    if args.smoke_test is not None:
        from gui.smoketest import smoke_test

        if args.smoke_test.exists() and not args.smoke_test.is_dir():
            raise commands.UserError(
                f"--smoke-test writes into a folder; {args.smoke_test} is a file"
            )

        return smoke_test(args.smoke_test, args.project)
    from gui.app import open_app

    return open_app(args.project, probe=args.startup_probe)


def _project_input(args: argparse.Namespace) -> dict[str, Path]:
    return {} if args.project is None else {"project": args.project}


def _layout(args: argparse.Namespace) -> int:
    chosen = plans.layout_reviews(args)
    if args.png:
        from gui.plan.export import render_plan_png

        drawn = plans.plan_picture_paths(chosen, Path(args.png))
        for _strategy, _review, path in drawn:
            commands.check_output(path, {"project": args.project}, "a PNG picture")
        for strategy, review, path in drawn:
            try:
                render_plan_png(review, strategy.name, path)
            except OSError as exc:
                raise commands.UserError(commands.cannot_write(path, exc)) from None
            print(f"wrote {path}", file=sys.stderr if args.json else sys.stdout)
    return plans.print_layout(chosen, args)


def _report(args: argparse.Namespace) -> int:
    from gui.app import report

    commands.check_output(args.output, {"project": args.project}, "a PDF report")
    return report(Path(args.project), Path(args.output), args.paper, args.risk)


def _bench(args: argparse.Namespace) -> int:
    from core.cli.bench import run_benchmarks
    from gui.bench import gui_benchmarks, startup_benchmarks

    return commands.print_figures(
        run_benchmarks() | gui_benchmarks() | startup_benchmarks(), args.json
    )


def _opens_the_app(argv: list[str]) -> bool:
    """Nothing, a project file, or one of the app's flags: ``open`` is implied. Any other
    word is left to the parser, which names the commands there are."""
    if not argv:
        return True
    first = argv[0]
    if first in (*commands.COMMANDS, OPEN, "-h", "--help", "--version"):
        return False
    return first.startswith("-") or first.endswith(".minepivot") or Path(first).is_file()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    tune_allocator()
    if _opens_the_app(argv):
        argv = [OPEN, *argv]
    args = build_parser().parse_args(argv)
    try:
        return commands.run(args)
    except BrokenPipeError:
        # The reader stopped early (`minepivot run … | head`): not an error of ours. Point
        # stdout at nothing so the interpreter's final flush does not complain again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
