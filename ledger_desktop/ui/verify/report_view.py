"""The verification report: verdict, first failing block, check and affected revisions, every
failure, saved-digest checks; links into the chain view and the block inspector; save as JSON
or as a standalone HTML page."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
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
from ..keyboard import tab_leaves
from . import findings


def _table(headers: list[str], name: str) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.verticalHeader().setVisible(False)
    tab_leaves(t)
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
        #: the verification context (LedgerViewContext): where save dialogs start, if given
        self.ctx: Any = None
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
        self.saved_note = QLabel("")
        self.saved_note.setObjectName("reportSavedNote")
        self.saved_note.setOpenExternalLinks(True)
        self.saved_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        saves = QHBoxLayout()
        saves.addWidget(self.saved_note, 1)
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
    def set_report(self, report: Any, saved: list[Any] | None = None) -> None:
        """Show `report`; `saved` (the kept SavedDigests) names a digest that disagrees."""
        self.report = report
        self.saved_note.setText("")  # "Saved the report to …" was about the previous one
        has = report is not None
        for w in (self.save_json_button, self.save_html_button, self.facts):
            w.setVisible(has)
        first = findings.first_journal_failure(report) if has else None
        failed = has and not report.ok and not report.cancelled
        digest_first = bool(first is not None and findings.is_saved_digest_failure(report, first))
        for w in (self.first, self.failures, self.failures_title):
            w.setVisible(bool(failed))
        # a saved digest that disagrees has no revisions and no block to open
        has_revisions = bool(failed and first is not None and first.revisions)
        self.revisions.setVisible(has_revisions)
        self.revisions_title.setVisible(has_revisions)
        self.show_first.setVisible(bool(failed and first is not None and first.seq is not None
                                        and not digest_first))
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
            color, text = P.COLORS[P.CAT_FAILED], (
                f"VERIFICATION FAILED: {report.failure_count:,} problem(s). "
                + self._what_failed(report, first, saved or []))
        self.banner.setText(text)
        self.banner.setStyleSheet(f"background: {color.name()}; color: white; "
                                  "font-weight: bold; border-radius: 4px;")
        # a cancelled run may not reach the tip: say so rather than "Tip None"
        facts = [f"Tip <code>{report.tip}</code>" if report.tip else "tip not reached",
                 f"digest <code>{report.digest_b64}</code>" if report.digest_b64
                 else "digest not computed",
                 f"{report.elapsed_seconds:.2f} s", f"started {report.started}"]
        self.facts.setText(" · ".join(facts))
        if failed and first is not None:
            where = (f"block <b>{first.seq}</b> · " if first.seq is not None else "")
            self.first.setText(
                f"<b>First failure:</b> {where}check <b>{first.check}</b>"
                + (" (a saved digest)" if digest_first else "") + f"<br>{first.message}")
            _fill(self.revisions, [[r.document_id, r.version,
                                    f"{r.table_name} ({r.table_id})" if r.table_name
                                    else r.table_id, r.index]
                                   for r in first.revisions],
                  [r.document_id for r in first.revisions])
            _fill(self.failures, [[f.seq if f.seq is not None else "—", f.check, f.message]
                                  for f in report.failures],
                  [f.seq for f in report.failures])
        _fill(self.digests, [[dc.digest_b64, dc.tip, dc.message] for dc in report.digest_checks])

    @staticmethod
    def _what_failed(report: Any, first: Any, saved: list[Any]) -> str:
        """Name the failing check: only a broken link or block hash is a chain break; a saved
        digest that disagrees is named (which one) and is not a failure of the blocks."""
        parts = []
        journal = findings.journal_failures(report)
        if journal:
            f = first if first in journal else journal[0]
            if f.check in findings.CHAIN_BREAK_CHECKS:
                parts.append(f"The chain breaks at block {f.seq} (the {f.check} check).")
            elif f.seq is not None:
                parts.append(f"The {f.check} check failed in block {f.seq}.")
            else:
                parts.append(f"The {f.check} check failed.")
        by_b64 = {s.b64: s for s in saved}
        bad = findings.failing_digest_checks(report)
        for dc in bad[:2]:
            s = by_b64.get(dc.digest_b64)
            seq = findings.tip_seq(dc.tip)
            name = [s.label] if s is not None and s.label else []
            name.append(f"tip {seq}" if seq is not None else f"tip {dc.tip}")
            parts.append(f"Saved digest {(dc.digest_b64 or '')[:8]}… ({', '.join(name)}) "
                         f"does not match the journal: {dc.message}.")
        if len(bad) > 2:
            parts.append(f"{len(bad) - 2} more saved digests disagree.")
        if bad and not journal:
            derived = [f for f in report.failures if f.check in DERIVED_CHECKS]
            if not derived:
                parts.append(f"Every one of the {report.blocks_checked:,} blocks checks out by "
                             "itself.")
        if not parts:  # only what is derived from the journal failed
            f = first or report.failures[0]
            parts.append(f"The {f.check} check fails"
                         + (f" (block {f.seq})." if f.seq is not None else "."))
        return " ".join(parts)

    def _first_seq(self, signal: Any) -> None:
        first = (findings.first_journal_failure(self.report) if self.report is not None
                 else None)
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
        # the folder last used, not the process's working directory (a bare file name)
        start = Path(self.ctx.start_dir() if self.ctx is not None else Path.home())
        path, _ = QFileDialog.getSaveFileName(self, "Save Verification Report",
                                              str(start / f"{stem}.{kind}"), filt)
        if not path:
            return
        if self.ctx is not None:
            self.ctx.remember_dir(path)
        self.save_to(path, kind)

    def save_to(self, path: str | Path, kind: str) -> bool:
        """Write the report as `kind` ("json" or "html") and say where, with a link to its
        folder; an error is shown as a dialog."""
        try:
            (self.save_json if kind == "json" else self.save_html)(path)
        except OSError as e:
            from ..dialogs.errors import error_box

            error_box(self, "Cannot save the report", e)
            return False
        path = Path(path).resolve()
        folder = QUrl.fromLocalFile(str(path.parent)).toString()
        self.saved_note.setText(f"Saved the report to {html.escape(str(path))} · "
                                f"<a href='{html.escape(folder)}'>Open folder</a>")
        return True
