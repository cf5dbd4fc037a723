"""The C writer of documents (ion_hash.write_document, the commit path's document write) writes
what amazon.ion writes (ion_values.dumps_binary), byte for byte, for amazon.ion's IonPy values of
every type, annotated or not, with repeated field names; whatever it cannot match it leaves to
amazon.ion, and write_document then returns amazon.ion's bytes or raises amazon.ion's error."""

from __future__ import annotations

import datetime as dt
import struct
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from amazon.ion.core import IonType, Timestamp, TimestampPrecision
from amazon.ion.equivalence import ion_equals
from amazon.ion.exceptions import IonException
from amazon.ion.simple_types import (
    IonPyBool,
    IonPyBytes,
    IonPyDecimal,
    IonPyDict,
    IonPyFloat,
    IonPyInt,
    IonPyList,
    IonPyNull,
    IonPySymbol,
    IonPyText,
    IonPyTimestamp,
)
from amazon.ion.symbols import SymbolToken
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_ion_hash_properties import timestamps

from ledger_desktop.engine import ion_hash as ih
from ledger_desktop.engine.ion_binary_hash import ion_hash_binary
from ledger_desktop.engine.ion_framing import check_binary_framing
from ledger_desktop.engine.ion_values import dumps_binary, ion_type, loads, too_deep
from ledger_desktop.engine.light_values import Blob, Int, List, Struct, Text

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from bench_engine import doc  # noqa: E402

pytestmark = pytest.mark.skipif(not ih.C_HASH_VALUE, reason="C extension not built")
SETTINGS = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- IonPy values of every type ------------------------------------------------------------

# System symbol texts (written as their own SIDs), texts that look like SIDs, the empty text,
# and a few short names so that structs repeat them and symbols repeat across the table.
SYSTEM_TEXTS = ["$ion", "$ion_1_0", "$ion_symbol_table", "name", "version", "imports", "symbols",
                "max_id", "$ion_shared_symbol_table"]
names = st.one_of(st.sampled_from(["a", "b", "c", "", "$10", "é", "\U0001F600"] + SYSTEM_TEXTS),
                  st.text(max_size=6))
unicode_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)
annotation = st.one_of(names, names.map(lambda s: SymbolToken(s, None)))
annotations = st.one_of(st.just(()), st.lists(annotation, min_size=1, max_size=3).map(tuple),
                        st.lists(annotation, min_size=1, max_size=2))  # a list works too

int_edges = [0, 1, -1, 127, 128, 255, 256, 2**63 - 1, -2**63, 2**63, -2**63 - 1, 2**64 - 1,
             2**64, -2**64, 2**128, 2**13999, -2**13999 + 1]
ints = st.one_of(st.integers(), st.integers(-2**200, 2**200), st.sampled_from(int_edges))


@st.composite
def decimals(draw: st.DrawFn) -> Decimal:
    """Decimals ion-c holds exactly: up to 34 digits, exponents -6176..6111, both zeros."""
    digits = draw(st.integers(1, 34))
    coefficient = draw(st.one_of(st.integers(0, 10**digits - 1), st.just(10**digits - 1),
                                 st.just(0)))
    exponent = draw(st.one_of(st.integers(-40, 40), st.integers(-6176, 6111),
                              st.sampled_from([-6176, 6111, 0, -1, 1, 63, 64, -64, -65])))
    sign = draw(st.integers(0, 1))
    return Decimal((sign, tuple(int(c) for c in str(coefficient)), exponent))


floats = st.one_of(st.floats(), st.sampled_from([0.0, -0.0, float("inf"), float("-inf"),
                                                float("nan"), 5e-324, 1.7976931348623157e308]),
                   st.integers(0, 2**64 - 1).map(lambda b: struct.unpack(">d", b.to_bytes(8))[0]))

_OFFSETS = ["Z", "-00:00", "+00:00", "+23:59", "-23:59", "+05:30", "-12:34", "+00:01"]


