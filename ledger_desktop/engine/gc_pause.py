"""Pausing Python's cyclic garbage collector during bulk passes, safely across threads.

Streaming blocks allocates millions of short-lived objects that reference counting frees on
its own (no cycles are made); the collector's generation-0 passes over them cost 10-30% of an
export or verification. The collector's switch is process-wide, so pauses are counted: it is
switched back on when the last pause ends, and only if it was on when the first began and
nobody has since asked for it to stay off (`keep_off`: the desktop app collects on its GUI
thread only, see ui/gc_pacing.py).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_restore = False      # the collector was on when the outermost pause began
_kept_off = False


def keep_off() -> None:
    """Switch automatic collections off for the rest of the process."""
    global _kept_off
    with _lock:
        _kept_off = True
        gc.disable()


@contextmanager
def paused_gc() -> Iterator[None]:
    """No automatic collections while the block runs (in this thread or any other)."""
    global _pauses, _restore
    with _lock:
        if _pauses == 0:
            _restore = gc.isenabled()
        _pauses += 1
        gc.disable()
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _restore and not _kept_off:
                gc.enable()
