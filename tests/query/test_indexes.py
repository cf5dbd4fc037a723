"""Indexes in queries: equality and IN on an indexed field or the document id examine only the
matching documents, however large the table (the counts are asserted, not times)."""

from __future__ import annotations

import shutil

import pytest

from ledger_desktop.engine.ion_values import dumps_text
from ledger_desktop.engine.ledger import Ledger


def fill(ledger, table: str, n: int, start: int = 0) -> None:
    with ledger.transaction() as tx:
        stmt = tx.begin_statement(f"INSERT INTO {table} ?")
        tid = tx.table(table).table_id
        for i in range(start, start + n):
            tx.insert(tid, {"k": i, "name": f"n{i}", "grp": i % 10}, stmt)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("ix") / "two.ledger"
    with Ledger.create(path) as ledger:
        for name, n in (("Small", 100), ("Big", 3000)):
            ledger.execute(f"CREATE TABLE {name}")
            fill(ledger, name, n)
            ledger.execute(f"CREATE INDEX ON {name} (k)")  # built over existing documents
    return path


@pytest.fixture
def two_sizes(built, tmp_path):
    copy = tmp_path / "two.ledger"
    shutil.copy(built, copy)
    with Ledger.open(copy) as ledger:
        yield ledger


@pytest.mark.parametrize("table", ["Small", "Big"])
def test_equality_and_in_examine_only_matches(two_sizes, table):
    led = two_sizes
    r = led.execute(f"SELECT * FROM {table} WHERE k = ?", 42)
    assert [d["name"] for d in r.values] == ["n42"]
    assert r.documents_examined == 1
    r = led.execute(f"SELECT t.name FROM {table} AS t WHERE t.k IN (1, 2, 3, 99999)")
    assert sorted(d["name"] for d in r.values) == ["n1", "n2", "n3"]
    assert r.documents_examined == 3
    r = led.execute(f"SELECT t.name FROM {table} AS t WHERE t.k IN ? AND t.grp = 1", [1, 2])
    assert [d["name"] for d in r.values] == ["n1"] and r.documents_examined == 2
    # numbers are equal across int, decimal and float, in the index as in a scan
    assert led.execute(f"SELECT VALUE t.name FROM {table} t WHERE t.k = 7.0").values == ["n7"]
    assert led.execute(f"SELECT VALUE t.name FROM {table} t WHERE t.k = 7e0").values == ["n7"]


@pytest.mark.parametrize("table", ["Small", "Big"])
def test_document_id_lookup(two_sizes, table):
    led = two_sizes
    doc_id = led.execute(f"SELECT VALUE id FROM {table} AS t BY id WHERE t.k = 5").values[0]
    r = led.execute(f"SELECT t.k FROM {table} AS t BY id WHERE id = ?", doc_id)
    assert [d["k"] for d in r.values] == [5] and r.documents_examined == 1
    other = "Big" if table == "Small" else "Small"
    assert led.execute(f"SELECT * FROM {other} AS t BY id WHERE id = ?", doc_id).values == []
    plan = led.execute(f"EXPLAIN SELECT * FROM {table} AS t BY id WHERE id = ?", doc_id).plan
    assert "document-id lookup" in plan[0]


def test_without_index_it_is_a_full_scan(two_sizes):
    r = two_sizes.execute("SELECT * FROM Big WHERE name = 'n42'")
    assert len(r.values) == 1 and r.documents_examined == 3000
    assert "full scan of table Big" in two_sizes.execute(
        "EXPLAIN SELECT * FROM Big WHERE name = 'n42'").plan[0]
    assert "index lookup on Big.k" in two_sizes.execute(
        "EXPLAIN SELECT * FROM Big WHERE k = 1 AND name = 'x'").plan[0]


def test_index_nested_loop_join(two_sizes):
    r = two_sizes.execute("SELECT s.k, b.name FROM Small s INNER JOIN Big b ON b.k = s.k "
                          "WHERE s.grp = 3")
    assert len(r.values) == 10
    assert r.documents_examined == 100 + 10  # scan Small, one index probe hit per row
    plan = two_sizes.execute("EXPLAIN SELECT * FROM Small s, Big b WHERE b.k = s.k").plan
    assert "index lookup on Big.k" in plan[1]


def test_dml_uses_the_index(two_sizes):
    r = two_sizes.execute("UPDATE Big AS b SET b.name = 'renamed' WHERE b.k = 10")
    assert len(r.values) == 1 and r.documents_examined <= 2
    r = two_sizes.execute("DELETE FROM Big AS b WHERE b.k IN (11, 12)")
    assert len(r.values) == 2 and r.documents_examined <= 4


