"""Both paths of `ion_hash_binary`, the C extension and the pure-Python reader, give the Ion
Hash of `loads(blob)`; neither crashes on hostile bytes; and whenever one returns a hash,
`check_binary_framing(blob)` passes (the guarantee verification relies on)."""

from __future__ import annotations

import math
import random
import struct
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from amazon.ion import simpleion
from amazon.ion.core import IonType
from amazon.ion.exceptions import IonException
from amazon.ion.simple_types import IonPyBytes, IonPyDict, IonPyList, IonPyNull, IonPyText
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_ion_hash_properties import decimals, documents, timestamps, values
from vectors import b64, load_json, vector_path

from ledger_desktop.engine import ion_binary_hash
from ledger_desktop.engine.ion_binary_hash import (
    _hash_binary_fast,
    _Unsupported,
    ion_hash_binary,
    ion_hash_binary_py,
)
from ledger_desktop.engine.ion_framing import check_binary_framing
from ledger_desktop.engine.ion_hash import ion_hash

_c = ion_binary_hash._c_hash_binary
needs_c = pytest.mark.skipif(_c is None, reason="C extension not built")
DERIVED = load_json("ion-hash-sha256-derived.json")["vectors"]
IVM = bytes.fromhex("e00100ea")

PATHS: dict[str, Callable[[bytes], bytes]] = {"python": ion_hash_binary_py}
if _c is not None:
    PATHS["c"] = ion_hash_binary
paths = pytest.mark.parametrize("path", list(PATHS))
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def fast_paths(blob: bytes) -> list[bytes]:
    """The hash from each reader that handles `blob` itself (C and Python, no amazon.ion)."""
    out = [_hash_binary_fast(blob)]
    if _c is not None:
        h = _c(blob)
        assert h is not None, "the C reader left a valid blob to the Python path"
        out.append(h)
    return out


# --- the extension is built and in use ------------------------------------------------------

def test_c_extension_in_use() -> None:
    """`pip install -e .` builds the extension next to the package on this machine."""
    assert ion_binary_hash.C_EXTENSION
    from ledger_desktop.engine import _ionhash_c
    assert Path(_ionhash_c.__file__).parent == Path(ion_binary_hash.__file__).parent
    assert ion_hash_binary is not ion_hash_binary_py


@needs_c
@pytest.mark.parametrize("portable", [False, True])
def test_c_sha256_matches_hashlib(portable: bool) -> None:
    import hashlib

    from ledger_desktop.engine._ionhash_c import sha256
    rng = random.Random(5)
    for n in [*range(0, 200), 447, 448, 511, 512, 1000, 4096, 10_007]:
        data = rng.randbytes(n)
        assert sha256(data, portable) == hashlib.sha256(data).digest(), n


# --- vectors and generated values ---------------------------------------------------------

@paths
@pytest.mark.parametrize("index", range(len(DERIVED)))
def test_derived_vectors(path: str, index: int) -> None:
    vector = DERIVED[index]
    blob = bytes.fromhex(vector["ion_binary_hex"])
    expected = b64(vector["sha256_ion_hash_b64"])
    assert PATHS[path](blob) == expected
    assert set(fast_paths(blob)) == {expected}


def _annotate(value: Any, annotations: list[str]) -> Any:
    """`value` as amazon.ion reads it back, with annotations."""
    loaded = simpleion.loads(simpleion.dumps(value, binary=True))
    if loaded is None:
        loaded = IonPyNull.from_value(IonType.NULL, None)
    loaded.ion_annotations = tuple(annotations)
    return loaded


MARKERS = "\x0b\x0c\x0e"
edge_text = st.text(alphabet=st.sampled_from(["a", "é", "€", "𝄞", "\x00", "\x7f", *MARKERS]),
                    max_size=10) | st.text(max_size=8)
edge_bytes = st.binary(max_size=10) | st.lists(st.sampled_from(b"\x0b\x0c\x0e\x00\xff"),
                                                max_size=6).map(bytes)
