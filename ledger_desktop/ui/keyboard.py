"""Keyboard-only use: Tab leaves a grid, Enter on a grid row does what a double-click does,
and the view in front gets the focus when a view or a ledger tab comes to the front.

Without these, Tab moved from cell to cell and never reached the document pane, Enter did
nothing, and closing a view (Ctrl+W) or opening a ledger left the focus on a tab bar, where
the arrow keys switch tabs instead of moving in the grid.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QApplication, QTabBar, QWidget

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def tab_leaves(grid: QAbstractItemView) -> None:
    """Tab and Shift+Tab move to the next widget; the arrow keys move between cells."""
    grid.setTabKeyNavigation(False)


class _EnterActivates(QObject):
    def __init__(self, grid: QAbstractItemView, activate: Callable[[QModelIndex], object]) -> None:
        super().__init__(grid)
        self._grid = grid
        self._activate = activate

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in _ENTER \
                and event.modifiers() in (Qt.KeyboardModifier.NoModifier,
                                          Qt.KeyboardModifier.KeypadModifier):
            index = self._grid.currentIndex()
            if index.isValid():
                self._activate(index)
                return True
        return False


def enter_activates(grid: QAbstractItemView, activate: Callable[[QModelIndex], object]) -> None:
    """Enter (not Ctrl+Enter, which runs a statement) on the current row calls `activate`,
    as a double-click on it does. Not `activated`: some desktops emit that on a single
    click."""
    grid.installEventFilter(_EnterActivates(grid, activate))


def focus_first(view: QWidget) -> None:
    """Focus `view`'s focus proxy, else its first visible widget that takes Tab focus."""
    proxy = view.focusProxy()
    if proxy is not None and proxy.isVisible():
        proxy.setFocus(Qt.FocusReason.OtherFocusReason)
        return
    widget = view.nextInFocusChain()
    while widget is not None and widget is not view:
        if view.isAncestorOf(widget) and widget.isVisible() and widget.isEnabled() \
                and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        widget = widget.nextInFocusChain()


def focus_lost_in(area: QWidget) -> bool:
    """The focus is nowhere useful for `area`: on no widget, on a tab bar, on a hidden
    widget, or outside `area` (a tab that has just been left)."""
    focus = QApplication.focusWidget()
    return (focus is None or isinstance(focus, QTabBar) or not focus.isVisible()
            or not area.isAncestorOf(focus))
