"""The digest centre: take the current digest, save it to a file, keep a list of saved digests
(from the ledger, digest files or QLDB's GetDigest JSON), check the ledger against any of them,
and relate two of them (the older tip's block proven against the newer digest)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...engine import digest_file
from ...engine.blocks import block_range
from ...engine.digest_store import SavedDigest
from ...engine.errors import Cancelled
from ...engine.ion_values import dumps_text
from ..dialogs.errors import error_box
from ..keyboard import tab_leaves
from .findings import tip_seq
from .hub import VerifyHub

DIGEST_FILTER = "Digest files (*.json *.digest);;All files (*)"
COLUMNS = ["Label", "Tip block", "Digest", "Saved (UTC)", "Source", "Check"]


class DigestCentre(QWidget):
    relate_requested = Signal(object, object)   # two SavedDigest
    prove_requested = Signal(object)            # a SavedDigest to prove against
    checked = Signal(str, bool)                 # key of the checked digest, agrees?

    def __init__(self, hub: VerifyHub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("digestCentre")
        self.hub = hub
        self.current: Any = None
        self._current_text = ""
        self.results: dict[str, tuple[bool, str]] = {}
        self._checking: SavedDigest | None = None
        self._saved: list[SavedDigest] = []

        self.current_label = QLabel("Get the current digest to save or keep it.")
        self.current_label.setObjectName("digestCurrent")
        self.current_label.setWordWrap(True)
        # two lines (digest, then tip and time): a short panel squeezed it to one and a half
        self.current_label.setMinimumHeight(self.current_label.fontMetrics().lineSpacing() * 2
                                            + 6)
        self.current_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        get = QPushButton("Get digest")
        get.setObjectName("digestGet")
        get.clicked.connect(self.get_digest)
        # Both keep the digest in the list below (what "Also check the saved digests"
        # checks); the file is a copy to hand on. Saving only a file, not the list, made
        # a digest the user had just "saved" go unchecked.
        self.save_button = QPushButton("Save to File…")
        self.save_button.setObjectName("digestSaveFile")
        self.save_button.setToolTip("Write a digest file (for an auditor, or to keep apart "
                                    "from this computer) and keep the digest in the list below")
        self.save_button.clicked.connect(self._save_dialog)
        self.keep_button = QPushButton("Keep in List")
        self.keep_button.setObjectName("digestKeep")
        self.keep_button.setToolTip("Keep the digest in the list below (in this app's data "
                                    "folder), with no file")
        self.keep_button.clicked.connect(self.keep_current)
        for b in (self.save_button, self.keep_button):
            b.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(get)
        top.addWidget(self.save_button)
        top.addWidget(self.keep_button)
        top.addStretch(1)
        box = QGroupBox("Current digest")
        bl = QVBoxLayout(box)
        bl.addLayout(top)
        bl.addWidget(self.current_label)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("digestTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        tab_leaves(self.table)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        buttons = QHBoxLayout()
        self.import_button = QPushButton("Import digest file…")
        self.import_button.setObjectName("digestImport")
        self.import_button.clicked.connect(self._import_dialog)
        self.paste_button = QPushButton("Paste digest…")
        self.paste_button.setObjectName("digestPaste")
        self.paste_button.setToolTip("Add a digest copied as text: QLDB's GetDigest JSON, or "
                                     "the digest and its tip address from the QLDB console")
        self.paste_button.clicked.connect(self._paste_dialog)
        self.check_button = QPushButton("Check ledger against it")
        self.check_button.setObjectName("digestCheck")
        self.check_button.clicked.connect(lambda: self._with_selected(self.check))
        self.relate_button = QPushButton("Relate the two selected")
        self.relate_button.setObjectName("digestRelate")
        self.relate_button.clicked.connect(self._relate_selected)
        self.prove_button = QPushButton("Prove against it…")
        self.prove_button.setObjectName("digestProve")
        self.prove_button.clicked.connect(lambda: self._with_selected(self.prove_requested.emit))
        self.remove_button = QPushButton("Remove")
        self.remove_button.setObjectName("digestRemove")
        self.remove_button.clicked.connect(lambda: self._with_selected(self.remove))
        # two rows of three: one row of six forced the window wider than 800 px
        for b in (self.import_button, self.paste_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons2 = QHBoxLayout()
        for b in (self.check_button, self.relate_button, self.prove_button):
            buttons2.addWidget(b)
        buttons2.addStretch(1)
        self.message = QLabel("")
        self.message.setObjectName("digestMessage")
        self.message.setWordWrap(True)

        # The page scrolls when the tab is short: squeezed, the current digest's box and the
        # table's rows shrank to nothing and their buttons could not be seen.
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(box)
        saved_title = QLabel("<b>Saved digests</b> (kept in your app data folder, never in "
                             "the ledger file)")
        saved_title.setWordWrap(True)
        layout.addWidget(saved_title)
        self.table.setMinimumHeight(self.table.verticalHeader().defaultSectionSize() * 3
                                    + self.table.horizontalHeader().sizeHint().height() + 4)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addLayout(buttons2)
        layout.addWidget(self.message)
        scroll = QScrollArea()
        scroll.setObjectName("digestScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.scroll = scroll
        hub.ready.connect(self.refresh)
        hub.digests_changed.connect(self.refresh)
        hub.finished.connect(self._verification_finished)
        hub.failed.connect(self._verification_failed)
        self._selection_changed()
        if hub.store is not None:
            self.refresh()

    # -- current digest ---------------------------------------------------------------------
    def get_digest(self) -> Any:
        task = self.hub.ctx.read(lambda led, _p, _c: led.digest(), "digest")
        task.succeeded.connect(self._got_digest)
        task.failed.connect(lambda e: error_box(self, "Cannot get the digest", e))
        return task

    def _got_digest(self, d: Any) -> None:
        self.current = d
        b64 = base64.b64encode(d.digest).decode()
        self._current_text = (f"Digest <code>{b64}</code><br>tip <code>{d.tip.text()}</code>"
                              f" (block {d.tip.seq}) · taken {dumps_text(d.created)}")
        self.current_label.setText(self._current_text)
        self.save_button.setEnabled(True)
        self.keep_button.setEnabled(True)

    def journal_grew(self, block_count: int) -> None:
        """New blocks were committed: a digest taken before them is no longer the current
        one, and the box says so rather than passing it off as the ledger's digest."""
        d = self.current
        if d is None or block_count - 1 <= d.tip.seq:
            return
        self.current_label.setText(
            self._current_text + "<br><span style='color:#b35c00'><b>Outdated:</b> the "
            f"ledger has grown to block {block_count - 1:,}; Get digest for the current one."
            "</span>")

    def save_current(self, path: str | Path) -> None:
        # the save dialog has asked before replacing a file
        digest_file.write_digest(path, self.current, overwrite=True)

    def _save_dialog(self) -> None:
        if self.current is None:
            return
        name = f"{self.hub.ledger_name or 'ledger'}-digest-{self.current.tip.seq}.json"
        path, _ = QFileDialog.getSaveFileName(self, "Save Digest to File",
                                              str(Path(self.hub.ctx.start_dir()) / name),
                                              DIGEST_FILTER)
        if path:
            self.hub.ctx.remember_dir(path)
            self.save_to_file(path)

    def save_to_file(self, path: str | Path) -> SavedDigest | None:
        """Write the current digest to `path` and keep it in the list (its source: the file)."""
        try:
            self.save_current(path)
        except OSError as e:
            error_box(self, "Cannot save the digest", e)
            return None
        saved = self._keep(self.current, Path(path).name, str(path))
        if saved is not None:
            self.message.setText(f"Saved the digest at block {self.current.tip.seq} to {path}; "
                                 "it is also in the list of saved digests.")
        return saved

    def keep_current(self) -> SavedDigest | None:
        if self.current is None:
            return None
        label = f"taken at block {self.current.tip.seq}"
        if self.known(self.current) is not None:  # says where the kept one came from
            return self._keep(self.current, label, "ledger")
        saved = self._keep(self.current, label, "ledger")
        if saved is not None:
            self.message.setText(f"Kept the digest at block {saved.digest.tip.seq} in the list.")
        return saved

    def known(self, digest: Any) -> SavedDigest | None:
        """The saved digest with the same tip and value as `digest`, if the list has it."""
        b64 = base64.b64encode(digest.digest).decode()
        return next((s for s in self.hub.saved_digests()
                     if s.b64 == b64 and s.digest.tip.seq == digest.tip.seq), None)

    def _keep(self, digest: Any, label: str, source: str) -> SavedDigest | None:
        """Add `digest` to the list, unless it is there already: the store would replace the
        entry's label and source, and where a digest came from (a QLDB GetDigest file) is
        worth more than where it was seen again (pasted text). Errors are shown."""
        if self.hub.store is None:
            return None
        try:
            existing = self.known(digest)
            if existing is not None:
                self.message.setText(
                    f"The digest at block {existing.digest.tip.seq} is already in the list as "
                    f"“{existing.label}” (from {_source_name(existing.source)}); it was kept "
                    "as it was.")
                self._select(existing.key)
                return existing
            saved = self.hub.store.add(digest, label, source)
        except Exception as e:
            error_box(self, "Cannot keep the digest", e)
            return None
        self.hub.digests_changed.emit()
        self._select(saved.key)
        return saved

    def _select(self, key: str) -> None:
        for r, s in enumerate(self._saved):
            if s.key == key:
                self.table.selectRow(r)
                return

    # -- the list ---------------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            self._saved = self.hub.saved_digests()
        except Exception as e:
            self._saved = []
            self.message.setText(f"<span style='color:#d0453a'>{e}</span>")
        self.table.setRowCount(len(self._saved))
        for r, s in enumerate(self._saved):
            ok_text = self.results.get(s.key)
            values = [s.label, str(s.digest.tip.seq), s.b64, s.saved_at.replace("T", " "),
                      _source_name(s.source),
                      ("" if ok_text is None else ok_text[1])]
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setData(Qt.ItemDataRole.UserRole, s.key)
                if c == 5 and ok_text is not None:
                    item.setForeground(Qt.GlobalColor.darkGreen if ok_text[0]
                                       else Qt.GlobalColor.red)
                self.table.setItem(r, c, item)
        self._selection_changed()

    def selected(self) -> list[SavedDigest]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [self._saved[r] for r in rows if r < len(self._saved)]

    def _selection_changed(self) -> None:
        n = len(self.selected())
        for b in (self.check_button, self.prove_button, self.remove_button):
            b.setEnabled(n == 1)
        self.relate_button.setEnabled(n == 2)

    def _with_selected(self, fn: Any) -> None:
        sel = self.selected()
        if len(sel) == 1:
            fn(sel[0])

    def import_file(self, path: str | Path) -> SavedDigest | None:
        if self.hub.store is None:
            return None
        try:
            digest = digest_file.read_digest(path)
        except Exception as e:
            error_box(self, "Cannot import the digest", e)
            return None
        if self.known(digest) is not None:  # says where the kept one came from
            return self._keep(digest, Path(path).name, str(path))
        saved = self._keep(digest, Path(path).name, str(path))
        if saved is not None:
            self.message.setText(f"Imported the digest at block {saved.digest.tip.seq} from "
                                 f"{Path(path).name}.")
        return saved

    def _import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import Digest File",
                                              self.hub.ctx.start_dir(), DIGEST_FILTER)
        if path:
            self.hub.ctx.remember_dir(path)
            self.import_file(path)

    def add_pasted(self, text: str) -> SavedDigest | None:
        """Keep a digest pasted as text (see engine.digest_file.parse_digest_text)."""
        if self.hub.store is None:
            return None
        try:
            digest = digest_file.parse_digest_text(text)
        except Exception as e:
            error_box(self, "Cannot read the pasted digest", e)
            return None
        if self.known(digest) is not None:
            return self._keep(digest, "pasted", "pasted text")
        saved = self._keep(digest, "pasted", "pasted text")
        if saved is not None:
            self.message.setText(f"Added the pasted digest at block {saved.digest.tip.seq}.")
        return saved

    def _paste_dialog(self) -> None:
        clip = QGuiApplication.clipboard().text()
        text, ok = QInputDialog.getMultiLineText(
            self, "Paste digest", "Paste the digest and its tip address (or GetDigest JSON):",
            clip if len(clip) < 4096 else "")
        if ok and text.strip():
            self.add_pasted(text)

    def remove(self, saved: SavedDigest, ask: bool = True) -> bool:
        """Remove a saved digest after a question: it may be the only copy of a digest QLDB
        gave (pasted, or from a file since lost), and the list has no undo."""
        if self.hub.store is None:
            return False
        if ask:
            only_copy = saved.source in ("ledger", "pasted text") or not Path(
                saved.source).is_file()
            box = QMessageBox(QMessageBox.Icon.Warning, "Remove Saved Digest",
                              f"Remove the digest at block {saved.digest.tip.seq} "
                              f"(“{saved.label}”, from {_source_name(saved.source)}) from the "
                              "list?", parent=self)
            box.setInformativeText(
                ("This list may be its only copy: once removed, it cannot check this ledger "
                 "again. Save it to a file first if you may need it." if only_copy else
                 f"The file {saved.source} is not changed; import it again to bring the "
                 "digest back.") + f"\n\nDigest {saved.b64}")
            box.setObjectName("digestRemoveQuestion")
            remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
            box.addButton(QMessageBox.StandardButton.Cancel)
            box.setDefaultButton(QMessageBox.StandardButton.Cancel)
            box.exec()
            if box.clickedButton() is not remove:
                return False
        try:
            self.hub.store.remove(saved.key)
        except Exception as e:
            error_box(self, "Cannot remove the digest", e)
            return False
        self.results.pop(saved.key, None)
        self.message.setText(f"Removed the digest at block {saved.digest.tip.seq} "
                             f"(“{saved.label}”).")
        self.hub.digests_changed.emit()
        return True

    def _relate_selected(self) -> None:
        sel = self.selected()
        if len(sel) == 2:
            self.relate_requested.emit(sel[0], sel[1])

    # -- checking ---------------------------------------------------------------------------
    def check(self, saved: SavedDigest) -> Any:
        """A full verification of the journal that also folds it to this digest at its tip."""
        if self.hub.running:
            self.message.setText("A verification is running; check the digest when it ends.")
            return None
        self._checking = saved
        self.message.setText(f"Checking the journal against the digest at block "
                             f"{saved.digest.tip.seq}…")
        return self.hub.verify([saved.digest])

    def _verification_finished(self, report: Any) -> None:
        saved, self._checking = self._checking, None
        if saved is None:
            self._record_checks(report)
            return
        if report.cancelled:  # "Checking…" stayed on screen for good
            self._check_stopped(saved, "check cancelled")
            return
        ok, text = self._result(saved, report)
        self.results[saved.key] = (ok, text)
        self._record_checks(report)
        self.message.setText(f"Digest at block {saved.digest.tip.seq}: {text}.")
        self.refresh()
        self.checked.emit(saved.key, ok)

    def _record_checks(self, report: Any) -> None:
        """A full verification that checked saved digests ("Also check the saved digests")
        fills their Check column as "Check ledger against it" does: it left the column blank,
        or showing an older result, while the report said a digest disagreed."""
        if report.cancelled:
            return
        try:
            saved = self.hub.saved_digests()
        except Exception:  # a damaged list: the report still names each digest by value
            return
        changed = False
        for s in saved:
            if any(dc.digest_b64 == s.b64 and tip_seq(dc.tip) == s.digest.tip.seq
                   for dc in report.digest_checks):
                self.results[s.key] = self._result(s, report)
                changed = True
        if changed:
            self.refresh()

    @staticmethod
    def _result(saved: SavedDigest, report: Any) -> tuple[bool, str]:
        """(agrees?, the Check column's text) for `saved` after a full verification."""
        tip = saved.digest.tip.seq
        dc = next((d for d in report.digest_checks if d.digest_b64 == saved.b64), None)
        broken = [f for f in report.failures if f.seq is not None and f.seq <= tip]
        if dc is not None and dc.ok and not broken:
            ok, text = True, (f"agrees: {block_range(0, tip)} "
                              f"{'checks out and folds' if tip == 0 else 'check out and fold'} "
                              "to it")
        elif dc is not None and not dc.ok:
            ok, text = False, f"DISAGREES: {dc.message}"
        elif broken:
            ok, text = False, (f"DISAGREES: block {broken[0].seq} fails its "
                               f"{broken[0].check} check")
        else:
            ok, text = False, "not checked (the digest is for another ledger?)"
        return ok, text

    def _verification_failed(self, exc: BaseException) -> None:
        """Cancelled before it started, or stopped by an error: never reaches `finished`."""
        saved, self._checking = self._checking, None
        if saved is not None:
            self._check_stopped(saved, "check cancelled" if isinstance(exc, Cancelled)
                                else f"check stopped ({exc})")

    def _check_stopped(self, saved: SavedDigest, why: str) -> None:
        prior = self.results.get(saved.key)
        then = f"; the last check said: {prior[1]}" if prior else ""
        self.message.setText(f"Digest at block {saved.digest.tip.seq}: {why}{then}.")


def _source_name(source: str) -> str:
    """Where a saved digest came from, as the list shows it."""
    if source == "ledger":
        return "this ledger"
    return source if source == "pasted text" else Path(source).name
