"""A table over a list of Ion values already in memory (query results, import previews)."""

from __future__ import annotations

import threading
from typing import Any

from amazon.ion.core import IonType
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from ...engine.diff import ion_type, is_null
from ...engine.struct_columns import Column, column_label, struct_cell, struct_columns
from ..ionfmt import MISSING, cell, tooltip
from .background_sort import sort_rows
from .cell_style import STYLE_ROLES, roles_for, style
from .filters import sort_key

Index = QModelIndex | QPersistentModelIndex
ValueRole = Qt.ItemDataRole.UserRole + 2
RowValueRole = Qt.ItemDataRole.UserRole + 3
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)  # an int: naming the enum per role cost 0.6 us


Shape = tuple[bool, list[Column]]  # (every value a struct?, the columns of those structs)


def values_shape(values: list[Any]) -> Shape:
    """The grid's columns for `values`. Pure Python with no Qt: a worker computes it with the
    values (for 60,000 values it took 90 ms, too long for the GUI thread)."""
    struct_rows = all(ion_type(v) == IonType.STRUCT and not is_null(v) for v in values)
    # a name a struct repeats (SELECT r.VIN, v.VIN) gets a column per value: "VIN (2)"
    return struct_rows, struct_columns(values) if struct_rows else []


class ValuesModel(QAbstractTableModel):
    """Structs become rows with their top-level fields as columns; other values one column."""

    sorting_changed = Signal()  # `sorting` became True or False

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.values: list[Any] = []
        self.columns: list[str] = []                 # header labels
        self.field_names: list[str] = []             # the fields they show, each name once
        self._keys: list[tuple[str, int]] = []       # (field name, occurrence) per column
        self.row_labels: list[str] | None = None
        self._struct_rows = True
        self._generation = 0     # bumped by new values and by each sort: late orders are dropped
        self.sorting = False     # an order is being computed in a thread
        # set when the order being computed is no longer wanted: the sort thread reads it
        # (a lambda over `self` would have the thread hold the model)
        self._sort_superseded = threading.Event()

    def set_values(self, values: list[Any], row_labels: list[str] | None = None,
                   shape: Shape | None = None) -> None:
        """Show `values`; `shape` is their `values_shape`, when computed off the GUI thread."""
        self._generation += 1
        self._sort_superseded.set()
        was_sorting, self.sorting = self.sorting, False
        self.beginResetModel()
        self.values = list(values)
        self.row_labels = row_labels
        self._struct_rows, self._keys = shape if shape is not None else \
            values_shape(self.values)
        columns = [column_label(k) for k in self._keys] if self._struct_rows else ["value"]
        self.columns = columns if self.values else []
        self.field_names = list(dict.fromkeys(name for name, _ in self._keys))
        self.endResetModel()
        if was_sorting:
            self.sorting_changed.emit()

    def csv_columns(self) -> list[Column] | None:
        """The columns the grid shows, for CSV (None: the values are not all structs)."""
        return list(self._keys) if self._struct_rows else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.values)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def _cell(self, row: int, column: int) -> tuple[bool, Any]:
        v = self.values[row]
        if not self._struct_rows:
            return True, v
        return struct_cell(v, self._keys[column])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.values)):
            return None
        if role == RowValueRole:
            return self.values[index.row()]
        found, value = self._cell(index.row(), index.column())
        if role == ValueRole:
            return value
        if role == Qt.ItemDataRole.ToolTipRole:  # asked on hover only: Ion text may be written
            return tooltip(value, found)
        if role == Qt.ItemDataRole.DisplayRole or role in STYLE_ROLES:
            text, kind = cell(value) if found else ("", MISSING)
            return text if role == Qt.ItemDataRole.DisplayRole else style(kind, role)
        return None

    def multiData(self, index: Index, span: Any) -> None:  # noqa: N802 - Qt's name
        """A paint's roles for one cell in one Python call, the cell formatted once."""
        row = index.row()
        text, roles = "", None
        if index.isValid() and 0 <= row < len(self.values):
            found, value = self._cell(row, index.column())
            text, kind = cell(value) if found else ("", MISSING)
            roles = roles_for(kind)
        for item in span:
            # Every entry is written, None included: delegates reuse the span across cells.
            role = item.role()
            if roles is None:
                item.setData(None)
            elif role == _DISPLAY:
                item.setData(text)
            elif role in (ValueRole, RowValueRole):
                item.setData(self.data(index, role))
            else:
                item.setData(roles.get(role))  # a role no kind styles is None here too

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.columns[section] if 0 <= section < len(self.columns) else None
        if self.row_labels is not None and 0 <= section < len(self.row_labels):
            return self.row_labels[section]
        return section + 1

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Reorder the rows by `column`; many rows are ordered in a thread (background_sort)."""
        if not (0 <= column < len(self.columns)):
            return
        self._generation += 1
        self._sort_superseded.set()
        self._sort_superseded = threading.Event()
        gen, struct_rows, spec = self._generation, self._struct_rows, self._keys[column] \
            if self._struct_rows else None

        def key(value: Any) -> Any:
            if not struct_rows:
                return sort_key(value)
            found, cell = struct_cell(value, spec)
            return sort_key(cell if found else None)

        self.sorting = True
        self.sorting_changed.emit()
        sort_rows(self, self.values, key, order == Qt.SortOrder.DescendingOrder,
                  lambda keyed: self._reorder(gen, keyed),
                  stale=self._sort_superseded.is_set)

    def abandon_sort(self) -> None:
        """Tell a sort thread still at work that its order is not wanted (the view closes)."""
        self._sort_superseded.set()

    def _reorder(self, gen: int, keyed: list[int] | None) -> None:
        if gen != self._generation:
            return
        self.sorting = False
        if keyed is not None and len(keyed) == len(self.values):
            self.layoutAboutToBeChanged.emit()
            self.values = [self.values[i] for i in keyed]
            if self.row_labels is not None:
                self.row_labels = [self.row_labels[i] for i in keyed]
            # The selection and the current cell follow their value to its new row (they
            # stayed on the row number, showing another value).
            position = [0] * len(keyed)
            for new_row, old_row in enumerate(keyed):
                position[old_row] = new_row
            old = self.persistentIndexList()
            self.changePersistentIndexList(
                old, [self.index(position[i.row()], i.column()) for i in old])
            self.layoutChanged.emit()
        self.sorting_changed.emit()
