"""The ledger file: SQLite schema, pragmas, schema version, and refusing files we cannot use.

One SQLite file holds the journal (`blocks`, with the Merkle nodes, and `revisions`) and the
index storage (`tables_`, `indexes`, `documents`, `index_entries`), which is derived and can be
rebuilt from the journal alone. `PRAGMA application_id` marks the file as ours; `PRAGMA
user_version` is the schema version, with ordered migrations.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from .errors import LedgerFileError, NewerSchemaError, NotALedgerError, StorageError, UserError

APPLICATION_ID = 0x4C444752  # "LDGR"
SCHEMA_VERSION = 2
SQLITE_MAGIC = b"SQLite format 3\x00"

# Revision kinds stored in `revisions.kind`.
KIND_DATA = 0       # a user revision with data
KIND_DELETED = 1    # DELETE: metadata only
KIND_REDACTED = 2   # data replaced by dataHash
KIND_HASH_ONLY = 3  # a foreign system revision known only by its hash (QLDB imports)
KIND_SYSTEM = 4     # our own catalog revision: data kept here, exported hash-only

# The table of document `?`, for a lookup by id alone (documents is keyed by table, then id):
# from its latest revision, through the revisions_doc index.
TABLE_OF_DOCUMENT = ("SELECT table_id FROM revisions WHERE doc_id=? AND table_id IS NOT NULL "
                     "ORDER BY version DESC LIMIT 1")

_SCHEMA_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE blocks (
    seq           INTEGER PRIMARY KEY,
    tx_id         TEXT NOT NULL,
    block_ts      TEXT NOT NULL,
    block_hash    BLOB NOT NULL,
    entries_hash  BLOB NOT NULL,
    prev_hash     BLOB NOT NULL,
    is_foreign    INTEGER NOT NULL DEFAULT 0,
    n_revisions   INTEGER NOT NULL DEFAULT 0,
    has_redaction INTEGER NOT NULL DEFAULT 0,
    body          BLOB NOT NULL
);
-- Chain-only verification, the chain view and block summaries read these columns without
-- the block bodies.
CREATE INDEX blocks_chain ON blocks (seq, block_hash, entries_hash, prev_hash, tx_id, block_ts,
                                     is_foreign, n_revisions, has_redaction);
CREATE TABLE revisions (
    seq       INTEGER NOT NULL,
    idx       INTEGER NOT NULL,
    doc_id    TEXT,
    version   INTEGER,
    table_id  TEXT,
    kind      INTEGER NOT NULL,
    hash      BLOB NOT NULL,
    metadata  BLOB,
    data      BLOB,
    data_hash BLOB,
    PRIMARY KEY (seq, idx)
) WITHOUT ROWID;
CREATE UNIQUE INDEX revisions_doc ON revisions (doc_id, version) WHERE doc_id IS NOT NULL;
CREATE INDEX revisions_table_seq ON revisions (table_id, seq);
CREATE TABLE merkle (
    level INTEGER NOT NULL,
    pos   INTEGER NOT NULL,
    hash  BLOB NOT NULL,
    PRIMARY KEY (level, pos)
) WITHOUT ROWID;
CREATE TABLE tables_ (
    table_id    TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL,
    tags        BLOB,
    catalog_version INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX tables_name ON tables_ (name, status);
CREATE TABLE indexes (
    index_id  TEXT PRIMARY KEY,
    table_id  TEXT NOT NULL,
    field     TEXT NOT NULL,
    status    TEXT NOT NULL
);
CREATE TABLE documents (
    rowid    INTEGER PRIMARY KEY,
    doc_id   TEXT NOT NULL UNIQUE,
    table_id TEXT NOT NULL,
    version  INTEGER NOT NULL,
    seq      INTEGER NOT NULL,
    idx      INTEGER NOT NULL,
    data     BLOB NOT NULL
);
CREATE INDEX documents_table ON documents (table_id, rowid);
CREATE TABLE index_entries (
    index_id TEXT NOT NULL,
    key      BLOB NOT NULL,
    doc_id   TEXT NOT NULL,
    PRIMARY KEY (index_id, key, doc_id)
) WITHOUT ROWID;
CREATE INDEX index_entries_doc ON index_entries (doc_id);
"""


