"""Deriving the index storage (catalog, current documents, index entries) from the journal.

The journal is the truth. `apply_block_revisions` brings the index storage up to date with one
stored block; `rebuild` replays the whole journal into empty index storage. Catalog changes
come from our own catalog (system) revisions; for blocks imported from QLDB, whose system
revisions are hash-only, tables come from `transactionInfo.documents` (name and id) and
indexes and drops from the recorded statements.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from . import storage
from .cancel import CancelToken, Progress
from .ids import new_id
from .ion_values import loads
from .transaction import build_index_entries

_CREATE_INDEX = re.compile(r"^\s*CREATE\s+INDEX\s+ON\s+\"?(\w+)\"?\s*\(\s*\"?(\w+)\"?\s*\)",
                           re.IGNORECASE)
_CREATE_TABLE = re.compile(r"^\s*CREATE\s+TABLE\s+\"?(\w+)\"?", re.IGNORECASE)
_PROVISIONAL = -2  # catalog_version of a table whose QLDB id is not known yet
_DROP_TABLE = re.compile(r"^\s*DROP\s+TABLE\s+\"?(\w+)\"?\s*$", re.IGNORECASE)
_UNDROP_TABLE = re.compile(r"^\s*UNDROP\s+TABLE\s+[\"']?(\w+)[\"']?\s*$", re.IGNORECASE)


def apply_catalog_revision(conn: sqlite3.Connection, version: int, data: Any) -> None:
    if "tableId" not in data:
        return  # the ledger's genesis revision, not a table
    table_id = str(data["tableId"])
    tags = None
    if "tags" in data:
        from .ion_values import dumps_binary

        tags = dumps_binary(data["tags"])
    conn.execute(
        "INSERT INTO tables_(table_id, name, status, tags, catalog_version) VALUES (?,?,?,?,?) "
        "ON CONFLICT(table_id) DO UPDATE SET name=excluded.name, status=excluded.status, "
        "tags=excluded.tags, catalog_version=excluded.catalog_version",
        (table_id, str(data["name"]), str(data["status"]), tags, version))
    wanted = {str(ix["indexId"]): str(ix["expr"]).strip("[]") for ix in data["indexes"]}
    have = {r[0] for r in conn.execute("SELECT index_id FROM indexes WHERE table_id=?",
                                       (table_id,))}
    for index_id in have - wanted.keys():
        conn.execute("DELETE FROM indexes WHERE index_id=?", (index_id,))
        conn.execute("DELETE FROM index_entries WHERE index_id=?", (index_id,))
    for index_id, field in wanted.items():
        if index_id not in have:
            conn.execute("INSERT INTO indexes(index_id, table_id, field, status) "
                         "VALUES (?,?,?,'ONLINE')", (index_id, table_id, field))
            build_index_entries(conn, index_id, table_id, field)


def _foreign_catalog(conn: sqlite3.Connection, block: Any) -> None:
    """Tables, indexes and drops of a QLDB block, from what its transactionInfo shows."""
    if "transactionInfo" not in block:
        return
    info = block["transactionInfo"]
    if "documents" in info:
        for _doc_id, d in info["documents"].items():
            table_id, name = str(d["tableId"]), str(d["tableName"])
            if conn.execute("SELECT 1 FROM tables_ WHERE table_id=?", (table_id,)).fetchone():
                continue
            # A table first seen through CREATE TABLE / CREATE INDEX got a provisional id;
            # its first document reveals QLDB's real id.
            row = conn.execute("SELECT table_id FROM tables_ WHERE name=? AND status='ACTIVE' "
                               "AND catalog_version=?", (name, _PROVISIONAL)).fetchone()
            if row is not None:
                conn.execute("UPDATE tables_ SET table_id=?, catalog_version=-1 "
                             "WHERE table_id=?", (table_id, row[0]))
                conn.execute("UPDATE indexes SET table_id=? WHERE table_id=?",
                             (table_id, row[0]))
                continue
            conn.execute("INSERT INTO tables_(table_id, name, status, tags, catalog_version) "
                         "VALUES (?,?,'ACTIVE',NULL,-1)", (table_id, name))
    for st in info.get("statements", []):
        text = str(st["statement"])
        m = _CREATE_TABLE.match(text)
        if m:
            if conn.execute("SELECT 1 FROM tables_ WHERE name=? AND status='ACTIVE'",
                            (m.group(1),)).fetchone() is None:
                conn.execute("INSERT INTO tables_(table_id, name, status, tags, catalog_version)"
                             " VALUES (?,?,'ACTIVE',NULL,?)", (new_id(), m.group(1), _PROVISIONAL))
            continue
        m = _CREATE_INDEX.match(text)
        if m:
            row = conn.execute("SELECT table_id FROM tables_ WHERE name=? AND status='ACTIVE'",
                               (m.group(1),)).fetchone()
            if row is None:
                table_id = new_id()  # QLDB's table id is not in the export until a document
                conn.execute("INSERT INTO tables_(table_id, name, status, tags, catalog_version)"
                             " VALUES (?,?,'ACTIVE',NULL,?)", (table_id, m.group(1), _PROVISIONAL))
            else:
                table_id = row[0]
            if conn.execute("SELECT 1 FROM indexes WHERE table_id=? AND field=?",
                            (table_id, m.group(2))).fetchone() is None:
                index_id = new_id()
                conn.execute("INSERT INTO indexes(index_id, table_id, field, status) "
                             "VALUES (?,?,?,'ONLINE')", (index_id, table_id, m.group(2)))
                build_index_entries(conn, index_id, table_id, m.group(2))
            continue
        m = _DROP_TABLE.match(text)
        if m:
            conn.execute("UPDATE tables_ SET status='INACTIVE' WHERE name=? AND status='ACTIVE'",
                         (m.group(1),))
            continue
        m = _UNDROP_TABLE.match(text)
        if m:
            conn.execute("UPDATE tables_ SET status='ACTIVE' WHERE table_id=?", (m.group(1),))


def apply_revision(conn: sqlite3.Connection, row: tuple) -> None:
    """Bring documents and index entries up to date with one revision row."""
    seq, idx, doc_id, version, table_id, kind, _h, _meta, data, _dh = row
    if kind == storage.KIND_SYSTEM:
        apply_catalog_revision(conn, version, loads(data))
        return
    if doc_id is None or kind in (storage.KIND_HASH_ONLY, storage.KIND_REDACTED):
        return
    conn.execute("DELETE FROM index_entries WHERE doc_id=?", (doc_id,))
    if kind == storage.KIND_DELETED:
        conn.execute("DELETE FROM documents WHERE table_id=? AND doc_id=?", (table_id, doc_id))
        return
    conn.execute(
        "INSERT INTO documents(doc_id, table_id, version, seq, idx, data) VALUES (?,?,?,?,?,?) "
        "ON CONFLICT(table_id, doc_id) DO UPDATE SET version=excluded.version, seq=excluded.seq, "
        "idx=excluded.idx, data=excluded.data", (doc_id, table_id, version, seq, idx, data))
    from .transaction import _add_index_entry

    value = None
    for index_id, field in conn.execute("SELECT index_id, field FROM indexes WHERE table_id=?",
                                        (table_id,)).fetchall():
        if value is None:
            value = loads(data)
        _add_index_entry(conn, index_id, field, doc_id, value)


def apply_block(conn: sqlite3.Connection, block: Any | None, rows: list[tuple],
                is_foreign: bool) -> None:
    kinds = {r[5] for r in rows}
    # Catalog facts come from our system revisions when the block has them; an imported
    # block (QLDB's, or ours re-imported, whose system revisions are hash-only) shows its
    # catalog changes only through transactionInfo.
    if block is not None and storage.KIND_SYSTEM not in kinds and (
            is_foreign or storage.KIND_HASH_ONLY in kinds):
        _foreign_catalog(conn, block)
    for row in rows:
        apply_revision(conn, row)


def rebuild(conn: sqlite3.Connection, progress: Progress | None = None,
            cancel: CancelToken | None = None) -> None:
    """Replace the index storage with a replay of the whole journal (inside one transaction)."""
    total = conn.execute("SELECT count(*) FROM blocks").fetchone()[0]
    # In an imported ledger, tables first seen in imported blocks get their catalog from
    # transactionInfo, even where those blocks are our own (re-imported) layout.
    imported = storage.get_meta(conn, "imported") is not None
    conn.execute("BEGIN IMMEDIATE")
    try:
        for t in ("documents", "index_entries", "indexes", "tables_"):
            conn.execute(f"DELETE FROM {t}")
        bcur = conn.execute("SELECT seq, is_foreign, body FROM blocks ORDER BY seq")
        rcur = conn.cursor().execute(
            "SELECT seq, idx, doc_id, version, table_id, kind, hash, metadata, data, data_hash "
            "FROM revisions ORDER BY seq, idx")
        pending = rcur.fetchone()
        for n, (seq, is_foreign, body) in enumerate(bcur, 1):
            rows = []
            while pending is not None and pending[0] == seq:
                rows.append(pending)
                pending = rcur.fetchone()
            apply_block(conn, loads(body), rows, bool(is_foreign) or imported)
            if n % 1000 == 0:
                if cancel is not None:
                    cancel.check()
                if progress is not None:
                    progress(n, total)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    if progress is not None:
        progress(total, total)
