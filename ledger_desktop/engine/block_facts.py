"""What verification needs from one stored block body, read in one call.

Full verification of a journal of small transactions spends most of its time per block, not
per revision: parsing the body into Python values, splitting out `transactionInfo`'s bytes,
hashing the header entry, formatting the timestamp. `block_facts(blob)` gives everything the
checks compare, straight from the Ion binary:

    (strand_id, seq, tx_id, ts_text, block_hash, entries_hash, prev_hash, entries,
     header_entry, block_fields, tx_info_hash, documents)

- `ts_text` is `blockTimestamp` as Ion text (what `dumps_text` writes);
- `prev_hash` is b"" when `previousBlockHash` is absent;
- `header_entry` is our blocks' entry 0 (blocks.header_entry);
- `block_fields` is metadata_hash.block_field_hashes(blockTimestamp, transactionId);
- `tx_info_hash` is H(transactionInfo), None when absent;
- `documents` maps each document id in `transactionInfo.documents` to its `tableId`.

It answers only for the plain shape our commits write; for anything else (a repeated field
name, an annotation, a value of an unexpected type, a `redactionInfo`, a symbol without text,
a timestamp it cannot format) it returns None, and verification reads that block the general
way. So it never decides a check: verification compares these facts, and when any comparison
fails it runs the general checks, which write the report. `block_facts_py` is the reference,
built on amazon.ion's parse; the C extension's `block_facts` must return the same tuple or
None (tests/engine/test_block_facts.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from amazon.ion.core import IonType
from amazon.ion.simple_types import IonPyNull

from .blocks import header_entry
from .ion_binary_hash import ion_hash_binary
from .ion_fields import split_struct_fields
from .ion_values import dumps_text, loads
from .metadata_hash import block_field_hashes

BlockFacts = tuple[str, int, str, str, bytes, bytes, bytes, list[bytes], bytes,
                   tuple[bytes, bytes], bytes | None, dict[str, str]]

_REQUIRED = ("blockAddress", "transactionId", "blockTimestamp", "blockHash", "entriesHash",
             "entriesHashList")
# A field outside these is covered by no hash: the general checks report it.
_KNOWN = (*_REQUIRED, "previousBlockHash", "transactionInfo")


def _plain(value: Any, ion_type: IonType) -> bool:
    """`value` is a non-null, unannotated value of `ion_type`."""
    return (not isinstance(value, IonPyNull) and getattr(value, "ion_type", None) == ion_type
            and not value.ion_annotations)


def _names(value: Any) -> list[str] | None:
    """Field names of a struct in stored order; None if one has no text."""
    try:
        names = [name for name, _ in value.items()]
    except Exception:
        return None
    return names if all(isinstance(n, str) for n in names) else None


def block_facts_py(blob: bytes) -> BlockFacts | None:
    try:
        body = loads(blob)
    except Exception:
        return None
    if not _plain(body, IonType.STRUCT):
        return None
    names = _names(body)
    if names is None or len(set(names)) != len(names) or "redactionInfo" in names:
        return None
    if any(n not in names for n in _REQUIRED) or any(n not in _KNOWN for n in names):
        return None
    addr = body["blockAddress"]
    addr_names = _names(addr) if _plain(addr, IonType.STRUCT) else None
    if (addr_names is None or len(set(addr_names)) != len(addr_names)
            or "strandId" not in addr_names or "sequenceNo" not in addr_names):
        return None
    strand, seq = addr["strandId"], addr["sequenceNo"]
    tx_id, ts = body["transactionId"], body["blockTimestamp"]
    if not (_plain(strand, IonType.STRING) and _plain(seq, IonType.INT) and seq >= 0
            and _plain(tx_id, IonType.STRING) and _plain(ts, IonType.TIMESTAMP)):
        return None
    hashes = [body["blockHash"], body["entriesHash"]]
    if "previousBlockHash" in names:
        hashes.append(body["previousBlockHash"])
    entries = body["entriesHashList"]
    if not _plain(entries, IonType.LIST):
        return None
    if not all(_plain(h, IonType.BLOB) for h in [*hashes, *entries]):
        return None
    tx_info_hash = None
    documents: dict[str, str] = {}
    if "transactionInfo" in names:
        info = body["transactionInfo"]
        fields = split_struct_fields(blob)
        if fields is None or len(fields) != len(names):
            return None
        tx_info_hash = ion_hash_binary(fields[names.index("transactionInfo")])
        if not _plain(info, IonType.STRUCT):
            return None
        info_names = _names(info)
        if info_names is None or info_names.count("documents") > 1:
            return None
        if "documents" in info_names:
            docs = info["documents"]
            doc_names = _names(docs) if _plain(docs, IonType.STRUCT) else None
            if doc_names is None or len(set(doc_names)) != len(doc_names):
                return None
            for doc_id, entry in docs.items():
                entry_names = _names(entry) if _plain(entry, IonType.STRUCT) else None
                if entry_names is None or entry_names.count("tableId") != 1:
                    return None
                table_id = entry["tableId"]
                if not _plain(table_id, IonType.STRING):
                    return None
                documents[doc_id] = str(table_id)
    return (str(strand), int(seq), str(tx_id), dumps_text(ts), bytes(hashes[0]),
            bytes(hashes[1]), bytes(hashes[2]) if len(hashes) > 2 else b"",
            [bytes(h) for h in entries], header_entry(addr, str(tx_id), ts),
            block_field_hashes(ts, str(tx_id)), tx_info_hash, documents)


# The C extension's version where it is built and in use; without it verification takes the
# general path for every block (this reference parses the body, so it would only add work).
block_facts: Callable[[bytes], BlockFacts | None] | None = None
if not os.environ.get("LEDGER_DESKTOP_NO_C_EXT"):
    try:
        from . import _ionhash_c

        block_facts = getattr(_ionhash_c, "block_facts", None)
    except ImportError:  # pragma: no cover - the extension is optional
        pass