def test_indexes_follow_every_write(ledger):
    ledger.execute("CREATE TABLE T")
    ledger.execute("CREATE INDEX ON T (k)")
    ledger.execute("INSERT INTO T << {'k': 'a'}, {'k': 'b'} >>")
    ledger.execute("UPDATE T SET k = 'c' WHERE k = 'a'")
    assert ledger.execute("SELECT * FROM T WHERE k = 'a'").values == []
    assert [dumps_text(v) for v in ledger.execute("SELECT * FROM T WHERE k = 'c'").values] == \
        ['{k:"c"}']
    ledger.execute("DELETE FROM T WHERE k = 'b'")
    assert ledger.execute("SELECT * FROM T WHERE k = 'b'").values == []
    # the transaction's own writes are visible to its index lookups
    with ledger.transaction() as tx:
        tx.execute("INSERT INTO T VALUE {'k': 'd'}")
        assert len(tx.execute("SELECT * FROM T WHERE k = 'd'").values) == 1
        tx.execute("UPDATE T SET k = 'e' WHERE k = 'd'")
        assert tx.execute("SELECT * FROM T WHERE k = 'd'").values == []
    assert len(ledger.execute("SELECT * FROM T WHERE k = 'e'").values) == 1


def test_history_of_one_document_reads_only_its_revisions(two_sizes):
    led = two_sizes
    doc_id = led.execute("SELECT VALUE id FROM Big AS b BY id WHERE b.k = 3").values[0]
    for i in range(3):
        led.execute("UPDATE Big AS b SET b.v = ? WHERE b.k = 3", i)
    r = led.execute("SELECT h.metadata.version AS ver FROM history(Big) AS h "
                    "WHERE h.metadata.id = ?", doc_id)
    assert sorted(x["ver"] for x in r.values) == [0, 1, 2, 3]
    assert r.documents_examined == 4  # not the table's 3,000-revision history
    plan = led.execute("EXPLAIN SELECT * FROM history(Big) AS h WHERE h.metadata.id = ?",
                       doc_id).plan
    assert "history of the documents given by metadata.id" in plan[0]
    # without the id the whole history is read
    assert led.execute("SELECT COUNT(*) AS n FROM history(Big) AS h").documents_examined == 3003


def test_in_subquery_gives_index_keys_when_uncorrelated(two_sizes):
    led = two_sizes
    r = led.execute("SELECT VALUE b.name FROM Big AS b WHERE b.k IN "
                    "(SELECT s.k FROM Small AS s WHERE s.k < 3)")
    assert sorted(r.values) == ["n0", "n1", "n2"]
    assert r.documents_examined == 100 + 3  # the sub-query scans Small; Big uses its index
    plan = led.execute("EXPLAIN SELECT * FROM Big AS b WHERE b.k IN "
                       "(SELECT VALUE s.k FROM Small AS s)").plan
    assert any("index lookup on Big.k" in line for line in plan)
    # a correlated sub-query depends on the row: no index keys from it
    plan = led.execute("EXPLAIN SELECT * FROM Big AS b WHERE b.k IN "
                       "(SELECT VALUE s.k FROM Small AS s WHERE s.grp = b.grp)").plan
    assert plan[0].startswith("b: full scan")
    ids = led.execute("SELECT VALUE id FROM Big AS b BY id WHERE b.k IN (1, 2)").values
    r = led.execute("SELECT h.data.k FROM history(Big) AS h WHERE h.metadata.id IN "
                    "(SELECT VALUE id FROM Big AS b BY id WHERE b.k IN (1, 2))")
    assert sorted(x["k"] for x in r.values) == [1, 2] and len(ids) == 2
    assert r.documents_examined == 2 + 2


def test_an_index_created_in_the_transaction_is_not_read_until_it_commits(ledger) -> None:
    """The planner chose the new index, whose entries are only built at commit: "table 'Q'
    has no index on 'a'", and the error ended the transaction and lost all of it."""
    ledger.execute("CREATE TABLE Q")
    ledger.execute("INSERT INTO Q VALUE {'a': 1}")
    with ledger.transaction() as tx:
        tx.execute("CREATE INDEX ON Q (a)")
        assert len(list(tx.execute("SELECT * FROM Q WHERE a = 1"))) == 1
        tx.execute("INSERT INTO Q VALUE {'a': 1}")
        assert len(list(tx.execute("SELECT * FROM Q WHERE a = 1"))) == 2
        tx.execute("UPDATE Q SET b = 2 WHERE a = 1")
    tx = ledger.begin()
    assert "index lookup" in tx.execute("EXPLAIN SELECT * FROM Q WHERE a = 1").values[0]
    assert [int(r["b"]) for r in tx.execute("SELECT * FROM Q WHERE a = 1")] == [2, 2]
    tx.abort()
    assert ledger.verify().ok
