"""Blocks and revisions in QLDB's shape, and the checks that prove one block.

The same checks serve `ledger verify`, `verify-export` and `verify-proof`: there is one way to
verify a block. Our own blocks use a fixed entry layout (see docs/journal-format.md); blocks
imported from QLDB are checked the way QLDB's sample verifier does (membership of the
computable entries), since QLDB's internal entries cannot be recomputed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from amazon.ion.core import IonType, Timestamp
from amazon.ion.simple_types import IonPyInt, IonPyText, IonPyTimestamp

from .errors import InputFormatError
from .ion_hash import dot, ion_hash, merkle_root
from .ion_values import block_address, dumps_text, loads, string, struct
from .light_values import Int, Text
from .metadata_hash import block_field_hashes, metadata_hash
from .tx_info_hash import transaction_info_hash_of

#: Hash of a deleted revision's missing data (see docs/journal-format.md).
EMPTY_DATA_HASH = hashlib.sha256(b"").digest()


def block_range(first: int, last: int) -> str:
    """A run of sequence numbers as reports write it: "block 9", "blocks 9..11" (never
    "blocks 9..9")."""
    return f"block {first}" if first == last else f"blocks {first}..{last}"


@dataclass(frozen=True, order=True)
class BlockAddress:
    strand_id: str
    seq: int

    def to_ion(self) -> Any:
        return block_address(self.strand_id, self.seq)

    def text(self) -> str:
        return f'{{strandId:"{self.strand_id}",sequenceNo:{self.seq}}}'

    @classmethod
    def from_ion(cls, value: Any) -> BlockAddress:
        try:
            strand, seq = value["strandId"], value["sequenceNo"]
        except (KeyError, TypeError, ValueError):
            strand = seq = None
        # a string and a whole number of 0 or more, not 13.0, "13", true or a symbol
        whole = type(seq) is int or (isinstance(seq, int)
                                      and getattr(seq, "ion_type", None) == IonType.INT)
        if isinstance(strand, str) and whole and seq >= 0:
            return cls(str(strand), int(seq))
        raise InputFormatError(
            f"not a block address: {_short(value)} (expected {{strandId:\"…\",sequenceNo:N}})")

    @classmethod
    def parse(cls, text: str) -> BlockAddress:
        """Ion text such as {strandId:"…",sequenceNo:3}; bare `strand:seq` is accepted too."""
        text = text.strip()
        m = re.fullmatch(r"([A-Za-z0-9]+):(\d+)", text)
        if m:
            return cls(m.group(1), int(m.group(2)))
        try:
            value = loads(text)
        except Exception:
            raise InputFormatError(f"not a block address: {text!r}") from None
        return cls.from_ion(value)


def _short(value: Any) -> str:
    try:
        s = dumps_text(value)
    except Exception:
        s = repr(value)
    return s if len(s) < 80 else s[:77] + "..."


def header_entry(address: Any, tx_id: str, block_ts: Any) -> bytes:
    """Entry 0 of our blocks: binds the block's address, transaction id and time into the hash."""
    return ion_hash(struct(("blockAddress", address), ("transactionId", string(tx_id)),
                           ("blockTimestamp", block_ts)))


_META_FIELDS = frozenset(("id", "version", "txTime", "txId"))
_block_fields_cache: dict[tuple, tuple[bytes, bytes]] = {}


def _is_text(v: Any) -> bool:
    t = type(v)
    return t is str or t is Text or (t is IonPyText and v.ion_type == IonType.STRING
                                     and not v.ion_annotations)


def _is_int(v: Any) -> bool:
    t = type(v)
    return t is int or t is Int or (t is IonPyInt and not v.ion_annotations)


def _is_timestamp(v: Any) -> bool:
    t = type(v)
    return t is Timestamp or (t is IonPyTimestamp and not v.ion_annotations)


def metadata_hash_of(meta: Any) -> bytes:
    """H(metadata): for the usual `{id, version, txTime, txId}` (strings, an int, a timestamp,
    no annotations, no repeated names) by metadata_hash, whose txTime/txId field hashes are
    shared by a block's revisions; anything else by the generic Ion Hash. Both give the same
    hash (tests/engine/test_metadata_hash.py)."""
    items = list(meta.items()) if hasattr(meta, "items") else None
    if (items is None or len(items) != 4 or getattr(meta, "ion_annotations", None)
            or {k for k, _ in items} != _META_FIELDS):
        return ion_hash(meta)
    m = dict(items)
    doc_id, version, tx_time, tx_id = m["id"], m["version"], m["txTime"], m["txId"]
    # exact types only (typed nulls, symbols, annotated values go the generic way)
    if not (_is_text(doc_id) and _is_text(tx_id) and _is_int(version)
            and _is_timestamp(tx_time)):
        return ion_hash(meta)
    # Timestamps equal as instants can differ in precision or offset: all are in the key.
    key = (str(tx_id), tx_time, tx_time.utcoffset(), getattr(tx_time, "precision", None),
           getattr(tx_time, "fractional_precision", None),
           getattr(tx_time, "fractional_seconds", None))
    fields = _block_fields_cache.get(key)
    if fields is None:
        if len(_block_fields_cache) > 4096:
            _block_fields_cache.clear()
        fields = _block_fields_cache[key] = block_field_hashes(tx_time, str(tx_id))
    return metadata_hash(str(doc_id), int(version), fields)


