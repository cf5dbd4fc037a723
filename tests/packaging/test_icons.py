"""The icons rendered from the SVGs: PNG sizes, the .ico and .icns containers Qt can read back."""

from __future__ import annotations

import struct
from pathlib import Path

import icons
import pytest
from PySide6.QtCore import QByteArray, QSize
from PySide6.QtGui import QImage, QImageReader


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return icons.write_all(tmp_path_factory.mktemp("icons"))


def test_png_has_the_size_asked_and_is_not_blank() -> None:
    for size in (16, 48, 256):
        image = QImage.fromData(QByteArray(icons.render_png(icons.APP_SVG, size)), "PNG")
        assert image.size() == QSize(size, size)
        centre = image.pixelColor(size // 2, size // 2)
        corner = image.pixelColor(0, 0)
        assert centre.alpha() == 255 and corner.alpha() == 0  # drawn, on a transparent canvas


@pytest.mark.qt_log_ignore("Cannot read file")
def test_a_broken_svg_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.svg"
    bad.write_text("<svg")
    with pytest.raises(ValueError, match="not a valid SVG"):
        icons.render_png(bad, 32)


def test_ico_holds_every_size_and_qt_reads_it(rendered: dict[str, Path]) -> None:
    data = rendered["ico"].read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind, count) == (0, 1, len(icons.ICO_SIZES))
    sizes = sorted(struct.unpack_from("<B", data, 6 + 16 * i)[0] or 256 for i in range(count))
    assert sizes == sorted(icons.ICO_SIZES)
    reader = QImageReader(str(rendered["ico"]))
    assert reader.imageCount() == len(icons.ICO_SIZES)
    assert not reader.read().isNull()


def test_ico_refuses_sizes_it_cannot_hold() -> None:
    with pytest.raises(ValueError):
        icons.ico_bytes({512: icons.render_png(icons.APP_SVG, 512)})


def test_icns_elements_and_qt_reads_it(rendered: dict[str, Path]) -> None:
    data = rendered["icns"].read_bytes()
    assert data[:4] == b"icns" and struct.unpack_from(">I", data, 4)[0] == len(data)
    pos, kinds = 8, []
    while pos < len(data):
        kind, length = data[pos:pos + 4].decode(), struct.unpack_from(">I", data, pos + 4)[0]
        assert data[pos + 8:pos + 16] == icons.PNG_MAGIC
        kinds.append(kind)
        pos += length
    assert pos == len(data)
    assert kinds == [k for k, _s in icons.ICNS_TYPES]
    reader = QImageReader(str(rendered["icns"]))
    if reader.canRead():  # Qt's icns plugin is present in PySide6-Essentials' imageformats
        assert reader.imageCount() == len(icons.ICNS_TYPES)


def test_hicolor_tree(rendered: dict[str, Path]) -> None:
    root = rendered["png"].parent / "hicolor"
    for size in icons.HICOLOR_SIZES:
        app = root / f"{size}x{size}" / "apps" / "ledger-desktop.png"
        assert QImage(str(app)).size() == QSize(size, size)
        assert (root / f"{size}x{size}" / "mimetypes" / "application-x-ledger-desktop.png").exists()
    assert (root / "scalable" / "apps" / "ledger-desktop.svg").read_bytes() == \
        icons.APP_SVG.read_bytes()


def test_committed_pngs_for_the_app_exist_at_their_sizes() -> None:
    for svg in (icons.APP_SVG, icons.FILE_SVG):
        for size in icons.RESOURCE_SIZES:
            png = icons.ICON_SRC / f"{svg.stem}-{size}.png"
            assert QImage(str(png)).size() == QSize(size, size), png