edge_scalars = st.one_of(
    st.integers(-(2 ** 300), 2 ** 300),
    st.sampled_from([0, -1, 1, 127, 128, 255, 256, 2 ** 63, -(2 ** 63), 2 ** 64, 0x0B0C0E]),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.sampled_from([0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, 1.5, 1e308]),
    decimals,
    st.sampled_from([Decimal("0"), Decimal("-0"), Decimal("0E-5"), Decimal("-0E+7"),
                     Decimal("1E+63"), Decimal("1E-64"), Decimal("123456789012345E+90"),
                     Decimal("-11E-90")]),
    edge_text,
    edge_bytes,
    edge_bytes.map(lambda b: IonPyBytes.from_value(IonType.CLOB, b)),
    edge_text.map(lambda s: IonPyText.from_value(IonType.SYMBOL, s)),
    timestamps(),
    st.booleans(),
    st.none(),
)
rich_values = st.recursive(
    edge_scalars | values,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.lists(inner, max_size=4).map(lambda xs: IonPyList.from_value(IonType.SEXP, xs)),
        st.lists(st.tuples(edge_text, inner), max_size=6).map(
            lambda pairs: _struct_of(pairs)),
        st.tuples(inner, st.lists(edge_text, min_size=1, max_size=3)).map(
            lambda p: _annotate(*p)),
    ),
    max_leaves=16,
)


def _struct_of(pairs: list[tuple[str, Any]]) -> IonPyDict:
    d = IonPyDict()
    for k, v in pairs:
        d.add_item(k, v)
    return d


@SETTINGS
@given(value=rich_values)
def test_rich_values_match_the_object_hash(value: Any) -> None:
    try:
        blob = simpleion.dumps(value, binary=True)
    except IonException:  # e.g. year 1 at +05:30 is year 0 in UTC: amazon.ion cannot write it
        assume(False)
    # a top-level symbol $ion_1_0 is written as a version marker (test_version_symbol)
    assume(not (isinstance(value, IonPyText) and value.ion_type == IonType.SYMBOL
                and value == "$ion_1_0" and not value.ion_annotations))
    # what amazon.ion reads back (its writer changes some decimals with huge exponents)
    expected = ion_hash(simpleion.loads(blob))
    assert set(fast_paths(blob)) == {expected}
    for path in PATHS.values():
        assert path(blob) == expected


@SETTINGS
@given(value=documents)
def test_documents_match_on_both_paths(value: Any) -> None:
    blob = simpleion.dumps(value, binary=True)
    expected = ion_hash(value)
    for path in PATHS.values():
        assert path(blob) == expected
    assert set(fast_paths(blob)) == {expected}


@paths
def test_many_symbols_and_fields(path: str) -> None:
    """Symbol tables and structs larger than the C reader's first allocations."""
    doc = {f"field_{i}_\x0b": [i, f"v{i}", IonPyText.from_value(IonType.SYMBOL, f"s{i}")]
           for i in range(700)}
    blob = simpleion.dumps(doc, binary=True)
    assert PATHS[path](blob) == ion_hash(doc)
    assert set(fast_paths(blob)) == {ion_hash(doc)}


