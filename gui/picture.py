"""Pictures for slides and reports: SVG (Qt's own generator) or PNG, written atomically, so a
failed export leaves any file at the path as it was and a link is written through."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator

from core.io.atomicfile import begin_write


def save_picture(
    path: Path,
    title: str,
    size: QSize,
    paint: Callable[[QPainter], None],
    png: Callable[[], QImage | None] | None = None,
) -> Path:
    """SVG when ``path`` ends in .svg, else PNG: ``png()`` when given, else ``paint`` on an
    image of ``size``. Raises OSError when the file cannot be written."""
    path = Path(path)
    tmp = begin_write(path)
    try:
        if path.suffix.lower() == ".svg":
            gen = QSvgGenerator()
            gen.setFileName(str(tmp.path))
            gen.setSize(size)
            gen.setViewBox(QRect(0, 0, size.width(), size.height()))
            gen.setTitle(title)
            painter = QPainter(gen)
            try:
                paint(painter)
            finally:
                painter.end()
        else:
            image = png() if png is not None else _painted(size, paint)
            # PySide6 takes the format as text, though its stubs say bytes.
            if image is None or not image.save(str(tmp.path), "PNG"):  # type: ignore[call-overload]
                raise OSError(f"could not write {path}")
        if tmp.path.stat().st_size == 0:
            raise OSError(f"could not write {path}")
        tmp.commit()
    except BaseException:
        tmp.discard()
        raise
    return path


def _painted(size: QSize, paint: Callable[[QPainter], None]) -> QImage:
    image = QImage(size, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        paint(painter)
    finally:
        painter.end()
    return image
