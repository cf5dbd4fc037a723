"""Digests and proofs: O(1) digest, proofs for every block and revision, any earlier tip."""

from __future__ import annotations

import pytest

from ledger_desktop.engine.blocks import BlockAddress
from ledger_desktop.engine.errors import BlockNotFoundError, InputFormatError
from ledger_desktop.engine.ion_hash import fold, merkle_root
from ledger_desktop.engine.ion_values import loads
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.proofs import verify_block, verify_revision


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    path = tmp_path_factory.mktemp("dp") / "d.ledger"
    led = Ledger.create(path)
    with led.transaction() as tx:
        tid = tx.create_table("T", tx.begin_statement("CREATE TABLE T"))
    for i in range(37):
        with led.transaction() as tx:
            stmt = tx.begin_statement("INSERT INTO T ?")
            for j in range(i % 4 + 1):  # 1..4 revisions per block
                tx.insert(tid, loads(f"{{i: {i}, j: {j}}}"), stmt)
    yield led
    led.close()


def _block_hashes(led: Ledger, tip: int) -> list[bytes]:
    return [bytes(led.block(s)["blockHash"]) for s in range(tip + 1)]


def test_digest_is_the_merkle_root_of_all_block_hashes(ledger):
    d = ledger.digest()
    assert d.tip.seq == ledger.block_count() - 1
    assert d.digest == merkle_root(_block_hashes(ledger, d.tip.seq))


@pytest.mark.parametrize("tip", [0, 1, 2, 5, 8, 16, 23, 38])
def test_block_proofs_fold_to_the_digest_at_any_tip(ledger, tip):
    expected = merkle_root(_block_hashes(ledger, tip))
    assert ledger.digest_at(tip).digest == expected
    for seq in range(tip + 1):
        proof = ledger.block_proof(seq, tip)
        assert fold(bytes(ledger.block(seq)["blockHash"]), proof) == expected
        assert len(proof) <= tip.bit_length() + 1


def test_revision_proofs_in_qldb_order(ledger):
    tip = ledger.tip()
    digest = ledger.digest().digest
    for seq in (2, 5, 17, 38):
        block = ledger.block(seq)
        for rev in block["revisions"]:
            if "metadata" not in rev:
                continue
            doc_id = str(rev["metadata"]["id"])
            revision, proof = ledger.get_revision(doc_id, BlockAddress(ledger.strand_id, seq),
                                                  tip)
            assert fold(bytes(revision["hash"]), proof) == digest
            assert verify_revision(revision, proof, digest).ok
            # the GetBlock proof is the suffix of the GetRevision proof
            block_proof = ledger.block_proof(seq, tip)
            assert proof[-len(block_proof):] == block_proof if block_proof else True


def test_tampered_revision_fails_at_the_first_step(ledger):
    tip = ledger.tip()
    block = ledger.block(4)
    doc_id = str(block["revisions"][0]["metadata"]["id"])
    revision, proof = ledger.get_revision(doc_id, BlockAddress(ledger.strand_id, 4), tip)
    revision["data"]["i"] = 999
    result = verify_revision(revision, proof, ledger.digest().digest)
    assert not result.ok and result.failed_step == 0


def test_data_without_metadata_is_not_taken_as_hash_only(ledger):
    """Removing a revision's metadata once made it "hash-only": forged data then verified."""
    tip = ledger.tip()
    block = ledger.block(4)
    doc_id = str(block["revisions"][0]["metadata"]["id"])
    revision, proof = ledger.get_revision(doc_id, BlockAddress(ledger.strand_id, 4), tip)
    del revision["metadata"]
    revision["data"]["i"] = 999
    result = verify_revision(revision, proof, ledger.digest().digest)
    assert not result.ok and result.failed_step == 0
    assert "no metadata" in result.message
    block, proof = ledger.get_block(BlockAddress(ledger.strand_id, 4), tip)
    del block["revisions"][0]["metadata"]
    assert not verify_block(block, proof, ledger.digest().digest).ok


