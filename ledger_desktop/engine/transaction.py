"""A QLDB transaction: statements, reads tracked for optimistic concurrency, buffered writes.

Writes are buffered in memory and applied at commit, which takes SQLite's write lock
(`BEGIN IMMEDIATE`), validates that nothing this transaction read was changed by a commit
made since it started (else `ConflictError`), and writes exactly one block. Because the tip is
read under the write lock, two writers (threads or processes) can never fork the chain.
"""

from __future__ import annotations

import datetime as _dt
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from amazon.ion.core import TimestampPrecision
from amazon.ion.exceptions import IonException

from . import limits as limits_
from . import storage
from .blocks import EMPTY_DATA_HASH, BlockAddress
from .commit_cache import TipState
from .errors import (
    ConflictError,
    DocumentNotFoundError,
    IndexError_,
    InvalidOperationError,
    LimitExceededError,
    QueryError,
    ReadOnlyError,
    RevisionNotFoundError,
    StorageError,
    TableExistsError,
    TableNotFoundError,
    UserError,
)
from .header_hash import own_header_entry
from .ids import new_id
from .index_keys import index_key, same_instant
from .ion_binary_hash import ion_hash_binary
from .ion_hash import (
    C_HASH_VALUE,
    dot,
    hash_value,
    ion_hash,
    merkle_root,
    statement_hash,
    write_document,
    write_light,
)
from .ion_values import (
    dumps_binary,
    dumps_text,
    ion_list,
    loads,
    now_timestamp,
    string,
    struct,
    too_deep,
    unstorable,
)
from .light_values import Blob, Int, List, Struct, Text
from .merkle_store import extend as extend_merkle
from .metadata_hash import block_field_hashes, metadata_hash
from .model import Document, IndexInfo, TableInfo
from .tip_check import check_tip
from .tx_info_hash import transaction_info_hash

if TYPE_CHECKING:
    from .ledger import Ledger

_TABLE_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


@dataclass
class TxStats:
    documents_examined: int = 0


@dataclass
class _Statement:
    text: str
    start_time: Any
    params: tuple[Any, ...]  # hashed at commit, where a document's hash can be reused


@dataclass
class _PendingDoc:
    table_id: str
    data: Any                  # None when deleted
    base_version: int          # -1 for a document inserted by this transaction
    statements: list[int] = field(default_factory=list)


@dataclass
class _PendingTable:
    info: TableInfo
    base_version: int          # catalog revision version before this tx; -1 if new
    statements: list[int] = field(default_factory=list)
    new_indexes: list[str] = field(default_factory=list)
    dropped_indexes: list[str] = field(default_factory=list)


def validate_table_name(name: str) -> None:
    if not (1 <= len(name) <= 128) or not set(name) <= _TABLE_NAME_CHARS or name[0].isdigit():
        raise UserError(f"invalid table name {name!r}: 1-128 letters, digits or underscores, "
                        "not starting with a digit")
    if name.startswith("_ql_"):
        raise UserError(f"invalid table name {name!r}: the _ql_ prefix is reserved")


