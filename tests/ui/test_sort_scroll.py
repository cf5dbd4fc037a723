"""Scrolling a large grid while it sorts: the sort thread must leave Python's lock to the GUI
thread in short, regular turns (a repaint makes hundreds of calls into Python, each needing
the lock; a sort thread that computed for hundreds of ms at a stretch stalled each scroll
step by 150-490 ms). Checked as behaviour, not as timings: how much work the thread does
between two pauses."""

from __future__ import annotations

import datetime
import random
import threading
from decimal import Decimal

import pytest
from amazon.ion import simpleion
from PySide6.QtCore import QObject

from ledger_desktop.ui.models import background_sort
from ledger_desktop.ui.models import documents as documents_mod
from ledger_desktop.ui.models.background_sort import SYNC_LIMIT, sort_rows
from ledger_desktop.ui.models.filters import sort_key

MAX_STEP = 1024  # rows of work between two chances to pause, at most


class Recorder:
    """Counts key calls and sorted() sizes, and notes the key count at each pause."""

    def __init__(self) -> None:
        self.keys = 0
        self.pauses: list[int] = []
        self.sorted_sizes: list[int] = []


@pytest.fixture
def recorder(monkeypatch) -> Recorder:
    rec = Recorder()
    monkeypatch.setattr(background_sort, "WORK", 0.0)  # every step ends in a pause
    monkeypatch.setattr(background_sort.Pacer, "pause", lambda _self: rec.pauses.append(rec.keys))
    real_sorted = sorted

    def counting_sorted(items, **kw):
        items = list(items)
        rec.sorted_sizes.append(len(items))
        return real_sorted(items, **kw)

    monkeypatch.setattr(background_sort, "sorted", counting_sorted, raising=False)
    return rec


def run_sort(qtbot, rows, key, reverse=False, stale=None):
    got: list = []
    assert sort_rows(QObject(), rows, key, reverse, got.append, stale=stale) is False
    return got


def test_the_sort_thread_pauses_between_small_steps(qtbot, recorder):
    n = 12 * MAX_STEP + 5
    rng = random.Random(3)
    rows = [rng.randrange(10**6) for _ in range(n)]
    owner = QObject()
    got: list = []

    def key(r: int) -> tuple[int, int]:
        recorder.keys += 1
        return (2, r)

    assert sort_rows(owner, rows, key, False, got.append) is False
    qtbot.wait_until(lambda: bool(got), timeout=20000)
    assert [rows[i] for i in got[0]] == sorted(rows)
    # keys: a chance to pause after at most MAX_STEP rows (about a millisecond of work)
    during_keys = [k for k in recorder.pauses if k < n]
    steps = [b - a for a, b in zip([0, *during_keys], during_keys + [n], strict=True)]
    assert max(steps) <= MAX_STEP
    # no single sorted() call (which never gives the lock back) sorts more than MAX_STEP rows
    assert recorder.sorted_sizes and max(recorder.sorted_sizes) <= MAX_STEP
    # after the keys, pauses continue through the chunk sorts and the merge, in slices
    after_keys = len(recorder.pauses) - len(during_keys)
    assert after_keys >= len(recorder.sorted_sizes) + n // MAX_STEP


def test_a_superseded_sort_stops_and_delivers_nothing(qtbot, recorder):
    n = 20 * background_sort.KEY_SLICE + SYNC_LIMIT
    rows = list(range(n))
    superseded = threading.Event()

    def key(r: int) -> int:
        recorder.keys += 1
        if recorder.keys == 1000:
            superseded.set()  # a newer header click, a refresh...
        return -r

    got = run_sort(qtbot, rows, key, stale=superseded.is_set)
    qtbot.wait_until(lambda: not any(t.name == "sort-rows" for t in threading.enumerate()),
                     timeout=10000)
    qtbot.wait(50)  # a result, had there been one, reaches the GUI thread
    assert got == []  # nothing delivered
    assert recorder.keys <= 1000 + background_sort.KEY_SLICE  # it stopped at its next pause


@pytest.mark.parametrize(("text", "expected"), [
    ("1 -3 2.5 7e0 -0.5 100", "-3 -0.5 1 2.5 7e0 100"),   # int, decimal, float: one order
    ('"b" B a "A" c', 'a "A" "b" B c'),                    # text, case-folded (stable)
    ('1 "x" null 2 true 2020-01-01T', 'null true 1 2 "x" 2020-01-01T'),  # by kind first
])
def test_primitive_keys_order_as_before(text, expected):
    values = simpleion.loads(text, single_value=False)
    keys = background_sort.sort_keys(values, sort_key)
    # plain Python values only (no Ion values: cheaper to compare and to collect)
    flat = [k[1] if isinstance(k, tuple) else k for k in keys]
    assert all(type(k) in (int, bool, str, Decimal, datetime.datetime) for k in flat)
    order = background_sort.sorted_order(keys)
    want = simpleion.loads(expected, single_value=False)
    assert [simpleion.dumps(values[i], binary=False) for i in order] == \
        [simpleion.dumps(v, binary=False) for v in want]


def test_dropped_rows_are_freed_in_a_thread_in_slices(qtbot, recorder, monkeypatch):
    """A refresh or a filter of a 60,000-row grid freed its documents on the GUI thread in one
    long C call (90 ms)."""
    handed: list[int] = []
    real = background_sort.release_in_thread

    def spy(items):
        handed.append(len(items))
        real(items)

    monkeypatch.setattr(documents_mod, "release_in_thread", spy)
    model = documents_mod.DocumentsModel(session=None, table_id="t")  # type: ignore[arg-type]
    rows = [object() for _ in range(SYNC_LIMIT + 1)]
    model.rows = rows
    model.reset()
    assert handed == [SYNC_LIMIT + 1] and model.rowCount() == 0
    qtbot.wait_until(lambda: not rows, timeout=10000)          # emptied by the thread...
    assert len(recorder.pauses) >= (SYNC_LIMIT + 1) // MAX_STEP  # ...a slice at a time