@paths
@pytest.mark.parametrize("hex_value, text", [
    ("6880" "0fd0" "81818080" "80", "2000-01-01T00:00:00Z"),
    ("6a80" "0fd0" "81818080" "80" "80" "00", "2000-01-01T00:00:00Z"),
    ("6a80" "0fd0" "81818080" "80" "c3" "00", "2000-01-01T00:00:00.000Z"),
    ("6480" "0fd0" "81", "2000-01T"),
    ("6580" "0fd0" "8181", "2000-01-01T"),
    ("63c0" "0fd0", "2000T"),
    ("6bbc" "0fd0" "8181" "8080" "80" "c3" "0139", "2000-01-01T01:00:00.313+01:00"),
    ("6cbc" "0fd0" "8181" "8080" "80" "c3" "000139", "2000-01-01T01:00:00.313+01:00"),
    ("6ac0" "0fd0" "81818080" "80" "c2" "05", "2000-01-01T00:00:00.05-00:00"),
    ("6e8c" "0000" "800f" "d081" "8180" "8080" "c300", "2000-01-01T00:00:00.000Z"),
    ("5280" "00", "0d0"),
    ("53c1" "0001", "0.1"),
    ("52c1" "80", "-0d-1"),
    ("5300" "8000", "0d0"),
    ("220001", "1"),
    ("330000ff", "-255"),
    ("2e8400000000", "0"),
    ("4400000000", "0e0"),
    ("443fc00000", "1.5e0"),
    ("447fc00001", "nan"),
    ("4480000000", "-0e0"),
    ("4800000000" "00000000", "0e0"),
    ("7e820004", "name"),
    ("71" "00", "$0"),
    ("70", "$0"),
    ("d0", "{}"),
    ("d1" "83" "8421" "01", "{name: 1}"),
    ("e4" "8184" "2101", "name::1"),
    ("b3" "00" "2101", "[1]"),
    ("d5" "84" "00" "8421" "01", "{name: 1}"),
])
def test_non_minimal_encodings_hash_like_minimal_ones(path: str, hex_value: str,
                                                       text: str) -> None:
    blob = IVM + bytes.fromhex(hex_value)
    loaded_text = simpleion.loads(text)
    expected = ion_hash(loaded_text)
    assert PATHS[path](blob) == expected
    assert set(fast_paths(blob)) == {expected}


def _lst(symbols: list[str], append: bool = False) -> bytes:
    """`$ion_symbol_table::{[imports: $ion_symbol_table,] symbols: [...]}` in Ion binary."""
    items = b"".join(_tl(8, s.encode()) for s in symbols)
    body = (b"\x86\x71\x03" if append else b"") + b"\x87" + _tl(11, items)
    return _tl(14, b"\x81\x83" + _tl(13, body))


def _tl(t: int, body: bytes) -> bytes:
    n = len(body)
    if n < 14:
        return bytes([t << 4 | n]) + body
    groups = [n & 0x7F | 0x80]
    n >>= 7
    while n:
        groups.append(n & 0x7F)
        n >>= 7
    return bytes([t << 4 | 14]) + bytes(reversed(groups)) + body


@paths
def test_symbol_table_append_form(path: str) -> None:
    # {a: b} where a is $10 from the first table and b is $11 appended by the second
    blob = IVM + _lst(["a"]) + _lst(["b"], append=True) + _tl(13, b"\x8a" + b"\x71\x0b")
    expected = ion_hash(simpleion.loads("{a: b}"))
    assert ion_hash(simpleion.loads(blob)) == expected  # amazon.ion reads it the same way
    assert PATHS[path](blob) == expected
    assert set(fast_paths(blob)) == {expected}
    # without the append form the second table replaces the first: $11 is undefined
    replaced = IVM + _lst(["a"]) + _lst(["b", "c"]) + _tl(13, b"\x8a" + b"\x71\x0b")
    assert PATHS[path](replaced) == ion_hash(simpleion.loads("{b: c}"))
    # a version marker resets to the system table
    reset = IVM + _lst(["a"]) + IVM + _tl(13, b"\x84" + b"\x71\x05")
    assert PATHS[path](reset) == ion_hash(simpleion.loads("{name: version}"))


@paths
@pytest.mark.parametrize("hex_value", ["7102", "7e820002", "e4" "8184" "7102", "b2" "7102"])
def test_version_symbol(path: str, hex_value: str) -> None:
    """A top-level `$ion_1_0` symbol is a version marker to amazon.ion, so the readers leave
    it to amazon.ion; annotated or nested it is an ordinary symbol."""
    blob = IVM + bytes.fromhex(hex_value)
    assert PATHS[path](blob) == ion_hash(simpleion.loads(blob))
    top_level = hex_value.startswith("7")
    if _c is not None:
        assert (_c(blob) is None) == top_level