def _v2_merkle_nodes_in_blocks(conn: sqlite3.Connection) -> None:
    """Schema 2: a commit touches fewer B-trees (docs/journal-format.md, merkle_store.py).

    - The Merkle nodes move from the `merkle` table into the row of the block that completes
      them (`blocks.merkle_nodes`, level 1 first). Stored values are carried over as they are,
      so a tampered node is still found by verification; a missing level ends what its block
      row holds, and verification reports it missing.
    - `meta` no longer keeps the tip, digest and frontier: they follow from the blocks.
    - `blocks_chain` stays: without it, chain-only verification of 1,000,000 blocks read the
      bodies too and fell from 569,000 to 267,000 blocks/s (bench/bench_engine.py), and the
      chain view's overview reads the same columns.
    - `documents` is keyed by (table_id, doc_id) without a rowid: one B-tree instead of three
      (the table, its doc_id index and its per-table index). A table's documents are in id
      order (our ids are time-ordered); a lookup by id alone finds the table through the
      document's revisions.
    """
    conn.execute("ALTER TABLE blocks ADD COLUMN merkle_nodes BLOB")
    rows = conn.execute("SELECT ((pos + 1) << level) - 1 AS s, level, hash FROM merkle "
                        "ORDER BY s, level")
    updates: list[tuple[bytes, int]] = []
    seq, parts = -1, []
    for s, level, h in rows:
        if s != seq:
            if parts:
                updates.append((b"".join(parts), seq))
            seq, parts = s, []
        if level == len(parts) + 1 and isinstance(h, bytes) and len(h) == 32:
            parts.append(h)
    if parts:
        updates.append((b"".join(parts), seq))
    conn.executemany("UPDATE blocks SET merkle_nodes=? WHERE seq=?", updates)
    conn.execute("DROP TABLE merkle")
    conn.execute("DELETE FROM meta WHERE key IN ('tip_seq', 'digest', 'frontier')")
    conn.execute("""CREATE TABLE documents_v2 (
        table_id TEXT NOT NULL,
        doc_id   TEXT NOT NULL,
        version  INTEGER NOT NULL,
        seq      INTEGER NOT NULL,
        idx      INTEGER NOT NULL,
        data     BLOB NOT NULL,
        PRIMARY KEY (table_id, doc_id)
    ) WITHOUT ROWID""")
    conn.execute("INSERT INTO documents_v2 SELECT table_id, doc_id, version, seq, idx, data "
                 "FROM documents")
    conn.execute("DROP TABLE documents")
    conn.execute("ALTER TABLE documents_v2 RENAME TO documents")


# MIGRATIONS[i] takes user_version i to i + 1: an SQL script or a function of the connection.
MIGRATIONS: list[str | Callable[[sqlite3.Connection], None]] = [
    _SCHEMA_V1, _v2_merkle_nodes_in_blocks]


def _check_header(path: Path) -> None:
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(16)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise NotALedgerError(f"{path}: is a folder, not a ledger file") from None
    except PermissionError:
        raise LedgerFileError(f"{path}: permission denied") from None
    if size == 0:
        raise NotALedgerError(f"{path}: the file is empty, not a ledger")
    if head != SQLITE_MAGIC:
        raise NotALedgerError(f"{path}: not a ledger file (not an SQLite database)")


def connect(path: Path, *, read_only: bool = False, create: bool = False) -> sqlite3.Connection:
    """Open (or create) a ledger file and check that it is one we can use."""
    path = Path(path)
    if create:
        if path.exists():
            raise UserError(f"{path}: already exists; refusing to overwrite it")
        if not path.parent.exists():
            raise UserError(f"{path.parent}: no such folder")
    else:
        _check_header(path)
    try:
        if read_only:
            uri = f"{path.resolve().as_uri()}?mode=ro"
            if _on_read_only_storage(path):
                # SQLite cannot create the -shm file a WAL reader needs there, and nothing can
                # change the file: read it as immutable.
                uri += "&immutable=1"
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30)
            conn = _readable_or_immutable(conn, path, uri)
        else:
            if not create and not os.access(path, os.W_OK):
                raise LedgerFileError(
                    f"{path}: the file is read-only; open it read-only (evidence mode) instead")
            conn = sqlite3.connect(str(path), isolation_level=None, timeout=30)
    except sqlite3.Error as e:
        raise LedgerFileError(f"{path}: cannot open: {e}") from None
    try:
        if not create:
            _check_identity(conn, path, read_only)
        if not read_only:
            conn.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit that returned survives power loss (WAL + NORMAL may lose the tail).
            conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA cache_size=-65536")
        if create:
            conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
            migrate(conn)
    except sqlite3.DatabaseError as e:
        conn.close()
        if create:
            try:
                path.unlink()
            except OSError:
                pass
        raise open_error(path, e, "not a usable ledger file") from None
    except Exception:
        conn.close()
        raise
    return conn


# What SQLite says of a file that is not a database (or is one it cannot read as one); other
# errors at open (a full disk, a folder that cannot be written, an I/O error) say nothing
# about the file, and calling it "not a ledger" sent users to delete or repair a good one.
_NOT_A_DATABASE = ("file is not a database", "database disk image is malformed",
                   "file is encrypted")


def open_error(path: Path, e: sqlite3.Error, what: str) -> LedgerFileError:
    if any(s in str(e) for s in _NOT_A_DATABASE):
        return NotALedgerError(f"{path}: {what} ({e})")
    return LedgerFileError(
        f"{path}: cannot be opened now (SQLite: {e}); check that the disk is not full and "
        f"that its folder can be written (SQLite keeps {path.name}-wal and {path.name}-shm "
        "beside it)")


