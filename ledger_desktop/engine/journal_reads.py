"""Reading the journal: whole blocks as QLDB exports them, revisions, history views."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from amazon.ion.core import IonType, Timestamp
from amazon.ion.simple_types import IonPyTimestamp

from . import storage
from .blocks import BlockAddress, as_blob
from .errors import BlockNotFoundError
from .ion_passthrough import loads_many_bare
from .ion_values import (
    block_address,
    ion_c_alters,
    ion_list,
    loads,
    loads_bare,
    parse_timestamp,
    string,
    struct,
)
from .light_values import Blob, Int, List, Struct, Text
from .model import RevisionInfo

if TYPE_CHECKING:
    from .ledger import Ledger

_KIND_NAMES = {storage.KIND_DATA: "data", storage.KIND_DELETED: "deleted",
               storage.KIND_REDACTED: "redacted"}

_REV_COLS = "seq, idx, doc_id, version, table_id, kind, hash, metadata, data, data_hash"
# The revision columns plus the block's tx_id and block_ts (to derive metadata).
_REV_JOIN = (f"SELECT {', '.join('r.' + c.strip() for c in _REV_COLS.split(','))}, b.tx_id, "
             "b.block_ts FROM revisions r JOIN blocks b ON b.seq = r.seq")


def derive_metadata(doc_id: str, version: int, tx_id: str, tx_time: Any) -> Any:
    """{id, version, txTime, txId} of one of our own revisions, from its columns and block."""
    return struct(("id", string(doc_id)), ("version", version), ("txTime", tx_time),
                  ("txId", string(tx_id)))


def _metadata(row: tuple, tx_id: str | None = None, tx_time: Any = None) -> Any:
    """Stored metadata (imported blocks) or metadata derived from the columns (our blocks);
    without `tx_id`/`tx_time`, the row carries the block's tx_id and block_ts after its ten
    revision columns."""
    if row[7] is not None:
        return loads(row[7])
    if tx_id is None:
        tx_id, tx_time = row[10], _parse_ts(row[11])
    return derive_metadata(row[2], row[3], str(tx_id), tx_time)


@lru_cache(maxsize=4096)
def _parse_ts(text: str) -> Any:
    return parse_timestamp(text)


def revision_struct(strand_id: str, row: tuple, tx_id: str | None = None, tx_time: Any = None,
                    *, system_hash_only: bool = True) -> Any:
    """A revision row as QLDB shows it: {blockAddress, hash, data|dataHash?, metadata}."""
    seq, _idx, _doc, _ver, _tid, kind, h, _meta, data, data_hash = row[:10]
    if kind == storage.KIND_HASH_ONLY or (kind == storage.KIND_SYSTEM and system_hash_only):
        return struct(("hash", as_blob(h)))
    pairs: list[tuple[str, Any]] = [("blockAddress", block_address(strand_id, seq)),
                                    ("hash", as_blob(h))]
    if kind in (storage.KIND_DATA, storage.KIND_SYSTEM):
        pairs.append(("data", loads(data)))
    elif kind == storage.KIND_REDACTED:
        pairs.append(("dataHash", as_blob(data_hash)))
    pairs.append(("metadata", _metadata(row, tx_id, tx_time)))
    return struct(*pairs)


FIELD_ORDER = ("blockAddress", "transactionId", "blockTimestamp", "blockHash", "entriesHash",
                "previousBlockHash", "entriesHashList", "transactionInfo", "redactionInfo")


def assemble_block(strand_id: str, body: bytes, rev_rows: list[tuple]) -> Any:
    """The block exactly as QLDB exports it: stored fields plus the `revisions` list."""
    stored = loads(body)
    pairs = [(name, stored[name]) for name in FIELD_ORDER if name in stored]
    known = set(FIELD_ORDER)
    pairs += [(k, v) for k, v in stored.items() if k not in known and k != "revisions"]
    if rev_rows:
        tx_id, tx_time = str(stored["transactionId"]), stored["blockTimestamp"]
        pairs.append(("revisions", ion_list([revision_struct(strand_id, r, tx_id, tx_time)
                                             for r in rev_rows])))
    return struct(*pairs)


def read_block(ledger: Ledger, seq: int) -> Any:
    conn = ledger._conn
    row = conn.execute("SELECT body FROM blocks WHERE seq=?", (seq,)).fetchone()
    if row is None:
        raise BlockNotFoundError(f"no block with sequence number {seq}")
    revs = conn.execute(f"SELECT {_REV_COLS} FROM revisions WHERE seq=? ORDER BY idx",
                        (seq,)).fetchall()
    return assemble_block(ledger.strand_id, row[0], revs)


def iter_block_rows(ledger: Ledger, first: int = 0, last: int | None = None
                    ) -> Iterator[tuple[int, bytes, list[tuple]]]:
    """(seq, stored body, revision rows) of each block in order, streamed."""
    conn = ledger._conn
    if last is None:
        last = conn.execute("SELECT coalesce(max(seq), -1) FROM blocks").fetchone()[0]
    bcur = conn.execute("SELECT seq, body FROM blocks WHERE seq BETWEEN ? AND ? ORDER BY seq",
                        (first, last))
    rcur = ledger._new_cursor().execute(
        f"SELECT {_REV_COLS} FROM revisions WHERE seq BETWEEN ? AND ? ORDER BY seq, idx",
        (first, last))
    pending = rcur.fetchone()
    for seq, body in bcur:
        revs = []
        while pending is not None and pending[0] == seq:
            revs.append(pending)
            pending = rcur.fetchone()
        yield seq, body, revs


def iter_blocks(ledger: Ledger, first: int = 0, last: int | None = None) -> Iterator[Any]:
    """Blocks in order, streamed (one parsed block alive at a time)."""
    for _seq, body, revs in iter_block_rows(ledger, first, last):
        yield assemble_block(ledger.strand_id, body, revs)


# ---------------------------------------------------------------------------- bare values
# Exports and streams only pass blocks through to a writer. amazon.ion's MAY_BE_BARE model
# (plain str, int, bytes, list, dict, Timestamp, SymbolToken; IonPy objects only where an
# annotation or a typed null needs one) parses 2-4x faster than IonPy values and writes back
# the same Ion, so these readers build blocks from plain values.


def revision_bare(strand_id: str, row: tuple, tx_id: str, tx_time: Any,
                  values: Iterator[Any], address: Any = None) -> dict[str, Any]:
    """`revision_struct` (hash-only system revisions) as plain values; `values` yields the
    parsed blobs of `revision_blobs(row)`. `tx_id`, `tx_time` and `address` (the block's,
    made by `block_address_bare`) may be shared by all revisions of a block."""
    seq, _idx, doc_id, version, _tid, kind, h, meta, _data, data_hash = row[:10]
    if kind == storage.KIND_HASH_ONLY or kind == storage.KIND_SYSTEM:
        return Struct(hash=Blob(h))
    rev = Struct(blockAddress=address or block_address_bare(strand_id, seq), hash=Blob(h))
    if kind == storage.KIND_DATA:
        rev["data"] = next(values)
    elif kind == storage.KIND_REDACTED:
        rev["dataHash"] = Blob(data_hash)
    rev["metadata"] = next(values) if meta is not None else Struct(
        id=Text(doc_id), version=Int(version) if type(version) is int else version,
        txTime=tx_time, txId=tx_id)
    return rev


def block_address_bare(strand_id: str, seq: int) -> Struct:
    return Struct(strandId=Text(strand_id), sequenceNo=Int(seq))


def _typed_timestamp(ts: Any) -> Any:
    """A bare timestamp as an IonPy one (same Ion; written without amazon.ion's slow path)."""
    if getattr(ts, "ion_type", None) is None and isinstance(ts, Timestamp):
        return IonPyTimestamp.from_value(IonType.TIMESTAMP, ts)
    return ts


def revision_blobs(row: tuple) -> list[bytes]:
    """The stored Ion blobs `revision_bare` reads for a row: data, then metadata."""
    kind = row[5]
    if kind == storage.KIND_HASH_ONLY or kind == storage.KIND_SYSTEM:
        return []
    out = [row[8]] if kind == storage.KIND_DATA else []
    if row[7] is not None:
        out.append(row[7])
    return out


def block_envelope_bare(body: bytes, stored: Any = None) -> tuple[Any, dict[str, Any]]:
    """(the stored block parsed, its fields in `assemble_block`'s order, without revisions)."""
    if stored is None:
        stored = loads_bare(body)
    block = Struct([(name, stored[name]) for name in FIELD_ORDER if name in stored])
    for k, v in stored.items():
        if k not in _KNOWN and k != "revisions":
            block[k] = v
    return stored, block


_KNOWN = frozenset(FIELD_ORDER)


def ion_c_keeps(body: bytes, rev_rows: list[tuple]) -> bool:
    """Whether ion-c reads (and writes) every value of a stored block as stored: False for
    the rare value only amazon.ion's Python reader keeps (ion_values.ion_c_alters)."""
    blobs = [body]
    for r in rev_rows:
        blobs += revision_blobs(r)
    return not ion_c_alters(b"".join(blobs))  # each blob starts with a version marker


def assemble_block_bare(strand_id: str, body: bytes, rev_rows: list[tuple],
                        known_readable: bool = False) -> dict[str, Any]:
    """`assemble_block` with plain values: the same Ion when written, built 2-3x faster (all
    of the block's blobs are parsed in one amazon.ion call). `known_readable`: ion_c_keeps
    said so already."""
    blobs = [body]
    for r in rev_rows:
        blobs += revision_blobs(r)
    values = iter(loads_many_bare(blobs, known_readable))
    stored, block = block_envelope_bare(body, next(values))
    if rev_rows:
        tx_id = Text(stored["transactionId"])
        tx_time = _typed_timestamp(stored["blockTimestamp"])
        address = block_address_bare(strand_id, rev_rows[0][0])
        block["revisions"] = List([revision_bare(strand_id, r, tx_id, tx_time, values, address)
                                   for r in rev_rows])
    return block


def iter_blocks_bare(ledger: Ledger, first: int = 0, last: int | None = None
                     ) -> Iterator[dict[str, Any]]:
    """`iter_blocks` with plain values (for writers: exports, streams)."""
    strand = ledger.strand_id
    for _seq, body, revs in iter_block_rows(ledger, first, last):
        yield assemble_block_bare(strand, body, revs)


def _statements_of(body: bytes, doc_id: str) -> list[str]:
    block = loads(body)
    try:
        info = block["transactionInfo"]
        stmts = info["statements"]
        idxs = info["documents"][doc_id]["statements"]
        return [str(stmts[int(i)]["statement"]) for i in idxs]
    except (KeyError, IndexError, TypeError):
        return []


def _revision_info(ledger: Ledger, row: tuple, body: bytes | None) -> RevisionInfo:
    seq, _idx, doc_id, version, table_id, kind, h, _meta, data, data_hash = row[:10]
    tx_id = row[10]
    metadata = _metadata(row)
    return RevisionInfo(
        doc_id=doc_id, version=version, address=BlockAddress(ledger.strand_id, seq),
        hash=as_blob(h), kind=_KIND_NAMES.get(kind, "system"),
        data=loads(data) if kind == storage.KIND_DATA else None,
        data_hash=as_blob(data_hash) if data_hash is not None else None,
        tx_time=metadata.get("txTime", None), tx_id=tx_id,
        table_id=table_id, metadata=metadata,
        statements=_statements_of(body, doc_id) if body is not None else [])


def document_history(ledger: Ledger, doc_id: str) -> list[RevisionInfo]:
    """Every revision of one document, oldest first, with the statements that made it."""
    conn = ledger._conn
    rows = conn.execute(
        f"{_REV_JOIN.replace(' FROM', ', b.body FROM')} WHERE r.doc_id=? AND r.kind!=? "
        "ORDER BY r.version", (doc_id, storage.KIND_SYSTEM)).fetchall()
    return [_revision_info(ledger, r[:12], r[12]) for r in rows]


def revision_at(ledger: Ledger, doc_id: str, seq: int) -> tuple[Any, int, list[bytes]]:
    """(revision struct, its index in the block, all revision hashes of the block)."""
    conn = ledger._conn
    rows = conn.execute(f"{_REV_JOIN} WHERE r.seq=? ORDER BY r.idx", (seq,)).fetchall()
    for r in rows:
        if r[2] == doc_id and r[5] != storage.KIND_SYSTEM:
            return revision_struct(ledger.strand_id, r), r[1], [as_blob(x[6]) for x in rows]
    from .errors import RevisionNotFoundError

    raise RevisionNotFoundError(f"no revision of document {doc_id!r} in block {seq}")


def committed_view_rows(ledger: Ledger, table_id: str) -> Iterator[Any]:
    cur = ledger._new_cursor().execute(
        f"{_REV_JOIN} JOIN documents d ON r.seq = d.seq AND r.idx = d.idx "
        "WHERE d.table_id=? ORDER BY d.doc_id", (table_id,))
    for row in cur:
        yield revision_struct(ledger.strand_id, row)


_LEAD = ", lead(r.seq) OVER (PARTITION BY r.doc_id ORDER BY r.version)"


def utc_bound(when: Any) -> Any:
    """A history() bound that compares with block times. A timestamp with an unknown offset
    (every date-only one, `2019T`, and `-00:00`) is read as UTC, as QLDB reads its bounds;
    Python cannot compare it with an aware time at all."""
    if when is None or when.utcoffset() is not None:
        return when
    return _dt.datetime(when.year, when.month, when.day, when.hour, when.minute, when.second,
                        when.microsecond, tzinfo=_dt.UTC)


def history_rows(ledger: Ledger, table_id: str, start: Any = None,
                 end: Any = None, doc_id: str | None = None) -> Iterator[Any]:
    """Revisions active in [start, end] (both inclusive), as QLDB's history() selects them.

    With `doc_id`, only that document's revisions (read through the per-document index, so
    the cost does not grow with the table's history; used for `WHERE h.metadata.id = ?`).
    """
    if doc_id is None:
        cur = ledger._new_cursor().execute(
            f"{_REV_JOIN.replace(' FROM', _LEAD + ' FROM')} "
            "WHERE r.table_id=? AND r.kind!=? ORDER BY r.seq, r.idx",
            (table_id, storage.KIND_SYSTEM))
    else:
        cur = ledger._new_cursor().execute(
            f"{_REV_JOIN.replace(' FROM', _LEAD + ' FROM')} "
            "WHERE r.doc_id=? AND +r.table_id=? AND r.kind!=? ORDER BY r.seq, r.idx",
            (doc_id, table_id, storage.KIND_SYSTEM))
    start, end = utc_bound(start), utc_bound(end)
    next_time: dict[int, Any] = {}
    for row in cur:
        rev = revision_struct(ledger.strand_id, row[:12])
        if start is not None or end is not None:
            tx_time = rev["metadata"]["txTime"]
            if end is not None and tx_time > end:
                continue
            if start is not None and row[12] is not None:
                nxt = next_time.get(row[12])
                if nxt is None:
                    nxt = _block_time(ledger, row[12])
                    next_time[row[12]] = nxt
                if nxt < start:
                    continue  # superseded before the interval began
            if start is not None and "data" not in rev and "dataHash" not in rev \
                    and tx_time < start:
                continue  # deleted before the interval
        yield rev


def _block_time(ledger: Ledger, seq: int) -> Any:
    from .ion_values import parse_timestamp

    row = ledger._conn.execute("SELECT block_ts FROM blocks WHERE seq=?", (seq,)).fetchone()
    return parse_timestamp(row[0])
