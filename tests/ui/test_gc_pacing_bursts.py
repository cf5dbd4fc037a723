"""The collector's pacer walks a burst of new objects in short steps.

Reading a 60,000-revision block for the inspector allocates some 300,000 objects between two
of the pacer's quarter-second ticks; walking them held the GUI thread 60-160 ms per tick.
Now it looks at the young generation's size more often and collects as soon as YOUNG_LIMIT
objects wait. Checked as behaviour: when a check collects."""

from __future__ import annotations

import gc

from ledger_desktop.ui import gc_pacing
from ledger_desktop.ui.gc_pacing import GcPacer


def test_a_burst_of_objects_is_collected_at_the_next_check(qtbot):
    pacer = GcPacer()
    assert pacer._timer.interval() == gc_pacing.CHECK_MS < gc_pacing.TICK_MS  # noqa: SLF001
    collected: list[int] = []
    pacer.tick = lambda: collected.append(gc.get_count()[0])  # type: ignore[method-assign]
    gc.collect(1)  # nothing young waits
    # few young objects: a collection every TICK_MS, as before
    checks = gc_pacing.TICK_MS // gc_pacing.CHECK_MS
    for _ in range(checks - 1):
        pacer.check()
    assert collected == []
    pacer.check()
    assert len(collected) == 1
    # a burst (a worker building a big block): collected at the very next check, in a walk
    # of about YOUNG_LIMIT objects, not of everything a quarter of a second allocates
    pacer._since_tick = 0  # noqa: SLF001 - as the replaced tick would have
    burst = [[i] for i in range(gc_pacing.YOUNG_LIMIT + 1_000)]
    pacer.check()
    assert len(collected) == 2 and collected[-1] >= gc_pacing.YOUNG_LIMIT
    del burst
