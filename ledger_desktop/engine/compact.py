"""Compacting a ledger file: SQLite's VACUUM INTO and backup, with progress, Cancel and a check.

A ledger only grows, one commit at a time, so the pages of each B-tree end up interleaved
through the file. Read from disk (the file not in the OS page cache), chain-only verification
then reads the `blocks_chain` index with random I/O: 147,500 blocks/s on a 1,000,000-block
bench ledger, against 458,300 once compacted (bench/bench_engine.py prints both). Compacting
rewrites each B-tree contiguously. Nothing in the journal changes: the same rows, the same
hashes, the same digest, which is checked before and after.

Two phases, both cancellable:

1. `VACUUM INTO` writes a compacted copy to a temporary file (Python's temporary folder),
   reading the ledger as one snapshot. SQLite calls back every few thousand instructions;
   progress is the copy's size against the file's.
2. SQLite's online backup copies it back over the ledger, a few thousand pages a step, as one
   write transaction through the WAL (which temporarily grows to about the size of the file).
   Cancel between steps rolls it back; so do a crash and a full disk.

SQLite's plain VACUUM does the same in one statement, but cannot be interrupted in its second
phase, the longer one. Other connections keep reading their snapshot meanwhile; a
commit made by another connection between the two phases would be overwritten by the older
copy, so once the backup holds the write lock it checks that nothing was committed since the
copy began, and otherwise rolls back and starts again.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .cancel import CancelToken, Progress
from .errors import Cancelled, IntegrityError, StorageError, UserError
from .ledger import Ledger
from .new_file import abandoned

# SQLite calls the progress handler every this many virtual machine instructions: often
# enough for Cancel to act within a fraction of a second, rarely enough to cost nothing.
_HANDLER_STEPS = 50_000
# Pages the backup copies a step: Cancel acts between steps (a few ms each).
_BACKUP_PAGES = 4096
# The copy's share of the time, of 1000, for the progress estimate (timed once by hand on the
# 1,000,000-block bench ledger: the copy is roughly the first quarter of the work).
_FIRST_PHASE = 300
# Tries when other connections keep committing while the copy is made.
_ATTEMPTS = 3


# The temporary folder of a compaction: `ledger-compact-<pid>-<random>`. A killed compact
# leaves it, with a copy as large as the ledger; the next compact removes it once that process
# is gone and nothing has written in it for a while (new_file.abandoned).
_TEMP_PREFIX = "ledger-compact-"
# Writing the copy back only reads it, so its folder's time is refreshed this often meanwhile
# (well within new_file.STALE_SECONDS): a long write-back must not look idle to another
# compaction.
_HEARTBEAT_SECONDS = 60.0
_TEMP_NAME = re.compile(re.escape(_TEMP_PREFIX) + r"(\d+)-[^-]+$")


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


def remove_stale_copies(temp_root: Path) -> list[Path]:
    """Remove the temporary folders of compactions whose process no longer exists (killed)
    and that nothing has written for new_file.STALE_SECONDS; folders of running compactions
    (also those in another PID namespace, whose process only looks gone), of other users and
    of older versions (no pid in the name) are left alone. Returns the folders removed."""
    removed: list[Path] = []
    if os.name != "posix":  # os.kill(pid, 0) would terminate the process on Windows
        return removed
    try:
        entries = list(os.scandir(temp_root))
    except OSError:
        return removed
    for entry in entries:
        m = _TEMP_NAME.match(entry.name)
        if m is None or int(m.group(1)) == os.getpid():
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if not entry.is_dir(follow_symlinks=False) or st.st_uid != os.getuid():
                continue
        except OSError:
            continue
        if abandoned(int(m.group(1)), _folder_and_files(entry.path)):
            shutil.rmtree(entry.path, ignore_errors=True)
            if not os.path.lexists(entry.path):
                removed.append(Path(entry.path))
    return removed


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


def _folder_and_files(folder: str) -> list[Path]:
    """A temporary folder and the files in it: writing the copy changes the file's time,
    not the folder's."""
    try:
        return [Path(folder), *(Path(e.path) for e in os.scandir(folder))]
    except OSError:
        return [Path(folder)]