class Transaction:
    """One transaction on a ledger. Use `ledger.transaction()`; commit writes one block."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self._conn: sqlite3.Connection = ledger._conn
        if ledger.read_only:
            raise ReadOnlyError(
                "the ledger is open read-only, and every statement, SELECT included, is "
                "recorded in the journal (as QLDB records them), so statements need a "
                "writable ledger; read-only, use documents(), document(), block(), digest(), "
                "get_block(), get_revision() and verify()")
        self.id = new_id()
        cache = ledger._commit_cache
        cache.check()
        self.strict = cache.strict()
        self.limits = limits_.QLDB_STRICT if self.strict else limits_.DEFAULT
        self.start_seq: int = cache.tip().seq
        self.stats = TxStats()
        self._statements: list[_Statement] = []
        self._docs: dict[str, _PendingDoc] = {}
        self._tables: dict[str, _PendingTable] = {}
        self._redactions: list[tuple[Any, str, str, int, int, int]] = []
        self._read_docs: dict[str, int] = {}        # doc_id -> version read (-1: absent)
        self._read_tables: set[str] = set()         # full scans
        self._read_lookups: list[tuple[str, str, bytes | None]] = []
        self._read_catalog: set[str] = set()        # table ids whose definition was used
        self._read_names: set[str] = set()          # table names resolved (or not found)
        self._table_cache: dict[str, TableInfo] = {}
        self.done = False
        self.block_address: BlockAddress | None = None

    # ------------------------------------------------------------------ statements
    def begin_statement(self, text: str, params: Sequence[Any] = ()) -> int:
        """Record a statement (reads included, as QLDB does); returns its index."""
        self._check_open()
        self._statements.append(_Statement(str(text), now_timestamp(), tuple(params)))
        return len(self._statements) - 1

    def _statement_digest(self, st: _Statement, data_hashes: dict[int, bytes]) -> bytes:
        """The drivers' statement hash: H(text) dot-folded with H(param) for each parameter.
        A parameter that is itself a document written by this transaction (an import's
        `INSERT INTO T ?`) reuses that document's hash instead of hashing it twice."""
        h = statement_hash(st.text)
        for p in st.params:
            known = data_hashes.get(id(p))
            h = dot(h, known if known is not None else ion_hash(p))
        return h

    def execute(self, statement: str, *params: Any) -> Any:
        """Run one PartiQL statement in this transaction (see engine.query)."""
        from . import query

        self._check_open()
        try:
            return query.run(self, statement, params)
        except Exception as e:
            # Very long or deeply nested statements exhaust Python's stack (lark wraps the
            # RecursionError of its tree visitors in a VisitError).
            if isinstance(e, RecursionError) or isinstance(getattr(e, "orig_exc", None),
                                                           RecursionError):
                deep = next((f"parameter {i} {why}" for i, p in enumerate(params, 1)
                             if (why := too_deep(p)) is not None), None)
                raise QueryError(deep or "the statement is too deeply nested or too long to "
                                 "evaluate") from None
            raise

    # ------------------------------------------------------------------ catalog reads
    def _load_table(self, table_id: str) -> TableInfo | None:
        if table_id in self._tables:
            return self._tables[table_id].info
        cached = self._table_cache.get(table_id)
        if cached is not None:
            return cached
        # Committed definitions are shared between transactions (commit_cache: current as of
        # this transaction's start; OCC checks catalog changes made after it).
        shared = self._ledger._commit_cache.catalog
        info = shared.get(table_id)
        if info is None:
            row = self._conn.execute(
                "SELECT table_id, name, status, tags FROM tables_ WHERE table_id=?",
                (table_id,)).fetchone()
            if row is None:
                return None
            info = shared[table_id] = self._table_from_row(row)
        self._table_cache[table_id] = info
        return info

    def _table_from_row(self, row: tuple) -> TableInfo:
        ixs = tuple(IndexInfo(i, f, s) for i, f, s in self._conn.execute(
            "SELECT index_id, field, status FROM indexes WHERE table_id=? ORDER BY rowid",
            (row[0],)))
        tags = loads(row[3]) if row[3] is not None else None
        return TableInfo(row[0], row[1], row[2], ixs, tags)

    def tables(self, include_inactive: bool = False) -> list[TableInfo]:
        self._check_open()
        result: dict[str, TableInfo] = {}
        for row in self._conn.execute(
                "SELECT table_id, name, status, tags FROM tables_ ORDER BY name"):
            result[row[0]] = self._table_from_row(row)
        for tid, pt in self._tables.items():
            result[tid] = pt.info
        self._read_names.add("*")
        return [t for t in result.values() if include_inactive or t.active]

    def table(self, name: str) -> TableInfo:
        """The active table called `name` (names are case-sensitive)."""
        self._check_open()
        self._read_names.add(name)
        for pt in self._tables.values():
            if pt.info.name == name and pt.info.active:
                self._read_catalog.add(pt.info.table_id)
                return pt.info
        row = self._conn.execute(
            "SELECT table_id, name, status, tags FROM tables_ WHERE name=? AND status='ACTIVE'",
            (name,)).fetchone()
        if row is not None and row[0] not in self._tables:
            self._read_catalog.add(row[0])
            return self._table_from_row(row)
        raise TableNotFoundError(f"no active table named {name!r}")

    def table_by_id(self, table_id: str) -> TableInfo:
        self._check_open()
        info = self._load_table(table_id)
        if info is None:
            raise TableNotFoundError(f"no table with id {table_id!r}")
        self._read_catalog.add(table_id)
        return info

    # ------------------------------------------------------------------ document reads
    def _doc_from_row(self, row: tuple) -> Document:
        # row: doc_id, table_id, version, seq, data
        return Document(row[0], row[1], row[2], loads(row[4]), row[3])

    def _overlay(self, doc_id: str, pd: _PendingDoc) -> Document | None:
        if pd.data is None:
            return None
        return Document(doc_id, pd.table_id, pd.base_version + 1, pd.data, -1)

    def get(self, doc_id: str, table_id: str | None = None) -> Document | None:
        """The current document with this id (this transaction's changes included); with
        `table_id`, only if it is in that table (one lookup instead of two: current documents
        are keyed by table, then id)."""
        self._check_open()
        self.stats.documents_examined += 1
        if doc_id in self._docs:
            doc = self._overlay(doc_id, self._docs[doc_id])
            return doc if table_id is None or doc is None or doc.table_id == table_id else None
        if table_id is not None:
            row = self._conn.execute(
                "SELECT doc_id, table_id, version, seq, data FROM documents "
                "WHERE table_id=? AND doc_id=?", (table_id, doc_id)).fetchone()
        else:
            row = self._conn.execute(
                "SELECT doc_id, table_id, version, seq, data FROM documents "
                f"WHERE table_id=({storage.TABLE_OF_DOCUMENT}) AND doc_id=?",
                (doc_id, doc_id)).fetchone()
        if row is None:
            # Absent or deleted: remember the journal's last version, so only a change to
            # this document (not any commit) conflicts.
            last = self._conn.execute("SELECT max(version) FROM revisions WHERE doc_id=?",
                                      (doc_id,)).fetchone()[0]
            self._read_docs.setdefault(doc_id, -1 if last is None else last)
            return None
        self._read_docs.setdefault(doc_id, row[2])
        return self._doc_from_row(row)

    def scan(self, table_id: str) -> Iterator[Document]:
        """Every current document of a table: a full scan (conflicts with any write to it)."""
        self._check_open()
        self._read_tables.add(table_id)
        cur = self._conn.execute(
            "SELECT doc_id, table_id, version, seq, data FROM documents "
            "WHERE table_id=? ORDER BY doc_id", (table_id,))
        pending = self._docs
        for row in cur:
            self.stats.documents_examined += 1
            pd = pending.get(row[0])
            if pd is None:
                yield self._doc_from_row(row)
            else:
                doc = self._overlay(row[0], pd)
                if doc is not None:
                    yield doc
        for doc_id, pd in list(pending.items()):
            if pd.table_id == table_id and pd.base_version < 0 and pd.data is not None:
                self.stats.documents_examined += 1
                yield self._overlay(doc_id, pd)  # type: ignore[misc]

    def scan_blobs(self, table_id: str) -> Iterator[tuple[str, bytes | None, Any]]:
        """`scan` without decoding, for readers that look into the stored Ion binary first:
        (doc_id, blob, None) for a committed document, (doc_id, None, data) for one this
        transaction inserted or changed. Reads, conflict tracking and `documents_examined`
        are exactly those of `scan`."""
        self._check_open()
        self._read_tables.add(table_id)
        cur = self._conn.execute(
            "SELECT doc_id, data FROM documents WHERE table_id=? ORDER BY doc_id", (table_id,))
        pending = self._docs
        stats = self.stats
        for doc_id, blob in cur:
            stats.documents_examined += 1
            pd = pending.get(doc_id)
            if pd is None:
                yield doc_id, blob, None
            elif pd.data is not None:
                yield doc_id, None, pd.data
        for doc_id, pd in list(pending.items()):
            if pd.table_id == table_id and pd.base_version < 0 and pd.data is not None:
                stats.documents_examined += 1
                yield doc_id, None, pd.data

    def lookup(self, table_id: str, field_name: str, value: Any) -> list[Document]:
        """Documents whose top-level `field_name` equals `value`, through the field's index."""
        self._check_open()
        info = self.table_by_id(table_id)
        ix = info.index_on(field_name)
        if ix is None or ix.index_id in self._pending_new_index_ids():
            raise IndexError_(f"table {info.name!r} has no index on {field_name!r}")
        key = index_key(value)
        self._read_lookups.append((table_id, field_name, key))
        out: list[Document] = []
        if key is None:
            return out
        ids = [r[0] for r in self._conn.execute(
            "SELECT doc_id FROM index_entries WHERE index_id=? AND key=?", (ix.index_id, key))]
        for doc_id in ids:
            if doc_id in self._docs:
                continue
            doc = self.get(doc_id, table_id)
            if doc is not None and same_instant(_field(doc.data, field_name), value):
                out.append(doc)
        for doc_id, pd in self._docs.items():
            if pd.table_id == table_id and pd.data is not None:
                v = _field(pd.data, field_name)
                if v is not None and index_key(v) == key and same_instant(v, value):
                    self.stats.documents_examined += 1
                    out.append(self._overlay(doc_id, pd))  # type: ignore[arg-type]
        return out

    def _pending_new_index_ids(self) -> set[str]:
        return {i for pt in self._tables.values() for i in pt.new_indexes}

    def committed(self, table_id: str) -> Iterator[Any]:
        """Rows of `_ql_committed_<table>`: the full revision struct of each current document."""
        from .journal_reads import committed_view_rows

        self._check_open()
        self._read_tables.add(table_id)
        for rev in committed_view_rows(self._ledger, table_id):
            self.stats.documents_examined += 1
            yield rev

    def history(self, table_id: str, start: Any = None, end: Any = None,
                doc_id: str | None = None) -> Iterator[Any]:
        """Every revision of a table's documents (committed-view structs), deletions included.

        With `doc_id` (added for the query layer's `WHERE h.metadata.id = …`), only that
        document's revisions, and OCC tracks that document instead of the whole table.
        """
        from .journal_reads import history_rows

        self._check_open()
        if doc_id is None:
            self._read_tables.add(table_id)
        else:
            row = self._conn.execute("SELECT max(version) FROM revisions WHERE doc_id=?",
                                     (doc_id,)).fetchone()
            self._read_docs.setdefault(doc_id, -1 if row[0] is None else row[0])
        for rev in history_rows(self._ledger, table_id, start, end, doc_id=doc_id):
            self.stats.documents_examined += 1
            yield rev

    # ------------------------------------------------------------------ document writes
    def _writable_table(self, table_id: str) -> TableInfo:
        info = self.table_by_id(table_id)
        if not info.active:
            raise TableNotFoundError(f"table {info.name!r} is dropped (INACTIVE)")
        return info

    def _check_doc_size(self, data: Any, blob: bytes | None = None) -> None:
        """Structs only; the size limit is checked on the Ion binary at commit."""
        if not hasattr(data, "keys"):
            raise UserError("a document must be a struct")
        if blob is None:
            return
        size = len(blob)
        if size > self.limits.document_bytes:
            raise LimitExceededError(
                f"document of {size:,} bytes exceeds the {self.limits.name} limit of "
                f"{self.limits.document_bytes:,} bytes")

    def insert(self, table_id: str, data: Any, stmt: int) -> str:
        self._check_open()
        self._writable_table(table_id)
        self._check_doc_size(data)
        doc_id = new_id()
        self._docs[doc_id] = _PendingDoc(table_id, data, -1, [stmt])
        return doc_id

    def update(self, doc_id: str, data: Any, stmt: int) -> None:
        self._check_open()
        current = self.get(doc_id)
        if current is None:
            raise DocumentNotFoundError(f"no current document with id {doc_id!r}")
        self._writable_table(current.table_id)
        self._check_doc_size(data)
        pd = self._docs.get(doc_id)
        if pd is None:
            self._docs[doc_id] = _PendingDoc(current.table_id, data, current.version,
                                             [stmt])
        else:
            pd.data = data
            if stmt not in pd.statements:
                pd.statements.append(stmt)

    def delete(self, doc_id: str, stmt: int) -> None:
        self._check_open()
        current = self.get(doc_id)
        if current is None:
            raise DocumentNotFoundError(f"no current document with id {doc_id!r}")
        self._writable_table(current.table_id)
        pd = self._docs.get(doc_id)
        if pd is None:
            self._docs[doc_id] = _PendingDoc(current.table_id, None, current.version,
                                             [stmt])
        elif pd.base_version < 0:
            del self._docs[doc_id]  # inserted and deleted in this transaction: nothing to write
        else:
            pd.data = None
            if stmt not in pd.statements:
                pd.statements.append(stmt)

    # ------------------------------------------------------------------ catalog writes
    def _catalog_version(self, table_id: str) -> int:
        row = self._conn.execute("SELECT catalog_version FROM tables_ WHERE table_id=?",
                                 (table_id,)).fetchone()
        return -1 if row is None else max(row[0], -1)  # imported tables: no revision yet

    def _stage_table(self, info: TableInfo, stmt: int) -> _PendingTable:
        pt = self._tables.get(info.table_id)
        if pt is None:
            pt = _PendingTable(info, self._catalog_version(info.table_id))
            self._tables[info.table_id] = pt
        else:
            pt.info = info
        if stmt not in pt.statements:
            pt.statements.append(stmt)
        self._read_catalog.add(info.table_id)
        return pt

    def create_table(self, name: str, stmt: int, tags: Any = None) -> str:
        self._check_open()
        validate_table_name(name)
        try:
            self.table(name)
        except TableNotFoundError:
            pass
        else:
            raise TableExistsError(f"an active table named {name!r} already exists")
        self._check_table_counts(extra_active=1, extra_total=1)
        table_id = new_id()
        self._stage_table(TableInfo(table_id, name, "ACTIVE", (), tags), stmt)
        return table_id

    def _check_table_counts(self, extra_active: int, extra_total: int) -> None:
        tables = self.tables(include_inactive=True)
        active = sum(1 for t in tables if t.active) + extra_active
        total = len(tables) + extra_total
        lim = self.limits
        if lim.active_tables is not None and active > lim.active_tables:
            raise LimitExceededError(f"{lim.name}: at most {lim.active_tables} active tables")
        if lim.total_tables is not None and total > lim.total_tables:
            raise LimitExceededError(f"{lim.name}: at most {lim.total_tables} tables in all "
                                     "(dropped tables count)")

    def drop_table(self, table_id: str, stmt: int) -> None:
        self._check_open()
        info = self._writable_table(table_id)
        self._stage_table(TableInfo(info.table_id, info.name, "INACTIVE", info.indexes,
                                    info.tags), stmt)

    def undrop_table(self, table_id: str, stmt: int) -> None:
        self._check_open()
        info = self.table_by_id(table_id)
        if info.active:
            raise InvalidOperationError(f"table {info.name!r} is not dropped")
        try:
            self.table(info.name)
        except TableNotFoundError:
            pass
        else:
            raise TableExistsError(f"an active table named {info.name!r} already exists")
        self._check_table_counts(extra_active=1, extra_total=0)
        self._stage_table(TableInfo(info.table_id, info.name, "ACTIVE", info.indexes,
                                    info.tags), stmt)

    def create_index(self, table_id: str, field_name: str, stmt: int) -> str:
        self._check_open()
        info = self._writable_table(table_id)
        if not field_name or len(field_name) > 128:
            raise UserError("an index field name has 1 to 128 characters")
        if info.index_on(field_name) is not None:
            raise IndexError_(f"table {info.name!r} already has an index on {field_name!r}")
        if len(info.indexes) + 1 > self.limits.indexes_per_table:
            raise LimitExceededError(f"{self.limits.name}: at most "
                                     f"{self.limits.indexes_per_table} indexes per table")
        index_id = new_id()
        new = TableInfo(info.table_id, info.name, info.status,
                        info.indexes + (IndexInfo(index_id, field_name, "ONLINE"),), info.tags)
        pt = self._stage_table(new, stmt)
        pt.new_indexes.append(index_id)
        self._read_tables.add(table_id)  # the build reads every document
        return index_id

    def drop_index(self, table_id: str, index_id: str, stmt: int) -> None:
        self._check_open()
        info = self._writable_table(table_id)
        if not any(ix.index_id == index_id for ix in info.indexes):
            raise IndexError_(f"table {info.name!r} has no index with id {index_id!r}")
        new = TableInfo(info.table_id, info.name, info.status,
                        tuple(ix for ix in info.indexes if ix.index_id != index_id), info.tags)
        pt = self._stage_table(new, stmt)
        if index_id in pt.new_indexes:
            pt.new_indexes.remove(index_id)
        else:
            pt.dropped_indexes.append(index_id)

    def redact_revision(self, address: Any, table_id: str, doc_id: str, stmt: int) -> Any:
        """Schedule the redaction of one non-latest revision (QLDB allows one per transaction)."""
        self._check_open()
        addr = address if isinstance(address, BlockAddress) else BlockAddress.from_ion(address)
        if self._redactions:
            raise LimitExceededError("one revision can be redacted per transaction")
        if addr.strand_id != self._ledger.strand_id:
            raise RevisionNotFoundError(f"block address {addr.text()} is not in this ledger")
        if not 0 <= addr.seq < 2**63:  # SQLite's integers; no block has such an address
            raise RevisionNotFoundError(f"no block at {addr.text()}")
        row = self._conn.execute(
            "SELECT idx, version, table_id, kind FROM revisions WHERE seq=? AND doc_id=?",
            (addr.seq, doc_id)).fetchone()
        if row is None:
            raise RevisionNotFoundError(
                f"no revision of document {doc_id!r} in block {addr.text()}")
        idx, version, rev_table, kind = row
        if rev_table != table_id:
            raise RevisionNotFoundError(f"document {doc_id!r} is not in table {table_id!r}")
        if kind == storage.KIND_REDACTED:
            raise InvalidOperationError("that revision is already redacted")
        if kind != storage.KIND_DATA:
            raise InvalidOperationError("only a revision with data can be redacted")
        latest = self._conn.execute("SELECT max(version) FROM revisions WHERE doc_id=?",
                                    (doc_id,)).fetchone()[0]
        if version == latest:
            raise InvalidOperationError(
                "the latest revision of a document cannot be redacted; update or delete the "
                "document first")
        self._read_docs.setdefault(doc_id, latest)
        self._redactions.append((addr, table_id, doc_id, version, addr.seq, idx))
        return struct(("blockAddress", addr.to_ion()), ("tableId", string(table_id)),
                      ("documentId", string(doc_id)), ("version", version))

    # ------------------------------------------------------------------ end
    def _check_open(self) -> None:
        if self.done:
            raise InvalidOperationError("the transaction has already ended")

    def abort(self) -> None:
        self.done = True
        self._let_go()
        self._tables.clear()

    def _let_go(self) -> None:
        """A finished transaction holds no documents or parameters: they are the caller's to
        free (a kept transaction object held a whole import batch)."""
        self._docs = {}
        self._statements = []

    def commit(self) -> BlockAddress | None:
        """Validate (OCC) and write this transaction's block. Returns its address."""
        self._check_open()
        if not self._statements:
            self.done = True
            return None
        conn = self._conn
        cache = self._ledger._commit_cache
        own_lock = not self._ledger._in_atomic
        try:
            if own_lock:
                conn.execute("BEGIN IMMEDIATE")
            try:
                cache.check()  # under the write lock: the tip it gives is the file's
                tip = cache.tip()
                if tip.seq != self._ledger._vouched_tip:  # first write, or another's commit
                    check_tip(self._ledger, tip.seq)
                tip = self._write_block(tip)
            except BaseException:
                if own_lock and conn.in_transaction:  # a full disk rolls back by itself
                    conn.execute("ROLLBACK")
                raise
            if own_lock:
                conn.execute("COMMIT")
        except sqlite3.OperationalError as e:
            raise StorageError(str(e)) from None
        finally:
            self.done = True
            self._let_go()
        cache.committed(tip, catalog_changed=bool(self._tables))
        self._ledger._vouched_tip = tip.seq  # our own block: checked as it was built
        self.block_address = address = BlockAddress(self._ledger.strand_id, tip.seq)
        return address

    # ------------------------------------------------------------------ commit internals
    def _validate(self, tip_seq: int) -> None:
        if tip_seq <= self.start_seq:
            return
        conn = self._conn
        for doc_id, version in self._read_docs.items():
            row = conn.execute("SELECT max(version) FROM revisions WHERE doc_id=?",
                               (doc_id,)).fetchone()
            now = -1 if row[0] is None else row[0]
            if now != version and not (version == -1 and row[0] is None):
                raise ConflictError(f"document {doc_id} was changed by a concurrent transaction")
        for tid in self._read_tables:
            if conn.execute("SELECT 1 FROM revisions WHERE table_id=? AND seq>? LIMIT 1",
                            (tid, self.start_seq)).fetchone():
                raise ConflictError("a table this transaction scanned was changed by a "
                                    "concurrent transaction")
        for tid, field_name, key in self._read_lookups:
            for (blob,) in conn.execute(
                    "SELECT data FROM revisions WHERE table_id=? AND seq>? AND data IS NOT NULL",
                    (tid, self.start_seq)):
                data = loads(blob)
                v = data.get(field_name) if hasattr(data, "get") else None
                if v is not None and index_key(v) == key:
                    raise ConflictError("a concurrent transaction wrote a document matching "
                                        "this transaction's lookup")
        if self._read_catalog or self._read_names:
            for (doc_id, blob) in conn.execute(
                    "SELECT doc_id, data FROM revisions WHERE kind=? AND seq>?",
                    (storage.KIND_SYSTEM, self.start_seq)):
                data = loads(blob)
                name = str(data.get("name", "")) if hasattr(data, "get") else ""
                if doc_id in self._read_catalog or name in self._read_names \
                        or "*" in self._read_names:
                    raise ConflictError("the table catalog was changed by a concurrent "
                                        "transaction")

    def _write_block(self, tip: TipState) -> TipState:
        """Write this transaction's block after `tip`; returns the new tip."""
        conn = self._conn
        ledger = self._ledger
        tip_seq, prev_hash = tip.seq, tip.block_hash
        self._validate(tip_seq)
        self._check_tx_limits()
        seq = tip_seq + 1
        ts = now_timestamp()
        if tip.timestamp is not None and ts < tip.timestamp:
            ts = tip.timestamp  # block times never go backwards

        revision_rows: list[tuple] = []
        rev_hashes: list[bytes] = []
        documents: list[tuple[str, Any]] = []
        doc_ops: list[tuple[str, _PendingDoc, int, int]] = []  # doc_id, pd, version, idx
        table_names = self._table_names()
        # Metadata {id, version, txTime, txId} is derived from the columns and the block, not
        # stored again (docs/journal-format.md); its hash needs no Ion values.
        block_fields = block_field_hashes(ts, self.id)
        data_hashes: dict[int, bytes] = {}  # id(document value) -> H(document); values held
        doc_entries: list[tuple[str, str, str, list[int]]] = []  # for H(transactionInfo)
        entries_seen: dict[tuple, Any] = {}
        for doc_id, pd in self._docs.items():
            version = pd.base_version + 1
            mh = metadata_hash(doc_id, version, block_fields)
            idx = len(revision_rows)
            if pd.data is None:
                h = dot(mh, EMPTY_DATA_HASH)
                revision_rows.append((seq, idx, doc_id, version, pd.table_id,
                                      storage.KIND_DELETED, h, None, None, None))
            else:
                try:
                    blob = write_document(pd.data)  # amazon.ion's bytes, in C
                except (UnicodeEncodeError, SystemError, ValueError, IonException,
                        TypeError) as e:
                    # amazon.ion's C writer fails on a lone surrogate ("\ud800") and the like;
                    # a timestamp whose UTC instant falls outside years 1-9999
                    # (0001-01-01T00:00+05:30) cannot be held by Ion binary either; a value
                    # with no Ion type (Python API) is a TypeError
                    why = unstorable(pd.data) or (
                        str(e) if isinstance(e, ValueError)
                        and not isinstance(e, UnicodeEncodeError) else
                        f"it holds text that is not valid Unicode or an invalid value ({e})")
                    err = UserError(f"document {doc_id} cannot be written as Ion: {why}")
                    err.doc_id = doc_id  # an import names the record's file and line
                    raise err from None
                try:
                    self._check_doc_size(pd.data, blob)
                except UserError as e:
                    e.doc_id = doc_id
                    raise
                # hash what is stored (amazon.ion writes decimals to 34 digits at most)
                data_hash = ion_hash_binary(blob)
                data_hashes[id(pd.data)] = data_hash
                h = dot(mh, data_hash)
                revision_rows.append((seq, idx, doc_id, version, pd.table_id,
                                      storage.KIND_DATA, h, None, blob, None))
            rev_hashes.append(h)
            doc_ops.append((doc_id, pd, version, idx))
            # Light values (light_values): written exactly as the IonPy equivalents (a struct,
            # strings, a list of ints), cheaper to build, and as cheap to write. Entries with
            # the same table and statements (an import, a bulk update) share one value, which
            # is only written.
            entry_key = (pd.table_id, *pd.statements)
            entry = entries_seen.get(entry_key)
            if entry is None:
                entry = entries_seen[entry_key] = Struct(
                    tableName=Text(table_names[pd.table_id]), tableId=Text(pd.table_id),
                    statements=List([Int(i) for i in pd.statements]))
            documents.append((doc_id, entry))
            if not C_HASH_VALUE:  # the Python hasher's input; C hashes tx_info itself
                doc_entries.append((doc_id, table_names[pd.table_id], pd.table_id,
                                    pd.statements))
        for table_id, pt in self._tables.items():
            version = pt.base_version + 1
            data = catalog_struct(pt.info)
            h = dot(metadata_hash(table_id, version, block_fields), ion_hash(data))
            revision_rows.append((seq, len(revision_rows), table_id, version, None,
                                  storage.KIND_SYSTEM, h, None, dumps_binary(data), None))
            rev_hashes.append(h)

        try:
            digests = [(st.text, st.start_time, self._statement_digest(st, data_hashes))
                       for st in self._statements]
        except UnicodeEncodeError:  # e.g. a lone surrogate from a JSON "\ud800" escape
            raise UserError("a statement or one of its parameters holds text that is not valid "
                            "Unicode (a lone surrogate)") from None
        except (ValueError, TypeError, RecursionError) as e:  # a timestamp Ion cannot
            # represent, a set, a parameter nested too deep for the recursive hasher...
            why = next((w for st in self._statements for p in st.params
                        if (w := unstorable(p)) is not None), str(e))
            raise UserError(f"a statement parameter cannot be hashed as Ion: {why}") from None
        # The body is built from light values (light_values): written exactly as IonPy values
        # would be, at about half the cost to build and write (a fixed cost of every commit).
        tx_info = Struct(statements=List([
            Struct(statement=Text(text), startTime=start, statementDigest=Blob(digest))
            for text, start, digest in digests]))
        if documents:
            tx_info["documents"] = Struct(documents)

        redaction_info = None
        if self._redactions:
            items = []
            for addr, table_id, doc_id, version, _s, _i in self._redactions:
                items.append(struct(("blockAddress", addr.to_ion()), ("tableId", string(table_id)),
                                    ("documentId", string(doc_id)), ("version", version)))
            redaction_info = struct(("revisions", ion_list(items)))

        address = Struct(strandId=Text(ledger.strand_id), sequenceNo=Int(seq))
        tx_id = Text(self.id)
        if C_HASH_VALUE:  # the values the body holds, hashed in C
            entries = [hash_value(Struct(blockAddress=address, transactionId=tx_id,
                                         blockTimestamp=ts))]
        else:
            entries = [own_header_entry(ledger.strand_id, seq, self.id, ts)]
        if rev_hashes:
            entries.append(merkle_root(rev_hashes))
        entries.append(hash_value(tx_info) if C_HASH_VALUE
                       else transaction_info_hash(digests, doc_entries))
        if redaction_info is not None:
            entries.append(ion_hash(redaction_info))
        entries_hash = merkle_root(entries)
        block_hash = dot(entries_hash, prev_hash)

        block = Struct(
            blockAddress=address, transactionId=tx_id, blockTimestamp=ts, blockHash=Blob(block_hash),
            entriesHash=Blob(entries_hash), previousBlockHash=Blob(prev_hash),
            entriesHashList=List([Blob(e) for e in entries]), transactionInfo=tx_info)
        if redaction_info is not None:
            block["redactionInfo"] = redaction_info
        body = write_light(block) or dumps_binary(block)
        self._check_tx_bytes(body, revision_rows)

        merkle_nodes, frontier = extend_merkle(tip.frontier, block_hash)
        conn.execute(
            "INSERT INTO blocks(seq, tx_id, block_ts, block_hash, entries_hash, prev_hash, "
            "is_foreign, n_revisions, has_redaction, merkle_nodes, body) "
            "VALUES (?,?,?,?,?,?,0,?,?,?,?)",
            (seq, self.id, _block_ts_text(ts), block_hash, entries_hash, prev_hash,
             len(revision_rows), int(redaction_info is not None), merkle_nodes, body))
        conn.executemany(
            "INSERT INTO revisions(seq, idx, doc_id, version, table_id, kind, hash, metadata, "
            "data, data_hash) VALUES (?,?,?,?,?,?,?,?,?,?)", revision_rows)
        self._apply_catalog(seq)
        self._apply_documents(seq, doc_ops, revision_rows)
        self._apply_redactions()
        return TipState(seq, block_hash, ts, frontier)

    def _table_names(self) -> dict[str, str]:
        names = {tid: pt.info.name for tid, pt in self._tables.items()}
        for pd in self._docs.values():
            if pd.table_id not in names:
                info = self._load_table(pd.table_id)  # read (and cached) by the write itself
                names[pd.table_id] = info.name if info is not None else ""
        return names

    def _check_tx_limits(self) -> None:
        lim = self.limits.documents_per_transaction
        if lim is not None and len(self._docs) > lim:
            raise LimitExceededError(f"{self.limits.name}: a transaction may modify at most "
                                     f"{lim} documents (this one modifies {len(self._docs)})")

    def _check_tx_bytes(self, body: bytes, rows: list[tuple]) -> None:
        lim = self.limits.transaction_bytes
        if lim is None:
            return
        size = len(body) + sum(len(r[7] or b"") + len(r[8] or b"") for r in rows)
        if size > lim:
            raise LimitExceededError(f"{self.limits.name}: the transaction is {size:,} bytes; "
                                     f"at most {lim:,}")

    def _apply_catalog(self, seq: int) -> None:
        conn = self._conn
        for table_id, pt in self._tables.items():
            info = pt.info
            tags = dumps_binary(info.tags) if info.tags is not None else None
            conn.execute(
                "INSERT INTO tables_(table_id, name, status, tags, catalog_version) "
                "VALUES (?,?,?,?,?) ON CONFLICT(table_id) DO UPDATE SET name=excluded.name, "
                "status=excluded.status, tags=excluded.tags, "
                "catalog_version=excluded.catalog_version",
                (table_id, info.name, info.status, tags, pt.base_version + 1))
            for index_id in pt.dropped_indexes:
                conn.execute("DELETE FROM indexes WHERE index_id=?", (index_id,))
                conn.execute("DELETE FROM index_entries WHERE index_id=?", (index_id,))
            for index_id in pt.new_indexes:
                ix = next(i for i in info.indexes if i.index_id == index_id)
                conn.execute("INSERT INTO indexes(index_id, table_id, field, status) "
                             "VALUES (?,?,?,?)", (index_id, table_id, ix.field, ix.status))
                build_index_entries(conn, index_id, table_id, ix.field)

    def _apply_documents(self, seq: int, doc_ops: list, rows: list[tuple]) -> None:
        """Bring the current documents and index entries in step with this block, in one
        statement per kind of change (each document appears once per transaction, so the
        order between documents does not matter)."""
        conn = self._conn
        index_cache: dict[str, list[tuple[str, str]]] = {}
        stale_entries: list[tuple[str]] = []
        deleted: list[tuple[str, str]] = []
        inserted: list[tuple] = []
        updated: list[tuple] = []
        entries: list[tuple[str, Any, str]] = []
        for doc_id, pd, version, idx in doc_ops:
            if pd.base_version >= 0:
                stale_entries.append((doc_id,))
            if pd.data is None:
                deleted.append((pd.table_id, doc_id))
                continue
            blob = rows[idx][8]
            if pd.base_version < 0:
                inserted.append((doc_id, pd.table_id, version, seq, idx, blob))
            else:
                updated.append((version, seq, idx, blob, pd.table_id, doc_id))
            ixs = index_cache.get(pd.table_id)
            if ixs is None:
                info = self._load_table(pd.table_id)  # staged or cached: new indexes included
                ixs = [(ix.index_id, ix.field) for ix in info.indexes] if info else []
                index_cache[pd.table_id] = ixs
            for index_id, field_name in ixs:
                key = _index_entry_key(field_name, pd.data)
                if key is not None:
                    entries.append((index_id, key, doc_id))
        if stale_entries:
            conn.executemany("DELETE FROM index_entries WHERE doc_id=?", stale_entries)
        if deleted:
            conn.executemany("DELETE FROM documents WHERE table_id=? AND doc_id=?", deleted)
        if inserted:
            conn.executemany("INSERT INTO documents(doc_id, table_id, version, seq, idx, data) "
                             "VALUES (?,?,?,?,?,?)", inserted)
        if updated:
            conn.executemany("UPDATE documents SET version=?, seq=?, idx=?, data=? "
                             "WHERE table_id=? AND doc_id=?", updated)
        if entries:
            conn.executemany("INSERT OR IGNORE INTO index_entries(index_id, key, doc_id) "
                             "VALUES (?,?,?)", entries)

    def _apply_redactions(self) -> None:
        conn = self._conn
        for _addr, _t, _d, _v, rseq, ridx in self._redactions:
            (blob,) = conn.execute("SELECT data FROM revisions WHERE seq=? AND idx=?",
                                   (rseq, ridx)).fetchone()
            conn.execute("UPDATE revisions SET kind=?, data=NULL, data_hash=? "
                         "WHERE seq=? AND idx=?",
                         (storage.KIND_REDACTED, ion_hash_binary(blob), rseq, ridx))
            conn.execute("UPDATE blocks SET has_redaction=1 WHERE seq=?", (rseq,))


