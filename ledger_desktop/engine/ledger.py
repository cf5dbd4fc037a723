"""The ledger facade: open or create a ledger file, run transactions, read, prove, verify.

A `Ledger` owns one SQLite connection and so belongs to one thread; open another `Ledger`
on the same path in each worker thread (opening is cheap). All writers go through
`Transaction.commit`, which serialises on SQLite's write lock.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from . import deleted_documents as deleted
from . import index_storage, journal_reads, limits, merkle_store, redactions, storage
from .allocator import tune_allocator
from .blocks import BlockAddress, as_blob, header_entry
from .cancel import CancelToken, Progress
from .commit_cache import CommitCache, TipState
from .deleted_documents import DeletedDocument
from .errors import (
    BlockNotFoundError,
    ConflictError,
    InputFormatError,
    IntegrityError,
    ReadOnlyError,
    StorageError,
    UserError,
)
from .ids import new_id
from .ion_binary_hash import ion_hash_binary
from .ion_hash import dot, fold, ion_hash, merkle_path, merkle_root, write_document
from .ion_values import (
    block_address,
    dumps_binary,
    dumps_text,
    ion_list,
    loads,
    now_timestamp,
    parse_timestamp,
    string,
    struct,
    too_deep,
)
from .metadata_hash import block_field_hashes, metadata_hash
from .model import BlockSummary, Digest, Document, RedactionRecord, RevisionInfo, TableInfo
from .new_file import built_whole, default_ledger_name
from .tip_check import check_tip
from .transaction import Transaction

T = TypeVar("T")

FORMAT_NAME = "ledger-desktop"


class Ledger:
    """A ledger file. Create with `Ledger.create`, open with `Ledger.open`."""

    def __init__(self, path: Path, conn: sqlite3.Connection, read_only: bool) -> None:
        self.path = Path(path)
        self._conn = conn
        self.read_only = read_only
        self._in_atomic = False
        self._vouched_tip = -2  # the tip block seq checked before writing on it (tip_check)
        # Checked by the query layer's row loops while a statement runs (the app's Cancel):
        # SQLite's progress handler interrupts reads, not joins computed in Python.
        self.cancel_token: CancelToken | None = None
        # An older file opened read-only is read in its own layout (storage.migrate)
        self._nodes = merkle_store.NodeStore(conn)
        self._commit_cache = CommitCache(conn, self._nodes)
        if not read_only:
            tune_allocator()  # commits churn the top of the heap (allocator.py)
        self.strand_id: str = storage.get_meta(conn, "strand_id")
        self.ledger_name: str = storage.get_meta(conn, "ledger_name", self.path.stem)
        if storage.get_meta(conn, "format") != FORMAT_NAME or self.strand_id is None:
            conn.close()
            from .errors import NotALedgerError

            raise NotALedgerError(f"{path}: not a ledger file (no ledger metadata)")

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def create(cls, path: str | Path, *, ledger_name: str | None = None,
               strict: bool = False) -> Ledger:
        """A new, empty ledger with its genesis block. Refuses to overwrite a file; the file
        appears only once complete (new_file.built_whole)."""
        path = Path(path)
        with built_whole(path) as tmp:
            cls.create_at(tmp, ledger_name or default_ledger_name(path), strict).close()
        return cls.open(path)

    @classmethod
    def create_at(cls, path: Path, ledger_name: str, strict: bool = False) -> Ledger:
        """`create` at the path given, with no hidden build: for a file built in steps under
        a `built_whole` name (the sample)."""
        conn = storage.connect(path, create=True)
        try:
            _initialise(conn, ledger_name, strict)
        except BaseException:
            conn.close()
            _remove_file(path)
            raise
        return cls(path, conn, read_only=False)

    @classmethod
    def create_imported(cls, path: str | Path, strand_id: str, *,
                        ledger_name: str | None = None) -> Ledger:
        """An empty ledger (no genesis) that will receive foreign blocks verbatim. Build it
        under a `new_file.built_whole` name: until its blocks are in, it is not a ledger."""
        path = Path(path)
        conn = storage.connect(path, create=True)
        try:
            conn.execute("BEGIN IMMEDIATE")
            name = ledger_name or default_ledger_name(path)
            for k, v in _meta_values(name, strand_id, False).items():
                storage.set_meta(conn, k, v)
            storage.set_meta(conn, "imported", 1)
            conn.execute("COMMIT")
        except BaseException:
            conn.close()
            _remove_file(path)
            raise
        return cls(path, conn, read_only=False)

    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = False) -> Ledger:
        """Open a ledger file; refuses files that are not ledgers or are from a newer version.

        For writing, with a -wal file beside it, the last block is first checked through a
        read-only connection (tip_check): a read-write connection checkpoints whatever -wal
        file lies beside the ledger into it when it closes, even if it wrote nothing, so a
        foreign -wal must be refused before one is opened. (With none, the file alone is the
        ledger, and the first write checks its tip.)"""
        path = Path(path)
        vouched = -2
        wal = Path(f"{path}-wal")
        if not read_only and wal.exists() and wal.stat().st_size > 0:
            probe = cls(path, storage.connect(path, read_only=True), True)
            try:
                vouched = probe.block_count() - 1
                check_tip(probe, vouched)
            finally:
                probe.close()
        conn = storage.connect(path, read_only=read_only)
        ledger = cls(path, conn, read_only)
        ledger._vouched_tip = vouched
        return ledger

    def close(self) -> None:
        try:
            self._conn.close()
        except sqlite3.ProgrammingError:
            pass

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _new_cursor(self) -> sqlite3.Cursor:
        return self._conn.cursor()

    # ------------------------------------------------------------------ settings
    @property
    def strict(self) -> bool:
        return bool(storage.get_meta(self._conn, "strict", 0))

    def set_strict(self, strict: bool) -> None:
        """QLDB-strict mode: reject what QLDB rejected and enforce QLDB's limits."""
        self._check_writable()
        storage.set_meta(self._conn, "strict", int(strict))

    @property
    def limits(self) -> limits.Limits:
        return limits.QLDB_STRICT if self.strict else limits.DEFAULT

    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyError("the ledger is open read-only; nothing can be written")

    # ------------------------------------------------------------------ transactions
    def transaction(self) -> _TransactionContext:
        """`with ledger.transaction() as tx:` commits on exit, aborts on an exception."""
        return _TransactionContext(self)

    def begin(self) -> Transaction:
        return Transaction(self)

    def execute(self, statement: str, *params: Any) -> Any:
        """Run one PartiQL statement in its own transaction (one block) and return its result."""
        with self.transaction() as tx:
            return tx.execute(statement, *params)

    def execute_lambda(self, fn: Callable[[Transaction], T], retries: int = 4) -> T:
        """Run `fn(tx)` in a transaction, retrying the whole function on a conflict."""
        attempt = 0
        while True:
            tx = Transaction(self)
            try:
                result = fn(tx)
                tx.commit()
                return result
            except ConflictError:
                tx.abort()
                attempt += 1
                if attempt > retries:
                    raise
                time.sleep(min(0.5, 0.005 * 2 ** attempt) * random.random())
            except BaseException:
                tx.abort()
                raise

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """Make every commit inside one all-or-nothing unit (one SQLite transaction)."""
        self._check_writable()
        if self._in_atomic:
            yield
            return
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            raise StorageError(str(e)) from None
        self._in_atomic = True
        try:
            yield
        except BaseException:
            self._in_atomic = False
            self._commit_cache.clear()  # the tip its commits left is gone
            if self._conn.in_transaction:  # SQLite rolls back by itself on a full disk
                self._conn.execute("ROLLBACK")
            raise
        self._in_atomic = False
        try:
            self._conn.execute("COMMIT")
        except sqlite3.OperationalError as e:
            self._commit_cache.clear()
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise StorageError(str(e)) from None

    # ------------------------------------------------------------------ browsing (no blocks)
    def tables(self, include_inactive: bool = True) -> list[TableInfo]:
        tx_reader = _Reader(self)
        return tx_reader.tables(include_inactive)

    def table(self, name: str) -> TableInfo:
        return _Reader(self).table(name)

    def count_documents(self, table_id: str) -> int:
        return self._conn.execute("SELECT count(*) FROM documents WHERE table_id=?",
                                  (table_id,)).fetchone()[0]

    def documents(self, table_id: str, after_id: str = "", limit: int = 200) -> list[Document]:
        """A table's current documents in id order, the page after document `after_id`."""
        rows = self._conn.execute(
            "SELECT doc_id, table_id, version, seq, data FROM documents "
            "WHERE table_id=? AND doc_id>? ORDER BY doc_id LIMIT ?",
            (table_id, after_id, limit)).fetchall()
        return [Document(r[0], r[1], r[2], loads(r[4]), r[3]) for r in rows]

    def document(self, doc_id: str) -> Document | None:
        r = self._conn.execute(
            "SELECT d.doc_id, d.table_id, d.version, d.seq, d.data, r.hash, r.metadata, "
            "b.tx_id, b.block_ts FROM documents d JOIN revisions r ON r.seq=d.seq AND r.idx=d.idx "
            f"JOIN blocks b ON b.seq = d.seq WHERE d.table_id=({storage.TABLE_OF_DOCUMENT}) "
            "AND d.doc_id=?", (doc_id, doc_id)).fetchone()
        if r is None:
            return None
        if r[6] is not None:  # imported revision: its stored metadata
            meta = loads(r[6])
            tx_time, tx_id = meta["txTime"], str(meta["txId"])
        else:
            tx_time, tx_id = parse_timestamp(r[8]), r[7]
        return Document(r[0], r[1], r[2], loads(r[4]), r[3], as_blob(r[5]), tx_time, tx_id)

    def document_history(self, doc_id: str, *, with_redactions: bool = False
                         ) -> list[RevisionInfo]:
        """Every revision of a document, oldest first; `with_redactions` also finds the
        block that redacted each redacted revision (RevisionInfo.redaction)."""
        history = journal_reads.document_history(self, doc_id)
        if with_redactions:
            redactions.attach_redactions(self, history)
        return history

    def deleted_documents(self, table_id: str) -> list[DeletedDocument]:
        """The table's documents whose latest revision is a DELETE, oldest delete first."""
        return deleted.deleted_documents(self, table_id)

    def is_document(self, doc_id: str) -> bool:
        """`doc_id` names a document of the ledger, current or deleted."""
        return deleted.is_document(self, doc_id)

    def redaction_of(self, doc_id: str, version: int) -> RedactionRecord | None:
        """The block that redacted that revision of the document, if it is redacted."""
        return redactions.redaction_of(self, doc_id, version)

    def block(self, seq: int) -> Any:
        return journal_reads.read_block(self, seq)

    def iter_blocks(self, first: int = 0, last: int | None = None) -> Iterator[Any]:
        return journal_reads.iter_blocks(self, first, last)

    def block_count(self) -> int:
        row = self._conn.execute("SELECT max(seq) FROM blocks").fetchone()
        return 0 if row[0] is None else row[0] + 1

    def block_summaries(self, first: int, last: int) -> list[BlockSummary]:
        rows = self._conn.execute(
            "SELECT seq, tx_id, block_ts, n_revisions, has_redaction, is_foreign, block_hash "
            "FROM blocks WHERE seq BETWEEN ? AND ? ORDER BY seq", (first, last)).fetchall()
        return [BlockSummary(r[0], r[1], r[2], r[3], bool(r[4]), bool(r[5]), as_blob(r[6]))
                for r in rows]

    def _tip_state(self) -> TipState:
        cache = self._commit_cache
        cache.check()
        return cache.tip()

    def tip(self) -> BlockAddress | None:
        # the last block itself, not the commit cache: a file with damaged Merkle nodes still
        # says where its journal ends (and opens, so that verification can locate the damage)
        seq = self._conn.execute("SELECT max(seq) FROM blocks").fetchone()[0]
        return None if seq is None else BlockAddress(self.strand_id, seq)

    # ------------------------------------------------------------------ digests and proofs
    def digest(self) -> Digest:
        """The current digest and tip: O(1) while the tip is cached (every commit through this
        Ledger keeps it), else O(log n) node lookups (merkle_store)."""
        tip = self._tip_state()
        if tip.seq < 0:
            raise BlockNotFoundError("the ledger has no blocks yet")
        return Digest(merkle_store.frontier_root(tip.frontier), BlockAddress(self.strand_id,
                      tip.seq), self.ledger_name, now_timestamp())

    def digest_at(self, tip: BlockAddress | int) -> Digest:
        seq = self._tip_seq(tip)
        return Digest(self._nodes.digest_at(seq), BlockAddress(self.strand_id, seq),
                      self.ledger_name, now_timestamp())

    def _tip_seq(self, tip: BlockAddress | int | str | None) -> int:
        current = self.tip()
        if current is None:
            raise BlockNotFoundError("the ledger has no blocks yet")
        if tip is None:
            return current.seq
        if isinstance(tip, str):
            tip = BlockAddress.parse(tip)
        if isinstance(tip, BlockAddress):
            if tip.strand_id != self.strand_id:
                raise UserError(f"digest tip {tip.text()} is not on this ledger's strand "
                                f"{self.strand_id}")
            tip = tip.seq
        if not 0 <= tip <= current.seq:
            raise BlockNotFoundError(f"digest tip {tip} is beyond the ledger's tip {current.seq}")
        return tip

    def _address_seq(self, address: BlockAddress | str | Any) -> int:
        if isinstance(address, str):
            address = BlockAddress.parse(address)
        elif not isinstance(address, BlockAddress):
            address = BlockAddress.from_ion(address)
        if address.strand_id != self.strand_id:
            raise BlockNotFoundError(f"block address {address.text()} is not on this ledger's "
                                     f"strand {self.strand_id}")
        if not 0 <= address.seq < self.block_count():
            raise BlockNotFoundError(f"no block at {address.text()}")
        return address.seq

    def block_proof(self, seq: int, tip: BlockAddress | int | None = None) -> list[bytes]:
        """GetBlock's proof: from the block hash to the digest of `tip`, bottom-up."""
        tip_seq = self._tip_seq(tip)
        if seq > tip_seq:
            raise BlockNotFoundError(f"block {seq} is after the digest tip {tip_seq}")
        path, leaf, digest = self._nodes.proof_parts(seq, tip_seq)
        # The path and the digest both come from stored Merkle nodes, which only a full
        # verification checks: a proof that does not fold is refused, not handed out.
        if fold(leaf, path) != digest:
            raise IntegrityError(f"the stored Merkle nodes do not fold block {seq} to the digest "
                                 f"at block {tip_seq}: the file was changed; run ledger verify")
        return path

    def get_block(self, address: BlockAddress | str | Any,
                  tip: BlockAddress | str | None = None) -> tuple[Any, list[bytes] | None]:
        seq = self._address_seq(address)
        block = self.block(seq)
        proof = self.block_proof(seq, tip) if tip is not None else None
        return block, proof

    def revision_proof(self, doc_id: str, seq: int,
                       tip: BlockAddress | int | None = None) -> tuple[Any, list[bytes]]:
        revision, idx, rev_hashes = journal_reads.revision_at(self, doc_id, seq)
        row = self._conn.execute("SELECT body FROM blocks WHERE seq=?", (seq,)).fetchone()
        body = loads(row[0])
        entries = [as_blob(h) for h in body["entriesHashList"]]
        root = merkle_root(rev_hashes)
        proof = merkle_path(rev_hashes, idx)
        if root not in entries:  # the revisions' hashes were changed in the file
            raise IntegrityError(f"block {seq}'s entries do not include its revisions: the "
                                 "file was changed; run ledger verify")
        proof += merkle_path(entries, entries.index(root))
        prev = as_blob(body["previousBlockHash"]) if "previousBlockHash" in body else b""
        if prev:
            proof.append(prev)
        proof += self.block_proof(seq, tip)
        return revision, proof

    def get_revision(self, doc_id: str, address: BlockAddress | str | Any,
                     tip: BlockAddress | str | None = None) -> tuple[Any, list[bytes] | None]:
        seq = self._address_seq(address)
        if tip is None:
            revision, _i, _h = journal_reads.revision_at(self, doc_id, seq)
            return revision, None
        return self.revision_proof(doc_id, seq, tip)

    # ------------------------------------------------------------------ verification
    def verify(self, progress: Progress | None = None, cancel: CancelToken | None = None,
               digests: Sequence[Digest] = (), rehash: bool = True,
               check_index_storage: bool = True) -> Any:
        """Verify the whole journal (streaming); returns a `VerifyReport`."""
        from .verify import verify_ledger

        return verify_ledger(self, progress=progress, cancel=cancel, digests=digests,
                             rehash=rehash, check_index_storage=check_index_storage)

    def rebuild_index_storage(self, progress: Progress | None = None,
                              cancel: CancelToken | None = None) -> None:
        """Replace the index storage with a replay of the journal."""
        self._check_writable()
        index_storage.rebuild(self._conn, progress, cancel)

    # ------------------------------------------------------------------ foreign blocks
    def append_foreign_block(self, block: Any) -> BlockAddress:
        """Store a block from a QLDB (or our own) export verbatim, at the tip.

        The caller verifies blocks as it reads them; this keeps the original addresses, ids,
        timestamps, hashes and hash-only revisions, and brings the index storage up to date.
        """
        self._check_writable()
        addr = BlockAddress.from_ion(block["blockAddress"])
        if addr.strand_id != self.strand_id:
            raise InputFormatError(f"block {addr.text()} is on another strand than "
                                   f"{self.strand_id}")
        conn = self._conn
        own = not self._in_atomic
        if own:
            conn.execute("BEGIN IMMEDIATE")
        try:
            tip = self._tip_state()
            expected = tip.seq + 1
            if addr.seq != expected:
                raise InputFormatError(f"block {addr.seq} does not follow the tip (expected "
                                       f"block {expected})")
            rows = _foreign_revision_rows(addr.seq, block)
            body = write_document(
                struct(*[(k, v) for k, v in block.items() if k != "revisions"]))
            block_hash = as_blob(block["blockHash"])
            prev = as_blob(block["previousBlockHash"]) if "previousBlockHash" in block else b""
            own_layout = _is_own_layout(block, rows)
            if own_layout and len(block["entriesHashList"]) != 1 + bool(rows) + sum(
                    name in block for name in ("transactionInfo", "redactionInfo")):
                # a part the entries cover is missing (e.g. a renamed field in the export)
                raise InputFormatError(f"block {addr.seq} lacks part of what its entries hash "
                                       "(revisions, transactionInfo or redactionInfo)")
            nodes, frontier = merkle_store.extend(tip.frontier, block_hash)
            block_ts = dumps_text(block["blockTimestamp"])
            # has_redaction as a commit sets it: on a block holding a redacted revision and on
            # a block requesting a redaction (redactions.py finds requests by it)
            conn.execute(
                "INSERT INTO blocks(seq, tx_id, block_ts, block_hash, entries_hash, prev_hash, "
                "is_foreign, n_revisions, has_redaction, merkle_nodes, body) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (addr.seq, str(block["transactionId"]), block_ts, block_hash,
                 bytes(block["entriesHash"]), prev, int(not own_layout), len(rows),
                 int(any(r[5] == storage.KIND_REDACTED for r in rows)
                     or block.get("redactionInfo") is not None), nodes, body))
            conn.executemany(
                "INSERT INTO revisions(seq, idx, doc_id, version, table_id, kind, hash, "
                "metadata, data, data_hash) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
            index_storage.apply_block(conn, block, rows, is_foreign=True)
            if own:
                conn.execute("COMMIT")
        except BaseException:
            if own:
                conn.execute("ROLLBACK")
            raise
        # the next block extends this one without reading the frontier back
        self._commit_cache.committed(
            TipState(addr.seq, block_hash, parse_timestamp(block_ts), frontier),
            catalog_changed=True)
        return addr


class _TransactionContext:
    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self.tx: Transaction | None = None

    def __enter__(self) -> Transaction:
        self.tx = Transaction(self._ledger)
        return self.tx

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        assert self.tx is not None
        if exc_type is None:
            if not self.tx.done:
                self.tx.commit()
        else:
            self.tx.abort()


class _Reader:
    """Catalog reads for browsing, without a transaction."""

    def __init__(self, ledger: Ledger) -> None:
        self._conn = ledger._conn

    def _info(self, row: tuple) -> TableInfo:
        from .model import IndexInfo

        ixs = tuple(IndexInfo(i, f, s) for i, f, s in self._conn.execute(
            "SELECT index_id, field, status FROM indexes WHERE table_id=? ORDER BY rowid",
            (row[0],)))
        return TableInfo(row[0], row[1], row[2], ixs, loads(row[3]) if row[3] else None)

    def tables(self, include_inactive: bool) -> list[TableInfo]:
        rows = self._conn.execute(
            "SELECT table_id, name, status, tags FROM tables_ ORDER BY name").fetchall()
        return [self._info(r) for r in rows if include_inactive or r[2] == "ACTIVE"]

    def table(self, name: str) -> TableInfo:
        from .errors import TableNotFoundError

        row = self._conn.execute("SELECT table_id, name, status, tags FROM tables_ "
                                 "WHERE name=? AND status='ACTIVE'", (name,)).fetchone()
        if row is None:
            raise TableNotFoundError(f"no active table named {name!r}")
        return self._info(row)


def _meta_values(ledger_name: str, strand_id: str, strict: bool) -> dict[str, Any]:
    from .. import __version__

    return {"format": FORMAT_NAME, "ledger_name": ledger_name, "strand_id": strand_id,
            "strict": int(strict), "created_by": f"ledger-desktop {__version__}"}


def _initialise(conn: sqlite3.Connection, ledger_name: str, strict: bool) -> None:
    """Metadata and the genesis block (see docs/journal-format.md)."""
    strand_id = new_id()
    conn.execute("BEGIN IMMEDIATE")
    try:
        for k, v in _meta_values(ledger_name, strand_id, strict).items():
            storage.set_meta(conn, k, v)
        ts = now_timestamp()
        tx_id = new_id()
        addr = block_address(strand_id, 0)
        genesis_id = new_id()
        data = struct(("ledgerName", string(ledger_name)), ("strandId", string(strand_id)))
        h = dot(metadata_hash(genesis_id, 0, block_field_hashes(ts, tx_id)), ion_hash(data))
        entries = [header_entry(addr, tx_id, ts), merkle_root([h])]
        entries_hash = merkle_root(entries)
        block_hash = dot(entries_hash, b"")
        body = dumps_binary(struct(
            ("blockAddress", addr), ("transactionId", string(tx_id)), ("blockTimestamp", ts),
            ("blockHash", block_hash), ("entriesHash", entries_hash),
            ("previousBlockHash", b""), ("entriesHashList", ion_list(entries))))
        conn.execute(  # block 0 completes no Merkle node (merkle_nodes NULL)
            "INSERT INTO blocks(seq, tx_id, block_ts, block_hash, entries_hash, prev_hash, "
            "is_foreign, n_revisions, has_redaction, body) VALUES (0,?,?,?,?,?,0,1,0,?)",
            (tx_id, dumps_text(ts), block_hash, entries_hash, b"", body))
        conn.execute(
            "INSERT INTO revisions(seq, idx, doc_id, version, table_id, kind, hash, metadata, "
            "data, data_hash) VALUES (0,0,?,0,NULL,?,?,NULL,?,NULL)",
            (genesis_id, storage.KIND_SYSTEM, h, dumps_binary(data)))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _foreign_revision_rows(seq: int, block: Any) -> list[tuple]:
    doc_tables: dict[str, str] = {}
    if "transactionInfo" in block and "documents" in block["transactionInfo"]:
        for doc_id, d in block["transactionInfo"]["documents"].items():
            doc_tables[str(doc_id)] = str(d["tableId"])
    rows = []
    for idx, rev in enumerate(block.get("revisions", [])):
        h = bytes(rev["hash"])
        if "metadata" not in rev:
            rows.append((seq, idx, None, None, None, storage.KIND_HASH_ONLY, h, None, None, None))
            continue
        meta = rev["metadata"]
        doc_id = str(meta["id"])
        version = int(meta["version"])
        mblob = write_document(meta)
        table_id = doc_tables.get(doc_id)
        if "data" in rev:
            if (why := too_deep(rev["data"])) is not None:  # QLDB's hash is right; reads fail
                raise ValueError(f"document {doc_id} version {version}: {why}")
            data = write_document(rev["data"])
            # The stored bytes are what verification hashes: they must give the revision's
            # hash the import checked (amazon.ion's writer changed some values before).
            if dot(ion_hash_binary(mblob), ion_hash_binary(data)) != h:
                raise ValueError(f"document {doc_id} version {version}: its Ion cannot be "
                                 "stored so that it keeps its hash")
            rows.append((seq, idx, doc_id, version, table_id, storage.KIND_DATA, h, mblob,
                         data, None))
        elif "dataHash" in rev:
            rows.append((seq, idx, doc_id, version, table_id, storage.KIND_REDACTED, h, mblob,
                         None, bytes(rev["dataHash"])))
        else:
            rows.append((seq, idx, doc_id, version, table_id, storage.KIND_DELETED, h, mblob,
                         None, None))
    return rows


def _is_own_layout(block: Any, rows: list[tuple]) -> bool:
    """True when the block's entry 0 is our header entry (a block made by Ledger Desktop)."""
    try:
        entries = [bytes(h) for h in block["entriesHashList"]]
        return bool(entries) and entries[0] == header_entry(
            block["blockAddress"], str(block["transactionId"]), block["blockTimestamp"])
    except (KeyError, TypeError):
        return False


def _remove_file(path: Path) -> None:
    for p in (path, Path(str(path) + "-wal"), Path(str(path) + "-shm")):
        try:
            p.unlink()
        except OSError:
            pass


# Re-exported for the API's users.
__all__ = ["Ledger", "Transaction", "Digest", "BlockAddress", "fold", "ion_hash",
           "parse_timestamp"]
