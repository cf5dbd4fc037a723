"""A killed process and a full disk (crash probe): a new ledger file (init, sample,
import-journal) appears complete or not at all; a full disk is named as such."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ledger_desktop.engine.errors import UserError
from ledger_desktop.engine.exports import export_journal
from ledger_desktop.engine.journal_import import import_journal
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.sample import build_sample

KILLED_IMPORT = textwrap.dedent("""
    import os, sys
    from ledger_desktop.engine.journal_import import import_journal

    def progress(done, total):
        if done >= 2:
            os._exit(137)  # as kill -9: no cleanup of any kind

    import_journal(sys.argv[1], sys.argv[2], progress=progress)
""")

KILLED_SAMPLE = textwrap.dedent("""
    import os, sys
    from ledger_desktop.engine import sample

    real = sample._build
    def dying(ledger):
        with ledger.transaction() as tx:
            tx.create_table("Person", tx.begin_statement("CREATE TABLE Person"))
        os._exit(137)
    sample._build = dying
    sample.build_sample(sys.argv[1])
""")


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".building-" in p.name)


def _age(folder: Path, seconds: float) -> None:
    """Make the hidden build files look untouched for `seconds` (a dead build is removed only
    after 15 minutes: its process id may be reused, or live in another container)."""
    import os
    import time

    for p in folder.iterdir():
        if ".building-" in p.name:
            os.utime(p, (time.time() - seconds,) * 2)


def test_a_killed_import_journal_leaves_no_ledger(tmp_path: Path) -> None:
    src = build_sample(tmp_path / "src.ledger")
    with Ledger.open(src, read_only=True) as led:
        export_journal(led, tmp_path / "exp")
        digest = led.digest().digest
    target = tmp_path / "copy.ledger"
    proc = subprocess.run([sys.executable, "-c", KILLED_IMPORT, str(tmp_path / "exp"),
                           str(target)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 137, proc.stderr
    assert not target.exists()
    assert _hidden(tmp_path)  # the killed build's hidden file, under its own name
    r = import_journal(tmp_path / "exp", target)  # a new import is not refused...
    assert r.digest.digest == digest
    assert _hidden(tmp_path)  # ...a recent one is kept (its process id may be reused)...
    target.unlink()
    _age(tmp_path, 3600)
    import_journal(tmp_path / "exp", target)
    assert _hidden(tmp_path) == []  # ...one idle for long is removed


def test_a_killed_sample_build_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "dmv.ledger"
    proc = subprocess.run([sys.executable, "-c", KILLED_SAMPLE, str(target)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 137, proc.stderr
    assert not target.exists()
    _age(tmp_path, 3600)
    build_sample(target)
    with Ledger.open(target, read_only=True) as led:
        assert led.verify().ok and led.block_count() > 20
    assert _hidden(tmp_path) == []


def test_a_failed_build_leaves_nothing_and_an_existing_file_is_kept(tmp_path: Path,
                                                                     monkeypatch) -> None:
    from ledger_desktop.engine import sample

    def failing(ledger):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(sample, "_build", failing)
    with pytest.raises(RuntimeError):
        build_sample(tmp_path / "s.ledger")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "taken.ledger").write_text("someone's file")
    with pytest.raises(UserError, match="already exists; refusing to overwrite it"):
        Ledger.create(tmp_path / "taken.ledger")
    assert (tmp_path / "taken.ledger").read_text() == "someone's file"


def test_a_file_that_appears_during_the_build_is_not_replaced(tmp_path: Path,
                                                               monkeypatch) -> None:
    from ledger_desktop.engine import ledger as ledger_module

    target = tmp_path / "n.ledger"
    real = ledger_module.Ledger.create_at

    def create_then_race(cls, path, name, strict=False):
        led = real(path, name, strict)
        target.write_text("written by another program meanwhile")
        return led

    monkeypatch.setattr(ledger_module.Ledger, "create_at", classmethod(create_then_race))
    with pytest.raises(UserError, match="appeared while the new ledger was built"):
        Ledger.create(target)
    assert target.read_text() == "written by another program meanwhile"
    assert _hidden(tmp_path) == []


FULL_DISK = textwrap.dedent("""
    import resource, signal, subprocess, sys
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    # no file may grow past 1 KiB: SQLite cannot make the -shm (32 KiB), as on a full disk
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))
    r = subprocess.run([sys.executable, "-m", "ledger_desktop.cli"] + sys.argv[1:],
                       capture_output=True, text=True)
    print(r.returncode)
    print(r.stdout + r.stderr)
