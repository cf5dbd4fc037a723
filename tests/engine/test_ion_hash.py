"""Ion Hash rules the conformance suite does not pin down, `dot`, Merkle roots and paths."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from amazon.ion import simpleion
from amazon.ion.core import IonType, Timestamp, TimestampPrecision
from amazon.ion.simple_types import IonPyDict, IonPyInt, IonPyNull, IonPySymbol, IonPyText
from amazon.ion.symbols import SymbolToken

from ledger_desktop.engine.ion_hash import (
    dot,
    fold,
    ion_hash,
    make_ion_hasher,
    merkle_path,
    merkle_root,
    statement_hash,
)


class _Identity:
    def __init__(self, data: bytes = b"") -> None:
        self._data = data

    def digest(self) -> bytes:
        return self._data


identity = make_ion_hasher(_Identity)


def H(text: str) -> bytes:
    return ion_hash(simpleion.loads(text))


def test_c_extension_in_use() -> None:
    assert simpleion.c_ext is True


def test_sha256_is_sha256_of_the_serialization() -> None:
    # No struct inside: struct fields are themselves hashed with the hasher's function.
    value = simpleion.loads('[x, "y", 1.5, a::(null)]')
    assert ion_hash(value) == hashlib.sha256(identity(value)).digest()
    assert len(ion_hash(value)) == 32
    struct = simpleion.loads("{a: 1}")
    field = hashlib.sha256(b"\x0b\x70a\x0e\x0b\x20\x01\x0e").digest()
    escaped = field.replace(b"\x0c", b"\x0c\x0c").replace(b"\x0b", b"\x0c\x0b").replace(
        b"\x0e", b"\x0c\x0e")
    assert ion_hash(struct) == hashlib.sha256(b"\x0b\xd0" + escaped + b"\x0e").digest()


# --- numbers --------------------------------------------------------------------------------

def test_decimal_scale_and_int_differ() -> None:
    hashes = {H("1.0"), H("1.00"), H("1"), H("1d0"), H("1e0")}
    assert len(hashes) == 5
    assert ion_hash(Decimal("1.0")) == H("1.0")
    assert ion_hash(Decimal("90.25")) != ion_hash(Decimal("90.250"))


def test_negative_zero_decimal_and_float() -> None:
    assert H("-0d0") != H("0d0")
    assert ion_hash(Decimal("-0")) == H("-0d0")
    assert H("-0e0") != H("0e0")
    assert ion_hash(-0.0) == H("-0e0")
    assert ion_hash(0.0) == H("0e0")


def test_nan_is_canonical_and_infinities_distinct() -> None:
    assert ion_hash(float("nan")) == ion_hash(-float("nan")) == H("nan")
    assert ion_hash(float("inf")) == H("+inf") != H("-inf") == ion_hash(float("-inf"))


def test_non_finite_decimal_refused() -> None:
    with pytest.raises(ValueError, match="non-finite decimal"):
        ion_hash(Decimal("NaN"))


def test_big_ints() -> None:
    big = 2 ** 200 + 12345
    assert identity(big) == b"\x0b\x20" + big.to_bytes(26, "big").replace(
        b"\x0c", b"\x0c\x0c").replace(b"\x0b", b"\x0c\x0b").replace(b"\x0e", b"\x0c\x0e") + b"\x0e"
    assert ion_hash(-big) != ion_hash(big)
    assert ion_hash(1023) == H("1023") and ion_hash(1024) == H("1024")


def test_bool_is_not_int() -> None:
    assert ion_hash(True) == H("true") != ion_hash(1)
    assert ion_hash(False) == H("false") != ion_hash(0)


# --- timestamps -------------------------------------------------------------------------------

def test_timestamp_hashes_the_utc_instant_with_its_offset() -> None:
    # 04:05:06+01:00 is 03:05:06 UTC: the offset (+60 minutes, VarInt 0xBC), then UTC fields.
    assert identity(simpleion.loads("2001-02-03T04:05:06+01:00")) == bytes.fromhex(
        "0b60" "bc" "0fd1" "82838385" "86" "0e")
    assert H("2001-02-03T04:05:06+01:00") != H("2001-02-03T03:05:06Z")


def test_timestamp_offset_crossing_a_date() -> None:
    ser = identity(simpleion.loads("2001-03-01T00:30-01:00"))
    # -60 minutes: VarInt 0xFC; UTC is 2001-03-01T01:30
    assert ser == bytes.fromhex("0b60" "fc" "0fd1" "83" "81" "81" "9e" "0e")
    ser = identity(simpleion.loads("2001-03-01T00:30+01:00"))
    # +60 minutes; UTC is 2001-02-28T23:30
    assert ser == bytes.fromhex("0b60" "bc" "0fd1" "82" "9c" "97" "9e" "0e")


def test_unknown_offset_differs_from_utc() -> None:
    assert H("2017-01-01T00:00:00-00:00") != H("2017-01-01T00:00:00Z")
    assert H("2017-01-01T00:00:00+00:00") == H("2017-01-01T00:00:00Z")


def test_fraction_precision_matters() -> None:
    hashes = [H("2019-12-11T07:20:51Z"), H("2019-12-11T07:20:51.0Z"),
              H("2019-12-11T07:20:51.000Z"), H("2019-12-11T07:20:51.000000000Z"),
              H("2019-12-11T07:20:51.223Z"), H("2019-12-11T07:20:51.2230Z")]
    assert len(set(hashes)) == len(hashes)
    # a zero coefficient with exponent >= 0 is no fraction at all
    assert H("2019-12-11T07:20:51Z") == ion_hash(simpleion.loads(
        bytes.fromhex("e00100ea" "69" "80" "0fe3" "8c" "8b" "87" "94" "b3" "80")))


def test_precision_matters() -> None:
    hashes = [H("2017T"), H("2017-01T"), H("2017-01-01T"), H("2017-01-01T00:00Z"),
              H("2017-01-01T00:00:00Z")]
    assert len(set(hashes)) == 5


def test_python_timestamps_match_loaded_ones() -> None:
    utc = dt.UTC
    ms = Timestamp(2019, 12, 11, 7, 20, 51, 223000, utc, precision=TimestampPrecision.SECOND,
                   fractional_precision=3)
    assert ion_hash(ms) == H("2019-12-11T07:20:51.223Z")
    day = Timestamp(1963, 8, 19, precision=TimestampPrecision.DAY)
    assert ion_hash(day) == H("1963-08-19T")
    nano = Timestamp(2001, 2, 3, 4, 5, 6, None, utc, precision=TimestampPrecision.SECOND,
                     fractional_seconds=Decimal("0.123456789"))
    assert ion_hash(nano) == H("2001-02-03T04:05:06.123456789Z")
    # a plain datetime hashes as amazon.ion writes it (to the microsecond)
    plain = dt.datetime(2020, 1, 1, 1, 2, 3, 123000, tzinfo=utc)
    assert ion_hash(plain) == H("2020-01-01T01:02:03.123000Z")
    assert ion_hash(plain) == ion_hash(simpleion.loads(simpleion.dumps(plain)))
    naive = dt.datetime(2020, 1, 1)
    assert ion_hash(naive) == H("2020-01-01T00:00:00.000000-00:00")


# --- text, symbols, bytes, nulls, annotations -------------------------------------------------

def test_string_and_symbol_differ() -> None:
    assert H('"abc"') != H("abc")
    assert ion_hash("abc") == H('"abc"')
    assert ion_hash(IonPyText.from_value(IonType.SYMBOL, "abc")) == H("abc")
    assert ion_hash(SymbolToken("abc", None)) == H("abc")
    assert ion_hash(IonPySymbol.from_value(IonType.SYMBOL, SymbolToken("abc", 10))) == H("abc")


def test_symbol_zero_and_unknown_symbols() -> None:
    assert identity(SymbolToken(None, 0)) == b"\x0b\x71\x0e"
    with pytest.raises(ValueError, match="unknown text"):
        ion_hash(SymbolToken(None, 12))
    with pytest.raises(ValueError, match="unknown text"):
        ion_hash({SymbolToken(None, 12): 1})


def test_text_with_marker_bytes_is_escaped() -> None:
    assert identity("a\x0bb\x0cc\x0e") == b"\x0b\x80a\x0c\x0bb\x0c\x0cc\x0c\x0e\x0e"
    assert identity(b"\x0b") == b"\x0b\xa0\x0c\x0b\x0e"
    assert ion_hash("é") == H('"é"')


def test_blob_and_clob_differ() -> None:
    assert H('{{"hello"}}') != H("{{aGVsbG8=}}") == ion_hash(b"hello")
    assert ion_hash(bytearray(b"hello")) == ion_hash(b"hello")


def test_nulls() -> None:
    assert ion_hash(None) == H("null") == H("null.null")
    typed = {H(f"null.{t}") for t in ("bool", "int", "float", "decimal", "timestamp", "symbol",
                                       "string", "clob", "blob", "list", "sexp", "struct")}
    assert len(typed) == 12 and H("null") not in typed
    assert ion_hash(IonPyNull.from_value(IonType.INT, None)) == H("null.int")


def test_annotations_change_the_hash() -> None:
    assert H("a::1") != H("1") and H("a::1") != H("b::1") and H("a::b::1") != H("b::a::1")
    ann = IonPyInt.from_value(IonType.INT, 1, ("a",))
    assert ion_hash(ann) == H("a::1")


def test_list_and_sexp_differ_and_tuple_is_list() -> None:
    assert H("[1, 2]") != H("(1 2)")
    assert ion_hash([1, 2]) == ion_hash((1, 2)) == H("[1, 2]")
    assert H("[1, 2]") != H("[2, 1]")


# --- structs ----------------------------------------------------------------------------------

def test_struct_order_and_duplicates() -> None:
    assert H("{a: 1, b: 2}") == H("{b: 2, a: 1}") == ion_hash({"b": 2, "a": 1})
    assert H("{a: 1, a: 2}") == H("{a: 2, a: 1}")
    assert H("{a: 1, a: 2}") != H("{a: 2}")
    dup = IonPyDict()
    dup.add_item("a", 1)
    dup.add_item("a", 2)
    assert ion_hash(dup) == H("{a: 1, a: 2}")


def test_field_name_is_a_symbol_not_a_string() -> None:
    # {a: 1} hashes the name as symbol 'a' (0x70), never as a string
    assert identity({"a": 1}) == bytes.fromhex("0bd0" "0c0b70610c0e" "0c0b20010c0e" "0e")


def test_empty_containers() -> None:
    assert identity({}) == b"\x0b\xd0\x0e"
    assert identity([]) == b"\x0b\xb0\x0e"
    assert H("{}") != H("[]")


def test_many_distinct_field_names_keep_hashing_correctly() -> None:
    """The field-name cache is bounded; hashing past its bound stays correct."""
    first = ion_hash({"k0": 0})
    for start in range(0, 20000, 2000):
        ion_hash({f"k{i}": i for i in range(start, start + 2000)})
    assert ion_hash({"k0": 0}) == first == H("{k0: 0}")


def test_unsupported_type_is_refused() -> None:
    with pytest.raises(TypeError, match="cannot Ion-hash a value of type object"):
        ion_hash(object())
    with pytest.raises(TypeError):
        ion_hash({"a": {1, 2}})


# --- dot, Merkle ------------------------------------------------------------------------------

def _h(i: int) -> bytes:
    return hashlib.sha256(str(i).encode()).digest()


def test_dot_empty_passes_through() -> None:
    assert dot(b"", _h(1)) == _h(1) == dot(_h(1), b"")
    assert dot(b"", b"") == b""


def test_dot_rejects_wrong_lengths() -> None:
    with pytest.raises(ValueError, match="32-byte"):
        dot(b"abc", _h(1))


def test_dot_orders_by_signed_last_byte_first() -> None:
    a = bytes(31) + b"\x7f"  # last byte +127
    b = bytes(31) + b"\x80"  # last byte -128: smaller as a signed byte
    assert dot(a, b) == hashlib.sha256(b + a).digest()
    c = b"\xff" + bytes(31)  # differs only in byte 0
    d = b"\x01" + bytes(31)
    assert dot(c, d) == hashlib.sha256(c + d).digest()  # 0xff is -1 < 1
    assert dot(a, a) == hashlib.sha256(a + a).digest()


def test_merkle_root_shapes() -> None:
    assert merkle_root([]) == b""
    assert merkle_root([_h(0)]) == _h(0)
    assert merkle_root([_h(0), _h(1), _h(2)]) == dot(dot(_h(0), _h(1)), _h(2))
    five = [_h(i) for i in range(5)]
    assert merkle_root(five) == dot(dot(dot(five[0], five[1]), dot(five[2], five[3])), five[4])


def test_merkle_path_for_every_index_and_length() -> None:
    leaves = [_h(i) for i in range(70)]
    for n in range(1, 71):
        root = merkle_root(leaves[:n])
        for i in range(n):
            path = merkle_path(leaves[:n], i)
            assert fold(leaves[i], path) == root, (n, i)
            assert len(path) <= (n - 1).bit_length()


def test_merkle_path_rejects_bad_index() -> None:
    with pytest.raises(IndexError):
        merkle_path([_h(0)], 1)
    with pytest.raises(IndexError):
        merkle_path([], 0)


def test_statement_hash_treats_text_as_string() -> None:
    assert statement_hash("SELECT 1") == ion_hash("SELECT 1")
    assert statement_hash(IonPyText.from_value(IonType.SYMBOL, "x")) == ion_hash("x")
    assert statement_hash("q ?", [1]) != statement_hash("q ?", [2])
