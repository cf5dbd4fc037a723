"""One open ledger: the browser tree on the left and a tab area of views on the right.

Views are created through a registry of kinds ("documents", "history", "block", "query", and
whatever later features register, such as a chain view), so the workspace stays a shell.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QMouseEvent
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import Shiboken

from ...workers.session import LedgerSession, WriteSummary, can_write
from ..actions import WRITE_ACTIONS
from ..context import AppContext
from ..copying import COPY_AS
from ..dialogs import statement as ddl
from ..dialogs.errors import error_box
from ..elided_label import ElidedLabel
from ..icons import icon
from ..keyboard import focus_first, focus_lost_in
from ..notice_bar import NoticeBar, open_folder
from ..settings import KEY_SPLITTERS
from ..wording import READ_ONLY_NOTE, count, journal_summary
from .browser import LedgerBrowser
from .empty_state import EmptyWorkspace

#: kind -> factory(workspace, key) -> QWidget; a view may define `title()`, `trigger(id)`,
#: `update_actions(actions)`, `refresh()` (F5), `refresh_after_write()` (after a commit; else
#: `refresh()`), `confirm_close()` (False keeps the tab open) and `shutdown()`.
ViewFactory = Callable[["LedgerWorkspace", Any], QWidget]
VIEW_KINDS: dict[str, ViewFactory] = {}


def register_view(kind: str, factory: ViewFactory) -> None:
    """Make a new kind of view available to every workspace (e.g. a chain view)."""
    VIEW_KINDS[kind] = factory


def _register_builtin_views() -> None:
    from .block_inspector import BlockInspector
    from .documents import DocumentsView
    from .history import HistoryView
    from .query import QueryView

    register_view("documents", lambda ws, table: DocumentsView(ws, table))
    register_view("history", lambda ws, doc_id: HistoryView(ws, doc_id))
    register_view("block", lambda ws, _key: BlockInspector(ws))
    register_view("query", lambda ws, key: QueryView(ws, key))

    from ..verify.register import register_verification_views

    register_verification_views(register_view)


_QUERY_VIEW_ACTIONS = ("explain_query", "cancel_query", "begin_tx", "commit_tx", "abort_tx",
                       "save_results")

#: rows freed per step when a closed view's big row list is released
RELEASE_SLICE = 4000
_releasing: list[list[Any]] = []
_release_timer: QTimer | None = None


def _release_rows_after(view: QWidget) -> None:
    """When `view` is deleted, free its model's rows a slice at a time: freeing a loaded grid's
    60,000 documents (1.4 million objects) at once held the GUI thread for ~100 ms."""
    model = getattr(view, "model", None)
    lists = [rows for attr in ("rows", "values")
             if isinstance(rows := getattr(model, attr, None), list)
             and len(rows) > RELEASE_SLICE]
    if lists:
        # only after the deletion: until then the (hidden) view may still read its rows
        view.destroyed.connect(lambda *_a: _release_in_slices(lists))


def _release_in_slices(lists: list[list[Any]]) -> None:
    global _release_timer
    _releasing.extend(lists)
    if _release_timer is None:
        _release_timer = QTimer(QCoreApplication.instance())
        _release_timer.setInterval(0)
        _release_timer.timeout.connect(_release_step)
    _release_timer.start()


def releasing_rows() -> bool:
    """Closed views' rows are still being freed (a full collection should wait for that)."""
    return bool(_releasing)


def _release_step() -> None:
    if not _releasing:
        if _release_timer is not None:
            _release_timer.stop()
        return
    rows = _releasing[-1]
    del rows[-RELEASE_SLICE:]
    if not rows:
        _releasing.pop()


def _unused(query: Any) -> bool:
    """A PartiQL tab with nothing to lose: an empty editor, no transaction, nothing running."""
    return not (query.editor.toPlainText().strip() or query.tx_open or query.running)


