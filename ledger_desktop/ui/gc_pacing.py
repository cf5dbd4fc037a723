"""Keep Python's cyclic garbage collector from freezing the window.

A full collection walks every tracked object. With a documents grid holding thousands of Ion
values, one full collection took up to 0.6 s, and because the GIL is shared it stalls the GUI
thread even when a worker triggers it (measured by bench/bench_gui.py). So four times a second
the pacer collects the young generations (what was allocated since its last tick, cheap) and
moves the survivors to the permanent generation (`gc.freeze()`), which collections skip. While
a worker allocates fast (reading a 60,000-revision block: 300,000 objects in a quarter of a
second, a 60 ms walk), it collects as soon as YOUNG_LIMIT objects wait, in shorter walks. Objects
that become cyclic garbage only after being frozen are reclaimed by a full pass when the user
closes a tab or a ledger (`full()`), and when the pacer stops.

Once the pacer has started, Python's automatic collections are off for good, so every
collection happens here, on the GUI thread. An automatic one runs in whichever thread happens to allocate: a sort or a
ledger's worker thread then destroyed closed widgets that sat in garbage cycles, away from the
GUI thread, which Qt does not allow (a test run crashed that way).
"""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QObject, QTimer

from ..engine.gc_pause import keep_off

TICK_MS = 250            # the young generations are collected at least this often
CHECK_MS = 50            # and their size looked at this often...
YOUNG_LIMIT = 50_000     # ...to collect them at once past this many objects (about 10 ms)


class GcPacer(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worst_tick_ms = 0.0
        self._since_tick = 0     # ms since the last collection, counted in checks
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_MS)
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        keep_off()  # also for a bulk pass (engine/gc_pause.py) that ends later
        gc.collect()
        gc.freeze()
        self._timer.start()

    def check(self) -> None:
        """Collect when TICK_MS have passed, or sooner when many young objects wait."""
        self._since_tick += CHECK_MS
        if self._since_tick >= TICK_MS or gc.get_count()[0] >= YOUNG_LIMIT:
            self.tick()

    def tick(self) -> None:
        self._since_tick = 0
        t0 = time.perf_counter()
        gc.collect(1)  # the young generations: what was allocated since the last tick
        gc.freeze()
        self.worst_tick_ms = max(self.worst_tick_ms, (time.perf_counter() - t0) * 1000)

    def full(self) -> None:
        """A complete pass over everything, at a moment the user caused (closing a view)."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    def stop(self) -> None:
        self._timer.stop()
        # Automatic collections stay off: a closing ledger's thread may still run, and would
        # collect the closed widgets on its own thread.
        gc.unfreeze()
