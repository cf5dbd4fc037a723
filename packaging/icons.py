"""Render the app and file icons from their SVGs into every format the packages need.

PNG sizes for the hicolor theme and the app, `.ico` for Windows and `.icns` for macOS, all
drawn by Qt's SVG renderer at build time, so the SVG in `resources/icons/app/` is the only
source. The `.ico` and `.icns` containers are written here (both hold PNGs), so no image
library beyond Qt is needed.

    python packaging/icons.py OUT_DIR          # everything, as build.py uses it
    python packaging/icons.py --resources      # refresh the committed PNGs in resources/
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICON_SRC = ROOT / "resources" / "icons" / "app"
APP_SVG = ICON_SRC / "ledger-desktop.svg"
FILE_SVG = ICON_SRC / "ledger-file.svg"

HICOLOR_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
RESOURCE_SIZES = (16, 32, 48, 64, 128, 256)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# icns element types that hold PNG data, by pixel size (the @2x ones reuse the same pixels).
ICNS_TYPES = (("icp4", 16), ("icp5", 32), ("icp6", 64), ("ic07", 128), ("ic08", 256),
              ("ic09", 512), ("ic10", 1024), ("ic11", 32), ("ic12", 64), ("ic13", 256),
              ("ic14", 512))
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _qt_app() -> object:
    """Qt's image classes need a GUI application; an offscreen one works without a display.
    A QApplication (not a bare QGuiApplication), so widgets can still be made in the same
    process afterwards (the test suite runs the UI tests in it)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication([sys.argv[0]])
    return app


def render_png(svg: Path, size: int) -> bytes:
    """The SVG drawn on a transparent `size`×`size` canvas, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _qt_app()
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buf, "PNG"):
        raise RuntimeError(f"Qt could not encode {svg} at {size} px as PNG")
    buf.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding one PNG image per size (PNG entries: Windows Vista and later)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = [], []
    for size in sizes:
        if not 1 <= size <= 256:
            raise ValueError(f"an .ico image is 1..256 px, not {size}")
        data = pngs[size]
        dim = 0 if size == 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries.append(struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset))
        blobs.append(data)
        offset += len(data)
    return header + b"".join(entries) + b"".join(blobs)


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns of PNG elements; every size in ICNS_TYPES must be in `pngs`."""
    body = b"".join(kind.encode("ascii") + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
                    for kind, size in ICNS_TYPES)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def write_all(out: Path) -> dict[str, Path]:
    """Render every icon into `out`; returns the main files by role."""
    out.mkdir(parents=True, exist_ok=True)
    app_sizes = sorted(set(HICOLOR_SIZES) | set(ICO_SIZES) | {s for _k, s in ICNS_TYPES})
    app = {s: render_png(APP_SVG, s) for s in app_sizes}
    doc = {s: render_png(FILE_SVG, s) for s in app_sizes}
    for size in HICOLOR_SIZES:
        for theme_dir, name, pngs in (("apps", "ledger-desktop", app),
                                      ("mimetypes", "application-x-ledger-desktop", doc)):
            target = out / "hicolor" / f"{size}x{size}" / theme_dir / f"{name}.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(pngs[size])
    for theme_dir, name, svg in (("apps", "ledger-desktop", APP_SVG),
                                 ("mimetypes", "application-x-ledger-desktop", FILE_SVG)):
        target = out / "hicolor" / "scalable" / theme_dir / f"{name}.svg"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(svg.read_bytes())
    files = {
        "png": out / "ledger-desktop.png",
        "ico": out / "ledger-desktop.ico",
        "icns": out / "ledger-desktop.icns",
        "file_ico": out / "ledger-file.ico",
        "file_icns": out / "ledger-file.icns",
    }
    files["png"].write_bytes(app[256])
    files["ico"].write_bytes(ico_bytes({s: app[s] for s in ICO_SIZES}))
    files["icns"].write_bytes(icns_bytes(app))
    files["file_ico"].write_bytes(ico_bytes({s: doc[s] for s in ICO_SIZES}))
    files["file_icns"].write_bytes(icns_bytes(doc))
    return files


def write_resources() -> list[Path]:
    """Refresh the committed PNGs beside the SVGs (for the app, which need not load SVG)."""
    written = []
    for svg in (APP_SVG, FILE_SVG):
        for size in RESOURCE_SIZES:
            target = ICON_SRC / f"{svg.stem}-{size}.png"
            target.write_bytes(render_png(svg, size))
            written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, help="where to write every icon")
    parser.add_argument("--resources", action="store_true",
                        help=f"refresh the PNGs committed in {ICON_SRC.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    if not args.out and not args.resources:
        parser.error("give an output folder or --resources")
    if args.resources:
        for path in write_resources():
            print(path.relative_to(ROOT))
    if args.out:
        for role, path in write_all(args.out).items():
            print(f"{role}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
