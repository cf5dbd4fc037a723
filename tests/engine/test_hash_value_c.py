"""The C extension's `hash_value` and `dot` (ion_hash.py) equal the Python hasher and combiner
on every value: light values, plain containers and scalars handled in C, and whatever they
hold that C hands back to the Python serializer (timestamps, IonPy values, big ints, bools)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_ion_hash_properties import documents, timestamps, values

from ledger_desktop.engine import ion_hash as ih
from ledger_desktop.engine.ion_values import loads, now_timestamp
from ledger_desktop.engine.light_values import Blob, Int, List, Struct, Text

pytestmark = pytest.mark.skipif(not ih.C_HASH_VALUE, reason="C extension not built")
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Bytes 0x0B, 0x0C and 0x0E are Ion Hash's markers: the escaping must match.
marker_text = st.text(alphabet=st.sampled_from("ab\x0b\x0c\x0eé\U0001F600"), max_size=8)
marker_bytes = st.binary(max_size=40).map(lambda b: b + b"\x0b\x0c\x0e")
ints = st.one_of(st.integers(-2**70, 2**70), st.sampled_from([0, -1, 2**63 - 1, -2**63,
                                                               2**63, -2**63 - 1, 2**64]))
light_scalars = st.one_of(
    marker_text.map(Text), marker_text, ints.map(Int), ints, marker_bytes.map(Blob),
    marker_bytes, timestamps(), st.booleans(), values)  # the last three go back to Python


def light_trees(scalars: st.SearchStrategy) -> st.SearchStrategy:
    """Light and plain lists and structs (names with marker bytes) of `scalars`."""
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4).map(List), st.lists(inner, max_size=4),
            st.dictionaries(marker_text, inner, max_size=4).map(lambda d: Struct(d)),
            st.dictionaries(marker_text, inner, max_size=4)),
        max_leaves=20)


light = light_trees(light_scalars)


@SETTINGS
@given(light)
def test_hash_value_equals_the_python_hash(value) -> None:
    assert ih.hash_value(value) == ih.ion_hash(value)


@SETTINGS
@given(st.one_of(values, documents))
def test_ionpy_values_hash_as_in_python(value) -> None:
    """IonPy values, annotated or not, as amazon.ion's reader returns them: ion_hash is the C
    function, ion_hash_py the Python reference."""
    assert ih.ion_hash is ih.hash_value
    assert ih.ion_hash(value) == ih.ion_hash_py(value)
    again = loads(ih_text(value))  # exactly what the reader gives back
    assert ih.ion_hash(again) == ih.ion_hash_py(again)


def test_ionpy_struct_with_repeated_names_and_every_type() -> None:
    text = ('{a:"x", b:1, a:2, c:[1,(a b)], d:sym, e:{{aGVsbG8=}}, f:{{"clob"}}, g:null.int, '
            'h:true, i:1.5, j:1.5e0, k:2020-01-01T00:00Z, l:ann::{x:1}, m:-9223372036854775809,'
            ' n:ann::"s", o:[ann::1, {}], p:\'\\x0b\\x0e\'}')
    v = loads(text)
    assert ih.ion_hash(v) == ih.ion_hash_py(v)


@SETTINGS
@given(st.binary(min_size=32, max_size=32), st.binary(min_size=32, max_size=32))
def test_dot_equals_the_python_dot(a: bytes, b: bytes) -> None:
    assert ih.dot(a, b) == ih.dot_py(a, b)
    assert ih.dot(a, a) == ih.dot_py(a, a)
    assert ih.dot(b"", a) == a == ih.dot(a, b"")


def test_dot_treats_none_as_empty_as_python_does() -> None:
    h = bytes(range(32))
    for f in (ih.dot, ih.dot_py):
        assert f(None, h) == h == f(h, None)
        assert f(bytearray(h), b"") == h
        with pytest.raises(TypeError):
            f(None, None)


def test_dot_refuses_wrong_lengths_as_python_does() -> None:
    for bad in (b"x" * 31, b"x" * 33):
        with pytest.raises(ValueError):
            ih.dot(b"y" * 32, bad)
        with pytest.raises(ValueError):
            ih.dot_py(b"y" * 32, bad)


def test_a_commit_shaped_struct() -> None:
    ts = now_timestamp()
    info = Struct(statements=List([Struct(statement=Text("INSERT INTO T ?"), startTime=ts,
                                          statementDigest=Blob(bytes(range(32))))]),
                  documents=Struct({"A" * 22: Struct(tableName=Text("T"), tableId=Text("B" * 22),
                                                   statements=List([Int(0)]))}))
    assert ih.hash_value(info) == ih.ion_hash(info) == ih.ion_hash(loads(ih_text(info)))


def ih_text(v) -> str:
    from ledger_desktop.engine.ion_values import dumps_text

    return dumps_text(v)


def test_non_text_field_names_and_odd_types_go_to_python() -> None:
    from amazon.ion.symbols import SymbolToken

    odd = {SymbolToken("a", None): Int(1)}
    assert ih.hash_value(odd) == ih.ion_hash(odd)
    assert ih.hash_value((Int(1), Text("x"))) == ih.ion_hash((1, "x"))
    assert ih.hash_value(dt.datetime(2020, 1, 2, 3, 4, 5)) == ih.ion_hash(
        dt.datetime(2020, 1, 2, 3, 4, 5))


def test_a_lone_surrogate_raises_as_encoding_does() -> None:
    with pytest.raises(UnicodeEncodeError):
        ih.hash_value(Struct(a=Text("\ud800")))
    with pytest.raises(UnicodeEncodeError):
        ih.hash_value({"\udc00": 1})


def test_too_deep_is_an_error_not_a_crash() -> None:
    v: object = Int(1)
    for _ in range(5000):
        v = List([v])
    with pytest.raises(RecursionError):
        ih.hash_value(v)
