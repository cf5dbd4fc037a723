"""Transactions and revisions over time, linked to the chain view.

The plot bins the blocks' times into ~120 bins across the visible time range (recomputed as
the user zooms). The shaded region is the chain view's visible span of blocks; dragging it moves
the chain view, and panning the chain view moves it.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QColor, QFontMetrics, QResizeEvent

from .model import ChainModel

BINS = 120
TX_COLOR, REV_COLOR = "#2f74d0", "#e08a1e"


def _swatch(color: str) -> str:
    return f"<span style='color:{color}'>■</span>"


# The legend goes in the axis title after the time range, longest form that fits: inside the
# plot it hid the bars, and the left title "per bin" was clipped to "per bi" at 800x600.
LEGENDS: tuple[tuple[str, str], ...] = (
    (f"{_swatch(TX_COLOR)} transactions (blocks) {_swatch(REV_COLOR)} revisions, per bin",
     "■ transactions (blocks) ■ revisions, per bin"),
    (f"{_swatch(TX_COLOR)} transactions {_swatch(REV_COLOR)} revisions",
     "■ transactions ■ revisions"),
    ("", ""),
)


def time_range_label(t0: float, t1: float) -> str:
    """The axis title: the date and time the visible range starts and ends at (UTC). Zoomed in
    to a minute or less the ticks show only seconds ("44.250"); this says which minute."""
    try:
        a = _dt.datetime.fromtimestamp(t0, _dt.UTC)
        b = _dt.datetime.fromtimestamp(t1, _dt.UTC)
    except (OverflowError, OSError, ValueError):
        return "time (UTC)"
    if t1 - t0 < 60:  # the ticks are seconds and milliseconds: give the rest, to the ms
        return (f"UTC, {a:%Y-%m-%d %H:%M:%S}.{a.microsecond // 1000:03d} – "
                f"{b:%H:%M:%S}.{b.microsecond // 1000:03d}")
    if a.date() == b.date():
        return f"UTC, {a:%Y-%m-%d} {a:%H:%M:%S} – {b:%H:%M:%S}"
    return f"UTC, {a:%Y-%m-%d %H:%M} – {b:%Y-%m-%d %H:%M}"


class TimelinePlot(pg.PlotWidget):
    blocks_selected = Signal(int, int)  # the user moved the region: show blocks [first, last)
    _range_text = "time (UTC)"  # a class default: Qt resizes the widget inside __init__

    def __init__(self, model: ChainModel, parent: object = None) -> None:
        super().__init__(parent, axisItems={"bottom": pg.DateAxisItem(utcOffset=0)})
        self.setObjectName("chainTimeline")
        self.model = model
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=True, y=False)
        self.showGrid(x=True, y=True, alpha=0.25)
        self.setToolTip("Transactions (blue; one per block) and revisions (orange) per time "
                        "bin. Drag the shaded span to move the chain view.")
        self.tx_curve = self.plot([0, 1], [0], stepMode="center", fillLevel=0,
                                  brush=QColor(47, 116, 208, 90), pen=pg.mkPen(TX_COLOR),
                                  name="transactions (blocks)")
        self.rev_curve = self.plot([0, 1], [0], stepMode="center",
                                   pen=pg.mkPen(REV_COLOR, width=2), name="revisions")
        self._set_bottom_label()
        self.region = pg.LinearRegionItem(brush=QColor(31, 111, 235, 40))
        self.region.setZValue(-10)
        self.region.hide()
        self.addItem(self.region)
        self.region.sigRegionChangeFinished.connect(self._region_moved)
        self._ts_s: np.ndarray | None = None
        self._ordered = True
        self._cum_rev = np.zeros(1, np.int64)
        self.last_bins: tuple[np.ndarray, np.ndarray] | None = None
        self._guard = False
        self._rebin = QTimer(self)
        self._rebin.setSingleShot(True)
        self._rebin.setInterval(60)
        self._rebin.timeout.connect(self._histogram)
        self.getViewBox().sigXRangeChanged.connect(lambda *_a: self._rebin.start())
        model.arrays_loaded.connect(self._loaded)

    def _loaded(self) -> None:
        a = self.model.arrays
        if a is None or not len(a):
            return
        self._ts_s = a.ts_ms.astype(np.float64) / 1000.0
        # Block times never go backwards in our journals; an imported one might, so check.
        self._ordered = bool(np.all(a.ts_ms[1:] >= a.ts_ms[:-1]))
        # Prefix sums make a bin's revision count two lookups (sorted times, see _histogram).
        self._cum_rev = np.concatenate([[0], np.cumsum(a.n_revisions, dtype=np.int64)])
        lo, hi = float(self._ts_s.min()), float(self._ts_s.max())
        span = max(hi - lo, 0.01)
        self.getViewBox().setLimits(xMin=lo - span, xMax=hi + span)
        self.setXRange(lo - span * 0.02, hi + span * 0.02, padding=0)
        self.region.show()
        self._histogram()

    def _histogram(self) -> None:
        a = self.model.arrays
        if a is None or self._ts_s is None or not len(a) or self.plotItem is None:
            return  # nothing loaded yet, or the plot was closed while a rebin was pending
        x0, x1 = self.getViewBox().viewRange()[0]
        edges = np.linspace(x0, x1, BINS + 1)
        ts = self._ts_s
        if self._ordered:  # O(bins log n): no pass over a million timestamps per zoom step
            idx = np.searchsorted(ts, edges, side="left")
            tx = np.diff(idx)
            rev = np.diff(self._cum_rev[idx])
        else:
            tx, _ = np.histogram(ts, bins=edges)
            rev, _ = np.histogram(ts, bins=edges, weights=a.n_revisions)
        self.tx_curve.setData(edges, tx)
        self.rev_curve.setData(edges, rev)
        self.last_bins = (tx, rev)
        self._range_text = time_range_label(x0, x1)
        self._set_bottom_label()

    def _set_bottom_label(self) -> None:
        """The time range, then as much of the legend as fits the plot's width."""
        axis = self.getPlotItem().getAxis("bottom")
        metrics = QFontMetrics(axis.label.font())
        room = self.width() - 40  # less the left axis and the label's margins
        html = next(h for h, plain in LEGENDS if not plain or metrics.horizontalAdvance(
            f"{self._range_text} · {plain}") <= room)
        self.setLabel("bottom", f"{self._range_text} · {html}" if html else self._range_text)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self.plotItem is not None:
            self._set_bottom_label()

    # -- the link with the chain view ---------------------------------------------------------
    def show_blocks(self, first: int, last: int) -> None:
        """Shade the time span of blocks [first, last) (called when the chain view moves)."""
        a = self.model.arrays
        if a is None or not len(a) or last <= first:
            return
        i0, i1 = np.searchsorted(a.seq, [first, last])
        i1 = max(int(i0) + 1, int(i1))
        i0 = min(int(i0), len(a) - 1)
        t0 = float(a.ts_ms[i0]) / 1000.0
        t1 = float(a.ts_ms[min(i1, len(a)) - 1]) / 1000.0
        self._guard = True
        try:
            self.region.setRegion((t0, max(t1, t0 + 0.001)))
        finally:
            self._guard = False

    def blocks_in(self, t0: float, t1: float) -> tuple[int, int]:
        """Blocks whose time lies in [t0, t1] seconds (timestamps never go backwards)."""
        a = self.model.arrays
        if a is None or not len(a):
            return 0, 0
        ms = a.ts_ms
        i0 = int(np.searchsorted(ms, int(t0 * 1000), side="left"))
        i1 = int(np.searchsorted(ms, int(t1 * 1000), side="right"))
        if i1 <= i0:
            i = min(i0, len(a) - 1)
            return int(a.seq[i]), int(a.seq[i]) + 1
        return int(a.seq[i0]), int(a.seq[i1 - 1]) + 1

    def _region_moved(self) -> None:
        if self._guard:
            return
        t0, t1 = self.region.getRegion()
        first, last = self.blocks_in(t0, t1)
        if last > first:
            self.blocks_selected.emit(first, last)
