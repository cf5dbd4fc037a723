"""A partial export that holds a redacted revision but not the request that redacted it.

Such an export is valid (the revision keeps its hash and carries dataHash, as in QLDB), so
verify-export passes it, with a note. But a ledger built from it would fail `ledger verify`
(our own blocks' redacted revisions must be named by a redaction request: that is how a
journal cut short after a redaction is caught), so import-journal refuses it, naming the
block, and leaves no file.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger_desktop.cli import main
from ledger_desktop.engine.errors import UserError
from ledger_desktop.engine.export_verify import verify_export
from ledger_desktop.engine.exports import export_journal
from ledger_desktop.engine.journal_import import import_journal
from ledger_desktop.engine.ledger import Ledger


def _build(path: Path) -> tuple[int, int]:
    """A ledger whose block 2 holds a revision that block 5 redacts; returns (2, 5).

    Commits are a few milliseconds apart so each block has its own blockTimestamp and an
    export's end time can fall between any two blocks.
    """
    def pause() -> None:
        time.sleep(0.003)

    with Ledger.create(path) as ledger:
        with ledger.transaction() as tx:                                 # block 1
            person = tx.create_table("Person", tx.begin_statement("CREATE TABLE Person"))
        pause()
        with ledger.transaction() as tx:                                 # block 2
            doc_id = tx.insert(person, {"GovId": "G0"},
                               tx.begin_statement("INSERT INTO Person ?", [{"GovId": "G0"}]))
        pause()
        first = ledger.document_history(doc_id)[0]
        with ledger.transaction() as tx:                                 # block 3
            tx.update(doc_id, {"GovId": "G0", "name": "renamed"},
                      tx.begin_statement("UPDATE Person SET name = 'renamed'"))
        pause()
        with ledger.transaction() as tx:                                 # block 4
            tx.insert(person, {"GovId": "G1"},
                      tx.begin_statement("INSERT INTO Person ?", [{"GovId": "G1"}]))
        pause()
        with ledger.transaction() as tx:                                 # block 5
            tx.redact_revision(first.address, person, doc_id,
                               tx.begin_statement("EXEC REDACT_REVISION ?, ?, ?"))
        pause()
        with ledger.transaction() as tx:                                 # block 6, read-only
            tx.begin_statement("SELECT * FROM Person")
        assert "redactionInfo" in ledger.block(5) and first.address.seq == 2
        times = [str(ledger.block(i)["blockTimestamp"]) for i in range(ledger.block_count())]
    assert len(set(times)) == len(times), times
    return 2, 5


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> tuple[Path, int, int]:
    path = tmp_path_factory.mktemp("src") / "source.ledger"
    redacted, request = _build(path)
    return path, redacted, request


def _export_before(source: Path, out: Path, end_seq: int) -> None:
    """Export blocks 0..end_seq-1 one block per object (so workers see different objects)."""
    with Ledger.open(source, read_only=True) as ledger:
        end = ledger.block(end_seq)["blockTimestamp"]
        r = export_journal(ledger, out, fmt="ion_text", end_time=end, max_object_bytes=1)
    assert (r.first_seq, r.last_seq) == (0, end_seq - 1) and len(r.keys) > 2


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("cut", ["after_redacted_block", "before_request"])
def test_import_refuses_an_export_without_the_redaction_request(
        tmp_path: Path, source: tuple[Path, int, int], jobs: int, cut: str) -> None:
    path, redacted, request = source
    end_seq = redacted + 1 if cut == "after_redacted_block" else request
    _export_before(path, tmp_path / "exp", end_seq)
    report = verify_export(tmp_path / "exp", jobs=jobs)
    assert report.ok, report.lines()  # a valid export: every hash checks
    notes = [n for n in report.notes if "import-journal refuses" in n]
    assert len(notes) == 1 and f"block {redacted} holds a redacted revision" in notes[0], \
        report.lines()
    target = tmp_path / "copy.ledger"
    with pytest.raises(UserError, match=f"block {redacted} holds a redacted revision .*"
                                        "nothing was imported"):
        import_journal(tmp_path / "exp", target)
    assert list(tmp_path.glob("copy.ledger*")) == [] and list(tmp_path.glob(".copy*")) == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_export_that_holds_the_request_imports_and_verifies(
        tmp_path: Path, source: tuple[Path, int, int], jobs: int) -> None:
    path, _redacted, request = source
    _export_before(path, tmp_path / "exp", request + 1)
    report = verify_export(tmp_path / "exp", jobs=jobs)
    assert report.ok and not any("import-journal refuses" in n for n in report.notes), \
        report.lines()
    import_journal(tmp_path / "exp", tmp_path / "copy.ledger")
    with Ledger.open(tmp_path / "copy.ledger") as copy:
        assert copy.verify().ok


def test_cli_verify_export_notes_it_and_import_journal_refuses(
        tmp_path: Path, source: tuple[Path, int, int]) -> None:
    path, redacted, _request = source
    _export_before(path, tmp_path / "exp", redacted + 1)
    runner = CliRunner()
    r = runner.invoke(main, ["verify-export", str(tmp_path / "exp"), "-q", "-j", "1"])
    assert r.exit_code == 0, r.output
    assert "RESULT: verified" in r.output and "import-journal refuses this export" in r.output
    r = runner.invoke(main, ["import-journal", str(tmp_path / "exp"),
                             str(tmp_path / "copy.ledger"), "-q"])
    assert r.exit_code == 2, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: block {redacted} holds a redacted")
    assert "Traceback" not in r.output
    assert not (tmp_path / "copy.ledger").exists()
