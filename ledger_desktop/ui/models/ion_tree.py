"""A read-only tree model over one Ion value: field, value, Ion type."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt

from ...engine.diff import type_name
from ..ionfmt import cell_text, children, is_container
from .fast_paint import OneCallPerCell

Index = QModelIndex | QPersistentModelIndex


class _Node:
    __slots__ = ("label", "value", "parent", "row", "_kids")

    def __init__(self, label: str, value: Any, parent: _Node | None, row: int) -> None:
        self.label = label
        self.value = value
        self.parent = parent
        self.row = row
        self._kids: list[_Node] | None = None

    @property
    def kids(self) -> list[_Node]:
        if self._kids is None:  # built on first expansion: huge documents stay cheap
            self._kids = [_Node(label, v, self, i) for i, (label, v) in
                          enumerate(children(self.value))] if is_container(self.value) else []
        return self._kids


class IonTreeModel(OneCallPerCell, QAbstractItemModel):
    HEADERS = ("Field", "Value", "Type")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._root = _Node("", None, None, 0)
        self._root._kids = []

    def set_value(self, value: Any, label: str = "") -> None:
        self.beginResetModel()
        self._root = _Node("", None, None, 0)
        self._root._kids = [] if value is None else [_Node(label or "(document)", value,
                                                           self._root, 0)]
        self.endResetModel()

    def _node(self, index: Index) -> _Node:
        return index.internalPointer() if index.isValid() else self._root

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        return self.createIndex(row, column, self._node(parent).kids[row])

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        node: _Node = index.internalPointer()
        if node.parent is None or node.parent is self._root:
            return QModelIndex()
        return self.createIndex(node.parent.row, 0, node.parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node(parent).kids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 3

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:
        if parent.isValid() and parent.column() != 0:
            return False
        node = self._node(parent)
        return node is self._root and bool(node.kids) or \
            (node is not self._root and is_container(node.value) and bool(node.kids))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node: _Node = index.internalPointer()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if index.column() == 0:
                return node.label
            if index.column() == 1:
                return cell_text(node.value)
            return type_name(node.value)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < 3:
            return self.HEADERS[section]
        return None

    def value_at(self, index: Index) -> Any:
        return self._node(index).value if index.isValid() else None
