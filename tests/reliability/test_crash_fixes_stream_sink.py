"""A write error in `FileSink.send` (a full disk) leaves the stream file as it was before the
batch, and the error names the file (crash probe, finding 3)."""

from __future__ import annotations

import builtins
import errno
import os
from pathlib import Path
from typing import Any

import pytest

from ledger_desktop.engine import stream_sinks
from ledger_desktop.engine.stream_sinks import FileSink, iter_file_records
from ledger_desktop.engine.streams import encode_record


class _Disk:
    """How many more bytes fit (None: no limit), and what a write beyond them raises."""

    room: int | None = None
    error: BaseException = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class _FillingFile:
    """A real file on a disk that fills up: a write takes what fits, then ENOSPC (as write(2)
    does), so a batch can be cut off in the middle of a record."""

    def __init__(self, f: Any, disk: _Disk) -> None:
        self._f = f
        self._disk = disk

    def write(self, data: Any) -> int:
        room = self._disk.room
        if room is None:
            return self._f.write(data)
        if room == 0:
            raise self._disk.error
        n = self._f.write(bytes(data[:room]))
        self._disk.room = room - n
        return n

    def __getattr__(self, name: str) -> Any:
        return getattr(self._f, name)


@pytest.fixture()
def disk(monkeypatch: pytest.MonkeyPatch) -> _Disk:
    d = _Disk()

    def filling_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        f = builtins.open(file, mode, *args, **kwargs)  # noqa: SIM115 - returned open
        return _FillingFile(f, d) if "a" in mode else f  # the sink's appends, not reads

    monkeypatch.setattr(stream_sinks, "open", filling_open, raising=False)
    return d


def _batch(fmt: str, first: int, n: int) -> list[tuple[bytes, str]]:
    return [(encode_record({"n": i, "text": "x" * 50}, fmt), "key") for i in
            range(first, first + n)]


def _numbers(folder: Path) -> list[int]:
    return [int(r["n"]) for r in iter_file_records(folder)]


@pytest.mark.parametrize("fmt", ["json", "ion_binary"])
def test_a_full_disk_leaves_no_torn_record(tmp_path: Path, disk: _Disk, fmt: str) -> None:
    sink = FileSink(tmp_path, "sid", fmt)
    sink.send(_batch(fmt, 0, 3))
    (path,) = sink.files()
    before = path.read_bytes()
    disk.room = 100  # the next batch is cut off inside its second record
    with pytest.raises(OSError) as err:
        sink.send(_batch(fmt, 3, 5))
    assert err.value.errno == errno.ENOSPC
    assert err.value.filename == str(path)
    assert path.read_bytes() == before  # no torn tail
    assert _numbers(tmp_path) == [0, 1, 2]
    # The disk has room again: the same sink resends the batch (the checkpoint did not move).
    disk.room = None
    sink.send(_batch(fmt, 3, 5))
    sink.close()
    # A later run starts a new file; every file still reads back, the first to its end.
    resumed = FileSink(tmp_path, "sid", fmt)
    resumed.send(_batch(fmt, 8, 2))
    resumed.close()
    assert len(resumed.files()) == 2
    assert _numbers(tmp_path) == list(range(10))


def test_a_failed_fsync_takes_the_batch_back(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    sink = FileSink(tmp_path, "sid", "json")
    sink.send(_batch("json", 0, 2))
    (path,) = sink.files()
    before = path.read_bytes()
    real_fsync = os.fsync
    calls = [0]

    def failing_fsync(fd: int) -> None:
        calls[0] += 1
        if calls[0] == 1:  # the batch's own fsync
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_fsync(fd)

    monkeypatch.setattr(stream_sinks.os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="taken back") as err:
        sink.send(_batch("json", 2, 2))
    assert err.value.filename == str(path)
    assert path.read_bytes() == before


def test_a_first_batch_that_fails_leaves_no_file(tmp_path: Path, disk: _Disk) -> None:
    sink = FileSink(tmp_path, "sid", "json")
    disk.room = 10
    with pytest.raises(OSError):
        sink.send(_batch("json", 0, 2))
    assert sink.files() == []
    disk.room = None
    sink.send(_batch("json", 0, 2))
    sink.close()
    assert _numbers(tmp_path) == [0, 1]


def test_an_interrupt_mid_write_takes_the_batch_back(tmp_path: Path, disk: _Disk) -> None:
    """A second Ctrl-C (or SIGTERM) interrupts at once, possibly inside a write."""
    sink = FileSink(tmp_path, "sid", "ion_binary")
    sink.send(_batch("ion_binary", 0, 2))
    (path,) = sink.files()
    before = path.read_bytes()
    disk.room, disk.error = 30, KeyboardInterrupt()
    with pytest.raises(KeyboardInterrupt):
        sink.send(_batch("ion_binary", 2, 3))
    assert path.read_bytes() == before
    assert _numbers(tmp_path) == [0, 1]