# SQLite's words for a write refused because a file it needs cannot be written.
_READONLY_DATABASE = "attempt to write a readonly database"


def explain_readonly(path: str | os.PathLike[str], message: str) -> str:
    """`message` of a failed write, naming the cause when SQLite says "attempt to write a
    readonly database" because the ledger's -wal or -shm file cannot be written: a read-only
    open of a read-only file (evidence mode) leaves them read-only too, and once the ledger
    is made writable again every write fails with no word about them."""
    if _READONLY_DATABASE not in message:
        return message
    stuck = [side for side in (Path(f"{path}-wal"), Path(f"{path}-shm"))
             if side.exists() and not os.access(side, os.W_OK)]
    if not stuck:
        return message
    names = " and ".join(str(side) for side in stuck)
    return (f"{message}: {names} cannot be written (left so by a read-only open, e.g. of a "
            f"read-only file in evidence mode); make {'them' if len(stuck) > 1 else 'it'} "
            "writable (chmod u+w) and try again")


def _readable_or_immutable(conn: sqlite3.Connection, path: Path, uri: str
                           ) -> sqlite3.Connection:
    """A read-only connection that can read, if the file can be read at all: a WAL reader
    needs the -shm file, which a full disk (or a folder it cannot write) keeps SQLite from
    making, and then every read failed. With no commit waiting in a -wal file, the file
    alone holds the ledger and is read as immutable."""
    try:
        conn.execute("PRAGMA application_id").fetchone()
        return conn
    except sqlite3.DatabaseError as e:
        wal = Path(f"{path}-wal")
        if not isinstance(e, sqlite3.OperationalError) or "immutable=1" in uri or (
                wal.exists() and wal.stat().st_size > 0):
            return conn  # the caller's identity check reports it
    conn.close()
    return sqlite3.connect(uri + "&immutable=1", uri=True, isolation_level=None, timeout=30)


def _on_read_only_storage(path: Path) -> bool:
    """True when the ledger's folder cannot be written (read-only medium or permissions)."""
    if os.access(path.resolve().parent, os.W_OK):
        return False
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise LedgerFileError(
            f"{path}: its last commits are still in {wal.name}, and the folder is read-only, so "
            "they cannot be read; copy the file with its -wal file to a writable folder")
    return True


def _check_identity(conn: sqlite3.Connection, path: Path, read_only: bool) -> None:
    """An older file opened for writing is migrated; opened read-only it cannot be, and is
    read as it is (schema_version tells the readers which layout they have)."""
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as e:
        raise open_error(path, e, "not a ledger file") from None
    if app_id != APPLICATION_ID:
        raise NotALedgerError(f"{path}: an SQLite database, but not a ledger file")
    if version > SCHEMA_VERSION:
        raise NewerSchemaError(
            f"{path}: written by a newer Ledger Desktop (schema {version}; this version reads up "
            f"to {SCHEMA_VERSION}); upgrade Ledger Desktop to open it")
    _check_layout(conn, path, version)
    if version < SCHEMA_VERSION and not read_only:
        migrate(conn)


# What tells the schema versions apart: a file whose tables do not match the version it
# states (a changed user_version) is refused rather than read as that version.
_LAYOUT_OF_VERSION = {1: "SELECT 1 FROM sqlite_master WHERE type='table' AND name='merkle'",
                      2: "SELECT 1 FROM pragma_table_info('blocks') WHERE name='merkle_nodes'"}


def _check_layout(conn: sqlite3.Connection, path: Path, version: int) -> None:
    probe = _LAYOUT_OF_VERSION.get(version)
    try:
        fits = probe is not None and conn.execute(probe).fetchone() is not None
    except sqlite3.DatabaseError:
        fits = False
    if not fits:
        raise NotALedgerError(f"{path}: not a usable ledger file: its tables do not match the "
                              f"schema version it states ({version})")


def migrate(conn: sqlite3.Connection) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    for target in range(version, SCHEMA_VERSION):
        try:
            conn.execute("BEGIN IMMEDIATE")
            step = MIGRATIONS[target]
            if callable(step):
                step(conn)
            else:
                for stmt in step.split(";"):
                    if stmt.strip():
                        conn.execute(stmt)
            conn.execute(f"PRAGMA user_version={target + 1}")
            conn.execute("COMMIT")
        except sqlite3.Error as e:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:  # SQLite rolled back itself (SQLITE_FULL): keep the cause
                pass
            raise StorageError(f"schema migration to version {target + 1} failed: {e}") from None


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def get_meta(conn: sqlite3.Connection, key: str, default=None):
    row = conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
    return default if row is None else row[0]


def set_meta(conn: sqlite3.Connection, key: str, value) -> None:
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))
