"""Draws a laid-out proof: the path from the revision (or block) hash through the revisions
tree, the entries tree, the chain link and the digest tree to the digest, one box per step with
its recomputed hash, the proof hash folded in at its side, and the failing step in red."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontDatabase, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QGraphicsView,
    QStyle,
    QWidget,
)

from ...engine.proofs import b64

ROW = 74
TOP = 70  # the first step's top, at the least: lower when the heading wraps
BAND_W = 118
MAIN_X, MAIN_W = 130, 400
SIDE_X, SIDE_W = 560, 320
BOX_H = 56

OK_FILL, OK_EDGE = QColor("#dafbe1"), QColor("#2e9d4f")
BAD_FILL, BAD_EDGE = QColor("#ffebe9"), QColor("#d0453a")
SIDE_FILL, SIDE_EDGE = QColor("#eef3fb"), QColor("#6e7781")
SEGMENT_COLORS = {
    "revision": QColor("#d8e6fb"), "block": QColor("#d8e6fb"),
    "revisions tree": QColor("#e6dcfb"), "entries tree": QColor("#fbe9d0"),
    "chain link": QColor("#d9f2ef"), "digest tree": QColor("#f1f1d4"), "proof": QColor("#eeeeee"),
}


class ProofDiagram(QGraphicsView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("proofDiagram")
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setBackgroundBrush(QBrush(QColor("white")))
        # The fitted width never needs a horizontal bar; with none, only the vertical bar can
        # come and go, and _fit ignores it (see there).
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.step_boxes: list[QGraphicsRectItem] = []
        self.digest_box: QGraphicsRectItem | None = None
        self.heading: list[QGraphicsTextItem] = []
        self.laid: Any = None
        self._mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self._mono.setPointSizeF(8.5)
        self._bold = QFont()
        self._bold.setBold(True)
        self._small = QFont()
        self._small.setPointSizeF(8.0)
        self.show_message("Choose a revision or a block and a digest, then Prove.")

    def show_message(self, text: str) -> None:
        scene = self.scene()
        scene.clear()
        self.step_boxes, self.digest_box, self.laid, self.heading = [], None, None, []
        t = scene.addSimpleText(text)
        t.setPos(10, 10)
        scene.setSceneRect(QRectF(0, 0, SIDE_X + SIDE_W + 20, 80))

    def _text(self, text: str, x: float, y: float, font: QFont | None = None,
              color: QColor | None = None) -> QGraphicsSimpleTextItem:
        item = self.scene().addSimpleText(text)
        if font is not None:
            item.setFont(font)
        if color is not None:
            item.setBrush(QBrush(color))
        item.setPos(x, y)
        return item

    def _wrapped(self, text: str, y: float, font: QFont | None = None,
                 color: QColor | None = None) -> QGraphicsTextItem:
        """A heading line wrapped to the diagram's width (a verdict or a tip finding can be
        longer than the path is wide), as plain text, at the left edge."""
        item = self.scene().addText("")
        item.document().setDocumentMargin(0)
        item.setPlainText(text)
        if font is not None:
            item.setFont(font)
        if color is not None:
            item.setDefaultTextColor(color)
        item.setTextWidth(SIDE_X + SIDE_W - 10)
        item.setPos(10, y)
        return item

    def _box(self, x: float, y: float, w: float, h: float, fill: QColor,
             edge: QColor, width: float = 1.5) -> QGraphicsRectItem:
        return self.scene().addRect(QRectF(x, y, w, h), QPen(edge, width), QBrush(fill))

    def set_proof(self, laid: Any) -> None:
        """Draw a `LaidOutProof` (engine/proof_layout.py)."""
        scene = self.scene()
        scene.clear()
        self.laid = laid
        self.step_boxes = []
        result = laid.result
        verdict_color = OK_EDGE if result.ok else BAD_EDGE
        # the heading: title, verdict and every note, each wrapped, one under the other
        self.heading = [self._wrapped(f"Proof of {laid.subject}", 8, self._bold)]
        self.heading.append(self._wrapped(result.message, 30, None, verdict_color))
        for note in laid.notes:
            last = self.heading[-1]
            self.heading.append(self._wrapped(
                note, last.y() + last.boundingRect().height() + 2, self._small))
        last = self.heading[-1]
        top = max(TOP, last.y() + last.boundingRect().height() + 16)
        for seg in laid.segments:
            y0 = top + seg.first * ROW - 6
            h = (seg.last - seg.first + 1) * ROW - 6
            self._box(4, y0, BAND_W, h, SEGMENT_COLORS.get(seg.name, QColor("#eeeeee")),
                      QColor("#c8ccd0"), 1)
            label = self._text(seg.name, 12, y0 + 6, self._bold)
            label.setToolTip(seg.name)
        link_pen = QPen(QColor("#6e7781"), 1.5)
        for i, step in enumerate(result.steps):
            y = top + i * ROW
            fill, edge = (OK_FILL, OK_EDGE) if step.ok else (BAD_FILL, BAD_EDGE)
            box = self._box(MAIN_X, y, MAIN_W, BOX_H, fill, edge, 1.5 if step.ok else 3)
            box.setData(0, i)
            box.setToolTip(b64(step.result))
            self.step_boxes.append(box)
            mark = "✓" if step.ok else "✗"
            self._text(f"{mark} {i}. {step.label}", MAIN_X + 8, y + 4, None, edge)
            self._text(b64(step.result), MAIN_X + 8, y + 22, self._mono)
            if step.note:
                self._text(step.note[:90], MAIN_X + 8, y + 38, self._small,
                           QColor("#57606a") if step.ok else BAD_EDGE)
            if i > 0:
                scene.addLine(MAIN_X + MAIN_W / 2, y - (ROW - BOX_H), MAIN_X + MAIN_W / 2, y,
                              link_pen)
            if step.right is not None:
                self._box(SIDE_X, y + 8, SIDE_W, BOX_H - 16, SIDE_FILL, SIDE_EDGE, 1)
                self._text("proof hash folded in with dot()", SIDE_X + 6, y + 10, self._small)
                self._text(b64(step.right), SIDE_X + 6, y + 26, self._mono)
                scene.addLine(SIDE_X, y + BOX_H / 2, MAIN_X + MAIN_W, y + BOX_H / 2, link_pen)
        n = len(result.steps)
        y = top + n * ROW + 10
        fill, edge = (OK_FILL, OK_EDGE) if result.ok else (BAD_FILL, BAD_EDGE)
        scene.addLine(MAIN_X + MAIN_W / 2, y - (ROW - BOX_H) - 10, MAIN_X + MAIN_W / 2, y,
                      link_pen)
        self.digest_box = self._box(MAIN_X, y, MAIN_W, BOX_H, fill, edge, 3)
        reached = bool(result.steps) and result.steps[-1].result == laid.digest
        self._text(("= " if reached else "≠ ") + "the digest" +
                   (f" at {laid.tip}" if laid.tip else ""), MAIN_X + 8, y + 4, self._bold, edge)
        self._text(b64(laid.digest), MAIN_X + 8, y + 24, self._mono)
        scene.setSceneRect(QRectF(0, 0, SIDE_X + SIDE_W + 20, y + BOX_H + 20))
        self._fit()
        self.verticalScrollBar().setValue(0)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """Scale down (never up) so the whole width of the path fits.

        The width is measured as if the vertical scroll bar were always shown: fitting to the
        viewport made the bar appear and vanish with each new scale, and every change resized
        the viewport and refitted again (tens of thousands of resizes, the GUI frozen)."""
        width = self.scene().sceneRect().width()
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None,
                                       self.verticalScrollBar())
        avail = self.contentsRect().width() - bar - 4
        scale = min(1.0, avail / width) if width > 0 and avail > 0 else 1.0
        if abs(self.transform().m11() - scale) < 1e-9:
            return  # unchanged: no transform change, no scroll bar update
        self.resetTransform()
        self.scale(scale, scale)

    def failing_steps(self) -> list[int]:
        """Indices of the boxes drawn as failing (red edge)."""
        return [int(b.data(0)) for b in self.step_boxes if b.pen().color() == BAD_EDGE]
