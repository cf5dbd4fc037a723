"""Statements against real ledgers: DDL, DML results, journaling of every statement,
multi-statement transactions, atomicity of failed statements, conflicts."""

from __future__ import annotations

import pytest

from ledger_desktop.engine.errors import (
    ConflictError,
    QueryError,
    TableNotFoundError,
    UserError,
)
from ledger_desktop.engine.ion_values import dumps_text
from ledger_desktop.engine.ledger import Ledger


def last_statements(ledger: Ledger) -> list[str]:
    block = ledger.block(ledger.block_count() - 1)
    return [str(s["statement"]) for s in block["transactionInfo"]["statements"]]


def test_ddl_returns_table_ids_and_catalog(ledger):
    tid = ledger.execute("CREATE TABLE Person WITH (aws_tags = `{'team': 'dmv'}`)").values[0]
    table_id = str(tid["tableId"])
    assert len(table_id) == 22
    assert ledger.execute("CREATE INDEX ON Person (GovId)").values[0]["tableId"] == table_id
    rows = ledger.execute("SELECT * FROM information_schema.user_tables "
                          "WHERE name = 'Person'").values
    assert rows[0]["status"] == "ACTIVE" and rows[0]["indexes"][0]["expr"] == "[GovId]"
    index_id = str(rows[0]["indexes"][0]["indexId"])
    with pytest.raises(QueryError, match="purge = true"):
        ledger.execute(f'DROP INDEX "{index_id}" ON Person')
    ledger.execute(f'DROP INDEX "{index_id}" ON Person WITH (purge = true)')
    assert ledger.tables()[0].indexes == ()
    assert ledger.execute("DROP TABLE Person").values[0]["tableId"] == table_id
    with pytest.raises(TableNotFoundError, match="line 1, column 15"):
        ledger.execute("SELECT * FROM Person")
    rows = ledger.execute("SELECT VALUE t.status FROM information_schema.user_tables t").values
    assert rows == ["INACTIVE"]
    ledger.execute(f'UNDROP TABLE "{table_id}"')
    assert ledger.execute("SELECT * FROM Person").values == []
    with pytest.raises(QueryError, match="top-level field"):
        ledger.execute("CREATE INDEX ON Person (a.b)")


def test_dml_returns_document_ids(ledger):
    ledger.execute("CREATE TABLE T")
    ids = [str(v["documentId"]) for v in ledger.execute(
        "INSERT INTO T << {'k': 1}, {'k': 2}, {'k': 3} >>").values]
    assert len(ids) == 3 and all(len(i) == 22 for i in ids)
    upd = ledger.execute("UPDATE T AS t SET t.seen = true WHERE t.k >= 2").values
    assert sorted(str(v["documentId"]) for v in upd) == sorted(ids[1:])
    deleted = ledger.execute("DELETE FROM T AS t BY tid WHERE tid = ?", ids[0]).values
    assert [str(v["documentId"]) for v in deleted] == [ids[0]]
    assert sorted(dumps_text(v) for v in ledger.execute("SELECT * FROM T").values) == \
        ["{k:2,seen:true}", "{k:3,seen:true}"]
    assert ledger.execute("UPDATE T SET x = 1 WHERE k = 99").values == []


