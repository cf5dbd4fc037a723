"""The revisions the last verification found failing, for the views that show revisions.

The verification hub publishes them (`revision_notes`) when a verification ends; the
workspace keeps one `TamperMarks`, and the documents grid, History and the document pane
flag a revision it names, with the note saying what failed and when it was found.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

Key = tuple[str, int]  # (document id, version)


def revision_notes(report: Any) -> dict[Key, str]:
    """(document id, version) -> what failed, for each revision a failure of `report` names."""
    when = (report.started or "").replace("T", " ").replace("Z", " UTC")
    notes: dict[Key, str] = {}
    for f in report.failures:
        if f.check == "revision hash" and "does not match its hash" in f.message:
            what = "data does not match its hash"
        elif f.check == "revision hash":
            what = f.message
        else:
            where = f"block {f.seq}" if f.seq is not None else "the ledger"
            what = f"in {where}, which failed the {f.check} check"
        for r in f.revisions:
            if r.document_id is None or r.version is None:
                continue
            key = (r.document_id, r.version)
            note = f"{what} (verification of {when})"
            # a revision-level note says more than "its block failed": it comes first
            if key not in notes or f.check == "revision hash":
                notes[key] = note
    return notes


class TamperMarks(QObject):
    """One ledger's failing revisions, as the last verification in this session found them."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.notes: dict[Key, str] = {}
        self._versions: dict[str, list[int]] = {}

    def __bool__(self) -> bool:
        return bool(self.notes)

    def publish(self, notes: dict[Key, str], complete: bool = True) -> None:
        """A verification ended: a complete one replaces the marks (a healthy ledger clears
        them); a cancelled one only adds what it found before it stopped."""
        if not complete and not notes:
            return
        self.notes = dict(notes) if complete else {**self.notes, **notes}
        self._versions = {}
        for doc_id, version in sorted(self.notes):
            self._versions.setdefault(doc_id, []).append(version)
        self.changed.emit()

    def note(self, doc_id: str | None, version: int | None) -> str | None:
        if not self.notes or doc_id is None or version is None:
            return None
        return self.notes.get((doc_id, version))

    def versions(self, doc_id: str | None) -> list[int]:
        """The failing versions of one document, oldest first."""
        return self._versions.get(doc_id or "", [])
