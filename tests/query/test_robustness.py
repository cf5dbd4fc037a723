"""Generated statements (valid and not) over the sample ledger: every failure is a UserError
with a message, never an internal exception, and a failed statement writes nothing."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from ledger_desktop.engine.errors import LimitExceededError, QueryError, UserError
from ledger_desktop.engine.ledger import Ledger

EXPRS = ["v.VIN", "v.Year", "v.Owners", "v.Owners.PrimaryOwner.PersonId", "1", "1.5", "1e0",
         "'x'", "NULL", "MISSING", "`{a:1}`", "`[1,2]`", "<<1,2>>", "v", "?", "x", "v.nope",
         "v.Owners[0]", "v['VIN']", "v.*", "v[*]", "`2019T`", "true", "`sym`",
         "{'a': v.Year}", "[v.Year, 2]"]
FUNCS = ["UPPER({})", "LOWER({})", "SIZE({})", "CHAR_LENGTH({})", "CAST({} AS int)",
         "CAST({} AS string)", "CAST({} AS decimal)", "CAST({} AS timestamp)", "EXISTS({})",
         "COALESCE({}, 1)", "NULLIF({}, 1)", "DATE_ADD(day, 1, {})", "EXTRACT(year FROM {})",
         "TO_STRING({}, 'yyyy')", "TO_TIMESTAMP({})", "SUBSTRING({}, 2)", "TRIM({})", "-{}",
         "NOT {}", "({} || 'a')", "({} + 1)", "({} / 0)", "({} * 2.5)", "({} IS NULL)",
         "({} IN (1, 'x'))", "({} LIKE 'a%')", "({} BETWEEN 1 AND 3)", "({} = {})",
         "({} < {})", "({} AND true)", "COUNT({})", "SUM({})", "AVG({})", "MIN({})", "MAX({})"]
TEMPLATES = [
    "SELECT {e} FROM Vehicle AS v WHERE {e}", "SELECT VALUE {e} FROM Vehicle AS v",
    "SELECT {e} AS a, {e} AS b FROM Vehicle v, v.Owners o WHERE {e} ORDER BY {e}",
    "SELECT {e} FROM Vehicle v GROUP BY {e} HAVING {e}",
    "UPDATE Vehicle AS v SET v.x = {e} WHERE {e}",
    "FROM Vehicle AS v WHERE {e} INSERT INTO v.Owners VALUE {e}",
    "DELETE FROM Vehicle AS v WHERE {e}", "INSERT INTO Vehicle VALUE {e}",
    "SELECT * FROM history(Vehicle) AS v WHERE {e}", "SELECT {e} FROM << 0 >> AS v",
    "UPDATE Vehicle AS v REMOVE v.Owners[{e}]",
    "SELECT * FROM Vehicle AS v LEFT JOIN VehicleRegistration AS r ON {e} WHERE {e} LIMIT 2",
]


def _expr(rng: random.Random, depth: int = 0) -> str:
    if depth > 2 or rng.random() < 0.4:
        return rng.choice(EXPRS)
    f = rng.choice(FUNCS)
    return f.format(*[_expr(rng, depth + 1) for _ in range(f.count("{}"))])


def test_generated_statements_fail_cleanly(sample):
    rng = random.Random(2026)
    ok = failed = 0
    for _ in range(400):
        stmt = rng.choice(TEMPLATES)
        while "{e}" in stmt:
            stmt = stmt.replace("{e}", _expr(rng), 1)
        params = [rng.choice([1, "x", None, [1, 2], {"a": 1}])] * stmt.count("?")
        blocks = sample.block_count()
        tx = sample.begin()
        try:
            tx.execute(stmt, *params)
            ok += 1
        except UserError as e:
            failed += 1
            assert str(e)
            if not tx.done:  # failed while parsing or planning: nothing recorded or staged
                assert tx.commit() is None
        finally:
            if not tx.done:
                tx.abort()
        assert sample.block_count() == blocks
    assert ok > 100 and failed > 100



def test_an_over_long_statement_is_refused_before_it_is_parsed(ledger, monkeypatch):
    """A 65 MiB string literal used to be lexed for over a minute before the document size
    limit refused it; the statement length is now checked first (the parser is never called)."""
    from ledger_desktop.engine import query

    ledger.execute("CREATE TABLE T")
    calls: list[int] = []
    real_parse = query.parse

    def counting_parse(text: str):
        calls.append(len(text))
        return real_parse(text)

    monkeypatch.setattr(query, "parse", counting_parse)
    most = ledger.limits.document_bytes
    big = "INSERT INTO T VALUE {'a': '" + "x" * most + "'}"
    with pytest.raises(LimitExceededError, match="pass large values as \\? parameters"):
        ledger.execute(big)
    with ledger.transaction() as tx:
        with pytest.raises(LimitExceededError):
            query.explain(tx, big)
        tx.abort()
    assert calls == []
    assert ledger.execute("SELECT COUNT(*) AS n FROM T").values[0]["n"] == 0
    ok = "SELECT VALUE 1 FROM << 1 >> AS x WHERE '" + "y" * 1000 + "' <> ''"
    assert ledger.execute(ok).values == [1] and calls[-1] == len(ok)


def test_strict_statement_length_is_checked_before_parsing(tmp_path, monkeypatch):
    from ledger_desktop.engine import query

    def no_parse(text: str):
        raise AssertionError("parsed")

    monkeypatch.setattr(query, "parse", no_parse)
    with Ledger.create(tmp_path / "s.ledger", strict=True) as led, \
            pytest.raises(LimitExceededError, match="at most 100,000 characters"):
        led.execute("SELECT ((( " + "x" * query.QLDB_STATEMENT_CHARS)


def test_long_quoted_literals_and_comments_lex_exactly():
    from ledger_desktop.engine.query.parser import parse

    s = "ab''c" * 200_000
    comment = "/* a * b ** c / d */"
    node, _ = parse(f"SELECT VALUE '{s}' {comment} FROM << 1 >> AS \"q\"\"r\" -- end")
    assert node.value.value == s.replace("''", "'")
    assert node.sources[0].item.alias == 'q"r'


# amazon.ion's C writer loops forever on a Decimal NaN/infinity and crashes (segfault) on an
# int too wide for Python's int-to-text limit: statements and parameters that would make one
# are refused with a clear error, and the ledger stays verifiable.
@pytest.mark.parametrize("statement, params, message", [
    ("INSERT INTO T VALUE {'a': CAST('NaN' AS DECIMAL)}", (), "cannot cast string 'NaN'"),
    ("INSERT INTO T VALUE {'a': CAST('-Infinity' AS DECIMAL)}", (), "to decimal"),
    ("INSERT INTO T VALUE {'a': CAST(CAST('nan' AS FLOAT) AS DECIMAL)}", (), "to decimal"),
    ("INSERT INTO T VALUE {'a': CAST('1e5000' AS INT)}", (), "to int"),
    ("INSERT INTO T VALUE {'a': " + " * ".join(["99999999999999999999"] * 230) + "}", (),
     "integer result is too large"),
    ("INSERT INTO T ?", ({"a": [Decimal("NaN")]},), "no NaN or infinity"),
    ("INSERT INTO T ?", ({"a": {"b": 10 ** 5000}},), "too large to store"),
], ids=["cast-nan", "cast-inf", "float-nan", "cast-huge-int", "huge-product", "param-nan",
        "param-huge-int"])
def test_values_the_ion_writer_cannot_take_are_refused(statement, params, message, tmp_path):
    led = Ledger.create(tmp_path / "w.ledger")
    led.execute("CREATE TABLE T")
    with pytest.raises(QueryError, match=message):
        led.execute(statement, *params)
    led.execute("INSERT INTO T ?", {"a": 10 ** 4000})  # about 4,000 digits still store
    with pytest.raises(QueryError, match="too large"):
        led.execute("UPDATE T AS t SET t.b = t.a * t.a")
    for _ in range(2):
        led.execute("INSERT INTO T ?", {"a": 2 ** 13_999})  # the widest storable int
    with pytest.raises(QueryError, match="SUM: the integer result is too large"):
        led.execute("SELECT SUM(t.a) AS s FROM T AS t")
    assert led.verify().ok
    led.close()


@pytest.mark.parametrize("literal, says", [
    ("9" * 5000, "an integer literal of 5,000 digits; at most 4,300 digits are supported"),
    ("1e400", "beyond the range of a float"),
    ("-2.5E+309", "beyond the range of a float"),
    ("1.5e-400", "beyond the range of a float"),
])
def test_numeric_literals_no_value_can_hold_are_query_errors(sample, literal, says):
    """A 5,000-digit integer literal used to end in a traceback (Python refuses to convert
    it); 1e400 and 1e-400 were silently infinity and zero, and could be stored."""
    blocks = sample.block_count()
    for stmt in (f"SELECT * FROM Vehicle AS v WHERE v.Year = {literal}",
                 f"INSERT INTO Vehicle {{'VIN': 'x', 'n': {literal}}}"):
        with pytest.raises(QueryError, match=says) as e:
            sample.execute(stmt)
        assert "column" in str(e.value)  # points at the literal
    assert sample.block_count() == blocks
    assert list(sample.execute("SELECT VALUE 1e308 FROM << 0 >> AS v")) == [1e308]


def test_counts_and_addresses_beyond_sqlite_integers(sample):
    """LIMIT/OFFSET past sys.maxsize ended in a ValueError from itertools.islice, and a
    redaction's block address past SQLite's 64-bit integers in an OverflowError."""
    big = "9" * 30
    vins = sorted(r["VIN"] for r in sample.execute("SELECT VIN FROM Vehicle"))
    assert sorted(r["VIN"] for r in sample.execute(f"SELECT VIN FROM Vehicle LIMIT {big}")) \
        == vins
    assert list(sample.execute(f"SELECT VIN FROM Vehicle OFFSET {big}")) == []
    assert [r["VIN"] for r in sample.execute(
        f"SELECT VIN FROM Vehicle ORDER BY VIN LIMIT {big} OFFSET 1")] == vins[1:]
    blocks = sample.block_count()
    for seq in (big, "-5"):
        address = f'{{strandId:"{sample.strand_id}",sequenceNo:{seq}}}'
        with pytest.raises(UserError, match="no block at|not a block address"):
            sample.execute(f"EXEC redact_revision `{address}`, 'Vehicle', 'x'")
    assert sample.block_count() == blocks
