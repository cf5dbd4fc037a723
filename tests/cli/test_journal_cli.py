"""The journal commands of the `ledger` CLI, end to end (exit codes, output, files)."""

from __future__ import annotations

import base64
import json
import re
import shutil
import sqlite3
import subprocess
import sys

import pytest
from click.testing import CliRunner

from ledger_desktop.cli import main
from ledger_desktop.engine.ion_values import dumps_binary, loads
from ledger_desktop.engine.ledger import Ledger


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "dmv.ledger"
    result = CliRunner().invoke(main, ["sample", str(path)])
    assert result.exit_code == 0, result.output
    return path


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_every_command_has_help():
    for cmd in ("init", "sample", "info", "digest", "verify", "get-block", "get-revision",
                "verify-proof"):
        r = run(cmd, "--help")
        assert r.exit_code == 0 and "Usage" in r.output


def test_init_refuses_to_overwrite(tmp_path):
    p = tmp_path / "a.ledger"
    assert run("init", p).exit_code == 0
    r = run("init", p)
    assert r.exit_code == 2 and "refusing to overwrite" in r.output


def test_not_a_ledger_exits_2_without_traceback(tmp_path):
    p = tmp_path / "x.ledger"
    p.write_text("hello")
    r = run("verify", p)
    assert r.exit_code == 2
    assert "not a ledger" in r.output and "Traceback" not in r.output


def test_digest_save_and_verify_with_it(sample, tmp_path):
    saved = tmp_path / "d.json"
    r = run("digest", sample, "--save", saved)
    assert r.exit_code == 0
    b64 = re.search(r"digest:\s+(\S+)", r.output).group(1)
    assert len(base64.b64decode(b64)) == 32
    obj = json.loads(saved.read_text())
    assert obj["Digest"] == b64 and "sequenceNo" in obj["DigestTipAddress"]["IonText"]
    r = run("verify", sample, "--digest", saved, "-q")
    assert r.exit_code == 0, r.output
    assert "verified" in r.output and "agrees" in r.output


def test_a_saved_digest_is_not_replaced_without_force(sample, tmp_path):
    """`--save` over an existing file replaced it silently: an earlier digest, the evidence
    later verifications are checked against, was lost."""
    sample = shutil.copy(sample, tmp_path / "s.ledger")  # a block is added below
    saved = tmp_path / "d.json"
    assert run("digest", sample, "--save", saved).exit_code == 0
    earlier = saved.read_text()
    with Ledger.open(sample) as led:
        led.execute("SELECT * FROM Person")  # a new block: a new digest
    r = run("digest", sample, "--save", saved)
    assert r.exit_code == 2 and "already exists; a saved digest is not replaced" in r.output
    assert "digest:" not in r.output           # refused before anything was printed
    assert saved.read_text() == earlier
    r = run("digest", sample, "--save", saved, "--force")
    assert r.exit_code == 0 and saved.read_text() != earlier
    r = run("digest", sample, "--save", tmp_path / "no" / "such" / "d.json")
    assert r.exit_code == 2 and "cannot save the digest to" in r.output
    assert ".tmp" not in r.output and "digest:" not in r.output  # refused before printing


def test_digest_save_reads_the_ledger_read_only(tmp_path):
    """`digest --save` opened the ledger for writing: it upgraded a schema-1 evidence file
    (changing its bytes) and failed on a read-only file, while only the digest file is
    written."""
    import hashlib
    import os

    from ledger_desktop.engine import storage

    old = shutil.copy("tests/fixtures/schema1-sample.ledger", tmp_path / "s1.ledger")
    before = hashlib.sha256(old.read_bytes()).hexdigest()
    r = run("digest", old, "--save", tmp_path / "d.json")
    assert r.exit_code == 0, r.output
    assert hashlib.sha256(old.read_bytes()).hexdigest() == before
    conn = sqlite3.connect(old)
    assert storage.schema_version(conn) == 1
    conn.close()
    os.chmod(old, 0o444)  # a read-only evidence file
    r = run("digest", old, "--save", tmp_path / "d2.json")
    assert r.exit_code == 0, r.output
    first, second = (json.loads((tmp_path / n).read_text()) for n in ("d.json", "d2.json"))
    assert second["Digest"] == first["Digest"]
    assert second["DigestTipAddress"] == first["DigestTipAddress"]


