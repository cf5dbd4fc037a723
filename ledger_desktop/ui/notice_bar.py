"""A notice that stays until dismissed, with an action or two: what a long job left behind
(an export's folder) must not vanish with the status bar's 6 seconds."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from .icons import icon


def open_folder(folder: Path) -> bool:
    """Show `folder` in the platform's file manager."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


class NoticeBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel()
        self.label.setObjectName("noticeText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QToolButton()
        self.close_button.setObjectName("noticeClose")
        self.close_button.setIcon(icon("close"))
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Dismiss")
        self.close_button.clicked.connect(self.dismiss)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(6, 2, 2, 2)
        self._layout.addWidget(self.label, 1)
        self._layout.addWidget(self.close_button)
        self.buttons: list[QPushButton] = []
        self.setVisible(False)

    def show_notice(self, text: str,
                    actions: Sequence[tuple[str, Callable[[], object]]] = ()) -> None:
        """`text` with a button per (label, action); it replaces the notice shown before."""
        for button in self.buttons:
            self._layout.removeWidget(button)
            button.deleteLater()
        self.buttons = []
        self.label.setText(text)
        for index, (label, action) in enumerate(actions):
            button = QPushButton(label)
            button.setObjectName(f"noticeAction{index}")
            button.clicked.connect(lambda _c=False, a=action: a())
            self._layout.insertWidget(1 + index, button)
            self.buttons.append(button)
        self.setVisible(True)

    def dismiss(self) -> None:
        self.setVisible(False)
