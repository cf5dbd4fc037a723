"""Ids are 22 Base62 characters and do not repeat."""

from ledger_desktop.engine.ids import ID_LENGTH, is_id, new_id


def test_ids_are_22_base62_characters_and_unique():
    ids = [new_id() for _ in range(20_000)]
    assert all(len(i) == ID_LENGTH and is_id(i) for i in ids)
    assert len(set(ids)) == len(ids)
    assert len({i[0] for i in ids}) > 1  # the leading digit varies too (no fixed padding)
