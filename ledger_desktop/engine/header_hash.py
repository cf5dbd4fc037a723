"""Entry 0 of our blocks, H({blockAddress, transactionId, blockTimestamp}), written out for
exactly that shape (no Ion values built): one of the fixed costs of every commit.
`tests/engine/test_metadata_hash.py` checks it against `blocks.header_entry` (the generic hash
of the same struct, which verification uses on what is stored)."""

from __future__ import annotations

import hashlib
from typing import Any

from .ion_hash import _int, _symbol, _timestamp
from .tx_info_hash import _struct, _text

_sha = hashlib.sha256
_BLOCK_ADDRESS = _symbol("blockAddress")
_STRAND_ID = _symbol("strandId") + b"\x0b\x80"
_SEQUENCE_NO = _symbol("sequenceNo")
_TRANSACTION_ID = _symbol("transactionId") + b"\x0b\x80"
_BLOCK_TIMESTAMP = _symbol("blockTimestamp")


def own_header_entry(strand_id: str, seq: int, tx_id: str, block_ts: Any) -> bytes:
    address = _struct([_sha(_STRAND_ID + _text(strand_id) + b"\x0e").digest(),
                       _sha(_SEQUENCE_NO + _int(seq)).digest()])
    return _sha(_struct([_sha(_BLOCK_ADDRESS + address).digest(),
                         _sha(_TRANSACTION_ID + _text(tx_id) + b"\x0e").digest(),
                         _sha(_BLOCK_TIMESTAMP + _timestamp(block_ts)).digest()])).digest()