@st.composite
def timestamp_texts(draw: st.DrawFn) -> str:
    """Ion timestamps of every precision and offset, as text for amazon.ion's reader."""
    year = draw(st.integers(1, 9999))
    precision = draw(st.sampled_from(["year", "month", "day", "minute", "second", "fraction"]))
    if precision == "year":
        return f"{year:04d}T"
    month = draw(st.integers(1, 12))
    if precision == "month":
        return f"{year:04d}-{month:02d}T"
    day = draw(st.integers(1, 28))
    if precision == "day":
        return f"{year:04d}-{month:02d}-{day:02d}" + draw(st.sampled_from(["", "T"]))
    hour, minute = draw(st.integers(0, 23)), draw(st.integers(0, 59))
    text = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}"
    if precision != "minute":
        text += f":{draw(st.integers(0, 59)):02d}"
    if precision == "fraction":  # amazon.ion's reader takes at most 9 digits
        text += "." + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=1,
                                            max_size=9)))
    offset = draw(st.sampled_from(_OFFSETS))
    if (year == 1 and offset.startswith("+")) or (year == 9999 and offset.startswith("-")):
        offset = "Z"  # the instant must stay within years 1..9999
    return text + offset


def ionpy(cls, ion_type):
    """IonPy values of `cls` and `ion_type` from plain ones, with annotations."""
    return lambda plain: st.tuples(plain, annotations).map(
        lambda p: cls.from_value(ion_type, p[0], p[1]))


def annotated_timestamp(text_and_annotations) -> IonPyTimestamp:
    text, ann = text_and_annotations
    value = loads(text)
    value.ion_annotations = ann
    return value


ionpy_scalars = st.one_of(
    ionpy(IonPyText, IonType.STRING)(unicode_text),
    ionpy(IonPyText, IonType.SYMBOL)(names),
    ionpy(IonPySymbol, IonType.SYMBOL)(names.map(lambda s: SymbolToken(s, None))),
    ionpy(IonPySymbol, IonType.SYMBOL)(st.just(SymbolToken(None, 0))),
    ionpy(IonPyInt, IonType.INT)(ints),
    ionpy(IonPyBool, IonType.BOOL)(st.booleans()),
    ionpy(IonPyFloat, IonType.FLOAT)(floats),
    ionpy(IonPyDecimal, IonType.DECIMAL)(decimals()),
    ionpy(IonPyBytes, IonType.BLOB)(st.binary(max_size=20)),
    ionpy(IonPyBytes, IonType.CLOB)(st.binary(max_size=20)),
    st.tuples(timestamp_texts(), annotations).map(annotated_timestamp),
    ionpy(IonPyTimestamp, IonType.TIMESTAMP)(timestamps()),
    st.tuples(st.sampled_from(list(IonType)), annotations).map(
        lambda p: IonPyNull.from_value(p[0], None, p[1])),
)
# Plain Python values amazon.ion writes too (statements build documents from them).
plain_scalars = st.one_of(
    st.none(), st.booleans(), floats, decimals(), unicode_text, ints,
    st.binary(max_size=8), names.map(lambda s: SymbolToken(s, None)), timestamps(),
    unicode_text.map(Text), st.integers(-2**63 + 1, 2**63 - 1).map(Int), st.binary().map(Blob))


def ionpy_struct(pairs_and_annotations) -> IonPyDict:
    pairs, ann = pairs_and_annotations
    d = IonPyDict.from_value(IonType.STRUCT, {}, ann)
    for k, v in pairs:
        d.add_item(k, v)  # repeated names kept, in the store's order
    return d


def trees(scalars: st.SearchStrategy) -> st.SearchStrategy:
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.tuples(st.lists(st.tuples(names, inner), max_size=6), annotations).map(
                ionpy_struct),
            ionpy(IonPyList, IonType.LIST)(st.lists(inner, max_size=4)),
            ionpy(IonPyList, IonType.SEXP)(st.lists(inner, max_size=4)),
            st.lists(inner, max_size=3).map(List),
            st.dictionaries(names, inner, max_size=3).map(Struct),
            st.lists(inner, max_size=3), st.dictionaries(names, inner, max_size=3)),
        max_leaves=25)


def _text(token) -> str | None:
    return token.text if isinstance(token, SymbolToken) else token


def top_level_system_value(v) -> bool:
    """A top-level $ion_1_0 symbol or $ion_symbol_table:: value: amazon.ion writes a version
    marker or a symbol table, not the value; the C writer leaves them to it (tested below)."""
    ann = [_text(a) for a in getattr(v, "ion_annotations", None) or ()]
    symbol = isinstance(v, SymbolToken) or (isinstance(v, IonPyText)
                                            and v.ion_type == IonType.SYMBOL)
    return "$ion_symbol_table" in ann or (symbol and _text(v) == "$ion_1_0")


