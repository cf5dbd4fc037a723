"""Tampering: every stored thing, changed directly in the SQLite file, is found by `verify()`,
which names the block and the check that failed.

The ledger is QLDB's DMV sample (tables, indexes, updates, deletions, a redaction) plus a
tagged table. Each case edits a fresh copy with plain `sqlite3`, as an attacker outside the
app would, and asserts `report.first_failure.seq` and `.check`.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ledger_desktop.engine import digest_file, storage
from ledger_desktop.engine.blocks import header_entry
from ledger_desktop.engine.ion_hash import dot, ion_hash, merkle_root
from ledger_desktop.engine.ion_values import dumps_binary, loads, string, struct
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.sample import build_sample

from .helpers import create_table, insert, query, sql


@dataclass(frozen=True)
class Facts:
    """Where the interesting rows of the fixture ledger are."""

    hist: tuple[int, int]        # a data revision that is no longer current
    cur: tuple[int, int]         # the current revision of a document (in `documents`)
    deleted: tuple[int, int]     # a deletion
    redacted: tuple[int, int]    # a redacted revision
    catalog: tuple[int, int]     # the latest catalog revision of a table with an index
    redaction_seq: int           # the block that holds the redaction request
    tagged_table: str            # table id of the table with tags
    tip: int


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = build_sample(tmp_path_factory.mktemp("tamper") / "dmv.ledger")
    with Ledger.open(path) as led:
        with led.transaction() as tx:
            create_table(tx, "Audit", index_on="kind", tags={"owner": "audit", "tier": 2})
        with led.transaction() as tx:
            insert(tx, "Audit", {"kind": "login", "who": "ann"})
            insert(tx, "Audit", {"kind": "logout", "who": "bob"})
        assert led.verify().ok
    return path


@pytest.fixture(scope="module")
def facts(original: Path) -> Facts:
    def one(statement: str) -> tuple:
        rows = query(original, statement)
        assert rows, statement
        return rows[0]

    hist = one("SELECT r.seq, r.idx FROM revisions r WHERE r.kind=0 AND r.seq > 0 AND "
               "r.version < (SELECT max(version) FROM revisions x WHERE x.doc_id=r.doc_id) "
               "ORDER BY r.seq DESC")
    cur = one("SELECT seq, idx FROM documents ORDER BY seq DESC")
    deleted = one("SELECT seq, idx FROM revisions WHERE kind=1 ORDER BY seq")
    redacted = one("SELECT seq, idx FROM revisions WHERE kind=2")
    catalog = one("SELECT r.seq, r.idx FROM revisions r JOIN tables_ t ON t.table_id=r.doc_id "
                  "AND t.catalog_version=r.version WHERE r.kind=4 AND EXISTS "
                  "(SELECT 1 FROM indexes i WHERE i.table_id=t.table_id) ORDER BY r.seq")
    tagged = one("SELECT table_id FROM tables_ WHERE tags IS NOT NULL")[0]
    tip = one("SELECT max(seq) FROM blocks")[0]
    return Facts(hist, cur, deleted, redacted, catalog, _redaction_block(original), tagged, tip)


def _redaction_block(path: Path) -> int:
    with Ledger.open(path, read_only=True) as led:
        for seq in range(led.block_count()):
            if "redactionInfo" in led.block(seq):
                return seq
    raise AssertionError("the fixture has no redaction")


@pytest.fixture
def copy(original: Path, tmp_path: Path) -> Path:
    p = tmp_path / "copy.ledger"
    shutil.copy(original, p)
    return p


def verify(path: Path, **kw: Any):
    with Ledger.open(path, read_only=True) as led:
        return led.verify(**kw)


def verify_fails_at(path: Path, seq: int | None, check: str | set[str]) -> None:
    report = verify(path)
    assert not report.ok, "tampering was not detected"
    first = report.first_failure
    checks = {check} if isinstance(check, str) else check
    assert (first.seq, first.check in checks) == (seq, True), report.summary()


# ---------------------------------------------------------------------------------- editing
def _rev(conn: sqlite3.Connection, at: tuple[int, int], column: str) -> Any:
    return conn.execute(f"SELECT {column} FROM revisions WHERE seq=? AND idx=?", at).fetchone()[0]


def _set_rev(conn: sqlite3.Connection, at: tuple[int, int], **cols: Any) -> None:
    assign = ", ".join(f"{c}=?" for c in cols)
    conn.execute(f"UPDATE revisions SET {assign} WHERE seq=? AND idx=?", (*cols.values(), *at))


def _metadata(conn: sqlite3.Connection, at: tuple[int, int]) -> Any:
    """A revision's metadata: stored, or (our own revisions) derived from its columns."""
    blob = _rev(conn, at, "metadata")
    if blob is not None:
        return loads(blob)
    doc_id, version = conn.execute("SELECT doc_id, version FROM revisions WHERE seq=? AND "
                                   "idx=?", at).fetchone()
    body = _body(conn, at[0])
    return struct(("id", string(doc_id)), ("version", version),
                  ("txTime", body["blockTimestamp"]), ("txId", body["transactionId"]))


