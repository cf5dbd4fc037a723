"""The verification report: verdict, first failing block, check and affected revisions, every
failure, saved-digest checks; links into the chain view and the block inspector; save as JSON
or as a standalone HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...engine.report_html import report_to_html
from ...engine.verify import DERIVED_CHECKS
from ..chain import palette as P


def _table(headers: list[str], name: str) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _fill(t: QTableWidget, rows: list[list[Any]], keys: list[Any] | None = None) -> None:
    t.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem("" if value is None else str(value))
            if keys is not None:
                item.setData(Qt.ItemDataRole.UserRole, keys[r])
            t.setItem(r, c, item)


class ReportView(QWidget):
    show_block = Signal(int)      # bring a block into view in the chain view
    open_block = Signal(int)      # open the block inspector
    open_document = Signal(str)   # open a document's revision history

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportView")
        self.report: Any = None
        self.banner = QLabel("No verification yet.")
        self.banner.setObjectName("reportBanner")
        self.banner.setWordWrap(True)
        self.banner.setMargin(8)
        self.facts = QLabel()
        self.facts.setObjectName("reportFacts")
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.first = QLabel()
        self.first.setObjectName("reportFirstFailure")
        self.first.setWordWrap(True)
        self.first.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.show_first = QPushButton("Show in chain")
        self.show_first.setObjectName("reportShowFirst")
        self.open_first = QPushButton("Open block")
        self.open_first.setObjectName("reportOpenFirst")
        self.show_first.clicked.connect(lambda: self._first_seq(self.show_block))
        self.open_first.clicked.connect(lambda: self._first_seq(self.open_block))
        links = QHBoxLayout()
        links.addWidget(self.show_first)
        links.addWidget(self.open_first)
        links.addStretch(1)
        self.revisions = _table(["Document", "Version", "Table", "Index in block"],
                                "reportRevisions")
        self.revisions.itemDoubleClicked.connect(
            lambda item: self.open_document.emit(str(item.data(Qt.ItemDataRole.UserRole))))
        self.failures = _table(["Block", "Check", "What failed"], "reportFailures")
        self.failures.itemDoubleClicked.connect(self._failure_activated)
        self.digests = _table(["Digest", "Tip", "Result"], "reportDigests")
        self.save_json_button = QPushButton("Save JSON…")
        self.save_json_button.setObjectName("reportSaveJson")
        self.save_json_button.clicked.connect(lambda: self._save("json"))
        self.save_html_button = QPushButton("Save HTML…")
        self.save_html_button.setObjectName("reportSaveHtml")
        self.save_html_button.clicked.connect(lambda: self._save("html"))
        saves = QHBoxLayout()
        saves.addStretch(1)
        saves.addWidget(self.save_json_button)
        saves.addWidget(self.save_html_button)

        for label in (self.banner, self.facts, self.first):
            # labels keep their natural height; spare room goes to the tables (or nowhere)
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.facts)
        layout.addWidget(self.first)
        layout.addLayout(links)
        self.revisions_title = QLabel("<b>Revisions in the first failing block</b> "
                                      "(double-click for the document's history)")
        layout.addWidget(self.revisions_title)
        layout.addWidget(self.revisions, 1)
        self.failures_title = QLabel("<b>All failures</b> (double-click to show the block)")
        layout.addWidget(self.failures_title)
        layout.addWidget(self.failures, 1)
        self.digests_title = QLabel("<b>Saved digests checked</b>")
        layout.addWidget(self.digests_title)
        layout.addWidget(self.digests)
        layout.addStretch(0)
        layout.addLayout(saves)
        self.set_report(None)

    # -- content ----------------------------------------------------------------------------
    def set_report(self, report: Any) -> None:
        self.report = report
        has = report is not None
        for w in (self.save_json_button, self.save_html_button, self.facts):
            w.setVisible(has)
        first = report.first_failure if has else None
        failed = has and not report.ok and not report.cancelled
        for w in (self.first, self.revisions, self.revisions_title, self.failures,
                  self.failures_title):
            w.setVisible(bool(failed))
        self.show_first.setVisible(bool(failed and first is not None and first.seq is not None))
        self.open_first.setVisible(self.show_first.isVisible())
        self.digests.setVisible(bool(has and report.digest_checks))
        self.digests_title.setVisible(self.digests.isVisible())
        if not has:
            self.banner.setText("No verification yet. Verify the journal to get a report.")
            self.banner.setStyleSheet("")
            return
        if report.cancelled and report.blocks_checked >= report.block_count:
            color, text = P.COLORS[P.CAT_AFTER_BREAK], (
                f"Verification cancelled after all {report.block_count:,} blocks, during the "
                "index storage and file checks: those are not proven.")
        elif report.cancelled:
            color, text = P.COLORS[P.CAT_AFTER_BREAK], (
                f"Verification cancelled after {report.blocks_checked:,} of "
                f"{report.block_count:,} blocks: nothing is proven about the rest.")
        elif report.ok:
            color, text = P.COLORS[P.CAT_VERIFIED], (
                f"VERIFIED: all {report.blocks_checked:,} blocks and "
                f"{report.revisions_checked:,} revisions check out.")
        else:
            if first is not None and first.check in DERIVED_CHECKS:
                what = (f"The {first.check} check fails"
                        + (f" (block {first.seq})." if first.seq is not None else "."))
            elif first is not None and first.seq is not None:
                what = f"The chain breaks at block {first.seq}."
            else:  # a digest or the index storage: no block to point at
                what = f"The first: the {first.check if first else 'journal'} check."
            color, text = P.COLORS[P.CAT_FAILED], (
                f"VERIFICATION FAILED: {report.failure_count:,} problem(s). {what}")
        self.banner.setText(text)
        self.banner.setStyleSheet(f"background: {color.name()}; color: white; "
                                  "font-weight: bold; border-radius: 4px;")
        self.facts.setText(
            f"Tip <code>{report.tip}</code> · digest <code>{report.digest_b64}</code> · "
            f"{report.elapsed_seconds:.2f} s · started {report.started}")
        if failed and first is not None:
            self.first.setText(
                f"<b>First failure:</b> block <b>{first.seq}</b> · check <b>{first.check}</b>"
                f"<br>{first.message}")
            _fill(self.revisions, [[r.document_id, r.version,
                                    f"{r.table_name} ({r.table_id})" if r.table_name
                                    else r.table_id, r.index]
                                   for r in first.revisions],
                  [r.document_id for r in first.revisions])
            _fill(self.failures, [[f.seq if f.seq is not None else "—", f.check, f.message]
                                  for f in report.failures],
                  [f.seq for f in report.failures])
        _fill(self.digests, [[dc.digest_b64, dc.tip, dc.message] for dc in report.digest_checks])

    def _first_seq(self, signal: Any) -> None:
        first = self.report.first_failure if self.report is not None else None
        if first is not None and first.seq is not None:
            signal.emit(first.seq)

    def _failure_activated(self, item: QTableWidgetItem) -> None:
        seq = item.data(Qt.ItemDataRole.UserRole)
        if seq is not None:
            self.show_block.emit(int(seq))

    # -- saving -----------------------------------------------------------------------------
    def save_json(self, path: str | Path) -> None:
        Path(path).write_text(self.report.to_json() + "\n", encoding="utf-8")

    def save_html(self, path: str | Path) -> None:
        Path(path).write_text(report_to_html(self.report), encoding="utf-8")

    def _save(self, kind: str) -> None:
        if self.report is None:
            return
        stem = Path(self.report.ledger).stem + "-verification"
        filt = "JSON (*.json)" if kind == "json" else "HTML page (*.html)"
        path, _ = QFileDialog.getSaveFileName(self, "Save verification report",
                                              f"{stem}.{kind}", filt)
        if not path:
            return
        try:
            (self.save_json if kind == "json" else self.save_html)(path)
        except OSError as e:
            from ..dialogs.errors import error_box

            error_box(self, "Cannot save the report", e)
