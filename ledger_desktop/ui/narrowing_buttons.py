"""Push buttons that drop their text, keeping icon and tooltip, when their bar is narrow.

A push button never shrinks below its text (and, in most styles, 80 px), so in a narrow
window the bar's stretching field was squeezed instead, to a few pixels ("v…").
"""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton


class NarrowingButtons:
    def __init__(self, buttons: list[QPushButton]) -> None:
        self.buttons = buttons
        self.texts = [b.text() for b in buttons]
        for b, text in zip(buttons, self.texts, strict=True):
            if not b.toolTip():
                b.setToolTip(text.replace("&", ""))
            # the least width is the icon's, whatever is shown: a button's text in the
            # window's minimum size would keep the window too wide to ever drop it
            b.setText("")
            b.setMinimumWidth(b.sizeHint().width())
            b.setText(text)
        self.compact = False
        self._text_width = 0

    def text_width(self) -> int:
        """The buttons' width with their text (measured while they show it: the font and
        style may change)."""
        if not self.compact:
            self._text_width = sum(b.sizeHint().width() for b in self.buttons)
        return self._text_width

    def fit(self, room: int) -> None:
        """Show the texts when `room` pixels hold the buttons with them, else icons only."""
        compact = room < self.text_width()
        if compact == self.compact:
            return
        self.compact = compact
        for b, text in zip(self.buttons, self.texts, strict=True):
            b.setText("" if compact else text)