def revision_hash(metadata: Any, data: Any = None, data_hash: bytes | None = None,
                  deleted: bool = False) -> bytes:
    """dot(H(metadata), H(data)); dataHash for redacted data; SHA-256("") for deletions."""
    if deleted:
        return dot(metadata_hash_of(metadata), EMPTY_DATA_HASH)
    if data_hash is not None:
        return dot(metadata_hash_of(metadata), as_blob(data_hash))
    return dot(metadata_hash_of(metadata), ion_hash(data))


def compute_revision_hash(revision: Any) -> bytes | None:
    """Recompute a revision's hash from its content; None for hash-only revisions.

    A hash-only revision (QLDB's system revisions) has a hash and nothing it could be checked
    against. One that holds `data` or `dataHash` but no `metadata` is not one of them: taken as
    hash-only, its data would pass unchecked, so it is a ValueError."""
    if "metadata" not in revision:
        if "data" in revision or "dataHash" in revision:
            raise ValueError("a revision with data but no metadata: its hash cannot be "
                             "recomputed, and only a hash-only revision may lack metadata")
        return None
    meta = revision["metadata"]
    if "data" in revision:
        return revision_hash(meta, revision["data"])
    if "dataHash" in revision:
        return revision_hash(meta, data_hash=as_blob(revision["dataHash"]))
    return revision_hash(meta, deleted=True)


@dataclass
class CheckFailure:
    seq: int | None
    check: str        # 'revision hash', 'revisions entry', 'transaction info', 'redaction info',
    # 'header entry', 'entries hash', 'block hash', 'chain link', 'digest', 'format'
    message: str
    revision_index: int | None = None
    document_id: str | None = None

    def __str__(self) -> str:
        where = f"block {self.seq}" if self.seq is not None else "block"
        return f"{where}: {self.check} check failed: {self.message}"


def as_blob(value: Any) -> bytes:
    """A hash or blob read from a block, a file or a ledger column, as bytes. `bytes(n)` of an
    int makes n zero bytes: a tampered hash field holding a large int must be an error, not
    a multi-gigabyte allocation."""
    if type(value) is bytes:
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise TypeError(f"expected a hash (a blob), got {type(value).__name__}")


# The fields of a block as an export or a stream holds one of ours (our journal stores the
# revisions apart). Anything else in such a block is covered by no hash.
OWN_BLOCK_FIELDS = frozenset({"blockAddress", "transactionId", "blockTimestamp", "blockHash",
                              "entriesHash", "previousBlockHash", "entriesHashList",
                              "transactionInfo", "redactionInfo", "revisions"})


def uncovered_content(block: Any) -> str | None:
    """What one of our blocks holds outside its hashed layout, or None: a field that is not
    one of the block's, a repeated field name (readers keep one value and hide the other), or
    annotations on the block or on a field the hashes do not cover as stored."""
    if getattr(block, "ion_annotations", None):
        return "annotations on the block"
    names = [name for name, _ in block.items()]
    extra = sorted({n for n in names if n not in OWN_BLOCK_FIELDS})
    if extra:
        return f"a field outside the block's layout ({', '.join(map(str, extra))})"
    if len(set(names)) != len(names):
        return "a repeated field name"
    for name in ("transactionId", "blockTimestamp", "blockHash", "entriesHash",
                 "previousBlockHash", "entriesHashList"):
        value = block.get(name)
        if getattr(value, "ion_annotations", None) or (
                name == "entriesHashList" and isinstance(value, list)
                and any(getattr(h, "ion_annotations", None) for h in value)):
            return f"annotations on {name}"
    return None


def _hashes(value: Any) -> list[bytes]:
    return [as_blob(h) for h in value]


def check_block(block: Any, *, own_layout: bool = False,
                notes: list[str] | None = None) -> list[CheckFailure]:
    """Every check that one block's content allows; an empty list means the block is sound.

    `own_layout` also requires our fixed entry layout (entry 0 = header entry); otherwise only
    membership of the computable entries is required, as QLDB's sample verifier does.
    """
    try:
        return _check_block(block, own_layout, notes)
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        # e.g. a hash that is not 32 bytes, or a revision without metadata fields
        seq = None
        try:
            seq = int(block["blockAddress"]["sequenceNo"])
        except Exception:
            pass
        return [CheckFailure(seq, "format", f"malformed block ({type(e).__name__}: {e})")]


