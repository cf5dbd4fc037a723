"""A lane is one worker thread that owns one resource (usually a `Ledger`) and runs tasks in order.

The engine's objects are one-per-thread (a `Ledger` owns a sqlite connection), so a lane opens
its resource on its own thread the first time a task needs it and closes it there when it stops.
Tasks report back through a bridge object that lives on the GUI thread, so every public signal
of a `Task` is emitted on the GUI thread and any slot (even a lambda) is safe to connect.
"""

from __future__ import annotations

import enum
import itertools
import queue
import time
import traceback
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import SIGNAL, QMetaMethod, QObject, Qt, QThread, Signal, Slot

from ..engine.cancel import CancelToken
from ..engine.errors import Cancelled

#: fn(resource, progress, cancel) -> result
TaskFn = Callable[[Any, Callable[[int, int], None], CancelToken], Any]

PROGRESS_INTERVAL_S = 0.05  # at most 20 progress signals a second reach the GUI thread


class TaskState(enum.Enum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Task(QObject):
    """One unit of work. Signals arrive on the GUI thread; `finished` is always the last one."""

    started = Signal()
    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)  # the exception; its traceback text is in `.details`
    cancelled = Signal()
    finished = Signal()

    def __init__(self, fn: TaskFn, name: str = "", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.fn = fn
        self.name = name or getattr(fn, "__name__", "task")
        self.token = CancelToken()
        self.state = TaskState.PENDING
        self.result: Any = None
        self.error: BaseException | None = None
        self.details = ""
        self.progress: tuple[int, int] = (0, 0)
        self.started_at = 0.0
        self.ended_at = 0.0
        self._ended = False  # its last signals were emitted: later reports are dropped

    def cancel(self) -> None:
        """Ask the task to stop; a pending task never starts, a running one stops at its next check."""
        self.token.cancel()

    @property
    def done(self) -> bool:
        return self.state in (TaskState.SUCCEEDED, TaskState.FAILED, TaskState.CANCELLED)

    @property
    def elapsed(self) -> float:
        if not self.started_at:
            return 0.0
        return (self.ended_at or time.monotonic()) - self.started_at


class _Bridge(QObject):
    """Lives on the GUI thread; turns reports posted by the worker into the task's signals.

    Reports name a task by its number: the worker thread never holds a `Task`. Had it held
    one, it could drop the last reference and destroy the QObject (and whatever its function
    held) on the worker thread."""

    report = Signal(int, str, object)

    def __init__(self, parent: Lane) -> None:
        super().__init__(parent)
        self.report.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @Slot(int, str, object)
    def _deliver(self, number: int, kind: str, payload: Any) -> None:
        lane = self.parent()
        if not isinstance(lane, Lane):
            return
        task = lane._by_number.get(number)
        if task is None or task._ended:  # it ended as cancelled when its lane was retired
            return
        if kind not in ("started", "progress"):
            lane._forget(task)
        if kind == "succeeded" and lane._stopping:
            kind = "cancelled"  # the lane was stopped: whoever asked is being torn down
        if kind == "started":
            task.started_at = payload
            if task.state is TaskState.PENDING:
                task.state = TaskState.RUNNING
            task.started.emit()
        elif kind == "progress":
            task.progress = payload
            # After Cancel nobody wants progress, and whoever cancelled may be deleted by now
            # (a closed view's label): only the final signals still arrive.
            if not task.token.cancelled:
                task.progressed.emit(*payload)
        elif kind == "succeeded":
            _end(task, TaskState.SUCCEEDED, payload)
        elif kind == "cancelled":
            _end(task, TaskState.CANCELLED, None)
        else:
            error, task.details = payload
            _end(task, TaskState.FAILED, error)


def _end(task: Task, state: TaskState, payload: Any) -> None:
    """Record how `task` ended and emit its last signals (on the GUI thread)."""
    task._ended = True
    task.ended_at = time.monotonic()
    task.state = state
    if state is TaskState.SUCCEEDED:
        task.result = payload
        task.succeeded.emit(payload)
    elif state is TaskState.CANCELLED:
        task.cancelled.emit()
    else:
        task.error = payload
        task.failed.emit(payload)
    task.finished.emit()
    disconnect_all(task)


#: (name, SIGNAL() text) of each of Task's signals, filled on first use
_SIGNALS: list[tuple[str, str]] = []


def disconnect_all(task: Task) -> None:
    """Drop every connection of `task`'s signals: done when it ends (it emits nothing more),
    or by a closing widget that must hear nothing more from it. A slot that refers to the task
    (`lambda: ... task.details`, a default `t=task`) made a cycle through Qt's connection list,
    which Python's collector cannot see, so every task and all its slots held (a closed grid's
    60,000 documents) stayed alive for good, and every full collection walked them."""
    if not _SIGNALS:
        meta = Task.staticMetaObject
        for m in (meta.method(i) for i in range(meta.methodOffset(), meta.methodCount())):
            if m.methodType() == QMetaMethod.MethodType.Signal:
                _SIGNALS.append((bytes(m.name()).decode(),
                                 SIGNAL(bytes(m.methodSignature()).decode())))
    for name, signature in _SIGNALS:
        if task.receivers(signature):  # disconnect() with none connected raises
            getattr(task, name).disconnect()


_STOP = object()
_LANES: weakref.WeakSet[Lane] = weakref.WeakSet()
#: lanes retired (their owner closed) whose thread still runs: held here so that neither
#: Python nor a deleted Qt parent destroys a running QThread; each leaves when its thread ends
_RETIRED: set[Lane] = set()


def retired_lanes() -> list[Lane]:
    """Lanes whose owner closed and whose thread has not ended yet."""
    return list(_RETIRED)


def join_retired(timeout_ms: int = 10000) -> bool:
    """Wait for retired lanes to end (at quit, when nothing is on screen any more)."""
    deadline = time.monotonic() + timeout_ms / 1000
    for lane in list(_RETIRED):
        left = max(0, int((deadline - time.monotonic()) * 1000))
        if not lane.wait(left):
            return False
        lane._retired_done()
    return True


def running_lanes() -> list[Lane]:
    """Lanes whose thread is still alive (tests use this to catch leaked threads)."""
    alive = []
    for lane in list(_LANES):
        try:
            if lane.isRunning():
                alive.append(lane)
        except RuntimeError:  # its C++ object is gone, and with it the thread
            pass
    return alive


def _without_frames(error: BaseException) -> BaseException:
    """`error` with the tracebacks of it and of every exception it chains to cleared."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        e = pending.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        e.__traceback__ = None
        pending += [e.__cause__, e.__context__]
    return error


class Lane(QThread):
    """A worker thread with a FIFO of tasks and, optionally, a resource opened on that thread.

    `opener()` runs on the lane's thread before the first task; `closer(resource)` runs there
    when the lane stops. Without an opener, tasks receive `None` as their resource.
    """

    def __init__(self, name: str, opener: Callable[[], Any] | None = None,
                 closer: Callable[[Any], None] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._opener = opener
        self._closer = closer
        self._queue: queue.Queue[Any] = queue.Queue()
        self._bridge = _Bridge(self)
        self._by_number: dict[int, Task] = {}   # unfinished tasks, oldest first
        self._numbers = itertools.count(1)
        self._stopping = False
        self._outlived: list[Task] = []  # tasks a retired lane's thread may still hold
        _LANES.add(self)

    # -- GUI-thread API ---------------------------------------------------------------------
    def submit(self, fn: TaskFn, name: str = "") -> Task:
        """Queue `fn(resource, progress, cancel)`; the returned task reports on the GUI thread."""
        if self._stopping:
            raise RuntimeError(f"lane {self.objectName()} is stopped")
        # Tasks are owned by Python (no Qt parent): they live as long as someone holds them.
        task = Task(fn, name)  # the bridge forgets it when it ends
        number = next(self._numbers)
        self._by_number[number] = task
        if not self.isRunning():
            self.start()
        self._queue.put((number, fn, task.token))
        return task

    def tasks(self) -> list[Task]:
        """Tasks not finished yet (queued or running), oldest first."""
        return [t for t in self._by_number.values() if not t.done]

    def cancel_all(self) -> None:
        for task in list(self._by_number.values()):
            task.cancel()

    def stop(self, timeout_ms: int = 10000) -> bool:
        """Cancel everything, close the resource on the lane's thread and join it."""
        self._stopping = True
        self.cancel_all()
        if self.isRunning():
            self._queue.put(_STOP)
            return self.wait(timeout_ms)
        return True

    def retire(self) -> None:
        """Stop without waiting, for an owner that is closing (a ledger tab).

        Every unfinished task ends now, as cancelled, while its listeners still exist; the
        thread finishes its current step in the background (a cancelled task stops at its next
        check), closes the resource on its own thread and is deleted when it ends. Nothing it
        reports afterwards reaches anyone.
        """
        self._stopping = True
        self.cancel_all()
        for task in list(self._by_number.values()):
            self._forget(task)
            if not task.done:
                _end(task, TaskState.CANCELLED, None)
            # Kept until the thread has ended: the worker still holds the task's function
            # (what it runs, what is queued) and must not drop the last reference to it.
            self._outlived.append(task)
        if not self.isRunning():
            self._outlived.clear()
            return
        # The owner's deletion must not take the running QThread with it (Qt aborts on that).
        _RETIRED.add(self)
        self.setParent(None)
        self.finished.connect(self._retired_done)  # before _STOP: the end is never missed
        self._queue.put(_STOP)

    @Slot()
    def _retired_done(self) -> None:
        """The retired thread ended (queued to the GUI thread, where the lane lives)."""
        if self not in _RETIRED:
            return
        self.wait()  # `finished` comes just before the thread really ends: at most a moment
        _RETIRED.discard(self)
        self._outlived.clear()
        self.deleteLater()

    def _forget(self, task: Task) -> None:
        for number, known in list(self._by_number.items()):
            if known is task:
                del self._by_number[number]

    # -- worker thread ---------------------------------------------------------------------
    # It sees a task as (number, fn, token) and lets go of `fn` before reporting the end:
    # until the GUI thread hears of that end, the task (which holds `fn` too) is still kept
    # there (a retired lane's, in `_outlived` until the thread has ended), so the last
    # references are always dropped on the GUI thread.
    def run(self) -> None:
        resource: Any = None
        opened = False
        open_error: BaseException | None = None
        report = self._bridge.report.emit
        try:
            while True:
                item = self._queue.get()
                if item is _STOP:
                    break
                number, fn, token = item
                del item
                if token.cancelled:
                    del fn
                    report(number, "cancelled", None)
                    continue
                if not opened and self._opener is not None:
                    opened = True
                    try:
                        resource = self._opener()
                    except Exception as e:  # the file could not be opened: every task fails
                        open_error = e
                if open_error is not None:
                    del fn
                    report(number, "failed", (open_error, ""))
                    continue
                kind, payload = self._run_one(number, fn, token, resource)
                del fn
                report(number, kind, payload)
                del payload
        finally:
            if resource is not None and self._closer is not None:
                try:
                    self._closer(resource)
                except Exception:  # closing must not hide the real outcome
                    traceback.print_exc()

    def _run_one(self, number: int, fn: TaskFn, token: CancelToken,
                 resource: Any) -> tuple[str, Any]:
        """Run one task; returns how it ended, for `run` to report once `fn` is let go."""
        report = self._bridge.report.emit
        report(number, "started", time.monotonic())
        last = 0.0

        def progress(done: int, total: int) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= PROGRESS_INTERVAL_S or (total and done >= total):
                last = now
                report(number, "progress", (int(done), int(total)))

        try:
            result = fn(resource, progress, token)
        except Cancelled:
            return "cancelled", None
        except Exception as e:
            details = traceback.format_exc()
            # The traceback's frames hold what the function held (perhaps a widget) and the
            # error may be let go here last: the GUI shows the text above, not the frames.
            return "failed", (_without_frames(e), details)
        return "succeeded", result