def _edit_ion(conn: sqlite3.Connection, at: tuple[int, int], column: str,
              change: Callable[[Any], None]) -> None:
    value = _metadata(conn, at) if column == "metadata" else loads(_rev(conn, at, column))
    change(value)
    _set_rev(conn, at, **{column: dumps_binary(value)})


def _body(conn: sqlite3.Connection, seq: int) -> Any:
    return loads(conn.execute("SELECT body FROM blocks WHERE seq=?", (seq,)).fetchone()[0])


def _set_node(conn: sqlite3.Connection, level: int, pos: int, h: bytes) -> None:
    """Overwrite Merkle node (level, pos) in the row of the block that completes it."""
    seq = ((pos + 1) << level) - 1
    (blob,) = conn.execute("SELECT merkle_nodes FROM blocks WHERE seq=?", (seq,)).fetchone()
    blob = bytes(blob)
    conn.execute("UPDATE blocks SET merkle_nodes=? WHERE seq=?",
                 (blob[:(level - 1) * 32] + h + blob[level * 32:], seq))


def _set_body(conn: sqlite3.Connection, seq: int, body: Any) -> None:
    conn.execute("UPDATE blocks SET body=? WHERE seq=?", (dumps_binary(body), seq))


def _edit_body(seq_of: Callable[[Facts], int], change: Callable[[Any], None]):
    def mutate(conn: sqlite3.Connection, f: Facts) -> None:
        seq = seq_of(f)
        body = _body(conn, seq)
        change(body)
        _set_body(conn, seq, body)
    return mutate


def _first_key(value: Any) -> str:
    return next(k for k in value if k != "VIN")


def _forge_field(value: Any) -> None:
    value[_first_key(value)] = "FORGED"


def _redact_without_request(conn: sqlite3.Connection, f: Facts) -> None:
    data = loads(_rev(conn, f.hist, "data"))
    _set_rev(conn, f.hist, kind=storage.KIND_REDACTED, data=None, data_hash=ion_hash(data))
    conn.execute("UPDATE blocks SET has_redaction=1 WHERE seq=?", (f.hist[0],))


def _hash_only_with_forged_data(conn: sqlite3.Connection, f: Facts) -> None:
    _edit_ion(conn, f.hist, "data", _forge_field)
    _set_rev(conn, f.hist, kind=storage.KIND_HASH_ONLY)


def _foreign_flag_hides_forged_deletion(conn: sqlite3.Connection, f: Facts) -> None:
    def change(meta: Any) -> None:
        meta["txTime"] = loads("2001-01-01T00:00:00.000Z")
    _edit_ion(conn, f.deleted, "metadata", change)
    conn.execute("UPDATE blocks SET is_foreign=1 WHERE seq=?", (f.deleted[0],))


def _consistent_timestamp(conn: sqlite3.Connection, f: Facts) -> None:
    """Change a block's time in its body and its column alike (the header entry catches it)."""
    seq = f.hist[0]
    body = _body(conn, seq)
    body["blockTimestamp"] = loads("2001-01-01T00:00:00.000Z")
    _set_body(conn, seq, body)
    conn.execute("UPDATE blocks SET block_ts=? WHERE seq=?", ("2001-01-01T00:00:00.000Z", seq))


