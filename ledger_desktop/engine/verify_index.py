"""Checking that the index storage (catalog, current documents, index entries) agrees with
the journal it is derived from, and that the file's SQLite structures are sound. Failures carry
the check names 'index storage' and 'file structure'."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from . import storage
from .cancel import CancelToken
from .index_keys import index_key
from .ion_hash import ion_hash
from .ion_values import loads

if TYPE_CHECKING:
    from .ledger import Ledger
    from .verify import VerifyReport

CHECK = "index storage"
FILE_CHECK = "file structure"
# Lines of SQLite's integrity report kept (it lists every damaged row and page).
_MAX_PROBLEMS = 20
# SQLite virtual-machine instructions between two looks at the cancel token.
_CANCEL_STEPS = 100_000


def check_file_structure(conn: Any, report: VerifyReport,
                         cancel: CancelToken | None = None) -> None:
    """SQLite's own integrity check of every B-tree and index in the file.

    Queries read through SQLite's indexes (a document's history, a table's revisions, index
    lookups), which the journal checks never read: an index that lost or gained entries gave
    wrong results while the journal verified. Random damage to a page is found here too. It
    reads every page once; bench/bench_engine.py's full-verification figures include it."""
    from .errors import Cancelled
    from .verify import VerifyFailure

    stopped = False

    def handler() -> int:
        nonlocal stopped
        stopped = cancel is not None and cancel.cancelled
        return 1 if stopped else 0

    conn.set_progress_handler(handler, _CANCEL_STEPS)
    try:
        rows = conn.execute(f"PRAGMA integrity_check({_MAX_PROBLEMS})").fetchall()
    except sqlite3.DatabaseError as e:
        if stopped:
            raise Cancelled("verification cancelled") from None
        rows = [(f"the check could not run: {e}",)]
    finally:
        conn.set_progress_handler(None, 0)
    problems = [str(r[0]) for r in rows if r and r[0] != "ok"]
    for line in problems:
        report.fail(VerifyFailure(None, FILE_CHECK, f"SQLite integrity check: {line}"))


def check_index_storage(ledger: Ledger, report: VerifyReport,
                        cancel: CancelToken | None = None) -> None:
    from .verify import VerifyFailure

    conn = ledger._conn

    def fail(seq: int | None, message: str) -> None:
        report.fail(VerifyFailure(seq, CHECK, message))

    # 1. every current document is the latest revision of its document, byte for byte
    for doc_id, table_id, version, seq, r_doc, r_version, r_table, r_kind, same in conn.execute(
            "SELECT d.doc_id, d.table_id, d.version, d.seq, r.doc_id, r.version, r.table_id, "
            "r.kind, d.data = r.data FROM documents d "
            "LEFT JOIN revisions r ON r.seq = d.seq AND r.idx = d.idx"):
        if r_doc is None:
            fail(seq, f"document {doc_id} points at no revision")
        elif (r_doc, r_version, r_table, r_kind) != (doc_id, version, table_id,
                                                      storage.KIND_DATA) or not same:
            fail(seq, f"document {doc_id} in the index storage differs from its revision in "
                 f"block {seq}")
    for doc_id, seq in conn.execute(
            "SELECT d.doc_id, d.seq FROM documents d WHERE EXISTS (SELECT 1 FROM revisions r "
            "WHERE r.doc_id = d.doc_id AND r.version > d.version)"):
        fail(seq, f"document {doc_id} in the index storage is not its latest revision")
    # 2. every live document of the journal is present
    for doc_id, seq in conn.execute(
            "SELECT r.doc_id, r.seq FROM revisions r WHERE r.kind = ? AND r.table_id IS NOT NULL "
            "AND r.version = (SELECT max(version) FROM revisions r2 WHERE r2.doc_id = r.doc_id) "
            "AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.table_id = r.table_id "
            "AND d.doc_id = r.doc_id)",
            (storage.KIND_DATA,)):
        fail(seq, f"document {doc_id} is current in the journal but missing from the index "
             "storage")
    if cancel is not None:
        cancel.check()
    # 3. the catalog agrees with the replay of the catalog revisions
    catalog: dict[str, tuple[str, str, frozenset[tuple[str, str, str]], int, bytes | None,
                             int]] = {}
    for doc_id, data, seq, version in conn.execute(
            "SELECT doc_id, data, seq, version FROM revisions WHERE kind=? ORDER BY seq",
            (storage.KIND_SYSTEM,)):
        value = loads(data)
        if "tableId" not in value:
            continue
        ixs = frozenset((str(i["indexId"]), str(i["expr"]).strip("[]"), str(i["status"]))
                        for i in value["indexes"])
        tags = ion_hash(value["tags"]) if "tags" in value else None
        catalog[doc_id] = (str(value["name"]), str(value["status"]), ixs, seq, tags, version)
    # Tables of imported (QLDB) blocks have no catalog revision; only imported ledgers have them.
    imported = storage.get_meta(conn, "imported") is not None
    for table_id, name, status, tags_blob, cat_version in conn.execute(
            "SELECT table_id, name, status, tags, catalog_version FROM tables_"):
        ixs = frozenset(conn.execute("SELECT index_id, field, status FROM indexes "
                                     "WHERE table_id=?", (table_id,)).fetchall())
        if table_id not in catalog:
            if cat_version >= 0 or not imported:
                fail(None, f"table {name} ({table_id}) has no catalog revision in the journal")
            continue
        c_name, c_status, c_ixs, seq, c_tags, c_version = catalog[table_id]
        tags = ion_hash(loads(tags_blob)) if tags_blob is not None else None
        if (name, status, tags, cat_version) != (c_name, c_status, c_tags, c_version) \
                or ixs != c_ixs:
            fail(seq, f"the catalog row of table {c_name} ({table_id}) differs from its last "
                 f"catalog revision (block {seq})")
    present = {r[0] for r in conn.execute("SELECT table_id FROM tables_")}
    for table_id, (name, _s, _i, seq, _t, _v) in catalog.items():
        if table_id not in present:
            fail(seq, f"table {name} ({table_id}) is missing from the catalog")
    # 4. index entries: exactly one per indexed document with a value
    for index_id, table_id, field_name in conn.execute(
            "SELECT index_id, table_id, field FROM indexes").fetchall():
        expected = 0
        for doc_id, blob, seq in conn.execute(
                "SELECT doc_id, data, seq FROM documents WHERE table_id=?", (table_id,)):
            value = loads(blob)
            v = value.get(field_name) if hasattr(value, "get") else None
            key = index_key(v) if v is not None else None
            if key is None:
                continue
            expected += 1
            if conn.execute("SELECT 1 FROM index_entries WHERE index_id=? AND key=? AND doc_id=?",
                            (index_id, key, doc_id)).fetchone() is None:
                fail(seq, f"index on {field_name} lacks the entry for document {doc_id}")
        actual = conn.execute("SELECT count(*) FROM index_entries WHERE index_id=?",
                              (index_id,)).fetchone()[0]
        if actual != expected:
            fail(None, f"index on {field_name} ({index_id}) holds {actual} entries; the "
                 f"documents need {expected}")
        if cancel is not None:
            cancel.check()
    orphans = conn.execute("SELECT count(*) FROM index_entries WHERE index_id NOT IN "
                           "(SELECT index_id FROM indexes)").fetchone()[0]
    if orphans:
        fail(None, f"{orphans} index entries belong to no index")
