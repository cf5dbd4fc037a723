"""One open ledger: the browser tree on the left and a tab area of views on the right.

Views are created through a registry of kinds ("documents", "history", "block", "query", and
whatever later features register, such as a chain view), so the workspace stays a shell.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QSplitter, QTabWidget, QVBoxLayout, QWidget

from ...workers.session import LedgerSession
from ..context import AppContext

#: kind -> factory(workspace, key) -> QWidget; a view may define `title()` and `trigger(id)`.
ViewFactory = Callable[["LedgerWorkspace", Any], QWidget]
VIEW_KINDS: dict[str, ViewFactory] = {}


def register_view(kind: str, factory: ViewFactory) -> None:
    """Make a new kind of view available to every workspace (e.g. issue 6's chain view)."""
    VIEW_KINDS[kind] = factory


class LedgerWorkspace(QWidget):
    open_failed = Signal(object)
    actions_changed = Signal()
    loaded = Signal()

    def __init__(self, ctx: AppContext, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ledgerWorkspace")
        self.ctx = ctx
        self.path = Path(path)
        self.session = LedgerSession(self.path, self)
        self.tables: list[Any] = []
        self.block_count = 0
        self._views: dict[tuple[str, Any], QWidget] = {}

        self.views = QTabWidget()
        self.views.setObjectName("workspaceViews")
        self.views.setDocumentMode(True)
        self.views.setTabsClosable(True)
        self.views.setMovable(True)
        self.views.tabCloseRequested.connect(self.close_view)
        self.views.currentChanged.connect(lambda _i: self.actions_changed.emit())

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("workspaceSplitter")
        self.side = QWidget()
        self.side_layout = QVBoxLayout(self.side)
        self.side_layout.setContentsMargins(0, 0, 0, 0)
        self.splitter.addWidget(self.side)
        self.splitter.addWidget(self.views)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([280, 1000])

        self.status = QLabel("Opening…")
        self.status.setObjectName("workspaceStatus")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.status)
        self.reload()

    def title(self) -> str:
        return self.path.stem

    # -- loading ----------------------------------------------------------------------------
    def reload(self) -> None:
        task = self.session.read(lambda ledger, _p, _c: (ledger.tables(include_inactive=True),
                                                         ledger.block_count(), ledger.tip()),
                                 "load catalog")
        task.succeeded.connect(self._loaded)
        task.failed.connect(self.open_failed.emit)

    def _loaded(self, result: tuple[list[Any], int, Any]) -> None:
        self.tables, self.block_count, tip = result
        active = sum(1 for t in self.tables if t.status == "ACTIVE")
        self.status.setText(f"  {self.path}  ·  {active} tables  ·  {self.block_count:,} blocks"
                            + (f"  ·  tip {tip.text()}" if tip is not None else ""))
        self.loaded.emit()

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
        index = self.views.addTab(widget, title)
        if hasattr(widget, "windowIcon"):
            self.views.setTabIcon(index, widget.windowIcon())
        self.views.setCurrentIndex(index)
        return widget

    def close_view(self, index: int) -> None:
        widget = self.views.widget(index)
        for k, w in list(self._views.items()):
            if w is widget:
                del self._views[k]
        self.views.removeTab(index)
        if hasattr(widget, "shutdown"):
            widget.shutdown()
        widget.deleteLater()

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

    def do_refresh(self) -> None:
        self.reload()

    def import_files(self, paths: list[str]) -> None:
        from ..dialogs.import_dialog import ImportDialog

        ImportDialog(self, paths).open()

    # -- lifetime ---------------------------------------------------------------------------
    def save_layout(self) -> None:
        pass

    def shutdown(self) -> None:
        for index in reversed(range(self.views.count())):
            self.close_view(index)
        self.session.close()
