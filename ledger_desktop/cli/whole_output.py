"""Standard output that is written whole or fails loudly.

When the disk fills part-way through one large write (`ledger query … > out.json`), Python's
buffered writer returns a short count instead of raising, and the text layer above it (and
click) ignores the count: the file was cut short and the command exited 0. Here every write
to the file descriptor is repeated until all of it is written, so the write that finds no
room raises ENOSPC (or EFBIG past `ulimit -f`), named as standard output, and the command
fails with exit 2 (docs/reliability.md 71).
"""

from __future__ import annotations

import io
import os
import sys
from typing import Any

STDOUT_NAME = "standard output"


class _WholeWrites(io.FileIO):
    """A file descriptor whose `write` returns only when every byte is written."""

    def write(self, b: Any) -> int:
        view = memoryview(b).cast("B")
        done = 0
        try:
            while done < len(view):
                n = super().write(view[done:])
                if n is None:  # non-blocking and full: wait by trying again
                    continue
                done += n
        except OSError as e:  # same errno, so EPIPE stays a BrokenPipeError
            raise OSError(e.errno, e.strerror, STDOUT_NAME) from None
        return done


def guard_stdout() -> None:
    """Put the process's real standard output behind `_WholeWrites` when it is a file or a
    pipe, keeping its encoding, error handler and line buffering. Left alone for a terminal,
    when something else (a test runner) has replaced sys.stdout, or when it has no file
    descriptor."""
    out = sys.stdout
    if out is None or out is not sys.__stdout__ or not isinstance(out, io.TextIOWrapper):
        return
    try:
        fd = out.fileno()
        if out.isatty():  # a terminal does not fill up; on Windows its raw layer is Unicode
            return
    except (OSError, ValueError):
        return
    out.flush()
    raw = _WholeWrites(fd, "w", closefd=False)
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(raw), encoding=out.encoding,
                                  errors=out.errors, line_buffering=out.line_buffering,
                                  write_through=out.write_through)


def settle_stdout() -> OSError | None:
    """Flush standard output; when that fails, send what is left nowhere (so the flush at exit
    does not fail again, printing "Exception ignored") and return the error."""
    try:
        sys.stdout.flush()
    except OSError as e:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)
        try:
            sys.stdout.flush()
        except OSError:
            pass
        return e
    except ValueError:  # closed
        return None
    return None
