"""Size a grid's columns to their content a slice at a time.

`QTableView.resizeColumnToContents` asks the model for every sampled cell of the column: about
1 ms a column for a three-row grid. A table whose documents have 2,000 fields held the GUI
thread 1.9 s on its first page, and a `SELECT *` of them as long; the columns are now fitted
in slices of a few milliseconds, the first slice at once (the columns in view first).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QTableView

#: GUI-thread time one slice may take
SLICE_MS = 15


class ColumnFitter(QObject):
    """Fits columns of `view` in order, each at most `cap` pixels wide, once each until
    `reset`."""

    def __init__(self, view: QTableView, cap: int) -> None:
        super().__init__(view)
        self._view = view
        self._cap = cap
        self._next = 0   # the first column not fitted yet
        self._end = 0    # columns before this one are to be fitted
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._step)

    @property
    def fitted(self) -> int:
        """How many columns (from the first) have been fitted."""
        return self._next

    @property
    def pending(self) -> bool:
        return self._next < self._end

    def fit(self, end: int) -> None:
        """Fit the columns not fitted yet up to `end`: the first slice now, the rest later."""
        self._end = max(self._end, end)
        self._step()

    def reset(self) -> None:
        """The model's columns changed from the first: fit them all again when asked."""
        self._timer.stop()
        self._next = self._end = 0

    def _step(self) -> None:
        deadline = time.monotonic() + SLICE_MS / 1000
        header = self._view.horizontalHeader()
        end = min(self._end, self._view.model().columnCount())
        while self._next < end:
            column = self._next
            self._view.resizeColumnToContents(column)
            header.resizeSection(column, min(header.sectionSize(column), self._cap))
            self._next += 1
            if time.monotonic() > deadline:
                break
        if self._next < end:
            self._timer.start()
