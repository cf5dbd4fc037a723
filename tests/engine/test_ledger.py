"""The ledger file, transactions, blocks and the index storage."""

from __future__ import annotations

import datetime
import sqlite3
from decimal import Decimal

import pytest

from ledger_desktop.engine import storage
from ledger_desktop.engine.blocks import EMPTY_DATA_HASH, check_block
from ledger_desktop.engine.errors import (
    ConflictError,
    InvalidOperationError,
    LimitExceededError,
    NewerSchemaError,
    NotALedgerError,
    ReadOnlyError,
    TableExistsError,
    UserError,
)
from ledger_desktop.engine.ion_hash import dot, ion_hash, merkle_root, statement_hash
from ledger_desktop.engine.ion_values import loads
from ledger_desktop.engine.ledger import Ledger


@pytest.fixture
def ledger(tmp_path):
    with Ledger.create(tmp_path / "t.ledger") as led:
        yield led


def _table(ledger: Ledger, name: str) -> str:
    with ledger.transaction() as tx:
        return tx.create_table(name, tx.begin_statement(f"CREATE TABLE {name}"))


def _insert(ledger: Ledger, table_id: str, doc: dict) -> str:
    with ledger.transaction() as tx:
        stmt = tx.begin_statement("INSERT INTO T ?", [doc])
        return tx.insert(table_id, loads(_ion_text(doc)), stmt)


def _ion_text(doc: dict) -> bytes:
    from ledger_desktop.engine.ion_values import dumps_binary

    return dumps_binary(doc)


def test_create_writes_a_verifiable_genesis_block(ledger):
    assert ledger.block_count() == 1
    block = ledger.block(0)
    assert bytes(block["previousBlockHash"]) == b""
    assert bytes(block["blockHash"]) == bytes(block["entriesHash"])
    assert check_block(block) == []
    assert ledger.digest().digest == bytes(block["blockHash"])
    assert len(ledger.strand_id) == 22


def test_create_refuses_to_overwrite(tmp_path):
    p = tmp_path / "x.ledger"
    p.write_bytes(b"keep me")
    with pytest.raises(UserError, match="refusing to overwrite"):
        Ledger.create(p)
    assert p.read_bytes() == b"keep me"


def test_each_commit_writes_one_block_with_qldb_fields(ledger):
    tid = _table(ledger, "Person")
    doc_id = _insert(ledger, tid, {"name": "Ann", "n": Decimal("90.250")})
    assert ledger.block_count() == 3
    block = ledger.block(2)
    assert [str(k) for k in block] == [
        "blockAddress", "transactionId", "blockTimestamp", "blockHash", "entriesHash",
        "previousBlockHash", "entriesHashList", "transactionInfo", "revisions"]
    assert bytes(block["previousBlockHash"]) == bytes(ledger.block(1)["blockHash"])
    assert bytes(block["blockHash"]) == dot(bytes(block["entriesHash"]),
                                            bytes(block["previousBlockHash"]))
    assert bytes(block["entriesHash"]) == merkle_root([bytes(h) for h in
                                                       block["entriesHashList"]])
    info = block["transactionInfo"]
    assert str(info["statements"][0]["statement"]) == "INSERT INTO T ?"
    assert str(info["documents"][doc_id]["tableName"]) == "Person"
    assert list(info["documents"][doc_id]["statements"]) == [0]
    assert ion_hash(info) in [bytes(h) for h in block["entriesHashList"]]
    rev = block["revisions"][0]
    assert str(rev["metadata"]["id"]) == doc_id
    assert rev["metadata"]["version"] == 0
    assert str(rev["metadata"]["txId"]) == str(block["transactionId"])
    assert bytes(rev["hash"]) == dot(ion_hash(rev["metadata"]), ion_hash(rev["data"]))
    assert str(rev["data"]["n"]) == "90.250"  # decimal scale kept
    assert check_block(block, own_layout=True) == []


