"""Rendering results: table, Ion, JSON Lines (QLDB's down-conversion) and CSV."""

from __future__ import annotations

import pytest
from amazon.ion import simpleion

from ledger_desktop.engine.errors import QueryError
from ledger_desktop.engine.query.formatting import cell_text, format_csv, format_values

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


def test_a_repeated_field_name_gets_a_column_per_value(ledger):
    """SELECT r.VIN, v.VIN and SELECT * over a join name two fields VIN. A dict kept the last
    value only, so one column, and its values, were lost without a word; PartiQL and Ion keep
    both."""
    ledger.execute("CREATE TABLE R")
    ledger.execute("CREATE TABLE V")
    ledger.execute("INSERT INTO R {'VIN': 'A', 'City': 'Kent'}")
    ledger.execute("INSERT INTO V {'VIN': 'A', 'Make': 'Audi'}")
    for statement in ("SELECT r.VIN, v.VIN, v.Make FROM R r, V v WHERE r.VIN = v.VIN",
                      "SELECT r.VIN, v.* FROM R r, V v WHERE r.VIN = v.VIN"):
        rows = ledger.execute(statement).values
        assert format_values(rows, "ion").replace(" ", "").replace("\n", "") == \
            '{VIN:"A",VIN:"A",Make:"Audi"}'
        table = format_values(rows, "table").splitlines()
        assert [c.strip() for c in table[0].split("|")] == ["VIN", "VIN (2)", "Make"]
        assert format_values(rows, "csv").splitlines() == ["VIN,VIN (2),Make", "A,A,Audi"]
        # JSON readers keep one of two equal keys: the grid's and the CSV's names
        assert format_values(rows, "json") == '{"VIN":"A","VIN (2)":"A","Make":"Audi"}'
    star = ledger.execute("SELECT * FROM R r, V v WHERE r.VIN = v.VIN").values
    assert sorted(format_values(star, "csv").splitlines()[0].split(",")) == \
        ["City", "Make", "VIN", "VIN (2)"]
    # a struct literal keeps both too, and a document stored from one verifies
    ledger.execute("INSERT INTO R {'VIN': 'B', 'k': 1, 'k': 2}")
    kept = ledger.execute("SELECT * FROM R r WHERE r.VIN = 'B'").values
    assert format_values(kept, "csv").splitlines() == ["VIN,k,k (2)", "B,1,2"]
    assert ledger.verify().ok
    # distinct names stay plain dicts (the fast path)
    assert type(ledger.execute("SELECT r.VIN, r.City FROM R r").values[0]) is dict


def test_insert_value_takes_exactly_one_struct(ledger):
    ledger.execute("CREATE TABLE T")
    with pytest.raises(QueryError, match="a struct after VALUE"):
        ledger.execute("INSERT INTO T VALUE ?", [{"a": 1}])
    assert len(ledger.execute("INSERT INTO T ?", [{"a": 1}, {"a": 2}]).values) == 2


@pytest.mark.parametrize("fmt, first_lines", [
    ("csv", ["VIN,VIN (2),n", "A,B,1", "C,,null"]),  # null is written, MISSING is empty
    ("json", ['{"VIN":"A","VIN (2)":"B","n":1}', '{"VIN":"C","n":null}']),
    ("ion", ['{VIN:"A",VIN:"B",n:1}', '{VIN:"C",n:null}']),
])
def test_write_values_saves_results(tmp_path, fmt, first_lines):
    values = simpleion.loads('{VIN: "A", VIN: "B", n: 1} {VIN: "C", n: null}',
                             single_value=False)
    from ledger_desktop.engine.query.formatting import write_values

    seen = []
    out = tmp_path / "r.out"
    assert write_values(values, out, fmt, progress=lambda d, t: seen.append((d, t))) == 2
    assert out.read_text(encoding="utf-8").splitlines() == first_lines
    assert seen[-1] == (2, 2)
    assert [p.name for p in tmp_path.iterdir()] == ["r.out"]  # no partial file left


def test_write_values_is_all_or_nothing(tmp_path):
    from ledger_desktop.engine.cancel import CancelToken
    from ledger_desktop.engine.errors import Cancelled
    from ledger_desktop.engine.query.formatting import write_values

    out = tmp_path / "r.csv"
    out.write_text("what was there\n")
    token = CancelToken()
    values = [{"n": i} for i in range(5000)]

    def progress(done, total):
        if done >= 2000:
            token.cancel()
    with pytest.raises(Cancelled):
        write_values(values, out, "csv", progress=progress, cancel=token)
    assert out.read_text() == "what was there\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]
    with pytest.raises(ValueError, match="unknown format"):
        write_values(values, out, "xml")
    write_values(values, out, "csv")
    assert out.read_text().splitlines()[-1] == "4999"


@pytest.mark.parametrize(("ion", "shown"), [
    ("8885.99e0", "8885.99e0"), ("0.1e0", "0.1e0"), ("1e300", "1e300"), ("1.5e-7", "1.5e-7"),
    ("-0e0", "-0.0e0"), ("+inf", "+inf"), ("-inf", "-inf"), ("nan", "nan"),
    ("null.float", "null.float"), ("a::1.5e0", "a::1.5e+0"),
])
def test_floats_show_their_shortest_exact_text(ion: str, shown: str) -> None:
    """amazon.ion writes 20 digits: 8885.99 was shown as 8885.9899999999997817e+0, an amount
    that looks wrong, in tables and CSV (docs/reliability.md 76)."""
    value = simpleion.loads(ion)
    assert cell_text(value) == shown
    if ion not in ("nan", "null.float"):
        assert simpleion.loads(shown) == value  # the same 64-bit float (or annotation)
    csv = format_csv([simpleion.loads("{a: 8885.99e0, b: 2}")])
    assert csv == "a,b\n8885.99e0,2"


@pytest.mark.parametrize("fmt", ["csv", "table"])
def test_a_wide_row_is_formatted_reading_its_fields_once(monkeypatch, fmt) -> None:
    """Each cell was found by listing every field of its row: a 2,000-field row cost about
    1 s in `ledger query --format csv|table` and Save Results (probe 2026-11-29c, E2)."""
    from ledger_desktop.engine import struct_columns
    from ledger_desktop.engine.ion_values import loads

    wide = loads("{" + ", ".join(f"f{i}: {i}" for i in range(2000)) + ", f7: 'again'}")
    listings: list[int] = []
    real = struct_columns.fields_of
    monkeypatch.setattr(struct_columns, "fields_of", lambda v: listings.append(1) or real(v))
    text = format_values([wide], fmt)
    assert len(listings) <= 2  # the columns, once; each cell by its name
    if fmt == "csv":
        header, row = text.splitlines()
        cells = dict(zip(header.split(","), row.split(","), strict=True))
        assert len(cells) == 2001 and cells["f1999"] == "1999"
        assert cells["f7"] == "7" and cells["f7 (2)"] == "again"
