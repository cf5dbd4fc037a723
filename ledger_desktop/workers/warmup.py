"""Imports done in a thread while the user looks at the window (the "warm-up"), and a way for the
GUI thread to wait for one of them without blocking.

A GUI thread that imports a module the warm-up thread is importing at that moment waits on the
import lock, then competes with that thread for the GIL over the modules it imports itself: a
first Verification view opened 0.3-1.6 s after start froze the window for 350-440 ms (GUI
probe 3). Code that needs a step's modules calls `when_ready(step, callback, context)`: the
callback runs at once when the step is done (or was never started), else on the GUI thread as
soon as the step ends, while the window stays responsive. The thread then holds its next step
until that callback has run and the window has painted (`RESUME_AFTER_MS`): building the view
while the thread imported the next modules took 3-4 times as long (a 210 ms pause), as both
threads need Python's lock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QTimer

POLL_MS = 15
#: a step still not done after this long (a hung import) no longer holds anyone back
GIVE_UP_S = 5.0
#: after a waiting callback ran, the thread resumes this much later (the view's first paint)
RESUME_AFTER_MS = 250
#: the longest the thread holds its next step for a waiting callback
HOLD_S = 2.0

_lock = threading.Lock()
_pending: set[str] = set()  # steps queued or running in a warm-up thread
_waiters: dict[str, int] = {}  # step -> callbacks waiting for it on the GUI thread
_resume = threading.Event()
_resume.set()
_threads: list[threading.Thread] = []


def start(steps: Sequence[tuple[str, Callable[[], object]]],
          name: str = "warm-lazy-modules") -> threading.Thread:
    """Run `steps` (name, fn) in order in a daemon thread. Each fn only imports and builds no
    Qt object; an exception is ignored (the first real use reports any problem itself)."""
    with _lock:
        _pending.update(step for step, _ in steps)

    def run() -> None:
        for step, fn in steps:
            try:
                fn()
            except Exception:  # see the docstring: the first real use reports it
                pass
            finally:
                with _lock:
                    _pending.discard(step)
                    hold = _waiters.get(step, 0) > 0
                    if hold:
                        _resume.clear()
            if hold:  # the GUI thread builds what waited for this step: leave it the lock
                _resume.wait(HOLD_S)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    _threads.append(thread)
    return thread


def join(timeout: float = 5.0) -> bool:
    """Wait for the warm-up threads (at exit): a daemon thread still inside an extension's
    import while the interpreter shuts down can crash the process (a segfault after a
    0.5 s smoke test that quit while pyqtgraph was being imported). False: one still runs."""
    _resume.set()  # a thread holding for a view that will never be built goes on
    deadline = time.monotonic() + timeout
    for thread in list(_threads):
        thread.join(max(0.0, deadline - time.monotonic()))
        if not thread.is_alive():
            _threads.remove(thread)
    return not _threads


def pending(step: str) -> bool:
    with _lock:
        return step in _pending


def busy() -> bool:
    """Whether any warm-up step is queued or running."""
    with _lock:
        return bool(_pending)


def when_ready(step: str, callback: Callable[[], object], context: QObject) -> bool:
    """Call `callback` now if no warm-up step is pending (returns True); else later, on the
    GUI thread, when they are all done (returns False). Deleting `context` first cancels the
    call. It waits for the later steps too: a view built while the thread imported the next
    step's modules stalled the window longer (415-490 ms) than with no warm-up at all."""
    with _lock:
        waiting = bool(_pending)
        # Held for only when `step` is the last one left: the thread then has nothing to do
        # after it; a waiter for everything must never hold the steps it waits for.
        key = step if _pending == {step} else "*"
        if waiting:
            _waiters[key] = _waiters.get(key, 0) + 1
    if not waiting:
        callback()
        return True
    timer = QTimer(context)
    timer.setInterval(POLL_MS)
    give_up = time.monotonic() + GIVE_UP_S
    waiting_flag = [True]

    def stop_waiting() -> None:
        if waiting_flag[0]:
            waiting_flag[0] = False
            with _lock:
                _waiters[key] -= 1
            QTimer.singleShot(RESUME_AFTER_MS, _resume.set)

    def poll() -> None:
        if busy() and time.monotonic() < give_up:
            return
        timer.stop()
        timer.deleteLater()
        try:
            callback()
        finally:
            stop_waiting()

    timer.timeout.connect(poll)
    timer.destroyed.connect(stop_waiting)  # `context` deleted first: nobody waits any more
    timer.start()
    return False
