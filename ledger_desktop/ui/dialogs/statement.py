"""Create/drop/undrop tables and create indexes: the dialog shows the PartiQL it will run."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ..views.document_pane import mono_font

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")


def quote(name: str) -> str:
    return name if NAME.match(name) else '"' + name.replace('"', '""') + '"'


def create_table_sql(name: str) -> str:
    return f"CREATE TABLE {quote(name)}"


def create_index_sql(table: str, field: str) -> str:
    return f"CREATE INDEX ON {quote(table)} ({quote(field)})"


def drop_table_sql(table: str) -> str:
    return f"DROP TABLE {quote(table)}"


def undrop_table_sql(table_id: str) -> str:
    return f"UNDROP TABLE \"{table_id}\""


class StatementDialog(QDialog):
    """Inputs on top; the statement below, updated live and editable before running."""

    def __init__(self, parent: QWidget | None, title: str, explanation: str) -> None:
        super().__init__(parent)
        self.setObjectName("statementDialog")
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.statement = QPlainTextEdit()
        self.statement.setObjectName("statementText")
        self.statement.setFont(mono_font())
        self.statement.setMaximumHeight(80)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                        QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Run")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        note = QLabel(explanation)
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(self.form)
        layout.addWidget(QLabel("PartiQL statement (runs as one transaction, one block):"))
        layout.addWidget(self.statement)
        layout.addWidget(self.buttons)
        self.resize(520, 260)

    def text(self) -> str:
        return self.statement.toPlainText().strip()


def create_table_dialog(parent: QWidget | None) -> StatementDialog:
    dlg = StatementDialog(parent, "Create Table", "A new, empty table.")
    name = QLineEdit()
    name.setObjectName("tableName")
    name.setPlaceholderText("e.g. Vehicle")
    dlg.form.addRow("Table name:", name)
    name.textChanged.connect(lambda t: dlg.statement.setPlainText(create_table_sql(t.strip())
                                                                  if t.strip() else ""))
    dlg.name_edit = name  # type: ignore[attr-defined]
    return dlg


def create_index_dialog(parent: QWidget | None, tables: list[Any], table: Any | None,
                        fields: list[str]) -> StatementDialog:
    dlg = StatementDialog(parent, "Create Index",
                          "An index on a top-level field speeds up equality lookups "
                          "(WHERE field = value).")
    table_box = QComboBox()
    table_box.setObjectName("indexTable")
    active = [t for t in tables if t.status == "ACTIVE"]
    table_box.addItems([t.name for t in active])
    if table is not None:
        table_box.setCurrentText(table.name)
    field = QComboBox()
    field.setObjectName("indexField")
    field.setEditable(True)
    field.addItems(fields)
    field.setEditText("")
    dlg.form.addRow("Table:", table_box)
    dlg.form.addRow("Field:", field)

    def update() -> None:
        f = field.currentText().strip()
        dlg.statement.setPlainText(create_index_sql(table_box.currentText(), f) if f else "")

    table_box.currentTextChanged.connect(lambda _t: update())
    field.currentTextChanged.connect(lambda _t: update())
    dlg.field_box = field  # type: ignore[attr-defined]
    return dlg


def confirm_dialog(parent: QWidget | None, title: str, explanation: str,
                   statement: str) -> StatementDialog:
    dlg = StatementDialog(parent, title, explanation)
    dlg.statement.setPlainText(statement)
    return dlg
