"""One allocator setting for processes that commit: glibc's `M_TOP_PAD` raised to 1 MiB.

Every commit frees the memory SQLite used for its statements and WAL write, which leaves a
free block at the top of the heap; glibc returns it to the system (`brk`) and the very next
allocations (amazon.ion writing the next document, Python objects) take it back page by page,
each page a fault the kernel zero-fills. bench/bench_commit_parts.py measures amazon.ion
writing a small document right after each SQLite commit: 24-25 us with glibc's defaults, 7 us
with the pad, 5-6 us with no SQLite work in between.

The pad is at most 1 MiB of memory kept by the process. Only glibc has `mallopt`; elsewhere
this does nothing. `LEDGER_DESKTOP_NO_MALLOPT=1` turns it off.
"""

from __future__ import annotations

import ctypes
import os
import sys

_M_TOP_PAD = -2
TOP_PAD_BYTES = 1 << 20
_done = False


def tune_allocator() -> bool:
    """Apply the setting once per process; True when it is in effect."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux") or os.environ.get("LEDGER_DESKTOP_NO_MALLOPT"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the process already uses
    except (OSError, AttributeError):  # musl and others have no mallopt
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    _done = mallopt(_M_TOP_PAD, TOP_PAD_BYTES) == 1
    return _done