_ZERO = _dt.timedelta(0)


def _block_ts_text(ts: Any) -> str:
    """The block time as stored, formatted directly in the usual case."""
    if (getattr(ts, "precision", None) == TimestampPrecision.SECOND
            and getattr(ts, "fractional_precision", None) == 3
            and ts.utcoffset() == _ZERO and ts.microsecond % 1000 == 0):
        # now_timestamp()'s shape (UTC, milliseconds), as amazon.ion writes it, without it
        return (f"{ts.year:04d}-{ts.month:02d}-{ts.day:02d}T{ts.hour:02d}:{ts.minute:02d}:"
                f"{ts.second:02d}.{ts.microsecond // 1000:03d}Z")
    return dumps_text(ts)


def catalog_struct(info: TableInfo) -> Any:
    """The data of a table's catalog revision (a system revision, exported hash-only)."""
    pairs: list[tuple[str, Any]] = [
        ("tableId", string(info.table_id)), ("name", string(info.name)),
        ("status", string(info.status)),
        ("indexes", ion_list([struct(("indexId", string(ix.index_id)), ("expr", string(ix.expr)),
                                     ("status", string(ix.status))) for ix in info.indexes]))]
    if info.tags is not None:
        pairs.append(("tags", info.tags))
    return struct(*pairs)


def _field(data: Any, field_name: str) -> Any:
    return data.get(field_name) if hasattr(data, "get") else None


def _index_entry_key(field_name: str, data: Any) -> Any:
    """The index key of a document's field, or None when the document has no such value."""
    if not hasattr(data, "get"):
        return None
    v = data.get(field_name)
    return None if v is None else index_key(v)


def _add_index_entry(conn: sqlite3.Connection, index_id: str, field_name: str, doc_id: str,
                     data: Any) -> None:
    key = _index_entry_key(field_name, data)
    if key is not None:
        conn.execute("INSERT OR IGNORE INTO index_entries(index_id, key, doc_id) VALUES (?,?,?)",
                     (index_id, key, doc_id))


def build_index_entries(conn: sqlite3.Connection, index_id: str, table_id: str,
                        field_name: str) -> None:
    """Index every current document of a table (a new index, or a rebuild)."""
    for doc_id, blob in conn.execute("SELECT doc_id, data FROM documents WHERE table_id=?",
                                     (table_id,)).fetchall():
        _add_index_entry(conn, index_id, field_name, doc_id, loads(blob))
