"""Feedback for work running off the GUI thread.

A busy cursor appears after ~300 ms and a progress dialog (with Cancel) after ~600 ms; the bar
is refreshed from the task's throttled progress signal. Quick tasks show nothing at all.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QProgressDialog, QWidget

from ..workers.tasks import Task

BUSY_CURSOR_MS = 300
PROGRESS_DIALOG_MS = 600


class _Shown:
    """What a TaskFeedback has put on screen that outlives it: the application-wide busy
    cursor. Undone once, by whichever comes first: the task finishing, or the feedback being
    deleted with its parent (a tab closed while its task was still being cancelled)."""

    def __init__(self) -> None:
        self.cursor = False

    def set_cursor(self) -> None:
        if not self.cursor:
            QGuiApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
            self.cursor = True

    def undo(self) -> None:
        if self.cursor:
            QGuiApplication.restoreOverrideCursor()
            self.cursor = False


class TaskFeedback(QObject):
    """Attach to a task; cleans itself up when the task finishes, or when `parent` is deleted
    first (its busy cursor is restored then; the progress dialog goes with the parent)."""

    def __init__(self, task: Task, parent: QWidget, label: str, cancellable: bool = True,
                 dialog: bool = True) -> None:
        super().__init__(parent)
        self.task = task
        self.label = label
        self.cancellable = cancellable
        self._parent = parent
        self._dialog: QProgressDialog | None = None
        self._shown = _Shown()
        self._want_dialog = dialog
        self._t0 = time.monotonic()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._escalate)
        self._timer.start(BUSY_CURSOR_MS)
        task.progressed.connect(self._progress)
        task.finished.connect(self._finish)
        # Deleted with its parent, this object hears no `finished`: the cursor it set stayed
        # busy for the rest of the session. The slot holds `shown`, never `self`.
        shown = self._shown
        self.destroyed.connect(lambda *_a: shown.undo())

    def _escalate(self) -> None:
        if self.task.done:
            return
        if not self._shown.cursor:
            self._shown.set_cursor()
            if self._want_dialog:
                self._timer.start(PROGRESS_DIALOG_MS - BUSY_CURSOR_MS)
            return
        dialog = QProgressDialog(self.label, "Cancel" if self.cancellable else "", 0, 0,
                                 self._parent)
        dialog.setObjectName("taskProgressDialog")
        dialog.setWindowTitle("Working")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if not self.cancellable:
            dialog.setCancelButton(None)
        dialog.canceled.connect(self.task.cancel)
        done, total = self.task.progress
        self._apply(dialog, done, total)
        dialog.show()
        self._dialog = dialog

    def _progress(self, done: int, total: int) -> None:
        if self._dialog is not None:
            self._apply(self._dialog, done, total)

    def _apply(self, dialog: QProgressDialog, done: int, total: int) -> None:
        if total > 0:
            dialog.setMaximum(total)
            dialog.setValue(min(done, total))
            elapsed = max(time.monotonic() - self._t0, 1e-6)
            dialog.setLabelText(f"{self.label}\n{done:,} of {total:,} ({done / elapsed:,.0f}/s)")
        elif done:
            dialog.setLabelText(f"{self.label}\n{done:,} done")

    def _finish(self) -> None:
        self._timer.stop()
        self._shown.undo()
        if self._dialog is not None:
            self._dialog.canceled.disconnect()
            self._dialog.close()
            self._dialog.deleteLater()
            self._dialog = None
        self.deleteLater()