@paths
def test_shared_imports_fall_back(path: str) -> None:
    blob = IVM + bytes.fromhex("ee94" "8183" "de90" "86" "ba" "d9" "848178" "852101" "882102"
                               "87" "b28161" "d38c2101")
    if _c is not None:
        assert _c(blob) is None
    with pytest.raises(_Unsupported):
        _hash_binary_fast(blob)
    assert PATHS[path](blob) == ion_hash({"a": 1}) == ion_hash(simpleion.loads(blob))


@paths
def test_real_revision_blobs(path: str) -> None:
    text = vector_path("stream-dmv-block-seq3.ion").read_text(encoding="utf-8")
    for record in simpleion.loads(text, single_value=False):
        blob = simpleion.dumps(record, binary=True)
        assert PATHS[path](blob) == ion_hash(record)
        assert set(fast_paths(blob)) == {ion_hash(record)}


# --- hostile input: never a crash, a hang or a hash of badly framed data -------------------

def _framing_ok(blob: bytes) -> bool:
    try:
        check_binary_framing(blob)
    except IonException:
        return False
    return True


def _seed_blobs() -> list[bytes]:
    rng = random.Random(11)
    docs: list[Any] = [
        {"VIN": "1N4AL11D75C109151", "Mileage": 12345, "Price": Decimal("90.25"),
         "Owners": [{"PersonId": "3Qv67yjXEwB9SjmvkuG6Cp", "Role": "primary"}],
         "When": simpleion.loads("2024-05-06T07:08:09.123+01:00"), "ok": True, "f": 1.5,
         "blob": b"\x0b\x0e\x0c", "sym": IonPyText.from_value(IonType.SYMBOL, "x"),
         "n": None, "ann": _annotate([1, "two"], ["a", "b"])},
        [1, -2, 2 ** 80, "s", [], {}, None, False],
    ]
    docs += [{f"k{i}": rng.random() for i in range(5)} for _ in range(3)]
    blobs = [simpleion.dumps(d, binary=True) for d in docs]
    blobs.append(IVM + _lst(["a"]) + _lst(["b"], append=True) + _tl(13, b"\x8a\x71\x0b"))
    return blobs


def _check_hostile(blob: bytes) -> None:
    """Each reader either declines, or its hash agrees with the other's and the framing."""
    c_hash = _c(blob) if _c is not None else None
    try:
        py_hash = _hash_binary_fast(blob)
    except (_Unsupported, IndexError, UnicodeDecodeError, struct.error, RecursionError):
        py_hash = None
    if c_hash is not None:
        assert _framing_ok(blob), blob.hex()
        assert py_hash == c_hash, blob.hex()
    if py_hash is not None:
        assert _framing_ok(blob), blob.hex()
    try:
        h = ion_hash_binary(blob)
    except ValueError:
        return
    assert _framing_ok(blob), blob.hex()  # the documented guarantee
    assert ion_hash_binary_py(blob) == h


def test_byte_flips_truncations_insertions_and_random_bytes() -> None:
    rng = random.Random(2024)
    seeds = _seed_blobs()
    for _ in range(4000):
        blob = bytearray(rng.choice(seeds))
        kind = rng.randrange(6)
        i = rng.randrange(4, len(blob))
        if kind == 0:
            for _ in range(rng.randint(1, 3)):
                blob[rng.randrange(4, len(blob))] = rng.randrange(256)
        elif kind == 1:
            blob[i] ^= 1 << rng.randrange(8)
        elif kind == 2:
            del blob[i:]
        elif kind == 3:
            blob[i:i] = rng.randbytes(rng.randint(1, 3))
        elif kind == 4:
            del blob[i:i + rng.randint(1, 3)]
        else:
            blob = bytearray(IVM + rng.randbytes(rng.randint(0, 40)))
        _check_hostile(bytes(blob))


