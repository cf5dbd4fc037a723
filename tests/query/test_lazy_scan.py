"""Late materialisation of filtered full scans (query/lazy.py, engine/ion_peek.py).

The lazy path (WHERE conjuncts run on fields peeked from the stored Ion binary) must give
exactly what the full-decode path gives: same rows, same errors. `v IS NOT MISSING AND …`
reads the whole document first, so it forces the full-decode path for comparison.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Any

import pytest
from amazon.ion.core import IonType, Timestamp, TimestampPrecision
from amazon.ion.simple_types import IonPyDict, IonPyInt, IonPyList, IonPyNull, IonPySymbol
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger_desktop.engine import ion_peek
from ledger_desktop.engine.errors import QueryError
from ledger_desktop.engine.ion_framing import IVM
from ledger_desktop.engine.ion_peek import peek
from ledger_desktop.engine.ion_values import dumps_binary, loads
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.query.compile import get_field
from ledger_desktop.engine.query.lazy import stored_rows
from ledger_desktop.engine.query.values import MISSING, equal, is_absent, tcode

NAMES = ["a", "b", "c"]


def _sym(t: str) -> IonPySymbol:
    return IonPySymbol.from_value(IonType.SYMBOL, t)


def _null(t: IonType) -> IonPyNull:
    return IonPyNull.from_value(t, None)


def _annotated(v: int) -> IonPyInt:
    x = IonPyInt.from_value(IonType.INT, v)
    x.ion_annotations = ("ann",)
    return x


scalars = st.one_of(
    st.integers(-3, 3),
    st.sampled_from([2**70, -(2**70), 0]),
    st.integers(-3, 3).map(lambda i: Decimal(i).quantize(Decimal("0.0"))),
    st.sampled_from([Decimal("-0"), Decimal("0E-3"), Decimal("-0.00"), Decimal("2.50"),
                     Decimal("1E+5"), Decimal("-123456789012345678901234567890.1")]),
    st.integers(-3, 3).map(float),
    st.sampled_from([0.1, -0.0, math.inf, -math.inf, math.nan, 2.5]),
    st.booleans(),
    st.sampled_from(["x", "xy", "1", "", "é"]),
    st.sampled_from(["x", "y", "a"]).map(_sym),
    st.sampled_from([IonType.NULL, IonType.INT, IonType.STRING, IonType.STRUCT,
                     IonType.BOOL, IonType.TIMESTAMP]).map(_null),
    st.sampled_from([
        Timestamp(2019, 1, 1, precision=TimestampPrecision.DAY),
        Timestamp(2019, 1, 1, 0, 0, 0, 0, dt.UTC, precision=TimestampPrecision.SECOND),
    ]),
    st.just(b"\x00\x01"),
    st.integers(0, 2).map(_annotated),
)


def _struct(pairs: list[tuple[str, Any]]) -> IonPyDict:
    d = IonPyDict()
    for k, v in pairs:
        d.add_item(k, v)  # repeated names are kept, as Ion allows
    return d


values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(st.tuples(st.sampled_from(NAMES), inner), max_size=3).map(_struct),
        st.lists(inner, max_size=2).map(lambda xs: IonPyList.from_value(IonType.LIST, xs)),
    ),
    max_leaves=6)
documents = st.lists(st.tuples(st.sampled_from(NAMES), values), max_size=5).map(_struct)


def _same(p: Any, f: Any) -> bool:
    """p (peeked) stands for f (decoded) in every expression: same type, value and form."""
    if is_absent(f) or is_absent(p):
        return type(p) is type(f) and getattr(p, "ion_type", None) == f.ion_type
    if tcode(p) != tcode(f):
        return False
    if isinstance(f, float):
        return repr(float(p)) == repr(float(f))
    if isinstance(f, Decimal):
        return Decimal(p).as_tuple() == Decimal(f).as_tuple()
    return equal(p, f) and str(p) == str(f)


def _check_partial(part: dict, full: Any, tree: dict) -> None:
    for name, sub in tree.items():
        pv, fv = get_field(part, name), get_field(full, name)
        if fv is MISSING:
            assert pv is MISSING
        elif sub is None:
            assert _same(pv, fv), (name, pv, fv)
        elif isinstance(fv, IonPyDict) and not fv.ion_annotations:
            _check_partial(pv, fv, sub)
        else:  # not a struct: looking a field up in it gives MISSING, as for `fv`
            for k in sub:
                assert get_field(pv, k) is MISSING and get_field(fv, k) is MISSING


trees = st.recursive(st.none(),
                     lambda inner: st.dictionaries(st.sampled_from(NAMES + ["zz"]), inner,
                                                   max_size=3),
                     max_leaves=5).filter(lambda t: isinstance(t, dict))


@settings(max_examples=300, deadline=None)
@given(doc=documents, tree=trees)
def test_peek_gives_the_decoded_fields(doc, tree):
    blob = dumps_binary(doc)
    full = loads(blob)
    part = peek(blob, tree)
    if part is None:
        return  # the caller decodes the whole document
    _check_partial(part, full, tree)


@settings(max_examples=200, deadline=None)
@given(pairs=st.lists(st.tuples(st.sampled_from(NAMES), scalars.filter(
    lambda v: not getattr(v, "ion_annotations", ()))), max_size=5))
def test_peek_handles_every_plain_scalar(pairs):
    """No fallback for unannotated scalars: the fast path is really taken."""
    blob = dumps_binary(_struct(pairs))
    part = peek(blob, {n: None for n in NAMES})
    assert part is not None
    _check_partial(part, loads(blob), {n: None for n in NAMES})


def test_peek_reads_hand_encoded_forms():
    # 32-bit float, a sorted struct (length in a VarUInt), a negative int, a symbol by SID,
    # a decimal with a negative-zero coefficient, and an empty decimal.
    lst = bytes.fromhex("e98183d687b481618162")   # symbols: a (10), b (11)
    f32 = bytes.fromhex("443fc00000")                      # 1.5f
    for body, want in [
        (bytes.fromhex("8a") + f32, 1.5),
        (bytes.fromhex("8a3201ff"), -511),
        (bytes.fromhex("8a710b"), _sym("b")),
        (bytes.fromhex("8a52c280"), Decimal("-0.00")),
        (bytes.fromhex("8a50"), Decimal("0")),
    ]:
        blob = IVM + lst + bytes([0xD0 + len(body)]) + body
        part = peek(blob, {"a": None})
        assert part is not None
        assert _same(part["a"], loads(blob)["a"]) and _same(part["a"], want)
    body = bytes.fromhex("8a21058b2106")
    sorted_blob = IVM + lst + bytes([0xD1, 0x80 | len(body)]) + body
    assert peek(sorted_blob, {"a": None, "b": None}) == {"a": 5, "b": 6} == loads(sorted_blob)


@pytest.mark.parametrize("hex_blob", [
    "e00100ea21 05",                      # not a struct
    "e00100ea d3 8a2105 d0",              # two top-level values
    "e00100ea e48183d0d0",                # an annotated value that is not a symbol table
    "e00100ea d3 8a2105 00",              # trailing garbage
    "e00100ea ee8d8183deb9867183be8381",  # imports: left to amazon.ion
    "e00100ea d4 f02105 00",              # a field name with a SID beyond the symbol table
    "e00100ea d2 8401",                   # NOP padding inside the struct
    "e00100ea e78183d487b28161 d7 8a65c00fe38d81",  # a timestamp with month 13
])
def test_peek_falls_back_on_what_it_does_not_handle(hex_blob):
    assert peek(bytes.fromhex(hex_blob.replace(" ", "")), {"a": None}) is None


@settings(max_examples=300, deadline=None)
@given(doc=documents, data=st.data())
def test_peek_is_safe_on_damaged_binary(doc, data):
    blob = bytearray(dumps_binary(doc))
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(blob) - 1))
        blob[i] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(4, len(blob)))
    part = peek(bytes(blob[:cut]), {"a": {"b": None}, "b": None, "c": None})
    assert part is None or isinstance(part, dict)


def test_symbol_table_cache_is_bounded():
    ion_peek._table_cache.clear()
    for i in range(ion_peek._TABLE_CACHE_LIMIT + 10):
        peek(dumps_binary({f"f{i}": 1}), {})
    assert 0 < len(ion_peek._table_cache) <= ion_peek._TABLE_CACHE_LIMIT


# ---------------------------------------------------------------- the query layer

PATHS = ["v.a", "v.b", "v.b.c", "v['a']", "a", "v.b['c']", "v.c", "v.a.b.c", "v.zz"]
LITERALS = ["1", "1.0", "`1e0`", "'x'", "`x`", "NULL", "MISSING", "true", "`2019-01-01T`",
            "`null.int`", "-3", "2.50", "''", "`{c: 1}`"]


@st.composite
def predicates(draw: Any, depth: int = 2) -> str:
    kind = draw(st.integers(0, 9 if depth > 0 else 6))
    p, lit = draw(st.sampled_from(PATHS)), draw(st.sampled_from(LITERALS))
    if kind == 0:
        op = draw(st.sampled_from(["=", "<>", "<", ">", "<=", ">="]))
        return f"{p} {op} {lit}"
    if kind == 1:
        return f"{p} IS {draw(st.sampled_from(['', 'NOT ']))}" \
               f"{draw(st.sampled_from(['NULL', 'MISSING']))}"
    if kind == 2:
        return f"{p} IN [{lit}, {draw(st.sampled_from(LITERALS))}]"
    if kind == 3:
        return f"{p} LIKE 'x%'"
    if kind == 4:
        return f"{p} BETWEEN {lit} AND {draw(st.sampled_from(LITERALS))}"
    if kind == 5:
        return f"{p} = {draw(st.sampled_from(PATHS))}"
    if kind == 6:
        return f"CHAR_LENGTH({p}) > 0"
    if kind == 7:
        return f"NOT ({draw(predicates(depth - 1))})"
    op = "OR" if kind == 8 else "AND"
    return f"({draw(predicates(depth - 1))}) {op} ({draw(predicates(depth - 1))})"


def _run(ledger: Ledger, stmt: str) -> tuple[str, Any]:
    try:
        r = ledger.execute(stmt)
    except QueryError as e:
        # the comparison statement is longer: compare the message, not the column
        return "error", re.sub(r" at line \d+, column \d+", "", str(e).split("\n")[0])
    return "ok", sorted(map(int, r.values))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=st.lists(documents, min_size=1, max_size=6),
       where=st.lists(predicates(), min_size=1, max_size=3))
def test_lazy_and_full_decode_scans_agree(tmp_path_factory, docs, where):
    path = tmp_path_factory.mktemp("lazy") / "l.ledger"
    with Ledger.create(path) as ledger:
        ledger.execute("CREATE TABLE T")
        with ledger.transaction() as tx:
            stmt = tx.begin_statement("INSERT INTO T ?")
            tid = tx.table("T").table_id
            for i, d in enumerate(docs):
                d.add_item("i", i)
                tx.insert(tid, d, stmt)
        cond = " AND ".join(where)
        lazy = f"SELECT VALUE v.i FROM T AS v WHERE {cond}"
        full = f"SELECT VALUE v.i FROM T AS v WHERE v IS NOT MISSING AND {cond}"
        assert "run on fields read before decoding" in ledger.execute("EXPLAIN " + lazy).plan[0]
        assert "before decoding" not in ledger.execute("EXPLAIN " + full).plan[0]
        assert _run(ledger, lazy) == _run(ledger, full)
        # COUNT(*) reads no document: rows that pass are counted without being decoded
        count = f"SELECT VALUE COUNT(*) FROM T AS v WHERE {cond}"
        assert "not decoded" in ledger.execute("EXPLAIN " + count).plan[0]
        assert _run(ledger, count) == _run(ledger, count.replace(
            "WHERE", "WHERE v IS NOT MISSING AND"))


@pytest.fixture
def cars(ledger):
    ledger.execute("CREATE TABLE V")
    ledger.execute("CREATE TABLE O")
    for i in range(12):
        ledger.execute("INSERT INTO V ?", {"VIN": f"v{i}", "Year": 2000 + i,
                                           "Color": ["Red", "Blue", "Green"][i % 3],
                                           "Owner": {"Id": f"p{i % 4}"}})
    for i in range(4):
        ledger.execute("INSERT INTO O ?", {"Id": f"p{i}", "Name": f"n{i}"})
    return ledger


def test_explain_names_the_lazily_read_fields(cars):
    plan = cars.execute("EXPLAIN SELECT COUNT(*) FROM V AS v WHERE v.Color = 'Red' AND "
                        "v.Owner.Id = 'p0' AND v IS NOT NULL AND v.Year > 1").plan
    assert plan == ["v: full scan of table V; 4 filter predicate(s) (2 run on fields read "
                    "before decoding: Color, Owner.Id)"]


@pytest.mark.parametrize("stmt, decoded", [
    ("SELECT COUNT(*) AS n FROM V AS v WHERE v.Color = 'Red'", False),
    ("SELECT COUNT(*) AS n, 1 AS one FROM V AS v WHERE Color = 'Red' HAVING COUNT(*) > 0",
     False),
    ("SELECT v.Color, COUNT(*) AS n FROM V AS v WHERE v.Year > 2003 GROUP BY v.Color", True),
    ("SELECT COUNT(*) AS n FROM V AS v WHERE v.Year > 2003 GROUP BY v.Color GROUP AS g", True),
    ("SELECT VALUE v.VIN FROM V AS v WHERE v.Color = 'Red'", True),
    ("SELECT * FROM V AS v WHERE v.Color = 'Red'", True),
    ("SELECT COUNT(*) AS n FROM V AS v WHERE v.Color = 'Red' AND v IS NOT NULL", True),
    ("SELECT COUNT(*) AS n FROM V AS v, O AS o WHERE v.Color = 'Red' AND o.Id = v.Owner.Id",
     True),
    ("SELECT COUNT(*) AS n FROM V AS v, v.Owner AS w WHERE v.Color = 'Red'", True),
    ("SELECT COUNT(*) AS n FROM V AS v WHERE v.Color = 'Red' ORDER BY MAX(Year)", True),
    ("SELECT (SELECT VALUE v.VIN FROM << 1 >> AS z) AS s FROM V AS v WHERE v.Color = 'Red'",
     True),
])
def test_rows_are_decoded_only_when_something_reads_them(cars, stmt, decoded):
    line = cars.execute("EXPLAIN " + stmt).plan[0]
    assert "before decoding" in line and ("not decoded" not in line) == decoded
    full = cars.execute(stmt.replace("WHERE", "WHERE v IS NOT MISSING AND"))
    assert "before decoding" not in cars.execute(
        "EXPLAIN " + stmt.replace("WHERE", "WHERE v IS NOT MISSING AND")).plan[0]
    assert sorted(map(repr, cars.execute(stmt).values)) == sorted(map(repr, full.values))


def test_only_a_prefix_runs_early_so_errors_do_not_change(cars):
    # `NOT v.Year` fails on the first document; a later conjunct that would reject every
    # document must not run first and hide that error.
    with pytest.raises(QueryError, match="NOT expects a boolean"):
        cars.execute("SELECT * FROM V AS v WHERE v IS NOT MISSING AND NOT v.Year "
                     "AND v.Color = 'none'")
    with pytest.raises(QueryError, match="NOT expects a boolean"):
        cars.execute("SELECT * FROM V AS v WHERE NOT v.Year AND v.Color = 'none'")


def test_joins_subqueries_and_dml_use_the_lazy_scan(cars):
    r = cars.execute("SELECT v.VIN, o.Name FROM V AS v, O AS o WHERE v.Color = 'Red' "
                     "AND o.Id = v.Owner.Id AND o.Name <> 'n9'")
    assert sorted((x["VIN"], x["Name"]) for x in r.values) == \
        [("v0", "n0"), ("v3", "n3"), ("v6", "n2"), ("v9", "n1")]
    r = cars.execute("SELECT VALUE v.VIN FROM V AS v WHERE v.Owner.Id IN "
                     "(SELECT VALUE o.Id FROM O AS o WHERE o.Name = 'n1') AND Year > 2004")
    assert sorted(r.values) == ["v5", "v9"]
    assert len(cars.execute("UPDATE V AS v SET v.Color = 'Black' WHERE v.Color = 'Blue' "
                            "AND v.Year < 2005").values) == 2
    assert len(cars.execute("DELETE FROM V AS v WHERE v.Color = 'Black'").values) == 2
    r = cars.execute("SELECT VALUE COUNT(*) FROM V AS v BY id WHERE v.Color = 'Blue' "
                     "AND id IS NOT NULL")
    assert r.values == [2]


def test_the_scan_sees_this_transactions_writes(cars):
    with cars.transaction() as tx:
        tx.execute("INSERT INTO V VALUE {'VIN': 'new', 'Color': 'Red', 'Year': 2030}")
        tx.execute("UPDATE V AS v SET v.Color = 'Red' WHERE v.VIN = 'v1'")
        tx.execute("DELETE FROM V AS v WHERE v.VIN = 'v0'")
        r = tx.execute("SELECT VALUE v.VIN FROM V AS v WHERE v.Color = 'Red'")
        assert sorted(r.values) == ["new", "v1", "v3", "v6", "v9"]
        tx.abort()


def test_stored_rows_agree_with_transaction_scan(cars):
    with cars.transaction() as tx:
        tx.execute("INSERT INTO V VALUE {'VIN': 'new'}")
        tx.execute("UPDATE V AS v SET v.Color = 'Pink' WHERE v.VIN = 'v1'")
        tx.execute("DELETE FROM V AS v WHERE v.VIN = 'v2'")
        tid = tx.table("V").table_id
        before = tx.stats.documents_examined
        want = [(d.doc_id, d.data) for d in tx.scan(tid)]
        n_scan = tx.stats.documents_examined - before
        tx._read_tables.discard(tid)
        before = tx.stats.documents_examined
        got = [(i, loads(b) if b is not None else d) for i, b, d in stored_rows(tx, tid)]
        assert tx.stats.documents_examined - before == n_scan
        assert tid in tx._read_tables  # a full scan conflicts with any write to the table
        assert [i for i, _ in got] == [i for i, _ in want]
        assert all(equal(a, b) for (_, a), (_, b) in zip(got, want, strict=True))
        tx.abort()


def test_documents_examined_is_unchanged(cars):
    r = cars.execute("SELECT COUNT(*) AS c FROM V AS v WHERE v.Color = 'Red'")
    assert r.values[0]["c"] == 4 and r.documents_examined == 12
