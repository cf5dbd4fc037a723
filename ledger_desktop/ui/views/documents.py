"""A table's current documents: a lazily fetched grid, a filter bar, and the document pane."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QStyle,
    QStyleOptionHeader,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..column_fit import ColumnFitter
from ..copying import COPY_AS, copy_values, row_menu, selected_rows
from ..dialogs.errors import error_box
from ..dialogs.statement import quote
from ..elided_label import ElidedLabel
from ..icons import icon
from ..keyboard import enter_activates, tab_leaves
from ..models.documents import META_COLUMNS, DocumentsModel
from ..models.filters import NO_VALUE, OP_TIPS, OPS, FieldFilter, parse_literal
from ..narrowing_buttons import NarrowingButtons
from .document_pane import DocumentPane

if TYPE_CHECKING:
    from .workspace import LedgerWorkspace

#: Tables larger than this are not sorted in the grid (it would hold every row in memory).
SORT_LIMIT = 100_000
#: the filter value's least width (px): a date or a name stays readable in a narrow window
VALUE_MIN_WIDTH = 120


def order_by_query(table: str, column: int, field: str) -> str:
    """The PartiQL that orders `table` as a click on its grid's `column` header (showing
    `field`) would: by document id (QLDB's BY clause), by version (the committed view's
    metadata), or by the field, quoted when it is not a plain name. `ORDER BY d` ordered by
    the whole document."""
    if column == 0:
        return f"SELECT * FROM {quote(table)} AS d BY id ORDER BY id"
    if column == 1:
        return f"SELECT * FROM {quote('_ql_committed_' + table)} AS c ORDER BY c.metadata.version"
    return f"SELECT * FROM {quote(table)} AS d ORDER BY d.{quote(field)}"


class RowNumbers(QHeaderView):
    """The grid's row numbers, sized by their digit count.

    Qt's own size hint measures the first and last hundred sections, asking the model for
    five roles of each: about 1,000 calls into Python after every insert. While a page reader
    holds the GIL each call waits for it, and loading 50,000 rows stalled the window for
    100-190 ms again and again. The widest number of n rows is as wide as n's digits."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.setSectionsClickable(True)   # as QTableView's own: a click selects the row,
        self.setHighlightSections(True)   # the current row's number is highlighted
        self._hint: tuple[tuple[int, str], QSize] | None = None

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        count = self.count()
        key = (len(str(count)) if count else 0, self.font().key())
        if self._hint is None or self._hint[0] != key:
            self._hint = (key, self._measure(key[0]) if count else QSize(0, 0))
        return self._hint[1]

    def _measure(self, digits: int) -> QSize:
        # as QHeaderView::sectionSizeFromContents measures a section: its font made bold
        option = QStyleOptionHeader()
        self.initStyleOption(option)
        font = QFont(self.font())
        font.setBold(True)
        metrics = QFontMetrics(font)
        option.fontMetrics = metrics
        widest = max("0123456789", key=metrics.horizontalAdvance)
        option.text = widest * digits
        return self.style().sizeFromContents(QStyle.ContentsType.CT_HeaderSection, option,
                                             QSize(), self)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.StyleChange:
            self._hint = None
        super().changeEvent(event)


@dataclass
class Place:
    """Where the user was in a grid that a commit reloads, put back once the rows are in."""

    sort: tuple[Any, Qt.SortOrder] | None  # (meta column number or field Column, order)
    current: str | None                    # the current document's id
    top: str | None                        # the id of the document at the top of the view
    rows: int                              # rows that were loaded
    sorted: bool = False                   # the sort was asked of the reloaded rows


