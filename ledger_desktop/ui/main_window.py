"""The main window: a shell of menus, a toolbar and one tab per open ledger (plus Start).

It owns no ledger logic: opening and creating files is in `opening.py`, each ledger's views
live in its `LedgerWorkspace`, and actions route to the current workspace by id.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QMainWindow,
    QMenu,
    QTabWidget,
    QToolBar,
    QWidget,
)

from ..workers.tasks import join_retired, retired_lanes
from . import settings as keys
from .actions import MENUS, SPECS, WRITE_ACTIONS, make_action, spec
from .context import AppContext
from .copying import copy_in_window
from .dialogs.errors import error_box
from .dialogs.open_transaction import ask_before_close, uncommitted, unrun_draft
from .gc_pacing import GcPacer
from .keyboard import focus_first, focus_lost_in
from .opening import Opener
from .theme import scheme_menu
from .views.welcome import WelcomeView

LEDGER_FILTER = "Ledger files (*.ledger *.db *.sqlite);;All files (*)"
APP_TITLE = "Ledger Desktop"
#: the full collection after a ledger tab closes waits this long after its rows are freed
GC_AFTER_CLOSE_MS = 700
TOOLBAR_ACTIONS = ["open_ledger", "import_files", None, "refresh", "show_history", "show_block",
                   "show_query", None, "run_query", "cancel_query"]


def _same_file(a: Path, b: Path) -> bool:
    """`a` and `b` are one file: the same path, or another name for it (a hard link, a bind
    mount). Two tabs on one file kept a write-ahead log each (SQLite names it after the
    path), and the first tab's every read then failed with "disk I/O error"."""
    if a == b:
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them is gone: not the same open file
        return False


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.unattended = False  # set by --quit-after: closing never asks
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_TITLE)
        self.ctx = ctx
        self.setAcceptDrops(True)
        self.actions_by_id: dict[str, QAction] = {}
        self.menus: dict[str, QMenu] = {}
        self.tabs = QTabWidget()
        self.tabs.setObjectName("ledgerTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.tabs.currentChanged.connect(self._update_actions)
        self.tabs.currentChanged.connect(lambda _i: self._update_title())
        self.tabs.currentChanged.connect(lambda _i: QTimer.singleShot(0, self, self._focus_front))
        self.setCentralWidget(self.tabs)

        self.welcome = WelcomeView(ctx)
        self.tabs.addTab(self.welcome, "Start")
        self.tabs.tabBar().setTabButton(0, self.tabs.tabBar().ButtonPosition.RightSide, None)
        self.opener = Opener(self)
        self.welcome.open_sample.connect(self.open_sample)
        self.welcome.new_ledger.connect(self.opener.new_ledger)
        self.welcome.open_file.connect(self.open_file)
        self.welcome.import_journal.connect(self.opener.import_journal)
        self.welcome.open_recent.connect(self.open_recent)

        self._build_menus()
        self.gc_pacer = GcPacer(self)
        self.gc_pacer.start()
        self.statusBar().showMessage("Ready", 3000)
        self.resize(1280, 800)
        self._restore_layout()
        self._update_actions()

    # -- menus and actions ------------------------------------------------------------------
    def _build_menus(self) -> None:
        for menu_id, title in MENUS:
            menu = self.menuBar().addMenu(title)
            menu.setObjectName(f"menu_{menu_id}")
            self.menus[menu_id] = menu
        for s in SPECS:
            action = make_action(s, self)
            action.triggered.connect(lambda _checked=False, i=s.id: self.trigger(i))
            self.actions_by_id[s.id] = action
            if s.id == "quit":
                self.menus["file"].addSeparator()
            self.menus[s.menu].addAction(action)
            if s.id == "open_sample":
                self.recent_menu = self.menus["file"].addMenu("Open &Recent")
                self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.menus["view"].addSeparator()
        self.scheme_actions = scheme_menu(self.menus["view"], self.ctx.settings)
        toolbar = QToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        for action_id in TOOLBAR_ACTIONS:
            if action_id is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(self.actions_by_id[action_id])
        self.addToolBar(toolbar)
        self._sync_menu_visibility()

    def menu(self, menu_id: str) -> QMenu:
        """A top-level menu by id (e.g. "verify") so extensions can add their actions."""
        menu = self.menus[menu_id]
        menu.menuAction().setVisible(True)
        return menu

    def _sync_menu_visibility(self) -> None:
        for menu in self.menus.values():
            menu.menuAction().setVisible(bool(menu.actions()))

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in self.ctx.settings.recent_files():
            read_only = self.ctx.settings.recent_read_only(path)
            action = self.recent_menu.addAction(path + (" (read-only)" if read_only else ""))
            action.setEnabled(Path(path).exists())
            action.triggered.connect(lambda _c=False, p=path: self.open_recent(p))
        if not self.recent_menu.actions():
            self.recent_menu.addAction("(none)").setEnabled(False)

    def trigger(self, action_id: str) -> None:
        app_handlers = {
            "new_ledger": self.opener.new_ledger,
            "open_ledger": self.open_file,
            "open_read_only": lambda: self.open_file(read_only=True),
            "open_sample": self.open_sample,
            "import_journal": self.opener.import_journal,
            "quit": self.close,
            "about": self.show_about,
            "copy": lambda: copy_in_window(self, lambda m: self.statusBar().showMessage(m, 3000)),
            "close_tab": lambda: self.close_tab(self.tabs.currentIndex()),
            "close_view": self.close_view,
            "confirm_unfiltered": lambda: self.ctx.settings.set_confirm_unfiltered_change(
                self.actions_by_id["confirm_unfiltered"].isChecked()),
            "verify_files": self.open_proof_files,
            "next_ledger": lambda: self._step_tab(1),
            "previous_ledger": lambda: self._step_tab(-1),
        }
        if action_id in app_handlers:
            app_handlers[action_id]()
            return
        workspace = self.current_workspace()
        if workspace is not None:
            workspace.trigger(action_id)

    def _update_actions(self, *_args: object) -> None:
        if not self.actions_by_id:
            return
        has_ledger = self.current_workspace() is not None
        for s in SPECS:
            if s.scope == "ledger":
                self.actions_by_id[s.id].setEnabled(has_ledger)
        for action_id in WRITE_ACTIONS:  # a read-only ledger's workspace says why, below
            self.actions_by_id[action_id].setToolTip(spec(action_id).tip)
        self.actions_by_id["confirm_unfiltered"].setChecked(
            self.ctx.settings.confirm_unfiltered_change())
        workspace = self.current_workspace()
        if workspace is not None:
            workspace.update_actions(self.actions_by_id)

    # -- ledgers ----------------------------------------------------------------------------
    def workspaces(self) -> list[QWidget]:
        from .views.workspace import LedgerWorkspace

        return [w for i in range(self.tabs.count())
                if isinstance(w := self.tabs.widget(i), LedgerWorkspace)]

    def current_workspace(self):  # -> LedgerWorkspace | None
        from .views.workspace import LedgerWorkspace

        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, LedgerWorkspace) else None

    def open_ledger(self, path: str | Path, read_only: bool = False) -> None:
        """Open (or switch to) a ledger in a new tab; `read_only`: nothing done in it can
        change the file (a file that cannot be written opens so by itself)."""
        path = Path(path).resolve()
        for workspace in self.workspaces():
            if _same_file(workspace.path, path):
                self.tabs.setCurrentWidget(workspace)
                if workspace.path != path:
                    self.statusBar().showMessage(
                        f"{path} is the same file as {workspace.path}, which is open", 10000)
                if read_only and not workspace.read_only:  # type: ignore[attr-defined]
                    self.statusBar().showMessage(
                        f"{path.name} is already open for writing; close it (Close Ledger, "
                        "Ctrl+Shift+W) and open it read-only again", 10000)
                return
        if path.is_dir():  # a command-line argument, a recent entry that became a folder
            from ..engine.errors import UserError

            error_box(self, "Cannot open ledger", UserError(
                f"{path} is a folder, and a ledger is a single file (such as dmv.ledger). To "
                "make a ledger from a QLDB export folder, use File ▸ Import QLDB Export… or "
                "drop the folder on the window."))
            return
        if not path.is_file():
            error_box(self, "Cannot open ledger", FileNotFoundError(2, "No such file", str(path)))
            return
        from .views.workspace import LedgerWorkspace

        workspace = LedgerWorkspace(self.ctx, path, self, read_only=read_only)
        workspace.open_failed.connect(lambda exc, w=workspace: self._open_failed(w, exc))
        workspace.loaded.connect(lambda w=workspace: self._retitle(w))
        # Recent ledgers lists files that opened: not a missing file, not a non-ledger
        workspace.opened.connect(lambda p=path, ro=read_only: (
            self.ctx.settings.add_recent(p, ro), self.welcome.refresh()))
        workspace.actions_changed.connect(self._update_actions)
        workspace.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        index = self.tabs.addTab(workspace, workspace.tab_title())
        self.tabs.setTabToolTip(index, workspace.tab_tip())
        self.tabs.setTabIcon(index, self.windowIcon())
        self.tabs.setCurrentIndex(index)
        self._update_actions()

    def open_recent(self, path: str) -> None:
        """A recent ledger, read-only again if it was last opened so."""
        self.open_ledger(path, read_only=self.ctx.settings.recent_read_only(path))

    def _step_tab(self, step: int) -> None:
        """Ctrl+PgDown / Ctrl+PgUp: the next or previous ledger tab, round the ends."""
        if self.tabs.count() > 1:
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    def _focus_front(self) -> None:
        """A ledger tab come to the front gives its view in front the focus (keyboard.py);
        the Start tab its first button."""
        workspace = self.current_workspace()
        if workspace is not None:
            workspace.focus_front()
        elif self.tabs.currentWidget() is self.welcome and focus_lost_in(self.welcome):
            focus_first(self.welcome)

    def _retitle(self, workspace: QWidget) -> None:
        """The tab says "(read-only)" once the first load found the file cannot be written."""
        index = self.tabs.indexOf(workspace)
        if index >= 0:
            self.tabs.setTabText(index, workspace.tab_title())  # type: ignore[attr-defined]
            self.tabs.setTabToolTip(index, workspace.tab_tip())  # type: ignore[attr-defined]
        self._update_title()

    def _update_title(self) -> None:
        """The title names the ledger in front ("dmv.ledger (read-only) — Ledger Desktop"),
        as task bars, window switchers and screenshots show it; the window's file path lets
        the platform show the file (macOS's proxy icon)."""
        workspace = self.current_workspace()
        if workspace is None:
            self.setWindowFilePath("")
            self.setWindowTitle(APP_TITLE)
            return
        ro = " (read-only)" if workspace.read_only else ""
        self.setWindowFilePath(str(workspace.path))
        self.setWindowTitle(f"{workspace.path.name}{ro} — {APP_TITLE}")

    def _open_failed(self, workspace: QWidget, exc: BaseException) -> None:
        index = self.tabs.indexOf(workspace)
        if index >= 0:
            self.close_tab(index, ask=False)
        error_box(self, "Cannot open ledger", exc)

    def open_file(self, read_only: bool = False) -> None:
        title = "Open Ledger Read-Only" if read_only else "Open Ledger"
        path, _ = QFileDialog.getOpenFileName(self, title, self.ctx.settings.last_dir(),
                                              LEDGER_FILTER)
        if path:
            self.ctx.settings.set_last_dir(str(Path(path).parent))
            self.open_ledger(path, read_only=read_only)

    def open_sample(self) -> None:
        self.opener.open_sample()

    def close_view(self) -> None:
        """Ctrl+W (Ctrl+F4): the view in front of the current ledger, or the ledger itself
        when it shows none."""
        workspace = self.current_workspace()
        if workspace is not None and workspace.close_current_view() is None:
            self.close_tab(self.tabs.indexOf(workspace))

    def close_tab(self, index: int, ask: bool = True) -> bool:
        """Close a ledger tab (its × button, File > Close Ledger, Ctrl+Shift+W, Ctrl+W with no
        view open); with `ask`, an open transaction or a never-run PartiQL draft is not thrown
        away without a question. False: the tab stays."""
        from .views.workspace import LedgerWorkspace

        widget = self.tabs.widget(index)
        if not isinstance(widget, LedgerWorkspace):
            return False
        if ask and not self.confirm_close([widget]):
            return False
        # The question ran an event loop: tabs may have come and gone meanwhile (a ledger
        # whose open failed), so the tab is found again by its widget.
        index = self.tabs.indexOf(widget)
        if index < 0 or getattr(widget, "closed", False):
            return False
        self.tabs.removeTab(index)
        widget.shutdown()
        # Once it is deleted, its rows and views are garbage: collect then, not before (a
        # full pass over the still-alive grid walked its 60,000 documents for nothing).
        widget.destroyed.connect(self._collect_soon)
        widget.deleteLater()
        self._update_actions()
        return True

    def _collect_soon(self) -> None:
        """A full collection once the closed views' rows are freed (a slice at a time), and a
        moment later: a sort thread of the closed grid still holds its rows until it ends, and
        a full pass over 60,000 live documents takes ~0.4 s."""
        from .views.workspace import releasing_rows

        if releasing_rows():
            QTimer.singleShot(20, self._collect_soon)
        else:
            QTimer.singleShot(GC_AFTER_CLOSE_MS, self.gc_pacer.full)

    def confirm_close(self, workspaces: list[QWidget]) -> bool:
        """Ask before closing ledgers whose PartiQL editor has an open transaction (closing
        aborts it) or text that was never run (closing loses it). One question for every path
        that closes a ledger, quitting included; none for `--quit-after` (unattended: smoke
        tests, screenshots), which aborts."""
        if self.unattended:
            return True
        open_tx = [(ws, n) for ws in workspaces
                   if (n := ws.open_transaction()) is not None]  # type: ignore[attr-defined]
        drafts = [unrun_draft(ws.title(), tab) for ws in workspaces  # type: ignore[attr-defined]
                  for tab in ws.drafts()]  # type: ignore[attr-defined]
        if not open_tx and not drafts:
            return True
        lines = "\n".join(uncommitted(ws.title(), n) for ws, n in open_tx)
        return ask_before_close(self, lines, "\n".join(drafts),
                                "this ledger" if len(workspaces) == 1 else "the app")

    def open_proof_files(self) -> None:
        """Check a revision or block and its proof from files, with no ledger open."""
        from .verify.register import open_proof_window

        open_proof_window(self)

    def show_about(self) -> None:
        from .dialogs.about import AboutDialog

        AboutDialog(self).open()

    # -- drag and drop: files onto a ledger tab import; a folder makes a new ledger ----------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.opener.dropped(paths)

    # -- layout persistence -----------------------------------------------------------------
    def _save_session(self) -> None:
        """The ledgers open now (tab order, read-only or not, the one in front), for
        `restore_session` at the next start."""
        current = self.current_workspace()
        ledgers = [(str(ws.path), bool(ws.read_only))  # type: ignore[attr-defined]
                   for ws in self.workspaces()]
        self.ctx.settings.set_open_ledgers(ledgers,
                                           str(current.path) if current is not None else "")

    def restore_session(self) -> bool:
        """Reopen the ledgers that were open when the app last quit (a start with no PATH);
        the one then in front comes to the front. False: none was open, or none is left."""
        ledgers, current = self.ctx.settings.open_ledgers()
        gone = [p for p, _ro in ledgers if not Path(p).is_file()]
        for path, read_only in ledgers:
            if path not in gone:
                self.open_ledger(path, read_only=read_only)
        if gone:
            self.statusBar().showMessage(
                "Not reopened (no longer there): " + ", ".join(Path(p).name for p in gone), 10000)
        front = next((ws for ws in self.workspaces()
                      if str(ws.path) == current), None)  # type: ignore[attr-defined]
        if front is not None:
            self.tabs.setCurrentWidget(front)
        return bool(self.workspaces())

    def _restore_layout(self) -> None:
        geometry = self.ctx.settings.bytes_value(keys.KEY_GEOMETRY)
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.ctx.settings.bytes_value(keys.KEY_STATE)
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.confirm_close(self.workspaces()):
            event.ignore()
            return
        self.ctx.settings.set_bytes(keys.KEY_GEOMETRY, self.saveGeometry())
        self.ctx.settings.set_bytes(keys.KEY_STATE, self.saveState())
        self._save_session()
        for workspace in self.workspaces():
            workspace.save_layout()
        for index in reversed(range(self.tabs.count())):
            self.close_tab(index, ask=False)
        self.opener.shutdown()
        self.gc_pacer.stop()
        if retired_lanes():
            # Quitting: the closed ledgers' threads end at their next cancel check and close
            # their files; wait for that with nothing on screen rather than leave them running.
            self.hide()
            join_retired()
        super().closeEvent(event)
