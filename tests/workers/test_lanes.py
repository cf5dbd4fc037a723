"""The task lanes: results on the GUI thread, ordering, throttled progress, cancel, resources."""

from __future__ import annotations

import gc
import threading

import pytest
from PySide6.QtCore import QThread

from ledger_desktop.engine.errors import Cancelled, UserError
from ledger_desktop.workers.tasks import PROGRESS_INTERVAL_S, Lane, TaskState


@pytest.fixture
def lane(qtbot):
    lane = Lane("test")
    yield lane
    assert lane.stop()


def test_result_arrives_on_gui_thread(qtbot, lane):
    gui = QThread.currentThread()
    seen: dict[str, object] = {}

    def work(_res, _progress, _cancel):
        seen["worker"] = threading.get_ident()
        return 6 * 7

    task = lane.submit(work)
    task.succeeded.connect(lambda r: seen.update(result=r, thread=QThread.currentThread()))
    with qtbot.wait_signal(task.finished, timeout=5000):
        pass
    assert seen["result"] == 42
    assert seen["thread"] is gui
    assert seen["worker"] != threading.get_ident()
    assert task.state is TaskState.SUCCEEDED


def test_tasks_run_in_submission_order(qtbot, lane):
    order: list[int] = []
    tasks = [lane.submit(lambda _r, _p, _c, i=i: order.append(i)) for i in range(20)]
    with qtbot.wait_signal(tasks[-1].finished, timeout=5000):
        pass
    assert order == list(range(20))


def test_failure_carries_exception_and_traceback(qtbot, lane):
    def bad(_r, _p, _c):
        raise UserError("no such table: Nope")

    task = lane.submit(bad)
    with qtbot.wait_signal(task.failed, timeout=5000) as blocker:
        pass
    assert isinstance(blocker.args[0], UserError)
    assert "no such table" in str(blocker.args[0])
    assert "Traceback" in task.details
    assert task.state is TaskState.FAILED


def test_cancel_running_task_stops_it(qtbot, lane):
    started = threading.Event()
    steps: list[int] = []

    def long_work(_r, _p, cancel):
        started.set()
        for i in range(10_000_000):
            cancel.check()
            steps.append(i)
            threading.Event().wait(0.001)
        return "finished"  # never reached when cancelled

    task = lane.submit(long_work)
    assert started.wait(5)
    with qtbot.wait_signal(task.cancelled, timeout=5000):
        task.cancel()
    assert task.state is TaskState.CANCELLED
    assert len(steps) < 10_000_000


def test_cancelled_pending_task_never_runs(qtbot, lane):
    gate = threading.Event()
    ran: list[str] = []
    first = lane.submit(lambda _r, _p, _c: gate.wait(5))
    second = lane.submit(lambda _r, _p, _c: ran.append("second"))
    second.cancel()
    gate.set()
    with qtbot.wait_signal(second.finished, timeout=5000):
        pass
    assert first.state is TaskState.SUCCEEDED
    assert second.state is TaskState.CANCELLED
    assert ran == []


def test_progress_is_throttled_and_final_value_delivered(qtbot, lane):
    received: list[tuple[int, int]] = []

    def busy(_r, progress, _c):
        for i in range(1, 200_001):
            progress(i, 200_000)

    task = lane.submit(busy)
    task.progressed.connect(lambda d, t: received.append((d, t)))
    with qtbot.wait_signal(task.finished, timeout=10000):
        pass
    assert received[-1] == (200_000, 200_000)
    # 200,000 calls collapse into a few signals (one per interval plus the final one).
    assert len(received) <= 2 + task.elapsed / PROGRESS_INTERVAL_S


def test_resource_opened_and_closed_on_lane_thread(qtbot):
    events: list[tuple[str, int]] = []

    def opener():
        events.append(("open", threading.get_ident()))
        return {"name": "res"}

    def closer(res):
        events.append(("close", threading.get_ident()))

    lane = Lane("res", opener, closer)
    task = lane.submit(lambda res, _p, _c: (res["name"], threading.get_ident()))
    with qtbot.wait_signal(task.succeeded, timeout=5000) as blocker:
        pass
    name, ident = blocker.args[0]
    assert name == "res"
    assert lane.stop()
    assert [e[0] for e in events] == ["open", "close"]
    assert events[0][1] == ident == events[1][1]


def test_open_failure_fails_every_task(qtbot):
    def opener():
        raise UserError("not a ledger")

    lane = Lane("broken", opener)
    t1 = lane.submit(lambda _r, _p, _c: 1)
    t2 = lane.submit(lambda _r, _p, _c: 2)
    with qtbot.wait_signal(t2.finished, timeout=5000):
        pass
    assert t1.state is TaskState.FAILED and t2.state is TaskState.FAILED
    assert "not a ledger" in str(t1.error)
    assert lane.stop()


def test_stop_cancels_running_task_and_joins(qtbot):
    lane = Lane("stopper")
    started = threading.Event()

    def forever(_r, _p, cancel):
        started.set()
        while True:
            cancel.check()
            threading.Event().wait(0.005)

    lane.submit(forever)
    assert started.wait(5)
    assert lane.stop(5000)
    assert not lane.isRunning()
    with pytest.raises(RuntimeError):
        lane.submit(lambda _r, _p, _c: None)


