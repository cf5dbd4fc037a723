"""File > Export Journal…: where, in which of QLDB's formats, and which blocks (by time)."""

from __future__ import annotations

import datetime as _dt
import html
import os
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
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
from shiboken6 import isValid

FORMATS = [("Ion text (one block per line)", "ion_text"), ("Ion binary", "ion_binary"),
           ("JSON (down-converted, as QLDB's JSON exports)", "json")]

# How long after the last keystroke the inputs are checked, and how long Export waits for the
# journal's answer (the reader lane may be busy) before it lets the export check for itself.
CHECK_DELAY_MS = 300
RANGE_WAIT_MS = 3000


def folder_problem(folder: Path, write_probe: bool = False) -> str | None:
    """Why the export could not write into `folder` (None: it can). Looks at the disk only
    (a few stat calls); `write_probe` also creates and removes a folder where the export
    would write, which is the only sure test (root may write anywhere by the permissions,
    and still not create a folder under /proc)."""
    if not folder.is_absolute():
        return "Folder: give the folder's full path (Browse… chooses one)."
    existing = folder
    try:
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        is_dir = existing.is_dir()
    except OSError as e:  # e.g. a parent that may not be listed
        return f"Folder: cannot look at {existing} ({e.strerror or e})."
    if not is_dir:
        return (f"Folder: {existing} exists and is not a folder." if existing == folder else
                f"Folder: {existing} is a file, so no folder can be created in it.")
    where = "write in" if existing == folder else "create a folder in"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"Folder: no permission to {where} {existing}."
    if write_probe:
        try:
            os.rmdir(tempfile.mkdtemp(prefix=".export-check-", dir=existing))
        except OSError as e:
            return f"Folder: cannot {where} {existing} ({e.strerror or e})."
    return None


def range_problem(ledger: Any, start: str | None, end: str | None) -> tuple[str, str] | None:
    """("start" | "end", why) when the export would refuse the time range [start, end) (None:
    it would not). Runs on a reader lane, through the export's own check, so it refuses
    exactly what the export refuses while the dialog is still open."""
    from ...engine.errors import UserError
    from ...engine.exports import export_range

    try:
        export_range(ledger, start, end)
    except UserError as e:
        why = str(e)
        if why.startswith("the ledger holds no blocks"):
            return "end", "The ledger holds no blocks: there is nothing to export."
        about_end = why.startswith(("no block was committed before", "the end time"))
        return ("end", f"Until: {why}.") if about_end else ("start", f"From: {why}.")
    return None


