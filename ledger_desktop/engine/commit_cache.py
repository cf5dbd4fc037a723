"""What every commit reads, kept between transactions on one connection.

A commit needs the tip block (sequence number, hash, time), the Merkle frontier, the strict
flag and the definitions of the tables it writes. Reading them costs about a third of a
single-document commit's SQL, and they rarely change, so they are kept here and re-read only
when the file may have changed under them:

- `PRAGMA data_version` moves when another connection (in this process or another) commits;
- `Connection.total_changes` moves when this connection wrote anything that did not go through
  `CommitCache.committed` (an import, an index rebuild, a setting, a failed commit);
- a rolled-back `Ledger.atomic()` block calls `clear()`, since its commits' rows are gone
  without any counter moving.

The tip is only trusted under the write lock: `Transaction.commit` calls `check()` again after
`BEGIN IMMEDIATE`, so a commit made by another process in between is always seen.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from . import storage
from .blocks import as_blob
from .ion_values import parse_timestamp
from .merkle_store import Frontier, NodeStore
from .model import TableInfo


@dataclass(frozen=True)
class TipState:
    seq: int                             # -1 when the journal is empty
    block_hash: bytes                    # b"" when empty
    timestamp: Any                       # the tip block's time (None when empty)
    frontier: Frontier                   # perfect subtrees covering blocks 0..seq


class CommitCache:
    def __init__(self, conn: sqlite3.Connection, nodes: NodeStore) -> None:
        self._conn = conn
        self._nodes = nodes
        self._version: int | None = None
        self._changes = -1
        self._tip: TipState | None = None
        self._strict: bool | None = None
        self.catalog: dict[str, TableInfo] = {}  # committed table definitions by id

    def clear(self) -> None:
        self._version = None
        self._tip = None
        self._strict = None
        self.catalog = {}

    def check(self) -> None:
        """Forget everything if the file may have changed since it was read (one PRAGMA)."""
        conn = self._conn
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._version or conn.total_changes != self._changes:
            self.clear()
            self._version = version
            self._changes = conn.total_changes

    def strict(self) -> bool:
        if self._strict is None:
            self._strict = bool(storage.get_meta(self._conn, "strict", 0))
        return self._strict

    def tip(self) -> TipState:
        if self._tip is None:
            row = self._conn.execute("SELECT seq, block_hash, block_ts FROM blocks "
                                     "ORDER BY seq DESC LIMIT 1").fetchone()
            if row is None:
                self._tip = TipState(-1, b"", None, ())
            else:
                self._tip = TipState(row[0], as_blob(row[1]), parse_timestamp(row[2]),
                                     self._nodes.frontier(row[0] + 1))
        return self._tip

    def committed(self, tip: TipState, catalog_changed: bool) -> None:
        """This connection committed the block `tip`: remember it instead of re-reading."""
        if self._version is None:  # cleared meanwhile: nothing cached is known to be current
            return
        self._tip = tip
        if catalog_changed:
            self.catalog = {}
        self._changes = self._conn.total_changes
