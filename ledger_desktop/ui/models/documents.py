"""The documents grid model: current documents of one table, fetched page by page.

Rows are never loaded on the GUI thread. `fetchMore` asks the session's reader lane for the
next keyset page (`Ledger.documents(table_id, after_id, limit)`) and returns at once; the
rows are inserted when the page arrives. Columns are the top-level fields seen so far.

A load of many pages in a row inserts their rows together: every row for a sort once all are
read, as many as a reloaded grid showed `BULK_ROWS` at a time. Each insert has the view lay
out and repaint, hundreds of calls into Python that each wait for the GIL the page reader
holds: a 50,000-row load inserted page by page stalled the window 100-190 ms 55 times.
"""

from __future__ import annotations

import html
import threading
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from ...engine.diff import ion_type, is_null
from ...engine.struct_columns import Column, column_label, struct_cell, struct_columns
from ...workers.session import LedgerSession
from ..ionfmt import MISSING, OTHER, cell, tooltip
from .background_sort import release_in_thread, sort_rows
from .cell_style import STYLE_ROLES, TAMPERED_BACKGROUND, roles_for, style
from .filters import FieldFilter, sort_key

Index = QModelIndex | QPersistentModelIndex
PAGE = 500
#: While a reload's pages follow one another, their rows are inserted this many at a time.
BULK_ROWS = 10_000
META_COLUMNS = ("id", "version")
META_TIPS = ("metadata.id: the document id the ledger assigned (not a field of the document)",
             "metadata.version: the revision number, 0 for the inserted one")
DocumentRole = Qt.ItemDataRole.UserRole + 1
ValueRole = Qt.ItemDataRole.UserRole + 2
_PAINT = frozenset({Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.BackgroundRole,
                    *STYLE_ROLES})
_ROLES = frozenset({Qt.ItemDataRole.ToolTipRole, DocumentRole, ValueRole, *_PAINT})
_NO_ROLES: dict[int, Any] = {}
# ints: naming the enum (Qt.ItemDataRole.DisplayRole) for each role of each cell cost 0.6 us
_DISPLAY, _BACKGROUND = int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.BackgroundRole)


def fetch_page(ledger: Any, table_id: str, after: str, want: int, flt: FieldFilter | None,
               cancel: Any) -> tuple[list[Any], str, bool, int]:
    """Up to `want` matching documents after document id `after`: (docs, last id scanned,
    end?, scanned)."""
    out: list[Any] = []
    scanned = 0
    while len(out) < want:
        cancel.check()
        page = ledger.documents(table_id, after_id=after, limit=PAGE)
        if not page:
            return out, after, True, scanned
        scanned += len(page)
        after = page[-1].doc_id
        out.extend(d for d in page if flt is None or flt.matches(d.data))
        if len(page) < PAGE:
            return out, after, True, scanned
    return out, after, False, scanned


def page_shape(docs: list[Any]) -> tuple[list[Column], set[str]]:
    """A page's columns (first-seen order) and a sample of its nested paths; run with the
    read, off the GUI thread (it walks every field of every document)."""
    columns = struct_columns([d.data for d in docs
                              if ion_type(d.data).name == "STRUCT" and not is_null(d.data)])
    paths: set[str] = set()
    for d in docs[:50]:  # nested paths (for completion) from a sample of each page
        _collect_paths(d.data, "", paths, 3)
    return columns, paths


def _collect_paths(value: Any, prefix: str, out: set[str], depth: int) -> None:
    # a null.struct is typed STRUCT but has no fields (iterating it raised TypeError)
    if depth == 0 or ion_type(value).name != "STRUCT" or is_null(value) or len(out) > 2000:
        return
    for key in value:
        path = f"{prefix}.{key}" if prefix else str(key)
        out.add(path)
        _collect_paths(value[key], path, out, depth - 1)