def _extra_revision(conn: sqlite3.Connection, f: Facts) -> None:
    row = conn.execute("SELECT seq, idx, doc_id, version, table_id, kind, hash, metadata, data, "
                       "data_hash FROM revisions WHERE seq=? AND idx=?", f.hist).fetchone()
    n = conn.execute("SELECT count(*) FROM revisions WHERE seq=?", (f.hist[0],)).fetchone()[0]
    conn.execute("INSERT INTO revisions VALUES (?,?,?,?,?,?,?,?,?,?)",
                 (row[0], n, "AAAAAAAAAAAAAAAAAAAAAA", 0, *row[4:]))


# Each case: (mutation, expected block (from the facts), expected check).
Case = tuple[Callable[[sqlite3.Connection, Facts], None], Callable[[Facts], int | None], str]

CASES: dict[str, Case] = {
    # revisions: content
    "revision data": (lambda c, f: _edit_ion(c, f.hist, "data", _forge_field),
                      lambda f: f.hist[0], "revision hash"),
    "current revision data": (lambda c, f: _edit_ion(c, f.cur, "data", _forge_field),
                              lambda f: f.cur[0], "revision hash"),
    "metadata version": (lambda c, f: _edit_ion(c, f.hist, "metadata",
                                                lambda m: m.__setitem__("version", 9)),
                         lambda f: f.hist[0], "revision hash"),
    "metadata id": (lambda c, f: _edit_ion(c, f.hist, "metadata",
                                           lambda m: m.__setitem__("id", string("X" * 22))),
                    lambda f: f.hist[0], "revision hash"),
    "metadata txId": (lambda c, f: _edit_ion(c, f.hist, "metadata",
                                             lambda m: m.__setitem__("txId", string("X" * 22))),
                      lambda f: f.hist[0], "revision hash"),
    "metadata txTime": (lambda c, f: _edit_ion(
        c, f.hist, "metadata",
        lambda m: m.__setitem__("txTime", loads("2001-01-01T00:00:00.000Z"))),
        lambda f: f.hist[0], "revision hash"),
    "deleted revision metadata": (lambda c, f: _edit_ion(
        c, f.deleted, "metadata",
        lambda m: m.__setitem__("txTime", loads("2001-01-01T00:00:00.000Z"))),
        lambda f: f.deleted[0], "revision hash"),
    "redacted revision dataHash": (lambda c, f: _set_rev(c, f.redacted, data_hash=b"\x07" * 32),
                                   lambda f: f.redacted[0], "revision hash"),
    "catalog revision data": (lambda c, f: _edit_ion(c, f.catalog, "data",
                                                     lambda d: d.__setitem__("status",
                                                                             string("INACTIVE"))),
                              lambda f: f.catalog[0], "revision hash"),
    # revisions: indexed columns
    "revision hash column": (lambda c, f: _set_rev(c, f.hist, hash=b"\x05" * 32),
                             lambda f: f.hist[0], "revision hash"),
    "revision doc_id column": (lambda c, f: _set_rev(c, f.hist, doc_id="Y" * 22),
                               lambda f: f.hist[0], "revision hash"),
    "revision version column": (lambda c, f: _set_rev(c, f.hist, version=77),
                                lambda f: f.hist[0], "revision hash"),
    "revision table_id column": (lambda c, f: _set_rev(c, f.hist, table_id=f.tagged_table),
                                 lambda f: f.hist[0], "revision hash"),
    "revision kind to deleted": (lambda c, f: _set_rev(c, f.hist, kind=storage.KIND_DELETED),
                                 lambda f: f.hist[0], "revision hash"),
    "revision kind to system": (lambda c, f: _set_rev(c, f.hist, kind=storage.KIND_SYSTEM),
                                lambda f: f.hist[0], "revision hash"),
    "revision kind to hash-only, data forged": (_hash_only_with_forged_data,
                                                lambda f: f.hist[0], "revision hash"),
    "redaction without a request": (_redact_without_request, lambda f: f.hist[0],
                                    "revision hash"),
    "revision row deleted": (lambda c, f: c.execute("DELETE FROM revisions WHERE seq=? AND "
                                                    "idx=?", f.hist),
                             lambda f: f.hist[0], "entries hash"),
    "revision row added": (_extra_revision, lambda f: f.hist[0], {"entries hash",
                                                                  "revision hash"}),
    # blocks: the stored body
    "body statement text": (_edit_body(lambda f: f.hist[0], lambda b: b["transactionInfo"][
        "statements"][0].__setitem__("statement", string("SELECT 1"))),
        lambda f: f.hist[0], "entries hash"),
    "body statementDigest": (_edit_body(lambda f: f.hist[0], lambda b: b["transactionInfo"][
        "statements"][0].__setitem__("statementDigest", b"\x03" * 32)),
        lambda f: f.hist[0], "entries hash"),
    "body documents map": (_edit_body(lambda f: f.hist[0], lambda b: next(iter(
        b["transactionInfo"]["documents"].values())).__setitem__("tableName", string("Evil"))),
        lambda f: f.hist[0], "entries hash"),
    "body redactionInfo": (_edit_body(lambda f: f.redaction_seq, lambda b: b["redactionInfo"][
        "revisions"][0].__setitem__("tableId", string("T" * 22))),
        lambda f: f.redaction_seq, "entries hash"),
    "body entriesHashList": (_edit_body(lambda f: f.hist[0], lambda b: b["entriesHashList"]
                                        .__setitem__(0, b"\x04" * 32)),
                             lambda f: f.hist[0], "entries hash"),
    "body blockAddress": (_edit_body(lambda f: f.hist[0], lambda b: b["blockAddress"]
                                     .__setitem__("sequenceNo", 999)),
                          lambda f: f.hist[0], "block hash"),
    "body transactionId": (_edit_body(lambda f: f.hist[0], lambda b: b.__setitem__(
        "transactionId", string("Z" * 22))), lambda f: f.hist[0], "block hash"),
    "body blockTimestamp": (_edit_body(lambda f: f.hist[0], lambda b: b.__setitem__(
        "blockTimestamp", loads("2001-01-01T00:00:00.000Z"))), lambda f: f.hist[0],
        "block hash"),
    "body blockHash": (_edit_body(lambda f: f.hist[0], lambda b: b.__setitem__(
        "blockHash", b"\x01" * 32)), lambda f: f.hist[0], "block hash"),
    "body entriesHash": (_edit_body(lambda f: f.hist[0], lambda b: b.__setitem__(
        "entriesHash", b"\x01" * 32)), lambda f: f.hist[0], "block hash"),
    "body previousBlockHash": (_edit_body(lambda f: f.hist[0], lambda b: b.__setitem__(
        "previousBlockHash", b"\x01" * 32)), lambda f: f.hist[0], "block hash"),
    # Our revisions' metadata takes txTime from the block, so their hashes break first.
    "block time in body and column": (_consistent_timestamp, lambda f: f.hist[0],
                                      {"revision hash", "entries hash"}),
    # blocks: indexed columns
    **{f"block {col} column": (
        lambda c, f, col=col: c.execute(f"UPDATE blocks SET {col}=? WHERE seq=?",
                                        (b"\x01" * 32, f.hist[0])),
        lambda f: f.hist[0], "block hash")
       for col in ("block_hash", "entries_hash", "prev_hash")},
    "block tx_id column": (lambda c, f: c.execute("UPDATE blocks SET tx_id='Q' WHERE seq=?",
                                                  (f.hist[0],)),
                           lambda f: f.hist[0], "block hash"),
    "block block_ts column": (lambda c, f: c.execute(
        "UPDATE blocks SET block_ts='2001-01-01T00:00:00.000Z' WHERE seq=?", (f.hist[0],)),
        lambda f: f.hist[0], "block hash"),
    "block n_revisions column": (lambda c, f: c.execute(
        "UPDATE blocks SET n_revisions=n_revisions+1 WHERE seq=?", (f.hist[0],)),
        lambda f: f.hist[0], "block hash"),
    "block has_redaction column": (lambda c, f: c.execute(
        "UPDATE blocks SET has_redaction=1 WHERE seq=?", (f.hist[0],)),
        lambda f: f.hist[0], "block hash"),
    "block is_foreign column": (lambda c, f: c.execute(
        "UPDATE blocks SET is_foreign=1 WHERE seq=?", (f.hist[0],)),
        lambda f: f.hist[0], "entries hash"),
    "foreign flag hiding a forged deletion": (_foreign_flag_hides_forged_deletion,
                                              lambda f: f.deleted[0], {"entries hash",
                                                                       "revision hash"}),
    "block row deleted": (lambda c, f: c.execute("DELETE FROM blocks WHERE seq=?", (f.hist[0],)),
                          lambda f: f.hist[0], {"chain link", "revision hash"}),
    # the Merkle nodes stored in the blocks' rows
    "merkle node": (lambda c, f: _set_node(c, 2, 1, b"\x02" * 32), lambda f: 7, "digest"),
    "merkle node deleted": (lambda c, f: c.execute(
        "UPDATE blocks SET merkle_nodes=NULL WHERE seq=1"), lambda f: 1, "digest"),
    "merkle nodes cut short": (lambda c, f: c.execute(
        "UPDATE blocks SET merkle_nodes=substr(merkle_nodes, 1, 32) WHERE seq=7"),
        lambda f: 7, "digest"),
    "meta strand id": (lambda c, f: c.execute("UPDATE meta SET value='S' WHERE key='strand_id'"),
                       lambda f: 0, "block hash"),
}

