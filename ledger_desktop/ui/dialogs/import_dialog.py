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
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
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


def error_line(exc: Any) -> str:
    if isinstance(exc, ImportFileError):
        where = os.path.basename(exc.file) if exc.file else "<input>"
        if exc.line is not None:
            where += f", line {exc.line}"
            if exc.column is not None:
                where += f", column {exc.column}"
        return f"{where}: {exc.reason}"
    return describe(exc)


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

    def __init__(self, workspace: LedgerWorkspace, paths: list[str]) -> None:
        super().__init__(workspace)
        self.setObjectName("importDialog")
        self.setWindowTitle("Import Files")
        self.setWindowIcon(icon("import"))
        self.workspace = workspace
        self.paths = [os.fspath(p) for p in paths]
        self.task: Any = None
        self.result_: Any = None

        self.files = QListWidget()
        self.files.setObjectName("importFiles")
        self.files.setMaximumHeight(90)
        self.files.currentRowChanged.connect(self._show_preview)
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
        # for good. A name that is not an identifier becomes one for a new table.
        self.table.setEditText(guess or table_name_of(stem))
        self.table.currentTextChanged.connect(self._update_target)
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
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("importCancel")
        self.import_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel_or_close)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{len(self.paths)} file(s)</b>"))
        layout.addWidget(self.files)
        layout.addWidget(QLabel("Preview (first records):"))
        layout.addWidget(self.preview, 1)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.errors)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(760, 600)
        self._previews: list[tuple[str, str, list[Any], Any]] = []
        self._update_target()
        self.load_previews()

    # -- preview ----------------------------------------------------------------------------
    def load_previews(self) -> None:
        paths, keep = list(self.paths), self.keep_strings.isChecked()
        task = self.workspace.ctx.tools.submit(lambda _r, _p, _c: load_previews(paths, keep),
                                               "preview import")
        task.succeeded.connect(self._previews_arrived)
        task.failed.connect(lambda e: self.status.setText(f"Cannot read the files: "
                                                          f"{describe(e)}"))

    def _previews_arrived(self, previews: list[tuple[str, str, list[Any], Any]]) -> None:
        self._previews = previews
        row = max(0, self.files.currentRow())
        self.files.blockSignals(True)
        self.files.clear()
        bad = []
        for path, fmt, _records, error in previews:
            item = QListWidgetItem(f"{os.path.basename(path)}  ({fmt}"
                                   f"{', unreadable' if error else ''})")
            item.setToolTip(path)
            self.files.addItem(item)
            if error is not None:
                bad.append(error_line(error))
        self.files.blockSignals(False)
        self.files.setCurrentRow(min(row, self.files.count() - 1))
        self._show_preview(self.files.currentRow())
        if bad:
            self._show_errors(bad)
            self.status.setText("Some files cannot be imported as they are; fix them or "
                                "remove them.")
        else:
            self.status.setText("Ready. The import is all or nothing: if any record fails, "
                                "nothing is committed.")
        self.previews_loaded.emit()

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

    def _show_errors(self, lines: list[str]) -> None:
        self.errors.clear()
        for line in lines:
            self.errors.addItem(QListWidgetItem(icon("cancel"), line))
        self.errors.setVisible(True)

    # -- import -----------------------------------------------------------------------------
    def start(self) -> Any:
        from ...engine.imports import import_files

        name = self.table.currentText().strip()
        if not name:
            self.status.setText("Choose or type a table name first.")
            return None
        create = self.workspace.table_by_name(name) is None
        paths, batch, keep = list(self.paths), self.batch.value(), self.keep_strings.isChecked()
        self.errors.setVisible(False)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.import_button.setEnabled(False)
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
        self._show_errors([error_line(exc)])
        self.status.setText("The import failed and nothing was committed.")
        self.progress.setVisible(False)
        self.import_button.setEnabled(True)
        self.table.setEnabled(True)
        self.import_failed.emit(exc)

    def _cancelled(self) -> None:
        self.status.setText("Cancelled: nothing was committed.")
        self.progress.setVisible(False)
        self.import_button.setEnabled(True)
        self.table.setEnabled(True)

    def _finished(self) -> None:
        self.task = None

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