def test_update_forms(ledger):
    ledger.execute("CREATE TABLE R")
    ledger.execute("INSERT INTO R VALUE {'VIN': 'A', 'Owners': {'PrimaryOwner': {'PersonId': "
                   "'p0'}, 'SecondaryOwners': []}}")
    ledger.execute("FROM R AS r WHERE r.VIN = 'A' INSERT INTO r.Owners.SecondaryOwners "
                   "VALUE {'PersonId': 'p1'}")
    ledger.execute("UPDATE R AS r INSERT INTO r.Owners.SecondaryOwners VALUE {'PersonId': 'p2'} "
                   "AT 0 WHERE r.VIN = 'A'")
    ledger.execute("UPDATE R AS r SET r.Owners.PrimaryOwner.PersonId = 'p9', r.a.b.c = 1 "
                   "WHERE r.VIN = 'A'")
    ledger.execute("FROM R AS r WHERE r.VIN = 'A' SET r.Color = 'Blue'")
    ledger.execute("UPDATE R AS r INSERT INTO r VALUE 'x' AT 'Nick' WHERE r.VIN = 'A'")
    ledger.execute("UPDATE R REMOVE a WHERE VIN = 'A'")
    doc = ledger.execute("SELECT * FROM R").values[0]
    assert dumps_text(doc) == ('{VIN:"A",Owners:{PrimaryOwner:{PersonId:"p9"},SecondaryOwners:'
                               '[{PersonId:"p2"},{PersonId:"p1"}]},Color:"Blue",Nick:"x"}')
    ledger.execute("FROM R AS r, r.Owners.SecondaryOwners AS o AT i WHERE o.PersonId = 'p1' "
                   "REMOVE r.Owners.SecondaryOwners[i]")
    assert ledger.execute("SELECT VALUE r.Owners.SecondaryOwners[*].PersonId FROM R r"
                          ).values[0] == ["p2"]
    with pytest.raises(QueryError, match="already has a field"):
        ledger.execute("UPDATE R AS r INSERT INTO r VALUE 'y' AT 'Nick'")
    with pytest.raises(QueryError, match="does not exist"):
        ledger.execute("UPDATE R AS r INSERT INTO r.nothing VALUE 1")
    ledger.execute("UPDATE R AS r REMOVE r WHERE r.VIN = 'A'")
    assert ledger.execute("SELECT * FROM R").values == []


def test_setting_an_element_of_a_missing_list_says_so(ledger):
    """It said "cannot set element [0] of a struct": the missing field had been made a
    struct on the way, which the user never wrote."""
    ledger.execute("CREATE TABLE P")
    ledger.execute("INSERT INTO P {'n': 1}")
    with pytest.raises(QueryError, match=r"cannot set element \[0\] of field 'Tags': it does "
                                         "not exist"):
        ledger.execute("UPDATE P AS p SET p.Tags[0] = 'z'")
    ledger.execute("UPDATE P AS p SET p.Tags = ['a'], p.A.B = 1")  # whole values: created
    ledger.execute("UPDATE P AS p SET p.Tags[1] = 'b'")             # appending is fine
    assert dumps_text(ledger.execute("SELECT p.Tags, p.A FROM P p").values[0]) == \
        '{Tags:["a","b"],A:{B:1}}'


def test_history_and_committed_views(ledger):
    ledger.execute("CREATE TABLE T")
    doc_id = str(ledger.execute("INSERT INTO T VALUE {'v': 0}").values[0]["documentId"])
    for i in range(1, 4):
        ledger.execute("UPDATE T SET v = ? WHERE v = ?", i, i - 1)
    ledger.execute("DELETE FROM T")
    hist = ledger.execute("SELECT h.metadata.version AS ver, h.data.v AS v "
                          "FROM history(T) AS h WHERE h.metadata.id = ?", doc_id).values
    assert [dumps_text(x) for x in hist] == ["{ver:0,v:0}", "{ver:1,v:1}", "{ver:2,v:2}",
                                             "{ver:3,v:3}", "{ver:4}"]
    tid = ledger.tables()[0].table_id
    by_id = ledger.execute(f"SELECT COUNT(*) AS n FROM history('{tid}') AS h").values
    assert by_id[0]["n"] == 5
    ledger.execute("INSERT INTO T VALUE {'v': 10}")
    insert_seq = ledger.block_count() - 1
    committed = ledger.execute("SELECT c.data.v, c.metadata.version FROM _ql_committed_T c"
                               ).values
    assert [dumps_text(x) for x in committed] == ["{v:10,version:0}"]
    assert ledger.execute("SELECT c.blockAddress.sequenceNo FROM _ql_committed_T c"
                          ).values[0]["sequenceNo"] == insert_seq
    with pytest.raises(QueryError, match="timestamps"):
        ledger.execute("SELECT * FROM history(T, 5)")