def test_digest_save_into_a_folder_that_cannot_be_written(sample, tmp_path, monkeypatch):
    """A read-only folder named the temporary file (`d.json.tmp: Read-only file system`) and
    came after the digest was printed."""
    import os

    real_access = os.access
    ro = tmp_path / "ro"
    ro.mkdir()
    monkeypatch.setattr(os, "access", lambda p, mode, *a, **k: False if (
        str(p) == str(ro) and mode == os.W_OK) else real_access(p, mode, *a, **k))
    r = run("digest", sample, "--save", ro / "d.json")
    assert r.exit_code == 2 and "cannot be written" in r.output
    assert ".tmp" not in r.output and "digest:" not in r.output


def test_file_options_refuse_option_lookalikes(sample, tmp_path, monkeypatch):
    """`verify --json -q` wrote the report to a file named "-q" (and showed a progress bar)."""
    monkeypatch.chdir(tmp_path)
    for args in (["verify", sample, "--json", "-q"], ["digest", sample, "--save", "-x"],
                 ["digest", sample, "--save", "-"]):
        r = run(*args)
        assert r.exit_code == 2 and "looks like an option" in r.output, args
    assert list(tmp_path.iterdir()) == []
    r = run("verify", sample, "-q", "--json", "-")        # '-': the report on stdout
    assert r.exit_code == 0 and json.loads(r.output)["ok"] is True
    r = run("verify", sample, "-q", "--json", "./-odd.json")  # a real name starting with '-'
    assert r.exit_code == 0 and json.loads((tmp_path / "-odd.json").read_text())["ok"]


def test_verify_reports_tampering_with_exit_1(sample, tmp_path):
    copy = tmp_path / "t.ledger"
    shutil.copy(sample, copy)
    c = sqlite3.connect(copy)
    seq, idx, data = c.execute("SELECT seq, idx, data FROM revisions WHERE kind=0 "
                               "ORDER BY seq DESC LIMIT 1").fetchone()
    value = loads(data)
    value["City"] = "Nowhere"
    c.execute("UPDATE revisions SET data=? WHERE seq=? AND idx=?", (dumps_binary(value), seq, idx))
    c.commit()
    c.close()
    report = tmp_path / "r.json"
    r = run("verify", copy, "-q", "--json", report)
    assert r.exit_code == 1
    assert f"block {seq}: revision hash check failed" in r.output
    assert json.loads(report.read_text())["first_failure"]["seq"] == seq


