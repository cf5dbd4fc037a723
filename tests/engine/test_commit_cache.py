"""The state commits keep between transactions (commit_cache) is never stale: whatever changed
the file, the next commit extends the real tip and sees the current catalog and settings."""

from __future__ import annotations

import pytest

from ledger_desktop.engine.errors import LimitExceededError, TableNotFoundError
from ledger_desktop.engine.ion_values import loads
from ledger_desktop.engine.ledger import Ledger


def _insert(led: Ledger, table: str, text: str = "{a: 1}") -> int:
    with led.transaction() as tx:
        tx.insert(tx.table(table).table_id, loads(text), tx.begin_statement(f"INSERT INTO {table} ?"))
    return tx.block_address.seq


@pytest.fixture
def two(tmp_path):
    a = Ledger.create(tmp_path / "l.ledger")
    a.execute("CREATE TABLE T")
    b = Ledger.open(tmp_path / "l.ledger")
    yield a, b
    a.close()
    b.close()


def test_commits_from_two_connections_interleave_without_forking(two) -> None:
    a, b = two
    seqs = []
    for i in range(6):
        seqs.append(_insert(a if i % 2 else b, "T"))
        seqs.append(_insert(a, "T"))
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    assert a.verify().ok and b.verify().ok
    assert a.digest().digest == b.digest().digest


def test_a_table_dropped_elsewhere_is_not_written_through_a_stale_definition(two) -> None:
    a, b = two
    _insert(a, "T")  # a now holds T's definition
    tid = a.table("T").table_id
    b.execute("DROP TABLE T")
    with pytest.raises(TableNotFoundError), a.transaction() as tx:
        tx.insert(tid, loads("{a: 2}"), tx.begin_statement("INSERT INTO T ?"))


def test_an_index_created_elsewhere_gets_this_connections_entries(two) -> None:
    a, b = two
    _insert(a, "T", "{k: 0}")
    b.execute("CREATE INDEX ON T (k)")
    _insert(a, "T", "{k: 7}")
    assert len(b.execute("SELECT * FROM T WHERE k = 7")) == 1
    assert len(a.execute("SELECT * FROM T WHERE k = 7")) == 1
    assert a.verify().ok


def test_strict_mode_set_elsewhere_applies_to_the_next_transaction(two) -> None:
    a, b = two
    _insert(a, "T")
    b.set_strict(True)
    with pytest.raises(LimitExceededError), a.transaction() as tx:
        tid = tx.table("T").table_id
        stmt = tx.begin_statement("INSERT INTO T ?")
        for _ in range(41):  # QLDB: at most 40 documents per transaction
            tx.insert(tid, loads("{a: 1}"), stmt)


def test_strict_mode_set_on_this_connection_applies_too(tmp_path) -> None:
    led = Ledger.create(tmp_path / "l.ledger")
    led.execute("CREATE TABLE T")
    _insert(led, "T")
    led.set_strict(True)
    with pytest.raises(LimitExceededError), led.transaction() as tx:
        tid = tx.table("T").table_id
        stmt = tx.begin_statement("INSERT INTO T ?")
        for _ in range(41):
            tx.insert(tid, loads("{a: 1}"), stmt)


def test_a_rolled_back_atomic_block_leaves_no_trace_in_the_next_commit(tmp_path) -> None:
    led = Ledger.create(tmp_path / "l.ledger")
    led.execute("CREATE TABLE T")
    before = _insert(led, "T")
    with pytest.raises(RuntimeError), led.atomic():
        _insert(led, "T")
        _insert(led, "T")
        raise RuntimeError("abandon")
    assert _insert(led, "T") == before + 1
    assert led.verify().ok


def test_a_foreign_block_appended_on_this_connection_is_the_next_commits_parent(
        tmp_path) -> None:
    src = Ledger.create(tmp_path / "src.ledger")
    src.execute("CREATE TABLE T")
    for _ in range(3):
        _insert(src, "T")
    dst = Ledger.create_imported(tmp_path / "dst.ledger", src.strand_id)
    dst.append_foreign_block(src.block(0))
    with dst.transaction() as tx:  # a read: the cache now holds block 0 as the tip
        tx.tables()
    for seq in range(1, src.block_count()):
        dst.append_foreign_block(src.block(seq))
    dst.execute("CREATE TABLE U")
    _insert(dst, "U")
    assert dst.verify().ok
    assert dst.block_count() == src.block_count() + 2


def test_a_warm_single_document_commit_reads_nothing_back(tmp_path) -> None:
    """The complexity check behind the single-commit figure: with the cache warm, a commit is
    its writes plus two `PRAGMA data_version` checks; no query of the tip, frontier, catalog or
    settings."""
    led = Ledger.create(tmp_path / "l.ledger")
    led.execute("CREATE TABLE T")
    tid = led.table("T").table_id
    _insert(led, "T")
    seen: list[str] = []
    led._conn.set_trace_callback(seen.append)
    with led.transaction() as tx:
        tx.insert(tid, loads("{a: 2}"), tx.begin_statement("INSERT INTO T ?"))
    led._conn.set_trace_callback(None)
    reads = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    assert reads == []
    assert sum("data_version" in s for s in seen) == 2
    assert led.verify().ok
