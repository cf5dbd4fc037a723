"""A lane is one worker thread that owns one resource (usually a `Ledger`) and runs tasks in order.

The engine's objects are one-per-thread (a `Ledger` owns a sqlite connection), so a lane opens
its resource on its own thread the first time a task needs it and closes it there when it stops.
Tasks report back through a bridge object that lives on the GUI thread, so every public signal
of a `Task` is emitted on the GUI thread and any slot (even a lambda) is safe to connect.
"""

from __future__ import annotations

import enum
import queue
import time
import traceback
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

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
    """Lives on the GUI thread; turns reports posted by the worker into the task's signals."""

    report = Signal(object, str, object)

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.report.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @Slot(object, str, object)
    def _deliver(self, task: Task, kind: str, payload: Any) -> None:
        lane = self.parent()
        if kind == "succeeded" and getattr(lane, "_stopping", False):
            kind = "cancelled"  # the lane was stopped: whoever asked is being torn down
        if kind == "started":
            task.started.emit()
        elif kind == "progress":
            task.progress = payload
            if not task.done:
                task.progressed.emit(*payload)
        else:
            task.ended_at = time.monotonic()
            if kind == "succeeded":
                task.state, task.result = TaskState.SUCCEEDED, payload
                task.succeeded.emit(payload)
            elif kind == "cancelled":
                task.state = TaskState.CANCELLED
                task.cancelled.emit()
            else:
                task.state, task.error = TaskState.FAILED, payload
                task.failed.emit(payload)
            task.finished.emit()


_STOP = object()
_LANES: weakref.WeakSet[Lane] = weakref.WeakSet()


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
        self._current: Task | None = None
        self._pending: list[Task] = []
        self._stopping = False
        _LANES.add(self)

    # -- GUI-thread API ---------------------------------------------------------------------
    def submit(self, fn: TaskFn, name: str = "") -> Task:
        """Queue `fn(resource, progress, cancel)`; the returned task reports on the GUI thread."""
        if self._stopping:
            raise RuntimeError(f"lane {self.objectName()} is stopped")
        # Tasks are owned by Python (no Qt parent): they live as long as someone holds them.
        task = Task(fn, name)
        task.finished.connect(lambda t=task: self._forget(t))
        self._pending.append(task)
        if not self.isRunning():
            self.start()
        self._queue.put(task)
        return task

    def tasks(self) -> list[Task]:
        """Tasks not finished yet (queued or running), oldest first."""
        return [t for t in self._pending if not t.done]

    def cancel_all(self) -> None:
        for task in list(self._pending):
            task.cancel()

    def stop(self, timeout_ms: int = 10000) -> bool:
        """Cancel everything, close the resource on the lane's thread and join it."""
        self._stopping = True
        self.cancel_all()
        if self.isRunning():
            self._queue.put(_STOP)
            return self.wait(timeout_ms)
        return True

    def _forget(self, task: Task) -> None:
        if task in self._pending:
            self._pending.remove(task)

    # -- worker thread ----------------------------------------------------------------------
    def run(self) -> None:  # noqa: C901 - one loop, each branch short
        resource: Any = None
        opened = False
        open_error: BaseException | None = None
        try:
            while True:
                task = self._queue.get()
                if task is _STOP:
                    break
                if task.token.cancelled:
                    self._bridge.report.emit(task, "cancelled", None)
                    continue
                if not opened and self._opener is not None:
                    opened = True
                    try:
                        resource = self._opener()
                    except Exception as e:  # the file could not be opened: every task fails
                        open_error = e
                if open_error is not None:
                    self._bridge.report.emit(task, "failed", open_error)
                    continue
                self._run_one(task, resource)
        finally:
            if resource is not None and self._closer is not None:
                try:
                    self._closer(resource)
                except Exception:  # closing must not hide the real outcome
                    traceback.print_exc()

    def _run_one(self, task: Task, resource: Any) -> None:
        task.started_at = time.monotonic()
        task.state = TaskState.RUNNING
        self._bridge.report.emit(task, "started", None)
        last = 0.0

        def progress(done: int, total: int) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= PROGRESS_INTERVAL_S or (total and done >= total):
                last = now
                self._bridge.report.emit(task, "progress", (int(done), int(total)))

        try:
            result = task.fn(resource, progress, task.token)
        except Cancelled:
            self._bridge.report.emit(task, "cancelled", None)
        except Exception as e:
            task.details = traceback.format_exc()
            self._bridge.report.emit(task, "failed", e)
        else:  # it returned: it succeeded, even if a cancel arrived too late to stop it
            self._bridge.report.emit(task, "succeeded", result)