def test_get_block_and_revision_then_verify_proof_offline(sample, tmp_path):
    r = run("digest", sample, "--save", tmp_path / "d.json")
    tip = re.search(r"digestTipAddress: (\S+)", r.output).group(1)
    strand = re.search(r'strandId:"(\w+)"', tip).group(1)
    addr = f'{{strandId:"{strand}",sequenceNo:13}}'
    r = run("get-block", sample, "--block-address", addr, "--digest-tip-address", tip)
    assert r.exit_code == 0, r.output
    block_text = re.search(r"^block: (.*)$", r.output, re.M).group(1)
    proof_text = re.search(r"^proof: (.*)$", r.output, re.M).group(1)
    (tmp_path / "block.ion").write_text(block_text)
    (tmp_path / "proof.ion").write_text(proof_text)
    r = run("verify-proof", "--block", tmp_path / "block.ion", "--proof", tmp_path / "proof.ion",
            "--digest", tmp_path / "d.json")
    assert r.exit_code == 0 and "VERIFIED" in r.output, r.output

    block = loads(block_text)
    doc_id = next(str(r["metadata"]["id"]) for r in block["revisions"]
                  if "data" in r and str(r["data"]["City"]) == "Olympia")
    r = run("get-revision", sample, "--document-id", doc_id, "--block-address", addr,
            "--digest-tip-address", tip)
    assert r.exit_code == 0, r.output
    rev_text = re.search(r"^revision: (.*)$", r.output, re.M).group(1)
    rproof = re.search(r"^proof: (.*)$", r.output, re.M).group(1)
    # the AWS CLI's JSON shape of GetRevision, which already holds the proof
    aws_json = {"Revision": {"IonText": rev_text}, "Proof": {"IonText": rproof}}
    (tmp_path / "rev.json").write_text(json.dumps(aws_json))
    digest_b64 = json.loads((tmp_path / "d.json").read_text())["Digest"]
    r = run("verify-proof", "--revision", tmp_path / "rev.json", "--digest", digest_b64)
    assert r.exit_code == 0 and "VERIFIED" in r.output, r.output
    # a changed value in the revision is caught at step 0
    aws_json["Revision"]["IonText"] = rev_text.replace("Olympia", "Olympus")
    (tmp_path / "bad.json").write_text(json.dumps(aws_json))
    r = run("verify-proof", "--revision", tmp_path / "bad.json", "--digest", digest_b64)
    assert r.exit_code == 1 and "step 0" in r.output


def test_our_own_proof_output_feeds_verify_proof(sample, tmp_path):
    """`get-revision`'s output could not be given to verify-proof (README's workflow failed),
    and the AWS CLI's ValueHolder shapes were refused: `{"IonText": …}` alone for a revision
    or a proof, and `--block-address file://addr.json`."""
    r = run("digest", sample, "--save", tmp_path / "d.json")
    tip = re.search(r"digestTipAddress: (\S+)", r.output).group(1)
    strand = re.search(r'strandId:"(\w+)"', tip).group(1)
    (tmp_path / "addr.json").write_text(json.dumps(
        {"IonText": f'{{strandId:"{strand}",sequenceNo:13}}'}))
    addr = f"file://{tmp_path / 'addr.json'}"
    r = run("get-block", sample, "--block-address", addr, "--digest-tip-address", tip, "--json")
    assert r.exit_code == 0, r.output
    response = json.loads(r.output)
    assert sorted(response) == ["Block", "Proof"]  # the AWS CLI's GetBlock response
    block = loads(response["Block"]["IonText"])
    assert block["blockAddress"]["sequenceNo"] == 13
    (tmp_path / "block.json").write_text(r.output)
    r = run("verify-proof", "--block", tmp_path / "block.json", "--digest", tmp_path / "d.json")
    assert r.exit_code == 0 and "VERIFIED" in r.output, r.output

    doc_id = next(str(r["metadata"]["id"]) for r in block["revisions"] if "data" in r)
    args = ["get-revision", sample, "--document-id", doc_id, "--block-address", addr,
            "--digest-tip-address", tip]
    printed = run(*args).output
    (tmp_path / "own.txt").write_text(printed)  # `ledger get-revision … > own.txt`
    r = run("verify-proof", "--revision", tmp_path / "own.txt", "--digest", tmp_path / "d.json")
    assert r.exit_code == 0 and "VERIFIED" in r.output, r.output
    response = json.loads(run(*args, "--json").output)
    assert sorted(response) == ["Proof", "Revision"]
    (tmp_path / "rev.json").write_text(json.dumps(response["Revision"]))
    (tmp_path / "proof.json").write_text(json.dumps(response["Proof"]))
    r = run("verify-proof", "--revision", tmp_path / "rev.json", "--proof",
            tmp_path / "proof.json", "--digest", tmp_path / "d.json")
    assert r.exit_code == 0 and "VERIFIED" in r.output, r.output
    (tmp_path / "bad.txt").write_text(printed.replace("data:{", "data:{x:1,", 1))
    r = run("verify-proof", "--revision", tmp_path / "bad.txt", "--digest", tmp_path / "d.json")
    assert r.exit_code == 1
    assert "note:" not in run("verify-proof", "--revision", tmp_path / "own.txt", "--digest",
                              tmp_path / "d.json").output

    # The tip address in a digest file is not covered by its hash, but an auditor reads it as
    # what the digest covers: a revision on another strand, or after the tip, was only noted
    # as mispaired (exit 0); it now fails, saying why (reliability.md 116).
    saved = json.loads((tmp_path / "d.json").read_text())
    for changed, why in ((tip.replace(strand, "SomeOtherLedgerStrand0"), "not from the same "
                          "ledger"), (tip.replace(re.search(r"sequenceNo:(\d+)", tip).group(0),
                                                  "sequenceNo:3"), "after the digest's tip "
                                                                   "(block 3)")):
        saved["DigestTipAddress"] = {"IonText": changed}
        (tmp_path / "d2.json").write_text(json.dumps(saved))
        r = run("verify-proof", "--revision", tmp_path / "own.txt", "--digest",
                tmp_path / "d2.json")
        assert r.exit_code == 1 and "NOT VERIFIED: the proof folds to the digest, but" \
            in r.output, r.output
        assert "[FAIL] digest tip: the revision" in r.output and why in r.output, r.output


