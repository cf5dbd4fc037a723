"""Proofs laid out for the proof view: segments, every step recomputed, failures pinned."""

from __future__ import annotations

import pytest
from tampering import tamper_copy

from ledger_desktop.engine.errors import BlockNotFoundError
from ledger_desktop.engine.ion_hash import dot, fold
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.proof_layout import (
    block_proof,
    offline_proof,
    relate_digests,
    revision_proof,
)
from ledger_desktop.engine.proofs import verify_revision
from ledger_desktop.engine.sample import build_sample


@pytest.fixture(scope="module")
def sample_path(tmp_path_factory):
    return build_sample(tmp_path_factory.mktemp("proof") / "s.ledger")


def _multi_revision_block(led):
    return led._conn.execute("SELECT seq, doc_id FROM revisions WHERE kind=0 AND seq IN "
                             "(SELECT seq FROM blocks WHERE n_revisions > 2) "
                             "ORDER BY seq, idx LIMIT 1 OFFSET 1").fetchone()


def _check_steps(laid):
    for s in laid.result.steps[1:]:
        assert s.result == dot(s.left, s.right)
    assert fold(laid.result.steps[0].result, [s.right for s in laid.result.steps[1:]]) == \
        laid.result.steps[-1].result


def test_revision_proof_matches_engine_and_segments(sample_path):
    with Ledger.open(sample_path, read_only=True) as led:
        seq, doc = _multi_revision_block(led)
        digest = led.digest()
        laid = revision_proof(led, doc, seq, digest)
        _, flat = led.revision_proof(doc, seq, digest.tip)
        revision, _ = led.get_revision(doc, f"{led.strand_id}:{seq}")
    assert laid.result.ok, laid.result.render()
    assert laid.proof == flat
    names = [s.name for s in laid.segments]
    assert names == ["revision", "revisions tree", "entries tree", "chain link", "digest tree"]
    assert laid.segments[-1].last == len(laid.result.steps) - 1
    _check_steps(laid)
    assert verify_revision(revision, laid.proof, digest.digest).ok
    assert laid.result.steps[-1].result == digest.digest


def test_block_proof_and_older_digest(sample_path):
    with Ledger.open(sample_path, read_only=True) as led:
        old = led.digest_at(8)
        new = led.digest()
        laid = block_proof(led, 5, new)
        related = relate_digests(led, new, old)  # order does not matter
        with pytest.raises(BlockNotFoundError):
            block_proof(led, 9, old)
        _, getblock_proof = led.get_block(f"{led.strand_id}:5", new.tip)
    assert laid.result.ok and laid.proof == getblock_proof
    _check_steps(laid)
    assert related.result.ok and "block 8" in related.subject
    assert "still folds" in related.notes[0]


def test_tampered_revision_fails_at_first_step(sample_path, tmp_path):
    bad = tmp_path / "bad.ledger"
    with Ledger.open(sample_path, read_only=True) as led:
        seq, _ = _multi_revision_block(led)
        digest = led.digest()
    doc = tamper_copy(sample_path, bad, seq)
    with Ledger.open(bad, read_only=True) as led:
        laid = revision_proof(led, doc, seq, digest)
    assert not laid.result.ok and laid.result.failed_step == 0
    assert "changed" in laid.result.steps[0].note


def test_rewritten_hash_fails_at_revisions_tree_end(sample_path, tmp_path):
    import shutil
    import sqlite3

    bad = tmp_path / "rehashed.ledger"
    shutil.copy(sample_path, bad)
    with Ledger.open(sample_path, read_only=True) as led:
        seq, doc = _multi_revision_block(led)
        digest = led.digest()
    # the attacker also rewrites the revision's stored hash: the content check passes, but
    # the revisions tree no longer reaches an entry of the block
    conn = sqlite3.connect(bad)
    conn.execute("UPDATE revisions SET hash=? WHERE seq=? AND doc_id=?", (b"\7" * 32, seq, doc))
    conn.commit()
    conn.close()
    with Ledger.open(bad, read_only=True) as led:
        laid = revision_proof(led, doc, seq, digest)
    assert not laid.result.ok
    failed = laid.result.failed_step
    assert laid.segment_of(failed) in ("revision", "revisions tree")


def test_offline_revision_proof(sample_path):
    with Ledger.open(sample_path, read_only=True) as led:
        seq, doc = _multi_revision_block(led)
        digest = led.digest()
        revision, proof = led.get_revision(doc, f"{led.strand_id}:{seq}", digest.tip)
    laid = offline_proof(revision, proof, digest.digest, "revision")
    assert laid.result.ok and [s.name for s in laid.segments] == ["revision", "proof"]
    wrong = offline_proof(revision, proof, b"\0" * 32, "revision")
    assert not wrong.result.ok and wrong.result.failed_step == len(wrong.result.steps) - 1
