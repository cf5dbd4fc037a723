"""A read-only tree model over one Ion value: field, value, Ion type.

Lazy all the way down: a node's children are made when the view first asks for them, and a
cell's text is written only when the view asks for that cell. A container with more than
GROUP_ROWS members shows them in groups of that many ("[0 … 999]"), as debuggers do: a
60,000-revision block was 60,000 rows that QTreeView lays out again, in Python calls, every
time rows are added or expanded.
"""

from __future__ import annotations

from itertools import islice
from typing import Any

from amazon.ion.core import IonType
from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt

from ...engine.diff import is_null, type_name
from ...engine.ion_values import ion_type
from ..ionfmt import KINDS, MAX_CELL, NULL, OTHER, cell_text, children, is_container, tooltip
from .cell_style import style
from .fast_paint import OneCallPerCell

Index = QModelIndex | QPersistentModelIndex

GROUP_ROWS = 1_000      # members shown directly under a container, or per group
SUMMARY_FIELDS = 50     # a struct's cell names at most this many of its fields


class _Node:
    """A value (`span` None), or a group of its container's members [start, end)."""

    __slots__ = ("label", "value", "parent", "row", "span", "_kids", "_pairs")

    def __init__(self, label: str, value: Any, parent: _Node | None, row: int,
                 span: tuple[int, int] | None = None) -> None:
        self.label = label
        self.value = value
        self.parent = parent
        self.row = row
        self.span = span
        self._kids: list[_Node] | None = None
        self._pairs: list[tuple[str, Any]] | None = None  # a struct's (name, value) pairs

    @property
    def kids(self) -> list[_Node]:
        if self._kids is None:  # made on first use
            self._kids = self._make_kids()
        return self._kids

    def has_kids(self) -> bool:
        # Known without making them: a group has members, a container has them when not empty.
        return self.span is not None or is_container(self.value) and len(self.value) > 0

    def _make_kids(self) -> list[_Node]:
        if self.span is not None:
            assert self.parent is not None
            start, end = self.span
            return [self.parent._member(i, self, row) for row, i in enumerate(range(start, end))]
        total = self._total()
        if total <= GROUP_ROWS:
            return [self._member(i, self, i) for i in range(total)]
        spans = [(start, min(total, start + GROUP_ROWS)) for start in range(0, total, GROUP_ROWS)]
        return [_Node(self._group_label(*span), self.value, self, row, span)
                for row, span in enumerate(spans)]

    def _total(self) -> int:
        if not is_container(self.value):
            return 0
        if ion_type(self.value) != IonType.STRUCT:
            return len(self.value)  # lists are indexed in place: no pairs listed
        if self._pairs is None:
            self._pairs = children(self.value)
        return len(self._pairs)

    def _member(self, i: int, parent: _Node, row: int) -> _Node:
        """Member `i` of this container, as child `row` of `parent` (this node or a group)."""
        label, value = self._pairs[i] if self._pairs is not None else (f"[{i}]", self.value[i])
        return _Node(label, value, parent, row)

    def _group_label(self, start: int, end: int) -> str:
        if self._pairs is not None:
            return f"(fields {start + 1} … {end})"
        return f"[{start} … {end - 1}]"  # as its members' labels say: [59999]


def _value_text(value: Any) -> str:
    """The Value cell: a struct names its first fields only (cell_text lists all of them)."""
    if ion_type(value) == IonType.STRUCT and not is_null(value) and len(value) > SUMMARY_FIELDS:
        names = ", ".join(str(k) for k in islice(value, SUMMARY_FIELDS))
        return ("{" + names)[:MAX_CELL - 1] + "…"
    return cell_text(value)


def _root(value: Any, label: str) -> _Node:
    """The invisible root: one child, the value itself (none when there is no value)."""
    root = _Node("", None, None, 0)
    root._kids = [] if value is None else [_Node(label or "(document)", value, root, 0)]
    return root


class IonTreeModel(OneCallPerCell, QAbstractItemModel):
    HEADERS = ("Field", "Value", "Type")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._root = _root(None, "")

    def set_value(self, value: Any, label: str = "") -> None:
        self.beginResetModel()
        self._root = _root(value, label)
        self.endResetModel()

    def _node(self, index: Index) -> _Node:
        return index.internalPointer() if index.isValid() else self._root

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        # Checked here rather than with hasIndex(), which calls rowCount and columnCount back
        # in Python: QTreeView calls index() for every row it lays out.
        if parent.isValid() and parent.column() != 0:
            return QModelIndex()
        kids = self._node(parent).kids
        if not (0 <= row < len(kids) and 0 <= column < 3):
            return QModelIndex()
        return self.createIndex(row, column, kids[row])

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
        return bool(node.kids) if node is self._root else node.has_kids()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node: _Node = index.internalPointer()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if index.column() == 0:
                return node.label
            if node.span is not None:  # a group: its label says it all
                return f"{node.span[1] - node.span[0]:,} items" if index.column() == 1 else ""
            if index.column() == 1:
                # on hover only: the value's Ion text (cut short), where the cell summarises
                return _value_text(node.value) if role == Qt.ItemDataRole.DisplayRole else \
                    tooltip(node.value)
            return type_name(node.value)
        if role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole) and \
                index.column() == 1 and node.span is None:
            return style(KINDS.get(ion_type(node.value), OTHER) if not is_null(node.value)
                         else NULL, role)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < 3:
            return self.HEADERS[section]
        return None

    def value_at(self, index: Index) -> Any:
        return self._node(index).value if index.isValid() else None
