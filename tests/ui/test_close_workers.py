"""Closing a ledger tab (or its Verification view) while work runs: the GUI thread never waits
for the worker, no late signal reaches a deleted object, the worker closes its ledger on its
own thread when it ends, and the closed tab's objects are freed.

The probe saw `RuntimeError: Signal source has been deleted` from the verification hub, a
QLabel "already deleted" from the chain view, and 370-470 ms (10 s for a long query) in
`Lane.stop` waiting for the lanes."""

from __future__ import annotations

import gc
import threading
import time
import weakref

import pytest
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from ledger_desktop.engine.errors import Cancelled
from ledger_desktop.workers import session as session_mod
from ledger_desktop.workers.tasks import Lane, TaskState, retired_lanes

from .conftest import open_workspace

STEP_S = 1.0  # a step that looks at its cancel token only when it ends


@pytest.fixture
def slow_verify(monkeypatch):
    """Verification whose first step takes STEP_S whatever Cancel says (like hashing a big
    block), reporting progress all along."""
    started = threading.Event()

    def verify(_ledger, progress, cancel, **_kw):
        started.set()
        end = time.monotonic() + STEP_S
        i = 0
        while time.monotonic() < end:
            i += 1
            progress(i, 10_000)
            time.sleep(0.002)
        cancel.check()
        raise AssertionError("the test cancels before the step ends")

    monkeypatch.setattr("ledger_desktop.ui.verify.hub.verify_ledger", verify)
    return started


@pytest.fixture
def closes(monkeypatch):
    """Where each lane closed its ledger: (thread id, ledger path)."""
    seen: list[tuple[int, str]] = []
    real = session_mod._close

    def close(ledger):
        seen.append((threading.get_ident(), str(ledger.path)))
        real(ledger)

    monkeypatch.setattr(session_mod, "_close", close)
    return seen


def _verifying(qtbot, window, path, slow_verify):
    """The workspace of `path`, its Verification view and the verification task, once the
    task is inside its slow first step."""
    ws = open_workspace(qtbot, window, path)
    window.trigger("verify_journal")
    centre = ws.view("verify")
    assert slow_verify.wait(10)
    return ws, centre, centre.hub.task


def test_closing_the_tab_during_verification_neither_waits_nor_raises(
        qtbot, window, sample_ledger, slow_verify, closes):
    ws, _centre, task = _verifying(qtbot, window, sample_ledger, slow_verify)
    with qtbot.capture_exceptions() as exceptions:
        assert window.close_tab(window.tabs.indexOf(ws))
        # it returned while the step still runs (no wait for the worker), and every
        # unfinished task has ended, as cancelled, while its listeners still existed
        assert task.state is TaskState.CANCELLED
        assert retired_lanes(), "the verify lane still runs its step, in the background"
        qtbot.wait_until(lambda: not retired_lanes(), timeout=10000)
        qtbot.wait(100)  # late reports and deferred deletes
    assert not exceptions, [str(e[1]) for e in exceptions]
    gui = threading.get_ident()
    assert closes and all(ident != gui for ident, _p in closes)  # closed on their threads
    assert all(p == str(sample_ledger) for _i, p in closes)


def test_closing_the_verification_view_while_it_verifies_raises_nothing(
        qtbot, window, sample_ledger, slow_verify):
    ws, centre, task = _verifying(qtbot, window, sample_ledger, slow_verify)
    with qtbot.capture_exceptions() as exceptions:
        ws.close_view(ws.views.indexOf(centre))
        qtbot.wait_until(lambda: task.done, timeout=10000)  # cancelled after its step
        qtbot.wait(100)
    assert task.state is TaskState.CANCELLED
    assert not exceptions, [str(e[1]) for e in exceptions]