def _check_block(block: Any, own_layout: bool, notes: list[str] | None) -> list[CheckFailure]:
    failures: list[CheckFailure] = []
    try:
        addr = BlockAddress.from_ion(block["blockAddress"])
        seq = addr.seq
        entries = _hashes(block["entriesHashList"])
        entries_hash = as_blob(block["entriesHash"])
        block_hash = as_blob(block["blockHash"])
        prev_hash = as_blob(block["previousBlockHash"]) if "previousBlockHash" in block else b""
    except (KeyError, TypeError, InputFormatError) as e:
        seq = None
        try:
            seq = int(block["blockAddress"]["sequenceNo"])
        except Exception:
            pass
        return [CheckFailure(seq, "format", f"not a QLDB block: missing or malformed field ({e})")]

    revisions = block.get("revisions", [])
    rev_hashes: list[bytes] = []
    for i, rev in enumerate(revisions):
        if "hash" not in rev:
            failures.append(CheckFailure(seq, "format", f"revision {i} has no hash", i))
            continue
        stored = as_blob(rev["hash"])
        rev_hashes.append(stored)
        doc_id = None
        if "metadata" in rev:
            try:
                doc_id = str(rev["metadata"]["id"])
            except (KeyError, TypeError):
                pass
        computed = compute_revision_hash(rev)
        if computed is None or computed == stored:
            continue
        deleted = "metadata" in rev and "data" not in rev and "dataHash" not in rev
        if deleted and not own_layout:
            if notes is not None:
                notes.append(
                    f"block {seq}: revision {i} is a deletion; QLDB's hash rule for deleted "
                    "revisions is not public, so only its membership in the block is checked")
            continue
        failures.append(CheckFailure(
            seq, "revision hash",
            f"revision {i} (document {doc_id}) hashes to {_b64(computed)}, stored {_b64(stored)}",
            i, doc_id))

    if rev_hashes:
        root = merkle_root(rev_hashes)
        if own_layout:
            if len(entries) < 2 or entries[1] != root:
                failures.append(CheckFailure(seq, "revisions entry",
                                             "entry 1 is not the Merkle root of the revision hashes"))
        elif root not in entries:
            failures.append(CheckFailure(seq, "revisions entry",
                                         "the Merkle root of the revision hashes is not an entry"))
    if "transactionInfo" in block and transaction_info_hash_of(
            block["transactionInfo"]) not in entries:
        failures.append(CheckFailure(seq, "transaction info",
                                     "H(transactionInfo) is not among the block's entries"))
    if "redactionInfo" in block and ion_hash(block["redactionInfo"]) not in entries:
        failures.append(CheckFailure(seq, "redaction info",
                                     "H(redactionInfo) is not among the block's entries"))
    if own_layout:
        expected = own_entries(block, rev_hashes)
        if expected != entries:
            failures.append(CheckFailure(seq, "header entry" if expected[:1] != entries[:1]
                                         else "entries hash",
                                         "the entries list differs from the block's content"))
    if merkle_root(entries) != entries_hash:
        failures.append(CheckFailure(seq, "entries hash",
                                     "entriesHash is not the Merkle root of entriesHashList"))
    if dot(entries_hash, prev_hash) != block_hash:
        failures.append(CheckFailure(seq, "block hash",
                                     "blockHash != dot(entriesHash, previousBlockHash)"))
    return failures


def own_entries(block: Any, rev_hashes: list[bytes]) -> list[bytes]:
    """Our entry layout: [H(header), root(revisions)?, H(transactionInfo)?, H(redactionInfo)?]."""
    entries = [header_entry(block["blockAddress"], str(block["transactionId"]),
                            block["blockTimestamp"])]
    if rev_hashes:
        entries.append(merkle_root(rev_hashes))
    if "transactionInfo" in block:
        entries.append(transaction_info_hash_of(block["transactionInfo"]))
    if "redactionInfo" in block:
        entries.append(ion_hash(block["redactionInfo"]))
    return entries


def check_link(prev_block: Any, block: Any) -> CheckFailure | None:
    """The chain link between two consecutive blocks."""
    a = BlockAddress.from_ion(prev_block["blockAddress"])
    b = BlockAddress.from_ion(block["blockAddress"])
    if b.seq != a.seq + 1 or a.strand_id != b.strand_id:
        return CheckFailure(b.seq, "chain link", f"block {b.seq} does not follow block {a.seq}")
    try:
        linked = as_blob(block["previousBlockHash"]) == as_blob(prev_block["blockHash"])
    except (KeyError, TypeError, ValueError):  # a damaged block lacks one of the hashes
        return CheckFailure(b.seq, "chain link", f"block {b.seq}'s previousBlockHash or block "
                            f"{a.seq}'s blockHash is missing or not a hash")
    if not linked:
        return CheckFailure(b.seq, "chain link",
                            f"previousBlockHash is not block {a.seq}'s blockHash")
    return None


def _b64(h: bytes) -> str:
    import base64

    return base64.b64encode(h).decode()
