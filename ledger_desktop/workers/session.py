"""One open ledger file as seen by the app: a reader lane for browsing and a writer lane.

Browsing (tables, pages of documents, history, blocks) runs on the reader lane, which opens
the file read-only, so browsing can never change the ledger. Statements, imports and other
writes run on the writer lane in submission order. A slow query on the writer lane never
delays the grid, and a cancel reaches the running task through its token.

A session opened read-only (File > Open Read-Only…), or on a file that cannot be written (a
read-only medium, permissions), opens its writer lane read-only too: nothing it runs can
change the file, and a write is refused with the engine's ReadOnlyError (a user error).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from ..engine.statement_cancel import cancellable
from .tasks import Lane, Task, TaskFn


def _open_reader(path: Path) -> Any:
    from ..engine.ledger import Ledger

    return Ledger.open(path, read_only=True)


def can_write(path: Path) -> bool:
    """Whether statements can be recorded in the file: SQLite writes it and makes its -wal and
    -shm files beside it, so the folder must be writable too (a read-only mount fails both;
    as root, only a read-only medium does)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _open_writer(path: Path, read_only: bool = False) -> Any:
    from ..engine.ledger import Ledger

    # A read-write open of an unwritable file failed at every statement with an error that
    # pointed to an "evidence mode"; read-only, a write is refused as a user error.
    return Ledger.open(path, read_only=read_only or not can_write(path))


def _close(ledger: Any) -> None:
    ledger.close()


@dataclass(frozen=True)
class WriteSummary:
    """What one write task committed (the payload of `LedgerSession.changed`).

    Every statement commits a block, a SELECT's too (it records the statement), so a moved tip
    alone does not mean that documents changed: `documents` says whether a new block holds
    revisions (of documents, tables or indexes). `blocks` None: the journal could not be read,
    so anything may have changed."""

    blocks: int | None    # the journal's blocks after the task
    new_blocks: int       # blocks the task committed
    documents: bool       # a new block holds revisions

    @property
    def committed(self) -> bool:
        return self.blocks is None or self.new_blocks > 0


#: blocks read per look when searching the new blocks for a revision (newest first)
_SUMMARY_WINDOW = 64


def _block_count(ledger: Any) -> int | None:
    try:
        return int(ledger.block_count())
    except Exception:  # not a ledger, or the file is gone: report "anything may have changed"
        return None


def _holds_revisions(ledger: Any, first: int, end: int) -> bool:
    """Whether a block in [first, end) holds a revision; the newest are read first (usually
    the last one does), a window at a time: an import may have committed thousands."""
    last = end - 1
    while last >= first:
        low = max(first, last - _SUMMARY_WINDOW + 1)
        if any(b.n_revisions for b in ledger.block_summaries(low, last)):
            return True
        last = low - 1
    return False


def _summary(ledger: Any, before: int | None) -> WriteSummary:
    after = _block_count(ledger)
    if before is None or after is None:
        return WriteSummary(None, 0, True)
    if after <= before:
        return WriteSummary(after, 0, False)
    try:
        documents = _holds_revisions(ledger, before, after)
    except Exception:
        documents = True
    return WriteSummary(after, after - before, documents)


def _noting_commits(fn: TaskFn, notes: list[WriteSummary]) -> TaskFn:
    """`fn`, and what it committed appended to `notes` (on the lane's thread, before the
    task's end is reported), whether it succeeded, failed or was cancelled."""

    def run(ledger: Any, progress: Any, cancel: Any) -> Any:
        before = _block_count(ledger)
        try:
            return fn(ledger, progress, cancel)
        finally:
            notes.append(_summary(ledger, before))

    return run


def _interruptible(fn: TaskFn) -> TaskFn:
    """Cancelling the task also stops a long SQLite step (a count, a scan, a statement)."""

    def run(ledger: Any, progress: Any, cancel: Any) -> Any:
        with cancellable(ledger, cancel):
            return fn(ledger, progress, cancel)

    return run


class LedgerSession(QObject):
    """Lanes bound to one ledger file. `changed` is emitted after a write task that committed
    something (the journal's tip moved), with its `WriteSummary`: BEGIN, ABORT and a failed
    statement commit nothing, and reloading every grid after them lost their sort and place."""

    changed = Signal(object)  # a WriteSummary

    def __init__(self, path: str | Path, parent: QObject | None = None, *,
                 read_only: bool = False) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.read_only = read_only  # asked for: the writer lane never writes, writable or not
        self._lanes: dict[str, Lane] = {}
        self._closed = False
        self.add_lane("read", lambda: _open_reader(self.path))
        self.add_lane("write", lambda: _open_writer(self.path, self.read_only))

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
        notes: list[WriteSummary] = []
        # The tip is read outside the cancellable part: a cancel must not interrupt it.
        task = self._lanes["write"].submit(_noting_commits(_interruptible(fn), notes), name)
        task.finished.connect(lambda: self._wrote(notes))
        return task

    def _wrote(self, notes: list[WriteSummary]) -> None:
        # no notes: the task never ran (cancelled while queued, or its lane was retired)
        if notes and notes[0].committed and not self._closed:
            self.changed.emit(notes[0])

    def busy(self) -> bool:
        return any(lane.tasks() for lane in self._lanes.values())

    def close(self) -> None:
        """Cancel every task and join every thread; the ledgers close on their own threads."""
        self._closed = True
        for lane in self._lanes.values():
            lane.stop()

    def close_later(self) -> None:
        """Close without waiting (a ledger tab closing): every unfinished task ends now as
        cancelled; each thread stops at its task's next cancel check, closes its ledger and is
        deleted in the background, so the GUI thread never waits for a long step."""
        self._closed = True
        for lane in self._lanes.values():
            lane.retire()