def test_tampered_blobs_raise_or_pass_framing() -> None:
    """The guarantee verification relies on: for a tampered blob, ion_hash_binary either
    raises ValueError or check_binary_framing(blob) passes."""
    rng = random.Random(7)
    for blob in _seed_blobs():
        for i in range(4, len(blob)):
            for _ in range(3):
                tampered = bytearray(blob)
                tampered[i] = rng.randrange(256)
                try:
                    ion_hash_binary(bytes(tampered))
                except ValueError:
                    continue
                check_binary_framing(bytes(tampered))  # raises if the guarantee is broken


@pytest.mark.parametrize("hex_body", [
    "e5" "8100" "84" "2101",            # annotation SID runs past the annotations' length
    "e3" "80" "2101",                   # a wrapper without annotations
    "ef",                               # reserved: an annotation wrapper's null
    "e7" "8183" "d3" "87" "b2" "8161" "2101",  # a symbol table's list runs past its struct
    "e3" "8183" "df" "2101",            # a symbol table that is a null struct
    "b4" "2101" "2101" "00",            # a list with a value past its end
    "d3" "84" "2101" "00",              # struct field value past its end
    "d2" "84",                          # a field name without a value
])
def test_malformed_framing_is_never_hashed_by_a_fast_path(hex_body: str) -> None:
    blob = IVM + bytes.fromhex(hex_body)
    _check_hostile(blob)
    if _c is not None:
        assert _c(blob) is None or _framing_ok(blob)


@paths
@pytest.mark.parametrize("hex_body", [
    "e7" "8183" "d4" "87" "b2" "81e7" "d3" "8a" "2101",  # {$10: 1}, $10's text is not UTF-8
    "e7" "8183" "d4" "87" "b2" "81e7" "2101",            # the bad text is not even used
])
def test_symbol_text_that_is_not_utf8_is_refused(path: str, hex_body: str) -> None:
    """amazon.ion's C reader segfaults on the first blob (found by the byte-flip test above):
    such data is refused before it reaches amazon.ion."""
    with pytest.raises(ValueError, match="not UTF-8"):
        PATHS[path](IVM + bytes.fromhex(hex_body))


@paths
def test_deep_nesting(path: str) -> None:
    """Nesting beyond the C reader's limit falls back; very deep nesting gives an error or
    a hash, never a crash."""
    depth_ok = 90
    for depth in (depth_ok, 150, 3000):
        blob = b"\x21\x01"
        for _ in range(depth):
            blob = _tl(11, blob)
        blob = IVM + blob
        if _c is not None and depth > 100:
            assert _c(blob) is None
        try:
            h = PATHS[path](blob)
        except (ValueError, RecursionError):
            assert depth > depth_ok
            continue
        assert _framing_ok(blob)
        if depth == depth_ok:
            value: Any = 1
            for _ in range(depth):
                value = [value]
            assert h == ion_hash(value)


def test_large_blocks_hashed_without_the_gil_agree_across_threads():
    """A stored block of megabytes is hashed with the GIL released (it held the GUI thread
    for 100-145 ms): the released path (bytes of 64 KiB or more) gives the same hash as the
    held one (a bytearray), also with several threads hashing at once, whose readers then
    allocate symbol and digest tables concurrently."""
    import threading

    from amazon.ion import simpleion

    from ledger_desktop.engine import _ionhash_c

    values = [{"xs": [{f"f{i % 97}": i, "s": "y" * (i % 50)} for i in range(n)]}
              for n in (3_000, 5_000, 8_000)]
    blobs = [simpleion.dumps(v, binary=True) for v in values]
    assert all(len(b) >= 1 << 16 for b in blobs)
    held = [_ionhash_c.hash_binary(bytearray(b)) for b in blobs]
    assert all(h is not None and len(h) == 32 for h in held)
    got: dict[int, list[bytes]] = {}

    def run(k: int) -> None:
        got[k] = [_ionhash_c.hash_binary(b) for b in blobs * 3]

    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(got[k] == held * 3 for k in range(4))
