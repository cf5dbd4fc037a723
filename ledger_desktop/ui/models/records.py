"""A read-only table over a list of records (a block's revisions, its entry hashes...).

The records are kept as they are and a cell's text is made only when a view asks for it: a
block of 60,000 revisions used to become 240,000 QTableWidgetItems (and their hex strings) on
the GUI thread before the inspector showed anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from .fast_paint import OneCallPerCell

Index = QModelIndex | QPersistentModelIndex
#: cell(record, column) -> the text shown
CellFn = Callable[[Any, int], str]


class RecordsModel(OneCallPerCell, QAbstractTableModel):
    def __init__(self, headers: Sequence[str], cell: CellFn, parent: Any = None) -> None:
        super().__init__(parent)
        self.headers = list(headers)
        self._cell = cell
        self.records: Sequence[Any] = ()

    def set_records(self, records: Sequence[Any]) -> None:
        self.beginResetModel()
        self.records = records
        self.endResetModel()

    def text(self, row: int, column: int) -> str:
        return self._cell(self.records[row], column)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.records)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole,
                                               Qt.ItemDataRole.ToolTipRole):
            return None
        return self.text(index.row(), index.column())

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.headers):
            return self.headers[section]
        return None