# The index storage (derived from the journal): every change is an 'index storage' failure.
FIRST_DOC = "(SELECT doc_id FROM documents ORDER BY doc_id LIMIT 1)"
LAST_DOC = "(SELECT doc_id FROM documents ORDER BY doc_id DESC LIMIT 1)"
INDEX_STORAGE_CASES: dict[str, str] = {
    # documents is keyed by (table_id, doc_id); FIRST_DOC picks the document with the lowest id
    "documents data": "UPDATE documents SET data=(SELECT data FROM documents ORDER BY doc_id "
                      f"LIMIT 1) WHERE doc_id={LAST_DOC}",
    "documents version": f"UPDATE documents SET version=version+1 WHERE doc_id={FIRST_DOC}",
    "documents seq": f"UPDATE documents SET seq=seq-1 WHERE doc_id={FIRST_DOC}",
    "documents idx": f"UPDATE documents SET idx=idx+1 WHERE doc_id={FIRST_DOC}",
    "documents table_id": "UPDATE documents SET table_id=(SELECT table_id FROM tables_ WHERE "
                          f"tags IS NOT NULL) WHERE doc_id={FIRST_DOC}",
    "documents row deleted": f"DELETE FROM documents WHERE doc_id={FIRST_DOC}",
    "documents row added": "INSERT INTO documents(doc_id, table_id, version, seq, idx, data) "
                           "SELECT 'NEWDOC', table_id, 0, seq, idx, data FROM documents "
                           f"WHERE doc_id={FIRST_DOC}",
    "deleted document restored": "INSERT INTO documents(doc_id, table_id, version, seq, idx, "
                                 "data) SELECT r.doc_id, r.table_id, r.version - 1, p.seq, "
                                 "p.idx, p.data FROM revisions r JOIN revisions p ON "
                                 "p.doc_id=r.doc_id AND p.version=r.version-1 WHERE r.kind=1 "
                                 "LIMIT 1",
    "tables_ name": "UPDATE tables_ SET name='Hacked' WHERE name='Person'",
    "tables_ status": "UPDATE tables_ SET status='INACTIVE' WHERE name='Person'",
    "tables_ tags": "UPDATE tables_ SET tags=NULL WHERE tags IS NOT NULL",
    "tables_ catalog_version": "UPDATE tables_ SET catalog_version=catalog_version+3 "
                               "WHERE name='Person'",
    "tables_ row deleted": "DELETE FROM tables_ WHERE name='Person'",
    "tables_ row added": "INSERT INTO tables_ VALUES ('BOGUS', 'Bogus', 'ACTIVE', NULL, 0)",
    "tables_ row added as if imported": "INSERT INTO tables_ VALUES ('BOGUS', 'Bogus', "
                                        "'ACTIVE', NULL, -1)",
    "indexes field": "UPDATE indexes SET field='Other' WHERE rowid=1",
    "indexes status": "UPDATE indexes SET status='BUILDING' WHERE rowid=1",
    "indexes table_id": "UPDATE indexes SET table_id=(SELECT table_id FROM tables_ WHERE "
                        "tags IS NOT NULL) WHERE rowid=1",
    "indexes row deleted": "DELETE FROM indexes WHERE rowid=1",
    "indexes row added": "INSERT INTO indexes VALUES ('BOGUSIX', (SELECT table_id FROM tables_ "
                         "WHERE name='Person'), 'LastName', 'ONLINE')",
    "index_entries key": "UPDATE index_entries SET key=X'00' WHERE (index_id, doc_id) IN "
                         "(SELECT index_id, doc_id FROM index_entries ORDER BY doc_id LIMIT 1)",
    # another document than the entry's own (ids are random, so exclude it explicitly)
    "index_entries doc_id": "UPDATE index_entries SET doc_id=(SELECT doc_id FROM documents "
                            "WHERE doc_id != (SELECT min(doc_id) FROM index_entries) "
                            "ORDER BY doc_id DESC LIMIT 1) WHERE (index_id, doc_id) IN (SELECT "
                            "index_id, doc_id FROM index_entries ORDER BY doc_id LIMIT 1)",
    "index_entries row deleted": "DELETE FROM index_entries WHERE (index_id, doc_id) IN (SELECT "
                                 "index_id, doc_id FROM index_entries ORDER BY doc_id LIMIT 1)",
    "index_entries row added": "INSERT INTO index_entries SELECT index_id, X'0102', doc_id "
                               "FROM index_entries ORDER BY doc_id LIMIT 1",
}


