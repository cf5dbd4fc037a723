"""One document (or revision): its metadata and block address, as an Ion tree and as text."""

from __future__ import annotations

import html
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QResizeEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import Shiboken

from ...engine.blocks import BlockAddress
from ...workers.tasks import Lane, Task
from ..busy import TaskFeedback
from ..dialogs.errors import error_box
from ..icons import icon
from ..ion_text_job import PREFIX_CHARS, IonText, save_ion_text, text_now, write_in_thread
from ..ionfmt import ion_text
from ..models.ion_tree import IonTreeModel
from ..narrowing_buttons import NarrowingButtons

#: tree rows whose labels decide the Field column's width (all of them, for a big value, was
#: a Python call per row)
WIDTH_SAMPLE_ROWS = 50
#: the tree's Field column takes at most this share (%) of the width, and at least FIELD_MIN px
FIELD_SHARE = 40
FIELD_MIN = 120


def mono_font():
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


def _retire(lane: Lane) -> None:
    if Shiboken.isValid(lane):  # it may be gone already: retired once and ended
        lane.retire()


class IonView(QTabWidget):
    """An Ion value as a tree and as pretty Ion text.

    Neither is built whole on the GUI thread. The tree makes the nodes the view shows
    (IonTreeModel). The text of a small value is written at once; a big value's is written
    in a thread when its tab is first shown, and only its first PREFIX_CHARS, with a note
    saying so and a button that saves all of it as a task with progress and Cancel.
    """

    text_ready = Signal()  # the text tab now shows the text of the current value

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: an AppContext for saving (settings, the tools lane); else found among the parents
        self.context: Any = None
        self.tree_model = IonTreeModel(self)
        self.tree = QTreeView()
        self.tree.setObjectName("ionTree")
        self.tree.setModel(self.tree_model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, header.ResizeMode.Stretch)
        header.resizeSection(2, 90)
        header.setResizeContentsPrecision(WIDTH_SAMPLE_ROWS)
        self.text = QPlainTextEdit()
        self.text.setObjectName("ionText")
        self.text.setReadOnly(True)
        self.text.setFont(mono_font())
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.addTab(self.tree, "Tree")
        self.text_page = self._text_page()
        self.addTab(self.text_page, "Ion text")
        self._value: Any = None
        self._label = ""
        self._pending = False          # the text tab does not show the value's text yet
        self._job: threading.Event | None = None
        self._generation = 0           # which set_value a thread's text belongs to
        self._save_task: Task | None = None
        self._save_path = Path()
        self._lanes: list[Lane] = []
        # A thread writing text for a closed view stops instead of finishing for nobody.
        stop = self._stop_holder = [threading.Event()]
        self.destroyed.connect(lambda _=None: stop[0].set())
        self.currentChanged.connect(lambda _i: self._write_if_shown())

    def _text_page(self) -> QWidget:
        self.note = QLabel("")
        self.note.setObjectName("ionTextNote")
        self.note.setWordWrap(True)
        self.save_button = QPushButton(icon("export"), "Save as Ion…")
        self.save_button.setObjectName("ionSaveButton")
        self.save_button.clicked.connect(self.save_text)
        self.note_bar = QWidget()
        bar = QHBoxLayout(self.note_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.note, 1)
        bar.addWidget(self.save_button)
        self.note_bar.hide()
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note_bar)
        layout.addWidget(self.text, 1)
        return page

    @property
    def text_pending(self) -> bool:
        """True while the text tab does not yet show the current value's text."""
        return self._pending

    def set_value(self, value: Any, label: str = "", placeholder: str = "") -> None:
        if value is not None and value is self._value and label == self._label:
            return  # the same value again (the grid fills the pane twice per selection)
        self._stop_writing()
        self._value, self._label = value, label
        self.tree_model.set_value(value, label)
        self.tree.expandToDepth(1)
        self.tree.resizeColumnToContents(0)
        # a long root label (the document id) left the Value column a few letters wide
        header = self.tree.header()
        header.resizeSection(0, min(header.sectionSize(0), max(
            FIELD_MIN, self.tree.viewport().width() * FIELD_SHARE // 100)))
        if value is None:
            self._show_text(IonText(placeholder, True))
            return
        now = text_now(value)  # None: too big to write here
        if now is not None:
            self._show_text(now)
            return
        self._pending = True
        self.note_bar.hide()
        self.text.setPlainText("Writing the Ion text…")
        self._write_if_shown()

    def _write_if_shown(self) -> None:
        """Start the thread for a big value's text once its tab is shown: until then nobody
        reads it, and browsing a grid of big documents would write every one."""
        if self._pending and self._job is None and self.currentWidget() is self.text_page:
            self._generation += 1
            generation = self._generation
            self._job = write_in_thread(self, self._value, PREFIX_CHARS,
                                        lambda text: self._arrived(generation, text))
            self._stop_holder[0] = self._job

    def _stop_writing(self) -> None:
        if self._job is not None:
            self._job.set()
            self._job = None
        self._generation += 1  # a text already on its way is for an older value

    def _arrived(self, generation: int, text: IonText) -> None:
        if generation == self._generation:
            self._job = None
            self._show_text(text)

    def _show_text(self, text: IonText) -> None:
        self._pending = False
        self.text.setPlainText(text.text)
        self.note_bar.setVisible(not text.complete)
        if not text.complete:
            self.note.setText(f"Showing the first {PREFIX_CHARS // 1000:,} KB of the Ion text. "
                              "The Tree tab shows all of the value; Save as Ion… writes all "
                              "of the text to a file.")
        self.text_ready.emit()

    # -- saving all of the text ------------------------------------------------------------
    def _context(self) -> Any:
        """The app context: set by the owner, or that of the workspace this view is in."""
        widget: Any = self.parentWidget()
        while widget is not None and self.context is None:
            ctx = getattr(widget, "ctx", None)
            self.context = ctx if hasattr(ctx, "tools") and hasattr(ctx, "settings") else None
            widget = widget.parentWidget()
        return self.context

    def save_text(self) -> Task | None:
        """Ask where, then write all of the value's Ion text off the GUI thread."""
        if self._value is None:
            return None
        ctx = self._context()
        start = Path(ctx.settings.last_dir() if ctx is not None else "") / \
            f"{self._label or 'value'}.ion"
        path, _ = QFileDialog.getSaveFileName(self, "Save as Ion", str(start),
                                              "Ion text (*.ion)")
        if not path:
            return None
        if ctx is not None:
            ctx.settings.set_last_dir(str(Path(path).parent))
        return self.save_text_to(path)

    def save_text_to(self, path: str | Path) -> Task:
        value, target = self._value, Path(path)
        ctx = self._context()
        lane = ctx.tools if ctx is not None else self._own_lane()
        task = lane.submit(lambda _r, progress, cancel: save_ion_text(value, target, progress,
                                                                     cancel), "save Ion text")
        if ctx is None:
            task.finished.connect(lambda: _retire(lane))
        # On the window: a view closed mid-save must not take the busy cursor's owner along.
        TaskFeedback(task, self.window(), f"Saving the Ion text to {target.name} (lines written)…")
        self._save_task, self._save_path = task, target
        task.succeeded.connect(self._saved)
        task.failed.connect(self._save_failed)
        return task

    def _own_lane(self) -> Lane:
        """A lane for one save by a view outside any workspace (no tools lane to use). It is
        retired when the save ends or the view goes, whichever comes first; until then it is
        held here, as Qt aborts when a QThread that still runs is collected."""
        lane = Lane("ion-text-save")
        self._lanes.append(lane)
        self.destroyed.connect(lambda _=None: _retire(lane))
        return lane

    def _saved(self, size: int) -> None:
        self.note.setText(f"Saved {size:,} characters of Ion text to {self._save_path}")
        self.note_bar.show()

    def _save_failed(self, error: BaseException) -> None:
        details = self._save_task.details if self._save_task is not None else ""
        error_box(self, "Saving the Ion text failed", error, details)


#: a redaction's statement longer than this is cut in the pane (the block shows it whole)
STATEMENT_CHARS = 160


def redaction_text(rev: Any) -> str:
    """The rich-text line saying when, by whom and in which block a redacted revision was
    redacted, with a link to that block ("block:N")."""
    r = getattr(rev, "redaction", None)
    if r is None:
        return ("Redacted, but no block in this journal holds the request that redacted it "
                "(e.g. an import that ends before it)")
    statement = r.statement()
    if len(statement) > STATEMENT_CHARS:
        statement = statement[:STATEMENT_CHARS - 1] + "…"
    when = ion_text(r.block_time) if r.block_time is not None else ""
    return (f"Redacted in <a href=\"block:{r.seq}\">block {r.seq}</a> at {html.escape(when)} "
            f"(transaction {html.escape(r.tx_id)}, statement "
            f"<code>{html.escape(statement)}</code>)")


class DocumentPane(QWidget):
    """Metadata on top, the value below; History, Go to block and Prove buttons."""

    history_requested = Signal(str)   # doc id
    block_requested = Signal(int)     # block sequence number
    prove_requested = Signal(str, int)  # doc id, block sequence number of the revision

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentPane")
        self.doc_id: str | None = None
        self.block_seq: int | None = None
        self.version: int | None = None
        #: the workspace's failing revisions (verify/tamper_marks.py), set by the owner view
        self.marks: Any = None
        self.fields: dict[str, QLabel | QLineEdit] = {}
        # What the last verification found wrong with the revision shown, or with another
        # revision of the document: the data shown is not what its hash was made of.
        self.tamper_note = QLabel("")
        self.tamper_note.setObjectName("tamperNote")
        self.tamper_note.setWordWrap(True)
        self.tamper_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tamper_note.setStyleSheet("QLabel { background: rgba(214, 48, 49, 70); "
                                       "border: 1px solid #c0392b; padding: 4px; }")
        self.tamper_note.hide()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, label in (("id", "Document id"), ("version", "Version"),
                           ("block", "Block address"), ("txTime", "Committed"),
                           ("txId", "Transaction"), ("hash", "Revision hash")):
            value: QLabel | QLineEdit
            if key in ("hash", "block"):
                # Long unbroken text: a frameless read-only line edit scrolls instead of
                # forcing the pane (and the splitter) wide.
                value = QLineEdit("")
                value.setReadOnly(True)
                value.setFrame(False)
                value.setFont(mono_font())
                value.setStyleSheet("background: transparent;")
            else:
                value = QLabel("")
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                value.setWordWrap(True)
            value.setObjectName(f"meta_{key}")
            self.fields[key] = value
            form.addRow(label + ":", value)
        # A redacted revision: the block that redacted it (a link) and the hash its data
        # had, which the revision keeps (hex, as the revision hash above).
        self.redaction = QLabel("")
        self.redaction.setObjectName("meta_redaction")
        self.redaction.setWordWrap(True)
        self.redaction.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextBrowserInteraction)
        self.redaction.linkActivated.connect(self._link)
        self.data_hash = QLineEdit("")
        self.data_hash.setObjectName("meta_dataHash")
        self.data_hash.setReadOnly(True)
        self.data_hash.setFrame(False)
        self.data_hash.setFont(mono_font())
        self.data_hash.setStyleSheet("background: transparent;")
        form.addRow("Redaction:", self.redaction)
        form.addRow("Data hash:", self.data_hash)
        self.form = form
        self.history_button = QPushButton(icon("history"), "History")
        self.history_button.setObjectName("historyButton")
        self.history_button.clicked.connect(lambda: self.doc_id and
                                            self.history_requested.emit(self.doc_id))
        self.block_button = QPushButton(icon("go-block"), "Go to block")
        self.block_button.setObjectName("goBlockButton")
        self.block_button.clicked.connect(lambda: self.block_seq is not None and
                                          self.block_requested.emit(self.block_seq))
        self.prove_button = QPushButton(icon("verify"), "Prove Against Digest…")
        self.prove_button.setObjectName("proveButton")
        self.prove_button.setToolTip("Prove this revision against a digest in the "
                                     "verification centre's Proof tab; save the proof there")
        self.prove_button.clicked.connect(lambda: self.doc_id and self.block_seq is not None
                                          and self.prove_requested.emit(self.doc_id,
                                                                        self.block_seq))
        buttons = QHBoxLayout()
        # icons only when the pane is narrow (an 800x600 window): with their text the three
        # buttons held the pane, and so the grid beside it, at 150 px
        self.pane_buttons = NarrowingButtons(
            [self.history_button, self.block_button, self.prove_button])
        for button in self.pane_buttons.buttons:
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.ion = IonView()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tamper_note)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.ion, 1)
        self.clear()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.pane_buttons.fit(self.width() - 16)

    def _set(self, key: str, text: str) -> None:
        field = self.fields[key]
        field.setText(text)
        if isinstance(field, QLineEdit):
            field.setCursorPosition(0)  # show the start of a long hash or address
            field.setToolTip(text)

    def show_mark(self) -> None:
        """Flag the revision shown when the last verification named it (or name the other
        revisions of this document it did); called again when the marks change."""
        marks, doc_id, version = self.marks, self.doc_id, self.version
        note = marks.note(doc_id, version) if marks else None
        others = [v for v in marks.versions(doc_id) if v != version] if marks else []
        lines = []
        if note is not None:
            lines.append(f"<b>⚠ Version {version}: {html.escape(note)}.</b> The data shown is "
                         "not what the ledger's hash was made of.")
        if others:
            listed = ", ".join(f"v{v}" for v in others)
            lines.append(f"⚠ The last verification failed revision{'s' if len(others) > 1 else ''}"
                         f" {listed} of this document (see History).")
        self.tamper_note.setText("<br>".join(lines))
        self.tamper_note.setVisible(bool(lines))

    def _link(self, href: str) -> None:
        if href.startswith("block:"):
            self.block_requested.emit(int(href[len("block:"):]))

    def _show_redaction(self, rev: Any = None) -> None:
        """The redaction rows for a redacted revision; hidden otherwise."""
        redacted = rev is not None and rev.kind == "redacted"
        self.redaction.setText(redaction_text(rev) if redacted else "")
        data_hash = rev.data_hash.hex() if redacted and rev.data_hash else ""
        self.data_hash.setText(data_hash)
        self.data_hash.setCursorPosition(0)
        self.data_hash.setToolTip(data_hash)
        self.form.setRowVisible(self.redaction, redacted)
        self.form.setRowVisible(self.data_hash, redacted)

    def _enable(self, on: bool) -> None:
        for button in (self.history_button, self.block_button, self.prove_button):
            button.setEnabled(on)

    def clear(self, message: str = "Select a document") -> None:
        self.doc_id = None
        self.block_seq = None
        self.version = None
        self.show_mark()
        for label in self.fields.values():
            label.setText("")
        self._show_redaction()
        self.ion.set_value(None, placeholder=message)
        self._enable(False)

    def show_document(self, doc: Any, strand_id: str | None = None) -> None:
        """A `Document` from the engine (metadata fields may be None until fetched)."""
        self.doc_id = doc.doc_id
        self.block_seq = doc.block_seq
        self.version = doc.version
        self.show_mark()
        self._set("id", doc.doc_id)
        self._set("version", str(doc.version))
        self._set("block", BlockAddress(strand_id, doc.block_seq).text() if strand_id
                  else f"{{sequenceNo:{doc.block_seq}}}")
        self._set("txTime", ion_text(doc.tx_time) if doc.tx_time is not None else "")
        self._set("txId", doc.tx_id or "")
        self._set("hash", doc.hash.hex() if doc.hash else "")
        self._show_redaction()
        self.ion.set_value(doc.data, label=doc.doc_id)
        self._enable(True)

    def show_revision(self, rev: Any) -> None:
        """A `RevisionInfo` from the journal: deleted and redacted revisions say so."""
        self.doc_id = rev.doc_id
        self.block_seq = rev.address.seq
        self.version = rev.version
        self.show_mark()
        self._set("id", rev.doc_id)
        self._set("version", f"{rev.version} ({rev.kind})" if rev.kind != "data"
                                       else str(rev.version))
        self._set("block", rev.address.text())
        self._set("txTime", ion_text(rev.tx_time) if rev.tx_time is not None else "")
        self._set("txId", rev.tx_id or "")
        self._set("hash", rev.hash.hex() if rev.hash else "")
        self._show_redaction(rev)
        if rev.kind == "deleted":
            self.ion.set_value(None, placeholder="(deleted: this revision has no data)")
        elif rev.kind == "redacted":
            r = getattr(rev, "redaction", None)
            where = f" in block {r.seq}" if r is not None else ""
            self.ion.set_value(None, placeholder=f"(redacted{where}: the data was removed; its "
                               "hash remains)\ndataHash: "
                               f"{rev.data_hash.hex() if rev.data_hash else ''}")
        else:
            self.ion.set_value(rev.data, label=f"version {rev.version}")
        self._enable(True)
