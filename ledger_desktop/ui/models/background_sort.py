"""Sorting a grid's rows without holding the GUI thread.

A header click on a 60,000-row table used to compute every sort key and sort on the GUI
thread (about 0.3 s). Here a few thousand rows are still sorted at once; more are sorted in
a thread: keys in slices of rows, then sorted chunks of CHUNK rows, then a merge of the
chunks, consumed in slices.

Sharing Python's lock (the GIL) is the hard part. A repaint of the grid makes some 400 short
calls into Python (rowCount, columnCount, multiData...), and each must take the lock back
from a busy thread: about one switch interval (1 ms) per call, so a repaint while the thread
computed took 150-490 ms. Giving the lock back now and then (`sleep(0)`) does not help: the
thread takes it again before the repaint's next call. So the thread works for WORK seconds,
then sleeps PAUSE seconds, during which the GUI thread runs Python freely; and no single C
call (a `sorted()` of a chunk) runs longer than about a millisecond, as a C call never gives
the lock back.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from typing import Any

from PySide6.QtCore import QObject

from ..gui_delivery import DROPPED, expect

SYNC_LIMIT = 5000     # rows sorted on the GUI thread: a few ms
CHUNK = 1024          # rows per sorted() call: under a millisecond of Python's lock
KEY_SLICE = 256       # rows keyed between two looks at the clock
MERGE_SLICE = 1024    # merged rows between two looks at the clock
WORK = 0.002          # seconds the thread computes...
PAUSE = 0.002         # ...then sleeps, leaving Python's lock to the GUI thread


class Stale(Exception):
    """The order is no longer wanted (a newer sort, new rows): stop computing it."""


class Pacer:
    """Called between small steps of work: after WORK seconds of them, sleeps PAUSE seconds
    (the GUI thread's turn), and raises Stale once `stale()` says the result is unwanted."""

    def __init__(self, stale: Callable[[], bool] | None = None) -> None:
        self.stale = stale
        self.pauses = 0
        self._since = time.perf_counter()

    def __call__(self) -> None:
        if time.perf_counter() - self._since < WORK:
            return
        self.pause()
        if self.stale is not None and self.stale():
            raise Stale
        self._since = time.perf_counter()

    def pause(self) -> None:
        self.pauses += 1
        time.sleep(PAUSE)


def _never() -> None:
    return None


def sorted_order(keys: Sequence[Any], reverse: bool = False,
                 pace: Callable[[], None] = _never) -> list[int]:
    """Row numbers in the order of `keys`, as stable as `sorted()` (equal keys keep their
    order), built from sorted chunks merged; `pace()` is called between steps."""
    get = keys.__getitem__
    chunks = []
    for start in range(0, len(keys), CHUNK):
        chunks.append(sorted(range(start, min(len(keys), start + CHUNK)), key=get,
                             reverse=reverse))
        pace()
    if len(chunks) <= 1:
        return chunks[0] if chunks else []
    # heapq.merge takes equal keys from the earlier chunk first: the result stays stable.
    # It is a generator: consumed in slices, with a look at the clock between them.
    return _drain(heapq.merge(*chunks, key=get, reverse=reverse), pace)


def _drain(items: Iterator[int], pace: Callable[[], None]) -> list[int]:
    out: list[int] = []
    while True:
        before = len(out)
        out.extend(islice(items, MERGE_SLICE))
        if len(out) == before:
            return out
        pace()


def sort_keys(rows: Sequence[Any], key: Callable[[Any], Any],
              pace: Callable[[], None] = _never) -> list[Any]:
    """`key(row)` of every row, computed in slices of KEY_SLICE rows; keys of the form
    (rank, value) that share one rank (a column of numbers, of text...) become the bare
    values, which compare faster in the sort."""
    keys: list[Any] = []
    for start in range(0, len(rows), KEY_SLICE):
        keys.extend(map(key, rows[start:start + KEY_SLICE]))
        pace()
    if keys and type(keys[0]) is tuple and len(keys[0]) == 2:
        rank = keys[0][0]
        bare: list[Any] = []
        for start in range(0, len(keys), MERGE_SLICE):
            part = keys[start:start + MERGE_SLICE]
            if any(type(k) is not tuple or len(k) != 2 or k[0] != rank for k in part):
                return keys  # mixed kinds: the rank orders them
            bare.extend(k[1] for k in part)
            pace()
        return bare
    return keys


def release_in_thread(items: list[Any]) -> None:
    """Let go of a large list of rows away from the GUI thread. Freeing 60,000 documents is
    one long C call that holds Python's lock (90 ms when a refresh or a filter dropped a
    sorted grid's rows); here they are freed a slice at a time, with pauses. The caller must
    hold no other reference to `items`."""
    if len(items) <= SYNC_LIMIT:
        return
    threading.Thread(target=lambda: _free_in_slices(items, Pacer()), name="release-rows",
                     daemon=True).start()


def _free_in_slices(items: list[Any], pace: Callable[[], None]) -> None:
    while items:
        del items[-KEY_SLICE:]
        pace()


def sort_rows(owner: QObject, rows: Sequence[Any], key: Callable[[Any], Any], reverse: bool,
              deliver: Callable[[list[int] | None], None],
              stale: Callable[[], bool] | None = None) -> bool:
    """Compute the order of `rows` by `key(row)` and pass it to `deliver` on the GUI thread
    (None when a key failed). Returns True when it was delivered before returning (small
    inputs), False when a thread computes it; nothing is delivered once `owner` was deleted.
    `stale()` (read from the thread) True stops the thread early, and nothing is delivered.

    The thread runs `key` and `stale`: they must hold no Qt object (a model's `self`), or the
    thread could end up destroying it. Pass plain values (a field spec, `Event.is_set`)."""
    if len(rows) <= SYNC_LIMIT:
        deliver(_order_or_none(rows, key, reverse))
        return True
    report = expect(owner, deliver)
    snapshot = list(rows)

    def work() -> None:
        pace = Pacer(stale)
        try:
            order: Any = _order_or_none(snapshot, key, reverse, pace)
        except Stale:
            order = DROPPED
        report(order)  # always once: the GUI thread forgets the job then
        # Rows the model dropped meanwhile (a refresh) have their last references here:
        # freed in slices too, not in one long C call.
        pace.stale = None
        _free_in_slices(snapshot, pace)

    threading.Thread(target=work, name="sort-rows", daemon=True).start()
    return False


def _order_or_none(rows: Sequence[Any], key: Callable[[Any], Any], reverse: bool,
                   pace: Callable[[], None] = _never) -> list[int] | None:
    try:
        return sorted_order(sort_keys(rows, key, pace), reverse, pace)
    except Stale:
        raise
    except Exception:  # a value with no order: the rows stay as they are
        return None
