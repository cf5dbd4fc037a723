"""Checks of the stored columns that no hash covers directly, against what the journal says.

A revision's `kind` and `table_id`, a block's `is_foreign`, `n_revisions` and `has_redaction`
steer how a block is read and checked; each must agree with the hashed block itself, or an
edit to them could hide a forged revision (kind "hash-only" skips the data check, a foreign
flag relaxes the layout checks) or move a revision to another table's history. A redacted
revision must be named by a redaction request somewhere in the journal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import storage
from .blocks import as_blob, header_entry

if TYPE_CHECKING:
    from .verify import VerifyReport

_USER_KINDS = (storage.KIND_DATA, storage.KIND_DELETED, storage.KIND_REDACTED)


class ColumnChecks:
    """Run per block during verification; `finish` reports redactions nobody requested."""

    def __init__(self, imported: bool) -> None:
        # A ledger built by import-journal keeps exported system revisions as hash-only, even
        # in blocks of our own layout.
        self._imported = imported
        self._unrequested: dict[tuple[str, int], tuple[int, int, str | None]] = {}

    def check_block(self, report: VerifyReport, seq: int, is_foreign: bool, n_revisions: int,
                    has_redaction: int, body: Any, rows: list[tuple],
                    header: bytes | None = None) -> None:
        from .verify import AffectedRevision, VerifyFailure

        # has_redaction marks a block holding a redacted revision; commits, and imports since
        # 2026-11-29, also set it on the block that redacts (earlier imports did not).
        redacts = hasattr(body, "get") and body.get("redactionInfo") is not None
        holds = any(r[5] == storage.KIND_REDACTED for r in rows)
        if n_revisions != len(rows) or (holds and not has_redaction) or (
                has_redaction and not holds and not redacts):
            report.fail(VerifyFailure(seq, "block hash", "the block's stored revision count or "
                                      "redaction flag disagrees with its revisions"))
        try:
            entries = [as_blob(e) for e in body["entriesHashList"]]
            if header is None:  # the content check computed it for our own blocks
                header = header_entry(body["blockAddress"], str(body["transactionId"]),
                                      body["blockTimestamp"])
            own_layout = bool(entries) and entries[0] == header
        except (KeyError, TypeError):
            own_layout = False
        if is_foreign and own_layout:
            report.fail(VerifyFailure(seq, "entries hash", "the block is marked as imported but "
                                      "has this ledger's own entry layout"))
        info = body.get("transactionInfo") if hasattr(body, "get") else None
        documents = info.get("documents", {}) if hasattr(info, "get") else {}
        for r in rows:
            _s, idx, doc_id, version, table_id, kind = r[:6]
            entry = documents.get(doc_id) if doc_id is not None else None
            listed_table = str(entry["tableId"]) if entry is not None else None
            if kind == storage.KIND_HASH_ONLY:
                ok = is_foreign or self._imported
            elif kind == storage.KIND_SYSTEM:
                ok = not is_foreign and table_id is None and entry is None
            elif kind in _USER_KINDS:
                ok = table_id == listed_table and (is_foreign or entry is not None)
            else:
                ok = False
            if not ok:
                report.fail(VerifyFailure(
                    seq, "revision hash", f"revision {idx}'s stored kind or table disagrees "
                    "with the block's transactionInfo",
                    [AffectedRevision(doc_id, version, table_id, idx)]))
            if kind == storage.KIND_REDACTED and own_layout:
                self._unrequested[(doc_id, version)] = (seq, idx, table_id)
        redaction = body.get("redactionInfo") if hasattr(body, "get") else None
        if redaction is not None:
            for item in redaction.get("revisions", []):
                try:
                    self._unrequested.pop((str(item["documentId"]), int(item["version"])), None)
                except (KeyError, TypeError, ValueError):
                    continue

    def finish(self, report: VerifyReport) -> None:
        from .verify import AffectedRevision, VerifyFailure

        for (doc_id, version), (seq, idx, table_id) in sorted(
                self._unrequested.items(), key=lambda kv: kv[1][:2]):
            report.fail(VerifyFailure(
                seq, "revision hash", f"revision {idx} (document {doc_id} version {version}) is "
                "redacted, but no redaction request in the journal names it",
                [AffectedRevision(doc_id, version, table_id, idx)]))
