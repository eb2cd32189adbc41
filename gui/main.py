"""The ``minepivot`` entry point: the window with no command, the command line otherwise."""

from __future__ import annotations

import sys

from core.allocator import tune_allocator
from core.cli import COMMANDS
from core.cli import main as cli_main


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    tune_allocator()
    if argv and (argv[0] in COMMANDS or argv[0] in ("-h", "--help", "--version")):
        extra = None
        if argv[0] == "bench":
            from gui.bench import gui_benchmarks

            extra = gui_benchmarks
        return cli_main(argv, extra_bench=extra)
    from gui.app import run_app

    return run_app(argv)


if __name__ == "__main__":
    sys.exit(main())
