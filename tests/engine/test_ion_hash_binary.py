"""`ion_hash_binary` (Ion Hash straight from Ion binary) agrees with `ion_hash(loads(...))`."""

from __future__ import annotations

from typing import Any

import pytest
from amazon.ion import simpleion
from hypothesis import HealthCheck, given, settings
from test_ion_hash_properties import documents, values
from vectors import b64, load_json

from ledger_desktop.engine.ion_binary_hash import _hash_binary_fast, _Unsupported, ion_hash_binary
from ledger_desktop.engine.ion_hash import ion_hash

DERIVED = load_json("ion-hash-sha256-derived.json")["vectors"]
IVM = "e00100ea"


@pytest.mark.parametrize("index", range(len(DERIVED)))
def test_derived_vectors_without_fallback(index: int) -> None:
    vector = DERIVED[index]
    assert _hash_binary_fast(bytes.fromhex(vector["ion_binary_hex"])) == \
        b64(vector["sha256_ion_hash_b64"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=documents)
def test_documents_match_the_object_hash(value: Any) -> None:
    blob = simpleion.dumps(value, binary=True)
    assert _hash_binary_fast(blob) == ion_hash(value) == ion_hash_binary(blob)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=values)
def test_any_value_matches_the_object_hash(value: Any) -> None:
    blob = simpleion.dumps(value, binary=True)
    assert ion_hash_binary(blob) == ion_hash(value)


@pytest.mark.parametrize("hex_value, text", [
    ("6880" "0fd0" "81818080" "80", "2000-01-01T00:00:00Z"),           # minimal
    ("6a80" "0fd0" "81818080" "80" "80" "00", "2000-01-01T00:00:00Z"),  # explicit zero fraction
    ("6a80" "0fd0" "81818080" "80" "c3" "00", "2000-01-01T00:00:00.000Z"),
    ("6480" "0fd0" "81", "2000-01T"),                                   # month precision
    ("6580" "0fd0" "8181", "2000-01-01T"),                              # known offset on a date
    ("6bbc" "0fd0" "8181" "8080" "80" "c3" "0139", "2000-01-01T01:00:00.313+01:00"),
    ("6cbc" "0fd0" "8181" "8080" "80" "c3" "000139", "2000-01-01T01:00:00.313+01:00"),
    ("5280" "00", "0d0"),                                              # zero written with bytes
    ("53c1" "0001", "0.1"),                                            # padded coefficient
    ("220001", "1"),                                                   # padded int
    ("4400000000", "0e0"),                                             # float32 zero
    ("443fc00000", "1.5e0"),                                           # float32
])
def test_non_minimal_encodings_hash_like_minimal_ones(hex_value: str, text: str) -> None:
    blob = bytes.fromhex(IVM + hex_value)
    expected = ion_hash(simpleion.loads(text))
    assert ion_hash(simpleion.loads(blob)) == expected  # amazon.ion agrees on the value
    assert _hash_binary_fast(blob) == expected


def test_padding_is_skipped() -> None:
    # one-byte NOP pads at top level and inside a list
    blob = bytes.fromhex(IVM + "00" + "b5" "2101" "00" "2101")
    assert ion_hash(simpleion.loads(blob)) == ion_hash([1, 1])
    assert _hash_binary_fast(blob) == ion_hash([1, 1])


def test_shared_symbol_table_imports_fall_back_to_amazon_ion() -> None:
    # $ion_symbol_table::{imports:[{name:"x", version:1, max_id:2}], symbols:["a"]} {$12: 1}
    blob = bytes.fromhex(IVM + "ee94" "8183" "de90" "86" "ba" "d9" "848178" "852101" "882102"
                         "87" "b28161" "d38c2101")
    with pytest.raises(_Unsupported, match="imports"):
        _hash_binary_fast(blob)
    assert ion_hash_binary(blob) == ion_hash({"a": 1}) == ion_hash(simpleion.loads(blob))


def test_multiple_values_and_garbage_are_refused() -> None:
    two = simpleion.dumps(1, binary=True) + bytes.fromhex("21 02")
    with pytest.raises(ValueError, match="not a single Ion binary value"):
        ion_hash_binary(two)
    with pytest.raises(ValueError, match="not a single Ion binary value"):
        ion_hash_binary(b"not ion at all")
    with pytest.raises(ValueError, match="not a single Ion binary value"):
        ion_hash_binary(simpleion.dumps({"a": "text"}, binary=True)[:-2])


def test_real_revision_blobs() -> None:
    from vectors import vector_path
    text = vector_path("stream-dmv-block-seq3.ion").read_text(encoding="utf-8")
    for record in simpleion.loads(text, single_value=False):
        blob = simpleion.dumps(record, binary=True)
        assert _hash_binary_fast(blob) == ion_hash(record)
