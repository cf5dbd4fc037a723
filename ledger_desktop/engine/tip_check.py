"""Before the first write on a connection: does the last block hold together?

SQLite applies whatever `-wal` file lies beside a ledger. Another ledger's `-wal` (a file moved
over this one while a crashed session's `-wal` remained) mixes that ledger's pages into this
one: `verify` reports it, but a commit went on to write a new block on top and checkpointed
the foreign pages into the file for good. A write now first checks the tip block as full
verification does (its content against its hashes, its hash, its link to the block before),
once per connection and again only when another program has committed; a tip that does not
hold together stops the write, with nothing written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .blocks import as_blob
from .errors import IntegrityError
from .ion_hash import dot

if TYPE_CHECKING:
    from .ledger import Ledger


_MAX_REHASHED = 1000  # revisions in a tip block whose content is re-hashed


def check_tip(ledger: Ledger, seq: int) -> None:
    """Raise IntegrityError if block `seq` (the tip) fails its checks."""
    from .verify import _REV_SQL_ONE, VerifyFailure, VerifyReport, _check_block_content

    if seq < 0:
        return
    conn = ledger._conn
    rows = conn.execute("SELECT seq, tx_id, block_ts, block_hash, entries_hash, prev_hash, "
                        "is_foreign, body, n_revisions FROM blocks WHERE seq IN (?, ?) "
                        "ORDER BY seq DESC", (seq, seq - 1)).fetchall()
    report = VerifyReport(ledger=str(ledger.path), strand_id=ledger.strand_id,
                          mode="tip before writing")
    if not rows or rows[0][0] != seq:
        report.fail(VerifyFailure(seq, "chain link", "the tip block is missing"))
    else:
        _s, tx_id, block_ts, bhash, ehash, phash, is_foreign, body, n_revs = rows[0]
        bhash, ehash, phash = as_blob(bhash), as_blob(ehash), as_blob(phash)
        # A large tip (an import's 40,000 documents) would take a second or more to re-hash
        # before every first write; its hash and link are still checked.
        if (n_revs or 0) <= _MAX_REHASHED:
            revs = conn.execute(_REV_SQL_ONE, (seq,)).fetchall()
            _check_block_content(report, ledger, seq, tx_id, block_ts, bhash, ehash, phash,
                                 bool(is_foreign), body, revs)
        if dot(ehash, phash) != bhash:
            report.fail(VerifyFailure(seq, "block hash",
                                      "blockHash != dot(entriesHash, previousBlockHash)"))
        if seq > 0 and (len(rows) < 2 or as_blob(rows[1][3]) != phash):
            report.fail(VerifyFailure(seq, "chain link",
                                      f"previousBlockHash is not block {seq - 1}'s hash"))
    if report.failures:
        raise IntegrityError(
            f"{ledger.path}: nothing was written: the ledger's last block does not hold "
            f"together ({report.failures[0]}). Run `ledger verify`; if a -wal file from another "
            "copy or another ledger was put beside this file, put the right one back", report)
