"""Revision history of one document, and the field-level diff between two of its revisions."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from ...engine.diff import ADDED, CHANGED, REMOVED, RETYPED, Change
from ..ionfmt import cell_text, ion_text
from .cell_style import TAMPERED_BACKGROUND
from .fast_paint import OneCallPerCell

Index = QModelIndex | QPersistentModelIndex
RevisionRole = Qt.ItemDataRole.UserRole + 1
ChangeRole = Qt.ItemDataRole.UserRole + 1

KIND_LABEL = {"data": "", "deleted": "deleted", "redacted": "redacted"}


def _time(ts: Any) -> str:
    return ion_text(ts) if ts is not None else ""


class _RowsModel(OneCallPerCell, QAbstractTableModel):
    """A read-only table over a Python list of rows, with fixed column headers."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_at(self, index: Index) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        return self.rows[index.row()]

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None


class HistoryModel(_RowsModel):
    HEADERS = ("Version", "State", "Time", "Block", "Transaction", "Statements")

    @property
    def revisions(self) -> list[Any]:
        return self.rows

    def set_revisions(self, revisions: list[Any]) -> None:
        self.set_rows(revisions)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        #: the workspace's failing revisions (verify/tamper_marks.py), if it keeps them
        self.marks: Any = None

    def note(self, rev: Any) -> str | None:
        """What the last verification found wrong with `rev` (None: nothing)."""
        return self.marks.note(rev.doc_id, rev.version) if self.marks else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        rev = self.row_at(index)
        if rev is None:
            return None
        if role == RevisionRole:
            return rev
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            col = index.column()
            tip = role == Qt.ItemDataRole.ToolTipRole
            note = self.note(rev)
            if tip and note is not None:
                return f"FAILED VERIFICATION: {note}"
            if col == 0:
                return str(rev.version)
            if col == 1:
                state = KIND_LABEL.get(rev.kind, rev.kind) or "revision"
                redaction = getattr(rev, "redaction", None)
                if tip and redaction is not None:  # the pane below says it with a link
                    return (f"redacted in block {redaction.seq} (transaction "
                            f"{redaction.tx_id}): {redaction.statement()}")
                return state if note is None else f"{state} ⚠ failed verification"
            if col == 2:
                return _time(rev.tx_time)
            if col == 3:
                return str(rev.address.seq)
            if col == 4:
                return rev.tx_id
            text = "; ".join(rev.statements)
            return text if tip else text.replace("\n", " ")
        if role == Qt.ItemDataRole.BackgroundRole:
            return TAMPERED_BACKGROUND if self.note(rev) is not None else None
        if role == Qt.ItemDataRole.ForegroundRole and rev.kind != "data":
            return QColor("#c0392b") if rev.kind == "deleted" else QColor("#8e44ad")
        return None


KIND_COLOURS = {ADDED: "#2e9d4f", REMOVED: "#c0392b", CHANGED: "#d68910", RETYPED: "#2f74d0"}
KIND_WORDS = {ADDED: "added", REMOVED: "removed", CHANGED: "changed", RETYPED: "type"}


class DiffModel(_RowsModel):
    HEADERS = ("Path", "Change", "Old", "New", "Types / note")

    @property
    def changes(self) -> list[Change]:
        return self.rows

    def set_changes(self, changes: list[Change]) -> None:
        self.set_rows(changes)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        c = self.row_at(index)
        if c is None:
            return None
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
