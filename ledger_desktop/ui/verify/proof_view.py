"""The proof view: prove a revision or block of the open ledger against a chosen digest, or
verify a revision/block and proof pasted or loaded from files (QLDB's GetRevision / GetBlock
output) with no ledger at all; the path is drawn step by step."""

from __future__ import annotations

import html
import io
import os
import re
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...engine import digest_file, proof_export, proof_layout, proofs
from ...engine.errors import InputFormatError
from ...engine.proof_tip import tip_named_in
from ...workers.tasks import Lane, Task
from ..dialogs.errors import describe, error_box
from ..icons import icon
from .hub import VerifyHub
from .proof_diagram import ProofDiagram

CURRENT = "current digest (taken now)"


def _is_file(text: str) -> bool:
    """Whether a one-line input names an existing file (pasted text is usually not a name)."""
    if "\n" in text or len(text) > 1024:
        return False
    try:
        return Path(text).is_file()
    except (OSError, ValueError):  # too long for a file name, or a NUL in it
        return False


def _looks_like_path(text: str) -> bool:
    """Whether one-line input reads as a file name rather than Ion or JSON: a revision, block
    or proof always has a brace or bracket; a path has a separator or an extension."""
    if "\n" in text or len(text) > 1024 or any(c in text for c in '{}[]"'):
        return False
    return "/" in text or "\\" in text or re.search(r"\.[A-Za-z0-9]{1,5}$", text) is not None


def _as_path(text: str) -> str:
    """A one-line input as the file name it stands for: without the quotes that "Copy path"
    in file managers and shells put around it, a `file://` URL (as the CLI and drag and drop
    give) made a path, and `~` expanded. Anything else comes back unchanged."""
    s = text.strip()
    if "\n" in s or len(s) > 4096:
        return text
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'":
        s = s[1:-1].strip()
    if s.lower().startswith("file://"):
        url = urlsplit(s)
        host = url.netloc if url.netloc not in ("", "localhost") else ""
        # a URL escapes spaces as %20, but a hand-typed one often does not: take the
        # unescaped name unless only the name as typed exists
        raw = url2pathname(url.path) if host == "" else f"//{host}{url.path}"
        decoded = unquote(raw)
        s = raw if not Path(decoded).exists() and Path(raw).exists() else decoded
    if s.startswith("~"):
        s = os.path.expanduser(s)
    return s