def compact(path: str | os.PathLike[str], progress: Progress | None = None,
            cancel: CancelToken | None = None) -> CompactResult:
    """Rewrite the ledger file at `path` with each table and index stored contiguously.

    `progress(done, 1000)` is an estimate, called from this thread; `cancel` stops it at any
    point, leaving the file as it was (raises `Cancelled`).
    """
    path = Path(path)
    with Ledger.open(path) as ledger:  # refuses what is not a writable ledger; migrates
        conn = ledger._conn
        before = ledger.digest() if ledger.block_count() else None
        count = ledger.block_count()
        page_size, pages = (conn.execute("PRAGMA page_size").fetchone()[0],
                            conn.execute("PRAGMA page_count").fetchone()[0])
        temp_root = Path(tempfile.gettempdir())
        remove_stale_copies(temp_root)  # before the space check: they may be what fills it
        _check_space(path.resolve().parent, pages * (page_size + 24), temp_root,
                     pages * page_size)
        _truncate_wal(conn)  # start from an empty WAL
        size0 = _file_bytes(path)
        t0 = time.perf_counter()
        shown = [0]

        def show(done: int) -> None:  # thousandths, never backwards
            if progress is not None and done > shown[0]:
                shown[0] = done
                progress(done, 1000)

        # Another connection sees every commit made by anyone else as a new data_version.
        watcher = sqlite3.connect(path, isolation_level=None, timeout=30)
        try:
            for _attempt in range(_ATTEMPTS):
                with tempfile.TemporaryDirectory(prefix=f"{_TEMP_PREFIX}{os.getpid()}-",
                                                 dir=temp_root) as tmp:
                    copy = Path(tmp) / "compacted.ledger"
                    version = watcher.execute("PRAGMA data_version").fetchone()[0]
                    _copy_compacted(conn, path, copy, pages * page_size, show, cancel)
                    if _write_back(conn, path, copy, watcher, version, show, cancel):
                        break
            else:
                raise StorageError(f"{path}: other programs kept committing to the ledger; "
                                   "compact it when they are done")
        finally:
            watcher.close()
            _truncate_wal(conn)  # give the WAL's space back, whatever happened
        show(1000)
        seconds = time.perf_counter() - t0
        ledger._commit_cache.clear()
        after = ledger.digest() if ledger.block_count() else None
        if ledger.block_count() < count or (
                before is not None and after is not None and count == ledger.block_count()
                and after.digest != before.digest):
            raise IntegrityError(f"{path}: the digest changed during compaction; verify the "
                                 "ledger")
    return CompactResult(size0, _file_bytes(path), seconds)


def _copy_compacted(conn: sqlite3.Connection, path: Path, copy: Path, expected: int,
                    show: Callable[[int], None], cancel: CancelToken | None) -> None:
    """Phase 1: VACUUM INTO `copy`; progress from the copy's growth."""
    stopped = False
    last = time.monotonic()

    def handler() -> int:
        nonlocal stopped, last
        if cancel is not None and cancel.cancelled:
            stopped = True
            return 1  # SQLite interrupts the statement; the ledger was only read
        now = time.monotonic()
        if now - last > 0.1:
            last = now
            try:
                written = copy.stat().st_size
            except OSError:
                written = 0
            show(min(_FIRST_PHASE * written // max(expected, 1), _FIRST_PHASE - 1))
        return 0

    conn.set_progress_handler(handler, _HANDLER_STEPS)
    try:
        conn.execute("VACUUM INTO ?", (str(copy),))
    except sqlite3.OperationalError as e:
        if stopped:
            raise Cancelled("compaction cancelled; the file is unchanged") from None
        raise StorageError(f"{path}: compaction failed, the file is unchanged: {e}") from None
    finally:
        conn.set_progress_handler(None, 0)


class _Changed(Exception):
    """Another connection committed after the copy began: start again."""


def _write_back(conn: sqlite3.Connection, path: Path, copy: Path, watcher: sqlite3.Connection,
                version: int, show: Callable[[int], None], cancel: CancelToken | None) -> bool:
    """Phase 2: back up `copy` over the ledger, a step at a time, as one write transaction.
    Returns False (nothing written) when the ledger changed after the copy began."""
    src = sqlite3.connect(f"{copy.as_uri()}?mode=ro", uri=True)
    try:
        total = src.execute("PRAGMA page_count").fetchone()[0]
        # Smaller than the whole copy, so the first step holds the ledger's write lock without
        # committing: the moment to check that nothing was committed since the copy began.
        step = max(1, min(_BACKUP_PAGES, (total - 1) // 2))
        checked = False
        beat = time.monotonic()

        def on_step(status: int, remaining: int, pages: int) -> None:
            nonlocal checked, beat
            if cancel is not None and cancel.cancelled:
                raise Cancelled("compaction cancelled; the file is unchanged")
            if time.monotonic() - beat > _HEARTBEAT_SECONDS:
                beat = time.monotonic()
                try:
                    os.utime(copy.parent)  # still in use (remove_stale_copies)
                except OSError:
                    pass
            if status != sqlite3.SQLITE_OK:
                return  # busy: another connection holds the write lock; the backup waits
            if not checked:
                checked = True
                if watcher.execute("PRAGMA data_version").fetchone()[0] != version:
                    raise _Changed
            show(_FIRST_PHASE + (1000 - _FIRST_PHASE) * (pages - remaining) // max(pages, 1))

        try:
            src.backup(conn, pages=step, progress=on_step, sleep=0.05)
        except _Changed:
            return False
        except sqlite3.Error as e:
            raise StorageError(f"{path}: compaction failed and was rolled back: {e}") from None
        return True
    finally:
        src.close()