def test_engine_cancelled_error_maps_to_cancelled(qtbot, lane):
    def cancels(_r, _p, _c):
        raise Cancelled("stopped")

    task = lane.submit(cancels)
    with qtbot.wait_signal(task.cancelled, timeout=5000):
        pass
    assert task.state is TaskState.CANCELLED


def test_signal_emit_keeps_bool_refcounts(qtbot):
    """PySide6 6.12.0 dropped a reference to True on every emit and crashed Python 3.11."""
    import sys

    from PySide6.QtCore import QObject, Signal

    class Emitter(QObject):
        fired = Signal(int)

    emitter = Emitter()
    emitter.fired.connect(lambda _v: None)
    before = sys.getrefcount(True)
    for i in range(200):
        emitter.fired.emit(i)
    assert sys.getrefcount(True) >= before - 5


def test_results_after_stop_arrive_as_cancelled(qtbot):
    """A widget tearing down its lane must not receive late successes (it would submit more)."""
    lane = Lane("late")
    ran = threading.Event()

    def work(_r, _p, _c):
        ran.set()
        return "done"

    task = lane.submit(work)
    got: list[str] = []
    task.succeeded.connect(lambda _r: got.append("succeeded"))
    task.cancelled.connect(lambda: got.append("cancelled"))
    assert ran.wait(5)  # the worker finishes before the GUI hears of it
    threading.Event().wait(0.05)
    assert lane.stop()
    qtbot.wait_until(lambda: task.done, timeout=5000)
    assert got == ["cancelled"]


def test_session_cancel_interrupts_a_long_sqlite_read(qtbot, tmp_path):
    """A read stuck in one long SQLite statement stops when its task is cancelled."""
    from ledger_desktop.engine.ledger import Ledger
    from ledger_desktop.workers.session import LedgerSession

    path = tmp_path / "l.ledger"
    Ledger.create(path).close()
    session = LedgerSession(path)
    started = threading.Event()

    def endless(ledger, _p, _c):
        started.set()
        # A recursive query that never ends on its own.
        return ledger._conn.execute(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
            "SELECT count(*) FROM c").fetchone()

    try:
        task = session.read(endless)
        assert started.wait(10)
        with qtbot.wait_signal(task.finished, timeout=10000):
            task.cancel()
        assert task.state is TaskState.CANCELLED
    finally:
        session.close()


def test_a_finished_task_is_let_go_on_the_gui_thread(qtbot):
    """The worker thread held its last task until the next one arrived, and then dropped the
    last reference to it there: a QObject destroyed off the GUI thread."""
    from PySide6.QtCore import Qt

    lane = Lane("let-go")
    destroyed_on: list[str] = []
    try:
        task = lane.submit(lambda _r, _p, _c: "first")
        qtbot.wait_until(lambda t=task: t.done, timeout=5000)
        task.destroyed.connect(
            lambda: destroyed_on.append(threading.current_thread().name),
            Qt.ConnectionType.DirectConnection)
        del task
        second = lane.submit(lambda _r, _p, _c: "second")
        qtbot.wait_until(lambda: second.done, timeout=5000)
        gc.collect()
        assert destroyed_on == ["MainThread"]
    finally:
        lane.stop()


class _Marker:
    """Records the thread that drops the last reference to it."""

    def __init__(self, seen: list[str]) -> None:
        self.seen = seen

    def __del__(self) -> None:
        self.seen.append(threading.current_thread().name)


def test_a_retired_lanes_tasks_are_let_go_on_the_gui_thread(qtbot):
    """A closing tab retires its lane and drops its tasks; the worker then held the running
    task's function last, and freed what it held (a widget, say) on its own thread."""
    from ledger_desktop.workers.tasks import retired_lanes

    lane = Lane("retire-let-go")
    freed_on: list[str] = []
    gate = threading.Event()
    started = threading.Event()

    def make(marker: _Marker):
        def work(_r, _p, _c):
            started.set()
            gate.wait(10)
            return marker is not None
        return work

    running = lane.submit(make(_Marker(freed_on)))
    queued = lane.submit(make(_Marker(freed_on)))
    assert started.wait(5)
    lane.retire()
    assert running.state == TaskState.CANCELLED and queued.state == TaskState.CANCELLED
    del running, queued
    gc.collect()
    assert freed_on == []  # the worker still runs the first one
    gate.set()
    qtbot.wait_until(lambda lane=lane: lane not in retired_lanes(), timeout=10000)
    del lane
    gc.collect()
    assert freed_on == ["MainThread", "MainThread"]


def test_a_failed_tasks_error_keeps_no_frames_down_its_chain(qtbot, lane):
    """The error a task failed with reaches the GUI without the frames of the function (they
    can hold widgets), also for the exceptions it was raised from or during."""
    def work(_r, _p, _c):
        held = object()
        try:
            try:
                raise KeyError(held)
            except KeyError as inner:
                raise ValueError("middle") from inner
        except ValueError:
            raise RuntimeError("outer")  # noqa: B904 - the implicit context is tested

    task = lane.submit(work)
    qtbot.wait_until(lambda: task.done, timeout=5000)
    error = task.error
    assert isinstance(error, RuntimeError) and "RuntimeError: outer" in task.details
    chain = [error, error.__context__, error.__context__.__cause__]
    assert [type(e) for e in chain] == [RuntimeError, ValueError, KeyError]
    assert all(e.__traceback__ is None for e in chain)
