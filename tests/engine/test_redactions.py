"""Which block redacted a revision (engine/redactions.py): our own ledgers, a redacted
revision of a document deleted later, a ledger imported from an export (its request block
marked has_redaction by the import, or, imported before that, found in the bodies), and what
the lookup reads on a 20,000-block ledger."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ledger_desktop.engine.exports import export_journal
from ledger_desktop.engine.journal_import import import_journal
from ledger_desktop.engine.ledger import Ledger

STATEMENT = "EXEC REDACT_REVISION ?, ?, ?"


def _redact(ledger: Ledger, doc_id: str, version: int) -> int:
    """Redact version `version` of `doc_id` as the PartiQL statement does; the block's seq."""
    rev = ledger.document_history(doc_id)[version]
    table_id = rev.table_id
    ledger.execute(STATEMENT, rev.address.to_ion(), table_id, doc_id)
    return ledger.block_count() - 1


def _document(ledger: Ledger) -> str:
    ledger.execute("CREATE TABLE Person")
    (doc,) = ledger.execute("INSERT INTO Person `{name: \"Ana\", n: 0}`")
    return str(doc["documentId"])


def test_the_redacting_block_is_found_with_its_transaction_and_statement(tmp_path: Path
                                                                          ) -> None:
    with Ledger.create(tmp_path / "a.ledger") as ledger:
        doc_id = _document(ledger)
        ledger.execute("UPDATE Person AS p SET p.n = 1")
        ledger.execute("UPDATE Person AS p SET p.n = 2")
        ledger.execute("SELECT * FROM Person")  # a block between: not the redaction
        seq = _redact(ledger, doc_id, 0)
        ledger.execute("UPDATE Person AS p SET p.n = 3")  # a block after: not either
        found = ledger.redaction_of(doc_id, 0)
        block = ledger.block(seq)
        assert found is not None
        assert found.seq == seq and "redactionInfo" in block
        assert found.tx_id == str(block["transactionId"])
        assert found.block_time == block["blockTimestamp"]
        assert found.statements == (STATEMENT,) and found.statement() == STATEMENT
        # not redacted: versions 1 to 3, and a version or document that does not exist
        assert [ledger.redaction_of(doc_id, v) for v in (1, 2, 3, 9)] == [None] * 4
        assert ledger.redaction_of("nosuchdocument", 0) is None
        history = ledger.document_history(doc_id, with_redactions=True)
        assert [r.kind for r in history] == ["redacted", "data", "data", "data"]
        assert history[0].redaction == found and history[0].data_hash is not None
        assert all(r.redaction is None for r in history[1:])
        # without asking, the history carries none (no scan)
        assert ledger.document_history(doc_id)[0].redaction is None


def test_two_redactions_of_one_document_each_find_their_own_block(tmp_path: Path) -> None:
    with Ledger.create(tmp_path / "b.ledger") as ledger:
        doc_id = _document(ledger)
        for n in (1, 2):
            ledger.execute(f"UPDATE Person AS p SET p.n = {n}")
        second = _redact(ledger, doc_id, 1)
        first = _redact(ledger, doc_id, 0)
        history = ledger.document_history(doc_id, with_redactions=True)
        assert [r.redaction.seq if r.redaction else None for r in history] == \
            [first, second, None]


def test_a_redacted_revision_of_a_deleted_document(tmp_path: Path) -> None:
    with Ledger.create(tmp_path / "c.ledger") as ledger:
        doc_id = _document(ledger)
        ledger.execute("UPDATE Person AS p SET p.n = 1")
        ledger.execute("DELETE FROM Person")
        seq = _redact(ledger, doc_id, 1)  # the deletion (v2) is the latest
        history = ledger.document_history(doc_id, with_redactions=True)
        assert [r.kind for r in history] == ["data", "redacted", "deleted"]
        assert history[1].redaction is not None and history[1].redaction.seq == seq
        assert ledger.redaction_of(doc_id, 2) is None  # a deletion is not a redaction


def _export_and_import(source: Path, tmp_path: Path) -> Path:
    with Ledger.open(source, read_only=True) as ledger:
        export_journal(ledger, tmp_path / "export", fmt="ion_binary")
    import_journal(tmp_path / "export", tmp_path / "imported.ledger")
    return tmp_path / "imported.ledger"


