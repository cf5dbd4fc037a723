"""Tampering a copy of a ledger file directly in SQLite, as an attacker outside the app would."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from ledger_desktop.engine.ion_values import dumps_binary, loads


def tamper_copy(src: Path, dst: Path, seq: int) -> str:
    """Copy `src` to `dst` and change one field of the first data revision in block `seq`.

    Returns the id of the document whose revision was changed.
    """
    shutil.copyfile(src, dst)
    conn = sqlite3.connect(dst)
    try:
        row = conn.execute("SELECT idx, doc_id, data FROM revisions WHERE seq=? AND kind=0 "
                           "ORDER BY idx LIMIT 1", (seq,)).fetchone()
        assert row is not None, f"block {seq} has no data revision to tamper"
        idx, doc_id, data = row
        value = loads(data)
        key = next(iter(value.keys()))
        value[key] = "TAMPERED"
        conn.execute("UPDATE revisions SET data=? WHERE seq=? AND idx=?",
                     (dumps_binary(value), seq, idx))
        conn.commit()
    finally:
        conn.close()
    return doc_id


def flip_block_byte(src: Path, dst: Path, seq: int) -> None:
    """Copy `src` to `dst` and flip one byte of block `seq`'s stored body."""
    shutil.copyfile(src, dst)
    conn = sqlite3.connect(dst)
    try:
        (body,) = conn.execute("SELECT body FROM blocks WHERE seq=?", (seq,)).fetchone()
        body = bytearray(body)
        body[len(body) // 2] ^= 0x01
        conn.execute("UPDATE blocks SET body=? WHERE seq=?", (bytes(body), seq))
        conn.commit()
    finally:
        conn.close()
