"""The question asked before closing something whose open transaction would be aborted."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def ask_abort_transaction(parent: QWidget, lines: str, what: str) -> bool:
    """The one question before closing something whose open transaction would be aborted (a
    ledger, the app, a PartiQL tab): True for Abort and Close. `lines` names what is open."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Open Transaction",
                      f"A transaction is still open:\n{lines}\n\nClosing {what} aborts it: "
                      "nothing of it is committed.",
                      QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                      parent)
    box.setObjectName("confirmCloseBox")
    box.button(QMessageBox.StandardButton.Discard).setText("Abort and Close")
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setEscapeButton(QMessageBox.StandardButton.Cancel)
    return box.exec() == QMessageBox.StandardButton.Discard


def uncommitted(title: str, statements: int) -> str:
    """A line of that question: "• Sample: 2 statements not committed"."""
    return f"• {title}: {statements} statement{'s' if statements != 1 else ''} not committed"
