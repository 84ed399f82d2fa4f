"""Generate the application icon files in ``resources/`` from one hand-written SVG.

    .venv/bin/python packaging/make_icons.py

Writes (all committed, so a build never needs this script):
    resources/translator-app.svg           the master (scalable, freedesktop "scalable/apps")
    resources/icons/translator-app-<N>.png  16 ... 512 px renders
    resources/translator-app.png           256 px: the window icon (translator_app.app), .desktop fallback
    resources/translator-app.ico           Windows: PNG-compressed entries 16 ... 256
    resources/translator-app.icns          macOS: PNG-compressed entries 16 ... 1024

Rendering uses QtSvg offscreen (no display needed); the .ico and .icns containers are
written by hand (both formats accept embedded PNG images), so no Pillow is needed.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
RES = ROOT / "resources"

# Two overlapping speech bubbles: "A" (source) and "ñ" (target) with a swap arrow.
SVG = """<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#2f6fdf"/>
      <stop offset="1" stop-color="#1c46a8"/>
    </linearGradient>
    <linearGradient id="b2" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#ffb84d"/>
      <stop offset="1" stop-color="#f08a12"/>
    </linearGradient>
  </defs>
  <rect x="8" y="8" width="240" height="240" rx="52" ry="52" fill="url(#bg)"/>
  <!-- source bubble -->
  <path d="M40 44 h104 a16 16 0 0 1 16 16 v60 a16 16 0 0 1 -16 16 h-58 l-26 24 v-24 h-20
           a16 16 0 0 1 -16 -16 v-60 a16 16 0 0 1 16 -16 z" fill="#ffffff"/>
  <text x="92" y="116" font-family="DejaVu Sans, Arial, Helvetica, sans-serif" font-size="68"
        font-weight="bold" text-anchor="middle" fill="#1c46a8">A</text>
  <!-- target bubble -->
  <path d="M120 112 h96 a16 16 0 0 1 16 16 v60 a16 16 0 0 1 -16 16 h-12 v24 l-26 -24 h-58
           a16 16 0 0 1 -16 -16 v-60 a16 16 0 0 1 16 -16 z" fill="url(#b2)" stroke="#ffffff" stroke-width="6"/>
  <text x="168" y="184" font-family="DejaVu Sans, Arial, Helvetica, sans-serif" font-size="64"
        font-weight="bold" text-anchor="middle" fill="#ffffff">ñ</text>
</svg>
"""

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# icns OSType per pixel size (PNG payloads are accepted for all of these since 10.7)
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09", 1024: b"ic10"}


def render_png(svg: bytes, size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(svg))
    if not renderer.isValid():
        raise SystemExit("make_icons: the SVG does not parse")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data)


def write_ico(path: Path, pngs: dict[int, bytes]) -> None:
    """ICONDIR + ICONDIRENTRYs + PNG payloads (Vista+ reads PNG entries of any size)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    entries, payload = b"", b""
    for s in sizes:
        data = pngs[s]
        dim = 0 if s >= 256 else s  # 0 means 256
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
        payload += data
    path.write_bytes(header + entries + payload)


def write_icns(path: Path, pngs: dict[int, bytes]) -> None:
    chunks = b"".join(ICNS_TYPES[s] + struct.pack(">I", 8 + len(d)) + d for s, d in sorted(pngs.items()))
    path.write_bytes(b"icns" + struct.pack(">I", 8 + len(chunks)) + chunks)


def main() -> int:
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # fonts need an application
    svg = SVG.encode("utf-8")
    (RES / "icons").mkdir(parents=True, exist_ok=True)
    (RES / "translator-app.svg").write_bytes(svg)
    cache: dict[int, bytes] = {}
    for size in sorted(set(PNG_SIZES) | set(ICO_SIZES) | set(ICNS_TYPES)):
        cache[size] = render_png(svg, size)
    for size in PNG_SIZES:
        (RES / "icons" / f"translator-app-{size}.png").write_bytes(cache[size])
    (RES / "translator-app.png").write_bytes(cache[256])
    write_ico(RES / "translator-app.ico", {s: cache[s] for s in ICO_SIZES})
    write_icns(RES / "translator-app.icns", {s: cache[s] for s in ICNS_TYPES})
    del app
    for p in sorted(RES.glob("translator-app.*[!p]")) + sorted((RES / "icons").glob("*.png")):
        print(f"{p.relative_to(ROOT)}  {p.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