@pytest.mark.parametrize("name", list(CASES))
def test_journal_tampering_is_found(name: str, copy: Path, facts: Facts) -> None:
    mutate, where, check = CASES[name]
    conn = sqlite3.connect(copy)
    mutate(conn, facts)
    conn.commit()
    conn.close()
    verify_fails_at(copy, where(facts), check)


@pytest.mark.parametrize("name", list(INDEX_STORAGE_CASES))
def test_index_storage_tampering_is_found(name: str, copy: Path) -> None:
    statement = INDEX_STORAGE_CASES[name]
    conn = sqlite3.connect(copy)
    changed = conn.execute(statement).rowcount
    conn.commit()
    conn.close()
    assert changed == 1, f"the case changed {changed} rows"
    report = verify(copy)
    assert not report.ok, "tampering was not detected"
    assert {f.check for f in report.failures} == {"index storage"}, report.summary()


def test_index_storage_rebuild_repairs_what_verify_found(copy: Path) -> None:
    for name in ("documents data", "documents row deleted", "tables_ name", "tables_ tags",
                 "indexes row deleted", "index_entries row deleted"):
        sql(copy, INDEX_STORAGE_CASES[name])
    assert not verify(copy).ok
    with Ledger.open(copy) as led:
        led.rebuild_index_storage()
        assert led.verify().ok


