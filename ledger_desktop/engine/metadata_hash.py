"""H(metadata) for our own revisions, straight from the indexed columns.

A revision's metadata is `{id, version, txTime, txId}`; in our own blocks `txTime` and `txId`
are the block's time and transaction id, so the metadata is not stored a second time: it is
derived from the columns (document id, version, block) whenever it is shown or hashed. The
hash is computed without building Ion values: the two per-block field hashes are computed
once per block, the two per-revision ones each cost one SHA-256. `tests/engine/
test_metadata_hash.py` checks it against the generic `ion_hash` of the same struct. Where the C
extension is in use, `block_field_hashes` and `metadata_hash` are its versions (end of file).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from . import ion_hash as _ion_hash
from .ion_hash import _escape_always, _int, _symbol, _timestamp

_sha = hashlib.sha256
_ID = _symbol("id") + b"\x0b\x80"
_VERSION = _symbol("version")
_TX_TIME = _symbol("txTime")
_TX_ID = _symbol("txId") + b"\x0b\x80"


def _text(raw: bytes) -> bytes:
    return _escape_always(raw) if (11 in raw or 12 in raw or 14 in raw) else raw


def block_field_hashes_py(tx_time: Any, tx_id: str) -> tuple[bytes, bytes]:
    """The field hashes of `txTime` and `txId`, shared by every revision of a block."""
    return (_sha(_TX_TIME + _timestamp(tx_time)).digest(),
            _sha(_TX_ID + _text(tx_id.encode("utf-8")) + b"\x0e").digest())


# H(version field) of the first versions, computed once: most revisions are version 0-9.
_VERSION_HASHES = [_sha(_VERSION + _int(v)).digest() for v in range(64)]


def metadata_hash_py(doc_id: str, version: int, block_fields: tuple[bytes, bytes]) -> bytes:
    vh = (_VERSION_HASHES[version] if 0 <= version < 64
          else _sha(_VERSION + _int(version)).digest())
    hashes = [_sha(_ID + _text(doc_id.encode("utf-8")) + b"\x0e").digest(), vh,
              *block_fields]
    hashes.sort()
    return _sha(b"\x0b\xd0" + _escape_always(b"".join(hashes)) + b"\x0e").digest()


# The C extension's versions where it is in use (ion_hash.C_HASH_VALUE): the same hashes in a
# fraction of the time (bench/bench_commit_parts.py). They hand the arguments they do not
# handle (keywords, str or int subclasses, field hashes that are not a tuple of two 32-byte
# bytes) to the Python versions above, the reference tests/engine/test_commit_hashes_c.py
# compares them with; s(txTime) comes from _timestamp, which remembers the block time.
block_field_hashes: Callable[[Any, str], tuple[bytes, bytes]] = block_field_hashes_py
metadata_hash: Callable[[str, int, tuple[bytes, bytes]], bytes] = metadata_hash_py
if _ion_hash.C_HASH_VALUE:
    from . import _ionhash_c

    _ionhash_c.set_fallbacks(metadata_hash=metadata_hash_py,
                             block_field_hashes=block_field_hashes_py, timestamp=_timestamp)
    block_field_hashes = _ionhash_c.block_field_hashes
    metadata_hash = _ionhash_c.metadata_hash
