"""Where a command may write: never over one of its own inputs, and never over a MinePivot
project it did not mean to write (``minepivot export site.minepivot -o site.minepivot``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

PROJECT_SUFFIX = ".minepivot"
_SNIFF_BYTES = 4096  # a project file names its schema version near the top


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (through links, ``..`` and hard links)."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): compare where they lead
        return os.path.realpath(a) == os.path.realpath(b)


def holds_a_project(path: Path) -> bool:
    """Whether an existing file reads as a MinePivot project, whatever its name."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(_SNIFF_BYTES)
    except OSError:
        return False
    return head.lstrip().startswith(b"{") and b'"schema_version"' in head


def output_problem(output: Path, inputs: Mapping[str, Path], writes: str | None) -> str | None:
    """Why ``output`` must not be written, or None. ``inputs`` are the command's input files by
    what they are ("project", "price file"); ``writes`` is what the command puts at ``output``
    ("a workbook"), or None for a command that writes a project."""
    output = Path(output)
    for what, path in inputs.items():
        if same_file(output, Path(path)):
            return (
                f"the output {output} is the {what} {path} this command reads; "
                "choose another output file"
            )
    if writes is None:
        return None
    if output.suffix.lower() == PROJECT_SUFFIX or (output.is_file() and holds_a_project(output)):
        return (
            f"the output {output} is a MinePivot project file, but this command writes "
            f"{writes}; choose another output file"
        )
    return None
