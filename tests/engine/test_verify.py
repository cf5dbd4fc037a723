"""Full verification finds tampering made directly in the SQLite file, and names where."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from ledger_desktop.engine import digest_file
from ledger_desktop.engine.cancel import CancelToken
from ledger_desktop.engine.ion_values import dumps_binary, loads
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.sample import build_sample


@pytest.fixture(scope="module")
def sample_path(tmp_path_factory):
    return build_sample(tmp_path_factory.mktemp("sample") / "dmv.ledger")


@pytest.fixture
def copy(sample_path, tmp_path):
    p = tmp_path / "copy.ledger"
    shutil.copy(sample_path, p)
    return p


def _sql(path, sql, params=()):
    c = sqlite3.connect(path)
    c.execute(sql, params)
    c.commit()
    c.close()


def _verify(path, **kw):
    with Ledger.open(path, read_only=True) as led:
        return led.verify(**kw)


def test_sample_verifies(sample_path):
    report = _verify(sample_path)
    assert report.ok, report.summary()
    assert report.blocks_checked > 15
    assert report.index_storage_checked


def _first_user_revision(path):
    c = sqlite3.connect(path)
    row = c.execute("SELECT seq, idx, data FROM revisions WHERE kind=0 ORDER BY seq LIMIT 1"
                    ).fetchone()
    c.close()
    return row


def test_changed_revision_data_is_found(copy):
    seq, idx, data = _first_user_revision(copy)
    value = loads(data)
    value["GovId"] = "FORGED"
    _sql(copy, "UPDATE revisions SET data=? WHERE seq=? AND idx=?",
         (dumps_binary(value), seq, idx))
    report = _verify(copy)
    assert not report.ok
    first = report.first_failure
    assert first.seq == seq and first.check == "revision hash"
    assert first.revisions and first.revisions[0].version == 0
    # the report names the table, not only its id (text, JSON and HTML alike)
    assert first.revisions[0].table_name == "Person"
    assert "v0 (Person)" in report.summary()
    assert '"table_name": "Person"' in report.to_json()


def test_affected_revisions_keep_their_ids_without_a_catalog(copy):
    seq, idx, data = _first_user_revision(copy)
    value = loads(data)
    value["GovId"] = "FORGED"
    _sql(copy, "UPDATE revisions SET data=? WHERE seq=? AND idx=?",
         (dumps_binary(value), seq, idx))
    _sql(copy, "DROP TABLE tables_")
    report = _verify(copy)
    first = report.first_failure
    assert first.seq == seq and first.revisions, report.summary()
    assert first.revisions[0].table_id is not None
    assert first.revisions[0].table_name is None


def test_changed_metadata_is_found(copy):
    """Our revisions' metadata is derived from the columns: changing one breaks the hash."""
    seq, idx, _ = _first_user_revision(copy)
    _sql(copy, "UPDATE revisions SET version=7 WHERE seq=? AND idx=?", (seq, idx))
    first = _verify(copy).first_failure
    assert (first.seq, first.check) == (seq, "revision hash")


@pytest.mark.parametrize("column", ["block_hash", "entries_hash", "prev_hash"])
def test_changed_hash_column_is_found(copy, column):
    _sql(copy, f"UPDATE blocks SET {column}=? WHERE seq=5", (b"\x01" * 32,))
    report = _verify(copy)
    assert not report.ok
    assert report.first_failure.seq == 5
    assert report.first_failure.check in ("block hash", "chain link", "entries hash")


def test_changed_statement_text_is_found(copy):
    c = sqlite3.connect(copy)
    (body,) = c.execute("SELECT body FROM blocks WHERE seq=6").fetchone()
    c.close()
    block = loads(body)
    block["transactionInfo"]["statements"][0]["statement"] = "DELETE FROM Person"
    _sql(copy, "UPDATE blocks SET body=? WHERE seq=6", (dumps_binary(block),))
    first = _verify(copy).first_failure
    assert (first.seq, first.check) == (6, "entries hash")


def test_changed_block_timestamp_is_found(copy):
    c = sqlite3.connect(copy)
    (body,) = c.execute("SELECT body FROM blocks WHERE seq=9").fetchone()
    c.close()
    block = loads(body)
    block["blockTimestamp"] = loads("2001-01-01T00:00:00.000Z")
    _sql(copy, "UPDATE blocks SET body=? WHERE seq=9", (dumps_binary(block),))
    first = _verify(copy).first_failure
    assert first.seq == 9