class DocumentsModel(QAbstractTableModel):
    page_loaded = Signal(int)         # rows added (0 while a bulk load holds them back)
    load_failed = Signal(object)      # exception
    finished_loading = Signal()       # every (matching) document is in the model
    sorting_changed = Signal()        # `sorting` became True or False

    def __init__(self, session: LedgerSession, table_id: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.session = session
        self.table_id = table_id
        self.rows: list[Any] = []
        self.fields: list[str] = []               # top-level field names, each once
        self.columns_: list[Column] = []          # one per value: a repeated name gets two
        self.filter: FieldFilter | None = None
        self.scanned = 0
        self._after = ""
        self._exhausted = False
        # Fetched in a bulk load but not inserted yet, and the new columns they bring.
        self._pending: list[Any] = []
        self._pending_columns: list[Column] = []
        self._target = 0                          # fetch on until this many rows (a reload)
        self._task: Any = None
        self._generation = 0
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self.sorting = False                      # an order is being computed in a thread
        self._sort_generation = 0                 # bumped by each sort: late orders are dropped
        # set when the order being computed is no longer wanted: the sort thread reads it
        # (a lambda over `self` would have the thread hold the model)
        self._sort_superseded = threading.Event()
        self._cells: dict[int, list[tuple[str, int]]] = {}
        #: the workspace's failing revisions (verify/tamper_marks.py), if it keeps them
        self.marks: Any = None
        self._grey: Any = None
        self.paths: set[str] = set()  # dotted field paths seen, e.g. Owners.PrimaryOwner

    # -- shape ------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(META_COLUMNS) + len(self.columns_)

    def column_name(self, column: int) -> str:
        """The field a column shows (a repeated name's second column shows the same field)."""
        return META_COLUMNS[column] if column < len(META_COLUMNS) else \
            self.columns_[column - len(META_COLUMNS)][0]

    def column_title(self, column: int) -> str:
        if column >= len(META_COLUMNS):
            return column_label(self.columns_[column - len(META_COLUMNS)])
        name = META_COLUMNS[column]
        # documents with a field of that name showed two "id" columns: which was which?
        return f"metadata.{name}" if (name, 0) in self.columns_ else name

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.ToolTipRole and horizontal:
            return META_TIPS[section] if 0 <= section < len(META_COLUMNS) else None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if horizontal:
            return self.column_title(section) if 0 <= section < self.columnCount() else None
        return section + 1

    def _value(self, doc: Any, column: int) -> tuple[bool, Any]:
        if column == 0:
            return True, doc.doc_id
        if column == 1:
            return True, doc.version
        data = doc.data
        if ion_type(data).name == "STRUCT" and not is_null(data):
            return struct_cell(data, self.columns_[column - len(META_COLUMNS)])
        return False, None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Views ask for a dozen roles per cell on every paint: answer the ones we use, fast.
        if role not in _ROLES or not index.isValid():
            return None
        row, column = index.row(), index.column()
        if not 0 <= row < len(self.rows):
            return None
        if role in _PAINT:
            return self._paint(row, column, role)
        doc = self.rows[row]
        if role == DocumentRole:
            return doc
        found, value = self._value(doc, column)
        if role == ValueRole:
            return value
        # ToolTipRole: asked on hover only, so the value's Ion text may be written here
        tip = tooltip(value, found) if column >= len(META_COLUMNS) else html.escape(str(value))
        note = self.marks.note(doc.doc_id, doc.version) if self.marks else None
        return tip if note is None else f"<b>⚠ Version {doc.version}: {html.escape(note)}</b>" \
            f"<br>{tip}"

    def multiData(self, index: Index, span: Any) -> None:  # noqa: N802 - Qt's name
        """All the roles a delegate wants for one cell in one Python call (instead of ~7).

        Each call into Python from a paint needs the GIL; while a worker runs Python that wait
        adds up, so a paint of the grid makes one call per visible cell, not one per role.
        """
        row, column = index.row(), index.column()
        ok = index.isValid() and 0 <= row < len(self.rows)
        text, roles, background = "", _NO_ROLES, None
        if ok:
            text, kind = self._row_cells(row)[column]
            # id and version are grey (the palette's placeholder colour)
            roles = {Qt.ItemDataRole.ForegroundRole: self._meta_colour()} \
                if column < len(META_COLUMNS) else roles_for(kind)
            if self.marks:
                background = self._paint(row, column, Qt.ItemDataRole.BackgroundRole)
        for item in span:
            # Every entry is written, None included: delegates reuse the span across cells.
            role = item.role()
            if not ok:
                item.setData(None)
            elif role == _DISPLAY:
                item.setData(text)
            elif role == _BACKGROUND:
                item.setData(background)
            elif role in _PAINT:
                item.setData(roles.get(role))
            else:
                item.setData(self.data(index, role) if role in _ROLES else None)

    def _paint(self, row: int, column: int, role: int) -> Any:
        """What a paint asks for, from the row's cached cells: text, and the colour, font and
        alignment of its kind of value; a revision the last verification failed is red."""
        if role == Qt.ItemDataRole.DisplayRole:
            return self._row_cells(row)[column][0]
        if role == Qt.ItemDataRole.BackgroundRole:
            if not self.marks:
                return None
            doc = self.rows[row]
            return TAMPERED_BACKGROUND if self.marks.note(doc.doc_id, doc.version) else None
        if column < len(META_COLUMNS):
            return self._meta_colour() if role == Qt.ItemDataRole.ForegroundRole else None
        return style(self._row_cells(row)[column][1], role)

    def _display(self, row: int, column: int) -> str:
        return self._row_cells(row)[column][0]

    def _row_cells(self, row: int) -> list[tuple[str, int]]:
        """A row's (text, kind) cells, formatted once per row (Ion text of values is not free)."""
        cells = self._cells.get(row)
        if cells is None or len(cells) != self.columnCount():
            doc = self.rows[row]
            cells = []
            for c in range(self.columnCount()):
                found, value = self._value(doc, c)
                cells.append(("", MISSING) if not found else
                             cell(value) if c >= len(META_COLUMNS) else (str(value), OTHER))
            self._cells[row] = cells
        return cells

    def _meta_colour(self) -> Any:
        if self._grey is None:
            from PySide6.QtGui import QPalette
            from PySide6.QtWidgets import QApplication

            self._grey = QApplication.palette().color(QPalette.ColorRole.PlaceholderText)
        return self._grey

    # -- lazy fetching ----------------------------------------------------------------------
    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted and self._task is None

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if not self.canFetchMore(parent):
            return
        self._request(PAGE)

    @property
    def loading(self) -> bool:
        return self._task is not None

    @property
    def exhausted(self) -> bool:
        return self._exhausted

    @property
    def fetched(self) -> int:
        """Rows read so far: the model's and those of a bulk load not inserted yet."""
        return len(self.rows) + len(self._pending)

    def _request(self, want: int) -> None:
        table_id, after, flt, gen = self.table_id, self._after, self.filter, self._generation

        def read(ledger: Any, _p: Any, cancel: Any) -> tuple[Any, ...]:
            page = fetch_page(ledger, table_id, after, want, flt, cancel)
            return (*page, *page_shape(page[0]))

        task = self.session.read(read, "fetch documents")
        self._task = task
        task.succeeded.connect(lambda result: self._arrived(gen, result))
        task.failed.connect(lambda exc: self._failed(gen, exc))
        task.cancelled.connect(lambda: self._failed(gen, None))

    def _failed(self, gen: int, exc: Any) -> None:
        if gen != self._generation:
            return
        self._task = None
        self._exhausted = True
        self._insert_pending()  # what was read stays shown
        if exc is not None:
            self.load_failed.emit(exc)

    def _arrived(self, gen: int, result: tuple[Any, ...]) -> None:
        if gen != self._generation:
            return
        docs, after, end, scanned, columns, paths = result
        self._task = None
        self._after = after
        self._exhausted = end
        self.scanned += scanned
        self._pending.extend(docs)
        known = set(self.columns_) | set(self._pending_columns)
        self._pending_columns.extend(c for c in columns if c not in known)
        if len(self.paths) <= 2000:
            self.paths |= paths
        # Sorting needs every row; a filter that matched nothing yet keeps scanning.
        more = not end and (self._sort is not None or self.fetched < self._target or
                            (not docs and self.filter is not None))
        added = 0
        # A sort reorders every row once they are all in: its rows wait for it. A reload
        # shows its rows a batch at a time.
        if not more or (self._sort is None and len(self._pending) >= BULK_ROWS):
            added = self._insert_pending()
        self.page_loaded.emit(added)
        if end:
            if self._sort is not None:
                self._apply_sort(*self._sort)
            self.finished_loading.emit()
        elif more:
            self._request(PAGE)

    def _insert_pending(self) -> int:
        """Insert the rows (and new columns) fetched so far: one insert for many pages."""
        docs, self._pending = self._pending, []
        new_columns, self._pending_columns = self._pending_columns, []
        if new_columns:
            first = self.columnCount()
            self.beginInsertColumns(QModelIndex(), first, first + len(new_columns) - 1)
            self.columns_.extend(new_columns)
            self.fields = list(dict.fromkeys(name for name, _ in self.columns_))
            self.endInsertColumns()
        if docs:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(docs) - 1)
            self.rows.extend(docs)
            self.endInsertRows()
        return len(docs)

    def set_filter(self, flt: FieldFilter | None) -> None:
        """Restart from the first page with a new filter (None shows every document)."""
        self.reset(flt)

    def reset(self, flt: FieldFilter | None = None, keep_filter: bool = False) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._generation += 1
        self._sort_superseded.set()
        self.beginResetModel()
        dropped, self.rows = self.rows, []
        dropped.extend(self._pending)
        release_in_thread(dropped)  # freeing 60,000 documents here took 90 ms
        self._pending = []
        self._pending_columns = []
        self._target = 0
        self.fields = []
        self.columns_ = []
        self._cells = {}
        if not keep_filter:
            self.filter = flt
        self._after = ""
        self.scanned = 0
        self._exhausted = False
        self._sort = None
        self.sorting = False
        self.endResetModel()

    def fetch_all(self) -> None:
        """Keep fetching pages until the table (or the filter's matches) is fully loaded."""
        self._sort = self._sort or (-1, Qt.SortOrder.AscendingOrder)
        if self._exhausted:
            self.finished_loading.emit()
        elif self._task is None:
            self._request(PAGE)

    def fetch_rows(self, rows: int) -> None:
        """Keep fetching pages until `rows` rows are in (or the table ends): a reloaded grid
        gets back the rows it showed, inserted in a few large batches."""
        self._target = rows
        if self.fetched < rows and not self._exhausted and self._task is None:
            self._request(PAGE)

    # -- sorting: needs every row, so it loads the rest first (off the GUI thread) ----------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column < 0 or column >= self.columnCount():
            return
        self._sort = (column, order)
        if self._exhausted:
            self._apply_sort(column, order)
        elif self._task is None:
            self._request(PAGE)

    def _apply_sort(self, column: int, order: Qt.SortOrder) -> None:
        """Reorder the rows by `column`; a large table is ordered in a thread (background_sort)
        and reordered when the order arrives, unless the rows changed meanwhile."""
        if column < 0:
            return
        # A newer sort (a second header click before this one's order arrived) replaces this
        # one: an order computed for rows another sort has since reordered would scramble them.
        self._sort_generation += 1
        self._sort_superseded.set()
        self._sort_superseded = threading.Event()
        gen = (self._generation, self._sort_generation)
        meta = len(META_COLUMNS)
        spec = self.columns_[column - meta] if column >= meta else None

        def key(doc: Any) -> Any:
            if spec is None:
                return sort_key(doc.doc_id if column == 0 else doc.version)
            data = doc.data
            if ion_type(data).name == "STRUCT" and not is_null(data):
                found, value = struct_cell(data, spec)
                return sort_key(value if found else None)
            return sort_key(None)

        self.sorting = True
        self.sorting_changed.emit()
        sort_rows(self, self.rows, key, order == Qt.SortOrder.DescendingOrder,
                  lambda keyed: self._reorder(gen, keyed),
                  stale=self._sort_superseded.is_set)

    def _reorder(self, gen: tuple[int, int], keyed: list[int] | None) -> None:
        if gen != (self._generation, self._sort_generation):
            return
        self.sorting = False
        if keyed is None or len(keyed) != len(self.rows):
            self.sorting_changed.emit()
            return
        self.layoutAboutToBeChanged.emit()
        old = self.rows
        self.rows = [old[i] for i in keyed]
        self._cells = {}
        position = {old_row: new_row for new_row, old_row in enumerate(keyed)}
        from_list, to_list = [], []
        for idx in self.persistentIndexList():
            if idx.row() in position:
                from_list.append(idx)
                to_list.append(self.index(position[idx.row()], idx.column()))
        self.changePersistentIndexList(from_list, to_list)
        self.layoutChanged.emit()
        self.sorting_changed.emit()

    def cancel(self) -> None:
        """Stop the page load and any sort thread still at work (the view closes)."""
        if self._task is not None:
            self._task.cancel()
        self._generation += 1  # a page still on its way is inserted into nothing
        release_in_thread(self._pending)  # a bulk load's rows not inserted yet
        self._pending = []
        self._sort_superseded.set()

    def document(self, row: int) -> Any:
        return self.rows[row]
