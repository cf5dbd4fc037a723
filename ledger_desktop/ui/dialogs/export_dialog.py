"""File > Export Journal…: where, in which of QLDB's formats, and which blocks (by time)."""

from __future__ import annotations

import datetime as _dt
import html
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

FORMATS = [("Ion text (one block per line)", "ion_text"), ("Ion binary", "ion_binary"),
           ("JSON (down-converted, as QLDB's JSON exports)", "json")]


class ExportDialog(QDialog):
    """The choices of `ledger export`; the export itself runs in the workspace."""

    def __init__(self, parent: QWidget | None, ledger_name: str, start_dir: str) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export Journal")
        intro = QLabel(f"Export the journal of <b>{html.escape(ledger_name)}</b> in QLDB's S3 "
                       "export layout (manifests and data objects). <code>ledger "
                       "verify-export</code> checks it; Import QLDB Export reads it back.")
        intro.setWordWrap(True)
        self.folder = QLineEdit(str(Path(start_dir) / f"{ledger_name}-export"))
        self.folder.setObjectName("exportFolder")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        self.format = QComboBox()
        self.format.setObjectName("exportFormat")
        for label, fmt in FORMATS:
            self.format.addItem(label, fmt)
        self.start = QLineEdit()
        self.start.setObjectName("exportStart")
        self.start.setPlaceholderText("the first block (or e.g. 2024-05-01T00:00:00Z)")
        self.end = QLineEdit()
        self.end.setObjectName("exportEnd")
        self.end.setPlaceholderText("now (exclusive)")
        form = QFormLayout()
        form.addRow("Folder:", row)
        form.addRow("Format:", self.format)
        form.addRow("From:", self.start)
        form.addRow("Until:", self.end)
        # Checked here, so a mistyped time is fixed in place: checked by the export, it failed
        # after the dialog had closed, with a traceback, and the choices had to be made again.
        self.error = QLabel("")
        self.error.setObjectName("exportError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d0453a;")
        self.error.hide()
        for field in (self.folder, self.start, self.end):
            field.textEdited.connect(lambda _t: self.error.hide())
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                        QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(560, self.sizeHint().height())

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Export Into Folder",
                                                  str(Path(self.folder.text()).parent))
        if chosen:
            self.folder.setText(chosen)

    def problem(self) -> tuple[QLineEdit, str] | None:
        """The first input the export would refuse, and why (None: all can be used)."""
        from ...engine.errors import UserError
        from ...engine.exports import _as_timestamp  # the export's own reading of a time
        from ...engine.index_keys import timestamp_instant

        if not self.folder.text().strip():
            return self.folder, "Choose a folder to export into."
        bounds: dict[str, Any] = {}
        for key, field, name in (("start", self.start, "From"), ("end", self.end, "Until")):
            text = field.text().strip()
            if text:
                try:
                    bounds[key] = timestamp_instant(_as_timestamp(text))
                except UserError as e:
                    return field, f"{name}: {e}"
        now = timestamp_instant(_dt.datetime.now(_dt.UTC))
        if "end" in bounds and bounds["end"] > now:
            return self.end, ("Until: the time is in the future; give one at or before now, "
                              "or leave it empty to export through the latest block.")
        if "start" in bounds and bounds["start"] >= bounds.get("end", now):
            return self.start, ("From: the time must be before "
                                + ("Until." if "end" in bounds else "now."))
        return None

    def accept(self) -> None:
        found = self.problem()
        if found is None:
            super().accept()
            return
        field, message = found
        self.error.setText(message)
        self.error.show()
        field.setFocus()
        field.selectAll()

    def choices(self) -> tuple[Path, str, str | None, str | None]:
        """(folder, format, start, end); empty times are None (the whole journal)."""
        return (Path(self.folder.text().strip()), str(self.format.currentData()),
                self.start.text().strip() or None, self.end.text().strip() or None)
