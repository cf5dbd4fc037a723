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


def _forge_first_revision(path) -> int:
    """Change the first user revision's data in place; returns its block."""
    seq, idx, data = _first_user_revision(path)
    value = loads(data)
    value["GovId"] = "FORGED"
    _sql(path, "UPDATE revisions SET data=? WHERE seq=? AND idx=?",
         (dumps_binary(value), seq, idx))
    return seq


def test_changed_revision_data_is_found(copy):
    seq = _forge_first_revision(copy)
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
    seq = _forge_first_revision(copy)
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




def _index_without(path, seqs) -> None:
    """Rebuild `revisions_table_seq` so that it misses the revisions of blocks `seqs`, with
    the journal's rows as they were: the index is made while their table ids are different,
    then frozen (a partial index that matches nothing is not maintained) while they are put
    back."""
    c = sqlite3.connect(path, isolation_level=None)
    (sql,) = c.execute("SELECT sql FROM sqlite_master WHERE name='revisions_table_seq'"
                       ).fetchone()
    marks = ",".join("?" * len(seqs))
    saved = c.execute(f"SELECT seq, idx, table_id FROM revisions WHERE seq IN ({marks})",
                      seqs).fetchall()
    c.execute("DROP INDEX revisions_table_seq")
    c.execute(f"UPDATE revisions SET table_id='elsewhere' WHERE seq IN ({marks})", seqs)
    c.execute(sql)
    c.execute("PRAGMA writable_schema=ON")
    c.execute("UPDATE sqlite_master SET sql=? WHERE name='revisions_table_seq'",
              (sql + " WHERE 0",))
    c.close()
    c = sqlite3.connect(path, isolation_level=None)
    c.executemany("UPDATE revisions SET table_id=? WHERE seq=? AND idx=?",
                  [(t, s, i) for s, i, t in saved])
    c.execute("PRAGMA writable_schema=ON")
    c.execute("UPDATE sqlite_master SET sql=? WHERE name='revisions_table_seq'", (sql,))
    c.close()


def test_an_index_that_misses_revisions_is_found(copy):
    """The journal intact, but an SQLite index that queries read through (a table's
    history) lacks two revisions: history() left them out while verify said "verified"."""
    def history():
        with Ledger.open(copy) as led:
            tx = led.begin()  # read, then abort: nothing is written
            rows = tx.execute("SELECT * FROM history(VehicleRegistration)")
            tx.abort()
            return rows

    before = history()
    seqs = sorted({int(r["blockAddress"]["sequenceNo"]) for r in before})[-2:]
    _index_without(copy, seqs)
    assert len(history()) < len(before)
    report = _verify(copy)
    assert not report.ok
    checks = {f.check for f in report.failures}
    assert checks == {"file structure"}, report.summary()
    assert "revisions_table_seq" in report.summary()
    assert _verify(copy, check_index_storage=False).ok  # the journal itself is intact


