"""Atomic file replacement: write beside the target, then rename over it.

A reader sees the old file or the new one, never half of either; on any failure the temporary
file is removed and an existing file at the target is untouched.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def target_mode(path: Path) -> int:
    """The existing file's permissions, else what a plain open() would give (0666 & ~umask)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def temp_beside(path: Path) -> Path:
    """A new empty file in the target's folder, already with the target's permissions.
    Raises OSError when the folder cannot be written."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        os.chmod(tmp, target_mode(path))
    except OSError:
        discard(Path(tmp))
        raise
    return Path(tmp)


def discard(tmp: Path) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (flushed to disk before the rename)."""
    path = Path(path)
    tmp = temp_beside(path)
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        discard(tmp)
        raise
