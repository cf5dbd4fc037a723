"""A killed `compact` left its full-size copy in the temporary folder for good; the next compact
removes such folders once their process is gone (crash probe, finding 7)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from ledger_desktop.engine.compact import compact
from ledger_desktop.engine.sample import build_sample


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()  # reaped: no process has this id now
    return proc.pid


def _leftover(root: Path, name: str, idle: float = 3600) -> Path:
    """A compaction's folder, untouched for `idle` seconds (one written in the last 15
    minutes is kept even when its process looks gone: tests/engine/test_stale_leftovers.py)."""
    folder = root / name
    folder.mkdir()
    (folder / "compacted.ledger").write_bytes(b"\0" * 4096)
    for p in (folder / "compacted.ledger", folder):
        os.utime(p, (time.time() - idle,) * 2)
    return folder


@pytest.mark.skipif(os.name != "posix", reason="process ids are checked on POSIX only")
def test_compact_removes_copies_of_killed_compactions_only(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    temp_root = tmp_path / "tmp"
    temp_root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp_root))
    stale = _leftover(temp_root, f"ledger-compact-{_dead_pid()}-abc123")
    live = _leftover(temp_root, f"ledger-compact-{os.getppid()}-def456")  # a running one
    own = _leftover(temp_root, f"ledger-compact-{os.getpid()}-ghi789")
    older = _leftover(temp_root, "ledger-compact-x1y2z3")  # no pid in the name: unknown owner
    other = _leftover(temp_root, "unrelated-12-folder")

    seen: set[str] = set()

    def progress(_done: int, _total: int) -> None:
        seen.update(p.name for p in temp_root.iterdir())

    ledger = build_sample(tmp_path / "s.ledger")
    compact(ledger, progress=progress)

    assert not stale.exists()
    for kept in (live, own, older, other):
        assert (kept / "compacted.ledger").exists(), kept
    # This compaction's own folder carried its pid, and is gone afterwards.
    mine = seen - {live.name, own.name, older.name, other.name, stale.name}
    assert mine and all(n.startswith(f"ledger-compact-{os.getpid()}-") for n in mine), seen
    assert sorted(p.name for p in temp_root.iterdir()) == sorted(
        [live.name, own.name, older.name, other.name])
