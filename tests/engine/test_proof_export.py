"""Saving a proof for an auditor (engine/proof_export.py): the file is what `ledger
get-revision --json` prints plus the digest tip, `ledger verify-proof` verifies it, and a proof
that does not fold to the digest given is refused, not saved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger_desktop.cli import main as cli
from ledger_desktop.engine.errors import IntegrityError, UserError
from ledger_desktop.engine.model import Digest
from ledger_desktop.engine.proof_export import write_proof_file
from ledger_desktop.engine.proofs import b64


def test_saved_revision_and_block_proofs_verify_with_the_cli(t_ledger, tmp_path: Path) -> None:
    t_ledger.execute("UPDATE T AS t SET t.n = 1")
    digest = t_ledger.digest()
    doc = t_ledger.documents(t_ledger.table("T").table_id)[0]
    first = t_ledger.document_history(doc.doc_id)[0].address.seq
    saved = write_proof_file(t_ledger, tmp_path / "rev.json", first, digest, doc.doc_id)
    assert saved.kind == "revision" and saved.command().startswith(
        f"ledger verify-proof --revision {tmp_path / 'rev.json'} --digest {b64(digest.digest)}")
    obj = json.loads((tmp_path / "rev.json").read_text())
    assert obj["DigestTipAddress"] == {"IonText": digest.tip.text()}
    block = write_proof_file(t_ledger, tmp_path / "block.json", first, digest)
    assert block.kind == "block"
    for flag, path in (("--revision", "rev.json"), ("--block", "block.json")):
        r = CliRunner().invoke(cli, ["verify-proof", flag, str(tmp_path / path), "--digest",
                                     b64(digest.digest)])
        assert r.exit_code == 0 and "VERIFIED" in r.output, r.output


def test_a_proof_that_does_not_fold_to_the_digest_is_not_saved(t_ledger, tmp_path: Path
                                                                ) -> None:
    digest = t_ledger.digest()
    wrong = Digest(bytes(32), digest.tip)
    with pytest.raises(IntegrityError, match="does not verify against the digest"):
        write_proof_file(t_ledger, tmp_path / "p.json", digest.tip.seq, wrong)
    other = Digest(digest.digest, type(digest.tip)("AnotherStrand0000000000", 1))
    with pytest.raises(UserError, match="not this ledger's"):
        write_proof_file(t_ledger, tmp_path / "p.json", 1, other)
    assert not (tmp_path / "p.json").exists()
    with pytest.raises(UserError, match="cannot save the proof"):
        write_proof_file(t_ledger, tmp_path / "no-such-folder" / "p.json", 1, digest)