documents = trees(st.one_of(ionpy_scalars, plain_scalars)).filter(
    lambda v: not top_level_system_value(v))


class _Instant:
    """A timestamp compared as Ion compares them (precision, offset, fraction digits)."""

    def __init__(self, ts) -> None:
        self.ts = ts

    def __eq__(self, other) -> bool:
        return ion_equals(self.ts, other.ts)

    def __repr__(self) -> str:
        return repr(self.ts)


def model(v):
    """A value in the Ion data model, as plain comparable Python: type, annotation texts and
    content (structs as their (name, value) pairs in order, floats by their bits)."""
    ann = tuple(a.text if isinstance(a, SymbolToken) else a
                for a in getattr(v, "ion_annotations", None) or ())
    t = ion_type(v)
    if v is None or isinstance(v, IonPyNull):
        return ("null", t, ann)
    if t == IonType.STRUCT:
        content = [(k, model(x)) for k, x in v.items()]
    elif t in (IonType.LIST, IonType.SEXP):
        content = [model(x) for x in v]
    elif t == IonType.FLOAT:
        content = struct.pack(">d", v)
    elif t == IonType.DECIMAL:
        content = v.as_tuple()
    elif t == IonType.SYMBOL:
        content = v.text if isinstance(v, SymbolToken) else str(v)
    elif t == IonType.TIMESTAMP:
        content = _Instant(v)
    elif t in (IonType.INT, IonType.BOOL):
        content = int(v)
    elif t == IonType.STRING:
        content = str(v)
    else:
        content = bytes(v)
    return (t, ann, content)


# amazon.ion sizes a timestamp by its local year and writes its UTC year: when the two fall on
# either side of 127/128 its bytes do not match its stated length.
AMAZON_ION_MISFRAMES = "0128-01-01T00:00+23:59"
AMAZON_ION_MISSIZES = "0127-12-31T23:00-01:00"  # framed consistently, but unreadable


def readable(data: bytes) -> bool:
    """amazon.ion reads it back (ion_values.loads checks its framing first)."""
    try:
        loads(data)
    except IonException:
        return False
    return True


def assert_written_in_c(value) -> bytes:
    got = ih.write_document_c(value)
    assert got is not None, "left to amazon.ion"
    ref = dumps_binary(value)
    if readable(ref):  # loads checks the framing first
        assert got == ref
    else:  # only amazon.ion's mis-sized timestamps: ours must be well framed and read back
        assert "0128-01-01" in str(value) or "0127-12-31" in str(value), ref
        check_binary_framing(got)
        assert model(loads(got)) == model(value)
    assert ih.write_document(value) == got
    return got


@SETTINGS
@given(documents)
@example(loads('{a:sym, b:"s", c:1, d:true, e:1.5e0, f:1.50, g:2020-01-01T00:00Z, '
               'h:{{aGVsbG8=}}, i:{{"clob"}}, j:null.int, k:null, l:(a b), m:[1], a:2, '
               'n:$ion, o:null.struct, p:ann::{x:b::c::d}, q:-0d-3, r:[], s:{}}'))
def test_writes_what_amazon_ion_writes(value) -> None:
    got = assert_written_in_c(value)
    check_binary_framing(got)
    back = loads(got)
    assert model(back) == model(value)  # the value round-trips
    assert ih.ion_hash(back) == ih.ion_hash(value)


@SETTINGS
@given(st.tuples(timestamp_texts(), annotations).map(annotated_timestamp))
@example(loads(AMAZON_ION_MISFRAMES))
@example(loads(AMAZON_ION_MISSIZES))
def test_timestamps_of_every_precision_and_offset(value) -> None:
    got = assert_written_in_c(IonPyList.from_value(IonType.LIST, [value]))
    assert model(loads(got)[0]) == model(value)
    if not top_level_system_value(value):
        assert_written_in_c(value)


