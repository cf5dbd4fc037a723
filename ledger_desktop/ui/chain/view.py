"""The chain view: search bar, legend, the chain plot, hover details and the linked timeline.

The first frame needs only the block count (one indexed query), so it appears at once even for a
million blocks; the journal's columns (times, revision counts, redaction flags) load on their
own lane with progress and fill in the timeline and the redaction colours when they arrive.
"""

from __future__ import annotations

import base64
import datetime as _dt
from collections.abc import Iterable
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...engine.chain_data import find_blocks, load_chain_arrays
from ..dialogs.errors import describe
from ..wording import count, journal_summary
from . import palette as P
from .context import LedgerViewContext
from .item import HALF_H, ChainItem
from .model import ChainModel
from .timeline import TimelinePlot

# Below this height the chain plot drops its axis title "block" (the tick numbers say it):
# at 800x600 the plot is 80 px and the title was cut off against the line under the plot.
AXIS_TITLE_MIN_HEIGHT = 140
PLOT_MIN_HEIGHT = 56
SUMMARY_WINDOW = 256      # block summaries are fetched for hover in aligned windows
FOCUS_SPAN = 60           # blocks shown around a single found or selected block


def fmt_ms(ms: int | None) -> str:
    if ms is None:
        return "time loading…"
    t = _dt.datetime.fromtimestamp(ms / 1000, _dt.UTC)
    return t.strftime("%Y-%m-%d %H:%M:%S.") + f"{t.microsecond // 1000:03d} UTC"


