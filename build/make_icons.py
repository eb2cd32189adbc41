"""Draw the MinePivot icon and write it for each platform: PNG (Linux, the window icon), ICO
(Windows) and ICNS (macOS) into resources/icons/. Run it after changing the drawing:
``.venv/bin/python build/make_icons.py``."""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPen

OUT = Path(__file__).resolve().parent.parent / "resources" / "icons"


def draw(size: int) -> QImage:
    """An orange coin (mining) and a teal chip (AI) with an arrow between, on slate."""
    img = QImage(size, size, QImage.Format.Format_ARGB32)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 256
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#1e293b"))
    p.drawRoundedRect(QRectF(8 * s, 8 * s, 240 * s, 240 * s), 44 * s, 44 * s)
    p.setBrush(QColor("#f7931a"))
    p.drawEllipse(QPointF(82 * s, 100 * s), 54 * s, 54 * s)
    # A bitcoin-style B: the letter with two ticks through its top and bottom.
    p.setPen(QPen(QColor("#1e293b"), 7 * s))
    for x in (74, 90):
        p.drawLine(QPointF(x * s, 58 * s), QPointF(x * s, 142 * s))
    font = QFont("DejaVu Sans")
    font.setBold(True)
    font.setPixelSize(round(78 * s))
    p.setFont(font)
    p.drawText(QRectF(28 * s, 46 * s, 108 * s, 108 * s), Qt.AlignmentFlag.AlignCenter, "B")
    p.setPen(QPen(QColor("#14b8a6"), 9 * s))
    for i in range(4):
        x = (148 + i * 20) * s
        p.drawLine(QPointF(x, 128 * s), QPointF(x, 220 * s))
        y = (144 + i * 20) * s
        p.drawLine(QPointF(132 * s, y), QPointF(224 * s, y))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#14b8a6"))
    p.drawRoundedRect(QRectF(144 * s, 140 * s, 68 * s, 68 * s), 10 * s, 10 * s)
    p.setBrush(QColor("#1e293b"))
    p.drawRoundedRect(QRectF(162 * s, 158 * s, 32 * s, 32 * s), 4 * s, 4 * s)
    pen = QPen(QColor("#f8fafc"), 12 * s)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    p.drawLine(QPointF(64 * s, 182 * s), QPointF(116 * s, 182 * s))
    p.drawLine(QPointF(100 * s, 166 * s), QPointF(116 * s, 182 * s))
    p.drawLine(QPointF(100 * s, 198 * s), QPointF(116 * s, 182 * s))
    p.end()
    return img


def png_bytes(img: QImage) -> bytes:
    buf = QBuffer()
    buf.open(QBuffer.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    return bytes(buf.data())


def ico_bytes(sizes: tuple[int, ...]) -> bytes:
    """A Windows icon holding one PNG per size (Vista and later read PNG entries)."""
    images = [png_bytes(draw(n)) for n in sizes]
    out = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    for n, data in zip(sizes, images, strict=True):
        side = 0 if n >= 256 else n  # 0 means 256 in an icon directory
        out += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return out + b"".join(images)


def icns_bytes() -> bytes:
    """A macOS icon with PNG entries: ic07 128 px, ic08 256, ic09 512, ic10 1024 (512@2x)."""
    body = b""
    for kind, n in ((b"ic07", 128), (b"ic08", 256), (b"ic09", 512), (b"ic10", 1024)):
        data = png_bytes(draw(n))
        body += kind + struct.pack(">I", 8 + len(data)) + data
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    ok = draw(256).save(str(OUT / "minepivot.png"))
    (OUT / "minepivot.ico").write_bytes(ico_bytes((16, 24, 32, 48, 64, 128, 256)))
    (OUT / "minepivot.icns").write_bytes(icns_bytes())
    for name in ("minepivot.png", "minepivot.ico", "minepivot.icns"):
        print(f"{OUT / name}: {(OUT / name).stat().st_size:,} bytes")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
