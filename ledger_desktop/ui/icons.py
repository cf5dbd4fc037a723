"""Every icon the app uses, drawn here with QPainter (no image files to ship or lose).

Icons are drawn once at 64 px per name and cached; `icon(name)` is the only way in.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

SIZE = 64
BLUE, TEAL, GREEN = QColor("#2f74d0"), QColor("#1c9aa0"), QColor("#2e9d4f")
RED, ORANGE, GREY = QColor("#d0453a"), QColor("#e08a1e"), QColor("#7d8590")
INK = QColor("#4a5260")

_cache: dict[str, QIcon] = {}
_painters: dict[str, Callable[[QPainter], None]] = {}


def _register(name: str) -> Callable[[Callable[[QPainter], None]], Callable[[QPainter], None]]:
    def deco(fn: Callable[[QPainter], None]) -> Callable[[QPainter], None]:
        _painters[name] = fn
        return fn
    return deco


def names() -> list[str]:
    return sorted(_painters)


def pixmap(name: str, size: int = SIZE) -> QPixmap:
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(size / SIZE, size / SIZE)
    _painters[name](p)
    p.end()
    return pm


def icon(name: str) -> QIcon:
    """The icon called `name`; unknown names are a programming error (KeyError)."""
    if name not in _cache:
        if name not in _painters:
            raise KeyError(f"no icon named {name!r}")
        ic = QIcon()
        for size in (16, 24, 32, 48, 64, 128):
            ic.addPixmap(pixmap(name, size))
        _cache[name] = ic
    return _cache[name]


def app_icon() -> QIcon:
    return icon("app")


def _pen(color: QColor, width: float = 5.0) -> QPen:
    pen = QPen(color, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _link(p: QPainter, cx: float, cy: float, w: float, h: float, color: QColor) -> None:
    p.setPen(_pen(color, 6))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRoundedRect(QRectF(cx - w / 2, cy - h / 2, w, h), h / 2, h / 2)


def _block(p: QPainter, x: float, y: float, w: float, h: float, color: QColor) -> None:
    p.setPen(_pen(color.darker(130), 3))
    p.setBrush(QBrush(color))
    p.drawRoundedRect(QRectF(x, y, w, h), 5, 5)


def _sheet(p: QPainter, color: QColor = INK) -> None:
    path = QPainterPath()
    path.moveTo(14, 6)
    path.lineTo(40, 6)
    path.lineTo(52, 18)
    path.lineTo(52, 58)
    path.lineTo(14, 58)
    path.closeSubpath()
    p.setPen(_pen(color, 3.5))
    p.setBrush(QBrush(QColor("#ffffff")))
    p.drawPath(path)
    p.drawPolyline(QPolygonF([QPointF(40, 6), QPointF(40, 18), QPointF(52, 18)]))


def _grid(p: QPainter, color: QColor) -> None:
    p.setPen(_pen(color.darker(120), 3))
    p.setBrush(QBrush(QColor("#ffffff")))
    p.drawRoundedRect(QRectF(6, 10, 52, 44), 4, 4)
    p.setBrush(QBrush(color))
    p.drawRect(QRectF(6, 10, 52, 11))
    p.setPen(_pen(color.darker(120), 2))
    for y in (32, 43):
        p.drawLine(QPointF(6, y), QPointF(58, y))
    p.drawLine(QPointF(24, 21), QPointF(24, 54))


def _arrow(p: QPainter, x1: float, y1: float, x2: float, y2: float, color: QColor) -> None:
    p.setPen(_pen(color, 5))
    p.drawLine(QPointF(x1, y1), QPointF(x2, y2))
    ang = math.atan2(y2 - y1, x2 - x1)
    for da in (2.5, -2.5):
        p.drawLine(QPointF(x2, y2), QPointF(x2 + 11 * math.cos(ang + da), y2 + 11 * math.sin(ang + da)))


@_register("app")
def _app(p: QPainter) -> None:
    _block(p, 4, 20, 22, 24, BLUE)
    _block(p, 38, 20, 22, 24, TEAL)
    p.setPen(_pen(INK, 4))
    p.drawLine(QPointF(26, 32), QPointF(38, 32))
    p.setPen(_pen(QColor("#ffffff"), 3))
    p.drawLine(QPointF(10, 28), QPointF(20, 28))
    p.drawLine(QPointF(10, 36), QPointF(18, 36))
    p.drawLine(QPointF(44, 28), QPointF(54, 28))
    p.drawLine(QPointF(44, 36), QPointF(52, 36))


@_register("ledger")
def _ledger(p: QPainter) -> None:
    p.setPen(_pen(BLUE.darker(130), 3))
    for i, y in enumerate((40, 26, 12)):
        p.setBrush(QBrush(BLUE.lighter(100 + 12 * i)))
        p.drawEllipse(QRectF(8, y, 48, 14))
    p.drawLine(QPointF(8, 19), QPointF(8, 47))
    p.drawLine(QPointF(56, 19), QPointF(56, 47))


@_register("table")
def _table(p: QPainter) -> None:
    _grid(p, BLUE)


@_register("table-dropped")
def _table_dropped(p: QPainter) -> None:
    _grid(p, GREY)
    p.setPen(_pen(RED, 5))
    p.drawLine(QPointF(40, 40), QPointF(58, 58))
    p.drawLine(QPointF(58, 40), QPointF(40, 58))


@_register("index")
def _index(p: QPainter) -> None:
    p.setPen(_pen(TEAL, 5))
    for y in (14, 30, 46):
        p.drawLine(QPointF(24, y + 2), QPointF(56, y + 2))
    p.setBrush(QBrush(TEAL))
    for y in (14, 30, 46):
        p.drawEllipse(QRectF(6, y - 4, 12, 12))


@_register("journal")
def _journal(p: QPainter) -> None:
    for i, x in enumerate((2, 22, 42)):
        _block(p, x, 22, 18, 20, [BLUE, TEAL, GREEN][i])
    p.setPen(_pen(INK, 3))
    p.drawLine(QPointF(20, 32), QPointF(22, 32))
    p.drawLine(QPointF(40, 32), QPointF(42, 32))


@_register("block")
def _block_icon(p: QPainter) -> None:
    _block(p, 10, 10, 44, 44, TEAL)
    p.setPen(_pen(QColor("#ffffff"), 4))
    for y in (22, 32, 42):
        p.drawLine(QPointF(18, y), QPointF(46, y))


@_register("document")
def _document(p: QPainter) -> None:
    _sheet(p)
    p.setPen(_pen(BLUE, 3.5))
    for y in (28, 37, 46):
        p.drawLine(QPointF(22, y), QPointF(44, y))


@_register("new")
def _new(p: QPainter) -> None:
    _sheet(p)
    p.setPen(_pen(GREEN, 6))
    p.drawLine(QPointF(33, 26), QPointF(33, 48))
    p.drawLine(QPointF(22, 37), QPointF(44, 37))


@_register("open")
def _open(p: QPainter) -> None:
    p.setPen(_pen(ORANGE.darker(130), 3))
    p.setBrush(QBrush(ORANGE.lighter(130)))
    p.drawPolygon(QPolygonF([QPointF(4, 14), QPointF(24, 14), QPointF(30, 20), QPointF(56, 20),
                             QPointF(56, 52), QPointF(4, 52)]))
    p.setBrush(QBrush(ORANGE))
    p.drawPolygon(QPolygonF([QPointF(4, 52), QPointF(14, 28), QPointF(62, 28), QPointF(56, 52)]))


@_register("sample")
def _sample(p: QPainter) -> None:
    _ledger(p)
    p.setPen(_pen(ORANGE.darker(120), 2))
    p.setBrush(QBrush(ORANGE))
    star = QPolygonF()
    for i in range(10):
        r = 14 if i % 2 == 0 else 6
        a = -math.pi / 2 + i * math.pi / 5
        star.append(QPointF(46 + r * math.cos(a), 46 + r * math.sin(a)))
    p.drawPolygon(star)


@_register("import")
def _import(p: QPainter) -> None:
    _block(p, 10, 34, 44, 24, BLUE)
    _arrow(p, 32, 4, 32, 30, GREEN)


@_register("export")
def _export(p: QPainter) -> None:
    _block(p, 10, 34, 44, 24, BLUE)
    _arrow(p, 32, 30, 32, 4, ORANGE)


@_register("run")
def _run(p: QPainter) -> None:
    p.setPen(_pen(GREEN.darker(130), 3))
    p.setBrush(QBrush(GREEN))
    p.drawPolygon(QPolygonF([QPointF(16, 8), QPointF(56, 32), QPointF(16, 56)]))


@_register("run-selection")
def _run_selection(p: QPainter) -> None:
    p.setPen(_pen(INK, 4))
    for y in (10, 22, 34, 46):
        p.drawLine(QPointF(4, y), QPointF(22, y))
    p.setPen(_pen(GREEN.darker(130), 3))
    p.setBrush(QBrush(GREEN))
    p.drawPolygon(QPolygonF([QPointF(28, 14), QPointF(60, 32), QPointF(28, 50)]))


@_register("cancel")
def _cancel(p: QPainter) -> None:
    p.setPen(_pen(RED.darker(130), 3))
    p.setBrush(QBrush(RED))
    p.drawEllipse(QRectF(6, 6, 52, 52))
    p.setPen(_pen(QColor("#ffffff"), 6))
    p.drawLine(QPointF(22, 22), QPointF(42, 42))
    p.drawLine(QPointF(42, 22), QPointF(22, 42))


@_register("history")
def _history(p: QPainter) -> None:
    p.setPen(_pen(BLUE, 5))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawArc(QRectF(8, 8, 48, 48), 100 * 16, 300 * 16)
    p.drawLine(QPointF(32, 18), QPointF(32, 32))
    p.drawLine(QPointF(32, 32), QPointF(42, 40))
    _arrow(p, 14, 10, 14, 22, BLUE)


@_register("diff")
def _diff(p: QPainter) -> None:
    p.setPen(_pen(RED.darker(120), 2))
    p.setBrush(QBrush(RED.lighter(150)))
    p.drawRoundedRect(QRectF(4, 8, 26, 48), 4, 4)
    p.setPen(_pen(GREEN.darker(120), 2))
    p.setBrush(QBrush(GREEN.lighter(150)))
    p.drawRoundedRect(QRectF(34, 8, 26, 48), 4, 4)
    p.setPen(_pen(RED.darker(120), 4))
    p.drawLine(QPointF(11, 32), QPointF(23, 32))
    p.setPen(_pen(GREEN.darker(120), 4))
    p.drawLine(QPointF(41, 32), QPointF(53, 32))
    p.drawLine(QPointF(47, 26), QPointF(47, 38))


@_register("verify")
def _verify(p: QPainter) -> None:
    path = QPainterPath()
    path.moveTo(32, 4)
    path.lineTo(56, 14)
    path.cubicTo(56, 38, 46, 52, 32, 60)
    path.cubicTo(18, 52, 8, 38, 8, 14)
    path.closeSubpath()
    p.setPen(_pen(GREEN.darker(130), 3))
    p.setBrush(QBrush(GREEN))
    p.drawPath(path)
    p.setPen(_pen(QColor("#ffffff"), 6))
    p.drawPolyline(QPolygonF([QPointF(20, 32), QPointF(29, 41), QPointF(45, 22)]))


@_register("copy")
def _copy(p: QPainter) -> None:
    p.setPen(_pen(INK, 3.5))
    p.setBrush(QBrush(QColor("#e8ecf2")))
    p.drawRoundedRect(QRectF(6, 6, 34, 40), 4, 4)
    p.setBrush(QBrush(QColor("#ffffff")))
    p.drawRoundedRect(QRectF(22, 18, 34, 40), 4, 4)


@_register("refresh")
def _refresh(p: QPainter) -> None:
    p.setPen(_pen(BLUE, 5))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawArc(QRectF(10, 10, 44, 44), 30 * 16, 280 * 16)
    _arrow(p, 46, 26, 51, 16, BLUE)


@_register("filter")
def _filter(p: QPainter) -> None:
    p.setPen(_pen(TEAL.darker(130), 3))
    p.setBrush(QBrush(TEAL))
    p.drawPolygon(QPolygonF([QPointF(6, 8), QPointF(58, 8), QPointF(38, 32), QPointF(38, 54),
                             QPointF(26, 60), QPointF(26, 32)]))


@_register("query")
def _query(p: QPainter) -> None:
    p.setPen(_pen(INK, 3))
    p.setBrush(QBrush(QColor("#ffffff")))
    p.drawRoundedRect(QRectF(4, 8, 56, 48), 5, 5)
    p.setPen(_pen(BLUE, 5))
    p.drawPolyline(QPolygonF([QPointF(14, 22), QPointF(24, 32), QPointF(14, 42)]))
    p.setPen(_pen(INK, 5))
    p.drawLine(QPointF(30, 42), QPointF(48, 42))


@_register("previous")
def _previous(p: QPainter) -> None:
    _arrow(p, 54, 32, 10, 32, BLUE)


@_register("next")
def _next(p: QPainter) -> None:
    _arrow(p, 10, 32, 54, 32, BLUE)


@_register("go-block")
def _go_block(p: QPainter) -> None:
    _block(p, 30, 18, 30, 30, TEAL)
    _arrow(p, 2, 33, 26, 33, BLUE)


@_register("add-table")
def _add_table(p: QPainter) -> None:
    _grid(p, BLUE)
    p.setPen(_pen(GREEN, 6))
    p.drawLine(QPointF(48, 36), QPointF(48, 60))
    p.drawLine(QPointF(36, 48), QPointF(60, 48))


@_register("add-index")
def _add_index(p: QPainter) -> None:
    _index(p)
    p.setPen(_pen(GREEN, 6))
    p.drawLine(QPointF(48, 36), QPointF(48, 60))
    p.drawLine(QPointF(36, 48), QPointF(60, 48))


@_register("drop")
def _drop(p: QPainter) -> None:
    _grid(p, BLUE)
    p.setPen(_pen(RED, 6))
    p.drawLine(QPointF(38, 48), QPointF(60, 48))


@_register("undrop")
def _undrop(p: QPainter) -> None:
    _grid(p, GREY)
    p.setPen(_pen(GREEN, 5))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawArc(QRectF(34, 34, 24, 24), 90 * 16, 270 * 16)


@_register("about")
def _about(p: QPainter) -> None:
    p.setPen(_pen(BLUE.darker(130), 3))
    p.setBrush(QBrush(BLUE))
    p.drawEllipse(QRectF(6, 6, 52, 52))
    p.setPen(_pen(QColor("#ffffff"), 6))
    p.drawLine(QPointF(32, 28), QPointF(32, 46))
    p.drawPoint(QPointF(32, 18))


@_register("commit")
def _commit(p: QPainter) -> None:
    p.setPen(_pen(GREEN, 7))
    p.drawPolyline(QPolygonF([QPointF(10, 34), QPointF(26, 50), QPointF(54, 16)]))


@_register("abort")
def _abort(p: QPainter) -> None:
    p.setPen(_pen(RED, 7))
    p.drawLine(QPointF(14, 14), QPointF(50, 50))
    p.drawLine(QPointF(50, 14), QPointF(14, 50))


@_register("explain")
def _explain(p: QPainter) -> None:
    p.setPen(_pen(INK, 3))
    p.setBrush(QBrush(QColor("#ffffff")))
    p.drawRoundedRect(QRectF(4, 8, 40, 48), 5, 5)
    p.setPen(_pen(TEAL, 5))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawEllipse(QRectF(26, 24, 24, 24))
    p.drawLine(QPointF(46, 44), QPointF(58, 58))


@_register("close")
def _close(p: QPainter) -> None:
    p.setPen(_pen(INK, 6))
    p.drawLine(QPointF(16, 16), QPointF(48, 48))
    p.drawLine(QPointF(48, 16), QPointF(16, 48))