def test_verify_proof_usage_errors(tmp_path):
    r = run("verify-proof", "--digest", "AAAA")
    assert r.exit_code == 2
    (tmp_path / "x.ion").write_text("{hash: {{AAAA}}")
    r = run("verify-proof", "--revision", tmp_path / "x.ion", "--digest", "AAAA")
    assert r.exit_code == 2 and "Traceback" not in r.output


def test_verify_proof_inputs_are_read_strictly(sample, tmp_path):
    """A BOM before GetRevision JSON made it read as Ion ("no proof"); an empty or missing
    --digest file was "Is a directory" or "not a base64 digest"; a sequenceNo of 13.0, "13"
    or -1 was taken as a block number."""
    r = run("digest", sample, "--save", tmp_path / "d.json")
    tip = re.search(r"digestTipAddress: (\S+)", r.output).group(1)
    strand = re.search(r'strandId:"(\w+)"', tip).group(1)
    r = run("get-block", sample, "--block-address", f'{{strandId:"{strand}",sequenceNo:13}}',
            "--digest-tip-address", tip)
    block = re.search(r"^block: (.*)$", r.output, re.M).group(1)
    proof = re.search(r"^proof: (.*)$", r.output, re.M).group(1)
    body = json.dumps({"Block": {"IonText": block}, "Proof": {"IonText": proof}})
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + body.encode())
    r = run("verify-proof", "--block", tmp_path / "bom.json", "--digest", tmp_path / "d.json")
    assert r.exit_code == 0 and "VERIFIED" in r.output, r.output
    r = run("verify-proof", "--block", tmp_path / "bom.json", "--digest", "")
    assert r.exit_code == 2 and "--digest is empty" in r.output
    r = run("verify-proof", "--block", tmp_path / "bom.json", "--digest", tmp_path / "no.json")
    assert r.exit_code == 2 and "no such digest file" in r.output
    for seq in ("13.0", '"13"', "-1", "true"):
        r = run("get-block", sample, "--block-address",
                f'{{strandId:"{strand}",sequenceNo:{seq}}}')
        assert r.exit_code == 2 and "not a block address" in r.output, (seq, r.output)
    r = run("get-block", sample, "--block-address", f"{{strandId:{strand},sequenceNo:13}}")
    assert r.exit_code == 2 and "IonPySymbol" not in r.output