def _redacted_then_imported(tmp_path: Path) -> tuple[str, int, object, Path]:
    source = tmp_path / "source.ledger"
    with Ledger.create(source) as ledger:
        doc_id = _document(ledger)
        ledger.execute("UPDATE Person AS p SET p.n = 1")
        ledger.execute("UPDATE Person AS p SET p.n = 2")
        seq = _redact(ledger, doc_id, 1)
        expected = ledger.redaction_of(doc_id, 1)
    return doc_id, seq, expected, _export_and_import(source, tmp_path)


def _bodies_searched(ledger: Ledger) -> list[str]:
    """Starts recording the statements that search block bodies (the lookup's slow path)."""
    seen: list[str] = []
    ledger._conn.set_trace_callback(lambda sql: seen.append(sql) if "instr(body" in sql
                                    else None)
    return seen


def test_an_imported_ledger_marks_its_request_as_a_commit_does(tmp_path: Path) -> None:
    doc_id, seq, expected, copy = _redacted_then_imported(tmp_path)
    with Ledger.open(copy, read_only=True) as ledger:
        marked = [r[0] for r in ledger._conn.execute(
            "SELECT seq FROM blocks WHERE has_redaction=1")]
        assert seq in marked  # the request, besides the block holding the redacted revision
        searched = _bodies_searched(ledger)
        assert ledger.redaction_of(doc_id, 1) == expected
        assert ledger.redaction_of(doc_id, 0) is None
        assert searched == []
        assert ledger.verify().ok
    with Ledger.open(copy) as ledger:  # a redaction after the import
        later = _redact(ledger, doc_id, 0)
        history = ledger.document_history(doc_id, with_redactions=True)
    assert [r.redaction.seq if r.redaction else None for r in history] == [later, seq, None]


def test_a_ledger_imported_before_requests_were_marked_finds_them_in_the_bodies(
        tmp_path: Path) -> None:
    doc_id, seq, expected, copy = _redacted_then_imported(tmp_path)
    with Ledger.open(copy) as ledger:  # as an import before 2026-11-29 left the request
        ledger._conn.execute("UPDATE blocks SET has_redaction=0 WHERE seq=?", (seq,))
    with Ledger.open(copy, read_only=True) as ledger:
        assert ledger.verify().ok  # an unmarked request is still a valid journal
        searched = _bodies_searched(ledger)
        assert ledger.redaction_of(doc_id, 1) == expected
        assert len(searched) == 1


def _big(path: Path, blocks: int) -> tuple[str, int]:
    """A ledger of about `blocks` blocks whose document's v0 (block 2) is redacted last."""
    with Ledger.create(path) as ledger:
        doc_id = _document(ledger)
        ledger.execute("UPDATE Person AS p SET p.n = 1")
        with ledger.atomic():
            for i in range(blocks - 5):
                ledger.execute(f"INSERT INTO Person {{'n': {i}}}")
        return doc_id, _redact(ledger, doc_id, 0)


@pytest.mark.slow
def test_the_lookup_on_a_20000_block_ledger_reads_only_marked_blocks(tmp_path: Path) -> None:
    """The scan reads one index and parses only the marked blocks (5-20 ms for 20,000 blocks,
    printed); an imported copy is marked the same way, so neither searches the bodies."""
    doc_id, seq = _big(tmp_path / "big.ledger", 20_000)
    copy = _export_and_import(tmp_path / "big.ledger", tmp_path)
    for path in (tmp_path / "big.ledger", copy):
        with Ledger.open(path, read_only=True) as ledger:
            assert ledger.block_count() >= 20_000
            bodies: list[str] = []
            ledger._conn.set_trace_callback(
                lambda sql, bodies=bodies: bodies.append(sql) if "body" in sql else None)
            t0 = time.perf_counter()
            found = ledger.redaction_of(doc_id, 0)
            took = time.perf_counter() - t0
            ledger._conn.set_trace_callback(None)
        assert found is not None and found.seq == seq
        # one body read: the request's (the blocks after the revision's, marked ones only)
        assert len(bodies) == 1 and not any("instr(body" in sql for sql in bodies)
        print(f"\nredaction lookup, 20,000 blocks, {path.name}: {took * 1000:.1f} ms")