class ChainView(QWidget):
    """Emits `block_activated(seq)` when a block is clicked (the app opens its inspector)."""

    block_activated = Signal(int)
    ready = Signal()            # the block count is known and the first frame can be drawn
    columns_loaded = Signal()
    #: the gaps in the sequence numbers now known, as (first, last) runs (after the columns
    #: load and after a verification): the workspace's status line counts the blocks with them
    gaps_known = Signal(object)

    def __init__(self, ctx: LedgerViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._closed = False
        self.setObjectName("chainView")
        self.ctx = ctx
        self.model = ChainModel(self)
        self.strand_id = ""
        self._summaries: dict[int, Any] = {}
        self._pending_windows: set[int] = set()
        self._hover_seq: int | None = None
        self._tasks: list[Any] = []

        self.search = QLineEdit()
        self.search.setObjectName("chainSearch")
        self.search.setPlaceholderText("Find a block number, block address, document id or "
                                       "transaction id…")
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(lambda: self.find(self.search.text()))
        whole = QPushButton("Whole journal")
        whole.setObjectName("chainWhole")
        whole.clicked.connect(self.show_all)
        latest = QPushButton("Latest")
        latest.setObjectName("chainLatest")
        latest.clicked.connect(lambda: self.show_range(self.model.count - FOCUS_SPAN,
                                                       self.model.count))
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(whole)
        top.addWidget(latest)

        self.legend = QLabel()
        self.legend.setObjectName("chainLegend")
        # wraps: on one line it forced the window to 870 px, wider than an 800x600 screen
        self.legend.setWordWrap(True)

        self.plot = pg.PlotWidget()
        self.plot.setObjectName("chainPlot")
        self.plot.setMenuEnabled(False)
        self.plot.setBackground(self.palette().color(QPalette.ColorRole.Base))
        self.plot.hideAxis("left")
        self.plot.setLabel("bottom", "block")
        self.plot.installEventFilter(self)  # the title comes and goes with the plot's height
        self.plot.setMouseEnabled(x=True, y=False)
        self.plot.hideButtons()
        self.vb = self.plot.getViewBox()
        self.vb.setYRange(-1.0, 1.0, padding=0)
        self.item = ChainItem(self.model)
        self.plot.addItem(self.item)
        self.item.block_clicked.connect(self._clicked)
        self.item.hash_label = self._hash_label
        self._hover_proxy = pg.SignalProxy(self.plot.scene().sigMouseMoved, rateLimit=30,
                                           slot=self._hovered)
        self.vb.sigXRangeChanged.connect(lambda *_a: self._range_timer.start())

        self.info = QLabel("Loading the journal…")
        self.info.setObjectName("chainInfo")
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.timeline = TimelinePlot(self.model)
        self.timeline.setBackground(self.palette().color(QPalette.ColorRole.Base))
        self.timeline.blocks_selected.connect(self.show_range)

        upper = QWidget()
        self._upper = upper
        self._top = top
        ul = QVBoxLayout(upper)
        ul.setContentsMargins(0, 0, 0, 0)
        ul.addLayout(top)
        ul.addWidget(self.legend)
        ul.addWidget(self.plot, 1)
        ul.addWidget(self.info)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(upper)
        self.splitter.addWidget(self.timeline)
        self.splitter.setSizes([330, 170])
        # Small enough that search, the wrapped legend, the plot and the info line fit the
        # 148 px an 800x600 window leaves them (at 80 the info line was drawn over the plot).
        self.plot.setMinimumHeight(PLOT_MIN_HEIGHT)
        self.timeline.setMinimumHeight(60)
        upper.installEventFilter(self)  # its minimum height follows the legend's wrapping
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.splitter)

        # Visible range -> timeline region and summary prefetch, at most ~15 times a second.
        self._range_timer = QTimer(self)
        self._range_timer.setSingleShot(True)
        self._range_timer.setInterval(66)
        self._range_timer.timeout.connect(self._range_settled)
        self._legend_timer = QTimer(self)
        self._legend_timer.setSingleShot(True)
        self._legend_timer.setInterval(100)
        self._legend_timer.timeout.connect(self._update_legend)
        self.model.changed.connect(self._legend_timer.start)
        self._known_count = 0
        self.model.resized.connect(self._count_changed)
        self.model.arrays_loaded.connect(self._range_settled)
        self._update_legend()
        self.reload()

    def title(self) -> str:
        return "Hash chain"

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize:
            if obj is self.plot:
                self.plot.getPlotItem().showLabel(
                    "bottom", self.plot.height() >= AXIS_TITLE_MIN_HEIGHT)
            elif obj is self._upper:
                self._upper.setMinimumHeight(self._upper_min_height(self._upper.width()))
        return super().eventFilter(obj, event)

    def _upper_min_height(self, width: int) -> int:
        """What the upper pane needs at `width`. Its layout's own minimum counts the legend as
        one line; wrapped to two or three, the splitter left too little and the layout drew
        the info line over the plot."""
        layout = self._upper.layout()
        spacing = max(layout.spacing(), 0)
        legend = self.legend.heightForWidth(width)
        rows = (self._top.sizeHint().height(),
                legend if legend > 0 else self.legend.sizeHint().height(),
                self.plot.minimumHeight(), self.info.sizeHint().height())
        return sum(rows) + spacing * (len(rows) - 1)

    # -- loading ----------------------------------------------------------------------------
    def _track(self, task: Any) -> Any:
        self._tasks.append(task)
        task.finished.connect(lambda t=task: self._tasks.remove(t) if t in self._tasks else None)
        return task

    def reload(self) -> None:
        """Read the block count (fast), then the journal's columns (on their own lane)."""
        task = self._track(self.ctx.read(lambda led, _p, _c: (led.block_count(), led.strand_id),
                                         "chain: block count"))
        task.succeeded.connect(self._counted)
        task.failed.connect(self._failed)

    def _counted(self, result: tuple[int, str]) -> None:
        if self._closed:  # a count that finished as the view closed starts nothing more
            return
        n, self.strand_id = result
        self.model.set_block_count(n)  # _count_changed follows
        # n is the tip's sequence number + 1: how many blocks are present is known only once
        # the columns are read (a block may be missing from the file)
        where = f"tip sequenceNo {n - 1:,}" if n else count(0, "block")
        self.info.setText(f"{where} · loading block times…")
        self.ready.emit()
        load = self._track(self.ctx.lane("chain").submit(
            lambda led, progress, cancel: load_chain_arrays(led, progress, cancel),
            "chain: load columns"))
        load.progressed.connect(lambda d, t: self.info.setText(
            f"{where} · loading block times… {100 * d // max(t, 1)}%"))
        load.succeeded.connect(self._columns)
        load.failed.connect(self._failed)

    def _count_changed(self, n: int) -> None:
        """The block count changed (the count read, or newer columns): new limits, and a
        view of the whole journal stays one (it used to cut off the new blocks)."""
        old, self._known_count = self._known_count, n
        left, right = self.vb.viewRange()[0]
        whole = left <= 0 and right >= old - 1
        self.vb.setLimits(xMin=-0.5 - max(2, n * 0.02), xMax=n - 0.5 + max(2, n * 0.02),
                          minXRange=4, yMin=-1.0, yMax=1.0)
        if old == 0 or (n > old and whole):
            self.show_all()

    def _columns(self, arrays: Any) -> None:
        self.model.set_arrays(arrays)
        self.info.setText(f"{self.journal_text()}. Hover a block for its details; click it to "
                          "open the block inspector.")
        self.columns_loaded.emit()
        self.gaps_known.emit(self.model.missing_ranges())

    def journal_text(self) -> str:
        """"23 blocks", or with blocks missing from the file "22 blocks, tip sequenceNo 22, 1
        missing from the journal (sequenceNo 9)"."""
        gaps = self.model.missing_ranges()
        return journal_summary(self.model.count, gaps) if gaps else \
            count(self.model.count, "block")

    def _failed(self, exc: BaseException) -> None:
        self.info.setText(f"<span style='color:#d0453a'>{describe(exc)}</span>")

    # -- navigation -------------------------------------------------------------------------
    def show_all(self) -> None:
        n = max(self.model.count, 1)
        self.vb.setXRange(-0.5, n - 0.5, padding=0.01)

    def show_range(self, first: int, last: int) -> None:
        first, last = max(0, first), min(max(self.model.count, 1), last)
        if last - first < 4:
            mid = (first + last) / 2
            first, last = int(mid - 2), int(mid + 2)
        self.vb.setXRange(first - 0.5, last - 0.5, padding=0.02)

    def focus(self, seq: int) -> None:
        self.show_range(seq - FOCUS_SPAN // 2, seq + FOCUS_SPAN // 2)

    def visible_range(self) -> tuple[int, int]:
        return self.item.visible_range()

    def _range_settled(self) -> None:
        if self._closed:  # columns that arrived as the view closed fetch nothing more
            return
        first, last = self.visible_range()
        self.timeline.show_blocks(first, last)
        if 0 < last - first <= 4 * SUMMARY_WINDOW:
            for w in range(first // SUMMARY_WINDOW, (last - 1) // SUMMARY_WINDOW + 1):
                self._fetch_window(w)

    # -- search -----------------------------------------------------------------------------
    def find(self, text: str) -> Any:
        """Highlight the blocks that hold what `text` names and bring them into view."""
        task = self._track(self.ctx.read(lambda led, _p, _c: find_blocks(led, text),
                                         "chain: search"))
        task.succeeded.connect(self._found)
        task.failed.connect(self._failed)
        return task

    def _found(self, result: Any) -> None:
        self.model.set_highlight(result.seqs)
        if not result.seqs:
            self.info.setText(f"<span style='color:#d0453a'>{result.message}</span>")
            return
        self.info.setText(f"Found {result.message}.")
        if len(result.seqs) == 1:
            self.model.select(result.seqs[0])
            self.focus(result.seqs[0])
        else:
            lo, hi = min(result.seqs), max(result.seqs)
            pad = max(3, (hi - lo) // 20)
            self.show_range(lo - pad, hi + pad + 1)

    def highlight(self, seqs: Iterable[int]) -> None:
        self.model.set_highlight(seqs)

    # -- verification feedback (driven by the verification hub) -------------------------------
    def verification_started(self) -> None:
        self.model.reset_verification()

    def verification_progress(self, done: int, failed: Iterable[int],
                              missing: Iterable[tuple[int, int]] = ()) -> None:
        """`done`: sequence numbers below it are checked or missing (not a count of blocks)."""
        self.model.apply_progress(done, failed, missing)

    def verification_finished(self, report: Any,
                              missing: Iterable[tuple[int, int]] | None = None) -> None:
        self.model.apply_report(report, missing)
        gaps = self.model.missing_ranges()
        if gaps:
            self.info.setText(f"{self.journal_text()}. Hover a block for its details.")
        self.gaps_known.emit(gaps)

    # -- hover and click --------------------------------------------------------------------
    def _hovered(self, args: tuple[Any, ...]) -> None:
        pos = args[0]
        if not self.plot.sceneBoundingRect().contains(pos):
            return
        pt = self.item.mapFromScene(pos)
        seq = self.item.block_at(pt.x(), pt.y())
        self._hover_seq = seq
        if seq is not None:
            self.info.setText(self.describe_block(seq))

    def describe_block(self, seq: int) -> str:
        """One line about a block: address, time, transaction, revisions and state."""
        cat = self.model.category_of(seq)
        parts = [f"<b>Block {seq:,}</b>",
                 f'<code>{{strandId:"{self.strand_id}",sequenceNo:{seq}}}</code>']
        color = P.COLORS[cat].name()
        if cat == P.CAT_MISSING:  # no time or transaction to wait for: there is no block
            parts.append(f"<span style='color:{color}'>■ {P.NAMES[cat]}</span>: the file "
                         "has no block with this sequence number")
            return " · ".join(parts)
        parts.append(fmt_ms(self.model.time_of(seq)))
        s = self._summaries.get(seq)
        if s is None:
            self._fetch_window(seq // SUMMARY_WINDOW)
            parts.append("transaction …")
        else:
            parts.append(f"transaction <code>{s.tx_id}</code>")
            parts.append(f"{s.n_revisions} revision{'s' if s.n_revisions != 1 else ''}")
        parts.append(f"<span style='color:{color}'>■ {P.NAMES[cat]}</span>")
        per_px = self.item.blocks_per_pixel()
        if per_px > 1.5:
            parts.append(f"(≈{per_px:,.0f} blocks per pixel; zoom in for single blocks)")
        return " · ".join(parts)

    def _fetch_window(self, window: int) -> None:
        if window in self._pending_windows or self.model.count == 0:
            return
        first = window * SUMMARY_WINDOW
        if first in self._summaries:
            return
        last = min(self.model.count, first + SUMMARY_WINDOW) - 1
        self._pending_windows.add(window)
        task = self._track(self.ctx.read(lambda led, _p, _c: led.block_summaries(first, last),
                                         "chain: summaries"))
        task.succeeded.connect(lambda rows, w=window: self._got_summaries(w, rows))
        task.finished.connect(lambda w=window: self._pending_windows.discard(w))

    def _got_summaries(self, _window: int, rows: list[Any]) -> None:
        if len(self._summaries) > 50_000:
            self._summaries.clear()
        for s in rows:
            self._summaries[s.seq] = s
        self.item.update()  # block hashes can now be drawn when zoomed in
        if self._hover_seq is not None and self._hover_seq in self._summaries:
            self.info.setText(self.describe_block(self._hover_seq))

    def _hash_label(self, seq: int) -> str | None:
        s = self._summaries.get(seq)
        return None if s is None else base64.b64encode(s.block_hash).decode()[:10] + "…"

    def _clicked(self, seq: int) -> None:
        self.model.select(seq)
        self.info.setText(self.describe_block(seq))
        if self.model.category_of(seq) == P.CAT_MISSING:
            return  # nothing to inspect or prove: the hover line says why
        self.block_activated.emit(seq)
        if self.ctx.open_block is not None:
            self.ctx.open_block(seq)

    def block_center(self, seq: int) -> Any:
        """Where block `seq` is on screen, in the plot's viewport coordinates (for tests)."""
        scene = self.item.mapToScene(QPointF(seq, HALF_H / 2))
        return self.plot.mapFromScene(scene)

    # -- legend -----------------------------------------------------------------------------
    def _update_legend(self) -> None:
        counts = self.model.counts()
        cells = []
        for cat in (P.CAT_VERIFIED, P.CAT_FAILED, P.CAT_MISSING, P.CAT_AFTER_BREAK,
                    P.CAT_UNCHECKED, P.CAT_REDACTION):
            n = counts.get(cat, 0)
            if cat == P.CAT_MISSING and not n:
                continue  # only a tampered file has them: no legend entry otherwise
            cells.append(f"<span style='color:{P.COLORS[cat].name()}'>■</span> "
                         f"{P.NAMES[cat]} ({n:,})")
        cells.append(f"<span style='color:{P.HIGHLIGHT.name()}'>▲</span> search result")
        self.legend.setText("&nbsp;&nbsp;&nbsp;".join(cells))

    def shutdown(self) -> None:
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
