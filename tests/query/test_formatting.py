"""Rendering results: table, Ion, JSON Lines (QLDB's down-conversion) and CSV."""

from __future__ import annotations

import pytest
from amazon.ion import simpleion

from ledger_desktop.engine.errors import QueryError
from ledger_desktop.engine.query.formatting import format_values

VALUES = simpleion.loads('{a: 1.50, b: "x"} {a: 2, c: sym, d: 2019-06-01T10:00:00.000Z} '
                         '{b: x::"y", e: {{aGk=}}}', single_value=False)


def test_table_columns_are_the_union_of_fields():
    text = format_values(VALUES, "table")
    lines = text.splitlines()
    assert lines[0].split(" | ") == ["a   ", "b     ", "c  ", "d                       ", "e"]
    assert [c.strip() for c in lines[2].split(" | ")[:2]] == ["1.50", "x"]
    assert "x::\"y\"" in lines[4] and "{{aGk=}}" in lines[4]
    assert format_values([], "table") == "(no results)"
    assert format_values([1, "s"], "table").splitlines()[2:] == ["1", "s"]


def test_json_lines_down_convert_like_qldb_exports():
    lines = format_values(VALUES, "json").splitlines()
    assert lines == ['{"a":1.50,"b":"x"}',
                     '{"a":2,"c":"sym","d":"2019-06-01T10:00:00.000Z"}',
                     '{"b":"y","e":"aGk="}']


def test_ion_is_exact_and_csv_quotes():
    assert format_values(VALUES[:1], "ion") == "{\n  a: 1.50,\n  b: \"x\"\n}"
    csv_text = format_values([{"a": "x, y", "b": 1}], "csv")
    assert csv_text.splitlines() == ["a,b", '"x, y",1']
    with pytest.raises(ValueError, match="unknown format"):
        format_values(VALUES, "xml")


def test_insert_value_takes_exactly_one_struct(ledger):
    ledger.execute("CREATE TABLE T")
    with pytest.raises(QueryError, match="a struct after VALUE"):
        ledger.execute("INSERT INTO T VALUE ?", [{"a": 1}])
    assert len(ledger.execute("INSERT INTO T ?", [{"a": 1}, {"a": 2}]).values) == 2
