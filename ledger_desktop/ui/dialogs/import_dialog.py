"""Import files into a table: preview the first records, pick or create the table, import off
the GUI thread with a progress bar and Cancel; errors list file, line and reason.

The engine commits an import all-or-nothing (`imports.import_files` runs inside one SQLite
transaction), so a failed or cancelled import leaves the ledger exactly as it was.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
)

from ...engine.errors import ImportFileError
from ..dialogs.errors import describe
from ..icons import icon
from ..models.values import ValuesModel

if TYPE_CHECKING:
    from ..views.workspace import LedgerWorkspace

PREVIEW_ROWS = 20


def load_previews(paths: list[str], keep_strings: bool) -> list[tuple[str, str, list[Any], Any]]:
    """(path, format, first records, error or None) for each file."""
    from ...engine.imports import preview
    from ...engine.readers import detect_format

    out = []
    for p in paths:
        try:
            fmt = detect_format(p)
            out.append((p, fmt, preview(p, PREVIEW_ROWS, keep_strings=keep_strings), None))
        except Exception as e:  # shown per file in the dialog
            out.append((p, "?", [], e))
    return out


_CONTAINERS = {"STRUCT": "struct", "LIST": "list", "SEXP": "s-expression"}
#: the Ion and JSON readers' own messages, said in the user's terms (the file, line and column
#: are already given); the reader's text stays in the error's tooltip
_PLAIN_REASONS: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"Illegal character (.) \(in \w+ value contained in (\w+)\. Delimiter (.) "
                r"not found after value\)"),
     lambda m: f"unexpected {m[1]!r}: a {m[3]!r} is missing after the previous value in this "
               f"{_CONTAINERS.get(m[2], m[2].lower())}"),
    (re.compile(r"Illegal character (.) \(in \w+ value contained in (\w+)\. Encountered "
                r"delimiter (.) without preceding value\)"),
     lambda m: f"unexpected {m[3]!r}: a value is missing before it in this "
               f"{_CONTAINERS.get(m[2], m[2].lower())}"),
    (re.compile(r"Illegal character (.)\b.*"), lambda m: f"unexpected character {m[1]!r}: "
                                                         "this is not valid Ion text"),
    (re.compile(r"Expecting value"), lambda m: "a value is missing, or is not valid JSON"),
    (re.compile(r"Expecting property name enclosed in double quotes"),
     lambda m: "a field name must be a string in double quotes (JSON)"),
    (re.compile(r"Expecting ',' delimiter"), lambda m: "a ',' is missing between two values"),
    (re.compile(r"Expecting ':' delimiter"), lambda m: "a ':' is missing after a field name"),
    (re.compile(r"Extra data"),
     lambda m: "more text after the end of the record (JSON Lines: one value per line)"),
    (re.compile(r"Unterminated string starting at.*"),
     lambda m: "a string is never closed (a '\"' is missing)"),
    (re.compile(r"Invalid control character at.*"),
     lambda m: "a tab or line break inside a string must be written as \\t or \\n"),
]


def plain_reason(reason: str) -> str:
    """A reader's message in plain words ("Illegal character b (in unknown value contained in
    STRUCT. Delimiter , not found after value)" -> "unexpected 'b': a ',' is missing after the
    previous value in this struct"); other messages are returned as they are."""
    for pattern, words in _PLAIN_REASONS:
        m = pattern.fullmatch(reason.strip())
        if m is not None:
            return str(words(m))
    return reason


def error_line(exc: Any) -> str:
    if isinstance(exc, ImportFileError):
        where = os.path.basename(exc.file) if exc.file else "<input>"
        if exc.line is not None:
            where += f", line {exc.line}"
            if exc.column is not None:
                where += f", column {exc.column}"
        return f"{where}: {plain_reason(str(exc.reason))}"
    return describe(exc)


def raw_error(exc: Any) -> str:
    """The reader's own message, for the tooltip of a reworded one."""
    return str(exc.reason) if isinstance(exc, ImportFileError) else describe(exc)


