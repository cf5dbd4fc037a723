"""One document (or revision): its metadata and block address, as an Ion tree and as text."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ..icons import icon
from ..ionfmt import ion_text
from ..models.ion_tree import IonTreeModel


def mono_font():
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


class IonView(QTabWidget):
    """An Ion value as a tree and as pretty Ion text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree_model = IonTreeModel(self)
        self.tree = QTreeView()
        self.tree.setObjectName("ionTree")
        self.tree.setModel(self.tree_model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, header.ResizeMode.Stretch)
        header.resizeSection(2, 90)
        self.text = QPlainTextEdit()
        self.text.setObjectName("ionText")
        self.text.setReadOnly(True)
        self.text.setFont(mono_font())
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.addTab(self.tree, "Tree")
        self.addTab(self.text, "Ion text")

    def set_value(self, value: Any, label: str = "", placeholder: str = "") -> None:
        self.tree_model.set_value(value, label)
        self.tree.expandToDepth(1)
        self.tree.resizeColumnToContents(0)
        self.text.setPlainText(ion_text(value, pretty=True) if value is not None else placeholder)


class DocumentPane(QWidget):
    """Metadata on top, the value below; History and Go to block buttons."""

    history_requested = Signal(str)   # doc id
    block_requested = Signal(int)     # block sequence number

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentPane")
        self.doc_id: str | None = None
        self.block_seq: int | None = None
        self.fields: dict[str, QLabel | QLineEdit] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, label in (("id", "Document id"), ("version", "Version"),
                           ("block", "Block address"), ("txTime", "Committed"),
                           ("txId", "Transaction"), ("hash", "Revision hash")):
            value: QLabel | QLineEdit
            if key in ("hash", "block"):
                # Long unbroken text: a frameless read-only line edit scrolls instead of
                # forcing the pane (and the splitter) wide.
                value = QLineEdit("")
                value.setReadOnly(True)
                value.setFrame(False)
                value.setFont(mono_font())
                value.setStyleSheet("background: transparent;")
            else:
                value = QLabel("")
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                value.setWordWrap(True)
            value.setObjectName(f"meta_{key}")
            self.fields[key] = value
            form.addRow(label + ":", value)
        self.history_button = QPushButton(icon("history"), "History")
        self.history_button.setObjectName("historyButton")
        self.history_button.clicked.connect(lambda: self.doc_id and
                                            self.history_requested.emit(self.doc_id))
        self.block_button = QPushButton(icon("go-block"), "Go to block")
        self.block_button.setObjectName("goBlockButton")
        self.block_button.clicked.connect(lambda: self.block_seq is not None and
                                          self.block_requested.emit(self.block_seq))
        buttons = QHBoxLayout()
        buttons.addWidget(self.history_button)
        buttons.addWidget(self.block_button)
        buttons.addStretch(1)
        self.ion = IonView()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.ion, 1)
        self.clear()

    def _set(self, key: str, text: str) -> None:
        field = self.fields[key]
        field.setText(text)
        if isinstance(field, QLineEdit):
            field.setCursorPosition(0)  # show the start of a long hash or address
            field.setToolTip(text)

    def clear(self, message: str = "Select a document") -> None:
        self.doc_id = None
        self.block_seq = None
        for label in self.fields.values():
            label.setText("")
        self.ion.set_value(None, placeholder=message)
        self.history_button.setEnabled(False)
        self.block_button.setEnabled(False)

    def show_document(self, doc: Any, strand_id: str | None = None) -> None:
        """A `Document` from the engine (metadata fields may be None until fetched)."""
        self.doc_id = doc.doc_id
        self.block_seq = doc.block_seq
        self._set("id", doc.doc_id)
        self._set("version", str(doc.version))
        strand = f'strandId:"{strand_id}", ' if strand_id else ""
        self._set("block", f"{{{strand}sequenceNo:{doc.block_seq}}}")
        self._set("txTime", ion_text(doc.tx_time) if doc.tx_time is not None else "")
        self._set("txId", doc.tx_id or "")
        self._set("hash", doc.hash.hex() if doc.hash else "")
        self.ion.set_value(doc.data, label=doc.doc_id)
        self.history_button.setEnabled(True)
        self.block_button.setEnabled(True)

    def show_revision(self, rev: Any) -> None:
        """A `RevisionInfo` from the journal: deleted and redacted revisions say so."""
        self.doc_id = rev.doc_id
        self.block_seq = rev.address.seq
        self._set("id", rev.doc_id)
        self._set("version", f"{rev.version} ({rev.kind})" if rev.kind != "data"
                                       else str(rev.version))
        self._set("block", rev.address.text())
        self._set("txTime", ion_text(rev.tx_time) if rev.tx_time is not None else "")
        self._set("txId", rev.tx_id or "")
        self._set("hash", rev.hash.hex() if rev.hash else "")
        if rev.kind == "deleted":
            self.ion.set_value(None, placeholder="(deleted: this revision has no data)")
        elif rev.kind == "redacted":
            self.ion.set_value(None, placeholder="(redacted: the data was removed; its hash "
                               f"remains)\ndataHash: {rev.data_hash.hex() if rev.data_hash else ''}")
        else:
            self.ion.set_value(rev.data, label=f"version {rev.version}")
        self.history_button.setEnabled(True)
        self.block_button.setEnabled(True)