class ExportDialog(QDialog):
    """The choices of `ledger export`; the export itself runs in the workspace.

    Every input the export would refuse is refused here, next to its field, with Export
    disabled until it is corrected: a refusal after the dialog had closed came in an error
    box, and every choice had to be made again. The folder and the times are checked as they
    are typed; whether the journal has blocks in the time range is asked of the workspace's
    reader lane (when the parent is a workspace).
    """

    def __init__(self, parent: QWidget | None, ledger_name: str, start_dir: str) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export Journal")
        self._session = getattr(parent, "session", None)
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
        # The message goes under the field it is about (see _say).
        self.error = QLabel("")
        self.error.setObjectName("exportError")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.setStyleSheet("color: #d0453a;")
        self.error.hide()
        self._slots: dict[QLineEdit, QVBoxLayout] = {}
        form = QFormLayout()
        form.addRow("Folder:", self._slot(self.folder, row))
        form.addRow("Format:", self.format)
        form.addRow("From:", self._slot(self.start))
        form.addRow("Until:", self._slot(self.end))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                        QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._ranges: dict[tuple[str, str], tuple[str, str] | None] = {}  # the lane's answers
        self._asked: set[tuple[str, str]] = set()
        self._accept_when_checked = False
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self.check)
        self._wait_timer = QTimer(self)
        self._wait_timer.setSingleShot(True)
        self._wait_timer.setInterval(RANGE_WAIT_MS)
        self._wait_timer.timeout.connect(self._stop_waiting)
        for field in (self.folder, self.start, self.end):
            field.textChanged.connect(self._edited)
        self.resize(560, self.sizeHint().height())
        self.check()

    def _slot(self, field: QLineEdit, row: QHBoxLayout | None = None) -> QWidget:
        """The field (or its row) with room under it for the field's message."""
        box = QWidget()
        slot = QVBoxLayout(box)
        slot.setContentsMargins(0, 0, 0, 0)
        slot.setSpacing(2)
        if row is not None:
            slot.addLayout(row)
        else:
            slot.addWidget(field)
        self._slots[field] = slot
        return box

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Export Into Folder",
                                                  str(Path(self.folder.text()).parent))
        if chosen:
            self.folder.setText(chosen)

    # -- checking ---------------------------------------------------------------------------
    def problem(self, write_probe: bool = False) -> tuple[QLineEdit, str] | None:
        """The first input the export would refuse, and why (None: all can be used, as far
        as the journal's answer is known: see `check`)."""
        from ...engine.errors import UserError
        from ...engine.exports import _as_timestamp  # the export's own reading of a time
        from ...engine.index_keys import timestamp_instant

        if not self.folder.text().strip():
            return self.folder, "Choose a folder to export into."
        bad_folder = folder_problem(self.choices()[0], write_probe)
        if bad_folder is not None:
            return self.folder, bad_folder
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
        found = self._ranges.get(self._range_key())
        if found is not None:
            return (self.start if found[0] == "start" else self.end), found[1]
        return None

    def _range_key(self) -> tuple[str, str]:
        return self.start.text().strip(), self.end.text().strip()

    def _edited(self, _text: str = "") -> None:
        self._accept_when_checked = False
        self._check_timer.start()

    def check(self, write_probe: bool = False) -> tuple[QLineEdit, str] | None:
        """Show the first problem under its field and disable Export (or clear both); ask
        the reader lane about a time range it has not answered for yet."""
        self._check_timer.stop()
        found = self.problem(write_probe)
        key = self._range_key()
        if found is None and key not in self._ranges and self._session is not None:
            self._ask(key)
        if found is None:
            self.error.hide()
            self.ok.setEnabled(True)
        else:
            self._say(*found)
            self.ok.setEnabled(False)
        return found

    def _ask(self, key: tuple[str, str]) -> None:
        if key in self._asked:
            return
        self._asked.add(key)
        start, end = key
        task = self._session.read(  # type: ignore[union-attr]
            lambda ledger, _p, _c: range_problem(ledger, start or None, end or None),
            "check the export's time range")
        task.succeeded.connect(lambda found: self._answered(key, found))
        # The export itself will say what is wrong: the dialog stops waiting for an answer.
        task.failed.connect(lambda _e: self._answered(key, None))
        task.cancelled.connect(lambda: self._answered(key, None))

    def _answered(self, key: tuple[str, str], found: tuple[str, str] | None) -> None:
        if not isValid(self):  # the answer came after the dialog was deleted
            return
        self._ranges[key] = found
        if key != self._range_key():
            return
        waiting, self._accept_when_checked = self._accept_when_checked, False
        self._wait_timer.stop()
        if self.check() is None and waiting:
            super().accept()

    def _stop_waiting(self) -> None:
        """The lane is busy with other work: the export checks the range itself."""
        if self._accept_when_checked:
            self._accept_when_checked = False
            super().accept()

    def _say(self, field: QLineEdit, message: str) -> None:
        slot = self._slots[field]
        if slot.indexOf(self.error) < 0:
            for other in self._slots.values():
                other.removeWidget(self.error)
            slot.addWidget(self.error)
        self.error.setStyleSheet("color: #d0453a;")
        self.error.setText(message)
        self.error.show()
        # Room for the wrapped message: a dialog does not grow to its layout's height for its
        # width on its own, and a two-line message was cut off by the buttons.
        layout = self.layout()
        layout.activate()
        if layout.hasHeightForWidth():
            self.resize(self.width(), max(self.height(), layout.totalHeightForWidth(self.width())))

    def accept(self) -> None:
        found = self.check(write_probe=True)
        if found is not None:
            field = found[0]
            field.setFocus()
            field.selectAll()
            return
        if self._session is not None and self._range_key() not in self._ranges:
            # The journal has not answered yet (its reader lane may be busy): Export goes
            # on when it does, or after RANGE_WAIT_MS.
            self._accept_when_checked = True
            self._wait_timer.start()
            self._say(self.end, "Checking that the journal has blocks in that time…")
            self.error.setStyleSheet("")
            return
        super().accept()

    def choices(self) -> tuple[Path, str, str | None, str | None]:
        """(folder, format, start, end); empty times are None (the whole journal)."""
        return (Path(self.folder.text().strip()).expanduser(), str(self.format.currentData()),
                self.start.text().strip() or None, self.end.text().strip() or None)