def test_a_closed_tab_is_freed(qtbot, window, sample_ledger):
    """A task's slot that refers to the task (`lambda t=task: ...`) made a cycle through
    Qt's connection list that Python's collector cannot see: every task and everything its
    slots held, a closed grid's documents included, stayed alive."""
    def open_grid() -> tuple[weakref.ref, weakref.ref]:
        ws = open_workspace(qtbot, window, sample_ledger)
        view = ws.open_table(ws.table_by_name("Vehicle"))
        qtbot.wait_until(lambda: view.model.rowCount() > 0, timeout=10000)
        return weakref.ref(view.model), weakref.ref(ws)

    model, workspace = open_grid()
    window.close_tab(1)
    qtbot.wait(200)  # deferred deletes
    gc.unfreeze()  # the window's collector pacing freezes survivors
    gc.collect()
    assert model() is None and workspace() is None


def test_a_retired_lane_ends_its_tasks_now_and_finishes_in_the_background(qtbot):
    entered = threading.Event()
    events: list[tuple[str, int]] = []

    def opener():
        return "resource"

    def closer(_res):
        events.append(("closed", threading.get_ident()))

    step_done = threading.Event()

    def long_step(_res, progress, cancel):
        entered.set()
        end = time.monotonic() + STEP_S
        while time.monotonic() < end:
            progress(1, 2)
            time.sleep(0.002)
        step_done.set()
        return "done"  # it never looked at the token: a success the GUI must not hear of

    owner = QObject()  # the lane's owner, as a session is (retire() detaches it)
    lane = Lane("retire", opener, closer, parent=owner)
    running = lane.submit(long_step)
    queued = lane.submit(lambda _r, _p, _c: events.append(("ran", 0)))
    heard: list[str] = []
    for t in (running, queued):
        t.succeeded.connect(lambda _r: heard.append("succeeded"))
        t.cancelled.connect(lambda: heard.append("cancelled"))
        t.progressed.connect(lambda *_a: heard.append("progress"))
    assert entered.wait(5)
    qtbot.wait(50)
    heard.clear()
    lane.retire()
    assert not step_done.is_set()  # retire() did not wait for the running step
    assert heard == ["cancelled", "cancelled"]
    assert running.state is queued.state is TaskState.CANCELLED
    assert lane.parent() is None and lane in retired_lanes()
    qtbot.wait_until(lambda: not retired_lanes(), timeout=10000)
    qtbot.wait(50)
    assert heard == ["cancelled", "cancelled"]  # no late progress or success
    assert [e[0] for e in events] == ["closed"]  # the queued task never ran
    assert events[0][1] != threading.get_ident()


def test_no_progress_after_cancel(qtbot):
    """After Cancel whoever listened may be gone (a closed view's label): only the final
    signals still come."""
    lane = Lane("progress")
    started, gate = threading.Event(), threading.Event()

    def work(_r, progress, cancel):
        started.set()
        gate.wait(5)
        for i in range(50):
            progress(i, 50)
            time.sleep(0.002)
        raise Cancelled("stopped")

    task = lane.submit(work)
    seen: list[int] = []
    task.progressed.connect(lambda d, _t: seen.append(d))
    assert started.wait(5)
    task.cancel()
    gate.set()
    qtbot.wait_until(lambda: task.done, timeout=5000)
    assert seen == []
    assert lane.stop()


def test_closed_views_rows_are_freed_a_slice_at_a_time_after_deletion(qtbot):
    from ledger_desktop.ui.views import workspace as ws_mod

    class Model:
        rows = [object() for _ in range(ws_mod.RELEASE_SLICE * 3 + 5)]

    widget = QWidget()
    widget.model = Model()  # type: ignore[attr-defined]
    rows = widget.model.rows  # type: ignore[attr-defined]
    ws_mod._release_rows_after(widget)
    qtbot.wait(50)
    assert len(rows) == ws_mod.RELEASE_SLICE * 3 + 5  # untouched while the view exists
    widget.deleteLater()
    qtbot.wait_until(lambda: not rows, timeout=5000)
    assert not ws_mod.releasing_rows()
