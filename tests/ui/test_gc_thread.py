"""Qt objects are destroyed on the GUI thread only: no automatic garbage collection runs in a
worker thread that happens to allocate, and a sort thread holds no model. (A test run crashed
while a sort thread ran: such a thread may have destroyed Qt objects.)"""

from __future__ import annotations

import gc
import threading

from amazon.ion import simpleion
from PySide6.QtCore import QObject, Qt

from ledger_desktop.ui.gc_pacing import GcPacer
from ledger_desktop.ui.models.background_sort import SYNC_LIMIT
from ledger_desktop.ui.models.values import ValuesModel


def _allocate_a_lot() -> None:
    junk = []
    for i in range(200_000):   # far past the threshold of an automatic collection
        junk.append((i, [i]))


def test_garbage_qt_objects_are_collected_on_the_gui_thread_only(qtbot):
    freed_on: list[str] = []

    class Tracked(QObject):
        def __del__(self) -> None:
            freed_on.append(threading.current_thread().name)

    was_enabled = gc.isenabled()
    gc.enable()   # as in the app before its window exists
    pacer = GcPacer()
    try:
        pacer.start()
        for _ in range(20):
            obj = Tracked()
            obj.me = obj   # a cycle: only a collection frees it
        del obj
        worker = threading.Thread(target=_allocate_a_lot, name="worker")
        worker.start()
        worker.join()
        assert freed_on == []
        pacer.tick()
        assert freed_on == ["MainThread"] * 20
    finally:
        pacer.stop()
        if was_enabled:
            gc.enable()
        else:
            gc.disable()


def _qt_objects_reachable(fn: object, depth: int = 4) -> list[object]:
    """QObjects a thread's target reaches through closures and bound methods."""
    found: list[object] = []
    if isinstance(fn, QObject):
        return [fn]
    if depth == 0:
        return found
    for cell in getattr(fn, "__closure__", None) or ():
        found += _qt_objects_reachable(cell.cell_contents, depth - 1)
    if hasattr(fn, "__self__"):
        found += _qt_objects_reachable(fn.__self__, depth - 1)
    return found


def test_a_sort_thread_never_holds_the_model(qtbot):
    """Had it held one (its stale check was a lambda over the model), the thread could drop
    the last reference and destroy the model on its own thread."""
    n = SYNC_LIMIT + 100
    model = ValuesModel()
    model.set_values(simpleion.loads(" ".join(f"{{n: {(i * 7919) % n}}}" for i in range(n)),
                                     single_value=False))
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert model.sorting   # in a thread
    threads = [t for t in threading.enumerate() if t.name == "sort-rows"]
    assert threads
    for thread in threads:
        assert _qt_objects_reachable(thread._target) == []   # noqa: SLF001
    qtbot.wait_until(lambda: not model.sorting, timeout=20000)
    assert [model.data(model.index(r, 0), Qt.ItemDataRole.DisplayRole)
            for r in range(3)] == ["0", "1", "2"]
