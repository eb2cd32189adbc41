"""The ``minepivot`` entry point: the window with no command, the command line otherwise."""

from __future__ import annotations

import sys

from core.cli.allocator import tune_allocator
from core.cli.commands import COMMANDS
from core.cli.commands import main as cli_main


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    tune_allocator()
    if argv and (argv[0] in COMMANDS or argv[0] in ("-h", "--help", "--version")):
        extra = None
        if argv[0] == "bench":
            from gui.bench import gui_benchmarks

            extra = gui_benchmarks
        return cli_main(argv, extra_bench=extra, render_plan=_render_plan)
    from gui.app import run_app

    return run_app(argv)


def _render_plan(*args: object) -> None:
    from gui.plan.export import render_plan_png  # Qt only when a plan is drawn

    render_plan_png(*args)  # type: ignore[arg-type]


if __name__ == "__main__":
    sys.exit(main())
