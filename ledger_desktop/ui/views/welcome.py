"""The Start tab: open the sample, create a ledger, open a file, or pick a recent ledger."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..context import AppContext
from ..icons import app_icon, icon


class WelcomeView(QWidget):
    """Emits what the user chose; the main window does the opening."""

    open_sample = Signal()
    new_ledger = Signal()
    open_file = Signal()
    import_journal = Signal()
    open_recent = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomeView")
        self.ctx = ctx

        title_icon = QLabel()
        title_icon.setPixmap(app_icon().pixmap(64, 64))
        title = QLabel("Ledger Desktop")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 2.0)
        font.setBold(True)
        title.setFont(font)
        subtitle = QLabel("A local, QLDB-compatible ledger: every revision kept, "
                          "hash-chained and provable.")
        subtitle.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(title_icon)
        texts = QVBoxLayout()
        texts.addWidget(title)
        texts.addWidget(subtitle)
        head.addLayout(texts, 1)

        self.status = QLabel("")
        self.status.setObjectName("welcomeStatus")
        self.status.setWordWrap(True)

        buttons = QVBoxLayout()
        for name, text, tip, signal in (
            ("sample", "Open the sample ledger", "A small ledger of vehicles and owners with "
             "a history of changes", self.open_sample),
            ("new", "Create a new ledger…", "An empty ledger file", self.new_ledger),
            ("open", "Open a ledger file…", "A .ledger file on this computer", self.open_file),
            ("import", "Import a QLDB export…", "Build a ledger from a QLDB journal export "
             "folder", self.import_journal),
        ):
            button = QPushButton(icon(name), "  " + text)
            button.setObjectName(f"welcome_{name}")
            button.setToolTip(tip)
            button.setIconSize(QSize(28, 28))
            button.setMinimumHeight(44)
            button.setStyleSheet("text-align: left; padding-left: 12px;")
            button.clicked.connect(signal.emit)
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.recent = QListWidget()
        self.recent.setObjectName("recentList")
        self.recent.itemActivated.connect(self._activated)
        recent_box = QVBoxLayout()
        recent_title = QLabel("<b>Recent ledgers</b>")
        recent_box.addWidget(recent_title)
        recent_box.addWidget(self.recent, 1)
        self.recent_empty = QLabel("Ledgers you open appear here.")
        self.recent_empty.setEnabled(False)
        recent_box.addWidget(self.recent_empty)

        body = QHBoxLayout()
        body.addLayout(buttons, 2)
        body.addSpacing(24)
        body.addLayout(recent_box, 3)

        hint = QLabel("Tip: drop Ion, JSON, JSON Lines or CSV files on an open ledger to import "
                      "them; drop a QLDB export folder here to turn it into a ledger.")
        hint.setWordWrap(True)
        hint.setEnabled(False)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(48, 36, 48, 36)
        outer.addLayout(head)
        outer.addSpacing(24)
        outer.addLayout(body, 1)
        outer.addWidget(self.status)
        outer.addWidget(hint)
        self.refresh()

    def refresh(self) -> None:
        self.recent.clear()
        for path in self.ctx.settings.recent_files():
            ro = " (read-only)" if self.ctx.settings.recent_read_only(path) else ""
            item = QListWidgetItem(icon("ledger"), f"{Path(path).name}{ro}\n{path}")
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(path)
            if not Path(path).exists():
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                item.setText(f"{Path(path).name} (missing)\n{path}")
            self.recent.addItem(item)
        self.recent_empty.setVisible(self.recent.count() == 0)

    def set_status(self, text: str) -> None:
        self.status.setText(text)

    def _activated(self, item: QListWidgetItem) -> None:
        self.open_recent.emit(str(item.data(Qt.ItemDataRole.UserRole)))