# ---------------------------------------------------------------------------------- byte flips
def _blob_cases(facts: Facts) -> dict[str, tuple[str, str, tuple, int, set[str]]]:
    """(table, column, key, expected block, allowed checks) of each blob to sweep."""
    journal = {"revision hash", "entries hash", "block hash", "format"}
    return {
        "revision data": ("revisions", "data", facts.hist, facts.hist[0], {"revision hash"}),
        "current revision data": ("revisions", "data", facts.cur, facts.cur[0],
                                  {"revision hash"}),
        "catalog data": ("revisions", "data", facts.catalog, facts.catalog[0],
                         {"revision hash"}),
        "block body": ("blocks", "body", (facts.hist[0],), facts.hist[0], journal),
        "redaction block body": ("blocks", "body", (facts.redaction_seq,), facts.redaction_seq,
                                 journal),
        "revision hash": ("revisions", "hash", facts.hist, facts.hist[0], {"revision hash"}),
        "block hash": ("blocks", "block_hash", (facts.hist[0],), facts.hist[0],
                       {"block hash"}),
        "merkle nodes": ("blocks", "merkle_nodes", (7,), 7, {"digest"}),
    }


def _sweep(original: Path, tmp_path: Path, facts: Facts, which: str, step: int) -> int:
    table, column, key, seq, checks = _blob_cases(facts)[which]
    # An unreadable redaction request also leaves its redacted revision unexplained.
    also_first = ({(facts.redacted[0], "revision hash")} if which == "redaction block body"
                  else set())
    where = {"revisions": "seq=? AND idx=?", "blocks": "seq=?"}[table]
    path = tmp_path / "flip.ledger"
    shutil.copy(original, path)
    conn = sqlite3.connect(path)
    (blob,) = conn.execute(f"SELECT {column} FROM {table} WHERE {where}", key).fetchone()
    blob = bytes(blob)
    undetected = []
    equivalent = 0
    led = Ledger.open(path, read_only=True)
    try:
        for pos in range(0, len(blob), step):
            for mask in (0x01, 0x80):
                flipped = bytearray(blob)
                flipped[pos] ^= mask
                conn.execute(f"UPDATE {table} SET {column}=? WHERE {where}",
                             (bytes(flipped), *key))
                conn.commit()
                report = led.verify(check_index_storage=False)
                first = report.first_failure
                if report.ok and _same_value(blob, bytes(flipped)):
                    equivalent += 1  # another encoding of the same Ion value: not a change
                elif report.ok or not _names(report, seq, checks, also_first):
                    undetected.append((pos, mask, None if report.ok else str(first)))
        conn.execute(f"UPDATE {table} SET {column}=? WHERE {where}", (blob, *key))
        conn.commit()
        assert led.verify().ok
    finally:
        led.close()
        conn.close()
    assert not undetected, f"{which}: flips not found at the right block/check: {undetected}"
    assert equivalent <= len(blob) // 20, f"{which}: {equivalent} flips changed nothing"
    return len(blob)


