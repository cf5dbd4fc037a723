"""Schema 1 files (written by earlier versions) still open: migrated when opened for writing,
read as they are when opened read-only. The fixture is a real schema-1 sample ledger, written by
the version before schema 2."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from ledger_desktop.engine import proofs, storage
from ledger_desktop.engine.ion_hash import merkle_root
from ledger_desktop.engine.ledger import Ledger

FIXTURE = Path(__file__).parent.parent / "fixtures" / "schema1-sample.ledger"


@pytest.fixture
def v1(tmp_path):
    p = tmp_path / "old.ledger"
    shutil.copy(FIXTURE, p)
    return p


def _names(path: Path) -> set[str]:
    c = sqlite3.connect(path)
    try:
        return {r[0] for r in c.execute("SELECT name FROM sqlite_master")}
    finally:
        c.close()


def _block_hashes(led: Ledger) -> list[bytes]:
    return [bytes(r[0]) for r in led._conn.execute("SELECT block_hash FROM blocks ORDER BY seq")]


def _check_digest_and_proofs(led: Ledger) -> None:
    d = led.digest()
    assert d.digest == merkle_root(_block_hashes(led))  # QLDB's digest, computed afresh
    tip = d.tip.seq
    for seq in range(tip + 1):
        block = led.block(seq)
        result = proofs.verify_block(block, led.block_proof(seq, tip), d.digest)
        assert result.ok, (seq, result)
    for seq in range(1, tip + 1, 5):  # earlier tips too
        assert led.digest_at(seq).digest == merkle_root(_block_hashes(led)[:seq + 1])


def test_the_fixture_is_schema_1():
    c = sqlite3.connect(f"{FIXTURE.resolve().as_uri()}?mode=ro", uri=True)
    assert c.execute("PRAGMA user_version").fetchone()[0] == 1
    assert c.execute("SELECT count(*) FROM merkle").fetchone()[0] > 10
    c.close()


def test_opening_for_writing_migrates(v1):
    with Ledger.open(v1) as led:
        assert storage.schema_version(led._conn) == storage.SCHEMA_VERSION == 2
        _check_digest_and_proofs(led)
        assert led.verify().ok
        with led.transaction() as tx:  # the migrated file takes new commits
            tx.execute("INSERT INTO Person ?", {"FirstName": "New"})
        _check_digest_and_proofs(led)
        assert led.verify().ok
        keys = {r[0] for r in led._conn.execute("SELECT key FROM meta")}
    names = _names(v1)
    assert "merkle" not in names and "blocks_chain" in names
    assert not keys & {"tip_seq", "digest", "frontier"}


def test_every_node_moves_into_its_block_row(v1):
    c = sqlite3.connect(v1)
    old = {(lvl, pos): bytes(h) for lvl, pos, h in c.execute("SELECT level, pos, hash FROM merkle")}
    c.close()
    with Ledger.open(v1) as led:
        for (lvl, pos), h in old.items():
            assert led._nodes.node(lvl, pos) == h


def test_opening_read_only_reads_the_old_layout_and_changes_nothing(v1):
    before = hashlib.sha256(v1.read_bytes()).digest()
    with Ledger.open(v1, read_only=True) as led:
        assert storage.schema_version(led._conn) == 1
        assert not led._nodes.inline
        _check_digest_and_proofs(led)
        report = led.verify()
        assert report.ok, report.first_failure
    assert hashlib.sha256(v1.read_bytes()).digest() == before
    assert "merkle" in _names(v1)


def test_a_tampered_node_survives_the_migration_and_is_found(v1):
    c = sqlite3.connect(v1)
    c.execute("UPDATE merkle SET hash=? WHERE level=2 AND pos=1", (b"\x07" * 32,))
    c.commit()
    c.close()
    with Ledger.open(v1) as led:
        report = led.verify()
    assert not report.ok
    assert [f.message for f in report.failures] == [
        "the stored Merkle node (2, 1) does not match the blocks"]


def test_a_deleted_node_survives_the_migration_as_missing(v1):
    c = sqlite3.connect(v1)
    c.execute("DELETE FROM merkle WHERE level=1 AND pos=1")  # block 3's first node
    c.commit()
    c.close()
    with Ledger.open(v1) as led:
        report = led.verify()
        with pytest.raises(LookupError):
            led._nodes.node(2, 0)  # stored after the missing level: not carried over
    assert [f.message for f in report.failures] == [
        "the stored Merkle node (1, 1) does not match the blocks",
        "the stored Merkle node (2, 0) does not match the blocks"]


def test_a_reader_follows_when_a_writer_migrates_the_file(v1):
    """The app opens a reader (read-only) and a writer on the same file: the writer migrates
    it under the reader, whose digests, proofs and verification go on working."""
    reader = Ledger.open(v1, read_only=True)
    try:
        assert not reader._nodes.inline
        before = reader.digest().digest
        with Ledger.open(v1) as writer:
            assert storage.schema_version(writer._conn) == 2
            assert writer.digest().digest == before
        assert reader.digest_at(7).digest == merkle_root(_block_hashes(reader)[:8])
        assert reader._nodes.inline
        _check_digest_and_proofs(reader)
        assert reader.verify().ok
    finally:
        reader.close()


def test_a_migration_the_disk_cannot_hold_names_the_full_disk(v1, monkeypatch):
    """On SQLITE_FULL, SQLite rolls the transaction back itself; the migration's own ROLLBACK
    then failed, and "cannot rollback - no transaction is active" replaced the real cause."""
    before = v1.read_bytes()

    def fills_the_disk(conn: sqlite3.Connection) -> None:
        conn.execute("ROLLBACK")  # what SQLite does on SQLITE_FULL
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(storage, "MIGRATIONS", [storage.MIGRATIONS[0], fills_the_disk])
    with pytest.raises(storage.StorageError,
                       match="migration to version 2 failed: database or disk is full"):
        Ledger.open(v1)
    assert v1.read_bytes() == before
