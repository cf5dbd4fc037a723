"""Pausing the garbage collector: nested and overlapping pauses, and a switch kept off."""

from __future__ import annotations

import gc
import threading

import pytest

from ledger_desktop.engine import gc_pause
from ledger_desktop.engine.gc_pause import paused_gc


@pytest.fixture
def collector_on(monkeypatch):
    """Start with automatic collections on and nothing kept off; put things back after."""
    was = gc.isenabled()
    monkeypatch.setattr(gc_pause, "_kept_off", False)
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_a_pause_switches_the_collector_back_on(collector_on):
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_overlapping_pauses_in_two_threads_end_with_the_last(collector_on):
    """The first of two pauses to end switched the collector on under the other."""
    inside, leave = threading.Event(), threading.Event()
    seen: list[bool] = []

    def other() -> None:
        with paused_gc():
            inside.set()
            leave.wait(10)
            seen.append(gc.isenabled())

    t = threading.Thread(target=other)
    with paused_gc():
        t.start()
        assert inside.wait(10)
    assert not gc.isenabled()  # the other thread's pause still runs
    leave.set()
    t.join(10)
    assert seen == [False] and gc.isenabled()


def test_a_collector_kept_off_mid_pause_stays_off(collector_on):
    """The desktop app switches automatic collections off for good (ui/gc_pacing.py) while a
    worker's export may be paused: the export's end switched them back on."""
    with paused_gc():
        gc_pause.keep_off()
    assert not gc.isenabled()


def test_a_pause_begun_with_the_collector_off_leaves_it_off(collector_on):
    gc.disable()
    with paused_gc():
        pass
    assert not gc.isenabled()
