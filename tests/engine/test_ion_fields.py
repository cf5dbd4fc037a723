"""ion_fields.split_struct_fields: each field's stored bytes, hashed, equal its value's hash."""

from __future__ import annotations

import random

from amazon.ion import simpleion
from hypothesis import given
from test_ion_hash_properties import SETTINGS, documents

from ledger_desktop.engine.ion_binary_hash import ion_hash_binary
from ledger_desktop.engine.ion_fields import split_struct_fields
from ledger_desktop.engine.ion_hash import ion_hash
from ledger_desktop.engine.ion_values import dumps_binary, loads


@SETTINGS
@given(documents)
def test_each_field_blob_hashes_like_its_value(doc) -> None:
    blob = simpleion.dumps(doc, binary=True)
    fields = split_struct_fields(blob)
    parsed = list(loads(blob).items())
    assert fields is not None and len(fields) == len(parsed)
    for field_blob, (_name, value) in zip(fields, parsed, strict=True):
        assert ion_hash_binary(field_blob) == ion_hash(value)


def test_a_real_block_body_splits_into_its_fields() -> None:
    with _sample() as led:
        (body,) = led._conn.execute("SELECT body FROM blocks WHERE seq=3").fetchone()
    value = loads(body)
    fields = split_struct_fields(body)
    assert fields is not None
    names = [n for n, _ in value.items()]
    assert "transactionInfo" in names
    i = names.index("transactionInfo")
    assert ion_hash_binary(fields[i]) == ion_hash(value["transactionInfo"])


def _sample():
    import tempfile
    from pathlib import Path

    from ledger_desktop.engine.ledger import Ledger
    from ledger_desktop.engine.sample import build_sample

    path = Path(tempfile.mkdtemp()) / "s.ledger"
    build_sample(path)
    return Ledger.open(path, read_only=True)


def test_what_is_not_one_struct_gives_none() -> None:
    assert split_struct_fields(dumps_binary(loads("[1, 2]"))) is None
    assert split_struct_fields(dumps_binary(loads("a::{b: 1}"))) is None
    assert split_struct_fields(b"{a:1}") is None  # text, not binary
    two = dumps_binary(loads("{a: 1}")) + dumps_binary(loads("{b: 2}"))[4:]
    assert split_struct_fields(two) is None
    assert split_struct_fields(b"") is None


def test_damaged_bytes_never_crash() -> None:
    rng = random.Random(7)
    blob = dumps_binary(loads('{a: "x", b: [1, 2.5, {c: d}], e: 2020-01-01T}'))
    for _ in range(3000):
        data = bytearray(blob)
        for _ in range(rng.randint(1, 3)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        cut = bytes(data[:rng.randint(0, len(data))]) if rng.random() < 0.3 else bytes(data)
        out = split_struct_fields(cut)
        assert out is None or all(isinstance(f, bytes) for f in out)
