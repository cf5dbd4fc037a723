"""The grammar: every QLDB statement form parses; syntax errors name line, column and caret."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledger_desktop.engine.errors import QueryError
from ledger_desktop.engine.query import ast as A
from ledger_desktop.engine.query.parser import parse

QLDB_FORMS = [
    "CREATE TABLE VehicleRegistration",
    "CREATE TABLE Vehicle WITH (aws_tags = `{'environment': 'development'}`)",
    "DROP TABLE Vehicle",
    'UNDROP TABLE "5PLf9SXwndd63lPaSIa0O6"',
    "CREATE INDEX ON Person (GovId)",
    'DROP INDEX "4tPW3fUhaVhDinRgKRLhGU" ON VehicleRegistration WITH (purge = true)',
    "INSERT INTO Person VALUE {'FirstName': 'Raul', 'DOB': `1963-08-19T`}",
    "INSERT INTO Person << {'a': 1}, {'a': 2} >>",
    "INSERT INTO Person ?",
    "UPDATE Person AS p SET p.LicenseNumber = 'HOLLOR123ZZ' WHERE p.GovId = '111-22-3333'",
    "UPDATE Person AS p INSERT INTO p VALUE 'x' AT 'Nick' WHERE p.GovId = ?",
    "UPDATE Person AS p REMOVE p.Address WHERE p.GovId = ?",
    "DELETE FROM VehicleRegistration AS r WHERE r.VIN = '1HVBBAANXWH544237'",
    "FROM Person AS p WHERE p.GovId = ? SET p.Nick = 'R'",
    "FROM VehicleRegistration AS r WHERE r.VIN = ? "
    "INSERT INTO r.Owners.SecondaryOwners VALUE {'PersonId': ?}",
    "FROM VehicleRegistration AS r, r.Owners.SecondaryOwners AS o WHERE o.PersonId = ? "
    "REMOVE r.Owners.SecondaryOwners[0]",
    "SELECT * FROM Vehicle AS v WHERE v.VIN IN ('a', 'b')",
    "SELECT VALUE r.Owners.SecondaryOwners[0].PersonId FROM VehicleRegistration AS r",
    "SELECT r.Owners.* FROM VehicleRegistration r",
    "SELECT o.PersonId FROM VehicleRegistration AS r, @r.Owners.SecondaryOwners AS o AT i",
    "SELECT r_id FROM VehicleRegistration AS r BY r_id WHERE r_id = ?",
    "SELECT Vehicle FROM Vehicle INNER JOIN VehicleRegistration AS r ON Vehicle.VIN = r.VIN",
    "SELECT * FROM history(Vehicle, `2019-06-05T00:00:00Z`, `2019-06-05T23:59:59Z`) AS h",
    "SELECT * FROM _ql_committed_Vehicle",
    "SELECT * FROM information_schema.user_tables WHERE status = 'ACTIVE'",
    "EXEC REDACT_REVISION `{strandId: \"x\", sequenceNo: 9}`, 'tid', 'did'",
    "SELECT COUNT(*) FROM Vehicle",
    "SELECT UTCNOW() FROM << 0 >>",
    "SELECT * FROM t WHERE x IS NOT MISSING AND y NOT LIKE 'a%' AND z BETWEEN 1 AND 2",
    "SELECT a FROM t ORDER BY a DESC NULLS FIRST LIMIT 3 OFFSET 1",
    "SELECT a, COUNT(*) AS n FROM t GROUP BY a HAVING COUNT(*) > 1",
    "SELECT * FROM t LEFT JOIN u ON t.a = u.a",
    "EXPLAIN SELECT * FROM t",
    "select value v from t as v where v.value = 1;",
]


@pytest.mark.parametrize("text", QLDB_FORMS)
def test_statement_forms_parse(text):
    node, _ = parse(text)
    assert isinstance(node, A.Node)


def test_literals_keep_their_types():
    node, n = parse("SELECT VALUE [1, 1.50, 1.5e0, 'a', `sym`, `2019T`, NULL, MISSING, ?] "
                    "FROM << 0 >>")
    assert n == 1
    items = node.value.items
    assert items[0].value == 1 and type(items[0].value) is int
    assert items[1].value == Decimal("1.50") and str(items[1].value) == "1.50"
    assert type(items[2].value) is float
    assert items[3].value == "a"
    assert items[4].value.text == "sym"
    assert isinstance(items[8], A.Param)


def test_keywords_are_field_names_after_a_dot():
    node, _ = parse("SELECT v.Year, v.value, v.select FROM Vehicle v")
    assert [e.name for e, _ in node.items] == ["Year", "value", "select"]


def test_quoted_strings_and_names_escape_by_doubling():
    node, _ = parse("SELECT VALUE 'it''s' FROM \"my \"\"t\"\"\"")
    assert node.value.value == "it's"
    assert node.sources[0].item.expr.name == 'my "t"'


@pytest.mark.parametrize("text,line,column,fragment", [
    ("SELECT * FROM", 1, 14, "end of statement"),
    ("SELECT *\nFROM Vehicle\nWHERE VIN == 'x'", 3, 12, "unexpected '='"),
    ("SELEC * FROM t", 1, 1, "unexpected"),
    ("SELECT * FROM t WHERE a = `{a:`", 1, 27, "invalid Ion literal"),
])
def test_syntax_errors_have_line_column_and_caret(text, line, column, fragment):
    with pytest.raises(QueryError) as e:
        parse(text)
    err = e.value
    assert (err.line, err.column) == (line, column)
    assert fragment in str(err)
    caret_line = str(err).splitlines()[-1]
    assert caret_line.index("^") == column - 1 + 2  # two spaces of indent


@pytest.mark.parametrize("text, fragment", [
    ("SELECT * FROM Vehicle AS v WHER v.Year > 2012", "unexpected 'WHER' (did you mean WHERE?)"),
    ("SELCT * FROM Vehicle", "unexpected 'SELCT' (did you mean SELECT?)"),
    ("SELECT * FORM Vehicle", "(did you mean FROM?)"),
    # with no alias, WHER is taken for one and the error shows at the next word: it said only
    # "unexpected 'Year'" (docs/reliability.md 78)
    ("SELECT * FROM Vehicle WHER Year > 2000",
     "unexpected 'Year' ('WHER' was read as an alias: did you mean WHERE?)"),
    ("SELECT * FROM Vehicle LIMT 2", "('LIMT' was read as an alias: did you mean LIMIT?)"),
    # punctuation is quoted, so a list of expected tokens stays readable
    ("SELECT * FROM Vehicle v WHERE (v.Year > 2", "expected ')', ','"),
    # the kinds of value come first, before the list is cut at ten
    ("SELECT * FROM Vehicle v WHERE v.Year >", "a name, a number"),
    # two statements: said "expected <END-OF-FILE>", lark's own name
    ("SELECT 1 FROM t; SELECT 2 FROM t", "one statement at a time: another one follows"),
])
def test_syntax_errors_suggest_and_list_readably(text, fragment):
    with pytest.raises(QueryError) as e:
        parse(text)
    assert fragment in str(e.value)


def test_no_suggestion_for_a_name_far_from_any_keyword():
    with pytest.raises(QueryError) as e:
        parse("SELECT * FROM Vehicle AS v Year > 2012")
    assert "did you mean" not in str(e.value)
    with pytest.raises(QueryError) as e:  # an alias given with AS is meant as one
        parse("SELECT * FROM Vehicle AS WHER Year")
    assert "did you mean" not in str(e.value)


def test_empty_statement():
    with pytest.raises(QueryError, match="empty"):
        parse("   ")


@pytest.mark.parametrize("literal, held", [("``", 0), ("`1 2`", 2), ("`/* just a note */`", 0)])
def test_an_ion_literal_holds_one_value(literal: str, held: int) -> None:
    """An empty literal was NULL, silently."""
    with pytest.raises(QueryError, match=f"holds one value; .* holds {held}"):
        parse(f"SELECT VALUE {literal} FROM << 0 >>")


def test_long_and_or_chains_are_balanced_trees() -> None:
    """A generated filter of 500 ANDs was refused as "too deeply nested": a left-deep tree
    was deeper than the passes over it could recurse."""
    node, _ = parse("SELECT VALUE 1 FROM << 0 >> WHERE " + " AND ".join(["a = 1"] * 3000))
    depth, todo = 0, [(node.where, 1)]
    while todo:
        n, d = todo.pop()
        depth = max(depth, d)
        if isinstance(n, A.Binary) and n.op == "and":
            todo += [(n.left, d + 1), (n.right, d + 1)]
    assert depth <= 14
    # precedence unchanged: AND binds tighter than OR
    node, _ = parse("SELECT VALUE 1 FROM << 0 >> WHERE a AND b OR c AND d OR e")
    assert node.where.op == "or"


def test_long_and_or_chains_evaluate(ledger) -> None:
    q = "SELECT VALUE 1 FROM << 0 >> WHERE "
    assert list(ledger.execute(q + " AND ".join(["1 = 1"] * 3000))) == [1]
    assert list(ledger.execute(q + " AND ".join(["1 = 1"] * 2999 + ["1 = 2"]))) == []
    assert list(ledger.execute(q + " OR ".join(["1 = 2"] * 2999 + ["1 = 1"]))) == [1]
    assert list(ledger.execute(q + "1 = 1 AND 2 = 2 OR 3 = 4 AND NOT 1 = 2")) == [1]
