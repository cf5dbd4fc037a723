"""Ids are 22 Base62 characters and do not repeat."""

from ledger_desktop.engine.ids import ID_LENGTH, is_id, new_id


def test_ids_are_22_base62_characters_and_unique():
    ids = [new_id() for _ in range(20_000)]
    assert all(len(i) == ID_LENGTH and is_id(i) for i in ids)
    assert len(set(ids)) == len(ids)
    assert len({i[0] for i in ids}) > 1  # the leading digit varies too (no fixed padding)


def test_every_character_is_equally_likely():
    from collections import Counter

    counts = Counter("".join(new_id() for _ in range(20_000)))  # 440,000 characters
    assert set(counts) == set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                              "abcdefghijklmnopqrstuvwxyz")
    expected = 440_000 / 62
    # about 7,097 each, standard deviation about 83: a biased mapping (bytes mod 62 without
    # rejection) would give the first 8 characters about 8,800
    assert max(counts.values()) < expected * 1.08
    assert min(counts.values()) > expected * 0.92
