"""Cooperative cancellation and progress for long engine operations (no Qt)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from .errors import Cancelled

#: progress(done, total); total may be 0 when unknown.
Progress = Callable[[int, int], None]


class CancelToken:
    """Set from any thread; long operations call `check()` between units of work."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled("cancelled")


def no_progress(done: int, total: int) -> None:
    """Default progress callback."""
