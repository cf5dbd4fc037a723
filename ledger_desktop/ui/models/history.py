"""Revision history of one document, and the field-level diff between two of its revisions."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from ...engine.diff import ADDED, CHANGED, REMOVED, RETYPED, Change
from ..ionfmt import cell_text, ion_text
from .fast_paint import OneCallPerCell

Index = QModelIndex | QPersistentModelIndex
RevisionRole = Qt.ItemDataRole.UserRole + 1
ChangeRole = Qt.ItemDataRole.UserRole + 1

KIND_LABEL = {"data": "", "deleted": "deleted", "redacted": "redacted"}


def _time(ts: Any) -> str:
    return ion_text(ts) if ts is not None else ""


class HistoryModel(OneCallPerCell, QAbstractTableModel):
    HEADERS = ("Version", "State", "Time", "Block", "Transaction", "Statements")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.revisions: list[Any] = []

    def set_revisions(self, revisions: list[Any]) -> None:
        self.beginResetModel()
        self.revisions = list(revisions)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.revisions)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.revisions)):
            return None
        rev = self.revisions[index.row()]
        if role == RevisionRole:
            return rev
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            col = index.column()
            if col == 0:
                return str(rev.version)
            if col == 1:
                return KIND_LABEL.get(rev.kind, rev.kind) or "revision"
            if col == 2:
                return _time(rev.tx_time)
            if col == 3:
                return str(rev.address.seq)
            if col == 4:
                return rev.tx_id
            text = "; ".join(rev.statements)
            return text if role == Qt.ItemDataRole.ToolTipRole else text.replace("\n", " ")
        if role == Qt.ItemDataRole.ForegroundRole and rev.kind != "data":
            return QColor("#c0392b") if rev.kind == "deleted" else QColor("#8e44ad")
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None


KIND_COLOURS = {ADDED: "#2e9d4f", REMOVED: "#c0392b", CHANGED: "#d68910", RETYPED: "#2f74d0"}
KIND_WORDS = {ADDED: "added", REMOVED: "removed", CHANGED: "changed", RETYPED: "type"}


class DiffModel(OneCallPerCell, QAbstractTableModel):
    HEADERS = ("Path", "Change", "Old", "New", "Types / note")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.changes: list[Change] = []

    def set_changes(self, changes: list[Change]) -> None:
        self.beginResetModel()
        self.changes = list(changes)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.changes)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.changes)):
            return None
        c = self.changes[index.row()]
        if role == ChangeRole:
            return c
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            col = index.column()
            if col == 0:
                return c.path_text
            if col == 1:
                return KIND_WORDS[c.kind]
            if col == 2:
                return "" if c.kind == ADDED else cell_text(c.old) if \
                    role == Qt.ItemDataRole.DisplayRole else ion_text(c.old, pretty=True)
            if col == 3:
                return "" if c.kind == REMOVED else cell_text(c.new) if \
                    role == Qt.ItemDataRole.DisplayRole else ion_text(c.new, pretty=True)
            types = c.old_type if c.old_type == c.new_type else \
                " → ".join(t for t in (c.old_type, c.new_type) if t)
            return ", ".join(t for t in (c.note, "" if c.note else types) if t)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 1:
            return QColor(KIND_COLOURS[c.kind])
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None
