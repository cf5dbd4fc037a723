"""Sorting a grid's rows without holding the GUI thread.

A header click on a 60,000-row table used to compute every sort key and sort on the GUI
thread (about 0.3 s). Here a few thousand rows are still sorted at once; more are sorted in
a thread: keys first, then chunks of CHUNK rows, then a merge of the chunks. One `sorted()`
call over every row would hold Python's lock for its whole run (40-130 ms for 60,000-200,000
keys), while the chunks and the merge give it back to the GUI thread between steps.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, Signal

SYNC_LIMIT = 5000   # rows sorted on the GUI thread: a few ms
CHUNK = 4096        # rows per sorted() call in the thread: a few ms of Python's lock each


def sorted_order(keys: Sequence[Any], reverse: bool = False) -> list[int]:
    """Row numbers in the order of `keys`, as stable as `sorted()` (equal keys keep their
    order), built from sorted chunks merged."""
    get = keys.__getitem__
    chunks = [sorted(range(start, min(len(keys), start + CHUNK)), key=get, reverse=reverse)
              for start in range(0, len(keys), CHUNK)]
    if len(chunks) <= 1:
        return chunks[0] if chunks else []
    # heapq.merge takes equal keys from the earlier chunk first: the result stays stable.
    return list(heapq.merge(*chunks, key=get, reverse=reverse))


class _Relay(QObject):
    done = Signal(object)


def sort_rows(owner: QObject, rows: Sequence[Any], key: Callable[[Any], Any], reverse: bool,
              deliver: Callable[[list[int] | None], None]) -> bool:
    """Compute the order of `rows` by `key(row)` and pass it to `deliver` on the GUI thread
    (None when a key failed). Returns True when it was delivered before returning (small
    inputs), False when a thread computes it; `owner` must outlive the thread's result or
    the result is dropped with it."""
    if len(rows) <= SYNC_LIMIT:
        deliver(_order_or_none(rows, key, reverse))
        return True
    relay = _Relay(owner)  # created on the GUI thread: the signal is delivered there

    def arrived(order: list[int] | None) -> None:
        relay.deleteLater()
        deliver(order)

    relay.done.connect(arrived)
    snapshot = list(rows)

    def work() -> None:
        order = _order_or_none(snapshot, key, reverse)
        try:
            relay.done.emit(order)
        except RuntimeError:  # the owner (and its relay) was deleted meanwhile
            pass

    threading.Thread(target=work, name="sort-rows", daemon=True).start()
    return False


def _order_or_none(rows: Sequence[Any], key: Callable[[Any], Any], reverse: bool
                   ) -> list[int] | None:
    try:
        return sorted_order([key(r) for r in rows], reverse)
    except Exception:  # a value with no order: the rows stay as they are
        return None
