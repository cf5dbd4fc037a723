"""The ledger browser: tables (active and dropped) with lazily counted documents, their
indexes, and the journal."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QHeaderView, QMenu, QTreeView, QVBoxLayout, QWidget

from ..icons import icon
from ..wording import count as count_of

KindRole = Qt.ItemDataRole.UserRole + 1
TableRole = Qt.ItemDataRole.UserRole + 2
# the context menu's items a read-only ledger keeps enabled ("": separators)
_READS = ("Open Documents", "Deleted Documents…", "Open Block Inspector", "")


class LedgerBrowser(QWidget):
    table_activated = Signal(object)      # TableInfo
    table_selected = Signal(object)       # TableInfo | None
    journal_activated = Signal()
    action_requested = Signal(str, object)  # action id, TableInfo | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ledgerBrowser")
        self.model = QStandardItemModel(0, 2, self)
        self.model.setHorizontalHeaderLabels(["Name", "Documents"])
        self.tree = QTreeView()
        self.tree.setObjectName("browserTree")
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        # a long name loses its middle, not its end (the tooltip has it whole): tables named
        # VehicleRegistration and VehicleRecall stay apart
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.tree.setEditTriggers(QTreeView.EditTrigger.NoEditTriggers)
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.activated.connect(self._activated)
        self.tree.selectionModel().currentChanged.connect(lambda cur, _prev: self.table_selected
                                                          .emit(self._table_at(cur)))
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        # the splitter never squeezes the names below ~13 characters (a narrow window gave
        # the browser its share of 260 px: "P…" and "V…")
        metrics = self.fontMetrics()
        self.setMinimumWidth(2 * self.tree.indentation() + 24 + 13 * metrics.averageCharWidth()
                             + metrics.horizontalAdvance("Documents") + 12)
        self._count_items: dict[str, QStandardItem] = {}
        self._blocks_item: QStandardItem | None = None  # the Journal row's block count
        self.tables: list[Any] = []
        #: the ledger cannot be written: its context menu's table changes are disabled
        self.read_only = False

    def set_catalog(self, tables: list[Any], block_count: int) -> None:
        selected = self.current_table()
        self.tables = list(tables)
        self.model.removeRows(0, self.model.rowCount())
        self._count_items.clear()
        active_root = self._group("Tables", "tables")
        dropped_root = self._group("Dropped tables", "dropped")
        for t in sorted(tables, key=lambda t: t.name.casefold()):
            root = active_root if t.status == "ACTIVE" else dropped_root
            name = QStandardItem(icon("table" if t.status == "ACTIVE" else "table-dropped"),
                                 t.name)
            name.setData("table", KindRole)
            name.setData(t, TableRole)
            name.setToolTip(f"{t.name} ({t.status.lower()}), id {t.table_id}")
            count = QStandardItem("…")
            count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self._count_items[t.table_id] = count
            for ix in t.indexes:
                ix_item = QStandardItem(icon("index"), f"index on {ix.field}")
                ix_item.setData("index", KindRole)
                ix_item.setData(t, TableRole)
                ix_item.setToolTip(f"{ix.expr} · {ix.status} · id {ix.index_id}")
                name.appendRow([ix_item, QStandardItem("")])
            root.appendRow([name, count])
        for root, title in ((active_root, "Tables"), (dropped_root, "Dropped tables")):
            root.setText(f"{title} ({root.rowCount()})")
        self.model.appendRow([active_root, QStandardItem("")])
        if dropped_root.rowCount():
            self.model.appendRow([dropped_root, QStandardItem("")])
        journal = QStandardItem(icon("journal"), "Journal")
        journal.setData("journal", KindRole)
        journal.setToolTip("Every block of the ledger; opens the block inspector")
        blocks = QStandardItem(count_of(block_count, 'block'))
        blocks.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.model.appendRow([journal, blocks])
        self._blocks_item = blocks
        self.tree.expand(active_root.index())
        if selected is not None:
            self.select_table(selected.table_id)

    def set_block_count(self, block_count: int) -> None:
        """A commit added a block (a SELECT too): the Journal row counts it at once, as the
        status line does, not at the next catalog reload."""
        if self._blocks_item is not None:
            self._blocks_item.setText(count_of(block_count, "block"))

    def _group(self, title: str, kind: str) -> QStandardItem:
        item = QStandardItem(title)
        item.setData(kind, KindRole)
        font = item.font()
        font.setBold(True)
        item.setFont(font)
        item.setSelectable(False)
        return item

    def set_count(self, table_id: str, count: int) -> None:
        item = self._count_items.get(table_id)
        if item is not None:
            item.setText(f"{count:,}")

    def _table_at(self, index: Any) -> Any:
        if not index.isValid():
            return None
        return self.model.itemFromIndex(index.siblingAtColumn(0)).data(TableRole)

    def current_table(self) -> Any:
        return self._table_at(self.tree.currentIndex())

    def select_table(self, table_id: str) -> bool:
        for r in range(self.model.rowCount()):
            root = self.model.item(r, 0)
            for i in range(root.rowCount()):
                t = root.child(i, 0).data(TableRole)
                if t is not None and t.table_id == table_id:
                    self.tree.setCurrentIndex(root.child(i, 0).index())
                    return True
        return False

    def _activated(self, index: Any) -> None:
        item = self.model.itemFromIndex(index.siblingAtColumn(0))
        kind = item.data(KindRole)
        if kind in ("table", "index"):
            self.table_activated.emit(item.data(TableRole))
        elif kind == "journal":
            self.journal_activated.emit()

    def _context_menu(self, pos: QPoint) -> None:
        menu = self.context_menu(self._table_at(self.tree.indexAt(pos)))
        menu.exec(self.tree.viewport().mapToGlobal(pos))

    def context_menu(self, table: Any) -> QMenu:
        """The menu of `table` (None: of the journal and the empty space)."""
        menu = QMenu(self)
        if table is not None:
            menu.addAction(icon("table"), "Open Documents",
                           lambda: self.table_activated.emit(table))
            # the documents grid lists current documents only: the deleted ones' histories
            menu.addAction(icon("history"), "Deleted Documents…",
                           lambda: self.action_requested.emit("deleted_documents", table))
            if table.status == "ACTIVE":
                menu.addAction(icon("add-index"), "Create Index…",
                               lambda: self.action_requested.emit("create_index", table))
                menu.addAction(icon("import"), "Import Files…",
                               lambda: self.action_requested.emit("import_files", table))
                menu.addSeparator()
                menu.addAction(icon("drop"), "Drop Table…",
                               lambda: self.action_requested.emit("drop_table", table))
            else:
                menu.addAction(icon("undrop"), "Undrop Table…",
                               lambda: self.action_requested.emit("undrop_table", table))
            menu.addSeparator()
        menu.addAction(icon("add-table"), "Create Table…",
                       lambda: self.action_requested.emit("create_table", None))
        menu.addAction(icon("journal"), "Open Block Inspector", self.journal_activated.emit)
        if self.read_only:
            from ..wording import READ_ONLY_NOTE

            menu.setToolTipsVisible(True)
            for action in menu.actions():
                if action.text() not in _READS:
                    action.setEnabled(False)
                    action.setToolTip(READ_ONLY_NOTE)
        return menu
