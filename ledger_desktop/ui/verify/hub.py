"""One ledger's verification state, shared by the chain view and the verification widgets.

The hub runs the engine's full verification on its own read-only lane (so browsing never waits
behind it), turns the per-block hook into "failed blocks so far" delivered with each throttled
progress signal (with the gaps in the sequence numbers it met: a block deleted from the file),
keeps the saved digests (DigestStore, outside the ledger file) and the record
of the last full verification that the status line shows.
"""

from __future__ import annotations

import collections
import time
from dataclasses import dataclass, field
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal

from ...engine.digest_store import DigestStore, VerificationRecord
from ...engine.errors import Cancelled
from ...engine.model import Digest
from ...engine.verify import DERIVED_CHECKS, verify_ledger
from ..chain.context import LedgerViewContext
from .findings import is_saved_digest_failure
from .tamper_marks import revision_notes


@dataclass
class VerifyStep:
    """What one progress report adds. Positions are sequence numbers, not counts: with a block
    deleted from the file, the count of checked blocks falls short of the tip + 1."""

    checked: int                    # blocks present in the file and checked so far
    failed: list[int] = field(default_factory=list)   # blocks that failed since the last step
    missing: list[tuple[int, int]] = field(default_factory=list)  # gaps found since then


class VerifyHub(QObject):
    ready = Signal()                       # strand known: the digest store can be used
    started = Signal()
    # reached (sequence numbers below it are checked or missing), total (tip + 1), VerifyStep
    progressed = Signal(int, int, object)
    finished = Signal(object)              # the VerifyReport (also when cancelled part-way)
    failed = Signal(object)                # an exception that stopped verification
    # (document id, version) -> what failed, and whether the verification ran to the end:
    # the views that show revisions flag these (tamper_marks.py)
    revisions_failed = Signal(object, bool)
    digests_changed = Signal()
    status_changed = Signal(str)

    def __init__(self, ctx: LedgerViewContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.store: DigestStore | None = None
        self.strand_id = ""
        self.ledger_name = ""
        self.task: Any = None
        self.report: Any = None
        self.failing_revisions: dict[tuple[str, int], str] = {}
        self.started_at = 0.0
        self.progress: tuple[int, int] = (0, 0)   # blocks checked, total (for the speed)
        self.reached = 0                          # see `progressed`
        #: every gap in the sequence numbers this verification met, as (first, last)
        self.missing: list[tuple[int, int]] = []
        self._failed_q: collections.deque[int] = collections.deque()
        self._missing_q: collections.deque[tuple[int, int]] = collections.deque()
        self._reached = [0]   # written by the verifying thread (one int: atomic under the GIL)
        self._tasks: list[Any] = []
        self.closed = False
        t = self.ctx.read(lambda led, _p, _c: (led.strand_id, led.ledger_name), "verify: strand")
        self._tasks.append(t)
        # Bound methods, not lambdas or `self.failed.emit`: a task ending after the view
        # closed must find nothing connected (it raised "Signal source has been deleted").
        t.succeeded.connect(self._got_strand)
        t.failed.connect(self._failed)

    def _alive(self) -> bool:
        return not self.closed and shiboken6.isValid(self)

    def _got_strand(self, result: tuple[str, str]) -> None:
        if not self._alive():
            return
        self.strand_id, self.ledger_name = result
        self.store = DigestStore(self.ctx.data_dir / "digests", self.strand_id, self.ledger_name)
        self.ready.emit()
        self.status_changed.emit(self.status_text())

    # -- verification -----------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done

    def verify(self, digests: list[Digest] | None = None) -> Any:
        """Start a full verification (checking `digests` too); returns the task."""
        if self.running:
            return self.task
        digests = list(digests or [])
        failed_q = self._failed_q = collections.deque()
        missing_q = self._missing_q = collections.deque()
        reached = self._reached = [0]
        # At a saved digest's tip the hook cannot tell a failing block from a digest that
        # disagrees (which fails no block): those wait for the report's named checks.
        digest_tips = {d.tip.seq for d in digests}

        def on_block(seq: int, ok: bool) -> None:
            # The hook gets each present block's own sequence number, in order: a jump is a
            # gap in the file (engine/verify.py reports it as a failure of the next block).
            # Queued before `reached` moves past them (see `_step`).
            if seq > reached[0]:
                missing_q.append((reached[0], seq - 1))
            if not ok and seq not in digest_tips:
                failed_q.append(seq)  # deque.append is thread-safe; drained on the GUI thread
            reached[0] = seq + 1

        def run(led: Any, progress: Any, cancel: Any) -> Any:
            return verify_ledger(led, progress=progress, cancel=cancel, digests=digests,
                                 on_block=on_block)

        self.report = None
        self.started_at = time.monotonic()
        self.progress = (0, 0)
        self.reached = 0
        self.missing = []
        self.task = self.ctx.lane("verify").submit(run, "verify journal")
        self.task.progressed.connect(self._progressed)
        self.task.succeeded.connect(self._succeeded)
        self.task.failed.connect(self._failed)
        self.task.cancelled.connect(self._cancelled)
        self.started.emit()
        return self.task

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def shutdown(self) -> None:
        """The view closes: stop verifying, and let nothing that ends later emit from here."""
        self.closed = True
        self.cancel()
        for task in [self.task, *self._tasks]:
            if task is not None:
                task.cancel()

    def _step(self, checked: int, total: int) -> VerifyStep:
        """What arrived since the last step (the hook's queues are drained here, on the GUI
        thread). `reached` is read first: every failure and gap below it is already queued."""
        reached = self._reached[0]
        step = VerifyStep(checked)
        while self._failed_q:
            step.failed.append(self._failed_q.popleft())
        while self._missing_q:
            step.missing.append(self._missing_q.popleft())
        self.missing.extend(step.missing)
        self.reached = min(max(self.reached, reached), total)
        self.progress = (checked, total)
        return step

    def _progressed(self, done: int, total: int) -> None:
        if not self._alive():
            return
        step = self._step(done, total)
        self.progressed.emit(self.reached, total, step)

    def _succeeded(self, report: Any) -> None:
        if not self._alive():
            return
        step = self._step(report.blocks_checked, report.block_count)
        self.progressed.emit(self.reached, report.block_count, step)
        self.report = report
        if self.store is not None and not report.cancelled:
            journal_ok = report.ok or not any(
                f.check in DERIVED_CHECKS or not is_saved_digest_failure(report, f)
                for f in report.failures)
            self.store.record_verification(self.ctx.path, report, journal_ok=journal_ok)
        self.failing_revisions = revision_notes(report)
        self.revisions_failed.emit(self.failing_revisions, not report.cancelled)
        self.finished.emit(report)
        self.status_changed.emit(self.status_text())

    def _cancelled(self) -> None:
        self._failed(Cancelled("verification was cancelled before it started"))

    def _failed(self, exc: BaseException) -> None:
        if not self._alive():
            return
        self.failed.emit(exc)

    def speed(self) -> float:
        """Blocks per second so far."""
        elapsed = time.monotonic() - self.started_at
        return self.progress[0] / elapsed if elapsed > 0 else 0.0

    # -- digests and status -----------------------------------------------------------------
    def saved_digests(self) -> list[Any]:
        return self.store.digests() if self.store is not None else []

    def last_verification(self) -> VerificationRecord | None:
        return self.store.last_verification(self.ctx.path) if self.store is not None else None

    def status_text(self) -> str:
        try:
            rec = self.last_verification()
        except Exception as e:  # a damaged digests file must not break the status line
            return f"Verification record unreadable: {e}"
        return status_text(rec)


def status_text(rec: VerificationRecord | None) -> str:
    """The status line: when the ledger file was last fully verified, against which digest."""
    if rec is None:
        return "Never fully verified on this computer"
    when = rec.when.replace("T", " ").replace("Z", " UTC")
    if not rec.ok and rec.journal_ok:
        return (f"Last full verification {when}: the journal checks out ({rec.blocks:,} "
                "blocks), but a saved digest does NOT match it")
    if not rec.ok:
        summary = rec.summary.removeprefix("VERIFICATION FAILED: ")
        if len(summary) > 90:
            summary = summary[:89] + "…"
        return f"Last full verification {when}: FAILED: {summary}"
    digest = (rec.digest_b64 or "")[:16]
    tip = rec.tip.split("sequenceNo:")[-1].rstrip("}") if rec.tip else "?"
    return (f"Last fully verified {when} · {rec.blocks:,} blocks · digest {digest}… "
            f"at block {tip}")
