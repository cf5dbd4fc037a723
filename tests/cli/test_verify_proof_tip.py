"""verify-proof holds the digest's tip address against the proof (probe-compat-2026-11-29b
L2; reliability.md 116): it prints the tip it checked against, and fails, naming both tips,
when the value is after the tip or the proof was made for another tip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger_desktop.cli import main
from ledger_desktop.engine import digest_file
from ledger_desktop.engine.ion_values import loads
from ledger_desktop.engine.ledger import Ledger


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def journal(tmp_path_factory) -> tuple[Path, str, Path]:
    """A ledger of 24 blocks, and saved digests at blocks 7, 20 and 23."""
    folder = tmp_path_factory.mktemp("tips")
    path = folder / "t.ledger"
    with Ledger.create(path) as ledger:
        with ledger.transaction() as tx:
            table = tx.create_table("T", tx.begin_statement("CREATE TABLE T"))
        while ledger.block_count() < 24:
            doc = {"n": ledger.block_count()}
            with ledger.transaction() as tx:
                tx.insert(table, doc, tx.begin_statement("INSERT INTO T ?", [doc]))
        strand = ledger.strand_id
        for tip in (7, 20, 23):
            digest_file.write_digest(folder / f"d{tip}.json", ledger.digest_at(tip))
    return path, strand, folder


def _get(journal, kind: str, seq: int, tip: int, out: Path) -> Path:
    """`ledger get-block`/`get-revision --json` of block `seq` with the proof to `tip`."""
    path, strand, _ = journal
    addr = f'{{strandId:"{strand}",sequenceNo:{seq}}}'
    tip_addr = f'{{strandId:"{strand}",sequenceNo:{tip}}}'
    if kind == "block":
        r = run("get-block", path, "--block-address", addr, "--digest-tip-address", tip_addr,
                "--json")
    else:
        block = loads(json.loads(run("get-block", path, "--block-address", addr,
                                     "--json").output)["Block"]["IonText"])
        doc_id = next(str(rev["metadata"]["id"]) for rev in block["revisions"]
                      if "data" in rev)
        r = run("get-revision", path, "--document-id", doc_id, "--block-address", addr,
                "--digest-tip-address", tip_addr, "--json")
    assert r.exit_code == 0, r.output
    out.write_text(r.output)
    return out


def _verify(kind: str, value: Path, digest: Path | str):
    return run("verify-proof", f"--{kind}", value, "--digest", digest)


@pytest.mark.parametrize("kind", ["block", "revision"])
def test_matching_tip_verifies_and_names_the_tip(journal, tmp_path, kind) -> None:
    _, strand, folder = journal
    for seq in (5, 6):
        value = _get(journal, kind, seq, 7, tmp_path / f"{kind}{seq}.json")
        r = _verify(kind, value, folder / "d7.json")
        assert r.exit_code == 0 and "\nVERIFIED: the proof folds" in r.output, r.output
        assert r.output.startswith("digest: ") and \
            f'at tip {{strandId:"{strand}",sequenceNo:7}}\n' in r.output.splitlines(True)[0]
        assert "digest tip" not in r.output
    # a base64 digest alone has no tip address: said, and the proof still verifies
    b64 = json.loads((folder / "d7.json").read_text())["Digest"]
    r = _verify(kind, value, b64)
    assert r.exit_code == 0 and "VERIFIED" in r.output, r.output
    assert "its tip address is unknown and not checked" in r.output.splitlines()[0]


@pytest.mark.parametrize("kind", ["block", "revision"])
def test_a_digest_from_a_later_tip_than_the_proof(journal, tmp_path, kind) -> None:
    """The proof of block 5 was made for the digest at block 7; the digest given is at block
    20. The hashes cannot fold, and the report says which tip the proof fits."""
    _, _, folder = journal
    value = _get(journal, kind, 5, 7, tmp_path / "v.json")
    r = _verify(kind, value, folder / "d20.json")
    assert r.exit_code == 1, r.output
    assert "sequenceNo:20}" in r.output.splitlines()[0]
    assert ("[FAIL] digest tip: a proof of block 5 against the digest at block 20 holds 5 "
            "digest-tree hash(es), this one 3: it was made for another digest (it fits a "
            "digest at a block from 6 to 7)") in r.output, r.output
    assert "NOT VERIFIED: after" in r.output  # the fold's own verdict stays


def test_a_proof_file_that_names_its_tip(journal, tmp_path) -> None:
    """A GetRevision JSON holding the DigestTipAddress it was requested with: another tip than
    the digest's is named, both ways round, even in an even block (where the proof's length
    does not show the tip)."""
    _, strand, folder = journal
    value = _get(journal, "revision", 6, 7, tmp_path / "v.json")
    response = json.loads(value.read_text())
    response["DigestTipAddress"] = {"IonText": f'{{strandId:"{strand}",sequenceNo:7}}'}
    value.write_text(json.dumps(response))
    assert _verify("revision", value, folder / "d7.json").exit_code == 0
    r = _verify("revision", value, folder / "d20.json")
    assert r.exit_code == 1
    assert (f'[FAIL] digest tip: the proof was made for the digest at {{strandId:"{strand}",'
            f'sequenceNo:7}} (its file\'s DigestTipAddress), not for this digest at '
            f'{{strandId:"{strand}",sequenceNo:20}}') in r.output, r.output


@pytest.mark.parametrize("kind", ["block", "revision"])
def test_a_block_beyond_the_tip(journal, tmp_path, kind) -> None:
    """Block 21 cannot be under a digest at block 20: said plainly, even when the hashes fold
    (the digest at block 23 relabelled as block 20's: the tip address is not hashed)."""
    _, strand, folder = journal
    value = _get(journal, kind, 21, 23, tmp_path / "v.json")
    what = "block 21" if kind == "block" else "the revision's block 21"
    why = (f"[FAIL] digest tip: {what} is after the digest's tip (block 20): a digest covers "
           "only blocks 0..20, so no proof can tie block 21 to it")
    r = _verify(kind, value, folder / "d20.json")
    assert r.exit_code == 1 and why in r.output, r.output
    relabelled = json.loads((folder / "d23.json").read_text())
    relabelled["DigestTipAddress"] = {"IonText": f'{{strandId:"{strand}",sequenceNo:20}}'}
    (tmp_path / "d.json").write_text(json.dumps(relabelled))
    r = _verify(kind, value, tmp_path / "d.json")
    assert r.exit_code == 1 and why in r.output, r.output
    assert ("NOT VERIFIED: the proof folds to the digest, but the digest's tip address "
            f'{{strandId:"{strand}",sequenceNo:20}} does not fit it') in r.output


def test_a_relabelled_tip_whose_length_does_not_fit(journal, tmp_path) -> None:
    """The digest at block 7 labelled as block 20's: the hashes fold, the length does not."""
    _, strand, folder = journal
    value = _get(journal, "revision", 5, 7, tmp_path / "v.json")
    relabelled = json.loads((folder / "d7.json").read_text())
    relabelled["DigestTipAddress"] = {"IonText": f'{{strandId:"{strand}",sequenceNo:20}}'}
    (tmp_path / "d.json").write_text(json.dumps(relabelled))
    r = _verify("revision", value, tmp_path / "d.json")
    assert r.exit_code == 1, r.output
    assert "it fits a digest at a block from 6 to 7" in r.output
    assert "NOT VERIFIED: the proof folds to the digest, but" in r.output
