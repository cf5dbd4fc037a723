"""What a ledger's view area shows when no view is open: what the ledger holds and what to do
next (create a table, import files, run PartiQL), instead of a blank grey area.

Drops need nothing here: no widget of this page accepts them, so Qt hands a drop on it to the
main window, which imports data files into the ledger in front (`Opener.dropped`).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QFont, QKeySequence
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ..actions import spec
from ..icons import icon
from ..wording import READ_ONLY_NOTE, count

#: (action id, button text, icon, for a writable ledger only)
_NO_TABLES = (("create_table", "Create Table…", "add-table", True),
              ("import_files", "Import Files…", "import", True),
              ("show_query", "Run PartiQL", "query", False))
_NO_VIEW = (("show_query", "Run PartiQL", "query", False),
            ("import_files", "Import Files…", "import", True),
            ("create_table", "Create Table…", "add-table", True),
            ("show_chain", "Hash Chain", "journal", False))


def shortcut_text(action_id: str) -> str:
    """The action's first key binding as the platform writes it ("Ctrl+T"), or ""."""
    key = spec(action_id).shortcut
    if key is None:
        return ""
    seqs = QKeySequence.keyBindings(key) if isinstance(key, QKeySequence.StandardKey) \
        else [QKeySequence(key)]
    return seqs[0].toString(QKeySequence.SequenceFormat.NativeText) if seqs else ""


class EmptyWorkspace(QWidget):
    """Two states: the ledger has no (active) tables, or it has some and no view is open."""

    action_requested = Signal(str)  # an action id the workspace handles (do_<id>)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyWorkspace")
        self.title = QLabel()
        self.title.setObjectName("emptyTitle")
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("emptyMessage")
        self.message.setWordWrap(True)
        self.drop_hint = QLabel()
        self.drop_hint.setObjectName("emptyDropHint")
        self.drop_hint.setWordWrap(True)
        self.drop_hint.setEnabled(False)  # the greyed text of a hint, as on the Start tab

        self.buttons: dict[str, QPushButton] = {}
        self._grid = QGridLayout()
        self._grid.setHorizontalSpacing(12)
        self._grid.setColumnStretch(0, 1)

        panel = QVBoxLayout()
        panel.addWidget(self.title)
        panel.addWidget(self.message)
        panel.addSpacing(8)
        panel.addLayout(self._grid)
        panel.addSpacing(8)
        panel.addWidget(self.drop_hint)
        box = QWidget()
        box.setLayout(panel)
        box.setMaximumWidth(440)
        box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box, 4)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.state = ""

    def set_state(self, active: int, dropped: int, read_only: bool = False) -> None:
        """`active`, `dropped`: the ledger's tables of each status."""
        if active == 0:
            self.state = "no tables"
            if dropped:
                self.title.setText("This ledger has no active tables")
                undrop = "undrop one from the list on the left" if not read_only else ""
                self.message.setText(
                    ("Its only table is" if dropped == 1 else f"All its {dropped:,} tables are")
                    + f" dropped{': ' + undrop if undrop else ''}.")
            else:
                self.title.setText("This ledger has no tables yet")
                self.message.setText("A table holds documents; every change to them is kept "
                                     "in the journal.")
            items = _NO_TABLES
        else:
            self.state = "no view"
            self.title.setText(f"{count(active, 'table')}, no view open")
            self.message.setText("Double-click a table on the left to browse its documents, "
                                 "or:")
            items = _NO_VIEW
        if read_only:
            self.message.setText(f"{self.message.text()}\nThis ledger is {READ_ONLY_NOTE}.")
        self._fill(items, read_only)
        self.drop_hint.setText(
            "or drop a ledger file or a QLDB export folder here to open it" if read_only else
            "or drop Ion, JSON, CSV files or a QLDB export here")

    def _fill(self, items: tuple[tuple[str, str, str, bool], ...], read_only: bool) -> None:
        while self._grid.count():
            widget = self._grid.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.buttons.clear()
        for row, (action_id, text, icon_name, writes) in enumerate(items):
            button = QPushButton(icon(icon_name), "  " + text)
            button.setObjectName(f"empty_{action_id}")
            button.setIconSize(QSize(22, 22))
            button.setMinimumHeight(36)
            button.setStyleSheet("text-align: left; padding-left: 10px;")
            keys = shortcut_text(action_id)
            button.setToolTip(spec(action_id).tip + (f" ({keys})" if keys else ""))
            if writes and read_only:
                button.setEnabled(False)
                button.setToolTip(READ_ONLY_NOTE)
            button.clicked.connect(lambda _c=False, a=action_id: self.action_requested.emit(a))
            self.buttons[action_id] = button
            self._grid.addWidget(button, row, 0)
            key_label = QLabel(keys)
            key_label.setEnabled(False)
            self._grid.addWidget(key_label, row, 1)