""")


def test_a_full_disk_is_not_called_a_foreign_file(tmp_path: Path) -> None:
    """On a full disk every command said `not a ledger file (disk I/O error)`, read-only
    ones included, which sends a user to delete or repair a good file."""
    ledger = build_sample(tmp_path / "s.ledger")

    def run(*args: str) -> tuple[int, str]:
        out = subprocess.run([sys.executable, "-c", FULL_DISK, *args], capture_output=True,
                             text=True, timeout=120).stdout
        code, _, text = out.partition("\n")
        return int(code), text

    code, text = run("verify", "-q", str(ledger))  # reads need no new file: they work
    assert code == 0 and "verified:" in text, text
    code, text = run("query", str(ledger), "SELECT COUNT(*) FROM Person")
    assert code == 2 and "not a ledger" not in text
    assert "check that the disk is not full" in text, text


WITH_WAL = textwrap.dedent("""
    import os, shutil, sys
    from ledger_desktop.engine.ledger import Ledger
    led = Ledger.open(sys.argv[1])
    led._conn.execute("PRAGMA wal_autocheckpoint=0")
    for i in range(30):
        led.execute("INSERT INTO T ?", {"tag": "B", "i": i})
    shutil.copy(sys.argv[1] + "-wal", sys.argv[2])
    os._exit(0)  # no close, so no checkpoint: the -wal keeps the commits
""")


def test_a_foreign_wal_is_refused_before_it_is_merged(tmp_path: Path) -> None:
    """Another ledger's -wal beside this one: verify failed, but a write committed on top and
    the connection's close checkpointed the foreign pages into the file for good."""
    import hashlib

    from ledger_desktop.engine.errors import IntegrityError

    for name in ("A", "B"):
        with Ledger.create(tmp_path / f"{name}.ledger") as led:
            led.execute("CREATE TABLE T")
            for i in range(40):
                led.execute("INSERT INTO T ?", {"tag": name, "i": i})
    subprocess.run([sys.executable, "-c", WITH_WAL, str(tmp_path / "B.ledger"),
                    str(tmp_path / "A.ledger-wal")], check=True, timeout=120)
    a = tmp_path / "A.ledger"
    before = hashlib.sha256(a.read_bytes()).hexdigest()
    with pytest.raises(IntegrityError, match="nothing was written: the ledger's last block"):
        Ledger.open(a)
    assert hashlib.sha256(a.read_bytes()).hexdigest() == before  # nothing merged
    assert (tmp_path / "A.ledger-wal").stat().st_size > 0
    (tmp_path / "A.ledger-wal").unlink()  # the foreign -wal removed: A is itself again
    (tmp_path / "A.ledger-shm").unlink(missing_ok=True)
    with Ledger.open(a) as led:
        led.execute("INSERT INTO T ?", {"tag": "A", "i": 40})
        assert led.verify().ok


def test_a_write_on_a_tip_that_does_not_hold_together_is_refused(tmp_path: Path) -> None:
    """The first write of a connection checks the block it builds on."""
    import sqlite3

    from ledger_desktop.engine.errors import IntegrityError

    path = build_sample(tmp_path / "s.ledger")
    conn = sqlite3.connect(path)
    conn.execute("UPDATE blocks SET entries_hash = zeroblob(32) "
                 "WHERE seq = (SELECT max(seq) FROM blocks)")  # the tip block
    conn.commit()
    conn.close()
    with Ledger.open(path) as led:
        n = led.block_count()
        with pytest.raises(IntegrityError, match="last block does not hold together"):
            led.execute("INSERT INTO Person ?", {"FirstName": "X"})
        assert led.block_count() == n


def test_new_ledger_names_at_the_edges(tmp_path: Path) -> None:
    """A dangling symbolic link at the target was blamed on a race ("appeared while the new
    ledger was built"); a 240-character name made a hidden name over the 255-byte limit; an
    error while building named the hidden file."""
    import os

    link = tmp_path / "dangling.ledger"
    os.symlink(tmp_path / "nowhere", link)
    with pytest.raises(UserError, match="already exists; refusing to overwrite it"):
        Ledger.create(link)
    long = tmp_path / ("L" * 233 + ".ledger")  # 240 characters
    Ledger.create(long).close()
    assert long.exists() and _hidden(tmp_path) == []
