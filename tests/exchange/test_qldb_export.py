"""A real QLDB block verifies as a one-block export; tampering and layout faults are caught."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from amazon.ion import simpleion
from click.testing import CliRunner

from ledger_desktop.cli import main
from ledger_desktop.engine.errors import InputFormatError
from ledger_desktop.engine.export_verify import verify_export
from ledger_desktop.engine.exports import open_export
from ledger_desktop.engine.ion_values import struct
from ledger_desktop.engine.json_down import to_json
from ledger_desktop.engine.model import Digest

STRAND = "HbD9IggL584EPHmfwjmVz0"


def one_block_export(d: Path, block: Any, fmt: str, *, prefix: str = "",
                     manifest: bool = True) -> Path:
    """Lay out an export the way QLDB writes it to S3 (keys carry the prefix and dated folders)."""
    folder = d / "2019" / "12" / "11" / "07"
    folder.mkdir(parents=True)
    ext = "json" if fmt == "json" else "ion"
    obj = folder / f"{STRAND}.3-3.{ext}"
    if fmt == "ion_text":
        obj.write_text(simpleion.dumps(block, binary=False), encoding="utf-8")
    elif fmt == "ion_binary":
        obj.write_bytes(simpleion.dumps(block, binary=True))
    else:
        obj.write_text(to_json(block) + "\n", encoding="utf-8")
    if manifest:
        key = f"{prefix}2019/12/11/07/{obj.name}"
        started = {"ledgerName": "vehicle-registration", "exportId": "EXP",
                   "prefix": prefix, "outputFormat": fmt.upper()}
        if fmt == "json":
            (d / "EXP.started.manifest").write_text(json.dumps(started))
            (d / f"EXP.{STRAND}.completed.manifest").write_text(json.dumps({"keys": [key]}))
        else:
            (d / "EXP.started.manifest").write_text(simpleion.dumps(started, binary=False))
            (d / f"EXP.{STRAND}.completed.manifest").write_text(
                simpleion.dumps({"keys": [key]}, binary=False))
    return d


@pytest.mark.parametrize("fmt", ["ion_text", "ion_binary"])
def test_real_qldb_block_verifies_as_a_one_block_export(tmp_path: Path, qldb_block, fmt) -> None:
    d = one_block_export(tmp_path, qldb_block, fmt, prefix="exports/dmv/")
    report = verify_export(d)
    assert report.ok, report.lines()
    assert (report.blocks, report.revisions, report.first_seq, report.last_seq) == (1, 1, 3, 3)
    assert report.failures == [] and report.gaps == []
    result = CliRunner().invoke(main, ["verify-export", str(d), "-q"])
    assert result.exit_code == 0, result.output
    assert "RESULT: verified" in result.output


def test_without_manifest_objects_are_found_by_name(tmp_path: Path, qldb_block) -> None:
    d = one_block_export(tmp_path, qldb_block, "ion_text", manifest=False)
    report = verify_export(d)
    assert report.ok and report.blocks == 1
    assert any("found by their names" in n for n in report.notes)


def test_tampered_revision_is_the_first_failure(tmp_path: Path, qldb_block,
                                                qldb_stream_records) -> None:
    from ledger_desktop.engine.streams import rebuild_blocks

    summary, edited, _ = qldb_stream_records  # the sample authors' edited data
    (bad,) = rebuild_blocks([summary, edited])
    d = one_block_export(tmp_path, bad, "ion_binary")
    report = verify_export(d)
    assert not report.ok
    assert report.first_failure.seq == 3 and report.first_failure.check == "revision hash"
    result = CliRunner().invoke(main, ["verify-export", str(d), "-q"])
    assert result.exit_code == 1
    assert "FIRST FAILURE: block 3: revision hash check failed" in result.output


@pytest.mark.parametrize("fmt", ["ion_text", "ion_binary"])
def test_data_without_metadata_is_not_a_hash_only_revision(tmp_path: Path, qldb_block,
                                                            fmt) -> None:
    """A user revision whose metadata was removed (and data forged) once passed as a
    hash-only revision: its data was never checked, and import-journal stored it as one."""
    block = simpleion.loads(simpleion.dumps(qldb_block, binary=True))
    rev = block["revisions"][0]
    del rev["metadata"]
    rev["data"]["City"] = "FORGED"
    d = one_block_export(tmp_path, block, fmt)
    report = verify_export(d)
    assert not report.ok
    assert "data but no metadata" in str(report.first_failure)
    result = CliRunner().invoke(main, ["import-journal", str(d), str(tmp_path / "x.ledger")])
    assert result.exit_code != 0 and not (tmp_path / "x.ledger").exists()


def test_tampered_block_hash(tmp_path: Path, qldb_block) -> None:
    fields = [(k, v) for k, v in qldb_block.items()]
    fields = [(k, bytes(32) if k == "blockHash" else v) for k, v in fields]
    report = verify_export(one_block_export(tmp_path, struct(*fields), "ion_text"))
    assert [f.check for f in report.failures] == ["block hash"]


def test_json_export_checks_what_json_allows(tmp_path: Path, qldb_block) -> None:
    d = one_block_export(tmp_path, qldb_block, "json")
    report = verify_export(d)
    assert report.format == "json"
    assert report.ok, report.lines()
    assert any("revision hashes of revisions with data" in c and "(1 revision(s)" in c
               for c in report.cannot_check)
    text = "\n".join(report.lines())
    assert "cannot check:" in text and "H(transactionInfo)" in text


def test_json_export_still_catches_a_bad_entries_hash(tmp_path: Path, qldb_block) -> None:
    fields = [(k, bytes(32) if k == "entriesHash" else v) for k, v in qldb_block.items()]
    report = verify_export(one_block_export(tmp_path, struct(*fields), "json"))
    assert not report.ok
    assert report.first_failure.check == "entries hash"


def test_digest_that_the_export_cannot_cover_is_reported_not_failed(tmp_path: Path,
                                                                    qldb_block) -> None:
    from ledger_desktop.engine.blocks import BlockAddress

    d = one_block_export(tmp_path, qldb_block, "ion_text")
    digest = Digest(base64.b64decode("lu425dAWsmvzxuNHTbn4ID4mLo0bWKkjLP2Uel4wrPQ="),
                    BlockAddress(STRAND, 3))
    report = verify_export(d, [digest])
    assert report.digests[0].ok is None and "starts at block 3" in report.digests[0].message
    assert report.ok
    # but it is not reported as a plain "verified", and the CLI exits 1 (reliability.md 93)
    assert report.digests_unchecked == 1
    assert "could NOT be checked" in report.lines()[-1]
    from click.testing import CliRunner

    from ledger_desktop.cli import main
    from ledger_desktop.engine import digest_file

    saved = tmp_path / "d.json"
    digest_file.write_digest(saved, digest)
    r = CliRunner().invoke(main, ["verify-export", str(d), "--digest", str(saved), "-q"])
    assert r.exit_code == 1 and "could NOT be checked" in r.output, r.output


@pytest.mark.parametrize("key, reason", [
    ("../outside.3-3.ion", "path traversal"),
    ("a/../../x.3-3.ion", "path traversal"),
    ("/etc/passwd", "absolute"),
    ("C:/x.3-3.ion", "absolute"),
])
def test_manifest_keys_cannot_leave_the_directory(tmp_path: Path, key: str, reason: str) -> None:
    (tmp_path / f"E.{STRAND}.completed.manifest").write_text(json.dumps({"keys": [key]}))
    with pytest.raises(InputFormatError, match=reason):
        open_export(tmp_path)


def test_missing_data_object_and_bad_manifest(tmp_path: Path) -> None:
    m = tmp_path / f"E.{STRAND}.completed.manifest"
    m.write_text(json.dumps({"keys": [f"{STRAND}.0-1.ion"]}))
    with pytest.raises(InputFormatError, match="missing"):
        open_export(tmp_path)
    m.write_text('{"nokeys": 1}')
    with pytest.raises(InputFormatError, match="keys"):
        open_export(tmp_path)
    result = CliRunner().invoke(main, ["verify-export", str(tmp_path)])
    assert result.exit_code == 2 and "keys" in result.output and "Traceback" not in result.output


def test_object_holding_other_blocks_than_its_name_says(tmp_path: Path, qldb_block) -> None:
    d = one_block_export(tmp_path, qldb_block, "ion_text", manifest=False)
    obj = next(d.rglob("*.ion"))
    obj.rename(obj.with_name(f"{STRAND}.3-4.ion"))
    report = verify_export(d)
    assert not report.ok
    assert report.first_failure.check == "format" and "ends before block 4" in \
        report.first_failure.message
