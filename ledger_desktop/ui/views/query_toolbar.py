"""The PartiQL view's toolbar: Run, Explain, Cancel | Begin, Commit, Abort | Save Results.

Every button stays in sight at any width the window allows: when the row is too narrow the
long names shorten ("Begin", "Save…"), then Cancel and Save show their icons only, then
Explain too; the full names stay in the tooltips and the Query menu. (Beside the editor and with every
name in full, an 800-pixel window put Commit, Abort and Save Results behind the "»".)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QResizeEvent
from PySide6.QtWidgets import QToolBar, QWidget

from ..actions import make_action, spec

GROUPS = (("run_query", "explain_query", "cancel_query"), ("begin_tx", "commit_tx", "abort_tx"),
          ("save_results",))
#: the shorter names, when the full ones do not fit
SHORT = {"begin_tx": "Begin", "save_results": "Save…"}
#: (level, short names, the buttons showing their icon only), richest first: Run and the
#: transaction's words are never cut
LEVELS: tuple[tuple[str, bool, tuple[str, ...]], ...] = (
    ("full", False, ()),
    ("short", True, ()),
    ("narrow", True, ("cancel_query", "save_results")),
    ("compact", True, ("cancel_query", "save_results", "explain_query")),
)


class QueryToolbar(QToolBar):
    def __init__(self, trigger: Callable[[str], Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("queryToolbar")
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.actions_: dict[str, QAction] = {}
        for i, group in enumerate(GROUPS):
            if i:
                self.addSeparator()
            for action_id in group:
                s = spec(action_id)
                action = make_action(s, self)
                action.setShortcut("")  # the window's actions own the shortcuts
                # the name as well: a short or icon-only button has lost some of it
                action.setToolTip(f"{s.text.replace('&', '')}: {s.tip}")
                action.triggered.connect(lambda _c=False, i=action_id: trigger(i))
                self.addAction(action)
                self.actions_[action_id] = action
        self.level = "full"
        self._widths: dict[str, int] = {}  # each level's width, measured when first needed

    def _apply(self, level: str) -> None:
        self.level = level
        _name, short, icon_only = next(lv for lv in LEVELS if lv[0] == level)
        for action_id, action in self.actions_.items():
            full = spec(action_id).text
            action.setText(SHORT.get(action_id, full) if short else full)
            button = self.widgetForAction(action)
            if button is not None:
                button.setToolButtonStyle(
                    Qt.ToolButtonStyle.ToolButtonIconOnly if action_id in icon_only
                    else Qt.ToolButtonStyle.ToolButtonTextBesideIcon)

    def fit(self) -> None:
        """Show the richest level the toolbar's width holds."""
        chosen = LEVELS[-1][0]
        for level, _short, _icons in LEVELS:
            if level not in self._widths:
                self._apply(level)
                self._widths[level] = self.sizeHint().width()
            if self._widths[level] <= self.width():
                chosen = level
                break
        if chosen != self.level:  # measuring left another level showing
            self._apply(chosen)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.fit()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._widths.clear()  # measured again in the new font
