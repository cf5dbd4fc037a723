"""Plugs the verification centre into the app's ledger workspace: a "verify" view kind, the
Verify menu's handlers, and a status line showing the last full verification."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ...engine.digest_store import DigestStore
from ...workers import warmup
from ..chain.context import LedgerViewContext
from .hub import status_text
from .tamper_marks import TamperMarks

#: Verify-menu action ids and what each does to the verification centre
ACTIONS = ("show_chain", "verify_journal", "get_digest", "verify_proof")


def view_context(ws: Any) -> LedgerViewContext:
    """The context a workspace gives the chain and verification widgets."""
    return LedgerViewContext(ws.path, ws.session, ws.ctx.profile.data_dir,
                             open_block=ws.open_block, open_document=ws.open_history,
                             settings=ws.ctx.settings)


def _make_centre(ws: Any, _key: Any) -> QWidget:
    from .centre import VerificationCentre

    centre = VerificationCentre(view_context(ws))
    centre.known_block_count = lambda: ws.block_count  # a reload sees another program's blocks
    if hasattr(ws, "set_missing_blocks"):  # its status line counts the blocks actually present
        centre.chain.gaps_known.connect(ws.set_missing_blocks)
    marks = getattr(ws, "tamper_marks", None)
    if marks is not None:  # the grids, History and panes flag the revisions that failed
        centre.hub.revisions_failed.connect(marks.publish)
    label = getattr(ws, "verification_status", None)
    if label is not None:  # the workspace shows the status; the centre's own line is spare
        centre.hub.status_changed.connect(label.setText)
        centre.status.hide()
    return centre


def register_verification_views(register_view: Callable[[str, Any], None]) -> None:
    register_view("verify", _make_centre)


def trigger(ws: Any, action_id: str) -> None:
    """Open (or switch to) the verification centre and run a Verify-menu action in it.

    While the start-up warm-up is still importing (the chart library, then the parser), the
    first centre opens when it is done: importing here as well, or building the view while
    the parser was imported, held the GUI thread for 0.3-0.5 s."""
    if ws.view("verify", None) is None and warmup.busy():
        ws.show_message("Loading the chart library…")
        warmup.when_ready("verify", lambda: _trigger_now(ws, action_id), ws)
        return
    _trigger_now(ws, action_id)


def _trigger_now(ws: Any, action_id: str) -> None:
    if getattr(ws, "closed", False):  # closed while the chart library loaded
        return
    centre = ws.open_view("verify", None)
    centre.trigger(action_id)


def prove(ws: Any, seq: int, doc_id: str | None = None) -> None:
    """Prove Against Digest… (History, the document pane, the block inspector): the
    verification centre's Proof tab with document `doc_id`'s revision in block `seq` (or,
    without `doc_id`, the block) filled in, ready to run against the digest chosen there."""
    def now() -> None:
        if not getattr(ws, "closed", False):
            ws.open_view("verify", None).prove_target(seq, doc_id)

    if ws.view("verify", None) is None and warmup.busy():  # as `trigger` waits
        ws.show_message("Loading the chart library…")
        warmup.when_ready("verify", now, ws)
        return
    now()


def install_status(ws: Any) -> QLabel:
    """A line under the workspace's status: last full verification and its digest; and the
    workspace's `tamper_marks`, which the verification centre fills."""
    label = QLabel("")
    label.setObjectName("verificationStatus")
    label.setContentsMargins(6, 0, 6, 2)
    # a long message must not widen the window
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    ws.layout().addWidget(label)
    ws.verification_status = label
    ws.tamper_marks = TamperMarks(ws)

    def refresh() -> None:
        strand = getattr(ws, "strand_id", None)
        if not strand:
            return
        try:
            rec = DigestStore(ws.ctx.profile.data_dir / "digests", strand).last_verification(
                ws.path)
        except Exception as e:  # a damaged record file must not break the workspace
            label.setText(f"Verification record unreadable: {e}")
            return
        label.setText(status_text(rec))

    ws.loaded.connect(refresh)
    return label


def open_proof_window(parent: QWidget) -> QDialog:
    """A window of its own for verifying proof files, usable with no ledger open."""
    from .proof_view import ProofView

    dialog = QDialog(parent)
    dialog.setObjectName("proofFilesDialog")
    dialog.setWindowTitle("Verify Proof Files")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    view = ProofView(None, dialog)
    layout = QVBoxLayout(dialog)
    layout.addWidget(view)
    dialog.finished.connect(lambda _r: view.shutdown())
    dialog.resize(1100, 700)
    dialog.show()
    return dialog
