"""Leftovers of killed processes (a build's hidden file, a compaction's temporary copy) are
removed only when their process is gone AND nothing has written them for 15 minutes: a
process in another PID namespace (a container sharing the folder) looks gone while it runs.
compact used to trust the process id alone and deleted such a live compaction's copy."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ledger_desktop.engine import compact as compact_module
from ledger_desktop.engine.compact import compact, remove_stale_copies
from ledger_desktop.engine.new_file import STALE_SECONDS, abandoned, idle_seconds
from ledger_desktop.engine.sample import build_sample

pytestmark = pytest.mark.skipif(os.name != "posix", reason="process ids are checked on POSIX")


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()  # reaped: no process has this id now (as a process elsewhere looks)
    return proc.pid


def _age(path: Path, seconds: float) -> None:
    os.utime(path, (time.time() - seconds,) * 2)


def _copy_folder(root: Path, pid: int, tag: str, idle: float) -> Path:
    folder = root / f"ledger-compact-{pid}-{tag}"
    folder.mkdir()
    copy = folder / "compacted.ledger"
    copy.write_bytes(b"\0" * 4096)
    _age(copy, idle)
    _age(folder, idle)
    return folder


def test_abandoned_needs_both_a_gone_process_and_idle_files(tmp_path: Path) -> None:
    f = tmp_path / "x"
    f.write_bytes(b"x")
    dead = _dead_pid()
    assert not abandoned(dead, [f])  # just written: maybe a process we cannot see
    _age(f, STALE_SECONDS + 60)
    assert abandoned(dead, [f])
    assert not abandoned(os.getpid(), [f])  # idle but its process runs
    assert not abandoned(dead, [tmp_path / "missing"])  # nothing to judge by: kept
    fresh = tmp_path / "y"
    fresh.write_bytes(b"y")
    assert not abandoned(dead, [f, fresh])  # the newest file decides
    assert STALE_SECONDS - 60 < idle_seconds([f]) < STALE_SECONDS + 120


def test_a_recent_copy_whose_process_looks_gone_is_kept(tmp_path: Path) -> None:
    """The other-container case: the pid is unknown here, but the copy is being written."""
    recent = _copy_folder(tmp_path, _dead_pid(), "a1", idle=0)
    old_folder_new_file = _copy_folder(tmp_path, _dead_pid(), "b2", idle=3600)
    os.utime(old_folder_new_file / "compacted.ledger")  # the copy itself was just written
    stale = _copy_folder(tmp_path, _dead_pid(), "c3", idle=STALE_SECONDS + 60)
    idle_but_alive = _copy_folder(tmp_path, os.getppid(), "d4", idle=3600)

    removed = remove_stale_copies(tmp_path)

    assert removed == [stale] and not stale.exists()
    for kept in (recent, old_folder_new_file, idle_but_alive):
        assert (kept / "compacted.ledger").exists(), kept


def test_a_long_write_back_keeps_its_folder_fresh(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing the copy back only reads it; the folder's time is refreshed meanwhile."""
    monkeypatch.setattr(compact_module, "_HEARTBEAT_SECONDS", -1.0)  # at every step
    monkeypatch.setattr(compact_module, "_BACKUP_PAGES", 4)           # several steps
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    touched: list[str] = []
    real_utime = os.utime

    def spy(path: object, *args: object, **kwargs: object) -> None:
        touched.append(str(path))
        real_utime(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "utime", spy)
    compact(build_sample(tmp_path / "s.ledger"))
    assert touched and all(Path(p).name.startswith(f"ledger-compact-{os.getpid()}-")
                           for p in touched), touched
