"""Verification's fast path (block_facts) only ever accepts: a tampered block falls back to the
general checks, so every report is the same with and without it.

The fast path is exercised here through `block_facts_py`, the reference the C version must
equal (tests/engine/test_block_facts.py), so these tests run with and without the extension.
"""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from ledger_desktop.engine import block_facts, storage, verify
from ledger_desktop.engine.ion_binary_hash import ion_hash_binary
from ledger_desktop.engine.ion_hash import dot
from ledger_desktop.engine.ion_values import dumps_binary, loads
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.metadata_hash import block_field_hashes, metadata_hash
from ledger_desktop.engine.sample import build_sample


@pytest.fixture(scope="module")
def sample_path(tmp_path_factory):
    path = build_sample(tmp_path_factory.mktemp("fast") / "dmv.ledger")
    with Ledger.open(path) as led:  # more plain blocks: single, multi-document and deletes
        with led.transaction() as tx:
            tid = tx.create_table("Claims", tx.begin_statement("CREATE TABLE Claims"))
        ids = []
        for i in range(6):
            with led.transaction() as tx:
                stmt = tx.begin_statement("INSERT INTO Claims ?")
                ids += [tx.insert(tid, {"n": i, "k": j}, stmt) for j in range(i % 3 + 1)]
        with led.transaction() as tx:
            tx.delete(ids[0], tx.begin_statement("DELETE FROM Claims WHERE n = 0"))
    return path


@pytest.fixture
def copy(sample_path, tmp_path):
    p = tmp_path / "copy.ledger"
    shutil.copy(sample_path, p)
    return p


def _report(path, monkeypatch, fast):
    monkeypatch.setattr(block_facts, "block_facts", block_facts.block_facts_py if fast else None)
    with Ledger.open(path, read_only=True) as led:
        return led.verify()


def _general_blocks(path, monkeypatch):
    """The blocks the general checks read (the fast path declined or failed them)."""
    seen = []
    general = verify._check_block_content

    def counting(report, ledger, seq, *args):
        seen.append(seq)
        return general(report, ledger, seq, *args)

    monkeypatch.setattr(verify, "_check_block_content", counting)
    report = _report(path, monkeypatch, fast=True)
    return report, seen


def test_fast_path_reads_every_plain_block(sample_path, monkeypatch):
    report, general = _general_blocks(sample_path, monkeypatch)
    assert report.ok, report.summary()
    c = sqlite3.connect(sample_path)
    redaction = [seq for seq, body, flag in c.execute("SELECT seq, body, has_redaction FROM blocks")
                 if flag or "redactionInfo" in loads(body)]
    c.close()
    assert redaction, "the sample redacts a revision"
    # Only blocks holding or making a redaction take the general path.
    assert sorted(general) == sorted(redaction)


def test_fast_path_is_the_c_extension_when_built():
    from ledger_desktop.engine import ion_hash

    if ion_hash.C_HASH_VALUE:
        assert block_facts.block_facts is not None


def _flip_entries(c):
    seq, body = c.execute("SELECT seq, body FROM blocks WHERE seq = 9").fetchone()
    value = loads(body)
    value["entriesHashList"][0] = b"\x00" * 32
    c.execute("UPDATE blocks SET body=? WHERE seq=?", (dumps_binary(value), seq))


def _swap_bodies(c):
    b8 = c.execute("SELECT body FROM blocks WHERE seq = 8").fetchone()[0]
    c.execute("UPDATE blocks SET body=? WHERE seq = 9", (b8,))


def _first_data(c):
    return c.execute("SELECT seq, idx, data FROM revisions WHERE kind=0 AND seq > 3 ORDER BY seq "
                     "LIMIT 1").fetchone()


def _forge_data(c):
    seq, idx, data = _first_data(c)
    value = loads(data)
    value["forged"] = 1
    c.execute("UPDATE revisions SET data=? WHERE seq=? AND idx=?", (dumps_binary(value), seq, idx))


def _forge_and_rehash(c):
    """New data with its revision hash recomputed: only the entries list can tell."""
    seq, idx, data = _first_data(c)
    doc_id, version, tx_id, ts = c.execute(
        "SELECT r.doc_id, r.version, b.tx_id, b.body FROM revisions r JOIN blocks b USING (seq) "
        "WHERE r.seq=? AND r.idx=?", (seq, idx)).fetchone()
    value = loads(data)
    value["forged"] = 1
    forged = dumps_binary(value)
    fields = block_field_hashes(loads(ts)["blockTimestamp"], tx_id)
    h = dot(metadata_hash(doc_id, version, fields), ion_hash_binary(forged))
    c.execute("UPDATE revisions SET data=?, hash=? WHERE seq=? AND idx=?", (forged, h, seq, idx))


TAMPERING = {
    "revision data re-hashed": _forge_and_rehash,
    "revision data": _forge_data,
    "revision version": lambda c: c.execute(
        "UPDATE revisions SET version=version+1 WHERE (seq, idx) = (SELECT seq, idx FROM "
        "revisions WHERE kind=0 ORDER BY seq DESC LIMIT 1)"),
    "revision table": lambda c: c.execute(
        "UPDATE revisions SET table_id='AAAAAAAAAAAAAAAAAAAAAA' WHERE seq = 12"),
    "revision kind hash-only": lambda c: c.execute(
        f"UPDATE revisions SET kind={storage.KIND_HASH_ONLY} WHERE seq = 12"),
    "revision kind system": lambda c: c.execute(
        f"UPDATE revisions SET kind={storage.KIND_SYSTEM}, table_id=NULL WHERE seq = 12"),
    "revision hash": lambda c: c.execute(
        "UPDATE revisions SET hash=zeroblob(32) WHERE seq = 12"),
    "revision hash not a blob": lambda c: c.execute(
        "UPDATE revisions SET hash=7 WHERE seq = 12"),
    "revision removed": lambda c: c.execute("DELETE FROM revisions WHERE seq = 12"),
    "block time column": lambda c: c.execute(
        "UPDATE blocks SET block_ts='2020-01-01T00:00:00.000Z' WHERE seq = 10"),
    "transaction id column": lambda c: c.execute(
        "UPDATE blocks SET tx_id='BBBBBBBBBBBBBBBBBBBBBB' WHERE seq = 10"),
    "revision count": lambda c: c.execute("UPDATE blocks SET n_revisions=5 WHERE seq = 10"),
    "redaction flag": lambda c: c.execute("UPDATE blocks SET has_redaction=1 WHERE seq = 10"),
    "foreign flag": lambda c: c.execute("UPDATE blocks SET is_foreign=1 WHERE seq = 10"),
    "entries list": _flip_entries,
    "body of another block": _swap_bodies,
    "body not Ion": lambda c: c.execute("UPDATE blocks SET body=x'e00100ea00ff' WHERE seq = 11"),
}


@pytest.mark.parametrize("name", sorted(TAMPERING))
def test_reports_are_the_same_with_and_without_the_fast_path(copy, monkeypatch, name):
    c = sqlite3.connect(copy)
    TAMPERING[name](c)
    c.commit()
    c.close()
    fast = _report(copy, monkeypatch, fast=True)
    general = _report(copy, monkeypatch, fast=False)
    assert not general.ok
    assert ([(f.seq, f.check, f.message) for f in fast.failures]
            == [(f.seq, f.check, f.message) for f in general.failures])
