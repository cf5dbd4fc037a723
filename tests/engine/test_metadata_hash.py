"""The column-derived metadata hash equals the generic Ion Hash of the metadata struct."""

from __future__ import annotations

from amazon.ion import simpleion
from amazon.ion.core import IonType
from amazon.ion.simple_types import IonPyInt, IonPyNull, IonPyText
from hypothesis import given
from hypothesis import strategies as st

from ledger_desktop.engine.blocks import metadata_hash_of
from ledger_desktop.engine.ion_hash import ion_hash
from ledger_desktop.engine.ion_values import loads, now_timestamp, string, struct
from ledger_desktop.engine.metadata_hash import block_field_hashes, metadata_hash

ids = st.text(min_size=1, max_size=30)


@given(ids, st.integers(min_value=0, max_value=2**40), ids)
def test_matches_generic_ion_hash(doc_id, version, tx_id):
    ts = now_timestamp()
    meta = struct(("id", string(doc_id)), ("version", version), ("txTime", ts),
                  ("txId", string(tx_id)))
    assert metadata_hash(doc_id, version, block_field_hashes(ts, tx_id)) == ion_hash(meta)


def test_marker_bytes_are_escaped():
    ts = now_timestamp()
    doc_id = "a\x0bb\x0ec\x0c"
    meta = struct(("id", string(doc_id)), ("version", 11), ("txTime", ts),
                  ("txId", string("\x0e")))
    assert metadata_hash(doc_id, 11, block_field_hashes(ts, "\x0e")) == ion_hash(meta)


def test_own_header_entry_equals_the_generic_hash() -> None:
    import random

    from ledger_desktop.engine.blocks import header_entry
    from ledger_desktop.engine.header_hash import own_header_entry
    from ledger_desktop.engine.ids import new_id
    from ledger_desktop.engine.ion_values import block_address, now_timestamp

    rng = random.Random(3)
    for seq in [0, 1, 127, 128, 255, 256, 65535, 2**31, 2**40 + 7] + [
            rng.randrange(2**20) for _ in range(50)]:
        strand, tx = new_id(), new_id()
        ts = now_timestamp()
        assert own_header_entry(strand, seq, tx, ts) == header_entry(
            block_address(strand, seq), tx, ts)
    # text needing escapes (0x0B, 0x0C, 0x0E bytes) in the ids
    ts = now_timestamp()
    assert own_header_entry("a\x0bb\x0e", 5, "\x0c", ts) == header_entry(
        block_address("a\x0bb\x0e", 5), "\x0c", ts)


def test_precomputed_version_hashes_match_for_every_small_version() -> None:
    ts = now_timestamp()
    fields = block_field_hashes(ts, "tx")
    for version in range(0, 70):
        meta = struct(("id", string("d\x0bi")), ("version", version), ("txTime", ts),
                      ("txId", string("tx")))
        assert metadata_hash("d\x0bi", version, fields) == ion_hash(meta)


# Metadata as read from exports and streams: usually {id, version, txTime, txId}, but a foreign
# or tampered one may hold anything; metadata_hash_of must always equal the generic hash.
_any_scalar = st.one_of(
    st.text(max_size=8), st.integers(-5, 2**70), st.booleans(), st.none(),
    st.sampled_from(["sym"]).map(lambda t: IonPyText.from_value(IonType.SYMBOL, t)),
    st.sampled_from([IonType.STRING, IonType.INT, IonType.TIMESTAMP]).map(
        lambda t: IonPyNull.from_value(t, None)),
    st.integers(0, 3).map(lambda v: IonPyInt.from_value(IonType.INT, v, ("ann",))),
    st.sampled_from(["2026-11-27T10:51:28.123Z", "2026-11-27T10:51:28.1230Z",
                     "2026-11-27T11:51:28.123+01:00", "2026-11-27T10:51Z", "2026T",
                     "2026-11-27T10:51:28.123456789-00:00"]).map(loads))


@given(st.dictionaries(st.sampled_from(["id", "version", "txTime", "txId", "other"]),
                       _any_scalar, min_size=3, max_size=5),
       st.booleans(), st.booleans())
def test_metadata_hash_of_equals_the_generic_hash(fields, well_typed, bare):
    if well_typed:
        fields.update(id="doc\x0bid", version=fields.get("version") if type(
            fields.get("version")) is int and fields["version"] >= 0 else 3,
            txTime=loads("2026-11-27T10:51:28.123Z"), txId="tx")
    meta = struct(*fields.items())
    if bare:
        meta = simpleion.loads(simpleion.dumps(meta, binary=True),
                               value_model=simpleion.IonPyValueModel.MAY_BE_BARE)
    assert metadata_hash_of(meta) == ion_hash(meta)
    assert metadata_hash_of(meta) == metadata_hash_of(meta)  # cached block fields agree