def test_parameterised_statement_digest_folds_parameter_hashes(ledger):
    tid = _table(ledger, "T")
    doc = {"a": 1}
    _insert(ledger, tid, doc)
    st = ledger.block(2)["transactionInfo"]["statements"][0]
    assert bytes(st["statementDigest"]) == statement_hash("INSERT INTO T ?", [doc])
    assert bytes(st["statementDigest"]) != ion_hash("INSERT INTO T ?")


def test_update_delete_versions_and_deleted_revision(ledger):
    tid = _table(ledger, "T")
    doc_id = _insert(ledger, tid, {"v": 1})
    with ledger.transaction() as tx:
        tx.update(doc_id, loads("{v: 2}"), tx.begin_statement("UPDATE T SET v = 2"))
    with ledger.transaction() as tx:
        tx.delete(doc_id, tx.begin_statement("DELETE FROM T"))
    hist = ledger.document_history(doc_id)
    assert [h.version for h in hist] == [0, 1, 2]
    assert [h.kind for h in hist] == ["data", "data", "deleted"]
    assert ledger.document(doc_id) is None
    deleted = ledger.block(hist[2].address.seq)["revisions"][0]
    assert "data" not in deleted and "dataHash" not in deleted
    assert bytes(deleted["hash"]) == dot(ion_hash(deleted["metadata"]), EMPTY_DATA_HASH)
    with ledger.transaction() as tx, pytest.raises(UserError):
        tx.update(doc_id, loads("{v: 3}"), tx.begin_statement("UPDATE T SET v = 3"))
    assert ledger.verify().ok


def test_redaction_replaces_data_and_changes_no_hash(ledger):
    tid = _table(ledger, "T")
    doc_id = _insert(ledger, tid, {"secret": "x"})
    with ledger.transaction() as tx:
        tx.update(doc_id, loads("{secret: y}"), tx.begin_statement("UPDATE T SET secret = 'y'"))
    first = ledger.document_history(doc_id)[0]
    digest_before = ledger.digest_at(first.address.seq + 1).digest
    block_before = ledger.block(first.address.seq)
    with ledger.transaction() as tx:
        # the latest revision cannot be redacted
        latest = ledger.document_history(doc_id)[1]
        with pytest.raises(InvalidOperationError):
            tx.redact_revision(latest.address, tid, doc_id, tx.begin_statement("EXEC x"))
    with ledger.transaction() as tx:
        info = tx.redact_revision(first.address, tid, doc_id,
                                  tx.begin_statement("EXEC REDACT_REVISION ?"))
    assert info["version"] == 0
    block_after = ledger.block(first.address.seq)
    rev = block_after["revisions"][0]
    assert "data" not in rev
    assert bytes(rev["dataHash"]) == ion_hash(block_before["revisions"][0]["data"])
    assert bytes(rev["hash"]) == bytes(block_before["revisions"][0]["hash"])
    assert bytes(block_after["blockHash"]) == bytes(block_before["blockHash"])
    assert ledger.digest_at(first.address.seq + 1).digest == digest_before
    assert "redactionInfo" in ledger.block(ledger.block_count() - 1)
    assert ledger.document_history(doc_id)[0].kind == "redacted"
    assert ledger.verify().ok


def test_index_storage_can_be_rebuilt_from_the_journal(ledger):
    tid = _table(ledger, "T")
    with ledger.transaction() as tx:
        tx.create_index(tid, "k", tx.begin_statement("CREATE INDEX ON T (k)"))
    ids = [_insert(ledger, tid, {"k": i % 3, "i": i}) for i in range(10)]
    with ledger.transaction() as tx:
        tx.delete(ids[0], tx.begin_statement("DELETE"))

    def snapshot():
        c = ledger._conn
        return [c.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
                for t in ("tables_", "indexes", "index_entries")] + [
            c.execute("SELECT doc_id, table_id, version, seq, idx, data FROM documents "
                      "ORDER BY doc_id").fetchall()]

    before = snapshot()
    ledger.rebuild_index_storage()
    assert snapshot() == before
    assert ledger.verify().ok


