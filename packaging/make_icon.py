"""Draw Tableside's app icon with QPainter: a white heart on a teal tile, and a gold coin.

    python packaging/make_icon.py OUT.png [--size 256]     # one PNG
    python packaging/make_icon.py OUT.ico                  # Windows icon (256 px)
    python packaging/make_icon.py OUT_DIR --iconset        # macOS .iconset folder for iconutil

Used by build_deb.sh (hicolor PNGs), and by the Windows and macOS build steps in
packaging/README.md. Runs without a screen (offscreen Qt platform).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def draw(size: int):  # -> QImage
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPainterPath, QPen

    img = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 256.0

    # tile
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(QColor("#0f766e")))
    p.drawRoundedRect(QRectF(8 * s, 8 * s, 240 * s, 240 * s), 48 * s, 48 * s)

    # heart
    heart = QPainterPath()
    heart.moveTo(QPointF(128 * s, 206 * s))
    heart.cubicTo(QPointF(60 * s, 160 * s), QPointF(36 * s, 120 * s), QPointF(48 * s, 88 * s))
    heart.cubicTo(QPointF(62 * s, 52 * s), QPointF(112 * s, 48 * s), QPointF(128 * s, 86 * s))
    heart.cubicTo(QPointF(144 * s, 48 * s), QPointF(194 * s, 52 * s), QPointF(208 * s, 88 * s))
    heart.cubicTo(QPointF(220 * s, 120 * s), QPointF(196 * s, 160 * s), QPointF(128 * s, 206 * s))
    p.setBrush(QBrush(QColor("#ffffff")))
    p.drawPath(heart)

    # a gold coin (rim and face), bottom right
    p.setBrush(QBrush(QColor("#f59e0b")))
    p.setPen(QPen(QColor("#0f766e"), 8 * s))
    p.drawEllipse(QPointF(188 * s, 184 * s), 40 * s, 40 * s)
    p.setBrush(QBrush(QColor("#fbbf24")))
    p.setPen(QPen(QColor("#b45309"), 4 * s))
    p.drawEllipse(QPointF(188 * s, 184 * s), 24 * s, 24 * s)
    p.end()
    return img


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--iconset", action="store_true", help="write a macOS .iconset folder")
    args = ap.parse_args(argv)

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # noqa: F841
    out = Path(args.out)
    if args.iconset:
        out.mkdir(parents=True, exist_ok=True)
        for base in (16, 32, 128, 256, 512):
            for scale in (1, 2):
                name = f"icon_{base}x{base}{'@2x' if scale == 2 else ''}.png"
                if not draw(base * scale).save(str(out / name)):
                    raise SystemExit(f"could not write {out / name}")
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    fmt = "ICO" if out.suffix.lower() == ".ico" else "PNG"
    if not draw(args.size).save(str(out), fmt):
        raise SystemExit(f"could not write {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