@st.composite
def python_timestamps(draw: st.DrawFn):
    """Timestamps built in Python (statements' parameters): datetimes, Timestamps of every
    precision with microseconds or with a fraction of up to 12 digits, or without precision;
    offsets in whole minutes or not."""
    fields = [draw(st.integers(1, 9999)), draw(st.integers(1, 12)), draw(st.integers(1, 28)),
              draw(st.integers(0, 23)), draw(st.integers(0, 59)), draw(st.integers(0, 59))]
    tz = draw(st.one_of(st.none(), st.just(dt.UTC),
                        st.integers(-1439, 1439).map(lambda m: dt.timezone(dt.timedelta(minutes=m))),
                        st.integers(-86399, 86399).map(lambda s: dt.timezone(dt.timedelta(seconds=s)))))
    kind = draw(st.sampled_from(["datetime", "microseconds", "fraction", "no precision"]))
    if kind == "datetime":
        return dt.datetime(*fields, draw(st.integers(0, 999999)), tz)
    if kind == "no precision":
        return Timestamp(*fields, draw(st.integers(0, 999999)), tz)
    precision = draw(st.sampled_from(list(TimestampPrecision)))
    if kind == "microseconds":
        digits = draw(st.integers(0, 6))
        micro = draw(st.integers(0, 10**digits - 1)) * 10**(6 - digits)
        return Timestamp(*fields, micro, tz, precision=precision, fractional_precision=digits)
    digits = draw(st.integers(0, 12))
    fraction = Decimal((0, tuple(draw(st.lists(st.integers(0, 9), min_size=digits,
                                               max_size=digits))) or (0,), -digits))
    return Timestamp(*fields, None, tz, precision=precision, fractional_seconds=fraction)


def left_to_amazon_ion(ts) -> bool:
    """The timestamps write_document leaves to amazon.ion (see _timestamp_rep_of_document)."""
    offset = ts.utcoffset()
    fraction = getattr(ts, "fractional_seconds", None)
    return (isinstance(ts, Timestamp) and ts.precision is None
            or fraction is not None and fraction.as_tuple().exponent < -9
            or offset is not None and offset % dt.timedelta(minutes=1) != dt.timedelta(0))


@SETTINGS
@given(python_timestamps(), annotations)
@example(dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(minutes=1))), ())
def test_timestamps_built_in_python(ts, ann) -> None:
    value = [IonPyList.from_value(IonType.LIST, [ts], ann)]
    try:
        expected = dumps_binary(value)
    except IonException:  # an instant outside years 1-9999 in UTC
        # the C writer says why (ion_hash.timestamp_rep), or leaves it to amazon.ion's error
        with pytest.raises((ValueError, IonException)):
            ih.write_document(value)
        try:
            assert ih.write_document_c(value) is None
        except ValueError as e:
            assert "which Ion cannot represent" in str(e)
        return
    got = ih.write_document_c(value)
    assert (got is None) == left_to_amazon_ion(ts)
    if ih._beyond_ion_c(value):  # more than 9 fractional digits: kept exactly (reliability 91)
        assert ion_hash_binary(ih.write_document(value)) == ih.ion_hash(value)
    else:
        assert ih.write_document(value) == expected
    if got is not None:
        assert got == expected


def test_the_remembered_timestamp_is_checked_too() -> None:
    """ion_hash remembers the last timestamp it hashed; one amazon.ion writes differently from
    timestamp_rep is still left to amazon.ion."""
    ts = Timestamp(2020, 1, 2, 3, 4, 5)  # no precision: amazon.ion writes a datetime's fields
    ih._timestamp_parts(ts)
    try:
        assert ih.write_document_c([ts]) is None
        assert ih.write_document([ts]) == dumps_binary([ts])
    finally:
        ih._last_timestamp[0] = object()


@SETTINGS
@given(decimals(), st.booleans())
def test_decimals(value: Decimal, ionpy_value: bool) -> None:
    v = IonPyDecimal.from_value(IonType.DECIMAL, value) if ionpy_value else value
    got = assert_written_in_c(v)
    assert loads(got).as_tuple() == value.as_tuple()  # digits, exponent and sign kept


@SETTINGS
@given(floats)
def test_floats(value: float) -> None:
    got = assert_written_in_c(IonPyFloat.from_value(IonType.FLOAT, value))
    assert struct.pack(">d", loads(got)) == struct.pack(">d", value)  # -0.0 and NaN bits kept


@SETTINGS
@given(ints)
def test_ints(value: int) -> None:
    assert loads(assert_written_in_c(IonPyInt.from_value(IonType.INT, value))) == value


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "name", ""]), ionpy_scalars), max_size=8))
def test_repeated_field_names_keep_amazon_ions_order(pairs) -> None:
    value = ionpy_struct((pairs, ()))
    got = assert_written_in_c(value)
    assert [k for k, _ in loads(got).items()] == [k for k, _ in value.items()]


