"""The question asked before closing something that would lose work: an open transaction
(closing aborts it) or PartiQL text that was never run (closing discards it)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def ask_before_close(parent: QWidget, tx_lines: str, draft_lines: str, what: str) -> bool:
    """The one question before closing a ledger, the app or a PartiQL tab that holds an open
    transaction (`tx_lines` names them) or never-run editor text (`draft_lines`): True for
    Abort/Discard and Close. One question, whatever the mix: two in a row were read as one."""
    parts = []
    if tx_lines:
        parts.append(f"A transaction is still open:\n{tx_lines}\n\nClosing {what} aborts it: "
                     "nothing of it is committed.")
    if draft_lines:
        parts.append(f"A PartiQL editor holds text that was never run:\n{draft_lines}\n\n"
                     f"Closing {what} discards it.")
    box = QMessageBox(QMessageBox.Icon.Warning,
                      "Open Transaction" if tx_lines else "Discard PartiQL Text",
                      "\n\n".join(parts),
                      QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                      parent)
    box.setObjectName("confirmCloseBox")
    box.button(QMessageBox.StandardButton.Discard).setText(
        "Abort and Close" if tx_lines else "Discard and Close")
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setEscapeButton(QMessageBox.StandardButton.Cancel)
    return box.exec() == QMessageBox.StandardButton.Discard


def ask_abort_transaction(parent: QWidget, lines: str, what: str) -> bool:
    """The question before closing something whose open transaction would be aborted (a
    ledger, the app, a PartiQL tab): True for Abort and Close. `lines` names what is open."""
    return ask_before_close(parent, lines, "", what)


def uncommitted(title: str, statements: int) -> str:
    """A line of that question: "• Sample: 2 statements not committed"."""
    return f"• {title}: {statements} statement{'s' if statements != 1 else ''} not committed"


def unrun_draft(ledger: str, tab: str) -> str:
    """A line of that question: "• Sample, PartiQL 2: text never run"."""
    return f"• {ledger}, {tab}: text never run"