def table_name_of(stem: str) -> str:
    """A new table's name from a file name: `my data-2024` -> `my_data_2024`."""
    name = re.sub(r"[^A-Za-z0-9_]+", "_", stem).strip("_")
    if not name:
        return "Imported"
    return name if not name[0].isdigit() else f"T_{name}"


class ImportDialog(QDialog):
    imported = Signal(object)   # ImportResult
    import_failed = Signal(object)
    previews_loaded = Signal()

    def __init__(self, workspace: LedgerWorkspace, paths: list[str],
                 table: str | None = None) -> None:
        """`table`: the table to import into (a table's context menu), else one is guessed
        from the first file's name."""
        super().__init__(workspace)
        self.setObjectName("importDialog")
        # several ledgers can be open: the dialog names the one it writes to
        self.setWindowTitle(f"Import Files into {workspace.title()}")
        self.setWindowIcon(icon("import"))
        self.workspace = workspace
        self.paths = [os.fspath(p) for p in paths]
        self.task: Any = None
        self.result_: Any = None

        self.files = QListWidget()
        self.files.setObjectName("importFiles")
        self.files.setMaximumHeight(90)
        self.files.currentRowChanged.connect(self._show_preview)
        self.files.currentRowChanged.connect(lambda _r: self._update_buttons())
        self.remove_button = QPushButton("Remove from List")
        self.remove_button.setObjectName("importRemoveFile")
        self.remove_button.setToolTip("Leave the selected file out of this import")
        self.remove_button.clicked.connect(self.remove_current_file)
        self.preview_model = ValuesModel(self)
        self.preview = QTableView()
        self.preview.setObjectName("importPreview")
        self.preview.setModel(self.preview_model)
        self.preview.setAlternatingRowColors(True)
        self.preview.setWordWrap(False)
        self.preview.verticalHeader().setDefaultSectionSize(self.preview.fontMetrics().height()
                                                            + 8)

        self.table = QComboBox()
        self.table.setObjectName("importTable")
        self.table.setEditable(True)
        actives = sorted(t.name for t in workspace.tables if t.status == "ACTIVE")
        self.table.addItems(actives)
        stem = os.path.splitext(os.path.basename(self.paths[0]))[0] if self.paths else ""
        guess = next((n for n in actives if n.lower() == stem.lower()), None)
        # Never an unrelated existing table: one click on Import would append the rows there,
        # for good. A name that is not an identifier becomes one for a new table. A table the
        # user chose (its context menu) wins over any guess.
        self.table.setEditText(table if table in actives else guess or table_name_of(stem))
        self.table.currentTextChanged.connect(self._update_target)
        self.table.currentTextChanged.connect(lambda _t: self._update_buttons())
        self.target_note = QLabel("")
        self.target_note.setObjectName("importTargetNote")
        # the reader infers ints, decimals and booleans per column, not timestamps
        self.keep_strings = QCheckBox("Keep CSV values as strings (no number or true/false "
                                      "detection)")
        self.keep_strings.setObjectName("importKeepStrings")
        self.keep_strings.toggled.connect(lambda _c: self.load_previews())
        self.batch = QSpinBox()
        self.batch.setObjectName("importBatch")
        self.batch.setRange(1, 100_000)
        self.batch.setValue(1000)
        self.batch.setSuffix(" documents per block")
        form = QFormLayout()
        form.addRow("Into table:", self.table)
        form.addRow("", self.target_note)
        form.addRow("Batch:", self.batch)
        form.addRow("", self.keep_strings)

        self.progress = QProgressBar()
        self.progress.setObjectName("importProgress")
        self.progress.setVisible(False)
        self.errors = QListWidget()
        self.errors.setObjectName("importErrors")
        self.errors.setVisible(False)
        self.errors.setMaximumHeight(110)
        self.status = QLabel("Reading the first records…")
        self.status.setObjectName("importStatus")
        self.status.setWordWrap(True)

        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton("Import",
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setObjectName("importButton")
        self.import_button.setEnabled(False)  # until the files have been read
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("importCancel")
        self.import_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel_or_close)

        self.header = QLabel("")
        self.header.setObjectName("importHeader")
        self.header.setToolTip(str(workspace.path))
        files_row = QHBoxLayout()
        files_row.addWidget(self.files, 1)
        files_row.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addLayout(files_row)
        layout.addWidget(QLabel("Preview (first records):"))
        layout.addWidget(self.preview, 1)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.errors)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(760, 600)
        self._previews: list[tuple[str, str, list[Any], Any]] = []
        self._update_header()
        self._update_target()
        self._update_buttons()
        self.load_previews()

    def _update_header(self) -> None:
        n = len(self.paths)
        self.header.setText(f"<b>{n} file{'' if n == 1 else 's'}</b> to import into the "
                            f"ledger <b>{self.workspace.title()}</b>")

    # -- preview ----------------------------------------------------------------------------
    def load_previews(self) -> None:
        paths, keep = list(self.paths), self.keep_strings.isChecked()
        task = self.workspace.ctx.tools.submit(lambda _r, _p, _c: load_previews(paths, keep),
                                               "preview import")
        task.succeeded.connect(self._previews_arrived)
        task.failed.connect(lambda e: self.status.setText(f"Cannot read the files: "
                                                          f"{describe(e)}"))

    def _previews_arrived(self, previews: list[tuple[str, str, list[Any], Any]]) -> None:
        # a file removed while the previews were read stays out
        self._previews = [p for p in previews if p[0] in self.paths]
        self._show_files()
        self.previews_loaded.emit()

    def _show_files(self) -> None:
        row = max(0, self.files.currentRow())
        self.files.blockSignals(True)
        self.files.clear()
        bad: list[tuple[str, str]] = []
        for path, fmt, _records, error in self._previews:
            item = QListWidgetItem(f"{os.path.basename(path)}  ({fmt}"
                                   f"{', unreadable' if error else ''})")
            if error is not None:
                item.setIcon(icon("cancel"))
                bad.append((error_line(error), raw_error(error)))
            item.setToolTip(path)
            self.files.addItem(item)
        self.files.blockSignals(False)
        self.files.setCurrentRow(min(row, self.files.count() - 1))
        self._show_preview(self.files.currentRow())
        if bad:
            self._show_errors([line for line, _raw in bad], [raw for _line, raw in bad])
            n = len(bad)
            self.status.setText(
                f"{n} file{' cannot' if n == 1 else 's cannot'} be read (the reason is given "
                "above). Select it in the list and click Remove from List to import the "
                "others, or fix it and import it again.")
        else:
            self.errors.setVisible(False)
            self.status.setText(
                "No files left to import." if not self._previews else
                "Ready. The import is all or nothing: if any record fails, nothing is "
                "committed.")
        self._update_buttons()

    def remove_current_file(self) -> None:
        row = self.files.currentRow()
        if self.task is not None or not (0 <= row < len(self._previews)):
            return
        path = self._previews.pop(row)[0]
        self.paths.remove(path)
        self._update_header()
        self._show_files()

    def unreadable(self) -> list[str]:
        """The files whose first records could not be read (the import would fail)."""
        return [path for path, _fmt, _records, error in self._previews if error is not None]

    def _update_buttons(self) -> None:
        """Import only when it can succeed: every listed file read, a table named, nothing
        running; the tooltip says what is missing."""
        running = self.task is not None
        loaded = bool(self._previews) and len(self._previews) == len(self.paths)
        why = ("An import is running" if running else
               "No files to import" if not self.paths else
               "Reading the files…" if not loaded else
               "Remove the unreadable files first" if self.unreadable() else
               "Choose or type a table name" if not self.table.currentText().strip() else "")
        self.import_button.setEnabled(not why)
        self.import_button.setToolTip(why)
        self.remove_button.setEnabled(not running and 0 <= self.files.currentRow()
                                      < len(self._previews))

    def _show_preview(self, row: int) -> None:
        if not (0 <= row < len(self._previews)):
            self.preview_model.set_values([])
            return
        _path, _fmt, records, _error = self._previews[row]
        self.preview_model.set_values([r.value for r in records],
                                      [str(r.line) if r.line is not None else "" for r in
                                       records])
        self.preview.resizeColumnsToContents()

    def _update_target(self, *_args: Any) -> None:
        name = self.table.currentText().strip()
        if not name:
            self.target_note.setText("Choose a table")
        elif self.workspace.table_by_name(name) is not None:
            self.target_note.setText(f"Documents are added to the existing table {name}.")
        else:
            self.target_note.setText(f"A new table {name} is created in the same import.")

    def _show_errors(self, lines: list[str], tips: list[str] | None = None) -> None:
        self.errors.clear()
        for i, line in enumerate(lines):
            item = QListWidgetItem(icon("cancel"), line)
            if tips is not None and tips[i] not in line:
                item.setToolTip(f"The reader said: {tips[i]}")
            self.errors.addItem(item)
        self.errors.setVisible(True)

    # -- import -----------------------------------------------------------------------------
    def start(self) -> Any:
        from ...engine.imports import import_files

        name = self.table.currentText().strip()
        if not name:
            self.status.setText("Choose or type a table name first.")
            return None
        if not self.paths or self.unreadable():
            return None  # the button is disabled; the status says why
        create = self.workspace.table_by_name(name) is None
        paths, batch, keep = list(self.paths), self.batch.value(), self.keep_strings.isChecked()
        self.errors.setVisible(False)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.import_button.setEnabled(False)
        self.remove_button.setEnabled(False)
        self.table.setEnabled(False)
        self.status.setText(f"Importing into {name}…")
        task = self.workspace.session.write(
            lambda ledger, progress, cancel: import_files(
                ledger, name, paths, create_table=create, batch_size=batch, keep_strings=keep,
                progress=progress, cancel=cancel), "import files")
        self.task = task
        task.progressed.connect(self._progress)
        task.succeeded.connect(self._succeeded)
        task.failed.connect(self._failed)
        task.cancelled.connect(self._cancelled)
        task.finished.connect(self._finished)
        self._update_buttons()
        return task

    def _progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * min(done, total) / total))
            self.progress.setFormat(f"{done / 1e6:,.1f} of {total / 1e6:,.1f} MB")

    def _succeeded(self, result: Any) -> None:
        self.result_ = result
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.status.setText(f"Imported {result.documents:,} documents into {result.table_name} "
                            f"in {result.blocks:,} block(s).")
        self.cancel_button.setText("Close")
        self.imported.emit(result)
        self.workspace.show_message(self.status.text())
        self.workspace.open_table_named(result.table_name)

    def _failed(self, exc: Any) -> None:
        self._show_errors([error_line(exc)], [raw_error(exc)])
        self.status.setText("The import failed and nothing was committed.")
        self.progress.setVisible(False)
        self.table.setEnabled(True)
        self.import_failed.emit(exc)

    def _cancelled(self) -> None:
        self.status.setText("Cancelled: nothing was committed.")
        self.progress.setVisible(False)
        self.table.setEnabled(True)

    def _finished(self) -> None:
        self.task = None
        if self.result_ is None:  # failed or cancelled: it can be tried again
            self._update_buttons()
        else:
            self.import_button.setEnabled(False)
            self.remove_button.setEnabled(False)

    def cancel_or_close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.status.setText("Cancelling…")
        else:
            self.reject()

    def done(self, code: int) -> None:  # closing the dialog cancels a running import
        if self.task is not None:
            self.task.cancel()
        super().done(code)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() == Qt.Key.Key_Escape and self.task is not None:
            self.cancel_or_close()
            return
        super().keyPressEvent(event)
