"""Field names per table for the PartiQL editor's completion, fetched off the GUI thread.

Completing `p.` must not wait for the user to browse Person first: the first time a table's
fields are wanted, a sample page of its documents is read on the ledger's reader lane
(`engine.query.field_names`, a few ms) and the names are kept. A later request after `TTL`
seconds serves the kept names at once and refreshes them in the background, so fields added by
writes show up without ever making completion wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from ...workers.tasks import Task, TaskFn

ReadFn = Callable[[TaskFn, str], Task]


def _fetch(table: str) -> TaskFn:
    def run(ledger: Any, _progress: Any, _cancel: Any) -> tuple[str, list[str]]:
        from ...engine.query.field_names import table_field_paths

        try:
            return table, table_field_paths(ledger, table)
        except Exception:  # noqa: BLE001 - a hint for completion, never worth an error box:
            return table, []  # completion falls back to the names seen in results and grids

    return run


class TableFieldCache(QObject):
    """`fields(table)` answers from the cache or starts a fetch; `loaded` says when it lands."""

    loaded = Signal(str)  # the table whose fields arrived

    TTL = 60.0
    RETRY = 10.0  # a fetch that never answered (its lane stopped) may be started again

    def __init__(self, read: ReadFn, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._read = read
        self._fields: dict[str, tuple[float, list[str]]] = {}
        self._pending: dict[str, float] = {}

    def fields(self, table: str) -> list[str] | None:
        """The table's dotted field paths, or None while the first fetch is running."""
        kept = self._fields.get(table)
        if kept is None or time.monotonic() - kept[0] > self.TTL:
            self._start(table)
        return None if kept is None else kept[1]

    def invalidate(self) -> None:
        """Forget every table (the next request fetches again)."""
        self._fields.clear()

    def _start(self, table: str) -> None:
        now = time.monotonic()
        if now - self._pending.get(table, -self.RETRY) < self.RETRY:
            return
        self._pending[table] = now
        task = self._read(_fetch(table), f"fields of {table}")
        # a bound slot, not a lambda: Qt drops the connection if the editor is gone first
        task.succeeded.connect(self._arrived)

    def _arrived(self, result: tuple[str, list[str]]) -> None:
        table, names = result
        self._pending.pop(table, None)
        self._fields[table] = (time.monotonic(), list(names))
        self.loaded.emit(table)
