"""The verification centre of one ledger: the chain view beside tabs for verifying the journal,
the saved digests and proofs, all sharing one `VerifyHub`; a status line shows when the ledger
was last fully verified and against which digest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QSplitter, QTabWidget, QVBoxLayout, QWidget

from ...workers.tasks import disconnect_all
from ..chain.context import LedgerViewContext
from ..chain.view import ChainView
from .digests import DigestCentre
from .hub import VerifyHub
from .panel import VerifyPanel
from .proof_view import ProofView


class VerificationCentre(QWidget):
    def __init__(self, ctx: LedgerViewContext, parent: QWidget | None = None,
                 hub: VerifyHub | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verificationCentre")
        self.ctx = ctx
        self.closed = False
        #: the block count the app last read (its workspace's catalog), if it tells us
        self.known_block_count: Callable[[], int] | None = None
        self.hub = hub or VerifyHub(ctx, self)
        self.chain = ChainView(ctx)
        self.panel = VerifyPanel(self.hub)
        self.digests = DigestCentre(self.hub)
        self.proof = ProofView(self.hub)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("verifyTabs")
        self.tabs.addTab(self.panel, "Verify journal")
        self.tabs.addTab(self.digests, "Digests")
        self.tabs.addTab(self.proof, "Proof")
        # every page scrolls or squeezes, so the user may give the chain view most of the height
        self.tabs.setMinimumHeight(160)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.chain)
        split.addWidget(self.tabs)
        split.setSizes([520, 400])
        self.splitter = split
        self.status = QLabel("")
        self.status.setObjectName("verifyStatus")
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)

        hub = self.hub
        hub.started.connect(self.chain.verification_started)
        hub.progressed.connect(self._progressed)
        hub.finished.connect(self._finished)
        hub.status_changed.connect(self.status.setText)
        report = self.panel.report_view
        report.show_block.connect(self.show_block)
        report.open_block.connect(self.open_block)
        report.open_document.connect(self._open_document)
        self.chain.block_activated.connect(lambda seq: self.proof.set_target(seq))
        self.chain.model.resized.connect(self.digests.journal_grew)
        self.digests.relate_requested.connect(self._relate)
        self.digests.prove_requested.connect(self._prove_with)

    def title(self) -> str:
        return "Verification"

    def _progressed(self, reached: int, _total: int, step: Any) -> None:
        if not self.closed and shiboken6.isValid(self.chain):
            self.chain.verification_progress(reached, step.failed, step.missing)

    def _finished(self, report: Any) -> None:
        if not self.closed and shiboken6.isValid(self.chain):
            # the gaps the hub saw block by block: the report's own list of failures is capped
            self.chain.verification_finished(report, self.hub.missing)

    def refresh(self) -> None:
        """After a write, or View > Refresh: re-read the block count and the chain (new blocks
        appear, not yet checked; a digest taken before them says it is outdated)."""
        if self.closed:
            return
        self.chain.reload()
        if self.hub.store is not None:  # another program may have verified meanwhile
            self.hub.status_changed.emit(self.hub.status_text())

    def catalog_changed(self) -> None:
        """The workspace re-read the ledger: if it found blocks the chain has not seen (another
        program committed them), reload the chain. After the app's own writes `refresh()` has
        already read the new count (the same reader lane answers in order), so this reads
        nothing twice."""
        if self.closed or self.known_block_count is None:
            return
        if self.known_block_count() != self.chain.model.count:
            self.refresh()

    def show_block(self, seq: int) -> None:
        self.chain.model.select(seq)
        self.chain.focus(seq)

    def open_block(self, seq: int) -> None:
        self.show_block(seq)
        if self.ctx.open_block is None:
            return
        view = self.ctx.open_block(seq)
        report = self.panel.report_view.report
        failures = [f for f in getattr(report, "failures", []) if f.seq == seq]
        if failures and hasattr(view, "mark_failure"):
            text = "; ".join(f"{f.check} check failed: {f.message}" for f in failures[:3])
            indexes = sorted({r.index for f in failures for r in f.revisions})
            view.mark_failure(seq, text, indexes)

    def _open_document(self, doc_id: str) -> None:
        if self.ctx.open_document is not None and doc_id:
            self.ctx.open_document(doc_id)

    def _relate(self, a: Any, b: Any) -> None:
        self.tabs.setCurrentWidget(self.proof)
        self.proof.relate(a, b)

    def prove_target(self, seq: int, doc_id: str | None = None) -> None:
        """The Proof tab with a revision (or block) filled in and Prove focused; the block is
        brought into view in the chain."""
        self.proof.ready(seq, doc_id)
        self.tabs.setCurrentWidget(self.proof)
        if self.chain.model.count > seq:
            self.show_block(seq)
        self.proof.prove_button.setFocus()

    def _prove_with(self, saved: Any) -> None:
        self.proof.use_digest(saved)
        self.tabs.setCurrentWidget(self.proof)

    def trigger(self, action_id: str) -> bool:
        """Verify-menu actions routed by the workspace to the current view."""
        if action_id == "verify_journal":
            self.tabs.setCurrentWidget(self.panel)
            self.panel.start()
            return True
        if action_id == "verify_cancel":
            self.hub.cancel()
            return True
        if action_id == "get_digest":
            self.tabs.setCurrentWidget(self.digests)
            self.digests.get_digest()
            return True
        if action_id == "verify_proof":
            self.tabs.setCurrentWidget(self.proof)
            return True
        if action_id == "show_chain":
            self.chain.search.setFocus()
            return True
        if action_id == "refresh":
            self.refresh()
            return False  # the workspace reloads its catalog too
        return False

    def shutdown(self) -> None:
        self.closed = True
        self.hub.shutdown()
        self.chain.shutdown()
        # The chain view's tasks may still succeed or report progress after Cancel (a read
        # that already returned; a count that then starts the column load), and their slots
        # (lambdas on its labels) would run on deleted widgets: they hear nothing more.
        for task in list(getattr(self.chain, "_tasks", ())):
            disconnect_all(task)
        self.proof.shutdown()
