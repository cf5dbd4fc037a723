"""Every revision of one document, and a field-level diff between any two of them."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...engine.diff import diff_documents, summary
from .. import gui_delivery
from ..copying import COPY_AS, copy_values, selected_rows
from ..dialogs.errors import error_box
from ..elided_label import ElidedLabel
from ..icons import icon
from ..ion_pretty import is_small
from ..keyboard import tab_leaves
from ..models.history import DiffModel, HistoryModel
from .document_pane import DocumentPane

if TYPE_CHECKING:
    from .workspace import LedgerWorkspace


#: revisions of at most this many nodes each are compared on the GUI thread (a few ms)
DIFF_NOW_NODES = 5_000


def revision_label(rev: Any) -> str:
    state = "" if rev.kind == "data" else f" ({rev.kind})"
    return f"v{rev.version}{state} · block {rev.address.seq}"


class HistoryView(QWidget):
    def __init__(self, workspace: LedgerWorkspace, doc_id: str) -> None:
        super().__init__()
        self.setObjectName("historyView")
        self.setWindowIcon(icon("history"))
        self.workspace = workspace
        self.doc_id = doc_id

        self.heading = QLabel(f"<b>Document {doc_id}</b>")
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model = HistoryModel(self)
        self.timeline = QTableView()
        self.timeline.setObjectName("historyTimeline")
        self.timeline.setModel(self.model)
        self.timeline.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.timeline.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.timeline.verticalHeader().hide()
        self.timeline.horizontalHeader().setStretchLastSection(True)
        self.timeline.selectionModel().selectionChanged.connect(self._selection_changed)
        self.timeline.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.timeline.customContextMenuRequested.connect(self._context_menu)
        tab_leaves(self.timeline)
        self.setFocusProxy(self.timeline)  # the view in front takes the focus (keyboard.py)

        self.old_combo = QComboBox()
        self.old_combo.setObjectName("diffOld")
        self.new_combo = QComboBox()
        self.new_combo.setObjectName("diffNew")
        self.old_combo.currentIndexChanged.connect(self._recompute)
        self.new_combo.currentIndexChanged.connect(self._recompute)
        self.go_block = QPushButton(icon("go-block"), "Go to block")
        self.go_block.setObjectName("historyGoBlock")
        self.go_block.clicked.connect(self._go_block)
        compare = QHBoxLayout()
        compare.addWidget(QLabel("Compare"))
        compare.addWidget(self.old_combo, 1)
        compare.addWidget(QLabel("with"))
        compare.addWidget(self.new_combo, 1)
        compare.addWidget(self.go_block)
        self.diff_model = DiffModel(self)
        self.diff_table = QTableView()
        self.diff_table.setObjectName("diffTable")
        self.diff_table.setModel(self.diff_model)
        self.diff_table.verticalHeader().hide()
        self.diff_table.setWordWrap(False)
        self.diff_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Interactive)
        self.diff_table.horizontalHeader().setStretchLastSection(True)
        tab_leaves(self.diff_table)
        self.diff_summary = ElidedLabel("")  # many changed paths must not widen the window
        #: (old row, new row, revisions generation) of the diff shown or being computed
        self._diffing: tuple[int, int, int] | None = None
        self._generation = 0
        self.diff_summary.setObjectName("diffSummary")
        diff_box = QWidget()
        diff_layout = QVBoxLayout(diff_box)
        diff_layout.setContentsMargins(0, 0, 0, 0)
        diff_layout.addLayout(compare)
        diff_layout.addWidget(self.diff_table, 1)
        diff_layout.addWidget(self.diff_summary)

        self.pane = DocumentPane()
        self.pane.history_button.hide()
        # a verification that fails names revisions: their rows and the pane are flagged
        marks = getattr(workspace, "tamper_marks", None)
        self.model.marks = self.pane.marks = marks
        if marks is not None:
            marks.changed.connect(self._marks_changed)
        self.pane.block_requested.connect(workspace.open_block)
        self.pane.prove_requested.connect(self.prove)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(self.pane)
        bottom.addWidget(diff_box)
        bottom.setSizes([420, 640])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.timeline)
        split.addWidget(bottom)
        split.setSizes([220, 480])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.heading)
        layout.addWidget(split, 1)
        self.load()

    def title(self) -> str:
        return f"History {self.doc_id[:8]}…"

    def _marks_changed(self) -> None:
        self.timeline.viewport().update()
        self.timeline.resizeColumnToContents(1)  # "revision ⚠ failed verification"
        self.pane.show_mark()

    def refresh(self) -> None:
        """After a write (workspace.changed): the document may have new revisions, or a
        redacted one; an open history went on showing the old ones."""
        self.load()

    def load(self) -> None:
        doc_id = self.doc_id
        # with the block that redacted each redacted revision (engine/redactions.py)
        task = self.workspace.session.read(
            lambda ledger, _p, _c: ledger.document_history(doc_id, with_redactions=True),
            "document history")
        task.succeeded.connect(self._loaded)
        task.failed.connect(lambda e: error_box(self, "Cannot read the history", e, task.details))

    def _loaded(self, revisions: list[Any]) -> None:
        before = len(self.model.revisions)
        kept = (self.old_combo.currentIndex(), self.new_combo.currentIndex())
        selected = self.timeline.currentIndex().row()
        self.model.set_revisions(revisions)
        self._generation += 1  # a diff shown or under way is of the old list
        self.timeline.resizeColumnsToContents()
        for combo in (self.old_combo, self.new_combo):
            combo.blockSignals(True)
            combo.clear()
            for rev in revisions:
                combo.addItem(revision_label(rev))
            combo.blockSignals(False)
        self.workspace.actions_changed.emit()  # Copy as… has revisions to copy now
        state = "deleted" if revisions and revisions[-1].kind == "deleted" else "current"
        self.heading.setText(f"<b>Document {self.doc_id}</b> — {len(revisions)} revision"
                             f"{'s' if len(revisions) != 1 else ''}, {state}")
        if not revisions:
            return
        last = len(revisions) - 1
        if before == len(revisions) and min(kept) >= 0 and 0 <= selected <= last:
            self.compare(*kept)  # nothing new: the user's comparison and row stay
        else:
            self.compare(max(0, last - 1), last)
            selected = last
        self.timeline.selectionModel().setCurrentIndex(
            self.model.index(selected, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect |
            QItemSelectionModel.SelectionFlag.Rows)

    def compare(self, old: int, new: int) -> None:
        """Diff revision `old` against revision `new` (row numbers in the timeline)."""
        for combo, row in ((self.old_combo, old), (self.new_combo, new)):
            combo.blockSignals(True)  # one diff for the pair, not one per combo box
            combo.setCurrentIndex(row)
            combo.blockSignals(False)
        self._recompute()

    def _data(self, row: int) -> Any:
        rev = self.model.revisions[row]
        return rev.data if rev.kind == "data" else None

    def _recompute(self, *_args: Any) -> None:
        revs = self.model.revisions
        a, b = self.old_combo.currentIndex(), self.new_combo.currentIndex()
        if not revs or a < 0 or b < 0:
            self._diffing = None
            self.diff_model.set_changes([])
            self.diff_summary.setText("")
            return
        if self._diffing == (a, b, self._generation):
            return  # this pair is shown, or being compared
        self._diffing = (a, b, self._generation)
        redacted = [revs[r] for r in (a, b) if revs[r].kind == "redacted"]
        if a == b or redacted:
            self._show_diff(a, b, [])
            return
        old, new = self._data(a), self._data(b)
        if is_small(old, DIFF_NOW_NODES) and is_small(new, DIFF_NOW_NODES):
            self._show_diff(a, b, diff_documents(old, new))
            return
        # a list of 10,000 items took 0.4 s to compare (three times over, once per combo box)
        self.diff_model.set_changes([])
        self.diff_summary.setText("comparing…")
        key = self._diffing
        deliver = gui_delivery.expect(self, lambda changes: self._diffing == key
                                      and self._show_diff(a, b, changes))
        threading.Thread(target=lambda: deliver(diff_documents(old, new)),
                         name="diff-revisions", daemon=True).start()

    def _show_diff(self, a: int, b: int, changes: list[Any]) -> None:
        revs = self.model.revisions
        redacted = [revs[r] for r in (a, b) if revs[r].kind == "redacted"]
        self.diff_model.set_changes(changes)
        self.diff_table.resizeColumnsToContents()
        for column, cap in ((0, 280), (2, 170), (3, 170)):
            self.diff_table.setColumnWidth(column, min(self.diff_table.columnWidth(column), cap))
        notes = []
        for row in (a, b):
            if revs[row].kind != "data":
                notes.append(f"v{revs[row].version} is {revs[row].kind}")
        if a == b:
            text = "same revision"
        elif redacted:
            where = "".join(f"; v{r.version} was redacted in block {r.redaction.seq}"
                            for r in redacted if r.redaction is not None)
            text = f"no comparison: a redacted revision's data is gone (its hash remains{where})"
        else:
            text = summary(changes)
        self.diff_summary.setText(text + (f" ({'; '.join(notes)})" if notes else ""))

    def _selection_changed(self, *_args: Any) -> None:
        rows = sorted({i.row() for i in self.timeline.selectionModel().selectedRows()})
        if not rows:
            return
        rev = self.model.revisions[rows[-1]]
        self.pane.show_revision(rev)
        if len(rows) >= 2:
            self.compare(rows[0], rows[-1])
        elif rows[0] > 0:
            self.compare(rows[0] - 1, rows[0])
        elif len(self.model.revisions) > 1:
            self.compare(0, 1)

    def prove(self, doc_id: str, seq: int) -> None:
        """Prove Against Digest…: the verification centre's Proof tab, filled in."""
        from ..verify.register import prove

        prove(self.workspace, seq, doc_id)

    def _context_menu(self, pos: QPoint) -> QMenu | None:
        """Prove Against Digest…, Go to Block, the redacting block of a redacted revision,
        then Copy as Ion, JSON, CSV."""
        row = self.timeline.indexAt(pos).row()
        if not 0 <= row < len(self.model.revisions):
            return None
        rev = self.model.revisions[row]
        seq = rev.address.seq
        menu = QMenu(self.timeline)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction(icon("verify"), "Prove Against Digest…",
                       lambda: self.prove(rev.doc_id, seq))
        menu.addAction(icon("go-block"), f"Go to Block {seq}",
                       lambda: self.workspace.open_block(seq))
        if rev.kind == "redacted" and rev.redaction is not None:
            by = rev.redaction.seq
            menu.addAction(icon("go-block"), f"Go to Redacting Block {by}",
                           lambda: self.workspace.open_block(by))
        menu.addSeparator()
        for fmt, label in (("ion", "Ion"), ("json", "JSON"), ("csv", "CSV")):
            menu.addAction(icon("copy"), f"Copy as {label}",
                           lambda f=fmt: self.copy_revisions(f))
        menu.popup(self.timeline.viewport().mapToGlobal(pos))
        return menu

    def _go_block(self) -> None:
        row = self.new_combo.currentIndex()
        if 0 <= row < len(self.model.revisions):
            self.workspace.open_block(self.model.revisions[row].address.seq)

    # -- copying (copying.py) ---------------------------------------------------------------
    def copy_revisions(self, fmt: str) -> str:
        """The selected revisions' data as Ion, JSON or CSV, as the documents grid copies a
        document; a deleted or redacted revision has no data to copy, and the message says."""
        revs = [self.model.revisions[r] for r in selected_rows(self.timeline)
                if r < len(self.model.revisions)]
        values = [rev.data for rev in revs if rev.kind == "data"]
        skipped = len(revs) - len(values)
        note = f" ({skipped} without data: deleted or redacted)" if skipped else ""
        return copy_values(self, values, fmt, None,
                           lambda m: self.workspace.show_message(m + note), "revision")

    def copy_grid(self, grid: QAbstractItemView) -> bool:
        if grid is not self.timeline:
            return False  # the diff table copies its cells
        self.copy_revisions("ion")
        return True

    def can_copy_rows(self) -> bool:
        return any(rev.kind == "data" for rev in self.model.revisions)

    def trigger(self, action_id: str) -> bool:
        if action_id in COPY_AS:
            self.copy_revisions(COPY_AS[action_id])
            return True
        if action_id == "refresh":
            self.load()
        return False