def test_console_script_runs(tmp_path):
    r = subprocess.run([sys.executable, "-m", "ledger_desktop.cli", "--help"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "verify" in r.stdout


def test_damaged_merkle_nodes_are_one_clear_line_and_verify_locates_them(sample, tmp_path):
    """A file whose stored Merkle nodes were removed still opens and says where its journal
    ends; `digest` refuses with one line (exit 1) instead of a wrong digest or a traceback,
    and `verify` names the block."""
    p = tmp_path / "damaged.ledger"
    shutil.copy(sample, p)
    c = sqlite3.connect(p)
    c.execute("UPDATE blocks SET merkle_nodes=NULL WHERE seq=15")
    c.commit()
    c.close()
    r = run("digest", p)
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "Merkle tree is damaged: the row of block 15: node (4, 0)" in r.output
    r = run("info", p)
    assert r.exit_code == 0, r.output
    r = run("verify", p)
    assert r.exit_code == 1 and "block 15" in r.output


def test_info_names_the_schema_and_an_old_file_stays_as_it_is(sample, tmp_path):
    from pathlib import Path

    r = run("info", sample)
    assert r.exit_code == 0 and "schema:  2\n" in r.output
    old = tmp_path / "old.ledger"
    shutil.copy(Path(__file__).parent.parent / "fixtures" / "schema1-sample.ledger", old)
    before = old.read_bytes()
    r = run("info", old)
    assert r.exit_code == 0, r.output
    assert "schema:  1 (read as it is; opening it for writing upgrades it to 2)" in r.output
    r = run("verify", old, "-q")
    assert r.exit_code == 0, r.output
    assert old.read_bytes() == before  # info and verify open read-only: no migration


@pytest.mark.parametrize("args, message", [
    (["info", "{dir}"], "Invalid value for 'PATH': File '{dir}' is a directory."),
    (["query", "{dir}/none.ledger", "SELECT 1"], "does not exist"),
    (["shell", "{dir}/none.ledger"], "does not exist"),
    (["verify"], "Missing argument 'PATH'"),
    (["verify", "{dir}", "--jobs", "2"], "No such option '--jobs'"),
    (["no-such-command"], "No such command 'no-such-command'"),
])
def test_usage_errors_are_one_line(tmp_path, args, message):
    """Click's usage errors were a four-line block (Usage, Try, blank, Error); every other
    error is one line."""
    r = run(*[a.format(dir=tmp_path) for a in args])
    assert r.exit_code == 2
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.output
    assert message.format(dir=tmp_path) in lines[0] and "--help" in lines[0]


def test_a_closed_pipe_ends_quietly(sample):
    """`ledger info X | head -1` printed `error: Broken pipe` and exited 2 (bad usage)."""
    proc = subprocess.Popen([sys.executable, "-m", "ledger_desktop.cli", "info", str(sample)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before anything is written
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert (proc.returncode, err) == (141, "")


def test_small_cli_messages(sample, tmp_path):
    """`--name ""` fell back to the default silently; `stream --to file:` an existing file
    said only "File exists"; a CSV result with no row printed a lone `value` header."""
    r = run("init", tmp_path / "n.ledger", "--name", " ")
    assert r.exit_code == 2 and "must not be empty" in r.output
    assert not (tmp_path / "n.ledger").exists()
    (tmp_path / "a-file").write_text("x")
    r = run("stream", sample, "--to", f"file:{tmp_path / 'a-file'}")
    assert r.exit_code == 2 and "is a file; a stream is written into a folder" in r.output
    r = run("query", shutil.copy(sample, tmp_path / "q.ledger"),
            "SELECT * FROM Vehicle WHERE VIN = 'none'", "--format", "csv")
    assert r.exit_code == 0 and r.output == ""


def test_digest_save_never_writes_over_the_ledger(sample, tmp_path):
    """`digest L --save L --force` replaced the ledger itself with the digest's JSON."""
    copy = shutil.copy(sample, tmp_path / "own.ledger")
    before = copy.read_bytes()
    r = run("digest", copy, "--save", copy, "--force")
    assert r.exit_code == 2 and "that is the ledger itself" in r.output
    assert copy.read_bytes() == before