def _names(report: Any, seq: int, checks: set[str], also_first: set[tuple[int, str]]) -> bool:
    first = report.first_failure
    if (first.seq, first.check) in also_first:
        return any(f.seq == seq and f.check in checks for f in report.failures)
    return first.seq == seq and first.check in checks


def _same_value(original: bytes, flipped: bytes) -> bool:
    """True when both blobs are Ion encoding one and the same value (Ion Hash equal).

    Binary Ion has a few redundant encodings (e.g. the ignored offset of a date-precision
    timestamp); the hash chain covers values, as QLDB's does, so such a flip changes nothing.
    """
    if not original.startswith(b"\xe0\x01\x00\xea"):
        return False  # raw hashes have no other encoding
    try:
        return ion_hash(loads(flipped)) == ion_hash(loads(original))
    except Exception:
        return False


SWEEPS = ["revision data", "current revision data", "catalog data", "block body",
          "redaction block body", "revision hash", "block hash", "merkle nodes"]


@pytest.mark.parametrize("which", SWEEPS)
def test_single_byte_flips_are_found(which: str, original: Path, tmp_path: Path,
                                     facts: Facts) -> None:
    """Every 5th byte of each Ion binary blob and hash, two bit patterns each."""
    assert _sweep(original, tmp_path, facts, which, step=5) > 0


@pytest.mark.slow
@pytest.mark.parametrize("which", SWEEPS)
def test_every_single_byte_flip_is_found(which: str, original: Path, tmp_path: Path,
                                         facts: Facts) -> None:
    _sweep(original, tmp_path, facts, which, step=1)