def test_history_bounds_with_an_unknown_offset_are_utc(ledger):
    """Date-only bounds (`2019T`) and `-00:00` have no offset: comparing them with block
    times ended the statement in a TypeError traceback."""
    import datetime as dt

    ledger.execute("CREATE TABLE T")
    ledger.execute("INSERT INTO T VALUE {'v': 0}")
    ledger.execute("DELETE FROM T")
    count = "SELECT COUNT(*) AS n FROM history(T, {}) AS h"
    now = dt.datetime.now(dt.UTC)
    today = f"`{now:%Y-%m-%d}T`"  # the start of today, no offset: UTC
    assert ledger.execute(count.format(f"`2000T`, `{now:%Y-%m-%dT%H:%M:%S.%f}Z`")
                          ).values[0]["n"] == 2
    assert ledger.execute(count.format("`2000T`, `2001-01-01`")).values[0]["n"] == 0
    assert ledger.execute(count.format("`2000T`")).values[0]["n"] == 2
    assert ledger.execute(count.format(f"{today}")).values[0]["n"] == 2
    assert ledger.execute(count.format(f"`2000-01-01T00:00-00:00`, "
                                       f"`{now:%Y-%m-%dT%H:%M:%S.%f}-00:00`")).values[0]["n"] == 2
    with pytest.raises(QueryError, match="start is after its end"):
        ledger.execute(count.format(f"{today}, `2000-01-01T00:00Z`"))
    # the Python API, with naive datetimes
    with ledger.transaction() as tx:
        tid = tx.table("T").table_id
        assert len(list(tx.history(tid, dt.datetime(2000, 1, 1), dt.datetime(2999, 1, 1)))) == 2


def test_history_bounds_in_the_future_are_refused(ledger):
    """QLDB: start <= end <= the current UTC time (a start in the future, with the end
    defaulting to now, or an end in the future, were accepted and matched nothing)."""
    ledger.execute("CREATE TABLE T")
    for bounds, which in (("`2999T`", "start"), ("`2000T`, `2999T`", "end"),
                          ("`2999T`, `2999-06-01T`", "start")):
        with pytest.raises(QueryError, match=f"history\\(\\)'s {which} .* is in the future"):
            ledger.execute(f"SELECT * FROM history(T, {bounds}) AS h")


def test_by_applies_only_to_tables(ledger):
    """`FROM information_schema.user_tables BY x` was accepted and x silently unbound."""
    ledger.execute("CREATE TABLE T")
    with pytest.raises(QueryError, match="BY binds document ids of a table"):
        ledger.execute("SELECT * FROM information_schema.user_tables BY x WHERE x = 'a'")


def test_every_statement_is_journaled_reads_included(ledger):
    ledger.execute("CREATE TABLE T")
    assert last_statements(ledger) == ["CREATE TABLE T"]
    ledger.execute("SELECT * FROM T WHERE x = ?", 5)
    assert last_statements(ledger) == ["SELECT * FROM T WHERE x = ?"]
    with ledger.transaction() as tx:
        tx.execute("INSERT INTO T VALUE {'a': 1}")
        tx.execute("SELECT * FROM T")
        tx.execute("UPDATE T SET a = 2")
    assert last_statements(ledger) == ["INSERT INTO T VALUE {'a': 1}", "SELECT * FROM T",
                                       "UPDATE T SET a = 2"]
    assert ledger.execute("SELECT VALUE t.a FROM T t").values == [2]


