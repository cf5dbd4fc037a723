"""Results of plain Python threads handed to the GUI thread through one relay.

A thread that held a model or a per-job QObject could drop the last reference to it and
destroy it away from the GUI thread, and a per-job relay could be deleted by the GUI thread
while the thread emitted. So there is one relay for the whole run, made on the GUI thread;
threads emit through it a job number and a plain value, and hold no other Qt object. Used by
the grid's background sorts (models/background_sort.py) and the Ion text writer
(ion_text_job.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from shiboken6 import Shiboken

#: a thread's result when there is nothing to deliver (stopped, superseded)
DROPPED = object()


class _Relay(QObject):
    done = Signal(int, object)   # (job number, result or DROPPED)


_relay: _Relay | None = None
#: job number -> (owner, deliver); read and written on the GUI thread only
_waiting: dict[int, tuple[QObject, Callable[[Any], None]]] = {}
_numbers = itertools.count(1)


def _the_relay() -> _Relay:
    global _relay
    if _relay is None:
        _relay = _Relay()
        _relay.done.connect(_arrived, Qt.ConnectionType.QueuedConnection)
    return _relay


def _arrived(number: int, result: Any) -> None:
    owner, deliver = _waiting.pop(number)
    if result is not DROPPED and Shiboken.isValid(owner):
        deliver(result)


def expect(owner: QObject, deliver: Callable[[Any], None]) -> Callable[[Any], None]:
    """Call on the GUI thread before starting the thread. Returns the function the thread
    calls exactly once with its result (or DROPPED): `deliver(result)` then runs on the GUI
    thread, unless `owner` was deleted first."""
    _the_relay()
    number = next(_numbers)
    _waiting[number] = (owner, deliver)
    return lambda result: _emit(number, result)


def _emit(number: int, result: Any) -> None:
    """From the thread. The relay is looked up, not captured: a thread's closures reach no Qt
    object (tests/ui/test_gc_thread.py checks that)."""
    assert _relay is not None  # made by expect() before the thread started
    _relay.done.emit(number, result)
