"""One block of the journal: its fields, statements, revisions and hashes; previous/next."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..dialogs.errors import error_box
from ..icons import icon
from ..ionfmt import ion_text
from ..keyboard import tab_leaves
from ..models.records import CellFn, RecordsModel
from .document_pane import IonView, mono_font

if TYPE_CHECKING:
    from .workspace import LedgerWorkspace


def _hex(value: Any) -> str:
    return bytes(value).hex() if value is not None else ""


def _field(block: Any, name: str) -> Any:
    return block.get(name, None)


#: rows whose texts decide a column's width: not all 60,000 of a big block's revisions
WIDTH_SAMPLE_ROWS = 20


def _statement_cell(s: Any, column: int) -> str:
    if column == 0:
        return str(s["statement"]) if "statement" in s else ""
    if column == 1:
        return ion_text(s["startTime"]) if "startTime" in s else ""
    return _hex(s["statementDigest"]) if "statementDigest" in s else ""


def _revision_cell(r: Any, column: int) -> str:
    meta = r.get("metadata", None)
    if column == 0:
        return str(meta["id"]) if meta is not None and "id" in meta else ""
    if column == 1:
        return str(meta["version"]) if meta is not None and "version" in meta else ""
    if column == 2:
        return "data" if "data" in r else "redacted" if "dataHash" in r else \
            ("deleted" if meta is not None else "hash only")
    return _hex(r["hash"]) if "hash" in r else ""


def _entry_cell(entry: tuple[int, Any], column: int) -> str:
    return str(entry[0]) if column == 0 else _hex(entry[1])


class _Numbered(Sequence[tuple[int, Any]]):
    """(position, item) pairs of a list, made when asked for (the entries' "#" column)."""

    def __init__(self, items: Sequence[Any]) -> None:
        self._items = items

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [(j, self._items[j]) for j in range(*i.indices(len(self)))]
        return (i, self._items[i])


class _Cell:
    """What QTableWidget.item(row, column) gave its callers: a cell's text."""

    __slots__ = ("_text",)

    def __init__(self, text: str) -> None:
        self._text = text

    def text(self) -> str:
        return self._text


class RecordsTable(QTableView):
    """A block's statements, revisions or entry hashes over a RecordsModel: cells are made
    when shown. `rowCount()` and `item(row, column).text()` answer as the QTableWidget it
    replaced did, for the callers and tests that read the table that way."""

    def __init__(self, name: str, headers: list[str], cell: CellFn) -> None:
        super().__init__()
        self.setObjectName(name)
        self.records = RecordsModel(headers, cell, self)
        self.setModel(self.records)
        self.horizontalHeader().setStretchLastSection(True)
        self.verticalHeader().hide()
        self.horizontalHeader().setResizeContentsPrecision(WIDTH_SAMPLE_ROWS)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(False)
        tab_leaves(self)

    def set_records(self, records: Sequence[Any]) -> None:
        self.records.set_records(records)
        self.resizeColumnsToContents()

    def rowCount(self) -> int:
        return self.records.rowCount()

    def columnCount(self) -> int:
        return self.records.columnCount()

    def item(self, row: int, column: int) -> _Cell | None:
        if not (0 <= row < self.rowCount() and 0 <= column < self.columnCount()):
            return None
        return _Cell(self.records.text(row, column))

    def select_rows(self, rows: list[int]) -> None:
        """Select exactly `rows`, whole rows."""
        model, last = self.records, self.columnCount() - 1
        selection = QItemSelection()
        for row in rows:
            selection.select(model.index(row, 0), model.index(row, last))
        self.selectionModel().select(selection,
                                     QItemSelectionModel.SelectionFlag.ClearAndSelect)


class BlockInspector(QWidget):
    loaded = Signal(int)

    def __init__(self, workspace: LedgerWorkspace, _key: Any = None) -> None:
        super().__init__()
        self.setObjectName("blockInspector")
        self.setWindowIcon(icon("block"))
        self.workspace = workspace
        self.seq = -1
        self.block: Any = None
        self._task: Any = None

        self.prev_button = QPushButton(icon("previous"), "Previous")
        self.prev_button.setObjectName("blockPrevious")
        self.prev_button.setShortcut("Alt+Left")
        self.prev_button.clicked.connect(lambda: self.show_block(self.seq - 1))
        self.next_button = QPushButton(icon("next"), "Next")
        self.next_button.setObjectName("blockNext")
        self.next_button.setShortcut("Alt+Right")
        self.next_button.clicked.connect(lambda: self.show_block(self.seq + 1))
        self.spin = QSpinBox()
        self.spin.setObjectName("blockSeq")
        self.spin.setRange(0, max(0, workspace.block_count - 1))
        self.spin.setKeyboardTracking(False)
        self.spin.valueChanged.connect(self.show_block)
        self.of_label = QLabel("")
        nav = QHBoxLayout()
        nav.addWidget(self.prev_button)
        nav.addWidget(QLabel("Block"))
        nav.addWidget(self.spin)
        nav.addWidget(self.of_label)
        nav.addWidget(self.next_button)
        nav.addStretch(1)

        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, label in (("address", "Block address"), ("tx", "Transaction id"),
                           ("time", "Block timestamp"), ("blockHash", "Block hash"),
                           ("entriesHash", "Entries hash"),
                           ("previousBlockHash", "Previous block hash")):
            value = QLabel("")
            value.setObjectName(f"block_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if "Hash" in key or key == "address":
                value.setFont(mono_font())
            self.fields[key] = value
            form.addRow(label + ":", value)

        self.statements = RecordsTable("blockStatements", ["Statement", "Start time", "Digest"],
                                       _statement_cell)
        self.revisions = RecordsTable("blockRevisions", ["Document", "Version", "State", "Hash"],
                                      _revision_cell)
        self.entries = RecordsTable("blockEntries", ["#", "Entry hash"], _entry_cell)
        self.revisions.doubleClicked.connect(self._revision_activated)
        self.revisions.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.revisions.customContextMenuRequested.connect(self._revision_menu)
        self.ion = IonView()
        self.ion.context = getattr(workspace, "ctx", None)  # saving: settings, tools lane
        # Set by the verification report's "Open block": what failed here, shown above the
        # tabs, with the revisions it names selected once the block is loaded.
        self.failure_note = QLabel("")
        self.failure_note.setObjectName("blockFailure")
        self.failure_note.setWordWrap(True)
        self.failure_note.setStyleSheet("color: #d0453a; font-weight: bold;")
        self.failure_note.hide()
        self._marks: dict[int, tuple[str, list[int]]] = {}
        tabs = QTabWidget()
        self.tabs = tabs
        tabs.addTab(self.statements, "Statements")
        tabs.addTab(self.revisions, "Revisions")
        tabs.addTab(self.entries, "Entries hash list")
        tabs.addTab(self.ion, "Block as Ion")
        split = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        top.setLayout(form)
        split.addWidget(top)
        split.addWidget(tabs)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(nav)
        layout.addWidget(self.failure_note)
        layout.addWidget(split, 1)

    def title(self) -> str:
        return "Block inspector"

    def show_block(self, seq: int) -> None:
        count = self.workspace.block_count
        if count == 0:
            return
        seq = max(0, min(seq, count - 1))
        self.spin.setMaximum(count - 1)
        # The spin box holds the sequence number, which counts from 0: "Block 12 of 22" read
        # as 22 blocks when there are 23. Say the position and the count in ordinary numbers.
        self.of_label.setText(f"({seq + 1:,} of {count:,})")
        self.of_label.setToolTip(f"Block sequence numbers start at 0: block {seq:,} is block "
                                 f"{seq + 1:,} of the {count:,} in the journal.")
        if seq == self.seq and self.block is not None:
            return
        self.seq = seq
        self.spin.blockSignals(True)
        self.spin.setValue(seq)
        self.spin.blockSignals(False)
        self.prev_button.setEnabled(seq > 0)
        self.next_button.setEnabled(seq < count - 1)
        task = self.workspace.session.read(lambda ledger, _p, _c: ledger.block(seq), "block")
        self._task = task
        task.succeeded.connect(lambda block, t=task, s=seq: self._loaded(t, s, block))
        task.failed.connect(lambda e: error_box(self, f"Cannot read block {seq}", e,
                                                task.details))

    def _loaded(self, task: Any, seq: int, block: Any) -> None:
        if task is not self._task:
            return
        self.block = block
        self.fields["address"].setText(ion_text(_field(block, "blockAddress")))
        self.fields["tx"].setText(str(_field(block, "transactionId") or ""))
        ts = _field(block, "blockTimestamp")
        self.fields["time"].setText(ion_text(ts) if ts is not None else "")
        for key in ("blockHash", "entriesHash", "previousBlockHash"):
            self.fields[key].setText(_hex(_field(block, key)))
        info = _field(block, "transactionInfo")
        statements = info["statements"] if info is not None and "statements" in info else []
        # The block's own lists, as they are: cells are written when shown.
        self.statements.set_records(list(statements))
        self.revisions.set_records(list(_field(block, "revisions") or []))
        self.entries.set_records(_Numbered(list(_field(block, "entriesHashList") or [])))
        self.ion.set_value(block, label=f"block {seq}")
        self._show_mark(seq)
        self.loaded.emit(seq)

    def mark_failure(self, seq: int, text: str, revision_indexes: list[int]) -> None:
        """Say what verification found wrong in block `seq` and select the revisions it names
        (the report's "Open block" opened the inspector with no hint of either)."""
        self._marks[seq] = (text, list(revision_indexes))
        if seq == self.seq and self.block is not None:
            self._show_mark(seq)

    def _show_mark(self, seq: int) -> None:
        mark = self._marks.get(seq)
        self.failure_note.setVisible(mark is not None)
        if mark is None:
            return
        text, indexes = mark
        self.failure_note.setText(f"Verification failed here: {text}")
        rows = [i for i in indexes if 0 <= i < self.revisions.rowCount()]
        self.revisions.select_rows(rows)
        if rows:
            self.tabs.setCurrentWidget(self.revisions)
            self.revisions.scrollTo(self.revisions.records.index(rows[0], 0))

    def _revision_activated(self, index: QModelIndex) -> None:
        doc_id = self.revisions.records.text(index.row(), 0)
        if doc_id:
            self.workspace.open_history(doc_id)

    def _revision_menu(self, pos: QPoint) -> QMenu | None:
        """A revision's right-click menu: Prove Against Digest…, Revision History (neither
        for a hash-only system revision, which names no document)."""
        row = self.revisions.indexAt(pos).row()
        if row < 0:
            return None
        doc_id, seq = self.revisions.records.text(row, 0), self.seq
        menu = QMenu(self.revisions)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        act = menu.addAction(icon("verify"), "Prove Against Digest…",
                             lambda: self.prove_revision(doc_id, seq))
        act.setEnabled(bool(doc_id))
        act = menu.addAction(icon("history"), "Revision History",
                             lambda: self.workspace.open_history(doc_id))
        act.setEnabled(bool(doc_id))
        menu.popup(self.revisions.viewport().mapToGlobal(pos))
        return menu

    def prove_revision(self, doc_id: str, seq: int) -> None:
        """The verification centre's Proof tab with this revision filled in."""
        from ..verify.register import prove

        prove(self.workspace, seq, doc_id)

    def trigger(self, action_id: str) -> bool:
        if action_id == "refresh":
            self.block = None
            self.show_block(self.seq)
        return False
