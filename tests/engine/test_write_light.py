"""The C writer of light values (ion_hash.write_light, which writes every block body) writes
what amazon.ion writes, byte for byte, or leaves the value to amazon.ion (None)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_hash_value_c import light, light_trees, marker_bytes, marker_text
from test_ion_hash_properties import timestamps

from ledger_desktop.engine import ion_hash as ih
from ledger_desktop.engine.ion_binary_hash import ion_hash_binary
from ledger_desktop.engine.ion_framing import check_binary_framing
from ledger_desktop.engine.ion_values import dumps_binary, loads, now_timestamp
from ledger_desktop.engine.light_values import Blob, Int, List, Struct, Text

pytestmark = pytest.mark.skipif(not ih.C_HASH_VALUE, reason="C extension not built")
SETTINGS = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(light)
def test_writes_what_amazon_ion_writes(value) -> None:
    got = ih.write_light(value)
    if got is None:  # IonPy values, bools, floats, big ints: amazon.ion writes them
        return
    assert got == dumps_binary(value)
    check_binary_framing(got)
    assert ion_hash_binary(got) == ih.ion_hash(value)


# Only what the C writer writes itself, so that every example is compared.
writable = light_trees(st.one_of(
    marker_text.map(Text), marker_text, st.integers(-2**63 + 1, 2**63 - 1).map(Int),
    marker_bytes.map(Blob), marker_bytes, timestamps()))


@SETTINGS
@given(writable)
def test_everything_it_writes_equals_amazon_ions_bytes(value) -> None:
    got = ih.write_light(value)
    assert got is not None
    assert got == dumps_binary(value)


def test_a_block_body_is_written_in_c() -> None:
    ts = now_timestamp()
    body = Struct(blockAddress=Struct(strandId=Text("S" * 22), sequenceNo=Int(2**40)),
                  transactionId=Text("T" * 22), blockTimestamp=ts, blockHash=Blob(b"\x0e" * 32),
                  entriesHashList=List([Blob(bytes(32)), Blob(bytes(range(32)))]),
                  transactionInfo=Struct(statements=List([Struct(
                      statement=Text("INSERT INTO T ?" * 10), startTime=ts,
                      statementDigest=Blob(b"\x0b" * 32))])))
    got = ih.write_light(body)
    assert got is not None and got == dumps_binary(body)
    assert loads(got) == loads(dumps_binary(body))


def test_field_names_that_are_system_symbols_and_unicode() -> None:
    v = Struct({"name": Int(1), "symbols": List([Text("x")]), "é€😀": Text("ok"), "": Int(-1)})
    assert ih.write_light(v) == dumps_binary(v)


def test_what_it_leaves_to_amazon_ion() -> None:
    from amazon.ion.simple_types import IonPyInt, IonPyTimestamp

    assert ih.write_light(Struct(a=2**64)) is None
    assert ih.write_light(Struct(a=True)) is None
    assert ih.write_light(Struct(a=1.5)) is None
    assert ih.write_light(Struct(a=IonPyInt.from_value(None, 3, ("ann",)))) is None
    ann = IonPyTimestamp.from_value(None, dt.datetime(2020, 1, 1), ("x",))
    assert ih.write_light(Struct(a=ann)) is None


def test_none_is_left_to_amazon_ion_even_first() -> None:
    """Before any timestamp was written, None must not pass for the remembered one."""
    ih._last_timestamp[0] = object()
    assert ih.write_light(Struct(a=None)) is None
    assert ih.write_light(Struct(a=now_timestamp(), b=None)) is None


def test_text_that_is_not_unicode_raises() -> None:
    with pytest.raises(UnicodeEncodeError):
        ih.write_light(Struct(a=Text("\ud800")))
    with pytest.raises(UnicodeEncodeError):
        ih.write_light({"\udc00": Int(1)})
