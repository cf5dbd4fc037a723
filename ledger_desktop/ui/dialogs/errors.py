"""Errors reach the user as a dialog with a clear message and expandable details."""

from __future__ import annotations

import logging
import traceback

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from ...engine import errors

log = logging.getLogger("ledger_desktop.ui")


def describe(exc: BaseException) -> str:
    """One clear sentence for the user: engine errors already carry one."""
    if isinstance(exc, errors.LedgerError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc)
    return f"Unexpected error: {type(exc).__name__}: {exc}"


def shows_traceback(exc: BaseException) -> bool:
    """A traceback is for a bug. A refusal (a user error: a bad time, a folder that is a
    file), a file that cannot be a ledger (not one, a newer schema), a conflict, a ledger
    that does not agree with its hashes, or the environment saying no (a full disk, no such
    folder, no permission) is told in its message alone; its traceback goes to the log."""
    return not isinstance(exc, errors.UserError | errors.LedgerFileError | errors.ConflictError
                          | errors.StorageError | errors.IntegrityError | OSError)


def error_box(parent: QWidget | None, title: str, exc: BaseException,
              details: str = "") -> QMessageBox:
    """A non-blocking error dialog (it deletes itself when closed)."""
    if not details and exc.__traceback__ is not None:
        details = "".join(traceback.format_exception(exc))
    if not shows_traceback(exc):
        log.debug("%s: %s", title, details)
        details = ""
    log.error("%s: %s", title, describe(exc))
    box = QMessageBox(QMessageBox.Icon.Critical if not isinstance(exc, errors.UserError)
                      else QMessageBox.Icon.Warning, title, describe(exc),
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorDialog")
    if details:
        box.setDetailedText(details)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    box.open()
    return box
