"""Which block redacted a revision (engine/redactions.py): our own ledgers, a redacted
revision of a document deleted later, a ledger imported from an export (whose request block
is not marked has_redaction), and the cost of the lookup on a 20,000-block ledger."""

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


def test_an_imported_ledger_finds_its_unmarked_request(tmp_path: Path) -> None:
    source = tmp_path / "source.ledger"
    with Ledger.create(source) as ledger:
        doc_id = _document(ledger)
        ledger.execute("UPDATE Person AS p SET p.n = 1")
        ledger.execute("UPDATE Person AS p SET p.n = 2")
        seq = _redact(ledger, doc_id, 1)
        expected = ledger.redaction_of(doc_id, 1)
    copy = _export_and_import(source, tmp_path)
    with Ledger.open(copy, read_only=True) as ledger:
        # the import marks the block holding the redacted revision, not the request
        marked = [r[0] for r in ledger._conn.execute(
            "SELECT seq FROM blocks WHERE has_redaction=1")]
        assert seq not in marked
        assert ledger.redaction_of(doc_id, 1) == expected
        assert ledger.redaction_of(doc_id, 0) is None
    with Ledger.open(copy) as ledger:  # a redaction after the import: a marked block
        later = _redact(ledger, doc_id, 0)
        history = ledger.document_history(doc_id, with_redactions=True)
    assert [r.redaction.seq if r.redaction else None for r in history] == [later, seq, None]


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
def test_the_lookup_on_a_20000_block_ledger_is_quick(tmp_path: Path) -> None:
    """The marked scan reads one index (5-20 ms for 20,000 blocks); the imported ledger's
    body search reads every later body in SQLite (40-120 ms)."""
    doc_id, seq = _big(tmp_path / "big.ledger", 20_000)
    with Ledger.open(tmp_path / "big.ledger", read_only=True) as ledger:
        assert ledger.block_count() >= 20_000
        t0 = time.perf_counter()
        found = ledger.redaction_of(doc_id, 0)
        own = time.perf_counter() - t0
    assert found is not None and found.seq == seq
    copy = _export_and_import(tmp_path / "big.ledger", tmp_path)
    with Ledger.open(copy, read_only=True) as ledger:
        t0 = time.perf_counter()
        found = ledger.redaction_of(doc_id, 0)
        imported = time.perf_counter() - t0
    assert found is not None and found.seq == seq
    print(f"\nredaction lookup, 20,000 blocks: own {own * 1000:.1f} ms, "
          f"imported {imported * 1000:.1f} ms")
    assert own < 0.5 and imported < 2.0  # generous: a loaded CI machine
