"""QLDB-strict ledgers reject what QLDB rejected (with the position) and keep QLDB's limits."""

from __future__ import annotations

import pytest

from ledger_desktop.engine.errors import LimitExceededError, QueryError
from ledger_desktop.engine.ledger import Ledger


@pytest.fixture
def strict(tmp_path):
    with Ledger.create(tmp_path / "strict.ledger", strict=True) as led:
        led.execute("CREATE TABLE T")
        led.execute("INSERT INTO T << {'a': 1}, {'a': 2} >>")
        yield led


@pytest.mark.parametrize("stmt,what,column", [
    ("SELECT * FROM T ORDER BY a", "ORDER BY", 1),
    ("SELECT a, COUNT(*) FROM T GROUP BY a", "GROUP BY", 1),
    ("SELECT * FROM T LIMIT 1", "LIMIT", 1),
    ("SELECT DISTINCT a FROM T", "SELECT DISTINCT", 1),
    ("SELECT * FROM T t LEFT JOIN T u ON t.a = u.a", "LEFT JOIN", 19),
    ("EXPLAIN SELECT * FROM T", "EXPLAIN", 1),
    ("SELECT a FROM T UNION SELECT a FROM T", "UNION", 1),
    ("SELECT CASE WHEN a = 1 THEN 'x' END FROM T", "CASE", 8),
    ("SELECT UTCNOW()", "SELECT without FROM", 1),
])
def test_non_qldb_syntax_is_rejected(strict, stmt, what, column):
    blocks = strict.block_count()
    with pytest.raises(QueryError) as e:
        strict.execute(stmt)
    assert f"{what} is not supported by QLDB" in str(e.value)
    assert e.value.line == 1 and e.value.column == column
    assert strict.block_count() == blocks  # nothing journaled


def test_qldb_syntax_still_works(strict):
    assert strict.execute("SELECT COUNT(*) AS n FROM T").values[0]["n"] == 2
    assert len(strict.execute("SELECT * FROM T AS t INNER JOIN T AS u ON t.a = u.a").values) == 2


def test_qldb_limits(strict):
    docs = ", ".join("{'i': " + str(i) + "}" for i in range(41))
    with pytest.raises(LimitExceededError, match="40"):
        strict.execute(f"INSERT INTO T << {docs} >>")
    assert strict.execute("SELECT COUNT(*) AS n FROM T").values[0]["n"] == 2


def test_default_mode_accepts_the_extensions(ledger):
    ledger.execute("CREATE TABLE T")
    docs = ", ".join("{'i': " + str(i) + "}" for i in range(41))
    assert len(ledger.execute(f"INSERT INTO T << {docs} >>").values) == 41
    assert ledger.execute("SELECT VALUE t.i FROM T t ORDER BY t.i DESC LIMIT 1").values == [40]


def test_qldb_statement_and_parameter_limits(strict):
    long_stmt = "SELECT * FROM T WHERE a = 1" + " " * 100_000
    with pytest.raises(LimitExceededError, match="100,000 characters"):
        strict.execute(long_stmt)
    with pytest.raises(LimitExceededError, match="parameter 1"):
        strict.execute("SELECT * FROM T WHERE a = ?", "x" * 140_000)


def test_explain_api_works_on_strict_ledgers_and_journals_nothing(strict):
    from ledger_desktop.engine.query import explain

    strict.execute("CREATE INDEX ON T (a)")
    blocks = strict.block_count()
    with strict.transaction() as tx:
        plan = explain(tx, "SELECT * FROM T WHERE a = ?", [1])
        assert plan[0].startswith("T: index lookup on T.a")
        tx.abort()
    assert strict.block_count() == blocks


def test_limits_are_stated_with_the_statement_length():
    from ledger_desktop.engine.limits import DEFAULT, QLDB_STRICT, describe

    assert "statement length 100,000 characters" in describe(QLDB_STRICT)
    assert f"statement length {DEFAULT.document_bytes:,} characters" in describe(DEFAULT)


def test_a_strict_table_name_is_not_a_reserved_word(tmp_path):
    """QLDB's CREATE TABLE: the name "must not be a QLDB PartiQL reserved word"."""
    with Ledger.create(tmp_path / "s.ledger", strict=True) as led:
        for name in ("select", "user", "Year", "value"):
            with pytest.raises(QueryError, match="a PartiQL reserved word"):
                led.execute(f"CREATE TABLE {name}")
        led.execute("CREATE TABLE Users")  # not reserved
    with Ledger.create(tmp_path / "d.ledger") as led:
        led.execute("CREATE TABLE user")  # the default dialect is QLDB's plus more