class DocumentsView(QWidget):
    open_query = Signal(str)

    def __init__(self, workspace: LedgerWorkspace, table: Any) -> None:
        super().__init__()
        self.setObjectName(f"documentsView_{table.name}")
        self.setWindowIcon(icon("table" if table.status == "ACTIVE" else "table-dropped"))
        self.workspace = workspace
        self.table = table
        self.model = DocumentsModel(workspace.session, table.table_id, self)
        self.model.page_loaded.connect(self._update_status)
        # Copy as… needs rows: the first page lights it (update_actions is a few setEnabled)
        self.model.page_loaded.connect(lambda *_a: workspace.actions_changed.emit())
        self.model.finished_loading.connect(self._update_status)
        self.model.sorting_changed.connect(self._update_status)
        self.model.load_failed.connect(lambda e: error_box(self, "Cannot read documents", e))
        self.model.page_loaded.connect(self._fit_columns)
        self.model.modelReset.connect(lambda: self._fitter.reset())
        self.model.modelReset.connect(self._order_dropped)
        self.total: int | None = None

        self.field = QComboBox()
        self.field.setObjectName("filterField")
        self.field.setEditable(True)
        self.field.setMinimumWidth(120)
        # wide enough for the table's longest field name (PendingPenaltyTicketAmount), capped
        self.field.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.field.setMaximumWidth(300)
        self.field.lineEdit().setPlaceholderText("field or path")
        self.op = QComboBox()
        self.op.setObjectName("filterOp")
        self.op.addItems(OPS)
        for i, op in enumerate(OPS):
            if op in OP_TIPS:
                self.op.setItemData(i, OP_TIPS[op], Qt.ItemDataRole.ToolTipRole)
        self.op.currentTextChanged.connect(self._op_changed)
        self.op.setMinimumWidth(self.op.sizeHint().width())  # "is not null" is never cut
        self.value = QLineEdit()
        self.value.setObjectName("filterValue")
        self.value.setPlaceholderText("value (Ion: 42, 1.50, 2024-01-01T, \"text\")")
        self.value.returnPressed.connect(self.apply_filter)
        # room for a date or a name to be read: in a narrow window the buttons give way
        self.value.setMinimumWidth(max(VALUE_MIN_WIDTH, 16 * self.fontMetrics().averageCharWidth()))
        apply = QPushButton(icon("filter"), "Filter")
        apply.setObjectName("filterApply")
        apply.clicked.connect(self.apply_filter)
        clear = QPushButton(icon("cancel"), "Clear")
        clear.setObjectName("filterClear")
        clear.setToolTip("Show every document again")
        clear.clicked.connect(self.clear_filter)
        self.as_query = QPushButton(icon("query"), "Open as PartiQL")
        self.as_query.setObjectName("filterAsQuery")
        self.as_query.setToolTip("Open the filter as a PartiQL SELECT in the editor")
        self.as_query.clicked.connect(self._open_as_query)
        bar = QHBoxLayout()
        bar.setSpacing(6)
        self._bar = bar
        self._bar_fixed = [QLabel("Filter:"), self.field, self.op, self.value]
        for widget in self._bar_fixed:
            bar.addWidget(widget, 1 if widget is self.value else 0)
        self.bar_buttons = NarrowingButtons([apply, clear, self.as_query])
        for button in self.bar_buttons.buttons:
            bar.addWidget(button)

        self.grid = QTableView()
        self.grid.setObjectName("documentsGrid")
        self.grid.setVerticalHeader(RowNumbers(self.grid))
        self.grid.setModel(self.model)
        # Sorting goes through _sort_clicked (it may need every row loaded first), so the
        # view's own sorting stays off: enabling it would sort, and load, at once.
        self.grid.horizontalHeader().setSectionsClickable(True)
        self.grid.horizontalHeader().setSortIndicatorShown(False)
        self.grid.horizontalHeader().sectionClicked.connect(self._sort_clicked)
        self.grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.grid.setAlternatingRowColors(True)
        self.grid.setWordWrap(False)
        self.grid.horizontalHeader().setResizeContentsPrecision(64)  # sample, don't scan rows
        self._fitter = ColumnFitter(self.grid, 240)
        self.grid.verticalHeader().setDefaultSectionSize(
            self.grid.fontMetrics().height() + 8)
        self.grid.verticalHeader().setSectionResizeMode(
            self.grid.verticalHeader().ResizeMode.Fixed)
        self.grid.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.grid.customContextMenuRequested.connect(self._context_menu)
        self.grid.selectionModel().currentRowChanged.connect(self._row_changed)
        self.grid.doubleClicked.connect(lambda _i: self.show_history())
        enter_activates(self.grid, lambda _i: self.show_history())
        tab_leaves(self.grid)
        self.setFocusProxy(self.grid)  # the view in front takes the focus (keyboard.py)

        self.pane = DocumentPane()
        self.pane.history_requested.connect(lambda doc_id: workspace.open_history(doc_id))
        # a verification that fails names revisions: their rows and the pane are flagged
        marks = getattr(workspace, "tamper_marks", None)
        self.model.marks = self.pane.marks = marks
        if marks is not None:
            marks.changed.connect(self._marks_changed)
        self.pane.block_requested.connect(workspace.open_block)
        self.pane.prove_requested.connect(self._prove)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.grid)
        self.splitter.addWidget(self.pane)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([700, 440])

        self.status = ElidedLabel("Loading…")  # a long filter must not widen the window
        self.status.setObjectName("documentsStatus")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.splitter, 1)
        # the grid lists current documents only; a deleted one's history is one click away
        self.show_deleted = QLabel('<a href="deleted">Show deleted…</a>')
        self.show_deleted.setObjectName("showDeleted")
        self.show_deleted.setToolTip(f"The deleted documents of {table.name}, to open their "
                                     "Revision History")
        self.show_deleted.linkActivated.connect(
            lambda _link: workspace.show_deleted_documents(self.table))
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.show_deleted)
        layout.addLayout(status_row)
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._detail_task: Any = None
        # After a commit's reload: where to go back to. Followed from a zero timer, never from
        # inside the model's page handler (a fetch there could ask for a page twice).
        self._place: Place | None = None
        self._place_timer = QTimer(self)
        self._place_timer.setSingleShot(True)
        self._place_timer.setInterval(0)
        self._place_timer.timeout.connect(self._follow_place)
        for signal in (self.model.page_loaded, self.model.finished_loading,
                       self.model.sorting_changed, self.model.load_failed):
            signal.connect(self._follow_place_soon)
        self.model.fetchMore()
        self.total = workspace.counts.get(table.table_id)

    def title(self) -> str:
        return self.table.name + ("" if self.table.status == "ACTIVE" else " (dropped)")

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_bar()

    def _fit_bar(self) -> None:
        """The filter buttons drop their text when the bar could not hold it and still give
        the field, operator and value their minimum widths."""
        margins = self.layout().contentsMargins() if self.layout() is not None else None
        taken = (margins.left() + margins.right() if margins is not None else 0) \
            + sum(w.minimumWidth() or w.minimumSizeHint().width() for w in self._bar_fixed) \
            + self._bar.spacing() * (len(self._bar_fixed) + len(self.bar_buttons.buttons) - 1)
        self.bar_buttons.fit(self.width() - taken)

    # -- status -----------------------------------------------------------------------------
    def set_total(self, n: int) -> None:
        """The table's document count (counted once per reload by the workspace)."""
        self.total = n
        self._update_status()

    def _update_status(self, *_args: Any) -> None:
        loaded = self.model.fetched  # a bulk load inserts its rows a batch at a time
        total = f"{self.total:,}" if self.total is not None else "…"
        if self.model.filter is not None:
            text = (f"{loaded:,} matching of {self.model.scanned:,} scanned ({total} documents)"
                    f"  ·  filter: {self.model.filter.partiql(self.table.name)}")
        else:
            text = f"{loaded:,} of {total} documents loaded"
        if self.model.loading:
            text += "  ·  loading…"
        elif self.model.sorting:
            text += "  ·  sorting…"
        self.status.setText(text)
        fields = self.model.fields
        if self.field.count() != len(fields):
            current = self.field.currentText()
            self.field.blockSignals(True)
            self.field.clear()
            self.field.addItems(fields)
            self.field.setEditText(current)
            self.field.blockSignals(False)

    def _fit_columns(self, *_args: Any) -> None:
        """Size each column to its content once (rows of the first page that holds it), a
        slice at a time: documents of 2,000 fields held the window 1.9 s."""
        self._fitter.fit(self.model.columnCount())

    # -- filter and sort --------------------------------------------------------------------
    def current_filter(self) -> FieldFilter | None:
        field = self.field.currentText().strip()
        if not field:
            return None
        op = self.op.currentText()
        value = None if op in NO_VALUE else parse_literal(self.value.text())
        return FieldFilter(field, op, value)

    def _op_changed(self, op: str) -> None:
        """An operator that takes no value greys the value out (what it holds is ignored)."""
        self.value.setEnabled(op not in NO_VALUE)

    def apply_filter(self) -> None:
        try:
            flt = self.current_filter()
        except ValueError as e:
            error_box(self, "Filter", e)
            return
        if flt is not None and flt.op != self.op.currentText():
            # `= null` became `is null`: the bar shows what is applied
            self.op.setCurrentText(flt.op)
            self.value.clear()
        self._place = None
        self.pane.clear()
        self.model.set_filter(flt)
        self.model.fetchMore()
        self._update_status()

    def clear_filter(self) -> None:
        self._place = None
        self.value.clear()
        self.field.setEditText("")
        self.pane.clear()
        self.model.set_filter(None)
        self.model.fetchMore()
        self._update_status()

    def _open_as_query(self) -> None:
        try:
            flt = self.current_filter()
        except ValueError as e:
            error_box(self, "Filter", e)
            return
        self.workspace.open_query_text(flt.partiql(self.table.name) if flt is not None
                                       else f"SELECT * FROM {quote(self.table.name)}")

    def _sort_clicked(self, column: int) -> None:
        if not self.model.exhausted and (self.total or 0) > SORT_LIMIT:
            # Sorting needs every row in memory; for a big table, ORDER BY is the right tool.
            # It opens in an unused PartiQL tab: text in the editor, or its open transaction,
            # is never replaced.
            self.workspace.show_message(
                f"{self.total:,} documents are too many to sort in the grid; "
                f"opened an ORDER BY query instead")
            self.workspace.open_query_text(order_by_query(
                self.table.name, column, self.model.column_name(column)))
            return
        self._place = None  # the user's own sort replaces the one being put back
        if column == self._sort_column:
            order = Qt.SortOrder.DescendingOrder if \
                self._sort_order == Qt.SortOrder.AscendingOrder else Qt.SortOrder.AscendingOrder
        else:
            order = Qt.SortOrder.AscendingOrder
        self._sort_by(column, order)

    def _sort_by(self, column: int, order: Qt.SortOrder) -> None:
        self._sort_column, self._sort_order = column, order
        self.grid.horizontalHeader().setSortIndicatorShown(True)
        self.grid.horizontalHeader().setSortIndicator(column, order)
        self.model.sort(column, order)
        self._update_status()

    def _order_dropped(self) -> None:
        """F5 or a filter reloads the rows in id order: the header stops showing the old sort
        (its arrow stayed, and the next click on that column sorted descending first)."""
        self._sort_column, self._sort_order = -1, Qt.SortOrder.AscendingOrder
        header = self.grid.horizontalHeader()
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setSortIndicatorShown(False)

    # -- selection --------------------------------------------------------------------------
    def _marks_changed(self) -> None:
        self.grid.viewport().update()
        self.pane.show_mark()

    def selected_documents(self) -> list[Any]:
        return [self.model.document(r) for r in selected_rows(self.grid)]

    def _row_changed(self, current: Any, _previous: Any) -> None:
        if not current.isValid():
            self.pane.clear()
            return
        doc = self.model.document(current.row())
        self.pane.show_document(doc, self.workspace.strand_id)
        doc_id = doc.doc_id
        task = self.workspace.session.read(lambda ledger, _p, _c: ledger.document(doc_id),
                                           "document metadata")
        self._detail_task = task
        task.succeeded.connect(lambda full, t=task: self._details(t, full))

    def _details(self, task: Any, full: Any) -> None:
        if task is self._detail_task and full is not None and self.pane.doc_id == full.doc_id:
            self.pane.show_document(full, self.workspace.strand_id)

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.grid.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect |
            QItemSelectionModel.SelectionFlag.Rows)

    def show_history(self) -> None:
        docs = self.selected_documents()
        if docs:
            self.workspace.open_history(docs[0].doc_id)

    # -- copy -------------------------------------------------------------------------------
    def copy(self, fmt: str) -> str:
        """The selected documents' data on the clipboard as Ion, JSON or CSV (copying.py)."""
        values = [d.data for d in self.selected_documents()]
        return copy_values(self, values, fmt, self.model.columns_, self.workspace.show_message,
                           "document")

    # the copy protocol (copying.py)
    def copy_grid(self, grid: QAbstractItemView) -> bool:
        if grid is not self.grid:
            return False
        self.copy("ion")
        return True

    def can_copy_rows(self) -> bool:
        return self.model.rowCount() > 0

    def _prove(self, doc_id: str, seq: int) -> None:
        """Prove Against Digest… (the pane): the verification centre's Proof tab, filled in."""
        from ..verify.register import prove

        prove(self.workspace, seq, doc_id)

    def _context_menu(self, pos: QPoint) -> QMenu:
        return row_menu(self.grid, pos, self.copy, self.show_history,
                        lambda: self.pane.block_seq is not None and
                        self.workspace.open_block(self.pane.block_seq))

    # -- workspace protocol -----------------------------------------------------------------
    def trigger(self, action_id: str) -> bool:
        if action_id in COPY_AS:
            self.copy(COPY_AS[action_id])
            return True
        if action_id == "show_history":
            self.show_history()
            return True
        if action_id == "find":
            self.field.setFocus()
            return True
        if action_id == "refresh":
            self.refresh()
            return False  # the workspace reloads the catalog too
        return False

    def refresh(self) -> None:
        """F5: the rows again from the first page, in id order."""
        self._place = None
        self.pane.clear()
        self.model.reset(keep_filter=True)
        self.model.fetchMore()
        # The new count arrives with the workspace's reload (set_total).

    def refresh_after_write(self) -> None:
        """After a commit: the rows again, then the sort, the current document and the scroll
        position as they were (a reload used to drop all three, and a sort of 50,000 rows
        takes seconds to redo by hand)."""
        place = self._place or self._where()  # a reload mid-way keeps the first place
        self.refresh()
        place.sorted = False
        self._place = place
        if place.sort is not None:
            self.model.fetch_all()  # a sort needs every row

    def _where(self) -> Place:
        sort = None
        if self._sort_column >= 0:
            meta = len(META_COLUMNS)
            column = self._sort_column if self._sort_column < meta else \
                self.model.columns_[self._sort_column - meta]
            sort = (column, self._sort_order)
        return Place(sort, self._doc_id_at(self.grid.currentIndex().row()),
                     self._doc_id_at(self.grid.rowAt(0)), self.model.rowCount())

    def _doc_id_at(self, row: int) -> str | None:
        return self.model.document(row).doc_id if 0 <= row < self.model.rowCount() else None

    def _row_of(self, doc_id: str | None) -> int:
        if doc_id is not None:
            for row, doc in enumerate(self.model.rows):
                if doc.doc_id == doc_id:
                    return row
        return -1

    def _follow_place_soon(self, *_args: Any) -> None:
        if self._place is not None:
            self._place_timer.start()

    def _follow_place(self) -> None:
        """One step towards the place: wait for pages (fetching as many as there were), sort
        as before, then select and scroll."""
        place, model = self._place, self.model
        if place is None or model.loading or model.sorting:
            return
        if place.sort is not None and not place.sorted:
            if not model.exhausted:
                return  # fetch_all goes on by itself
            spec, order = place.sort
            place.sorted = True
            column = self._column_of(spec)
            if column >= 0:
                self._sort_by(column, order)  # sorting_changed brings us back here
                return
        if model.rowCount() < place.rows and not model.exhausted:
            model.fetch_rows(place.rows)  # in a few large inserts, not one per page
            return
        self._place = None
        self._put_back(place)

    def _column_of(self, spec: Any) -> int:
        if isinstance(spec, int):
            return spec
        columns = self.model.columns_
        return len(META_COLUMNS) + columns.index(spec) if spec in columns else -1

    def _put_back(self, place: Place) -> None:
        # A hidden grid (the editor's tab is current) lays its rows out only when shown: its
        # scroll range still fits the first page, and scrolling further would stop there.
        self.grid.updateGeometries()
        top = self._row_of(place.top)
        if top >= 0:
            self.grid.scrollTo(self.model.index(top, 0),
                               QAbstractItemView.ScrollHint.PositionAtTop)
        current = self._row_of(place.current)
        if current >= 0:
            self.select_row(current)  # scrolls only if the row moved out of sight

    def shutdown(self) -> None:
        self._place = None
        self._place_timer.stop()
        self.model.cancel()