def test_index_lookup_does_not_scan(ledger):
    tid = _table(ledger, "T")
    with ledger.transaction() as tx:
        tx.create_index(tid, "k", tx.begin_statement("CREATE INDEX ON T (k)"))
    for n in (10, 200):
        with ledger.transaction() as tx:
            stmt = tx.begin_statement("INSERT INTO T ?")
            for i in range(n):
                tx.insert(tid, loads(f"{{k: {i}, batch: {n}}}"), stmt)
        with ledger.transaction() as tx:
            tx.begin_statement("SELECT * FROM T WHERE k = 5")
            docs = tx.lookup(tid, "k", 5)
            assert len(docs) == 2 if n == 200 else len(docs) == 1
            examined = tx.stats.documents_examined
        assert examined == len(docs)
    with ledger.transaction() as tx:
        tx.begin_statement("SELECT")
        assert len(tx.lookup(tid, "k", Decimal("5.0"))) == 2  # 5 = 5.0


def test_occ_conflict_and_retrying_helper(tmp_path):
    path = tmp_path / "occ.ledger"
    a = Ledger.create(path)
    b = Ledger.open(path)
    tid = _table(a, "T")
    doc_id = _insert(a, tid, {"n": 0})
    tx1, tx2 = a.begin(), b.begin()
    for tx in (tx1, tx2):
        d = tx.get(doc_id)
        tx.update(doc_id, loads(f"{{n: {d.data['n'] + 1}}}"), tx.begin_statement("UPDATE"))
    tx1.commit()
    with pytest.raises(ConflictError):
        tx2.commit()

    calls = []

    def increment(tx):
        calls.append(1)
        d = tx.get(doc_id)
        if len(calls) == 1:  # a concurrent writer commits in between
            with a.transaction() as other:
                o = other.get(doc_id)
                other.update(doc_id, loads(f"{{n: {o.data['n'] + 1}}}"),
                             other.begin_statement("UPDATE"))
        tx.update(doc_id, loads(f"{{n: {d.data['n'] + 1}}}"), tx.begin_statement("UPDATE"))

    b.execute_lambda(increment)
    assert len(calls) == 2
    assert a.document(doc_id).data["n"] == 3
    assert a.verify().ok
    a.close()
    b.close()


def test_scan_conflicts_with_concurrent_insert(tmp_path):
    path = tmp_path / "scan.ledger"
    a = Ledger.create(path)
    b = Ledger.open(path)
    tid = _table(a, "T")
    tx = b.begin()
    tx.begin_statement("SELECT * FROM T")
    list(tx.scan(tid))
    _insert(a, tid, {"x": 1})
    with pytest.raises(ConflictError):
        tx.commit()
    a.close()
    b.close()


def test_table_rules(ledger):
    _table(ledger, "T")
    with pytest.raises(TableExistsError), ledger.transaction() as tx:
        tx.create_table("T", tx.begin_statement("CREATE TABLE T"))
    with pytest.raises(UserError), ledger.transaction() as tx:
        tx.create_table("1bad", tx.begin_statement("CREATE TABLE 1bad"))
    with pytest.raises(UserError), ledger.transaction() as tx:
        tx.create_table("_ql_x", tx.begin_statement("CREATE TABLE _ql_x"))


def test_strict_limits(tmp_path):
    with Ledger.create(tmp_path / "s.ledger", strict=True) as led:
        tid = _table(led, "T")
        with pytest.raises(LimitExceededError, match="40"), led.transaction() as tx:
            stmt = tx.begin_statement("INSERT INTO T ?")
            for i in range(41):
                tx.insert(tid, loads(f"{{i: {i}}}"), stmt)
        with pytest.raises(LimitExceededError), led.transaction() as tx:
            tx.insert(tid, loads(_ion_text({"s": "x" * 140_000})), tx.begin_statement("INSERT"))
        for f in "abcde":
            with led.transaction() as tx:
                tx.create_index(tid, f, tx.begin_statement(f"CREATE INDEX ON T ({f})"))
        with pytest.raises(LimitExceededError), led.transaction() as tx:
            tx.create_index(tid, "f", tx.begin_statement("CREATE INDEX ON T (f)"))
        assert led.block_count() == 7  # nothing written by the refused transactions
        assert led.verify().ok