def test_failed_statement_leaves_nothing_behind(ledger):
    ledger.execute("CREATE TABLE T")
    ledger.execute("INSERT INTO T << {'n': 1}, {'n': 'x'}, {'n': 3} >>")
    blocks = ledger.block_count()
    # the second document makes the arithmetic fail after the first was computed
    with pytest.raises(QueryError, match="cannot apply"):
        ledger.execute("UPDATE T AS t SET t.n = t.n + 1")
    assert ledger.block_count() == blocks
    assert sorted(dumps_text(v) for v in ledger.execute("SELECT VALUE t.n FROM T t").values) \
        == ['"x"', "1", "3"]
    # inside a transaction the failure aborts the whole transaction
    tx = ledger.begin()
    tx.execute("INSERT INTO T VALUE {'n': 4}")
    with pytest.raises(QueryError):
        tx.execute("UPDATE T AS t SET t.n = t.n * 2")
    assert tx.done
    assert ledger.execute("SELECT COUNT(*) AS c FROM T").values[0]["c"] == 3
    # a statement that does not parse changes nothing and keeps the transaction open
    with ledger.transaction() as tx:
        with pytest.raises(QueryError):
            tx.execute("INSERT INTO T VALUES {'n': 5}")
        assert not tx.done
        tx.execute("INSERT INTO T VALUE {'n': 5}")
    assert ledger.execute("SELECT COUNT(*) AS c FROM T").values[0]["c"] == 4


def test_parameters(ledger):
    ledger.execute("CREATE TABLE T")
    ledger.execute("INSERT INTO T ?", [{"a": 1}, {"a": 2}])
    ledger.execute("INSERT INTO T VALUE {'a': ?, 'b': ?}", 3, "x")
    assert ledger.execute("SELECT VALUE t.b FROM T t WHERE t.a = ?", 3).values == ["x"]
    with pytest.raises(QueryError, match="1 \\? parameter"):
        ledger.execute("SELECT * FROM T WHERE a = ?")
    with pytest.raises(QueryError, match="struct or a collection of structs"):
        ledger.execute("INSERT INTO T ?", 5)
    with pytest.raises(QueryError, match="must be a struct"):
        ledger.execute("INSERT INTO T ?", [1, 2])


def test_conflicting_transactions(ledger, tmp_path):
    ledger.execute("CREATE TABLE T")
    ledger.execute("INSERT INTO T VALUE {'k': 1, 'n': 0}")
    other = Ledger.open(ledger.path)
    try:
        a = ledger.begin()
        b = other.begin()
        a.execute("UPDATE T SET n = 1")
        b.execute("UPDATE T SET n = 2")
        a.commit()
        with pytest.raises(ConflictError):
            b.commit()
    finally:
        other.close()
    assert ledger.execute("SELECT VALUE t.n FROM T t").values == [1]

    def bump(tx):
        n = tx.execute("SELECT VALUE t.n FROM T t").values[0]
        tx.execute("UPDATE T SET n = ?", n + 1)
        return n + 1
    assert ledger.execute_lambda(bump) == 2


def test_redact_revision(ledger):
    ledger.execute("CREATE TABLE T")
    doc_id = str(ledger.execute("INSERT INTO T VALUE {'secret': 's'}").values[0]["documentId"])
    ledger.execute("UPDATE T SET secret = 'gone'")
    old = ledger.execute("SELECT h.blockAddress AS a, h.metadata.version AS v "
                         "FROM history(T) h WHERE h.metadata.id = ?", doc_id).values[0]
    tid = ledger.tables()[0].table_id
    addr = dumps_text(old["a"])
    out = ledger.execute(f"EXEC REDACT_REVISION `{addr}`, '{tid}', '{doc_id}'").values[0]
    assert out["version"] == 0 and str(out["documentId"]) == doc_id
    hist = ledger.execute("SELECT * FROM history(T) h WHERE h.metadata.id = ?", doc_id).values
    assert "data" not in hist[0] and "dataHash" in hist[0]
    with pytest.raises(QueryError, match="REDACT_REVISION"):
        ledger.execute("EXEC NOT_A_PROC 1")
    with pytest.raises(UserError):
        ledger.execute(f"EXEC REDACT_REVISION `{addr}`, '{tid}', '{doc_id}'")


