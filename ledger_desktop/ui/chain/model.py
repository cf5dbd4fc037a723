"""What the chain view shows: per-block arrays (numpy) and how verification has coloured them.

The model holds one byte of state per block (1,000,000 blocks = 1 MB) plus the journal columns
once they are loaded, and recomputes the drawn categories with vectorised numpy operations.

Blocks are indexed by sequence number, and `count` is the tip's sequence number + 1. A tampered
file may lack some of them: `absent` marks those (from the columns, which list every block
present, and from verification, which names each gap it meets), and they are drawn as missing,
whatever verification says about the blocks around them.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from PySide6.QtCore import QObject, Signal

from ...engine.chain_data import FLAG_REDACTION, ChainArrays
from ..verify import findings
from . import palette as P


class ChainModel(QObject):
    changed = Signal()          # states, highlight or selection changed: repaint
    resized = Signal(int)       # the block count changed
    arrays_loaded = Signal()    # journal columns (time, revisions, flags) are available

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.count = 0
        self.state = np.zeros(0, np.uint8)
        self.absent = np.zeros(0, np.bool_)      # no block with this sequence number
        self.absent_known = False                # the columns said which blocks are present
        self.arrays: ChainArrays | None = None
        self.highlight = np.zeros(0, np.int64)   # sorted block numbers found by a search
        self.selected: int | None = None
        self.checked_upto = 0                    # blocks [0, checked_upto) have been checked
        self.first_failure: int | None = None
        self._categories: np.ndarray | None = None

    # -- size and columns -------------------------------------------------------------------
    def set_block_count(self, n: int) -> None:
        if n == self.count:
            return
        state = np.zeros(n, np.uint8)
        absent = np.zeros(n, np.bool_)
        keep = min(n, self.count)
        state[:keep] = self.state[:keep]
        absent[:keep] = self.absent[:keep]
        self.count, self.state, self.absent = n, state, absent
        self._categories = None
        self.resized.emit(n)
        self.changed.emit()

    def set_arrays(self, arrays: ChainArrays) -> None:
        self.arrays = arrays
        if len(arrays) and int(arrays.seq[-1]) + 1 > self.count:
            self.set_block_count(int(arrays.seq[-1]) + 1)
        # the columns list every block the file holds: the other sequence numbers are missing
        absent = np.ones(self.count, np.bool_)
        seqs = arrays.seq[arrays.seq < self.count]
        absent[seqs] = False
        self.absent, self.absent_known = absent, True
        self._categories = None
        self.arrays_loaded.emit()
        self.changed.emit()

    # -- verification -----------------------------------------------------------------------
    def reset_verification(self) -> None:
        self.state[:] = P.UNCHECKED
        self.checked_upto = 0
        self.first_failure = None
        self._categories = None
        self.changed.emit()

    def mark_missing(self, ranges: Iterable[tuple[int, int]]) -> int:
        """Sequence numbers (first, last) the file has no block for; returns the lowest."""
        lo = self.count
        for first, last in ranges:
            first, last = max(0, first), min(last, self.count - 1)
            if first <= last:
                self.absent[first:last + 1] = True
                lo = min(lo, first)
        return lo

    def missing_count(self) -> int:
        return int(np.count_nonzero(self.absent))

    def missing_ranges(self, limit: int | None = None) -> list[tuple[int, int]]:
        """The runs of missing sequence numbers, as (first, last) (the first `limit`)."""
        idx = np.flatnonzero(self.absent)
        if not len(idx):
            return []
        breaks = np.flatnonzero(np.diff(idx) != 1)
        starts = np.r_[idx[0], idx[breaks + 1]][:limit]
        ends = np.r_[idx[breaks], idx[-1]][:limit]
        return list(zip(starts.tolist(), ends.tolist(), strict=True))

    def _bound_of(self, checked: int) -> int:
        """The sequence number bound below which `checked` present blocks lie: the count of
        checked blocks is not a sequence number once a block is missing."""
        if checked <= 0 or self.count == 0:
            return 0
        present = np.cumsum(~self.absent)
        return min(int(np.searchsorted(present, checked)) + 1, self.count)

    def apply_progress(self, done: int, failed: Iterable[int] = (),
                       missing: Iterable[tuple[int, int]] = ()) -> None:
        """Blocks with sequence numbers below `done` are past (checked, or `missing`); those
        in `failed` failed; after the first failure every block that passed its own checks
        can no longer be proven (after a break)."""
        done = min(done, self.count)
        lo = self.checked_upto
        if done > lo:
            self.state[lo:done] = P.VERIFIED
        lo = min(lo, self.mark_missing(missing))  # a gap recolours from where it starts
        for seq in failed:
            if 0 <= seq < self.count:
                self.state[seq] = P.FAILED
                lo = min(lo, seq)
                if self.first_failure is None or seq < self.first_failure:
                    self.first_failure = seq
        self.checked_upto = max(self.checked_upto, done)
        if self.first_failure is not None:
            start = max(lo, self.first_failure + 1)
            seg = self.state[start:self.checked_upto]
            seg[seg == P.VERIFIED] = P.AFTER_BREAK
        # Only [lo, checked_upto) changed: recolour that slice, not the whole journal (this runs
        # on the GUI thread up to 20 times a second while a million blocks are verified).
        if self._categories is not None and self._categories.shape[0] == self.count:
            self._categories[lo:self.checked_upto] = self._compute(lo, self.checked_upto)
        else:
            self._categories = None
        self.changed.emit()

    def apply_report(self, report: object,
                     missing: Iterable[tuple[int, int]] | None = None) -> None:
        """Final colours from a `VerifyReport` (also when it was cancelled part-way).

        Progress colours are provisional: the per-block hook says only that a block failed,
        not which check, so everything after a failure was shown as after a break. The report
        names the checks: only a broken link or block hash makes later blocks unprovable, and
        a saved digest that disagrees fails no block (verify/findings.py). `missing`: the gaps
        the verification met (the hub collects them all); else those the report lists."""
        self.mark_missing(findings.missing_ranges(report) if missing is None else missing)
        done = self._bound_of(int(getattr(report, "blocks_checked", 0)))
        tip = findings.tip_seq(getattr(report, "tip", None))
        if tip is not None and not getattr(report, "cancelled", False):
            done = max(done, min(tip + 1, self.count))  # every block up to the tip was read
        failed = [s for s in findings.failed_blocks(report) if 0 <= s < self.count]
        brk = findings.first_break(report)
        state = self.state
        state[:done] = P.VERIFIED
        state[failed] = P.FAILED
        if brk is not None:
            seg = state[brk + 1:done]
            seg[seg == P.VERIFIED] = P.AFTER_BREAK
        self.checked_upto = max(self.checked_upto, done)
        self.first_failure = failed[0] if failed else None
        self._categories = None
        self.changed.emit()

    # -- search and selection -----------------------------------------------------------------
    def set_highlight(self, seqs: Iterable[int]) -> None:
        self.highlight = np.unique(np.fromiter(seqs, np.int64))
        self.changed.emit()

    def select(self, seq: int | None) -> None:
        self.selected = seq
        self.changed.emit()

    # -- drawing ----------------------------------------------------------------------------
    def categories(self) -> np.ndarray:
        """The drawn category of every block (cached; progress updates patch it in place)."""
        if self._categories is None or self._categories.shape[0] != self.count:
            self._categories = self._compute(0, self.count)
        return self._categories

    def _compute(self, lo: int, hi: int) -> np.ndarray:
        state = self.state[lo:hi]
        cat = np.full(hi - lo, P.CAT_VERIFIED, np.uint8)
        cat[state == P.UNCHECKED] = P.CAT_UNCHECKED
        if self.arrays is not None and len(self.arrays):
            seqs = self.arrays.seq
            i0, i1 = np.searchsorted(seqs, [lo, hi])
            part = seqs[i0:i1]
            red = part[(self.arrays.flags[i0:i1] & FLAG_REDACTION) != 0] - lo
            red = red[(red >= 0) & (red < hi - lo)]
            cat[red] = np.maximum(cat[red], P.CAT_REDACTION)
        cat[state == P.AFTER_BREAK] = P.CAT_AFTER_BREAK
        cat[state == P.FAILED] = P.CAT_FAILED
        cat[self.absent[lo:hi]] = P.CAT_MISSING  # never "verified": there is no block
        return cat

    def category_of(self, seq: int) -> int:
        return int(self.categories()[seq])

    def counts(self) -> dict[int, int]:
        """How many blocks are in each category (for the legend)."""
        if not self.count:
            return {}
        values = np.bincount(self.categories(), minlength=len(P.NAMES))
        return {cat: int(values[cat]) for cat in P.NAMES}

    def time_of(self, seq: int) -> int | None:
        """The block's time in ms since the epoch, once the columns are loaded."""
        a = self.arrays
        if a is None or not len(a):
            return None
        i = int(np.searchsorted(a.seq, seq))
        return int(a.ts_ms[i]) if i < len(a) and a.seq[i] == seq else None
