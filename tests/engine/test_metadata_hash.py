"""The column-derived metadata hash equals the generic Ion Hash of the metadata struct."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ledger_desktop.engine.ion_hash import ion_hash
from ledger_desktop.engine.ion_values import now_timestamp, string, struct
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
