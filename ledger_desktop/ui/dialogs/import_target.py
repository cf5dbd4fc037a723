"""Which ledger should data files go into? Asked when data files are opened (a double-clicked
`.ion`/`.json`/`.csv`, a drop on the Start tab) while no ledger is in front: the answer leads to
the Import dialog instead of a note to open a ledger first."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

#: what the user chose: a listed ledger, another file to pick, or a new ledger to create
CHOSEN, OPEN_OTHER, NEW_LEDGER = "ledger", "open", "new"


class ImportTargetDialog(QDialog):
    def __init__(self, parent: QWidget, data: list[str], open_ledgers: list[Path],
                 recent: list[str]) -> None:
        super().__init__(parent)
        self.setObjectName("importTargetDialog")
        self.setWindowTitle("Import Files")
        self.choice: tuple[str, Path | None] | None = None
        names = ", ".join(os.path.basename(p) for p in data[:3]) + (
            f" and {len(data) - 3} more" if len(data) > 3 else "")
        intro = QLabel(f"Import <b>{names}</b> into which ledger? The next step shows the "
                       "first records and the table they go into; nothing is written before "
                       "you click Import there.")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)

        self.ledgers = QListWidget()
        self.ledgers.setObjectName("importTargetLedgers")
        seen: set[str] = set()
        for path, note in [*((p, "open") for p in open_ledgers),
                           *((Path(p), "recent") for p in recent)]:
            key = str(path.resolve()) if note == "open" else str(path)
            if key in seen or (note == "recent" and not path.is_file()):
                continue
            seen.add(key)
            item = QListWidgetItem(f"{path.name}   ({note} · {path.parent})")
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            self.ledgers.addItem(item)
        self.ledgers.itemDoubleClicked.connect(lambda _i: self._choose_listed())
        self.ledgers.currentRowChanged.connect(lambda _r: self._sync())
        empty = QLabel("No recent ledgers: open one or create a new one.")
        empty.setEnabled(False)
        empty.setVisible(self.ledgers.count() == 0)
        self.ledgers.setVisible(self.ledgers.count() > 0)

        buttons = QDialogButtonBox()
        self.into_button = buttons.addButton("Import into Selected",
                                             QDialogButtonBox.ButtonRole.AcceptRole)
        self.into_button.setObjectName("importTargetInto")
        self.open_button = buttons.addButton("Open Another Ledger…",
                                             QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.setObjectName("importTargetOpen")
        self.new_button = buttons.addButton("New Ledger…",
                                            QDialogButtonBox.ButtonRole.ActionRole)
        self.new_button.setObjectName("importTargetNew")
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.clicked.connect(self.reject)
        self.into_button.clicked.connect(self._choose_listed)
        self.open_button.clicked.connect(lambda: self._choose(OPEN_OTHER, None))
        self.new_button.clicked.connect(lambda: self._choose(NEW_LEDGER, None))

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.ledgers, 1)
        layout.addWidget(empty)
        layout.addWidget(buttons)
        if self.ledgers.count():
            self.ledgers.setCurrentRow(0)
        self._sync()
        self.resize(560, 340)

    def _sync(self) -> None:
        self.into_button.setEnabled(self.ledgers.currentItem() is not None)
        # with nothing listed, the likely next step is the default button
        (self.into_button if self.ledgers.count() else self.new_button).setDefault(True)

    def _choose_listed(self) -> None:
        item = self.ledgers.currentItem()
        if item is not None:
            self._choose(CHOSEN, Path(str(item.data(Qt.ItemDataRole.UserRole))))

    def _choose(self, kind: str, path: Path | None) -> None:
        self.choice = (kind, path)
        self.accept()
