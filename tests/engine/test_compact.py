"""`compact` (SQLite VACUUM INTO and backup): the same journal, digest and verification afterwards; Cancel, a
shortage of disk space and foreign files leave the file as it was."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger_desktop.cli import main
from ledger_desktop.engine import compact as compact_mod
from ledger_desktop.engine.cancel import CancelToken
from ledger_desktop.engine.compact import compact
from ledger_desktop.engine.errors import Cancelled, NotALedgerError, StorageError, UserError
from ledger_desktop.engine.ledger import Ledger


def _fragmented(path: Path, commits: int = 400) -> Path:
    """Commits alternating between tables, with updates and deletes: interleaved pages."""
    with Ledger.create(path) as led:
        led.execute("CREATE TABLE A")
        led.execute("CREATE TABLE B")
        for i in range(commits):
            led.execute(f"INSERT INTO {'AB'[i % 2]} ?", {"n": i, "pad": "x" * (50 + i % 300)})
            if i % 7 == 0:
                led.execute("UPDATE A SET n = n + 1000 WHERE n = ?", i)
            if i % 11 == 0:
                led.execute("DELETE FROM B WHERE n = ?", i - 1)
    return path


def _state(path: Path) -> tuple:
    with Ledger.open(path) as led:
        d = led.digest()
        tx = led.begin()  # read, then abort: nothing is written
        rows = sorted(int(r["n"]) for r in tx.execute("SELECT n FROM A"))
        tx.abort()
        return d.digest, d.tip, led.block_count(), rows


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_compact_keeps_the_journal_and_its_digest(tmp_path: Path) -> None:
    path = _fragmented(tmp_path / "f.ledger")
    before = _state(path)
    seen: list[tuple[int, int]] = []
    r = compact(path, progress=lambda d, t: seen.append((d, t)))
    assert _state(path) == before
    assert r.bytes_after <= r.bytes_before
    assert seen[-1] == (1000, 1000) and all(0 <= d <= t for d, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)  # never goes backwards
    with Ledger.open(path) as led:
        assert led.verify().ok
        led.execute("INSERT INTO A ?", {"n": -1})  # still takes commits
        assert led.verify().ok
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0


def test_a_reader_holding_a_snapshot_does_not_stall_it(tmp_path: Path) -> None:
    """With another connection inside a read transaction (the app running a long query),
    the WAL cannot be emptied; compact waited out the 30 s busy timeout for it, then went
    on anyway. It now leaves the WAL to a later checkpoint at once."""
    import sqlite3
    import threading

    path = _fragmented(tmp_path / "f.ledger", commits=60)
    before = _state(path)
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM blocks").fetchone()
    done = threading.Event()
    worker = threading.Thread(target=lambda: (compact(path), done.set()), daemon=True)
    worker.start()
    in_time = done.wait(timeout=15)  # a hang check, far under the 30 s it used to wait
    reader.execute("COMMIT")
    reader.close()
    worker.join()
    assert in_time and done.is_set()
    assert _state(path) == before
    with Ledger.open(path) as led:
        assert led._conn.execute("PRAGMA busy_timeout").fetchone()[0] == 30000
        assert led.verify().ok


def test_cancel_leaves_the_file_as_it_was(tmp_path: Path, monkeypatch) -> None:
    path = _fragmented(tmp_path / "f.ledger")
    monkeypatch.setattr(compact_mod, "_HANDLER_STEPS", 100)  # call back early and often
    with Ledger.open(path) as led:
        led._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before, raw = _state(path), _file_hash(path)

    class CancelMidway(CancelToken):
        """Cancelled from the 20th look on: well inside VACUUM's first phase."""
        looks = 0

        @property
        def cancelled(self) -> bool:
            self.looks += 1
            return self.looks >= 20

    token = CancelMidway()
    with pytest.raises(Cancelled):
        compact(path, cancel=token)
    assert token.looks == 20
    assert _file_hash(path) == raw
    assert _state(path) == before