def _parse_pasted(text: str, kind: str) -> tuple[Any, list[bytes] | None]:
    """Parse pasted text like a file; errors name "the pasted revision" and where in it the
    Ion goes wrong, not the temporary file the text passes through."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"pasted-{kind}"
        src.write_text(text, encoding="utf-8")
        try:
            return proofs.parse_value_input(src, kind)
        except InputFormatError as e:
            where = _ion_error_position(src)
            if "not valid Ion" in str(e) and where is not None:
                raise InputFormatError(f"the pasted {kind} is not valid Ion ({where})") from None
            raise InputFormatError(str(e).replace(str(src), f"the pasted {kind}")) from None


def _parse_value_file(path: Path, kind: str) -> tuple[Any, list[bytes] | None]:
    """Parse a revision or block file; when the file as a whole is not Ion, say where, as
    for pasted text (ion-c's own message has no position: "IERR_BAD_BASE64_BLOB ")."""
    try:
        return proofs.parse_value_input(path, kind)
    except InputFormatError as e:
        # only the whole-file parse: a JSON holder's or a labelled line's Ion has positions
        # of its own, not the file's
        if str(e).startswith(f"{path}: not valid Ion"):
            where = _ion_error_position(path)
            if where is not None:
                raise InputFormatError(f"{path}: not valid Ion ({where})") from None
        raise


def _read_proof_file(path: Path) -> list[bytes]:
    """Read a proof file, with the line and column of an Ion error in a plain Ion file."""
    try:
        return proofs.read_proof_file(path)
    except InputFormatError as e:
        if str(e).startswith(f"{path}: not valid Ion"):
            text = path.read_bytes()[:4096].decode("utf-8", errors="replace").lstrip()
            # JSON and `proof:` lines hold the Ion in a string: the file's position is not it
            if not text.startswith("{") and "proof:" not in text.lower():
                where = _ion_error_position(path)
                if where is not None:
                    raise InputFormatError(f"{path}: not valid Ion ({where})") from None
        raise


_POSITION = re.compile(r"^(.*?) at position (\d+)(.*)$", re.S)
_CONTAINER = re.compile(r"^\s*in [\w ]+? value contained in [\w-]+\.?")
_POSITION_LIMIT = 1 << 20  # the pure-Python reader is slow; proofs and revisions are small


def _ion_error_position(path: Path) -> str | None:
    """'line L, column C: reason' of the first Ion syntax error in a text file, if any."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    text = data.decode("utf-8", errors="replace")
    if len(text) <= _POSITION_LIMIT:
        # The pure-Python reader names the offset of the first bad character of the whole
        # text (a bad blob inside a struct, say), where the record scanner below would
        # only see the struct that then never closes.
        from amazon.ion import simpleion

        try:
            simpleion.load_python(io.StringIO(text), single_value=False)
        except Exception as e:  # noqa: BLE001 - any parser failure is what we report
            m = _POSITION.match(str(e))
            if m:
                offset = max(int(m.group(2)) - 1, 0)
                reason = m.group(1).strip()
                extra = m.group(3).split("Pending value")[0]
                extra = _CONTAINER.sub("", extra).strip(" .")  # parser internals, not news
                if extra:
                    reason += f" ({extra})"
                line = text.count("\n", 0, offset) + 1
                column = offset - text.rfind("\n", 0, offset)
                return f"line {line}, column {column}: {reason}"
    return _scanner_error_position(path)


def _scanner_error_position(path: Path) -> str | None:
    """The record scanner's position of an error: it finds values that never end."""
    from ...engine.errors import ImportFileError
    from ...engine.readers.ion_reader import IonTextReader

    try:
        reader = IonTextReader(path)
        try:
            for _ in reader:
                pass
        finally:
            reader.close()
    except ImportFileError as e:
        # "expected a struct, found list" is about the records of an import file, not Ion
        if e.line is None or "expected a struct" in e.reason:
            return None
        col = f", column {e.column}" if e.column is not None else ""
        return f"line {e.line}{col}: {e.reason}"
    return None


def _offline(value_text: str, proof_text: str, digest_text: str, kind: str) -> Any:
    """Runs on a worker: parse the three inputs (text or file paths) and lay out the proof."""
    value_text = value_text.strip()
    if not value_text:
        raise InputFormatError(f"paste or load the {kind} (Ion text or the AWS CLI's JSON)")
    value_path = _as_path(value_text)
    if _is_file(value_path):
        value, carried = _parse_value_file(Path(value_path), kind)
    elif _looks_like_path(value_path):  # a mistyped path, not Ion: say so
        raise InputFormatError(f"file not found: {value_path}")
    else:  # pasted text: parse it the same way as a file
        value, carried = _parse_pasted(value_text, kind)
    proof_text = proof_text.strip()
    proof_path: str | None = None
    if proof_text:
        proof_path = _as_path(proof_text)
        if _is_file(proof_path):
            proof = _read_proof_file(Path(proof_path))
        elif _looks_like_path(proof_path):
            raise InputFormatError(f"proof file not found: {proof_path}")
        else:
            proof = proofs.parse_proof_text(proof_text)
    elif carried is not None:
        proof = carried
    else:
        raise InputFormatError("a proof is needed: paste it (an Ion list of blobs), load a "
                               "file, or use GetRevision/GetBlock JSON that carries one")
    if not digest_text.strip():
        raise InputFormatError("give the digest: base64, a digest file, or GetDigest JSON")
    digest_path = _as_path(digest_text)
    if digest_path != digest_text.strip() and _is_file(digest_path):
        digest_text = digest_path  # a quoted path or file:// URL of a digest file
    digest, tip = digest_file.digest_from_arg(digest_text)
    # the tip a GetRevision/GetBlock JSON file names beside its proof (our Save Proof writes it)
    named = next((p for p in (proof_path, value_path)
                  if p is not None and _is_file(p)), None)
    proof_tip = tip_named_in(named) if named is not None else None
    return proof_layout.offline_proof(value, proof, digest, kind, tip, proof_tip)


class ProofView(QWidget):
    proved = Signal(object)   # the LaidOutProof drawn

    def __init__(self, hub: VerifyHub | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("proofView")
        self.hub = hub
        self._offline_lane: Lane | None = None
        self._saved: list[Any] = []
        #: the proof shown, when it was proven from the ledger and verified: Save Proof…
        self._saveable: Any = None

        # -- from the open ledger
        self.kind = QComboBox()
        self.kind.setObjectName("proofKind")
        self.kind.addItems(["Revision of a document", "Block"])
        self.doc_id = QLineEdit()
        self.doc_id.setObjectName("proofDocId")
        self.doc_id.setPlaceholderText("document id")
        self.block = QSpinBox()
        self.block.setObjectName("proofBlock")
        self.block.setRange(0, 2**31 - 1)
        self.digest = QComboBox()
        self.digest.setObjectName("proofDigest")
        self.prove_button = QPushButton("Prove")
        self.prove_button.setObjectName("proofProve")
        self.prove_button.clicked.connect(self.prove)
        self.kind.currentIndexChanged.connect(
            lambda i: self.doc_id.setEnabled(i == 0))
        ledger_box = QGroupBox("Prove from this ledger")
        form = QFormLayout(ledger_box)
        form.addRow("What", self.kind)
        form.addRow("Document", self.doc_id)
        form.addRow("Block", self.block)
        form.addRow("Against", self.digest)
        form.addRow(self.prove_button)

        # -- offline
        self.off_kind = QComboBox()
        self.off_kind.setObjectName("offlineKind")
        self.off_kind.addItems(["revision", "block"])
        self.off_value = QPlainTextEdit()
        self.off_value.setObjectName("offlineValue")
        self.off_value.setPlaceholderText("Paste the revision or block: Ion text, or the AWS "
                                          "CLI's GetRevision/GetBlock JSON (or a file path)")
        self.off_proof = QLineEdit()
        self.off_proof.setObjectName("offlineProof")
        self.off_proof.setPlaceholderText("proof: Ion list of blobs, or a file (optional if "
                                          "the JSON carries it)")
        self.off_digest = QLineEdit()
        self.off_digest.setObjectName("offlineDigest")
        self.off_digest.setPlaceholderText("digest: base64, a digest file, or GetDigest JSON")
        load = QPushButton("Load files…")
        load.clicked.connect(self._load_files)
        self.verify_button = QPushButton("Verify")
        self.verify_button.setObjectName("offlineVerify")
        self.verify_button.clicked.connect(self.verify_offline)
        off_box = QGroupBox("Verify a proof from files (no ledger needed)")
        of = QFormLayout(off_box)
        of.addRow("Kind", self.off_kind)
        of.addRow("Value", self.off_value)
        of.addRow("Proof", self.off_proof)
        of.addRow("Digest", self.off_digest)
        row = QHBoxLayout()
        row.addWidget(load)
        row.addWidget(self.verify_button)
        of.addRow(row)

        self.status = QLabel("")
        self.status.setObjectName("proofStatus")
        self.status.setWordWrap(True)
        self.save_button = QPushButton(icon("export"), "Save Proof…")
        self.save_button.setObjectName("proofSave")
        self.save_button.setToolTip("Save the revision or block with its proof as GetRevision/"
                                    "GetBlock JSON, for `ledger verify-proof` (no ledger "
                                    "needed)")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save_proof)
        # where the proof was saved and the auditor's command: selectable, to copy it
        self.saved_note = QLabel("")
        self.saved_note.setObjectName("proofSavedNote")
        self.saved_note.setWordWrap(True)
        self.saved_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.saved_note.hide()
        self.diagram = ProofDiagram()
        inputs = QWidget()
        il = QVBoxLayout(inputs)
        il.setContentsMargins(0, 0, 0, 0)
        il.addWidget(ledger_box)
        # only once it has a parent: shown before, it flashed up as a window of its own and
        # took the keyboard focus from the main window
        ledger_box.setVisible(hub is not None)
        il.addWidget(off_box, 1)
        out = QWidget()
        ol = QVBoxLayout(out)
        ol.setContentsMargins(0, 0, 0, 0)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)
        ol.addLayout(status_row)
        ol.addWidget(self.saved_note)
        ol.addWidget(self.diagram, 1)
        # (parented now: see ledger_box) a proof from files is in files already
        self.save_button.setVisible(hub is not None)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(inputs)
        split = QSplitter()
        split.addWidget(scroll)
        split.addWidget(out)
        split.setStretchFactor(1, 1)
        split.setSizes([340, 900])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        if hub is not None:
            hub.ready.connect(self.refresh_digests)
            hub.digests_changed.connect(self.refresh_digests)
            if hub.store is not None:
                self.refresh_digests()
        else:
            self.digest.addItem(CURRENT)

    def title(self) -> str:
        return "Proof"

    # -- digests ----------------------------------------------------------------------------
    def refresh_digests(self) -> None:
        keep = self.digest.currentIndex()
        self._saved = self.hub.saved_digests() if self.hub is not None else []
        self.digest.clear()
        self.digest.addItem(CURRENT)
        for s in self._saved:
            self.digest.addItem(f"{s.label} · block {s.digest.tip.seq} · {s.b64[:12]}…")
        if 0 <= keep < self.digest.count():
            self.digest.setCurrentIndex(keep)

    def use_digest(self, saved: Any) -> None:
        for i, s in enumerate(self._saved):
            if s.key == saved.key:
                self.digest.setCurrentIndex(i + 1)

    def set_target(self, seq: int, doc_id: str | None = None) -> None:
        self.block.setValue(seq)
        if doc_id:
            self.doc_id.setText(doc_id)
            self.kind.setCurrentIndex(0)
        else:
            self.kind.setCurrentIndex(1)

    def ready(self, seq: int, doc_id: str | None = None) -> None:
        """Prove Against Digest… from a revision or block elsewhere: the target filled in,
        and the status says what Prove will do."""
        self.set_target(seq, doc_id)
        what = f"document {doc_id}'s revision in block {seq}" if doc_id else f"block {seq}"
        # (the digest list of a centre opened just now is still being read: not named here)
        self.status.setText(f"Ready to prove {html.escape(what, False)}: choose the digest "
                            "under Against, then press Prove.")

    # -- proving ----------------------------------------------------------------------------
    def prove(self) -> Any:
        if self.hub is None:
            return None
        i = self.digest.currentIndex()
        saved = self._saved[i - 1].digest if i >= 1 and i - 1 < len(self._saved) else None
        seq, doc = self.block.value(), self.doc_id.text().strip()
        revision = self.kind.currentIndex() == 0

        def run(led: Any, _p: Any, _c: Any) -> Any:
            d = saved if saved is not None else led.digest()
            if revision:
                if not doc:
                    raise InputFormatError("type the id of the document whose revision to prove")
                return proof_layout.revision_proof(led, doc, seq, d)
            return proof_layout.block_proof(led, seq, d)

        return self._run(self.hub.ctx.read(run, "prove"))

    def relate(self, a: Any, b: Any) -> Any:
        """Draw how two saved digests relate (older tip's block against the newer digest)."""
        if self.hub is None:
            return None
        return self._run(self.hub.ctx.read(
            lambda led, _p, _c: proof_layout.relate_digests(led, a.digest, b.digest),
            "relate digests"))

    def verify_offline(self) -> Any:
        if self._offline_lane is None:
            self._offline_lane = Lane("proofs")
        args = (self.off_value.toPlainText(), self.off_proof.text(), self.off_digest.text(),
                self.off_kind.currentText())
        return self._run(self._offline_lane.submit(lambda _r, _p, _c: _offline(*args),
                                                   "verify proof"))

    def _run(self, task: Any) -> Any:
        self.status.setText("Computing the proof…")
        task.succeeded.connect(self._show)
        task.failed.connect(self._failed)
        return task

    def _show(self, laid: Any) -> None:
        self.diagram.set_proof(laid)
        ok = laid.result.ok and laid.against is not None and self.hub is not None
        self._saveable = laid if ok else None
        self.save_button.setEnabled(ok)
        self.saved_note.hide()
        color = "#2e9d4f" if laid.result.ok else "#d0453a"
        message = html.escape(laid.result.message, quote=False).replace("\n", "<br>")  # tip findings
        self.status.setText(f"<span style='color:{color}'><b>{message}</b></span>"
                            f" — {len(laid.result.steps)} steps, each recomputed.")
        self.proved.emit(laid)

    def _failed(self, exc: BaseException) -> None:
        self._saveable = None
        self.save_button.setEnabled(False)
        self.saved_note.hide()
        self.status.setText(f"<span style='color:#d0453a'>{describe(exc)}</span>")
        self.diagram.show_message(describe(exc))

    # -- saving a proof for an auditor ------------------------------------------------------
    def save_proof(self) -> Task | None:
        """Ask where (starting in the folder last used), then save the proof shown."""
        laid = self._saveable
        if laid is None or self.hub is None:
            return None
        name = (f"proof-{laid.doc_id}-block-{laid.seq}.json" if laid.doc_id
                else f"proof-block-{laid.seq}.json")
        path, _ = QFileDialog.getSaveFileName(self, "Save Proof",
                                              str(Path(self.hub.ctx.start_dir()) / name),
                                              "GetRevision/GetBlock JSON (*.json)")
        if not path:
            return None
        self.hub.ctx.remember_dir(path)
        return self.save_proof_to(path)

    def save_proof_to(self, path: str | Path) -> Task | None:
        """Write the shown proof's revision or block, proof and digest tip (AWS CLI JSON) to
        `path` on the ledger's reader lane; the save dialog has asked before replacing."""
        laid = self._saveable
        if laid is None or self.hub is None:
            return None
        target, seq, doc_id, digest = Path(path), laid.seq, laid.doc_id, laid.against
        task = self.hub.ctx.read(lambda led, _p, _c: proof_export.write_proof_file(
            led, target, seq, digest, doc_id), "save proof")
        task.succeeded.connect(self._proof_saved)
        task.failed.connect(self._save_failed)
        return task

    def _proof_saved(self, saved: Any) -> None:
        self.saved_note.setText(
            f"Saved the proof to {html.escape(str(saved.path))}. An auditor checks it, with no "
            f"ledger, against a digest kept apart:<br><code>{html.escape(saved.command())}"
            "</code>")
        self.saved_note.show()

    def _save_failed(self, exc: BaseException) -> None:
        error_box(self, "Cannot save the proof", exc)

    def _load_files(self) -> None:
        value, _ = QFileDialog.getOpenFileName(self, "Revision or block (Ion or JSON)")
        if value:
            self.off_value.setPlainText(value)
        proof, _ = QFileDialog.getOpenFileName(self, "Proof (optional)")
        if proof:
            self.off_proof.setText(proof)
        digest, _ = QFileDialog.getOpenFileName(self, "Digest file")
        if digest:
            self.off_digest.setText(digest)

    def shutdown(self) -> None:
        if self._offline_lane is not None:
            self._offline_lane.stop()