# --- what it leaves to amazon.ion ----------------------------------------------------------

# Decimals past what a decQuad holds exactly, SIDs without text, Python types amazon.ion writes
# but this writer does not take, nesting past 100.
def deep(n: int):
    v = IonPyInt.from_value(IonType.INT, 1)
    for _ in range(n):
        v = IonPyList.from_value(IonType.LIST, [v])
    return v


LEFT = [
    Decimal("1" * 35), Decimal("1" + "0" * 40), Decimal("-" + "9" * 50 + "e-3"),
    Decimal("1e6112"), Decimal("1e6144"), Decimal("1e6145"), Decimal("1e-6177"),
    Decimal("0e6112"), Decimal("-0e-6177"),
    IonPySymbol.from_value(IonType.SYMBOL, SymbolToken(None, 4)),
    IonPyInt.from_value(IonType.INT, 1, (SymbolToken(None, 4),)),
    IonPyBool.from_value(IonType.BOOL, 2),
    (1, 2), {"a": (1,)}, {None: 1}, deep(101), deep(500),
    IonPyInt.from_value(IonType.INT, 2**14001), IonPyInt.from_value(IonType.INT, -2**14001),
    IonPyInt.from_value(IonType.INT, 1, (1,)),  # amazon.ion skips an int annotation
]
# At top level only: amazon.ion writes a version marker or a symbol table instead.
TOP_LEVEL_SYSTEM = [
    IonPySymbol.from_value(IonType.SYMBOL, SymbolToken("$ion_1_0", None)),
    IonPyText.from_value(IonType.SYMBOL, "$ion_1_0", ("a",)),
    IonPyDict.from_value(IonType.STRUCT, {"symbols": ["x"]}, ("$ion_symbol_table",)),
    IonPyDict.from_value(IonType.STRUCT, {"a": 1}, ("b", SymbolToken("$ion_symbol_table", None))),
]


@pytest.mark.parametrize("value", LEFT + TOP_LEVEL_SYSTEM, ids=range(len(LEFT) + 4))
def test_what_it_leaves_to_amazon_ion(value) -> None:
    assert ih.write_document_c(value) is None
    ref = dumps_binary(value)
    if too_deep(value) is not None:  # nesting past 100 is refused (tests/engine/test_nesting_limit.py)
        with pytest.raises(ValueError, match="more than 100 levels deep"):
            ih.write_document(value)
    elif isinstance(value, Decimal) and ih._beyond_ion_c(value):
        # amazon.ion's C writer would change it (or write what it cannot read back): its
        # Python writer keeps it exactly (docs/reliability.md 91)
        got = ih.write_document(value)
        assert ion_hash_binary(got) == ih.ion_hash(value)
        assert loads(got) == value
    else:
        assert readable(ref)
        assert ih.write_document(value) == ref
    if value not in TOP_LEVEL_SYSTEM:
        assert ih.write_document_c(IonPyList.from_value(IonType.LIST, [1, value])) is None


def test_system_values_below_top_level_are_written_in_c() -> None:
    for value in TOP_LEVEL_SYSTEM:
        assert top_level_system_value(value)
        assert_written_in_c(IonPyList.from_value(IonType.LIST, [value]))
        assert_written_in_c(ionpy_struct(([("a", value)], ())))


@pytest.mark.parametrize("value", [
    IonPyInt.from_value(IonType.INT, 1, ("a",) * 51),  # too many annotations
    IonPyText.from_value(IonType.INT, "x"), IonPyInt.from_value(IonType.FLOAT, 1),
    IonPyDict.from_value(IonType.LIST, {}), IonPyNull.from_value(None, None),
    IonPyDecimal.from_value(IonType.INT, Decimal(1)),
], ids=range(6))
def test_what_amazon_ion_rejects_raises_its_error(value) -> None:
    assert ih.write_document_c(value) is None
    with pytest.raises(IonException):
        dumps_binary(value)
    with pytest.raises(IonException):
        ih.write_document(value)


def test_many_symbols_grow_the_symbol_table() -> None:
    """Hundreds of local symbols (names, symbol values, annotations), past the writer's
    on-stack table, keep amazon.ion's order."""
    pairs = [(f"f{i}", IonPyText.from_value(IonType.SYMBOL, f"s{i % 150}", (f"a{i % 7}",)))
             for i in range(400)]
    assert_written_in_c(ionpy_struct((pairs, ())))