def test_atomic_rolls_back_every_block(ledger):
    tid = _table(ledger, "T")
    n = ledger.block_count()
    with pytest.raises(RuntimeError), ledger.atomic():
        for i in range(3):
            _insert(ledger, tid, {"i": i})
        raise RuntimeError("bad record")
    assert ledger.block_count() == n
    assert ledger.count_documents(tid) == 0
    with ledger.atomic():
        for i in range(3):
            _insert(ledger, tid, {"i": i})
    assert ledger.block_count() == n + 3
    assert ledger.verify().ok


def test_files_that_are_not_ledgers_are_refused(tmp_path):
    empty = tmp_path / "empty.ledger"
    empty.write_bytes(b"")
    with pytest.raises(NotALedgerError, match="empty"):
        Ledger.open(empty)
    text = tmp_path / "t.ledger"
    text.write_text("hello")
    with pytest.raises(NotALedgerError, match="not an SQLite"):
        Ledger.open(text)
    other = tmp_path / "other.db"
    c = sqlite3.connect(other)
    c.execute("CREATE TABLE x (a)")
    c.commit()
    c.close()
    before = other.read_bytes()
    with pytest.raises(NotALedgerError, match="not a ledger"):
        Ledger.open(other)
    assert other.read_bytes() == before


def test_newer_schema_is_refused(tmp_path):
    p = tmp_path / "new.ledger"
    Ledger.create(p).close()
    c = sqlite3.connect(p)
    c.execute(f"PRAGMA user_version={storage.SCHEMA_VERSION + 1}")
    c.commit()
    c.close()
    with pytest.raises(NewerSchemaError, match="newer"):
        Ledger.open(p)


def test_read_only_ledger_refuses_writes(tmp_path):
    p = tmp_path / "ro.ledger"
    Ledger.create(p).close()
    with Ledger.open(p, read_only=True) as led:
        with pytest.raises(ReadOnlyError):
            led.begin()
        # "nothing can be written" misled for a SELECT: say why statements need a writer
        with pytest.raises(ReadOnlyError, match="SELECT included, is recorded in the journal"):
            led.execute("SELECT * FROM information_schema.user_tables")
        assert led.verify().ok


def test_block_times_never_go_backwards(ledger):
    tid = _table(ledger, "T")
    for i in range(5):
        _insert(ledger, tid, {"i": i})
    times = [ledger.block(s)["blockTimestamp"] for s in range(ledger.block_count())]
    assert times == sorted(times)


def test_get_with_its_table_reads_one_row_and_respects_the_table(tmp_path):
    """A lookup by id with the table known reads the current document by its key alone; with
    another table it finds nothing; without a table it finds the table through the journal."""
    with Ledger.create(tmp_path / "g.ledger") as led:
        with led.transaction() as tx:
            a = tx.create_table("A", tx.begin_statement("CREATE TABLE A"))
            b = tx.create_table("B", tx.begin_statement("CREATE TABLE B"))
        with led.transaction() as tx:
            doc_id = tx.insert(a, {"x": 1}, tx.begin_statement("INSERT INTO A ?"))
        seen: list[str] = []
        led._conn.set_trace_callback(seen.append)
        with led.transaction() as tx:
            doc = tx.get(doc_id, a)
            assert doc is not None and doc.data["x"] == 1 and doc.table_id == a
            reads = [s for s in seen if s.startswith("SELECT")]
            assert len(reads) == 1 and "revisions" not in reads[0]
            assert tx.get(doc_id, b) is None
            assert tx.get(doc_id).table_id == a
            tx.abort()
        led._conn.set_trace_callback(None)


# 0001-01-01T00:00+05:30 is valid Ion text, but its UTC instant lies before year 1, and Ion
# binary (what is stored and hashed) holds the UTC instant: amazon.ion refuses to write it.
_BEFORE_YEAR_1 = "0001-01-01T00:00+05:30"


