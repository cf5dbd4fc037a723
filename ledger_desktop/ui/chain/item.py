"""The chain as one pyqtgraph item that draws only the visible blocks.

Zoomed in, every block is a box joined to the next by its hash link (with its number once there
is room); zoomed out, blocks sharing a pixel column are aggregated into power-of-two buckets
(stable while panning) and each bucket shows its most severe category, so the cost of a frame
depends on the window's width in pixels, not on the length of the journal.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen

from . import palette as P
from .model import ChainModel

HALF_H = 0.4        # a block is 0.8 units wide and 0.8 high, centred on (seq, 0)
MARK_Y = 0.52       # search markers sit above the blocks
MARK_H = 0.3
LINK_MIN_PX = 6     # draw hash links once a block is this wide
LABEL_MIN_PX = 34   # draw block numbers once a block is this wide
HASH_MIN_PX = 80    # and the start of each block hash once it is this wide


class ChainItem(pg.GraphicsObject):
    """Blocks along x (block n at x = n). Emits `block_clicked(seq)` on a left click."""

    block_clicked = Signal(int)

    def __init__(self, model: ChainModel) -> None:
        super().__init__()
        self.model = model
        self._count = model.count
        self.last_mode = ""           # "detail" or "aggregate:<bucket>" (for tests and bench)
        self.last_drawn = 0           # rectangles drawn in the last frame
        self.last_paint_s = 0.0
        self._brushes = {c: QBrush(col) for c, col in P.COLORS.items()}
        #: seq -> short text of the block's hash, or None while unknown (set by the view)
        self.hash_label: Callable[[int], str | None] | None = None
        model.changed.connect(self.update)
        model.resized.connect(self._resized)

    def _resized(self, n: int) -> None:
        self.prepareGeometryChange()
        self._count = n
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(-0.5, -1.0, max(self._count, 1), 2.0)

    # -- geometry ---------------------------------------------------------------------------
    def blocks_per_pixel(self) -> float:
        px = self.pixelWidth()
        return float(px) if px and math.isfinite(px) else 1.0

    def visible_range(self) -> tuple[int, int]:
        """Blocks [first, last) intersecting the view."""
        vr = self.viewRect()
        if vr is None:
            return 0, 0
        first = max(0, math.floor(vr.left() + 0.5))
        last = min(self.model.count, math.ceil(vr.right() + 0.5))
        return first, max(first, last)

    def block_at(self, x: float, y: float) -> int | None:
        """The block under a point in item coordinates; zoomed out, the most severe block in
        the pixel under the point (so a single red pixel can be clicked)."""
        n = self.model.count
        if n == 0 or abs(y) > HALF_H + MARK_H + 0.2:
            return None
        seq = int(round(x))
        per_px = self.blocks_per_pixel()
        if per_px <= 0.5:
            return seq if 0 <= seq < n and abs(x - seq) <= 0.5 else None
        lo = max(0, int(math.floor(x - per_px)))
        hi = min(n, int(math.ceil(x + per_px)) + 1)
        if hi <= lo:
            return None
        cats = self.model.categories()[lo:hi]
        best = int(np.argmax(cats))
        if cats[best] == cats.min():
            return min(max(seq, 0), n - 1)
        return lo + best

    # -- painting ---------------------------------------------------------------------------
    def paint(self, p: QPainter, *_args: object) -> None:
        t0 = time.perf_counter()
        first, last = self.visible_range()
        self.last_drawn = 0
        if last <= first:
            return
        per_px = self.blocks_per_pixel()
        p.setPen(Qt.PenStyle.NoPen)
        if per_px > 0.5:
            self._paint_aggregate(p, first, last, per_px)
        else:
            self._paint_detail(p, first, last, per_px)
        self._paint_marks(p, first, last, per_px)
        self.last_paint_s = time.perf_counter() - t0

    def _fill(self, p: QPainter, rects_by_cat: dict[int, list[QRectF]]) -> None:
        for cat, rects in rects_by_cat.items():
            if rects:
                p.setBrush(self._brushes[cat])
                p.drawRects(rects)
                self.last_drawn += len(rects)

    def _paint_aggregate(self, p: QPainter, first: int, last: int, per_px: float) -> None:
        bucket = 1 << max(0, math.ceil(math.log2(per_px)))
        n = self.model.count
        a0 = (first // bucket) * bucket
        b0 = min(n, -(-last // bucket) * bucket)
        cats = self.model.categories()[a0:b0]
        pad = (-len(cats)) % bucket
        if pad:
            cats = np.concatenate([cats, np.zeros(pad, np.uint8)])  # 0 = least severe
        agg = cats.reshape(-1, bucket).max(axis=1)
        starts = np.flatnonzero(np.r_[True, agg[1:] != agg[:-1]])
        ends = np.r_[starts[1:], len(agg)]
        rects: dict[int, list[QRectF]] = {}
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            x0 = a0 + s * bucket - 0.5
            x1 = min(n, a0 + e * bucket) - 0.5
            rects.setdefault(int(agg[s]), []).append(QRectF(x0, -HALF_H, x1 - x0, 2 * HALF_H))
        self._fill(p, rects)
        self.last_mode = f"aggregate:{bucket}"

    def _paint_detail(self, p: QPainter, first: int, last: int, per_px: float) -> None:
        cats = self.model.categories()[first:last]
        rects: dict[int, list[QRectF]] = {}
        for i, cat in enumerate(cats.tolist()):
            rects.setdefault(cat, []).append(QRectF(first + i - HALF_H, -HALF_H, 2 * HALF_H,
                                                    2 * HALF_H))
        self._fill(p, rects)
        block_px = 1.0 / per_px
        if block_px >= LINK_MIN_PX:
            p.setPen(pg.mkPen(P.LINK, width=2))
            p.drawLines([QLineF(s + HALF_H, 0.0, s + 1 - HALF_H, 0.0)
                         for s in range(first, min(last, self.model.count - 1))])
        sel = self.model.selected
        if sel is not None and first <= sel < last:
            p.setPen(pg.mkPen(P.SELECTION, width=3))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(QRectF(sel - HALF_H - 0.06, -HALF_H - 0.06, 2 * HALF_H + 0.12,
                              2 * HALF_H + 0.12))
        if block_px >= LABEL_MIN_PX:
            self._paint_labels(p, first, last, block_px >= HASH_MIN_PX)
        self.last_mode = "detail"

    def _paint_labels(self, p: QPainter, first: int, last: int, hashes: bool) -> None:
        tr = p.transform()
        p.save()
        p.resetTransform()
        font = QFont(p.font())
        font.setPointSizeF(8.0)
        p.setFont(font)
        p.setPen(QPen(QColor("white")))
        for seq in range(first, last):
            c = tr.map(QPointF(seq, 0.0))
            p.drawText(QRectF(c.x() - 40, c.y() - 9, 80, 18), Qt.AlignmentFlag.AlignCenter,
                       str(seq))
        if hashes and self.hash_label is not None:
            # under each block, the start of its hash: what the next block's link points to
            p.setPen(QPen(P.LINK))
            for seq in range(first, last):
                text = self.hash_label(seq)
                if text:
                    c = tr.map(QPointF(seq, -HALF_H))
                    p.drawText(QRectF(c.x() - 60, c.y() + 2, 120, 16),
                               Qt.AlignmentFlag.AlignCenter, text)
        p.restore()

    def _paint_marks(self, p: QPainter, first: int, last: int, per_px: float) -> None:
        hl = self.model.highlight
        if not len(hl):
            return
        lo, hi = np.searchsorted(hl, [first, last])
        shown = hl[lo:hi]
        if not len(shown):
            return
        width = max(2 * HALF_H, 3 * per_px)       # at least 3 px wide when zoomed out
        if per_px > 0.5:                          # one marker per pixel column is enough
            shown = np.unique((shown / per_px).astype(np.int64)) * per_px
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QBrush(P.HIGHLIGHT))
        rects = [QRectF(float(x) - width / 2, MARK_Y, width, MARK_H) for x in shown.tolist()]
        p.drawRects(rects)
        self.last_drawn += len(rects)
        if per_px <= 0.5:  # outline the highlighted blocks themselves
            p.setPen(pg.mkPen(P.HIGHLIGHT, width=2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRects([QRectF(float(x) - HALF_H, -HALF_H, 2 * HALF_H, 2 * HALF_H)
                         for x in shown.tolist()])

    # -- mouse ------------------------------------------------------------------------------
    def mouseClickEvent(self, ev: object) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:  # type: ignore[attr-defined]
            return
        pos = ev.pos()  # type: ignore[attr-defined]
        seq = self.block_at(pos.x(), pos.y())
        if seq is not None:
            ev.accept()  # type: ignore[attr-defined]
            self.block_clicked.emit(seq)
