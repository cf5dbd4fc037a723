"""Compacting a ledger file: SQLite's VACUUM, with progress, Cancel and a check of the result.

A ledger only grows, one commit at a time, so the pages of each B-tree end up interleaved
through the file. Read from disk (the file not in the OS page cache), chain-only verification
then reads the `blocks_chain` index with random I/O: 147,500 blocks/s on a 1,000,000-block
bench ledger, against 458,300 once compacted (bench/bench_engine.py prints both). VACUUM
rewrites each B-tree contiguously. Nothing in the journal changes: the same rows, the same
hashes, the same digest, which is checked before and after.

VACUUM runs as one SQLite write transaction through the WAL: a crash, a full disk or Cancel
rolls it back and leaves the file as it was. It works in two phases: it builds the compacted
copy in a temporary file (SQLite's temp directory), then writes it back through the WAL, which
temporarily grows to about the size of the file; that much free space is required beside the
file up front. Other connections keep reading their snapshot meanwhile; writers wait for the
write lock (busy timeout), as for any commit.

SQLite calls back (and can be interrupted) only during the first phase, about 30% of the time
on the bench ledger, so Cancel has no effect once the copy is being written back. Progress is
estimated: in the first phase from the virtual machine instructions SQLite runs, in the second
from the WAL's growth, read by a helper thread that makes the progress calls (every 0.2 s,
from that thread).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .cancel import CancelToken, Progress
from .errors import Cancelled, IntegrityError, StorageError, UserError
from .ledger import Ledger

# SQLite calls the progress handler every this many virtual machine instructions: often
# enough for Cancel to act within a fraction of a second, rarely enough to cost nothing.
_HANDLER_STEPS = 50_000
# Calibrated on the 1,000,000-block bench ledger through this function: VACUUM's first phase
# ran about 19 instructions a page and took about 30% of the time (5.5 of 17.7 s).
_OPS_PER_PAGE = 19
_FIRST_PHASE = 300    # of 1000


@dataclass
class CompactResult:
    bytes_before: int
    bytes_after: int
    seconds: float


def _file_bytes(path: Path) -> int:
    return path.stat().st_size


def _check_space(folder: Path, wal_bytes: int, temp: Path, temp_bytes: int) -> None:
    """Enough free space for the WAL beside the file and SQLite's temporary copy (in the
    temporary folder SQLite picks, usually the one Python's tempfile picks); both on one
    file system need the sum. A shortfall found later is a full disk, and rolls back."""
    need: dict[int, tuple[int, Path]] = {}
    for where, n in ((folder, wal_bytes), (temp, temp_bytes)):
        try:
            dev = where.stat().st_dev
        except OSError:
            continue
        total, _ = need.get(dev, (0, where))
        need[dev] = (total + n + (32 << 20), where)
    for total, where in need.values():
        free = shutil.disk_usage(where).free
        if free < total:
            raise UserError(f"compacting needs about {total / 2**20:,.0f} MiB free on the disk "
                            f"of {where} (SQLite's write-ahead log and temporary copy); "
                            f"{free / 2**20:,.0f} MiB are free")


def _truncate_wal(conn: sqlite3.Connection) -> None:
    """Checkpoint and empty the WAL if no reader holds an older snapshot; otherwise leave it to
    a later checkpoint. With the busy timeout (30 s) a TRUNCATE checkpoint waits that long for
    such a reader (the app running a long query) and then gives up anyway."""
    timeout = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    conn.execute("PRAGMA busy_timeout=0")
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    except sqlite3.Error:
        pass
    finally:
        conn.execute(f"PRAGMA busy_timeout={int(timeout)}")


def compact(path: str | os.PathLike[str], progress: Progress | None = None,
            cancel: CancelToken | None = None) -> CompactResult:
    """Rewrite the ledger file at `path` with each table and index stored contiguously.

    `progress(done, 1000)` is an estimate, called from a helper thread, then (1000, 1000) from
    this one at the end; `cancel` stops it during the first phase, leaving the file as it was
    (raises `Cancelled`).
    """
    path = Path(path)
    with Ledger.open(path) as ledger:  # refuses what is not a writable ledger; migrates
        conn = ledger._conn
        before = ledger.digest() if ledger.block_count() else None
        count = ledger.block_count()
        page_size, pages = (conn.execute("PRAGMA page_size").fetchone()[0],
                            conn.execute("PRAGMA page_count").fetchone()[0])
        _check_space(path.resolve().parent, pages * (page_size + 24),
                     Path(tempfile.gettempdir()), pages * page_size)
        _truncate_wal(conn)  # start from an empty WAL
        size0 = _file_bytes(path)
        t0 = time.perf_counter()
        stopped = False
        calls = 0
        expected_calls = max(1, pages * _OPS_PER_PAGE // _HANDLER_STEPS)
        wal, wal_expected = Path(f"{path}-wal"), max(1, pages * (page_size + 24))
        finished = threading.Event()

        def handler() -> int:
            nonlocal stopped, calls
            if cancel is not None and cancel.cancelled:
                stopped = True
                return 1  # SQLite interrupts VACUUM, which rolls back
            calls += 1
            return 0

        def report() -> None:  # thousandths: the first phase up to _FIRST_PHASE, then the WAL
            shown = 0
            while not finished.wait(0.2):
                try:
                    written = wal.stat().st_size
                except OSError:
                    written = 0
                done = min(calls * _FIRST_PHASE // expected_calls, _FIRST_PHASE)
                if written:
                    done = max(done, _FIRST_PHASE + (1000 - _FIRST_PHASE) * written
                               // wal_expected)
                done = min(done, 999)
                if done > shown:
                    shown = done
                    progress(done, 1000)

        reporter = threading.Thread(target=report, name="compact progress", daemon=True)
        if progress is not None:
            reporter.start()
        conn.set_progress_handler(handler, _HANDLER_STEPS)
        try:
            conn.execute("VACUUM")
        except sqlite3.OperationalError as e:
            if stopped:
                raise Cancelled("compaction cancelled; the file is unchanged") from None
            raise StorageError(f"{path}: compaction failed and was rolled back: {e}") from None
        finally:
            finished.set()
            if reporter.is_alive():
                reporter.join()
            conn.set_progress_handler(None, 0)
            _truncate_wal(conn)  # give the WAL's space back, whatever happened
        if progress is not None:
            progress(1000, 1000)
        seconds = time.perf_counter() - t0
        ledger._commit_cache.clear()
        after = ledger.digest() if ledger.block_count() else None
        if ledger.block_count() != count or (
                before is not None and after is not None and after.digest != before.digest):
            raise IntegrityError(f"{path}: the digest changed during compaction; verify the "
                                 "ledger")
    return CompactResult(size0, _file_bytes(path), seconds)