def test_a_damaged_page_is_found(copy):
    """Noise over a page of an index no journal check reads."""
    c = sqlite3.connect(copy)
    (page,) = c.execute("SELECT pageno FROM dbstat WHERE name='revisions_table_seq' "
                        "ORDER BY pageno DESC LIMIT 1").fetchone()
    (size,) = c.execute("PRAGMA page_size").fetchone()
    c.close()
    data = bytearray(copy.read_bytes())
    data[(page - 1) * size + 8:page * size] = bytes(range(256)) * ((size - 8) // 256) + \
        bytes((size - 8) % 256)
    copy.write_bytes(bytes(data))
    report = _verify(copy)
    assert not report.ok
    assert any(f.check == "file structure" for f in report.failures), report.summary()


def test_cancel_during_the_file_check(copy, monkeypatch):
    from ledger_desktop.engine import verify_index

    monkeypatch.setattr(verify_index, "_CANCEL_STEPS", 10)
    token = CancelToken()
    real = verify_index.check_index_storage

    def then_cancel(*a, **k):
        real(*a, **k)
        token.cancel()  # the journal and index storage are done: cancel in the file check

    monkeypatch.setattr(verify_index, "check_index_storage", then_cancel)
    report = _verify(copy, cancel=token)
    assert report.cancelled and not report.ok


def test_first_failure_is_the_journals_and_summary_lists_the_others_once():
    """A derived check (index storage) at a lower block was named the first failure, and the
    summary's "also" lines repeated the first failure and dropped the one listed before it."""
    from ledger_desktop.engine.verify import VerifyFailure, VerifyReport

    report = VerifyReport(ledger="x", strand_id="s")
    report.fail(VerifyFailure(None, "digest", "the saved digest is for another ledger"))
    report.fail(VerifyFailure(11, "index storage", "document D differs"))
    report.fail(VerifyFailure(14, "revision hash", "revision 0 does not match"))
    report.fail(VerifyFailure(14, "block hash", "blockHash != dot(...)"))
    first = report.first_failure
    assert (first.seq, first.check) == (14, "revision hash")
    lines = report.summary().splitlines()
    assert "first: block 14: revision hash" in lines[0]
    also = [ln for ln in lines if ln.startswith("  also:")]
    assert len(also) == 3 and not any("revision 0 does not match" in ln for ln in also)
    only_derived = VerifyReport(ledger="x", strand_id="s")
    only_derived.fail(VerifyFailure(None, "file structure", "row 3 missing from index"))
    only_derived.fail(VerifyFailure(11, "index storage", "document D differs"))
    assert only_derived.first_failure.check == "index storage"


def test_a_proof_from_damaged_merkle_nodes_is_refused(copy):
    """get-block handed out, with exit 0, a proof built from a tampered stored node that
    does not fold to the digest; only a full verification reads those nodes."""
    from click.testing import CliRunner

    from ledger_desktop.cli import main
    from ledger_desktop.engine.blocks import BlockAddress
    from ledger_desktop.engine.errors import IntegrityError

    with Ledger.open(copy, read_only=True) as led:
        strand, tip = led.strand_id, led.tip()
        good = [led.block_proof(s, tip) for s in range(tip.seq + 1)]
    c = sqlite3.connect(copy)
    rows = c.execute("SELECT seq, merkle_nodes FROM blocks WHERE length(merkle_nodes) >= 96 "
                     "ORDER BY seq").fetchall()
    seq, nodes = rows[-1]
    damaged = bytearray(nodes)
    damaged[40] ^= 1  # level 2 of the block's nodes
    c.execute("UPDATE blocks SET merkle_nodes=? WHERE seq=?", (bytes(damaged), seq))
    c.commit()
    c.close()
    refused = 0
    with Ledger.open(copy, read_only=True) as led:
        for s in range(tip.seq + 1):
            try:
                assert led.block_proof(s, tip) == good[s]  # untouched paths still served
            except IntegrityError as e:
                refused += 1
                assert "Merkle nodes" in str(e)
    assert refused
    r = CliRunner().invoke(main, ["get-block", str(copy), "--block-address",
                                  BlockAddress(strand, 0).text(), "--digest-tip-address",
                                  tip.text()])
    assert r.exit_code in (0, 1) and "Traceback" not in r.output


def _edit_body(path, seq, edit):
    from amazon.ion import simpleion

    c = sqlite3.connect(path)
    (body,) = c.execute("SELECT body FROM blocks WHERE seq=?", (seq,)).fetchone()
    value = simpleion.loads(body)
    c.execute("UPDATE blocks SET body=? WHERE seq=?",
              (simpleion.dumps(edit(value), binary=True), seq))
    c.commit()
    c.close()


def _with_note(b):
    b["note"] = "forged"
    return b


def _annotated_tx_id(b):
    b["transactionId"].ion_annotations = ("forged",)
    return b


def _annotated_body(b):
    b.ion_annotations = ("forged",)
    return b


def _repeated_name_first(b):
    from amazon.ion.simple_types import IonPyDict

    out = IonPyDict()
    out.add_item("transactionId", "FORGEDFORGEDFORGEDFORG")
    for k, v in b.iteritems():
        out.add_item(k, v)
    return out


@pytest.mark.parametrize("edit", [_with_note, _annotated_tx_id, _annotated_body,
                                  _repeated_name_first])
def test_content_no_hash_covers_is_found(copy, edit):
    """A field outside the layout, annotations, or a repeated name placed before the real
    one passed verify (and showed in get-block, export and stream)."""
    _edit_body(copy, 19, edit)
    report = _verify(copy)
    assert not report.ok
    first = report.first_failure
    assert first.seq == 19 and first.check == "format", report.summary()
    assert "no hash covers" in first.message


@pytest.mark.parametrize("kind, sql", [
    (1, "UPDATE revisions SET data=? WHERE seq=? AND idx=?"),        # a deletion with data
    (2, "UPDATE revisions SET data=? WHERE seq=? AND idx=?"),        # redacted data put back
    (0, "UPDATE revisions SET data_hash=? WHERE seq=? AND idx=?"),   # data with a data hash
])
def test_columns_a_revision_of_its_kind_must_not_fill(copy, kind, sql):
    """No hash covers them and no reader shows them, so verify passed: "redacted" data could
    sit in the file unnoticed."""
    c = sqlite3.connect(copy)
    seq, idx, doc_id = c.execute("SELECT seq, idx, doc_id FROM revisions WHERE kind=? "
                                 "ORDER BY seq LIMIT 1", (kind,)).fetchone()
    (some_data,) = c.execute("SELECT data FROM revisions WHERE kind=0 LIMIT 1").fetchone()
    c.close()
    value = some_data if "SET data=" in sql else b"\x00" * 32
    _sql(copy, sql, (value, seq, idx))
    report = _verify(copy)
    assert not report.ok
    assert any(f.seq == seq and f.check == "format" and doc_id in f.message
               for f in report.failures), report.summary()


def test_cancel_after_the_blocks_says_which_checks_were_left(copy, monkeypatch):
    """"cancelled after 12,023 of 12,023 blocks: nothing is proven about the rest"."""
    from ledger_desktop.engine import verify_index

    token = CancelToken()
    real = verify_index.check_index_storage

    def then_cancel(*a, **k):
        token.cancel()
        real(*a, **k)

    monkeypatch.setattr(verify_index, "check_index_storage", then_cancel)
    report = _verify(copy, cancel=token)
    assert report.cancelled and report.blocks_checked == report.block_count
    assert "during the index storage and file checks" in report.summary()