@pytest.mark.parametrize("value", [-1, 50_000_000, "abc", None, [1, 2, 3], b"short"])
def test_a_hash_that_is_not_a_32_byte_blob_is_an_input_error(ledger, value):
    """`bytes(hash)` made 50 MB of zeros of an int, and tracebacks of the rest."""
    tip = ledger.tip()
    block = ledger.block(4)
    doc_id = str(block["revisions"][0]["metadata"]["id"])
    revision, proof = ledger.get_revision(doc_id, BlockAddress(ledger.strand_id, 4), tip)
    revision["hash"] = value
    with pytest.raises(InputFormatError, match="not a 32-byte hash"):
        verify_revision(revision, proof, ledger.digest().digest)
    block, proof = ledger.get_block(BlockAddress(ledger.strand_id, 4), tip)
    block["blockHash"] = value
    with pytest.raises(InputFormatError, match="not a 32-byte hash"):
        verify_block(block, proof, ledger.digest().digest)


def test_block_proof_checks_content_then_folds(ledger):
    tip = ledger.tip()
    block, proof = ledger.get_block(BlockAddress(ledger.strand_id, 7), tip)
    assert verify_block(block, proof, ledger.digest().digest).ok
    bad = verify_block(block, proof[:-1], ledger.digest().digest)
    assert not bad.ok and bad.failed_step == len(proof) - 1


def test_addresses_outside_the_ledger_are_refused(ledger):
    with pytest.raises(BlockNotFoundError):
        ledger.get_block(BlockAddress(ledger.strand_id, 10_000))
    with pytest.raises(BlockNotFoundError):
        ledger.get_block(BlockAddress("AAAAAAAAAAAAAAAAAAAAAA", 1))
    with pytest.raises(BlockNotFoundError):
        ledger.block_proof(5, 3)


def test_pasted_digest_text_in_every_accepted_form() -> None:
    import base64

    import pytest

    from ledger_desktop.engine.blocks import BlockAddress
    from ledger_desktop.engine.digest_file import parse_digest_text
    from ledger_desktop.engine.errors import InputFormatError

    raw = bytes(range(32))
    b64 = base64.b64encode(raw).decode()
    tip = '{strandId:"JdxjkR9bSYB5jMHWcI464T",sequenceNo:1054}'
    want = BlockAddress("JdxjkR9bSYB5jMHWcI464T", 1054)
    for text in (f"Digest: {b64}\nDigest tip address: {tip}",
                 f"{tip} {b64}",
                 '{"Digest": "%s", "DigestTipAddress": {"IonText": "%s"}}'  # noqa: UP031
                 % (b64, tip.replace('"', '\\"'))):
        d = parse_digest_text(text)
        assert d.digest == raw and d.tip == want
    for bad, why in ((b64, "no tip address"), (tip, "no digest found"), ("", "nothing pasted"),
                     (f"{b64} {base64.b64encode(bytes(32)).decode()} {tip}", "2 different"),
                     (f"{b64} {tip} {tip.replace('1054', '7')}", "2 different tip")):
        with pytest.raises(InputFormatError, match=why):
            parse_digest_text(bad)


def test_a_deleted_revision_off_our_rule_is_proven_by_membership_only(tmp_path):
    """QLDB never published its hash rule for deleted revisions: one whose hash does not
    follow ours is folded from its stated hash and said to be membership-only, as
    verify-export does, instead of being called tampered (docs/reliability.md 92)."""
    led = Ledger.create(tmp_path / "del.ledger")
    led.execute("CREATE TABLE T")
    led.execute("INSERT INTO T `{n: 1}`")
    doc_id = list(led.execute("SELECT id FROM T BY id"))[0]["id"]
    led.execute("DELETE FROM T")
    tip = led.tip()
    revision, proof = led.get_revision(str(doc_id), BlockAddress(led.strand_id, tip.seq), tip)
    assert "data" not in revision
    digest = led.digest().digest
    ours = verify_revision(revision, proof, digest)
    assert ours.ok and "membership" not in ours.message  # our own rule: recomputed
    revision["metadata"]["version"] = 7  # now off our rule, as QLDB's might be
    foreign = verify_revision(revision, proof, digest)
    assert foreign.ok and foreign.message.startswith("VERIFIED (membership only)")
    assert "not public" in foreign.steps[0].note
    assert not verify_revision(revision, proof, b"\0" * 32).ok  # the proof is still folded
    led.close()