def test_fifty_annotations_are_written_in_c() -> None:
    assert_written_in_c(IonPyInt.from_value(IonType.INT, 1, tuple(f"a{i}" for i in range(50))))


def test_nan_and_infinite_decimals_are_left_to_amazon_ion() -> None:
    # not written through amazon.ion here: it loops forever on them (ion_values.unstorable)
    for d in ("NaN", "-NaN", "sNaN", "Infinity", "-Infinity"):
        assert ih.write_document_c(Decimal(d)) is None


def test_text_that_is_not_unicode_raises_unicode_encode_error() -> None:
    s = "\ud800"
    with pytest.raises(SystemError):  # what amazon.ion raises for the text itself
        dumps_binary(IonPyText.from_value(IonType.STRING, s))
    # (amazon.ion loops forever on such a field name: never called here)
    for value in (IonPyText.from_value(IonType.STRING, s), {s: 1}, ionpy_struct(([(s, 1)], ())),
                  IonPyText.from_value(IonType.SYMBOL, "a" + s),
                  IonPyInt.from_value(IonType.INT, 1, (s,)),
                  IonPyInt.from_value(IonType.INT, 1, (SymbolToken(s, None),))):
        with pytest.raises(UnicodeEncodeError):
            ih.write_document(value)


def test_the_benchmarks_documents_are_written_in_c() -> None:
    """The commit path's documents: a silent fallback to amazon.ion fails here."""
    for i in range(20):
        assert_written_in_c(doc(i))
    assert_written_in_c(loads(dumps_binary(doc(3))))


def test_light_values_write_as_write_light_writes_them() -> None:
    ts = Timestamp(2024, 5, 6, 7, 8, 9, 123000, dt.UTC, precision=TimestampPrecision.SECOND,
                   fractional_precision=3)
    v = Struct(a=Text("x"), b=Int(2**40), c=Blob(b"\x00"), d=List([Int(1), ts]))
    assert ih.write_document_c(v) == ih.write_light(v) == dumps_binary(v)


def test_without_the_c_extension_amazon_ion_writes(monkeypatch) -> None:
    v = doc(1)
    monkeypatch.setattr(ih, "C_HASH_VALUE", False)
    assert ih.write_document_c(v) is None
    assert ih.write_document(v) == dumps_binary(v)



@pytest.mark.parametrize("text", [AMAZON_ION_MISFRAMES, AMAZON_ION_MISSIZES])
def test_amazon_ion_mis_sized_timestamp_is_written_right_by_c(text) -> None:
    doc = loads("{a: " + text + "}")
    assert not readable(dumps_binary(doc))  # amazon.ion cannot read its own bytes back
    got = ih.write_document_c(doc)
    if got is None:
        pytest.skip("C extension not built")
    check_binary_framing(got)
    assert model(loads(got)) == model(doc)
    assert ih.write_document(doc) == got


@pytest.mark.parametrize("text", ["1d6145", "1d-6177", "1d6112", "1." + "0" * 40])
def test_amazon_ion_path_keeps_decimals_beyond_ion_c_exactly(text) -> None:
    """They were refused (1d6145: amazon.ion could not read its bytes back) or stored changed
    (1d6112 as 1.0d6112); amazon.ion's Python writer keeps them (docs/reliability.md 91)."""
    value = loads("{a: " + text + "}")
    got = ih.write_document_amazon_ion(value)
    assert ion_hash_binary(got) == ih.ion_hash(value)
    assert loads(got)["a"] == value["a"]


@pytest.mark.parametrize("text", [AMAZON_ION_MISFRAMES, AMAZON_ION_MISSIZES])
def test_amazon_ion_path_refuses_what_it_cannot_read_back(text) -> None:
    """Without the C writer (or for values it leaves to amazon.ion) a document whose bytes
    amazon.ion cannot read back is refused, not stored where it would break every read."""
    with pytest.raises(ValueError, match="cannot read back"):
        ih.write_document_amazon_ion(loads("{a: " + text + "}"))
    ok = loads("{a: 1d6111, b: 2020-01-01T00:00+23:59, c: 1d-6176}")
    assert ih.write_document_amazon_ion(ok) == dumps_binary(ok)
