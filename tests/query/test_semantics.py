"""PartiQL semantics: MISSING vs NULL, exact Ion types, numeric comparison, functions, errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from amazon.ion.core import IonType, TimestampPrecision
from query_helpers import value

from ledger_desktop.engine.errors import QueryError
from ledger_desktop.engine.ion_values import dumps_text


def ion(v):
    return dumps_text(v)


def test_missing_and_null_differ(ledger):
    ledger.execute("CREATE TABLE T")
    ledger.execute("INSERT INTO T << {'k': 1, 'a': null}, {'k': 2} >>")
    assert [ion(v) for v in ledger.execute(
        "SELECT t.k FROM T t WHERE t.a IS NULL ORDER BY t.k").values] == ["{k:1}", "{k:2}"]
    assert [ion(v) for v in ledger.execute(
        "SELECT t.k FROM T t WHERE t.a IS MISSING").values] == ["{k:2}"]
    # A missing field is left out of the projected struct; a null one is kept.
    assert sorted(ion(v) for v in ledger.execute("SELECT t.k, t.a FROM T t").values) == \
        ["{k:1,a:null}", "{k:2}"]
    assert value(ledger, "MISSING IS NULL") is True
    assert value(ledger, "NULL IS MISSING") is False
    assert value(ledger, "NULL = 1") is None


def test_ion_types_are_kept_exactly(ledger):
    ledger.execute("CREATE TABLE T")
    ledger.execute("INSERT INTO T VALUE {'d': 1.50, 'f': 1.5e0, 'sym': `abc`, 's': 'abc', "
                   "'ts': `2019-06-01T`, 'tsm': `2019-06-01T10:11:12.120Z`, 'ann': `x::1`}")
    doc = ledger.execute("SELECT * FROM T").values[0]
    assert ion(doc["d"]) == "1.50"
    assert doc["f"].ion_type == IonType.FLOAT
    assert doc["sym"].ion_type == IonType.SYMBOL and doc["s"].ion_type == IonType.STRING
    assert doc["ts"].precision == TimestampPrecision.DAY
    assert ion(doc["tsm"]) == "2019-06-01T10:11:12.120Z"
    assert doc["ann"].ion_annotations[0].text == "x"


@pytest.mark.parametrize("expr,expected", [
    ("1 = 1.0", True), ("1 = 1e0", True), ("1.0 = 1e0", True), ("0.1 = 0.1e0", True),
    ("2 > 1.5", True), ("1.5e0 < 2", True), ("'a' = `a`", True), ("'a' < 'b'", True),
    ("`2019T` = `2019-01-01T00:00Z`", True), ("`2019-01-01T01:00+01:00` = `2019-01-01T00:00Z`",
                                             True),
    ("1 = '1'", False), ("[1, 2] = [1, 2.0]", True), ("{'a': 1} = {'a': 1.0}", True),
    ("<<1, 2>> = <<2, 1>>", True), ("3 IN (1, 2, 3.0)", True), ("4 NOT IN (1, 2)", True),
    ("2 BETWEEN 1 AND 3", True), ("'abc' LIKE 'a_c'", True), ("'abc' LIKE 'a%'", True),
    ("'a%c' LIKE 'a!%c' ESCAPE '!'", True), ("'abd' NOT LIKE 'a%c'", True),
    ("true AND NULL", None), ("false AND NULL", False), ("true OR NULL", True),
    ("NOT NULL", None),
])
def test_comparisons_and_logic(ledger, expr, expected):
    assert value(ledger, expr) is expected


def test_incomparable_types_are_missing(ledger):
    # permissive mode: `1 < 'a'` matches nothing rather than failing on schemaless data
    assert value(ledger, "1 < 'a'") == "<MISSING>"


@pytest.mark.parametrize("expr,expected", [
    ("1 + 2", "3"), ("7 / 2", "3"), ("-7 / 2", "-3"), ("7 % 3", "1"), ("1 + 1.50", "2.50"),
    ("1.5 * 2", "3.0"), ("1 + 1e0", "2e+0"), ("7.0 / 2", "3.5"), ("'a' || 'b'", "\"ab\""),
    ("-(3)", "-3"),
])
def test_arithmetic(ledger, expr, expected):
    assert ion(value(ledger, expr)) == expected


@pytest.mark.parametrize("expr,fragment", [
    ("1 + 'a'", "cannot apply '+' to int and string"),
    ("1 / 0", "division by zero"),
    ("'a' || 1", "|| expects strings"),
    ("UPPER(1)", "UPPER expects a string, got int"),
    ("CAST('abc' AS int)", "cannot cast string 'abc' to int"),
    ("NOSUCH(1)", "unknown function NOSUCH"),
    ("SUBSTRING('a')", "SUBSTRING takes 2 to 3 arguments"),
    ("DATE_ADD(fortnight, 1, `2019T`)", "unknown date part"),
])
def test_type_errors_point_at_the_expression(ledger, expr, fragment):
    with pytest.raises(QueryError) as e:
        value(ledger, expr)
    assert fragment in str(e.value)
    assert e.value.line == 1 and e.value.column is not None and e.value.column > 13


@pytest.mark.parametrize("expr,expected", [
    ("CHAR_LENGTH('héllo')", "5"), ("CHARACTER_LENGTH('')", "0"), ("LOWER('AbC')", '"abc"'),
    ("UPPER(`abc`)", '"ABC"'), ("SUBSTRING('hello', 2)", '"ello"'),
    ("SUBSTRING('hello', 2, 3)", '"ell"'), ("SUBSTRING('hello' FROM 0 FOR 3)", '"he"'),
    ("TRIM('  x  ')", '"x"'), ("TRIM(LEADING FROM '  x  ')", '"x  "'),
    ("TRIM(BOTH 'x' FROM 'xxaxx')", '"a"'), ("TRIM(TRAILING 'x' FROM 'xxaxx')", '"xxa"'),
    ("SIZE([1, 2, 3])", "3"), ("SIZE({'a': 1})", "1"), ("SIZE(<<>>)", "0"),
    ("EXISTS([1])", "true"), ("EXISTS([])", "false"), ("COALESCE(NULL, MISSING, 2, 3)", "2"),
    ("NULLIF(1, 1)", "null"), ("NULLIF(1, 2)", "1"),
    ("CAST(1.50 AS string)", '"1.50"'), ("CAST('12' AS int)", "12"),
    ("CAST(12 AS decimal)", "12d0"), ("CAST('true' AS bool)", "true"),
    ("CAST('2019-06-01T' AS timestamp)", "2019-06-01"), ("CAST(2.7 AS int)", "2"),
    ("CAST(`abc` AS string)", '"abc"'), ("CAST('abc' AS symbol)", "abc"),
    ("DATE_ADD(day, 1, `2019-02-28T`)", "2019-03-01"),
    ("DATE_ADD(month, 1, `2019-01-31T`)", "2019-02-28"),
    ("DATE_ADD(year, -1, `2020-02-29T`)", "2019-02-28"),
    ("DATE_ADD(hour, 2, `2019-01-01T`)", "2019-01-01T02:00-00:00"),
    ("DATE_DIFF(day, `2019-01-01T`, `2019-03-01T`)", "59"),
    ("DATE_DIFF(month, `2019-01-31T`, `2019-03-30T`)", "1"),
    ("DATE_DIFF(year, `2010-06-01T`, `2019-05-31T`)", "8"),
    ("DATE_DIFF(year, `2019-05-31T`, `2010-06-01T`)", "-8"),
    ("EXTRACT(year FROM `2019-06-01T10:11:12Z`)", "2019"),
    ("EXTRACT(minute FROM `2019-06-01T10:11:12Z`)", "11"),
    ("EXTRACT(timezone_hour FROM `2019-06-01T10:11:12-05:30`)", "-5"),
    ("TO_STRING(`2019-06-01T10:11:12.345Z`, 'yyyy-MM-dd HH:mm:ss.SSS a')",
     '"2019-06-01 10:11:12.345 AM"'),
    ("TO_STRING(`1969-07-20T20:18Z`, 'MMMM d, y')", '"July 20, 1969"'),
    ("TO_TIMESTAMP('2019-06-01T10:11:12Z')", "2019-06-01T10:11:12Z"),
    ("TO_TIMESTAMP('06/01/2019', 'MM/dd/yyyy')", "2019-06-01"),
    ("TO_TIMESTAMP('2019-06-01 10:11', 'yyyy-MM-dd HH:mm')", "2019-06-01T10:11Z"),
    ("UPPER(NULL)", "null"),
    # QLDB ("PartiQL functions in Amazon QLDB"): NULL when an argument is NULL or MISSING
    ("CHAR_LENGTH(MISSING) IS MISSING", "false"), ("CHAR_LENGTH(MISSING) IS NULL", "true"),
    ("TRIM(BOTH MISSING FROM 'a') IS MISSING", "false"),
    ("EXTRACT(year FROM MISSING) IS NULL AND EXTRACT(year FROM MISSING) IS NOT MISSING", "true"),
    ("DATE_ADD(day, 1, MISSING) IS NOT MISSING", "true"),
    ("NULLIF(MISSING, NULL) IS NOT MISSING AND NULLIF(MISSING, NULL) IS NULL", "true"),
    ("NULLIF(MISSING, MISSING) IS NOT MISSING", "true"), ("NULLIF(1, NULL)", "1"),
    ("NULLIF(NULL, 1)", "null"), ("NULLIF([1], [1])", "null"), ("NULLIF(1.0, 1)", "null"),
    # QLDB's CAST table ("CAST function in Amazon QLDB")
    ("CAST(null AS null)", "null"), ("CAST(missing AS null) IS NOT MISSING", "true"),
    ("CAST(missing AS missing) IS MISSING", "true"), ("CAST(null AS missing) IS MISSING", "true"),
    ("CAST(null AS boolean)", "null"), ("CAST(missing AS boolean) IS MISSING", "true"),
    ("CAST('a' AS boolean)", "false"), ("CAST(`'true'` AS boolean)", "true"),
    ("CAST(`'false'` AS boolean)", "false"), ("CAST('TRUE' AS boolean)", "true"),
    ("CASE WHEN 1 > 2 THEN 'a' ELSE 'b' END", '"b"'), ("CASE 2 WHEN 2 THEN 'two' END", '"two"'),
])
def test_functions(ledger, expr, expected):
    assert ion(value(ledger, expr)) == expected


@pytest.mark.parametrize("expr", ["CAST(true AS null)", "CAST(true AS missing)",
                                  "CAST(1 AS null)", "CAST(1 AS missing)"])
def test_only_unknowns_cast_to_null_or_missing(ledger, expr):
    with pytest.raises(QueryError, match="only NULL and MISSING can be"):
        value(ledger, expr)


def test_a_function_of_an_absent_field_projects_null(ledger):
    """`SELECT UPPER(p.Nope) AS u` gave `{}` (MISSING drops the column); QLDB gives null."""
    got = ledger.execute("SELECT UPPER(p.Nope) AS u, SIZE(p.Nope) AS s, "
                         "EXTRACT(YEAR FROM p.Nope) AS e FROM << {'a': 1} >> AS p").values
    assert [ion(r) for r in got] == ["{u:null,s:null,e:null}"]


@pytest.mark.parametrize("pattern, expected", [
    # a run of one letter is one field, as in Java's DateTimeFormatter (which QLDB's PartiQL
    # uses): never split into a known run and a rest ('yyyyy' is not 'yyyy' + 'y')
    ("yyy", "1969"), ("yyyyy", "01969"), ("yyyyyy", "001969"), ("MMMMM", "J"),
    ("SSSSSSSSS", "123456789"), ("SSSS", "1234"), ("nnnnnnnnnnn", "00123456789"),
    ("XXXXX", "+08:00"), ("xx", "+0800"), ("h:mm a", "8:18 PM"), ("''yy''", "'69'"),
])
def test_to_string_letter_runs(ledger, pattern, expected):
    expr = f"TO_STRING(`1969-07-20T20:18:05.123456789+08:00`, '{pattern.replace(chr(39), 2 * chr(39))}')"
    assert value(ledger, expr) == expected


@pytest.mark.parametrize("expr, fragment", [
    ("TO_STRING(`2019T`, 'ddd')", "too many pattern letters 'ddd'"),
    ("TO_STRING(`2019T`, 'yyyy aa')", "'a' takes at most 1"),
    ("TO_STRING(`2019T`, 'XXXXXX')", "'X' takes at most 5"),
    ("TO_STRING(`2019T`, 'SSSSSSSSSS')", "'S' takes at most 9"),
    ("TO_STRING(`2019T`, 'yyyy q')", "unsupported pattern letter 'q'"),
    ("TO_TIMESTAMP('16', 'yyyy')", "does not match"),     # a padded field needs its digits
    ("TO_TIMESTAMP('J 2016', 'MMMMM yyyy')", "does not say which month"),
])
def test_pattern_errors(ledger, expr, fragment):
    with pytest.raises(QueryError, match=fragment):
        value(ledger, expr)


@pytest.mark.parametrize("text, pattern, expected", [
    ("2016", "y", "2016T"), ("7", "y", "0007T"), ("02016", "yyyyy", "2016T"),
    ("7 Pm 2016-02-03", "h a yyyy-MM-dd", "2016-02-03T19:00Z"),
    ("3/4/2016", "M/d/y", "2016-03-04"),
])
def test_to_timestamp_patterns(ledger, text, pattern, expected):
    assert ion(value(ledger, f"TO_TIMESTAMP('{text}', '{pattern}')")) == expected


def test_utcnow_and_txid(ledger):
    with ledger.transaction() as tx:
        r = tx.execute("SELECT UTCNOW() AS now, TXID() AS id FROM << 0 >>").values[0]
        assert r["id"] == tx.id
    now = r["now"]
    assert abs((dt.datetime.now(dt.UTC) - now).total_seconds()) < 60
    assert now.utcoffset() == dt.timedelta(0)


def test_paths_wildcards_and_unnesting(ledger):
    ledger.execute("CREATE TABLE R")
    ledger.execute("INSERT INTO R VALUE {'v': 'A', 'owners': [{'id': 'p1'}, {'id': 'p2'}], "
                   "'o': {'x': 1, 'y': 2}}")
    assert ledger.execute("SELECT VALUE r.owners[1].id FROM R r").values == ["p2"]
    assert ledger.execute("SELECT VALUE r.owners[5].id FROM R r").values == []
    assert ledger.execute("SELECT VALUE r['v'] FROM R r").values == ["A"]
    assert sorted(ledger.execute("SELECT VALUE r.owners[*].id FROM R r").values[0]) == \
        ["p1", "p2"]
    assert sorted(ledger.execute("SELECT VALUE r.o.* FROM R r").values[0]) == [1, 2]
    rows = ledger.execute("SELECT r.v, o.id, i FROM R r, r.owners o AT i").values
    assert [(x["v"], x["id"], x["i"]) for x in rows] == [("A", "p1", 0), ("A", "p2", 1)]
    assert [ion(x) for x in ledger.execute("SELECT r.o.* FROM R r").values] == ["{x:1,y:2}"]


def test_joins_and_subqueries(ledger):
    ledger.execute("CREATE TABLE A")
    ledger.execute("CREATE TABLE B")
    ledger.execute("INSERT INTO A << {'k': 1, 'n': 'one'}, {'k': 2, 'n': 'two'} >>")
    ledger.execute("INSERT INTO B << {'k': 1, 'm': 'uno'} >>")
    inner = ledger.execute("SELECT a.n, b.m FROM A a INNER JOIN B b ON a.k = b.k").values
    assert [ion(x) for x in inner] == ['{n:"one",m:"uno"}']
    comma = ledger.execute("SELECT a.n FROM A a, B b WHERE a.k = b.k").values
    assert [x["n"] for x in comma] == ["one"]
    left = ledger.execute("SELECT a.n, b.m FROM A a LEFT JOIN B b ON a.k = b.k "
                          "ORDER BY a.n").values
    assert [ion(x) for x in left] == ['{n:"one",m:"uno"}', '{n:"two"}']
    sub = ledger.execute("SELECT VALUE a.n FROM A a WHERE a.k IN (SELECT b.k FROM B b)")
    assert sub.values == ["one"]
    corr = ledger.execute("SELECT VALUE a.n FROM A a WHERE EXISTS "
                          "(SELECT * FROM B b WHERE b.k = a.k)")
    assert corr.values == ["one"]
    nested = ledger.execute("SELECT a.n, (SELECT VALUE b.m FROM B b WHERE b.k = a.k) AS ms "
                            "FROM A a ORDER BY a.n")
    assert [list(x["ms"]) for x in nested.values] == [["uno"], []]


def test_order_group_limit_distinct(ledger):
    ledger.execute("CREATE TABLE T")
    ledger.execute("INSERT INTO T << {'g': 'a', 'x': 3}, {'g': 'b', 'x': 1}, {'g': 'a', 'x': 2},"
                   " {'g': 'c'}, {'g': 'b', 'x': 1.5} >>")
    q = ledger.execute
    # SELECT VALUE drops MISSING; ORDER BY puts absent values last (first when DESC)
    assert q("SELECT VALUE t.x FROM T t ORDER BY t.x").values == [1, Decimal("1.5"), 2, 3]
    assert q("SELECT VALUE t.g FROM T t ORDER BY t.x").values == ["b", "b", "a", "a", "c"]
    assert q("SELECT VALUE t.g FROM T t ORDER BY t.x DESC").values[0] == "c"
    assert q("SELECT VALUE t.g FROM T t ORDER BY t.x ASC NULLS FIRST LIMIT 2").values == \
        ["c", "b"]
    assert q("SELECT VALUE t.x FROM T t WHERE t.x IS NOT MISSING ORDER BY t.x "
             "LIMIT 2 OFFSET 1").values == [Decimal("1.5"), 2]
    grouped = q("SELECT t.g AS g, COUNT(*) AS n, COUNT(t.x) AS nx, SUM(t.x) AS s, "
                "MIN(t.x) AS lo, MAX(t.x) AS hi FROM T t GROUP BY t.g ORDER BY g").values
    assert [ion(x) for x in grouped] == [
        '{g:"a",n:2,nx:2,s:5,lo:2,hi:3}', '{g:"b",n:2,nx:2,s:2.5,lo:1,hi:1.5}',
        '{g:"c",n:1,nx:0,s:null,lo:null,hi:null}']
    having = q("SELECT VALUE g FROM T t GROUP BY t.g AS g HAVING COUNT(*) > 1 ORDER BY g")
    assert having.values == ["a", "b"]
    assert q("SELECT DISTINCT VALUE t.g FROM T t ORDER BY t.g").values == ["a", "b", "c"]
    assert q("SELECT COUNT(*) FROM T").values[0]["_1"] == 5
    avg = q("SELECT VALUE AVG(t.x) FROM T t WHERE t.g = 'a'").values[0]
    assert avg == Decimal("2.5") and isinstance(avg, Decimal)
    assert q("SELECT VALUE COUNT(*) FROM T t WHERE t.g = 'zzz'").values == [0]
    union = q("SELECT VALUE t.g FROM T t WHERE t.g = 'a' UNION SELECT VALUE t.g FROM T t "
              "WHERE t.g = 'c'").values
    assert sorted(union) == ["a", "c"]


def test_unknown_names_and_bad_paths(ledger):
    ledger.execute("CREATE TABLE T")
    with pytest.raises(QueryError, match="unknown name 'x'"):
        ledger.execute("SELECT VALUE x + 1")
    with pytest.raises(QueryError, match="unknown variable @q"):
        ledger.execute("SELECT * FROM T t, @q.items")
    with pytest.raises(QueryError, match="LIMIT expects a non-negative integer"):
        ledger.execute("SELECT * FROM T LIMIT -1")
    with pytest.raises(QueryError, match="aggregate"):
        ledger.execute("SELECT * FROM T t WHERE COUNT(*) > 1")
