"""The C extension's `metadata_hash`, `block_field_hashes` and `merkle_root` equal the Python
references (`metadata_hash_py`, `block_field_hashes_py`, `merkle_root_py`) on every input:
same bytes, or an exception of the same type. What C does not handle it hands to the Python
version; the usual commit arguments must never take that way."""

from __future__ import annotations

import os
from typing import Any

import pytest
from amazon.ion.core import IonType
from amazon.ion.simple_types import IonPyBytes, IonPyInt, IonPyText
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_ion_hash_properties import timestamps

from ledger_desktop.engine import ion_binary_hash
from ledger_desktop.engine import ion_hash as ih
from ledger_desktop.engine import metadata_hash as mh
from ledger_desktop.engine.ion_values import now_timestamp
from ledger_desktop.engine.light_values import Text

needs_c = pytest.mark.skipif(not ih.C_HASH_VALUE, reason="C extension not built or disabled")
SETTINGS = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(f: Any, *args: Any, **kwargs: Any) -> Any:
    """The result of a call, or the type of the exception it raised."""
    try:
        return f(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - the exception type is the outcome
        return type(e)


# Ion Hash marker bytes (0x0B, 0x0C, 0x0E), non-BMP text and lone surrogates (not encodable).
ids = st.one_of(
    st.text(alphabet=st.sampled_from("aZ09\x0b\x0c\x0e\x00é\u20ac\U0001F600\U00010000"),
            max_size=40),
    st.text(max_size=30),
    st.text(max_size=8).map(lambda s: s + "\ud800"))
versions = st.one_of(
    st.integers(0, 2**63), st.integers(-2**70, 2**70), st.booleans(),
    st.sampled_from([0, 63, 64, 2**63 - 1, 2**63, 2**64 - 1, 2**64, -1, -2**63, -2**63 - 1,
                     2**200, -2**200]))
hash32 = st.binary(min_size=32, max_size=32)


def block_fields_of(draw: st.DrawFn) -> Any:
    tx_id = draw(ids.filter(lambda s: "\ud800" not in s))
    return mh.block_field_hashes_py(draw(timestamps()), tx_id)


# --- the C versions are in use ------------------------------------------------------------------

def test_c_versions_are_in_use_when_the_extension_is_built() -> None:
    if os.environ.get("LEDGER_DESKTOP_NO_C_EXT"):
        assert mh.metadata_hash is mh.metadata_hash_py and ih.merkle_root is ih.merkle_root_py
        return
    assert ion_binary_hash.C_EXTENSION, "the C extension is not built (pip install -e .)"
    from ledger_desktop.engine import _ionhash_c
    assert ih.C_HASH_VALUE
    assert mh.metadata_hash is _ionhash_c.metadata_hash
    assert mh.block_field_hashes is _ionhash_c.block_field_hashes
    assert ih.merkle_root is _ionhash_c.merkle_root


@needs_c
def test_usual_arguments_never_reach_the_python_versions() -> None:
    """With fallbacks that fail, the arguments a commit, verification and export pass are
    handled in C alone."""
    from ledger_desktop.engine import _ionhash_c

    def refuse(*_a: Any, **_k: Any) -> None:
        raise AssertionError("handed to the Python version")

    ts = now_timestamp()
    fields = mh.block_field_hashes_py(ts, "tx\x0b")
    _ionhash_c.set_fallbacks(merkle_root=refuse, metadata_hash=refuse,
                             block_field_hashes=refuse)
    try:
        got = [mh.block_field_hashes(ts, "tx\x0b"), mh.block_field_hashes(ts, "\U0001F600")]
        for version in (0, 1, 63, 64, 2**63 - 1, -2**63, True, 2**64, -2**70):
            got.append(mh.metadata_hash("doc\x0e\U0001F600", version, fields))
        for n in range(71):
            got.append(ih.merkle_root([bytes([i]) * 32 for i in range(n)]))
            got.append(ih.merkle_root(tuple(bytearray([i]) * 32 for i in range(n))))
    finally:
        _ionhash_c.set_fallbacks(merkle_root=ih.merkle_root_py,
                                 metadata_hash=mh.metadata_hash_py,
                                 block_field_hashes=mh.block_field_hashes_py)
    assert got[0] == fields


# --- metadata ------------------------------------------------------------------------------------

@needs_c
@SETTINGS
@given(ids, versions, st.data())
def test_metadata_hash_equals_python(doc_id: str, version: int, data: st.DataObject) -> None:
    fields = data.draw(st.composite(block_fields_of)())
    assert outcome(mh.metadata_hash, doc_id, version, fields) == outcome(
        mh.metadata_hash_py, doc_id, version, fields)


@needs_c
@SETTINGS
@given(timestamps(), ids)
def test_block_field_hashes_equal_python(ts: Any, tx_id: str) -> None:
    assert outcome(mh.block_field_hashes, ts, tx_id) == outcome(mh.block_field_hashes_py, ts,
                                                                 tx_id)


@needs_c
def test_lone_surrogates_raise_as_in_python() -> None:
    ts = now_timestamp()
    fields = mh.block_field_hashes_py(ts, "tx")
    for f, args in ((mh.metadata_hash, ("a\ud800", 1, fields)),
                    (mh.metadata_hash_py, ("a\ud800", 1, fields)),
                    (mh.block_field_hashes, (ts, "\udfff")),
                    (mh.block_field_hashes_py, (ts, "\udfff"))):
        with pytest.raises(UnicodeEncodeError):
            f(*args)


class _OwnEncoding(str):
    """Text the Python versions encode by its own `encode`. Why C takes exact str only."""

    def encode(self, *_args: Any, **_kwargs: Any) -> bytes:
        return b"encoded"


@needs_c
def test_keywords_as_in_python() -> None:
    ts = now_timestamp()
    fields = mh.block_field_hashes_py(ts, "tx")
    for f in (mh.metadata_hash, mh.metadata_hash_py):
        assert f("d", 1, block_fields=fields) == mh.metadata_hash_py("d", 1, fields)
        assert outcome(f, "d", 1, fields, extra=1) is TypeError
        assert outcome(f, "d", 1, fields, version=1) is TypeError
    for g in (mh.block_field_hashes, mh.block_field_hashes_py):
        assert g(ts, tx_id="tx") == fields
        assert outcome(g, ts, "tx", extra=1) is TypeError


_odd_arguments = [
    # doc id: str subclasses, other types
    (Text("doc"), 1, "ok"), (IonPyText.from_value(IonType.STRING, "doc"), 1, "ok"),
    (_OwnEncoding("doc"), 1, "ok"),
    (b"doc", 1, "ok"), (None, 1, "ok"),
    # version: int subclasses (a bool-typed IonPyInt included), floats, None
    ("doc", IonPyInt.from_value(IonType.INT, 5), "ok"),
    ("doc", IonPyInt.from_value(IonType.BOOL, 1), "ok"),
    ("doc", IonPyInt.from_value(IonType.BOOL, 2**70), "ok"),  # the serializer says `true`
    ("doc", 1.0, "ok"), ("doc", 100.0, "ok"), ("doc", None, "ok"), ("doc", "1", "ok"),
    # field hashes: a list, other lengths, one or three, not bytes
    ("doc", 1, "list"), ("doc", 1, "short"), ("doc", 1, "one"), ("doc", 1, "three"),
    ("doc", 1, "str"), ("doc", 1, "bytearray"), ("doc", 1, None),
]


@needs_c
@pytest.mark.parametrize(("doc_id", "version", "fields"), _odd_arguments)
def test_odd_metadata_arguments_as_in_python(doc_id: Any, version: Any, fields: Any) -> None:
    a, b = mh.block_field_hashes_py(now_timestamp(), "tx")
    fields = {"ok": (a, b), "list": [a, b], "short": (a[:31], b), "one": (a,),
              "three": (a, b, a), "str": ("x" * 32, b), "bytearray": (bytearray(a), b),
              None: None}[fields]
    assert outcome(mh.metadata_hash, doc_id, version, fields) == outcome(
        mh.metadata_hash_py, doc_id, version, fields)
    # keywords and wrong argument counts too
    assert outcome(mh.metadata_hash, doc_id, version=version, block_fields=fields) == outcome(
        mh.metadata_hash_py, doc_id, version=version, block_fields=fields)
    assert outcome(mh.metadata_hash, doc_id, version) is TypeError
    assert outcome(mh.metadata_hash, doc_id, version, fields, extra=1) is TypeError


@needs_c
@pytest.mark.parametrize("tx_time", ["now", "2026-01-01", None, 5])
@pytest.mark.parametrize("tx_id", ["tx", Text("tx"), _OwnEncoding("tx"), b"tx", None])
def test_odd_block_field_arguments_as_in_python(tx_time: Any, tx_id: Any) -> None:
    tx_time = now_timestamp() if tx_time == "now" else tx_time
    assert outcome(mh.block_field_hashes, tx_time, tx_id) == outcome(
        mh.block_field_hashes_py, tx_time, tx_id)
    assert outcome(mh.block_field_hashes, tx_time=tx_time, tx_id=tx_id) == outcome(
        mh.block_field_hashes_py, tx_time=tx_time, tx_id=tx_id)
    assert outcome(mh.block_field_hashes, tx_time, tx_id, extra=1) is TypeError


# --- Merkle roots --------------------------------------------------------------------------------

@needs_c
@SETTINGS
@given(st.lists(hash32, max_size=70), st.booleans(), st.booleans())
def test_merkle_root_equals_python(hashes: list[bytes], as_tuple: bool, some_bytearrays: bool
                                   ) -> None:
    if some_bytearrays:
        hashes = [bytearray(h) if i % 3 == 1 else h for i, h in enumerate(hashes)]
    arg = tuple(hashes) if as_tuple else hashes
    assert ih.merkle_root(arg) == ih.merkle_root_py(arg)


class _EmptyBytes(bytes):
    """Hashes that say they are empty: dot passes them through. Why C takes exact types only."""

    def __len__(self) -> int:
        return 0


class _EmptyBytearray(bytearray):
    def __len__(self) -> int:
        return 0


# Other lengths (dot passes an empty side through, refuses others), other bytes-likes and types.
_odd_items = st.one_of(
    hash32, st.binary(max_size=40), hash32.map(bytearray), hash32.map(memoryview),
    hash32.map(lambda h: IonPyBytes.from_value(IonType.BLOB, h)), hash32.map(_EmptyBytes),
    hash32.map(_EmptyBytearray), st.sampled_from([None, "x" * 32, "", 0, 1]))


@needs_c
@SETTINGS
@given(st.lists(_odd_items, max_size=12), st.sampled_from([list, tuple, iter]))
def test_merkle_root_of_anything_as_in_python(items: list[Any], container: Any) -> None:
    assert outcome(ih.merkle_root, container(items)) == outcome(ih.merkle_root_py,
                                                                container(items))


@needs_c
def test_merkle_root_every_size_and_the_heap_path() -> None:
    for n in [*range(0, 140), 257, 1000, 1025]:
        hashes = [os.urandom(32) for _ in range(n)]
        assert ih.merkle_root(hashes) == ih.merkle_root_py(hashes), n
    one = [bytearray(32)]
    assert ih.merkle_root(one) is one[0] and ih.merkle_root_py(one) is one[0]
    assert ih.merkle_root([]) == b"" == ih.merkle_root(())
    assert outcome(ih.merkle_root, 5) is TypeError is outcome(ih.merkle_root_py, 5)
    assert ih.merkle_root(hashes=(b"a" * 32, b"b" * 32)) == ih.merkle_root_py(
        (b"a" * 32, b"b" * 32))
    assert outcome(ih.merkle_root) is TypeError
    assert outcome(ih.merkle_root, [], extra=1) is TypeError