def test_cancel_while_writing_back_leaves_the_file_as_it_was(tmp_path: Path, monkeypatch) -> None:
    """Cancel once the compacted copy is being written back (plain VACUUM could not stop
    there): the backup's write transaction rolls back."""
    path = _fragmented(tmp_path / "f.ledger")
    monkeypatch.setattr(compact_mod, "_BACKUP_PAGES", 4)  # many steps
    with Ledger.open(path) as led:
        led._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before, raw = _state(path), _file_hash(path)
    token = CancelToken()
    seen: list[int] = []

    def progress(done: int, _total: int) -> None:
        seen.append(done)
        if done > compact_mod._FIRST_PHASE + 100:  # well into the write-back
            token.cancel()

    with pytest.raises(Cancelled):
        compact(path, progress=progress, cancel=token)
    assert max(seen) < 1000
    assert _file_hash(path) == raw
    assert _state(path) == before
    with Ledger.open(path) as led:
        assert led.verify().ok


def test_a_commit_between_copy_and_write_back_is_kept(tmp_path: Path, monkeypatch) -> None:
    """Another connection commits after the compacted copy was made: writing the copy back
    would lose that commit, so compact notices and starts again from the new state."""
    path = _fragmented(tmp_path / "f.ledger", commits=60)
    copies = []
    real_copy = compact_mod._copy_compacted

    def copy_then_commit(*args, **kw):
        real_copy(*args, **kw)
        copies.append(1)
        if len(copies) == 1:
            with Ledger.open(path) as other:
                other.execute("INSERT INTO A ?", {"n": 999_999})

    monkeypatch.setattr(compact_mod, "_copy_compacted", copy_then_commit)
    blocks = _state(path)[2]
    compact(path)
    assert len(copies) == 2
    digest, _tip, after_blocks, rows = _state(path)
    assert after_blocks == blocks + 1 and 999_999 in rows
    with Ledger.open(path) as led:
        assert led.verify().ok


def test_a_ledger_that_keeps_changing_is_left_alone(tmp_path: Path, monkeypatch) -> None:
    path = _fragmented(tmp_path / "f.ledger", commits=30)
    real_copy = compact_mod._copy_compacted
    n = [0]

    def copy_then_commit(*args, **kw):
        real_copy(*args, **kw)
        n[0] += 1
        with Ledger.open(path) as other:
            other.execute("INSERT INTO A ?", {"n": -n[0]})

    monkeypatch.setattr(compact_mod, "_copy_compacted", copy_then_commit)
    with pytest.raises(StorageError, match="kept committing"):
        compact(path)
    assert n[0] == compact_mod._ATTEMPTS
    _digest, _tip, _blocks, rows = _state(path)
    assert all(-i in rows for i in range(1, n[0] + 1))
    with Ledger.open(path) as led:
        assert led.verify().ok


def test_too_little_disk_space_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    path = _fragmented(tmp_path / "f.ledger", commits=20)
    raw = _file_hash(path)

    class Usage:
        free = 1 << 20

    monkeypatch.setattr(compact_mod.shutil, "disk_usage", lambda _p: Usage)
    with pytest.raises(UserError, match="compacting needs about .* MiB free"):
        compact(path)
    assert _file_hash(path) == raw


def test_not_a_ledger_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "notes.ledger"
    other.write_text("not a ledger")
    with pytest.raises(NotALedgerError):
        compact(other)
    assert other.read_text() == "not a ledger"


def test_cli_compact(tmp_path: Path) -> None:
    path = _fragmented(tmp_path / "f.ledger", commits=30)
    before = _state(path)
    res = CliRunner().invoke(main, ["compact", str(path), "-q"])
    assert res.exit_code == 0, res.output
    assert "digest unchanged" in res.output
    assert _state(path) == before
    res = CliRunner().invoke(main, ["compact", str(tmp_path / "missing.ledger")])
    assert res.exit_code == 2 and "no such file" in res.output