# ---------------------------------------------------------------------------------- rewrites
def _rewrite_block_consistently(conn: sqlite3.Connection, seq: int) -> None:
    """Change a statement and recompute the block's entries and hashes: a careful forger.

    Only the next block's link (and the Merkle nodes above it) can then reveal the change.
    """
    body = _body(conn, seq)
    body["transactionInfo"]["statements"][0]["statement"] = string("SELECT 'forged'")
    rev_hashes = [bytes(h) for (h,) in conn.execute(
        "SELECT hash FROM revisions WHERE seq=? ORDER BY idx", (seq,))]
    entries = [header_entry(body["blockAddress"], str(body["transactionId"]),
                            body["blockTimestamp"])]
    if rev_hashes:
        entries.append(merkle_root(rev_hashes))
    entries.append(ion_hash(body["transactionInfo"]))
    if "redactionInfo" in body:
        entries.append(ion_hash(body["redactionInfo"]))
    entries_hash = merkle_root(entries)
    block_hash = dot(entries_hash, bytes(body["previousBlockHash"]))
    body["entriesHashList"] = entries
    body["entriesHash"] = entries_hash
    body["blockHash"] = block_hash
    _set_body(conn, seq, body)
    conn.execute("UPDATE blocks SET entries_hash=?, block_hash=? WHERE seq=?",
                 (entries_hash, block_hash, seq))


def test_consistently_rewritten_block_breaks_the_next_link(copy: Path, facts: Facts) -> None:
    seq = facts.hist[0]
    conn = sqlite3.connect(copy)
    _rewrite_block_consistently(conn, seq)
    conn.commit()
    conn.close()
    report = verify(copy)
    assert not report.ok
    checks = {(f.seq, f.check) for f in report.failures}
    assert (seq + 1, "chain link") in checks, report.summary()
    assert report.first_failure.seq >= seq


def _truncate(path: Path, keep_through: int) -> None:
    """Remove every block after `keep_through` and make the rest self-consistent again."""
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM revisions WHERE seq > ?", (keep_through,))
    conn.execute("DELETE FROM blocks WHERE seq > ?", (keep_through,))
    conn.commit()
    conn.close()
    with Ledger.open(path) as led:  # the Merkle nodes went with their blocks' rows
        led.rebuild_index_storage()


@pytest.mark.parametrize("removed", [1, 2])
def test_truncation_is_found_against_a_saved_digest(copy: Path, tmp_path: Path,
                                                    removed: int) -> None:
    with Ledger.open(copy, read_only=True) as led:
        saved = tmp_path / "digest.json"
        digest_file.write_digest(saved, led.digest())
        tip = led.tip().seq
    _truncate(copy, tip - removed)
    # A careful truncation leaves a self-consistent journal: only the saved digest shows it.
    assert verify(copy).ok
    report = verify(copy, digests=[digest_file.read_digest(saved)])
    assert not report.ok
    assert report.first_failure.check == "digest"
    assert [dc.ok for dc in report.digest_checks] == [False]
    assert "truncation" in report.digest_checks[0].message


def test_truncation_past_a_redaction_is_found_without_a_digest(copy: Path, facts: Facts) -> None:
    """The redacted revision stays, its redaction request is gone: verify names the revision."""
    _truncate(copy, facts.redaction_seq - 1)
    report = verify(copy)
    assert not report.ok
    assert (report.first_failure.seq, report.first_failure.check) == (facts.redacted[0],
                                                                      "revision hash")


def test_rewritten_history_is_found_against_a_saved_digest(copy: Path, tmp_path: Path) -> None:
    """Truncate, then append other blocks past the old tip: the saved digest disagrees."""
    with Ledger.open(copy, read_only=True) as led:
        saved = led.digest()
        tip = led.tip().seq
    _truncate(copy, tip - 2)
    with Ledger.open(copy) as led:
        for i in range(5):
            with led.transaction() as tx:
                insert(tx, "Person", {"GovId": "forged", "i": i})
        assert led.tip().seq > tip
    assert verify(copy).ok
    report = verify(copy, digests=[saved])
    assert not report.ok
    assert (report.first_failure.seq, report.first_failure.check) == (tip, "digest")


def test_untouched_copy_verifies(copy: Path, facts: Facts) -> None:
    report = verify(copy)
    assert report.ok, report.summary()
    assert report.blocks_checked == facts.tip + 1
