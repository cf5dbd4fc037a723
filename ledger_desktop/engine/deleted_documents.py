"""Documents whose latest revision is a DELETE, and whether an id names a document at all:
what the app needs to reach the history of documents the browser no longer lists.

Cost: `revisions_table_seq (table_id, seq)` narrows the read to the table's own revisions (not
the whole journal), but `kind` is not in that index, so each of the table's revisions is one
primary-key lookup; each DELETE found then checks for a later version through `revisions_doc`.
Measured (tests/engine/test_deleted_documents.py, `-k cost`): a table of 20,000 revisions
(10,000 documents, 1,000 deleted) in about 40 ms. No extra index: it would cost every commit
a B-tree write for a menu item.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import storage
from .ion_values import loads, parse_timestamp

if TYPE_CHECKING:
    from .ledger import Ledger


@dataclass(frozen=True)
class DeletedDocument:
    doc_id: str
    version: int      # the DELETE revision's version
    block_seq: int    # the block that recorded the DELETE
    deleted_at: Any   # its transaction's time (an Ion timestamp)
    tx_id: str


_DELETED = (
    "SELECT r.doc_id, r.version, r.seq, r.metadata, b.tx_id, b.block_ts "
    "FROM revisions r JOIN blocks b ON b.seq = r.seq "
    "WHERE r.table_id=? AND r.kind=? AND r.doc_id IS NOT NULL AND NOT EXISTS ("
    " SELECT 1 FROM revisions later WHERE later.doc_id = r.doc_id"
    " AND later.version > r.version) "
    "ORDER BY r.seq, r.idx")


def deleted_documents(ledger: Ledger, table_id: str) -> list[DeletedDocument]:
    """The table's deleted documents, in the order they were deleted."""
    rows = ledger._conn.execute(_DELETED, (table_id, storage.KIND_DELETED)).fetchall()
    out = []
    for doc_id, version, seq, meta_blob, tx_id, block_ts in rows:
        if meta_blob is not None:  # an imported revision: its own metadata says when
            meta = loads(meta_blob)
            when, tx_id = meta["txTime"], str(meta["txId"])
        else:
            when = parse_timestamp(block_ts)
        out.append(DeletedDocument(doc_id, version, seq, when, tx_id))
    return out


def is_document(ledger: Ledger, doc_id: str) -> bool:
    """`doc_id` names a document of this ledger (current or deleted): one `revisions_doc`
    lookup."""
    return ledger._conn.execute("SELECT 1 FROM revisions WHERE doc_id=? LIMIT 1",
                                (doc_id,)).fetchone() is not None
