"""The digest-tree length of a proof, by QLDB's layout (engine/proof_tip.py)."""

from __future__ import annotations

import hashlib

from ledger_desktop.engine.ion_hash import merkle_path
from ledger_desktop.engine.proof_tip import (
    _tree_part_of_revision_proof,
    digest_tree_length,
    tips_for_length,
)


def test_digest_tree_length_is_the_merkle_path_length() -> None:
    for n in range(1, 80):
        leaves = [hashlib.sha256(bytes([i % 256, i // 256])).digest() for i in range(n)]
        for seq in range(n):
            assert len(merkle_path(leaves, seq)) == digest_tree_length(seq, n - 1), (seq, n)


def test_tips_for_length_is_the_range_of_tips_with_that_length() -> None:
    for seq in range(40):
        for length in range(9):
            tips = [t for t in range(seq, 3000) if digest_tree_length(seq, t) == length]
            assert tips_for_length(seq, length) == ((tips[0], tips[-1]) if tips else None)
    assert tips_for_length(10**18, 64) is not None        # 64-bit sequence numbers: quick
    assert tips_for_length(3, 200) is None and tips_for_length(3, -1) is None


def test_an_odd_block_shows_where_the_tree_part_starts() -> None:
    a, b, prev, s1, s2 = (bytes([i]) * 32 for i in range(5))
    assert _tree_part_of_revision_proof(5, [a, b, prev, prev, s1, s2]) == 3
    assert _tree_part_of_revision_proof(4, [a, b, prev, prev, s1]) is None   # even: unknown
    assert _tree_part_of_revision_proof(5, [a, a, prev, prev]) is None       # ambiguous
