"""Deleted Documents…: a table's documents whose latest revision is a DELETE, which the
browser (current documents only) cannot list; each opens its History or its DELETE's block."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from ..icons import icon
from ..ionfmt import ion_text
from ..keyboard import enter_activates, tab_leaves
from ..models.history import _RowsModel
from ..wording import count

if TYPE_CHECKING:
    from ..views.workspace import LedgerWorkspace


class DeletedModel(_RowsModel):
    HEADERS = ("Document id", "Deleted as version", "Block", "Deleted at")

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        d = self.row_at(index)
        if d is None or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (d.doc_id, str(d.version), str(d.block_seq),
                ion_text(d.deleted_at))[index.column()]


class DeletedDocumentsDialog(QDialog):
    """Not modal: several Histories can be opened from it while it stays open."""

    def __init__(self, workspace: LedgerWorkspace, table: Any) -> None:
        super().__init__(workspace)
        self.setObjectName("deletedDocumentsDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"Deleted Documents — {table.name}")
        self.workspace = workspace
        self.table = table
        self.summary = QLabel(f"Reading the deleted documents of {table.name}…")
        self.summary.setObjectName("deletedSummary")
        self.model = DeletedModel(self)
        self.grid = QTableView()
        self.grid.setObjectName("deletedGrid")
        self.grid.setModel(self.model)
        self.grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid.verticalHeader().hide()
        self.grid.horizontalHeader().setStretchLastSection(True)
        self.grid.doubleClicked.connect(lambda _i: self.open_history())
        enter_activates(self.grid, lambda _i: self.open_history())
        tab_leaves(self.grid)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.history_button = QPushButton(icon("history"), "Revision History")
        self.history_button.setObjectName("deletedHistory")
        self.history_button.clicked.connect(self.open_history)
        self.block_button = QPushButton(icon("go-block"), "Go to Block")
        self.block_button.setObjectName("deletedBlock")
        self.block_button.clicked.connect(self.open_block)
        for button in (self.history_button, self.block_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
            button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.grid, 1)
        layout.addWidget(buttons)
        self.resize(720, 380)
        table_id = table.table_id
        # on the workspace's read lane, as every browser read: never on the GUI thread
        self.task = workspace.session.read(
            lambda ledger, _p, _c: ledger.deleted_documents(table_id), "deleted documents")
        self.task.succeeded.connect(self._loaded)
        self.task.failed.connect(self._failed)
        # closed before the list arrived: stop the scan (O(the table's revisions)), which
        # would otherwise hold up the browser's reads queued behind it on the same lane
        self.finished.connect(self.task.cancel)

    def _loaded(self, deleted: list[Any]) -> None:
        self.model.set_rows(deleted)
        self.grid.resizeColumnsToContents()
        if deleted:
            self.summary.setText(f"{count(len(deleted), 'deleted document')} in "
                                 f"{self.table.name}, oldest delete first. Double-click one "
                                 "for its Revision History.")
            self.grid.selectRow(0)
        else:
            self.summary.setText(f"No document of {self.table.name} has been deleted.")
        for button in (self.history_button, self.block_button):
            button.setEnabled(bool(deleted))

    def _failed(self, error: BaseException) -> None:
        from .errors import describe

        self.summary.setText(f"Cannot read the deleted documents: {describe(error)}")

    def current(self) -> Any:
        return self.model.row_at(self.grid.currentIndex())

    def open_history(self) -> Any:
        d = self.current()
        return self.workspace.open_history(d.doc_id) if d is not None else None

    def open_block(self) -> Any:
        d = self.current()
        return self.workspace.open_block(d.block_seq) if d is not None else None
