"""The pretty Ion text of a value too big to write on the GUI thread.

A small value is written at once (`is_small`). A big one is written in a thread, paced so the
GUI thread keeps Python's lock most of the time (see models/background_sort.py), and only its
first PREFIX_CHARS: a block of 60,000 revisions is some 40 MB of text, which neither a text
pane nor a reader wants. `save_ion_text` writes all of it to a file, as a task with progress
and cancel.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject

from ..engine.cancel import CancelToken, Progress
from .gui_delivery import DROPPED, expect
from .ion_pretty import is_small, pretty_lines
from .models.background_sort import Pacer, Stale

SYNC_NODES = 1_500         # written on the GUI thread: a few milliseconds
PREFIX_CHARS = 256_000     # of a big value, the text pane shows this much
SAVE_CHECK_LINES = 2_000   # lines written between two looks at Cancel and progress


@dataclass(frozen=True)
class IonText:
    text: str
    complete: bool  # False: `text` is the first whole lines of a longer text


def _never() -> None:
    return None


def prefix_text(value: Any, limit: int, pace: Callable[[], None] = _never,
                lines_of: Callable[[Any], Iterator[str]] = pretty_lines) -> IonText:
    """The pretty text of `value` (or the text `lines_of` writes of it), or its first lines up
    to about `limit` characters."""
    lines: list[str] = []
    size = 0
    for line in lines_of(value):
        if size + len(line) > limit:
            if not lines:  # one line longer than the limit (a huge string): cut it
                lines.append(line[:limit] + " …")
            return IonText("\n".join(lines), False)
        lines.append(line)
        size += len(line) + 1
        pace()
    return IonText("\n".join(lines), True)


def text_now(value: Any) -> IonText | None:
    """The whole text when `value` is small enough to write on the GUI thread, else None."""
    return prefix_text(value, PREFIX_CHARS) if is_small(value, SYNC_NODES) else None


def write_in_thread(owner: QObject, value: Any, limit: int,
                    deliver: Callable[[IonText], None],
                    lines_of: Callable[[Any], Iterator[str]] = pretty_lines) -> threading.Event:
    """Write the first `limit` characters of `value`'s text in a thread and pass them to
    `deliver` on the GUI thread, unless `owner` was deleted first. Setting the returned event
    stops the thread, and nothing is delivered."""
    report = expect(owner, deliver)
    stop = threading.Event()

    def work() -> None:
        result: IonText | None
        try:
            result = prefix_text(value, limit, Pacer(stop.is_set), lines_of)
        except Stale:
            result = None
        except Exception as e:  # a value the writer refuses: say so where the text goes
            result = IonText(f"// This value cannot be written as Ion text: {e}", True)
        report(DROPPED if stop.is_set() or result is None else result)

    threading.Thread(target=work, name="ion-text", daemon=True).start()
    return stop


def save_ion_text(value: Any, path: str | os.PathLike[str], progress: Progress,
                  cancel: CancelToken) -> int:
    """Write all of `value` as pretty Ion text to `path` (a lane's task); returns the number
    of characters. All or nothing: written beside `path` and moved there when complete."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    pace = Pacer()
    size = 0
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            for i, line in enumerate(pretty_lines(value)):
                if i % SAVE_CHECK_LINES == 0:
                    cancel.check()
                    progress(i, 0)
                f.write(line + "\n")
                size += len(line) + 1
                pace()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return size