class _MiddleClickCloses(QObject):
    """A middle click on a view's tab closes it, as in browsers and IDEs."""

    def __init__(self, workspace: LedgerWorkspace) -> None:
        super().__init__(workspace)
        self._workspace = workspace

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent) \
                and event.button() == Qt.MouseButton.MiddleButton:
            index = self._workspace.views.tabBar().tabAt(event.position().toPoint())
            if index >= 0:
                self._workspace.close_view(index)
                return True
        return False


class LedgerWorkspace(QWidget):
    open_failed = Signal(object)
    actions_changed = Signal()
    loaded = Signal()
    opened = Signal()       # the first load succeeded: the file is a ledger we can read
    message = Signal(str)

    def __init__(self, ctx: AppContext, path: Path, parent: QWidget | None = None, *,
                 read_only: bool = False) -> None:
        super().__init__(parent)
        if not VIEW_KINDS.keys() >= {"documents", "history", "block", "query"}:
            _register_builtin_views()
        self.setObjectName("ledgerWorkspace")
        self.ctx = ctx
        self.path = Path(path)
        # True when asked for (Open Read-Only…), or once the first load finds that the file
        # cannot be written; the writer lane then opens the ledger read-only as well.
        self.read_only = read_only
        self.session = LedgerSession(self.path, self, read_only=read_only)
        self.session.changed.connect(self.changed)
        self.tables: list[Any] = []
        self.block_count = 0       # the tip's sequence number + 1 (`Ledger.block_count`)
        #: gaps in the sequence numbers, once the chain view or a verification has seen them
        #: (None: not known; reading every block's number is the chain view's job)
        self.missing_blocks: list[tuple[int, int]] | None = None
        self.counts: dict[str, int] = {}
        self.strand_id: str | None = None
        self.known_fields: set[str] = set()
        self.ever_loaded = False
        self.closed = False
        self._views: dict[tuple[str, Any], QWidget] = {}

        self.browser = LedgerBrowser()
        self.browser.table_activated.connect(self.open_table)
        self.browser.journal_activated.connect(lambda: self.open_block(self.block_count - 1))
        self.browser.action_requested.connect(self._browser_action)

        self.views = QTabWidget()
        self.views.setObjectName("workspaceViews")
        self.views.setDocumentMode(True)
        self.views.setTabsClosable(True)
        self.views.setMovable(True)
        self.views.tabCloseRequested.connect(self.close_view)
        self.views.tabBar().installEventFilter(_MiddleClickCloses(self))
        self.views.currentChanged.connect(lambda _i: self.actions_changed.emit())
        # the last view closed (-1) or the first one opened: the empty state goes or comes
        self.views.currentChanged.connect(lambda _i: self._show_empty_state())
        # once the change settles (a closed view deleted, a dialog gone), not during it
        self.views.currentChanged.connect(
            lambda _i: QTimer.singleShot(0, self, self.focus_front))

        # with no view open, the area says what the ledger holds and what to do next
        self.empty = EmptyWorkspace()
        self.empty.action_requested.connect(self._empty_action)
        self.view_area = QStackedWidget()
        self.view_area.setObjectName("workspaceViewArea")
        self.view_area.addWidget(self.views)
        self.view_area.addWidget(self.empty)

        self.splitter = QSplitter()
        self.splitter.setObjectName("workspaceSplitter")
        self.splitter.addWidget(self.browser)
        self.splitter.addWidget(self.view_area)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([280, 1000])  # shares: at 1280 px "VehicleRegistration" fits
        self._restore_layout()

        # The path comes first: cut from the left, the file name and the counts stay.
        self.status = ElidedLabel("Opening…", Qt.TextElideMode.ElideLeft)
        self.status.setObjectName("workspaceStatus")
        self.status.setContentsMargins(6, 2, 6, 2)
        # Its own line: the status is elided from the left, and this must always be read.
        self.read_only_note = QLabel("")
        self.read_only_note.setObjectName("readOnlyNote")
        self.read_only_note.setContentsMargins(6, 2, 6, 0)
        self.read_only_note.setWordWrap(True)
        self.read_only_note.setVisible(False)
        # what a finished export left, with Open Folder, until dismissed
        self.notice = NoticeBar()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.read_only_note)
        layout.addWidget(self.notice)
        layout.addWidget(self.status)
        from ..verify.register import install_status

        install_status(self)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(50)
        self._refresh_timer.timeout.connect(self.reload)
        self.reload()

    def title(self) -> str:
        return self.path.stem

    def tab_title(self) -> str:
        """The ledger tab's text: its name, and whether it can be written."""
        return f"{self.title()} (read-only)" if self.read_only else self.title()

    def tab_tip(self) -> str:
        return f"{self.path}\n{READ_ONLY_NOTE}" if self.read_only else str(self.path)

    def refuse_read_only(self, what: str = "") -> bool:
        """True (and the reason said, in one line) when this ledger is read-only: for every
        path to a write that a disabled action does not already close (drops, context menus,
        a view's own buttons)."""
        if not self.read_only:
            return False
        from ..wording import READ_ONLY_REFUSAL

        self.show_message(f"{what + ': ' if what else ''}{READ_ONLY_REFUSAL}")
        return True

    def _set_read_only(self, why: str) -> None:
        self.read_only = True
        self.session.read_only = True  # a writer lane opened later opens read-only too
        self.read_only_note.setText(f"<b>Read-only</b> ({why}): browse, verify, prove; "
                                    "statements need a writable copy")
        self.read_only_note.setToolTip(
            "Every statement, SELECT included, is recorded in the journal as a new block (as "
            "QLDB records them), so none can run here. Browsing, verification, digests and "
            "proofs never change the file.")
        self.read_only_note.setVisible(True)
        self.browser.read_only = True
        for view in self._views.values():
            if hasattr(view, "read_only_changed"):
                view.read_only_changed()

    # -- loading ----------------------------------------------------------------------------
    def reload(self) -> None:
        def load(ledger: Any, _p: Any, _c: Any) -> tuple[list[Any], int, Any, str, bool]:
            # whether the file can be written is asked here too: off the GUI thread (a
            # network file system can take its time), with the catalog it goes with
            return (ledger.tables(include_inactive=True), ledger.block_count(), ledger.tip(),
                    ledger.strand_id, can_write(self.path))

        task = self.session.read(load, "load catalog")
        task.succeeded.connect(self._loaded)
        task.failed.connect(self._load_failed)

    def _load_failed(self, exc: Any) -> None:
        if not self.ever_loaded:
            self.open_failed.emit(exc)
        else:
            error_box(self, "Cannot read the ledger", exc)

    def _loaded(self, result: tuple[list[Any], int, Any, str, bool]) -> None:
        if self.closed:
            return
        self.tables, self.block_count, _tip, self.strand_id, writable = result
        first = not self.ever_loaded
        self.ever_loaded = True
        if first and (self.read_only or not writable):
            self._set_read_only("opened read-only" if self.read_only
                                else "the file cannot be written")
        self.browser.set_catalog(self.tables, self.block_count)
        self._show_status()
        for view in self._views.values():
            if hasattr(view, "catalog_changed"):
                view.catalog_changed()
        self._retitle_tables()
        if first:  # before the counts: the first page must not queue behind count(*)s
            actives = [t for t in self.tables if t.status == "ACTIVE"]
            if actives:
                view = self.open_table(max(actives, key=lambda t: t.name == "Vehicle"))
                # the tab's first widget (the browser) had taken the focus as it appeared
                QTimer.singleShot(0, view, lambda: self.isVisible() and focus_first(view))
        self._show_empty_state()
        for t in self.tables:
            self._count(t.table_id)
        if first:
            self.opened.emit()
        self.loaded.emit()
        self.actions_changed.emit()

    def _retitle_tables(self) -> None:
        """A table dropped (or undropped) while its grid is open: the tab says so, as the
        browser does, instead of keeping the old title and the active icon."""
        by_id = {t.table_id: t for t in self.tables}
        for (kind, key), view in self._views.items():
            table = by_id.get(key) if kind == "documents" else None
            if table is None or table.status == view.table.status:  # type: ignore[attr-defined]
                continue
            view.table = table  # type: ignore[attr-defined]
            view.setWindowIcon(icon("table" if table.status == "ACTIVE" else "table-dropped"))
            index = self.views.indexOf(view)
            if index >= 0:
                self.views.setTabText(index, view.title())  # type: ignore[attr-defined]
                self.views.setTabIcon(index, view.windowIcon())

    def focus_front(self) -> None:
        """The view in front takes the focus when it has none worth keeping: after Ctrl+W
        it sat on the tab bar (the arrow keys then switched tabs), after opening a ledger on
        the Start tab's button. Focus in the browser or in a view stays where it is."""
        if self.closed or not Shiboken.isValid(self) or not self.isVisible():
            return
        view = self.views.currentWidget()
        if view is not None and focus_lost_in(self):
            focus_first(view)

    def _show_empty_state(self) -> None:
        """No view open once the catalog is known: the empty state (no tables yet, or tables
        and nothing open) in place of a blank area; any view: the views."""
        if self.closed:
            return
        if self.views.count() or not self.ever_loaded:
            self.view_area.setCurrentWidget(self.views)
            return
        active = sum(1 for t in self.tables if t.status == "ACTIVE")
        self.empty.set_state(active, len(self.tables) - active, self.read_only)
        self.view_area.setCurrentWidget(self.empty)

    def _empty_action(self, action_id: str) -> None:
        {"create_table": self.do_create_table, "import_files": self.do_import_files,
         "show_query": self.do_show_query, "show_chain": self.do_show_chain}[action_id]()

    def _show_status(self) -> None:
        active = sum(1 for t in self.tables if t.status == "ACTIVE")
        self.status.setText(f"{self.path}  ·  {count(active, 'table')}  ·  "
                            + journal_summary(self.block_count, self.missing_blocks, "  ·  "))

    def set_missing_blocks(self, ranges: list[tuple[int, int]]) -> None:
        """The chain view read every block's sequence number, or a verification met them:
        the status line counts the blocks present, not the tip's sequence number + 1."""
        if self.closed:
            return
        self.missing_blocks = list(ranges)
        if self.ever_loaded:
            self._show_status()

    def _count(self, table_id: str) -> None:
        task = self.session.read(lambda ledger, _p, _c: ledger.count_documents(table_id),
                                 "count documents")
        task.succeeded.connect(lambda n: self._counted(table_id, n))

    def _counted(self, table_id: str, n: int) -> None:
        """One count(*) per table per reload, shared by the browser and the table's grid."""
        self.counts[table_id] = n
        self.browser.set_count(table_id, n)
        view = self._views.get(("documents", table_id))
        if view is not None:
            view.set_total(n)  # type: ignore[attr-defined]

    def changed(self, summary: WriteSummary | None = None) -> None:
        """After a commit: reload the catalog (coalesced) and, when documents, tables or
        indexes changed (`summary` None: they may have), every open view. A SELECT's block
        changes only the block count: its grids keep their rows, sort and place."""
        if self.closed:
            return
        self._refresh_timer.start()
        if summary is not None and summary.blocks is not None and self.ever_loaded:
            self.block_count = summary.blocks  # the status agrees with "recorded as block N"
            self._show_status()
            self.browser.set_block_count(self.block_count)
        if summary is not None and not summary.documents:
            return
        for view in list(self._views.values()):
            refresh = getattr(view, "refresh_after_write", None) or getattr(view, "refresh", None)
            if refresh is not None:
                refresh()

    def table_by_name(self, name: str) -> Any:
        for t in self.tables:
            if t.name == name and t.status == "ACTIVE":
                return t
        return None

    # -- views ------------------------------------------------------------------------------
    def open_view(self, kind: str, key: Any = None) -> QWidget:
        """Show the view of `kind` for `key`, creating it the first time."""
        existing = self._views.get((kind, key))
        if existing is not None:
            self.views.setCurrentWidget(existing)
            return existing
        widget = VIEW_KINDS[kind](self, key)
        self._views[(kind, key)] = widget
        title = widget.title() if hasattr(widget, "title") else kind
        index = self.views.addTab(widget, widget.windowIcon(), title)
        self.views.setCurrentIndex(index)
        return widget

    def view(self, kind: str, key: Any = None) -> QWidget | None:
        return self._views.get((kind, key))

    def close_current_view(self) -> bool | None:
        """Ctrl+W: close the view in front (it may ask first). None: there is no view to
        close, and closing the ledger is the caller's to decide; False: the view stayed."""
        index = self.views.currentIndex()
        if index < 0:
            return None
        return self.close_view(index)

    def close_view(self, index: int, ask: bool = True) -> bool:
        """Close the view at `index` (its tab's ×); with `ask`, a view may refuse after a
        question (a PartiQL tab with an open transaction). False: the tab stays."""
        widget = self.views.widget(index)
        if widget is None:
            return False
        if ask and hasattr(widget, "confirm_close") and not widget.confirm_close():
            return False
        # the question ran an event loop: the tab is found again by its widget, if still there
        if self.closed or not Shiboken.isValid(widget):
            return False
        index = self.views.indexOf(widget)
        if index < 0:
            return False
        for k, w in list(self._views.items()):
            if w is widget:
                del self._views[k]
        self.views.removeTab(index)
        if hasattr(widget, "shutdown"):
            widget.shutdown()
        _release_rows_after(widget)
        widget.deleteLater()
        return True

    def open_table(self, table: Any) -> QWidget:
        self.browser.select_table(table.table_id)
        view = self.open_view("documents", table.table_id) if ("documents", table.table_id) \
            in self._views else self._open_documents(table)
        return view

    def _open_documents(self, table: Any) -> QWidget:
        view = VIEW_KINDS["documents"](self, table)
        self._views[("documents", table.table_id)] = view
        index = self.views.addTab(view, view.windowIcon(), view.title())
        self.views.setCurrentIndex(index)
        view.model.page_loaded.connect(lambda *_a, m=view.model:
                                       self.known_fields.update(m.paths))
        return view

    def open_table_named(self, name: str) -> None:
        """Open a table's documents once the catalog (reloaded after a write) knows it."""
        table = self.table_by_name(name)
        if table is not None:
            self.open_table(table)
            return

        def later() -> None:
            self.loaded.disconnect(later)
            t = self.table_by_name(name)
            if t is not None:
                self.open_table(t)

        self.loaded.connect(later)

    def open_history(self, doc_id: str) -> QWidget:
        return self.open_view("history", doc_id)

    def show_deleted_documents(self, table: Any) -> QDialog:
        """The table's deleted documents (dialogs/deleted_documents.py), not modal."""
        from ..dialogs.deleted_documents import DeletedDocumentsDialog

        dlg = DeletedDocumentsDialog(self, table)
        dlg.show()
        return dlg

    def open_block(self, seq: int) -> QWidget:
        view = self.open_view("block", None)
        view.show_block(seq)  # type: ignore[attr-defined]
        return view

    def open_query(self) -> QWidget:
        return self.open_view("query", None)

    def open_query_text(self, text: str) -> QWidget:
        """`text` in a PartiQL tab whose editor is empty, or in a new one: the text being
        written in an editor, and the transaction open there, are never replaced."""
        view = self._unused_query()
        view.editor.setPlainText(text)  # type: ignore[attr-defined]
        view.editor.setFocus()  # type: ignore[attr-defined]
        return view

    def query_views(self) -> list[QWidget]:
        return [w for (kind, _key), w in self._views.items() if kind == "query"]

    def _unused_query(self) -> QWidget:
        for view in self.query_views():
            if _unused(view):
                self.views.setCurrentWidget(view)
                return view
        if ("query", None) not in self._views:
            return self.open_query()
        n = 2
        while ("query", n) in self._views:
            n += 1
        return self.open_view("query", n)

    def show_message(self, text: str) -> None:
        self.message.emit(text)

    # -- actions ----------------------------------------------------------------------------
    def trigger(self, action_id: str) -> None:
        current = self.views.currentWidget()
        if current is not None and hasattr(current, "trigger") and current.trigger(action_id):
            return
        handler = getattr(self, f"do_{action_id}", None)
        if handler is not None:
            handler()

    def update_actions(self, actions: dict[str, QAction]) -> None:
        current = self.views.currentWidget()
        if current is not None and hasattr(current, "update_actions"):
            current.update_actions(actions)
        else:
            # Only a PartiQL view has a statement to explain or cancel, a transaction to begin
            # or end, results to save: elsewhere these would be lit (a red Cancel), do nothing.
            for action_id in _QUERY_VIEW_ACTIONS:
                actions[action_id].setEnabled(False)
        # Copy as Ion/JSON/CSV act on a grid of values (documents, results, revisions): lit
        # elsewhere they did nothing. Edit > Copy (Ctrl+C) works in every view.
        can_copy = getattr(current, "can_copy_rows", None)
        for action_id in COPY_AS:
            actions[action_id].setEnabled(bool(can_copy is not None and can_copy()))
        if self.read_only:
            # disabled, and the tooltip says why (MainWindow restores the tips per ledger)
            for action_id in WRITE_ACTIONS:
                action = actions[action_id]
                action.setEnabled(False)
                action.setToolTip(f"{action.text().replace('&', '').rstrip('…')} — "
                                  f"{READ_ONLY_NOTE}")

    def do_refresh(self) -> None:
        self.reload()

    def do_show_query(self) -> None:
        self.open_query()

    def do_run_query(self) -> None:
        self.open_query()

    def do_show_block(self) -> None:
        """Go to Block…: asks which (it opened the last block without asking)."""
        from PySide6.QtWidgets import QInputDialog

        if self.block_count <= 0:
            self.show_message("The journal has no blocks yet.")
            return
        last = self.block_count - 1
        seq, ok = QInputDialog.getInt(self, "Go to Block", f"Block number (0 to {last:,}):",
                                      last, 0, last)
        if ok:
            self.open_block(seq)

    # Verify menu: the verification centre (ui/verify/) handles these.
    def do_show_chain(self) -> None:
        self._verify("show_chain")

    def do_verify_journal(self) -> None:
        self._verify("verify_journal")

    def do_get_digest(self) -> None:
        self._verify("get_digest")

    def do_verify_proof(self) -> None:
        self._verify("verify_proof")

    def _verify(self, action_id: str) -> None:
        from ..verify.register import trigger

        trigger(self, action_id)

    def do_show_history(self) -> None:
        pass  # only meaningful with a document selected (the documents view handles it)

    def do_import_files(self, table: Any = None) -> None:
        """Import Files…; `table`: the table whose context menu asked, preselected."""
        from PySide6.QtWidgets import QFileDialog

        if self.refuse_read_only("Import"):
            return
        title = f"Import Files into {table.name}" if table is not None else "Import Files"
        paths, _ = QFileDialog.getOpenFileNames(
            self, title, self.ctx.settings.last_dir(),
            "Data files (*.ion *.10n *.json *.jsonl *.ndjson *.csv);;All files (*)")
        if paths:
            self.ctx.settings.set_last_dir(str(Path(paths[0]).parent))
            self.import_files(paths, table.name if table is not None else None)

    def do_create_table(self) -> None:
        if self.refuse_read_only("Create Table"):
            return
        dlg = ddl.create_table_dialog(self)
        before = {t.table_id for t in self.tables if t.status == "ACTIVE"}
        # the new table's (empty) grid opens, ready for an import (the statement may have
        # been edited, so the table is found by what is new in the catalog, not by name)
        self._run_dialog(dlg, lambda: self._open_new_table_after_reload(before))

    def do_create_index(self, table: Any = None) -> None:
        if self.refuse_read_only("Create Index"):
            return
        dlg = ddl.create_index_dialog(self, self.tables, table or self.browser.current_table(),
                                      sorted(self.known_fields))
        self._run_dialog(dlg)

    def do_drop_table(self, table: Any = None) -> None:
        if self.refuse_read_only("Drop Table"):
            return
        table = table or self.browser.current_table()
        if table is None or table.status != "ACTIVE":
            self.show_message("Select an active table to drop")
            return
        self._run_dialog(ddl.confirm_dialog(
            self, "Drop Table", f"Dropping {table.name} makes it inactive. Its documents and "
            "history stay in the journal, and it can be undropped.",
            ddl.drop_table_sql(table.name)))

    def do_undrop_table(self, table: Any = None) -> None:
        if self.refuse_read_only("Undrop Table"):
            return
        table = table or self.browser.current_table()
        if table is None or table.status == "ACTIVE":
            self.show_message("Select a dropped table to undrop")
            return
        self._run_dialog(ddl.confirm_dialog(
            self, "Undrop Table", f"Make {table.name} active again.",
            ddl.undrop_table_sql(table.table_id)))

    def do_export_journal(self) -> Any:
        from ..dialogs.export_dialog import ExportDialog

        dialog = ExportDialog(self, self.path.stem, self.ctx.settings.last_dir())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        folder, fmt, start, end = dialog.choices()
        self.ctx.settings.set_last_dir(str(folder.parent))
        return self.export_journal(folder, fmt, start, end)

    def export_journal(self, folder: Path, fmt: str, start: str | None = None,
                       end: str | None = None) -> Any:
        """`ledger export` on the reader lane (read-only), with progress and Cancel; a failed
        or cancelled export removes what it wrote."""
        from ...engine.exports import export_journal
        from ..busy import TaskFeedback

        task = self.session.read(lambda ledger, progress, cancel: export_journal(
            ledger, folder, fmt=fmt, start_time=start, end_time=end, progress=progress,
            cancel=cancel), "export")
        TaskFeedback(task, self, f"Exporting the journal to {folder.name}…")
        task.succeeded.connect(lambda r: self._exported(r, folder, fmt))
        task.failed.connect(lambda e: error_box(self, "The export failed", e, task.details))
        task.cancelled.connect(lambda: self.show_message(
            f"Export to {folder.name} cancelled; the files it had written were removed"))
        return task

    def _exported(self, result: Any, folder: Path, fmt: str) -> None:
        """The status line says it for a moment; the notice stays, with Open Folder."""
        text = (f"Exported {result.blocks:,} block(s) and {result.revisions:,} revision(s) to "
                f"{folder} (export {result.export_id}, {fmt})" if result.blocks else
                f"Exported no blocks to {folder}: none was committed in that time")
        self.show_message(text)
        self.notice.show_notice(text, [("Open Folder", lambda: open_folder(folder))]
                                if folder.is_dir() else [])

    def do_compact_ledger(self) -> Any:
        """Compaction on the writer lane (no commit of ours runs meanwhile), after a
        question."""
        from PySide6.QtWidgets import QMessageBox

        if self.refuse_read_only("Compact"):
            return None
        size = self.path.stat().st_size / 2**20
        answer = QMessageBox.question(
            self, "Compact Ledger File",
            f"Rewrite {self.path.name} ({size:,.1f} MiB) with each table and index "
            "stored contiguously, which makes reading it from disk faster. Nothing in the "
            "journal changes; its digest is checked before and after.\n\nThis needs about "
            f"{2 * size:,.0f} MiB of free disk space while it runs. Cancel leaves the file "
            "as it was.",
            QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Ok:
            return None
        return self.compact_ledger()

    def compact_ledger(self) -> Any:
        from ...engine.compact import compact
        from ..busy import TaskFeedback

        path = self.path
        task = self.session.write(lambda _ledger, progress, cancel: compact(
            path, progress=progress, cancel=cancel), "compact")
        TaskFeedback(task, self, f"Compacting {path.name}…")
        task.succeeded.connect(lambda r: self.show_message(
            f"Compacted {path.name}: {r.bytes_before / 2**20:,.1f} MiB to "
            f"{r.bytes_after / 2**20:,.1f} MiB in {r.seconds:.1f} s; digest unchanged"))
        task.failed.connect(lambda e: error_box(self, "Compaction failed", e, task.details))
        return task

    def _browser_action(self, action_id: str, table: Any) -> None:
        if action_id == "create_table":
            self.do_create_table()
        elif action_id == "create_index":
            self.do_create_index(table)
        elif action_id == "drop_table":
            self.do_drop_table(table)
        elif action_id == "undrop_table":
            self.do_undrop_table(table)
        elif action_id == "deleted_documents":
            self.show_deleted_documents(table)
        elif action_id == "import_files":
            # a dropped table has no "into": the dialog then proposes one as from the menu
            self.do_import_files(table if table is not None and table.status == "ACTIVE"
                                 else None)

    def _run_dialog(self, dlg: Any, on_commit: Callable[[], None] | None = None) -> None:
        def finished(code: int) -> None:
            if code != QDialog.DialogCode.Accepted or not dlg.text():
                return
            task = self.execute_statement(dlg.text())
            if task is not None and on_commit is not None:
                task.succeeded.connect(lambda _r: on_commit())

        dlg.finished.connect(finished)
        dlg.finished.connect(dlg.deleteLater)
        dlg.open()

    def _open_new_table_after_reload(self, before: set[str]) -> None:
        """Open the table a statement created, once the reload after its commit knows it."""
        def later() -> None:
            self.loaded.disconnect(later)
            new = [t for t in self.tables if t.status == "ACTIVE" and t.table_id not in before]
            if new:
                self.open_table(new[-1])

        self.loaded.connect(later)

    def execute_statement(self, text: str) -> Any:
        """Run one statement on the writer lane; views refresh when it commits."""
        if self.refuse_read_only():
            return None
        task = self.session.write(lambda ledger, _p, _c: ledger.execute(text), "statement")
        task.succeeded.connect(lambda _r: self.show_message(f"Done: {text}"))
        task.failed.connect(lambda e: error_box(self, "The statement failed", e, task.details))
        return task

    def import_files(self, paths: list[str], table: str | None = None) -> Any:
        from ..dialogs.import_dialog import ImportDialog

        if self.refuse_read_only("Import"):
            return None
        dlg = ImportDialog(self, paths, table)
        dlg.open()
        return dlg

    # -- lifetime ---------------------------------------------------------------------------
    def save_layout(self) -> None:
        self.ctx.settings.set_bytes(KEY_SPLITTERS, self.splitter.saveState())

    def _restore_layout(self) -> None:
        state = self.ctx.settings.bytes_value(KEY_SPLITTERS)
        if state is not None:
            self.splitter.restoreState(state)

    def drafts(self) -> list[str]:
        """Titles of the PartiQL tabs holding text that was never run (closing loses it)."""
        return [v.title() for v in self.query_views()  # type: ignore[attr-defined]
                if getattr(v, "has_draft", False)]

    def open_transaction(self) -> int | None:
        """Statements run in the PartiQL tabs' open transactions (None: none is open), which
        closing the ledger would abort."""
        open_ = [v for v in self.query_views() if getattr(v, "tx_open", False)]
        if not open_:
            return None
        return sum(int(getattr(getattr(v, "state", None), "statements", 0) or 0) for v in open_)

    def shutdown(self) -> None:
        self.closed = True
        self.save_layout()
        self._refresh_timer.stop()
        for index in reversed(range(self.views.count())):
            self.close_view(index, ask=False)  # MainWindow.confirm_close asked for the ledger
        # Never join the lanes here: a long step (a verification, a sort, an export) would
        # freeze the window until it notices its cancel; they end and close in the background.
        self.session.close_later()