def test_changed_index_storage_is_found(copy):
    _sql(copy, "UPDATE documents SET data=? WHERE doc_id=(SELECT min(doc_id) FROM documents)",
         (dumps_binary(loads("{forged: true}")),))
    report = _verify(copy)
    assert not report.ok and report.first_failure.check == "index storage"


def test_changed_index_entry_is_found(copy):
    _sql(copy, "DELETE FROM index_entries WHERE doc_id=(SELECT doc_id FROM index_entries LIMIT 1)")
    report = _verify(copy)
    assert not report.ok and report.first_failure.check == "index storage"


def test_changed_catalog_row_is_found(copy):
    _sql(copy, "UPDATE tables_ SET name='Hacked' WHERE name='Person'")
    report = _verify(copy)
    assert not report.ok and report.first_failure.check == "index storage"


def test_changed_merkle_node_is_found(copy):
    # block 3 completes nodes (1, 1) and (2, 0); the second is changed
    c = sqlite3.connect(copy)
    (nodes,) = c.execute("SELECT merkle_nodes FROM blocks WHERE seq=3").fetchone()
    c.close()
    _sql(copy, "UPDATE blocks SET merkle_nodes=? WHERE seq=3", (nodes[:32] + b"\x02" * 32,))
    report = _verify(copy)
    assert not report.ok and report.first_failure.check == "digest"
    assert [f.message for f in report.failures] == [
        "the stored Merkle node (2, 0) does not match the blocks"]


def test_missing_and_extra_merkle_nodes_are_found(copy):
    _sql(copy, "UPDATE blocks SET merkle_nodes=NULL WHERE seq=1")
    _sql(copy, "UPDATE blocks SET merkle_nodes=? WHERE seq=2", (b"\x04" * 32,))
    report = _verify(copy)
    assert [(f.seq, f.message) for f in report.failures] == [
        (1, "the stored Merkle node (1, 0) does not match the blocks"),
        (2, "the block's row holds Merkle nodes it does not complete")]


def test_merkle_nodes_that_are_not_blobs_are_found_and_refused(copy):
    from ledger_desktop.engine.errors import IntegrityError

    _sql(copy, "UPDATE blocks SET merkle_nodes='text' WHERE seq=15")  # completes 4 nodes
    _sql(copy, "UPDATE blocks SET merkle_nodes=12345 WHERE seq=2")    # completes none
    report = _verify(copy)
    assert [(f.seq, f.check, f.message) for f in report.failures] == [
        (2, "digest", "the block's row holds Merkle nodes that are not a blob"),
        (15, "digest", "the block's row holds Merkle nodes that are not a blob")]
    with Ledger.open(copy, read_only=True) as led:
        with pytest.raises(IntegrityError, match=r"row of block 15: node \(4, 0\)"):
            led.digest()
        assert led.tip().seq == led.block_count() - 1


def test_truncation_is_found_against_a_saved_digest(copy, tmp_path):
    with Ledger.open(copy) as led:
        saved = tmp_path / "d.json"
        digest_file.write_digest(saved, led.digest())
        tip = led.tip().seq
    for t in ("revisions", "blocks"):
        _sql(copy, f"DELETE FROM {t} WHERE seq >= ?", (tip - 1,))
    report = _verify(copy, digests=[digest_file.read_digest(saved)])
    assert not report.ok
    assert any("truncation" in dc.message for dc in report.digest_checks)


def test_saved_digest_agrees(copy, tmp_path):
    with Ledger.open(copy) as led:
        d = led.digest()
        with led.transaction() as tx:
            tx.begin_statement("SELECT 1")  # a read-only transaction still writes a block
    report = _verify(copy, digests=[d])
    assert report.ok and report.digest_checks[0].ok


def test_a_digest_of_another_ledger_is_a_named_problem(copy, tmp_path):
    """It failed the verification with "0 problem(s); first: None"."""
    from ledger_desktop.engine.report_html import report_to_html

    with Ledger.create(tmp_path / "other.ledger") as other:
        foreign = other.digest()
    report = _verify(copy, digests=[foreign])
    assert not report.ok and report.failure_count == 1
    assert report.first_failure.check == "digest"
    assert "is for another ledger" in report.first_failure.message
    summary = report.summary()
    assert summary.startswith("VERIFICATION FAILED: 1 problem(s); first: ledger: digest check")
    assert "None" not in summary
    assert "the first is the digest check" in report_to_html(report)


def test_verification_can_be_cancelled(copy):
    token = CancelToken()
    token.cancel()
    report = _verify(copy, cancel=token)
    assert report.cancelled and not report.ok


def test_chain_only_mode(copy):
    report = _verify(copy, rehash=False)
    assert report.ok and report.mode == "chain only"


