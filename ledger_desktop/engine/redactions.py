"""Which block redacted a revision: the block whose `redactionInfo` names it.

A redacted revision keeps its hash and `dataHash` in its own block; the request that redacted
it is a later block's `redactionInfo` ({revisions: [{blockAddress, tableId, documentId,
version}]}). Nothing indexes the requests (no schema change for this), so they are found by
reading blocks after the revision's block:

- `has_redaction` = 1 marks the redacting block (and the block whose revision it redacted),
  set by commits and by imports. The scan reads that column from the `blocks_chain` index,
  without the bodies, then parses only those blocks: 5-20 ms for a revision in block 2 of a
  20,000-block ledger (tests/engine/test_redactions.py, -m slow).
- Ledgers imported before 2026-11-29 carry `has_redaction` only on the block holding a
  redacted revision, not on the request; so does a journal whose range ends before the
  request. For a revision the first scan does not resolve, the bodies of the later blocks are
  searched for the field name `redactionInfo` (in SQLite, no Python per block):
  O(blocks after the revision), 40-120 ms per 20,000 blocks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from . import storage
from .ion_values import loads, parse_timestamp
from .model import RedactionRecord, RevisionInfo

if TYPE_CHECKING:
    from .ledger import Ledger

# Every body that holds the field has its name: a block body is a whole Ion document, whose
# symbol table (binary) or text spells out each field name.
_FIELD = b"redactionInfo"


def _requests(body: bytes) -> tuple[Any, list[tuple[str, int]]]:
    """(the parsed block, the (document id, version) pairs its redactionInfo names)."""
    block = loads(body)
    info = block.get("redactionInfo", None) if hasattr(block, "get") else None
    named: list[tuple[str, int]] = []
    try:
        for item in info["revisions"] if info is not None else ():
            named.append((str(item["documentId"]), int(item["version"])))
    except (KeyError, TypeError, ValueError):
        pass  # a malformed request: verification reports it; it names nothing here
    return block, named


def _record(seq: int, tx_id: str, block_ts: str, block: Any) -> RedactionRecord:
    statements: list[str] = []
    try:
        for s in block["transactionInfo"]["statements"]:
            statements.append(str(s["statement"]))
    except (KeyError, TypeError):
        pass  # a QLDB block may carry no transactionInfo
    return RedactionRecord(seq, str(tx_id), parse_timestamp(block_ts), tuple(statements))


def find_redactions(ledger: Ledger, wanted: Iterable[tuple[str, int, int]]
                    ) -> dict[tuple[str, int], RedactionRecord]:
    """The redacting block of each (document id, version, seq of the revision's block) in
    `wanted`; a revision no block redacts is left out."""
    targets = {(doc_id, version): seq for doc_id, version, seq in wanted}
    found: dict[tuple[str, int], RedactionRecord] = {}
    if not targets:
        return found
    conn = ledger._conn
    after = min(targets.values())
    # Phase 1: our own commits mark the request (blocks_chain covers seq and has_redaction).
    seqs = [r[0] for r in conn.execute(
        "SELECT seq FROM blocks WHERE seq > ? AND has_redaction=1 ORDER BY seq", (after,))]
    _read(ledger, seqs, targets, found)
    missing = [seq for key, seq in targets.items() if key not in found]
    if missing:
        # Phase 2: requests imported before they were marked; find the field in the bodies.
        seqs = [r[0] for r in conn.execute(
            "SELECT seq FROM blocks WHERE seq > ? AND has_redaction=0 AND instr(body, ?) > 0 "
            "ORDER BY seq", (min(missing), _FIELD))]
        _read(ledger, seqs, targets, found)
    return found


def _read(ledger: Ledger, seqs: list[int], targets: dict[tuple[str, int], int],
          found: dict[tuple[str, int], RedactionRecord]) -> None:
    conn = ledger._conn
    for seq in seqs:
        if len(found) == len(targets):
            return
        row = conn.execute("SELECT tx_id, block_ts, body FROM blocks WHERE seq=?",
                           (seq,)).fetchone()
        if row is None or _FIELD not in bytes(row[2]):
            continue  # the block of a redacted revision, not a request
        block, named = _requests(bytes(row[2]))
        for key in named:
            rev_seq = targets.get(key)
            # a request comes after its revision; the first one is the redaction
            if rev_seq is not None and rev_seq < seq and key not in found:
                found[key] = _record(seq, row[0], row[1], block)


def redaction_of(ledger: Ledger, doc_id: str, version: int) -> RedactionRecord | None:
    """The block that redacted version `version` of document `doc_id`; None when that
    revision is not redacted, or no block in this journal redacted it."""
    row = ledger._conn.execute("SELECT seq, kind FROM revisions WHERE doc_id=? AND version=?",
                               (doc_id, version)).fetchone()
    if row is None or row[1] != storage.KIND_REDACTED:
        return None
    return find_redactions(ledger, [(doc_id, version, row[0])]).get((doc_id, version))


def attach_redactions(ledger: Ledger, revisions: list[RevisionInfo]) -> list[RevisionInfo]:
    """Fill `redaction` of each redacted revision in `revisions` (one scan for all)."""
    wanted = [(r.doc_id, r.version, r.address.seq) for r in revisions if r.kind == "redacted"]
    found = find_redactions(ledger, wanted)
    for r in revisions:
        if r.kind == "redacted":
            r.redaction = found.get((r.doc_id, r.version))
    return revisions
