"""Bulk, read-only views of the journal for the chain view: numpy columns and block search.

The chain view draws up to millions of blocks, so it needs the journal's per-block columns as
flat arrays rather than one Python object per block. Reading is done in seq-range chunks with
progress and cancel, and never writes (it works on a ledger opened read-only).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .blocks import BlockAddress, block_range
from .cancel import CancelToken, Progress
from .errors import InputFormatError
from .ion_values import parse_timestamp

if TYPE_CHECKING:
    from .ledger import Ledger

CHUNK = 65536

#: bits of `ChainArrays.flags`
FLAG_REDACTION = 1
FLAG_FOREIGN = 2

_ID_RE = re.compile(r"[A-Za-z0-9]{16,32}")


@dataclass
class ChainArrays:
    """One entry per block, in journal order. `seq` is normally 0..n-1 (gaps mean tampering)."""

    seq: np.ndarray          # int64
    ts_ms: np.ndarray        # int64, block timestamp in ms since the Unix epoch (UTC)
    n_revisions: np.ndarray  # int32
    flags: np.ndarray        # uint8, FLAG_* bits

    def __len__(self) -> int:
        return int(self.seq.shape[0])

    @classmethod
    def empty(cls) -> ChainArrays:
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int32),
                   np.zeros(0, np.uint8))


def _parse_times(texts: list[str]) -> np.ndarray:
    """Ion timestamp text -> epoch ms. Vectorised for the usual UTC `…Z` form, exact otherwise."""
    out = np.empty(len(texts), np.int64)
    if not texts:
        return out
    try:
        if all(t.endswith("Z") for t in texts):
            stamps = np.array([t[:-1] for t in texts], dtype="datetime64[ms]")
            return stamps.astype(np.int64)
    except ValueError:
        pass  # an unusual precision or form: parse each value exactly below
    for i, t in enumerate(texts):
        ts = parse_timestamp(t)
        if ts.tzinfo is None:  # Ion's unknown offset (-00:00) means UTC
            ts = ts.replace(tzinfo=_dt.UTC)
        out[i] = int(round(ts.timestamp() * 1000))
    return out


def load_chain_arrays(ledger: Ledger, progress: Progress | None = None,
                      cancel: CancelToken | None = None, chunk: int = CHUNK) -> ChainArrays:
    """Every block's seq, time, revision count and flags, read in chunks of `chunk` blocks."""
    total = ledger.block_count()
    if total == 0:
        return ChainArrays.empty()
    seqs, times, nrevs, flags = [], [], [], []
    conn = ledger._conn
    done = 0
    for start in range(0, total, chunk):
        if cancel is not None:
            cancel.check()
        rows = conn.execute(
            "SELECT seq, block_ts, n_revisions, has_redaction + 2 * is_foreign FROM blocks "
            "WHERE seq >= ? AND seq < ? ORDER BY seq", (start, start + chunk)).fetchall()
        if rows:
            s, ts, n, f = zip(*rows, strict=True)
            seqs.append(np.fromiter(s, np.int64, len(rows)))
            times.append(_parse_times(list(ts)))
            nrevs.append(np.fromiter(n, np.int32, len(rows)))
            flags.append(np.fromiter(f, np.uint8, len(rows)))
        done = min(total, start + chunk)
        if progress is not None:
            progress(done, total)
    if not seqs:
        return ChainArrays.empty()
    return ChainArrays(np.concatenate(seqs), np.concatenate(times), np.concatenate(nrevs),
                       np.concatenate(flags))


@dataclass
class BlockSearch:
    """What a search box entry found: `kind` is block, transaction, document or none."""

    query: str
    kind: str
    seqs: list[int] = field(default_factory=list)
    message: str = ""


def find_blocks(ledger: Ledger, text: str) -> BlockSearch:
    """Resolve a block number, block address, document id or transaction id to block numbers.

    A document matches every block that holds one of its revisions; a transaction matches
    its one block. Unknown input is an `InputFormatError` with a message that says why.
    """
    query = text.strip()
    if not query:
        raise InputFormatError("type a block number, block address, document id or "
                               "transaction id")
    count = ledger.block_count()
    if query.isdigit() or query.startswith("{") or re.fullmatch(r"[A-Za-z0-9]+:\d+", query):
        if query.isdigit():
            seq = int(query)
        else:
            addr = BlockAddress.parse(query)
            if addr.strand_id != ledger.strand_id:
                return BlockSearch(query, "none", [], f"{addr.text()} is on strand "
                                   f"{addr.strand_id}, not this ledger's {ledger.strand_id}")
            seq = addr.seq
        if not 0 <= seq < count:
            return BlockSearch(query, "none", [], f"no block {seq}: the journal has "
                               f"{block_range(0, count - 1)}")
        return BlockSearch(query, "block", [seq], f"block {seq}")
    if not _ID_RE.fullmatch(query):
        raise InputFormatError(f"{query!r} is not a block number, block address, document id "
                               "or transaction id")
    rows = ledger._conn.execute("SELECT DISTINCT seq FROM revisions WHERE doc_id=? ORDER BY seq",
                                (query,)).fetchall()
    if rows:
        seqs = [r[0] for r in rows]
        many = len(seqs) != 1
        return BlockSearch(query, "document", seqs, f"document {query}: {len(seqs)} "
                           f"block{'s hold' if many else ' holds'} its revisions")
    rows = ledger._conn.execute("SELECT seq FROM blocks WHERE tx_id=? ORDER BY seq",
                                (query,)).fetchall()
    if rows:
        return BlockSearch(query, "transaction", [r[0] for r in rows],
                           f"transaction {query}: block {rows[0][0]}")
    return BlockSearch(query, "none", [], f"no block, document or transaction {query!r}")