def test_dml_through_nested_collections(ledger):
    ledger.execute("CREATE TABLE P")
    ledger.execute("INSERT INTO P VALUE {'id': 1, 'Addresses': [{'City': 'Seattle', 'Zip': 1}, "
                   "{'City': 'Kent', 'Zip': 2}, {'City': 'Seattle', 'Zip': 3}], "
                   "'Owners': {'Secondary': [{'Ids': ['a', 'b', 'c']}]}}")
    ledger.execute("FROM P AS p, @p.Addresses AS a WHERE a.City = 'Seattle' SET a.Zip = 98109")
    assert ledger.execute("SELECT VALUE a.Zip FROM P p, p.Addresses a").values == \
        [98109, 2, 98109]
    # several elements of one list removed by one statement: positions stay right
    r = ledger.execute("FROM P AS p, p.Addresses AS a WHERE a.City = 'Seattle' REMOVE a")
    assert len(r.values) == 1
    assert ledger.execute("SELECT VALUE a.City FROM P p, p.Addresses a").values == ["Kent"]
    # a collection nested in a nested collection, and AT positions
    ledger.execute("FROM P AS p, p.Owners.Secondary AS s, s.Ids AS i AT n WHERE i <> 'b' "
                   "REMOVE p.Owners.Secondary[0].Ids[n]")
    assert ledger.execute("SELECT VALUE p.Owners.Secondary[0].Ids FROM P p").values == [["b"]]
    ledger.execute("FROM P AS p, p.Owners.Secondary AS s WHERE TRUE SET s.Level = 2")
    assert ledger.execute("SELECT VALUE p.Owners.Secondary FROM P p").values[0] == \
        [{"Ids": ["b"], "Level": 2}]
    with pytest.raises(QueryError, match="nested collections"):
        ledger.execute("FROM P AS p, << {'x': 1} >> AS b SET b.x = 2")


@pytest.mark.parametrize("statement, expected", [
    ("FROM T AS t, t.o AS e WHERE e.x = 2 INSERT INTO t.o VALUE {'x':0} AT 0 REMOVE e",
     "[{x:0},{x:1},{x:3}]"),                                   # removed {x:1}
    ("FROM T AS t, t.o AS e WHERE e.x = 2 INSERT INTO t.o VALUE {'x':0} AT 0 SET e.tag = 'm'",
     '[{x:0},{x:1},{x:2,tag:"m"},{x:3}]'),                       # tagged {x:1}
    ("FROM T AS t, t.o AS e WHERE e.x >= 2 SET e.tag = e.x INSERT INTO t.o VALUE {'x':0} AT 0",
     "[{x:0},{x:0},{x:1},{x:2,tag:2},{x:3,tag:3}]"),
])
def test_an_insert_does_not_move_the_elements_other_operations_found(ledger, statement,
                                                                      expected):
    """Each row's element position is the document's as the statement found it; an INSERT …
    AT 0 applied in between shifted the list, and SET and REMOVE hit the wrong element."""
    from ledger_desktop.engine.ion_values import dumps_text

    ledger.execute("CREATE TABLE T")
    ledger.execute("INSERT INTO T {'o': [{'x': 1}, {'x': 2}, {'x': 3}]}")
    ledger.execute(statement)
    (o,) = ledger.execute("SELECT VALUE t.o FROM T AS t")
    assert dumps_text(o) == expected


def test_sql_current_functions_are_refused_not_read_as_fields(ledger):
    """`SELECT CURRENT_TIMESTAMP AS t FROM T` read a field named CURRENT_TIMESTAMP and quietly
    returned nothing; QLDB supports no SQL function outside its list."""
    ledger.execute("CREATE TABLE T")
    ledger.execute("INSERT INTO T VALUE {'CURRENT_DATE': 1}")
    for name in ("CURRENT_TIMESTAMP", "current_date", "CURRENT_USER"):
        with pytest.raises(QueryError, match="SQL function QLDB does not support; use UTCNOW"):
            ledger.execute(f"SELECT {name} AS t FROM T")
    assert ledger.execute("SELECT t.CURRENT_DATE AS d FROM T AS t").values[0]["d"] == 1


def test_a_quoted_sql_function_name_is_a_field(ledger):
    """`SELECT "current_user" FROM T` was refused with the SQL-function message; QLDB allows a
    reserved word as a name in double quotes."""
    ledger.execute("CREATE TABLE T")
    ledger.execute("INSERT INTO T VALUE {'current_user': 'ann'}")
    assert ledger.execute('SELECT "current_user" AS u FROM T').values[0]["u"] == "ann"
