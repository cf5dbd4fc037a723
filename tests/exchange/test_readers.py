"""Record readers: every format, its records' positions, and precise errors."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from amazon.ion import simpleion
from amazon.ion.core import IonType
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger_desktop.engine.errors import ImportFileError
from ledger_desktop.engine.readers import detect_format, open_records
from ledger_desktop.engine.readers.base import Record


def read(path: Path, **kw) -> list[Record]:
    with open_records(path, **kw) as r:
        return list(r)


def error_of(path: Path, **kw) -> ImportFileError:
    with pytest.raises(ImportFileError) as e:
        read(path, **kw)
    return e.value


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    return p


# -- Ion text ------------------------------------------------------------------------------


def test_ion_text_stream_with_comments_lobs_sexps_and_annotations(tmp_path: Path) -> None:
    p = write(tmp_path, "a.ion",
              "$ion_1_0\n{a:1, b:\"x\"}\n// c\n/* b\n */ {c: {{aGVsbG8=}}, d: (a / b), "
              "e: '''x}''', f: {{\"}}\"}}}\nann :: {z: 2020-01-01T}\n")
    recs = read(p)
    assert [(r.line, r.column) for r in recs] == [(2, 1), (5, 5), (6, 1)]
    assert recs[0].value["a"] == 1
    assert recs[1].value["c"] == b"hello"
    assert recs[1].value["e"] == "x}"
    assert recs[1].value["f"].ion_type == IonType.CLOB
    assert [a.text for a in recs[2].value.ion_annotations] == ["ann"]


def test_ion_text_list_of_structs(tmp_path: Path) -> None:
    p = write(tmp_path, "a.ion", "[\n  {a: 1},\n  {a: 2},\n]\n")
    assert [(r.value["a"], r.line, r.column) for r in read(p)] == [(1, 2, 3), (2, 3, 3)]


def test_ion_text_local_symbol_tables_are_skipped(tmp_path: Path) -> None:
    """A local symbol table was read as a null document ("expected a struct, found null")."""
    text = ("ann::{a: 1}\n$ion_symbol_table::{symbols: [\"x\"]} {b: 5}\n"
            "'$ion_symbol_table'::{symbols: []}\n{c: 6}\n")
    recs = read(write(tmp_path, "s.ion", text))
    assert [simpleion.dumps(r.value, binary=False, omit_version_marker=True) for r in recs] == \
        ["ann::{a:1}", "{b:5}", "{c:6}"]
    assert [r.line for r in recs] == [1, 2, 4]
    # a symbol id such a table would define cannot be resolved value by value: said plainly
    e = error_of(write(tmp_path, "t.ion", '$ion_symbol_table::{symbols: ["x"]} {$10: 5}'))
    assert "SID" in e.reason and e.line == 1


def test_ion_text_error_names_line_and_column_inside_a_record(tmp_path: Path) -> None:
    p = write(tmp_path, "bad.ion", "{a:1}\n{\n  b: 1,\n  c: [1, 2 3]}\n")
    e = error_of(p)
    assert (e.file, e.line, e.column) == (str(p), 4, 12)
    assert "bad.ion, line 4, column 12" in str(e)


@pytest.mark.parametrize("text, line, column, reason", [
    ("{a:1}\n5\n", 2, 1, "expected a struct, found int"),
    ("{a:1}\nnull.struct\n", 2, 1, "expected a struct, found null.struct"),  # "found struct"
    ("{a:1}\n{b: \"abc\n", 2, 1, "never ends"),
    ("[{a:1},\n {b:2} {c:3}]", 2, 8, "expected ',' or ']'"),
    ("{a: 1}\n/* open", 2, 1, "comment never ends"),
    ("{a: 2020-13-01T}", 1, 1, "month"),
    # was "(… Dangling field name (SymbolToken(text='Amount', sid=None, location=None))
    # and/or annotation(s) (None) …)": amazon.ion's internals (docs/reliability.md 78)
    ("{a: 1}\n{b: 2, Amount: }\n", 2, 16, "Illegal character } (field Amount has no value)"),
])
def test_ion_text_errors(tmp_path: Path, text: str, line: int, column: int, reason: str) -> None:
    e = error_of(write(tmp_path, "x.ion", text))
    assert (e.line, e.column) == (line, column)
    assert reason in e.reason


def test_ion_text_values_spanning_chunk_boundaries(tmp_path: Path, monkeypatch) -> None:
    from ledger_desktop.engine.readers import text_buffer

    monkeypatch.setattr(text_buffer, "CHUNK_SIZE", 7)
    monkeypatch.setattr(text_buffer.TextWindow.__init__, "__defaults__", (7,))
    docs = [{"n": i, "s": "é" * i + "'\"}", "t": 12345678901234567890} for i in range(40)]
    text = "\n".join(simpleion.dumps(d, binary=False, omit_version_marker=True) for d in docs)
    recs = read(write(tmp_path, "c.ion", text))
    assert [dict(r.value) for r in recs] == docs
    assert [r.line for r in recs] == list(range(1, 41))


# -- Ion binary ----------------------------------------------------------------------------


def test_ion_binary_stream_and_list(tmp_path: Path) -> None:
    stream = simpleion.dumps([{"a": 1}, {"a": 2}], binary=True, sequence_as_stream=True)
    assert [r.value["a"] for r in read(write(tmp_path, "s.ion", stream))] == [1, 2]
    as_list = simpleion.dumps([{"a": 3}, {"a": 4}], binary=True)
    assert [r.value["a"] for r in read(write(tmp_path, "l.10n", as_list))] == [3, 4]
    # detected by content even without a known extension
    assert detect_format(write(tmp_path, "noext", as_list)) == "ion"


def test_ion_binary_errors_name_the_value(tmp_path: Path) -> None:
    data = simpleion.dumps([{"a": 1}, 7], binary=True, sequence_as_stream=True)
    e = error_of(write(tmp_path, "b.ion", data))
    assert "value 2: expected a struct, found int" in str(e)
    e = error_of(write(tmp_path, "t.ion", data[:-3] + b"\xff\xff"))
    assert "invalid Ion binary" in str(e)


# -- JSON ----------------------------------------------------------------------------------


def test_json_object_array_and_concatenated(tmp_path: Path) -> None:
    assert [r.value for r in read(write(tmp_path, "o.json", '{"a": 1}'))] == [{"a": 1}]
    recs = read(write(tmp_path, "a.json", '[\n {"a": 1.50, "b": 1e3, "c": 7},\n {"d": null}\n]'))
    assert recs[0].value == {"a": Decimal("1.50"), "b": 1000.0, "c": 7}
    assert str(recs[0].value["a"]) == "1.50"          # digits kept: an Ion decimal 1.50
    assert isinstance(recs[0].value["b"], float)
    assert [(r.line, r.column) for r in recs] == [(2, 2), (3, 2)]
    assert len(read(write(tmp_path, "c.json", '{"a":1}{"a":2}\n{"a":3}'))) == 3
    assert read(write(tmp_path, "e.json", "[]")) == []


@pytest.mark.parametrize("text, line, column, reason", [
    ('[\n {"a": 1},\n  {"d": tru}\n]', 3, 9, "Expecting value"),
    ('[{"a": 1} {"b": 2}]', 1, 11, "expected ',' or ']'"),
    ('[{"a": 1}, 3]', 1, 12, "expected an object, found int"),
    ('{"a": NaN}', 1, 1, "NaN is not valid JSON"),
    ('{"a": "x', 1, 7, "Unterminated string"),
    # a dict would keep the last value of a repeated key and lose the others unseen
    ('[{"a": 1},\n {"b": {"q": 1, "q": 2}}]', 2, 2, "the key 'q' appears more than once"),
])
def test_json_errors(tmp_path: Path, text: str, line: int, column: int, reason: str) -> None:
    e = error_of(write(tmp_path, "x.json", text))
    assert (e.line, e.column) == (line, column)
    assert reason in e.reason


def test_json_array_across_small_chunks(tmp_path: Path, monkeypatch) -> None:
    from ledger_desktop.engine.readers import text_buffer

    monkeypatch.setattr(text_buffer.TextWindow.__init__, "__defaults__", (5,))
    docs = [{"n": 10**i, "s": "ü" * i} for i in range(30)]
    recs = read(write(tmp_path, "a.json", json.dumps(docs, indent=1)))
    assert [r.value for r in recs] == docs   # numbers cut by a chunk edge are read whole


def test_json_lines(tmp_path: Path) -> None:
    p = write(tmp_path, "a.jsonl", '{"a":1}\n\n{"b": [1,}\n')
    e = error_of(p)
    assert (e.line, e.column) == (3, 10)
    p = write(tmp_path, "b.jsonl", '{"a":1}\n[1]\n')
    assert "expected an object, found list" in str(error_of(p))
    p = write(tmp_path, "c.ndjson", b'{"a":1}\n{"b":"\xff"}\n')
    assert error_of(p).line == 2
    e = error_of(write(tmp_path, "d.jsonl", '{"a":1}\n{"a":1, "a":2}\n'))
    assert e.line == 2 and "the key 'a' appears more than once" in e.reason
    # a record cut short: where it stops on its line (it said column 1)
    for ending in ("\n", "\r\n"):
        e = error_of(write(tmp_path, "e.jsonl", f'{{"a":1}}{ending}{{"a":2{ending}{{"a":3}}'))
        assert (e.line, e.column) == (2, 7), ending


@settings(max_examples=30, deadline=None)
@given(st.lists(st.dictionaries(st.text(max_size=5), st.one_of(
    st.integers(), st.text(max_size=10), st.booleans(), st.none(),
    st.lists(st.integers(), max_size=3)), max_size=4), max_size=8))
def test_json_round_trip_property(tmp_path_factory, docs) -> None:
    d = tmp_path_factory.mktemp("j")
    lines = "\n".join(json.dumps(x) for x in docs)
    assert [r.value for r in read(write(d, "a.jsonl", lines))] == docs
    assert [r.value for r in read(write(d, "a.json", json.dumps(docs)))] == docs


# -- bytes that are not UTF-8 -----------------------------------------------------------------


@pytest.mark.parametrize("name, first, row, last", [
    ("t.csv", b"a,b\n", b"%d,x\n", b""),
    ("t.ion", b"", b"{a:%d, b:\"x\"}\n", b""),
    ("t.json", b"[\n", b'{"a": %d, "b": "x"},\n', b'{"a": 0}]'),
    ("t.jsonl", b"", b'{"a": %d, "b": "x"}\n', b""),
])
def test_bad_utf8_names_its_own_line_and_column(tmp_path: Path, name: str, first: bytes,
                                                row: bytes, last: bytes) -> None:
    """Far into a file (past the readers' decoding chunks), with two-byte characters before
    it on its line: the error names the line and character column of the bad byte, not the
    start of the chunk being decoded."""
    lines = [row % i for i in range(40_000)]
    bad = 31_234
    lines[bad] = lines[bad].replace(b"x", "éé".encode() + b"\xff")
    e = error_of(write(tmp_path, name, first + b"".join(lines) + last))
    assert "not valid UTF-8" in e.reason
    column = lines[bad].decode("utf-8", "replace").index("\ufffd") + 1
    assert (e.line, e.column) == (bad + 1 + first.count(b"\n"), column)


# -- CSV -----------------------------------------------------------------------------------


def test_csv_conservative_inference(tmp_path: Path) -> None:
    p = write(tmp_path, "a.csv",
              'id,zip,amt,ok,name,empty,mixed\n'
              '1,02134,1.50,true,"Ann, B",,1\n'
              '2,98109,3,FALSE,"multi\nline",,x\n'
              '3,,,,,,\n')
    recs = read(p)
    assert recs[0].value == {"id": 1, "zip": "02134", "amt": Decimal("1.50"), "ok": True,
                             "name": "Ann, B", "empty": "", "mixed": "1"}
    assert recs[1].value["amt"] == Decimal("3") and recs[1].value["ok"] is False
    assert recs[2].value["amt"] is None and recs[2].value["name"] == ""
    assert [r.line for r in recs] == [2, 3, 5]
    kept = read(p, keep_strings=True)
    assert kept[0].value["id"] == "1" and kept[0].value["amt"] == "1.50"


@pytest.mark.parametrize("text, line, reason", [
    ("a,b\n1,2\n3\n", 3, "expected 2 fields"),
    ("a,a\n1,2\n", 1, "duplicate column name"),
    ("a,\n1,2\n", 1, "has no name"),
    ("", 1, "header row is required"),
    ('a,b\n1,"x\n', 2, "malformed CSV"),
])
def test_csv_errors(tmp_path: Path, text: str, line: int, reason: str) -> None:
    e = error_of(write(tmp_path, "x.csv", text))
    assert e.line == line
    assert reason in e.reason


def test_tsv_and_unknown_extension(tmp_path: Path) -> None:
    assert read(write(tmp_path, "a.tsv", "a\tb\n1\tx\n"))[0].value == {"a": 1, "b": "x"}
    e = error_of(write(tmp_path, "a.txt", "hello"))
    assert "unknown file type '.txt'" in str(e)
    with pytest.raises(ImportFileError, match="cannot open"):
        open_records(tmp_path / "missing.json")


def test_progress_bytes(tmp_path: Path) -> None:
    p = write(tmp_path, "a.csv", "a\n" + "1\n" * 1000)
    with open_records(p) as r:
        assert r.total_bytes == p.stat().st_size
        seen = [r.bytes_done for _ in r]
        assert seen[-1] <= r.total_bytes and seen == sorted(seen)


_tricky_text = st.text(alphabet=st.sampled_from(list("ab{}[]()'\"\\/*,:\n é{{}}")), max_size=12)
_ion_scalar = st.one_of(st.integers(), _tricky_text, st.booleans(), st.none(),
                        st.binary(max_size=8),
                        st.decimals(allow_nan=False, allow_infinity=False, places=2))
_ion_doc = st.dictionaries(_tricky_text, st.one_of(
    _ion_scalar, st.lists(_ion_scalar, max_size=3),
    st.dictionaries(_tricky_text, _ion_scalar, max_size=2)), max_size=4)


@settings(max_examples=40, deadline=None)
@given(st.lists(_ion_doc, max_size=6), st.booleans(), st.booleans())
def test_ion_text_scanner_round_trip_property(tmp_path_factory, docs, pretty, as_list) -> None:
    """Whatever the strings hold (quotes, brackets, comment markers), values are cut right."""
    d = tmp_path_factory.mktemp("i")
    kw = {"indent": "  "} if pretty else {}
    if as_list:
        text = simpleion.dumps(docs, binary=False, **kw)
    else:
        text = "\n// a comment between values\n".join(
            simpleion.dumps(x, binary=False, omit_version_marker=True, **kw) for x in docs)
    recs = read(write(d, "p.ion", text))
    assert [simpleion.dumps(r.value, binary=True) for r in recs] == \
        [simpleion.dumps(simpleion.loads(simpleion.dumps(x, binary=True)), binary=True)
         for x in docs]


@pytest.mark.parametrize("number", ["1e400", "-2.5E+309", "1.5e-400", "-7e-999"])
def test_json_number_beyond_a_float_is_refused_not_changed(tmp_path: Path, number: str) -> None:
    """Python reads 1e400 as infinity and 1e-400 as zero; stored, the document would hold
    another number than the file."""
    p = write(tmp_path, "n.jsonl", '{"a": 1}\n{"a": [1, ' + number + ']}\n')
    e = error_of(p)
    assert e.line == 2 and number in e.reason and "decimal" in e.reason


def test_json_numbers_a_float_holds_are_kept(tmp_path: Path) -> None:
    p = write(tmp_path, "n.jsonl",
              '{"a": 5e-324, "b": 0e5, "c": -0.0e1, "d": 1.7976931348623157e308, "f": 0.1}\n')
    (rec,) = read(p)
    v = rec.value
    assert (v["a"], v["b"], v["d"]) == (5e-324, 0.0, 1.7976931348623157e308)
    assert str(v["c"]) == "-0.0" and v["f"] == Decimal("0.1")


@pytest.mark.parametrize("name, text, line", [
    ("big.csv", "a,b\n1,x\n" + "9" * 5000 + ",y\n", 3),
    ("big.jsonl", '{"a": 1}\n{"a": ' + "9" * 5000 + "}\n", 2),
    ("big.ion", "{a: 1}\n{a: " + "9" * 5000 + "}\n", 2),
])
def test_an_integer_python_will_not_convert_is_a_clear_error(tmp_path: Path, name: str,
                                                             text: str, line: int) -> None:
    """More than 4,300 digits: the CSV reader used to end in a traceback, and every reader
    passed on Python's advice to change a Python setting."""
    e = error_of(write(tmp_path, name, text))
    assert e.line == line
    assert "an integer of 5,000 digits; at most 4,300 digits can be imported" in e.reason
    assert "sys." not in e.reason
