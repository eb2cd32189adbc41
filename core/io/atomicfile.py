"""Atomic file replacement: write beside the target, then rename over it.

A reader sees the old file or the new one, never half of either; on any failure the temporary
file is removed and an existing file at the target is untouched. A target that is a symbolic
link is written through: the file it points to is replaced and the link stays a link. The
folder is flushed after the rename, so the new name survives a power cut. Temporary files that
a killed save left behind are removed by the next save to the same folder.

Where a command may write (``output_problem``): never over one of its own inputs, and never
over a MinePivot project it did not mean to write (``export site.minepivot -o site.minepivot``).
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

try:  # POSIX: a writer holds a lock on its temporary file, so a cleaner can tell it is alive
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

TEMP_SUFFIX = ".minepivot-tmp"
STALE_AFTER_S = 3600.0  # where locks are not available, a temporary this old is abandoned


def write_target(path: Path) -> Path:
    """The file a write to ``path`` must replace: the end of a symbolic link's chain (made
    absolute), else ``path``. Raises OSError for a folder, a link loop or a missing folder."""
    path = Path(path)
    if path.is_symlink():
        path = Path(os.path.realpath(path))  # raises or loops back on a cycle
        if path.is_symlink():
            raise OSError(40, "Too many levels of symbolic links", str(path))
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
    if not path.parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", str(path.parent))
    return path


def cannot_write(path: Path, exc: OSError, size_bytes: int | None = None) -> str:
    """The message for a write to ``path`` that failed: the folder's fault or the target's; a
    full disk says so, with what the file needs (``size_bytes``, when known) and what is free."""
    why = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"cannot write {path}: the disk is full ({_space_needed(path, size_bytes)})"
    if exc.filename is not None and Path(exc.filename) == path:
        return f"cannot write {path}: {why}"
    return f"cannot write in {path.parent}: {why}"


def _space_needed(path: Path, size_bytes: int | None) -> str:
    try:
        free = f"{byte_size(shutil.disk_usage(Path(path).parent).free)} free"
    except OSError:
        free = "free space unknown"
    if size_bytes is None:
        return free
    return f"{byte_size(size_bytes)} needed, {free}"


def byte_size(n: int) -> str:
    """ "512 bytes", "740.2 kB", "1.6 MB", "2.0 GB" (powers of 1,000, as file managers show)."""
    if n < 1000:
        return f"{n:,} bytes"
    size = float(n)
    for unit in ("kB", "MB", "GB", "TB"):
        size /= 1000
        if size < 1000 or unit == "TB":
            break
    return f"{size:,.1f} {unit}"


def target_mode(path: Path) -> int:
    """The existing file's permissions, else what a plain open() would give (0666 & ~umask)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _lock(fd: int) -> bool:
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def remove_stale_temporaries(folder: Path) -> int:
    """Remove the temporary files of saves that died in ``folder`` (none still being written).
    Returns how many were removed; never raises."""
    removed = 0
    try:
        candidates = [p for p in folder.iterdir() if p.name.endswith(TEMP_SUFFIX)]
    except OSError:
        return 0
    for p in candidates:
        try:
            if fcntl is None:
                if time.time() - p.stat().st_mtime < STALE_AFTER_S:
                    continue
                p.unlink()
                removed += 1
                continue
            fd = os.open(p, os.O_RDONLY)
            try:
                if _lock(fd):  # nobody holds it: its writer is gone
                    p.unlink()
                    removed += 1
            finally:
                os.close(fd)
        except OSError:
            continue
    return removed


class TempFile:
    """A new file beside the target, with the target's permissions, locked while it lives.
    Raises OSError when the folder cannot be written."""

    def __init__(self, target: Path):
        self.target = target
        # A short name of its own: one built from the target's could pass the file system's
        # 255-byte limit for a long (legal) target name.
        fd, name = tempfile.mkstemp(prefix=".", suffix=TEMP_SUFFIX, dir=target.parent)
        self.path = Path(name)
        self.fd = fd
        try:
            _lock(fd)
            os.chmod(name, target_mode(target))
        except OSError:
            self.discard()
            raise

    def commit(self) -> None:
        """Flush to disk, rename over the target, flush the folder."""
        os.fsync(self.fd)
        os.replace(self.path, self.target)
        self._close()
        fsync_folder(self.target.parent)

    def _close(self) -> None:
        if self.fd >= 0:
            try:
                os.close(self.fd)
            finally:
                self.fd = -1

    def discard(self) -> None:
        self._close()
        try:
            os.unlink(self.path)
        except OSError:
            pass


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows has no folder handles for this)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def begin_write(path: Path) -> TempFile:
    """Start an atomic write to ``path``: resolves links, clears dead saves' temporaries and
    returns the temporary file to fill (by its ``path`` or ``fd``), then ``commit``."""
    target = write_target(Path(path))
    remove_stale_temporaries(target.parent)
    return TempFile(target)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (flushed to disk before the rename)."""
    tmp = begin_write(Path(path))
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(tmp.fd, view) :]
        tmp.commit()
    except BaseException:
        tmp.discard()
        raise


# ----------------------------------------------------------------------------- outputs
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
