"""One open ledger file as seen by the app: a reader lane for browsing and a writer lane.

Browsing (tables, pages of documents, history, blocks) runs on the reader lane, which opens
the file read-only, so browsing can never change the ledger. Statements, imports and other
writes run on the writer lane in submission order. A slow query on the writer lane never
delays the grid, and a cancel reaches the running task through its token.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from ..engine.statement_cancel import cancellable
from .tasks import Lane, Task, TaskFn


def _open_reader(path: Path) -> Any:
    from ..engine.ledger import Ledger

    return Ledger.open(path, read_only=True)


def _open_writer(path: Path) -> Any:
    from ..engine.ledger import Ledger

    return Ledger.open(path)


def _close(ledger: Any) -> None:
    ledger.close()


def _interruptible(fn: TaskFn) -> TaskFn:
    """Cancelling the task also stops a long SQLite step (a count, a scan, a statement)."""

    def run(ledger: Any, progress: Any, cancel: Any) -> Any:
        with cancellable(ledger, cancel):
            return fn(ledger, progress, cancel)

    return run


class LedgerSession(QObject):
    """Lanes bound to one ledger file. `changed` is emitted after every successful write."""

    changed = Signal(object)  # a change summary: whatever the write task returned

    def __init__(self, path: str | Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self._lanes: dict[str, Lane] = {}
        self.add_lane("read", lambda: _open_reader(self.path))
        self.add_lane("write", lambda: _open_writer(self.path))

    def add_lane(self, name: str, opener: Any) -> Lane:
        """Another lane on this ledger (e.g. a long verification that must not block reads)."""
        lane = Lane(f"{self.path.name}:{name}", opener, _close, parent=self)
        self._lanes[name] = lane
        return lane

    def lane(self, name: str) -> Lane:
        return self._lanes[name]

    def read(self, fn: TaskFn, name: str = "") -> Task:
        return self._lanes["read"].submit(_interruptible(fn), name)

    def write(self, fn: TaskFn, name: str = "") -> Task:
        task = self._lanes["write"].submit(_interruptible(fn), name)
        task.succeeded.connect(self.changed.emit)
        return task

    def busy(self) -> bool:
        return any(lane.tasks() for lane in self._lanes.values())

    def close(self) -> None:
        """Cancel every task and join every thread; the ledgers close on their own threads."""
        for lane in self._lanes.values():
            lane.stop()

    def close_later(self) -> None:
        """Close without waiting (a ledger tab closing): every unfinished task ends now as
        cancelled; each thread stops at its task's next cancel check, closes its ledger and is
        deleted in the background, so the GUI thread never waits for a long step."""
        for lane in self._lanes.values():
            lane.retire()