@pytest.mark.parametrize("how", ["literal", "parameter", "filter parameter"])
def test_a_timestamp_ion_binary_cannot_hold_is_a_clear_error(ledger, how):
    ledger.execute("CREATE TABLE Odd")
    before = (ledger.digest().digest, ledger.block_count())
    with pytest.raises(UserError) as e:
        if how == "literal":
            ledger.execute(f"INSERT INTO Odd `{{a: {_BEFORE_YEAR_1}}}`")
        elif how == "parameter":
            ledger.execute("INSERT INTO Odd ?", loads(f"{{a: {_BEFORE_YEAR_1}}}"))
        else:  # written nowhere, but hashed into the statement digest
            ledger.execute("DELETE FROM Odd WHERE a = ?", loads(_BEFORE_YEAR_1))
    assert "Ion" in str(e.value)
    assert (ledger.digest().digest, ledger.block_count()) == before
    assert ledger.verify().ok
    ledger.execute("INSERT INTO Odd `{a: 2026-01-01T00:00+05:30}`")  # still takes commits
    assert ledger.verify().ok


@pytest.mark.parametrize("how", ["literal", "parameter", "update"])
@pytest.mark.parametrize("value", ["1d6145", "-1d-6177"])
def test_a_decimal_amazon_ion_cannot_read_back_is_kept_exactly(ledger, how, value):
    """amazon.ion's C writer writes these decimals but cannot read them: stored, they made
    every query of the table fail (IERR_NUMERIC_OVERFLOW), so they were refused. Its Python
    reader and writer keep them exactly, and reads of the table fall back to it
    (docs/reliability.md 91)."""
    ledger.execute("CREATE TABLE Odd")
    ledger.execute("INSERT INTO Odd `{a: 1, big: 1d6144}`")
    if how == "literal":
        ledger.execute(f"INSERT INTO Odd `{{a: {value}}}`")
    elif how == "parameter":
        ledger.execute("INSERT INTO Odd ?", loads(f"{{a: {value}}}"))
    else:
        ledger.execute(f"UPDATE Odd SET a = `{value}`")
    rows = list(ledger.execute("SELECT * FROM Odd"))  # the table still reads
    assert sorted(str(r["a"]) for r in rows) == sorted(
        ["1", str(loads(value))] if how != "update" else [str(loads(value))])
    assert ledger.verify().ok


class _NotIon:
    pass


@pytest.mark.parametrize("value, says, hashed", [
    ({1, 2}, "a Python set has no Ion type", False),
    (datetime.date(2020, 1, 1), "a Python date has no Ion type", False),
    ([1, _NotIon()], "a Python _NotIon has no Ion type", False),
    (bytearray(b"ab"), "a Python bytearray has no Ion type", True),
    ({1: "a"}, "a field name must be text, not int", True),
])
def test_python_values_with_no_ion_type_are_clear_errors(ledger, value, says, hashed):
    """Through the Python API: amazon.ion only says "Cannot dump arbitrary object types" (a
    TypeError) for these; statements, transactions and statement parameters name the value.
    (A parameter that is only hashed, never stored, is hashed leniently where the hasher can:
    a bytearray as a blob, an int field name as its text.)"""
    ledger.execute("CREATE TABLE Odd")
    tid = ledger.table("Odd").table_id
    before = (ledger.digest().digest, ledger.block_count())
    with pytest.raises(UserError, match=says):
        ledger.execute("INSERT INTO Odd ?", {"v": value})
    with pytest.raises(UserError, match=says), ledger.transaction() as tx:
        tx.insert(tid, {"v": value}, tx.begin_statement("INSERT INTO Odd ?", [{"v": 1}]))
    assert (ledger.digest().digest, ledger.block_count()) == before
    if not hashed:
        with pytest.raises(UserError, match=says):
            ledger.execute("DELETE FROM Odd WHERE v = ?", {"v": value})  # hashed, not stored
        assert (ledger.digest().digest, ledger.block_count()) == before
    assert ledger.verify().ok
