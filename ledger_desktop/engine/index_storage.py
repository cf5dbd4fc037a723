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

_PROVISIONAL = -2  # catalog_version of a table whose QLDB id is not known yet
# Statements that may change the catalog; only those are parsed.
_DDL_WORD = re.compile(r"\b(CREATE|DROP|UNDROP)\b", re.IGNORECASE)


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
        ddl = _ddl(str(st["statement"]))
        if ddl is None:
            continue
        kind, name, *rest = ddl
        if kind == "create_table":
            if conn.execute("SELECT 1 FROM tables_ WHERE name=? AND status='ACTIVE'",
                            (name,)).fetchone() is None:
                conn.execute("INSERT INTO tables_(table_id, name, status, tags, catalog_version)"
                             " VALUES (?,?,'ACTIVE',NULL,?)", (new_id(), name, _PROVISIONAL))
        elif kind == "create_index":
            field = rest[0]
            row = conn.execute("SELECT table_id FROM tables_ WHERE name=? AND status='ACTIVE'",
                               (name,)).fetchone()
            if row is None:
                table_id = new_id()  # QLDB's table id is not in the export until a document
                conn.execute("INSERT INTO tables_(table_id, name, status, tags, catalog_version)"
                             " VALUES (?,?,'ACTIVE',NULL,?)", (table_id, name, _PROVISIONAL))
            else:
                table_id = row[0]
            if conn.execute("SELECT 1 FROM indexes WHERE table_id=? AND field=?",
                            (table_id, field)).fetchone() is None:
                index_id = new_id()
                conn.execute("INSERT INTO indexes(index_id, table_id, field, status) "
                             "VALUES (?,?,?,'ONLINE')", (index_id, table_id, field))
                build_index_entries(conn, index_id, table_id, field)
        elif kind == "drop_index":
            _drop_foreign_index(conn, name, rest[0])
        elif kind == "drop_table":
            conn.execute("UPDATE tables_ SET status='INACTIVE' WHERE name=? AND status='ACTIVE'",
                         (name,))
        elif kind == "undrop_table":
            _undrop_foreign_table(conn, name)


def _ddl(text: str) -> tuple[str, ...] | None:
    """A recorded statement's catalog change, read by the PartiQL parser (comments, quoting
    and case as QLDB accepts them): (kind, table name or id, [field or index id])."""
    if not _DDL_WORD.search(text):
        return None
    from .errors import QueryError
    from .query import ast as A
    from .query.parser import parse

    try:
        node, _params = parse(text)
    except (QueryError, RecursionError):
        return None
    if isinstance(node, A.CreateTable):
        return ("create_table", node.name)
    if isinstance(node, A.CreateIndex) and isinstance(node.field, A.Var):
        return ("create_index", node.table, node.field.name)
    if isinstance(node, A.DropIndex):
        return ("drop_index", node.table, node.index_id)
    if isinstance(node, A.DropTable):
        return ("drop_table", node.name)
    if isinstance(node, A.UndropTable):
        return ("undrop_table", node.table_id)
    return None


def _drop_foreign_index(conn: sqlite3.Connection, table: str, index_id: str) -> None:
    """DROP INDEX names QLDB's index id, which the export never shows (indexes are rebuilt
    with ids of ours): the index is the one with that id, else the table's only index. With
    several, which one it was cannot be known, and all are kept (docs/journal-format.md)."""
    row = conn.execute("SELECT table_id FROM tables_ WHERE name=? AND status='ACTIVE'",
                       (table,)).fetchone()
    if row is None:
        return
    ids = [r[0] for r in conn.execute("SELECT index_id FROM indexes WHERE table_id=?",
                                      (row[0],))]
    target = index_id if index_id in ids else ids[0] if len(ids) == 1 else None
    if target is not None:
        conn.execute("DELETE FROM indexes WHERE index_id=?", (target,))
        conn.execute("DELETE FROM index_entries WHERE index_id=?", (target,))


def _undrop_foreign_table(conn: sqlite3.Connection, table_id: str) -> None:
    """UNDROP TABLE names the table's id. A table that held no document before it was dropped
    has a provisional id here; if it is the only dropped one, the statement reveals its id."""
    if conn.execute("UPDATE tables_ SET status='ACTIVE' WHERE table_id=?",
                    (table_id,)).rowcount:
        return
    rows = conn.execute("SELECT table_id FROM tables_ WHERE status='INACTIVE' "
                        "AND catalog_version=?", (_PROVISIONAL,)).fetchall()
    if len(rows) == 1:
        conn.execute("UPDATE tables_ SET table_id=?, status='ACTIVE', catalog_version=-1 "
                     "WHERE table_id=?", (table_id, rows[0][0]))
        conn.execute("UPDATE indexes SET table_id=? WHERE table_id=?", (table_id, rows[0][0]))


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
