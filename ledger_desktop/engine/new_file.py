"""Building a new ledger file so that it appears whole or not at all.

`ledger init`, `ledger sample` and `import-journal` used to create the file at its final name
and fill it in several steps; a process killed part-way (kill -9, a power cut) left a file
there: an imported ledger's metadata with no block, which verified and took commits under the
source's strand id, or a sample of 6 blocks. Now the file is built under a hidden name beside
the target (`.NAME.building-PID-XXXX`) and given its name only when complete. A build that
was killed leaves only the hidden file, which the next build of the same name removes.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import LedgerError, UserError

_SIDE_FILES = ("", "-wal", "-shm", "-journal")


def remove_with_side_files(path: Path) -> None:
    for suffix in _SIDE_FILES:
        try:
            Path(f"{path}{suffix}").unlink()
        except OSError:
            pass


def process_gone(pid: int) -> bool:
    """True only when no process `pid` exists; anything uncertain counts as alive. (POSIX:
    on Windows, os.kill(pid, 0) would end the process.)"""
    if os.name != "posix":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # EPERM: it exists, another user's
        return False
    return False


#: A leftover (a build's hidden file, a compaction's temporary copy) is removed only once
#: nothing has written it for this long as well as its process being gone: a process id
#: alone can mislead, since one in another PID namespace (a container or host sharing the
#: folder) looks gone while it runs.
STALE_SECONDS = 15 * 60


def idle_seconds(paths: Iterable[Path]) -> float:
    """Seconds since any of `paths` (those that exist) was last written; 0 if none exists."""
    times = []
    for p in paths:
        try:
            times.append(p.stat().st_mtime)
        except OSError:
            pass
    return time.time() - max(times) if times else 0.0


def abandoned(pid: int, paths: Iterable[Path]) -> bool:
    """True when process `pid` is gone and none of `paths` was written for STALE_SECONDS:
    the files of a killed process, safe to remove."""
    return idle_seconds(paths) > STALE_SECONDS and process_gone(pid)


def _hidden_prefix(target: Path) -> str:
    # Cut so the hidden name stays within the usual 255-byte limit on a file name.
    return f".{target.name[:150]}.building-"


def _remove_stale_builds(target: Path) -> None:
    """Hidden files of earlier builds of `target` whose process is gone and which nothing
    has written for a while."""
    prefix = _hidden_prefix(target)
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return
    for p in entries:
        name = p.name
        if not name.startswith(prefix) or any(name.endswith(s) for s in _SIDE_FILES[1:]):
            continue
        pid_text = name[len(prefix):].split("-", 1)[0]
        if pid_text.isdigit() and abandoned(int(pid_text), (p, Path(f"{p}-wal"))):
            remove_with_side_files(p)


#: The name of a ledger whose file name gives none (`" .ledger"`).
FALLBACK_LEDGER_NAME = "ledger"


def default_ledger_name(path: str | os.PathLike[str]) -> str:
    """A new ledger's name when none is given: its file name without the extension, on one
    line, never blank (a name of spaces looked empty in every list and title)."""
    return " ".join(Path(path).stem.split()) or FALLBACK_LEDGER_NAME


def check_new(target: Path) -> None:
    if os.path.lexists(target):  # a link to nowhere too: the link would be replaced
        raise UserError(f"{target}: already exists; refusing to overwrite it")
    if not target.parent.is_dir():
        raise UserError(f"{target.parent}: no such folder")


@contextmanager
def built_whole(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a hidden path beside `target` to build a new SQLite file at. When the block ends
    normally, the file (closed by then, its WAL checkpointed away) takes `target`'s name; a
    file that appeared at `target` meanwhile is not replaced. On an exception nothing stays."""
    target = Path(target)
    check_new(target)
    _remove_stale_builds(target)
    tmp = target.parent / f"{_hidden_prefix(target)}{os.getpid()}-{secrets.token_hex(4)}"
    try:
        try:
            yield tmp
        except LedgerError as e:  # name the user's file, not the hidden one
            e.args = tuple(a.replace(str(tmp), str(target)) if isinstance(a, str) else a
                           for a in e.args)
            raise
        wal = Path(f"{tmp}-wal")
        if wal.exists() and wal.stat().st_size > 0:  # its last commits are not in the file yet
            raise RuntimeError(f"{tmp}: still open when its build ended")
        try:
            os.link(tmp, target)  # fails if target exists: never replaces another file
        except FileExistsError:
            raise UserError(f"{target}: already exists (it appeared while the new ledger was "
                            "built); refusing to overwrite it") from None
        except OSError:  # a file system without hard links (FAT, some network shares)
            if target.exists():
                raise UserError(f"{target}: already exists; refusing to overwrite it") from None
            os.replace(tmp, target)
    finally:
        remove_with_side_files(tmp)
