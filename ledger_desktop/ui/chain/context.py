"""The explicit context the chain and verification widgets take: which ledger, and how to run
work off the GUI thread (the workers layer), plus optional links into the rest of the app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...workers.session import LedgerSession
from ...workers.tasks import Lane, Task, TaskFn


def _open_read_only(path: Path) -> Any:
    from ...engine.ledger import Ledger

    return Ledger.open(path, read_only=True)


@dataclass
class LedgerViewContext:
    path: Path
    session: LedgerSession
    data_dir: Path                                   # where saved digests are kept
    open_block: Callable[[int], Any] | None = None  # the app's block inspector (returns it)
    open_document: Callable[[str], None] | None = None  # the app's revision history, if any
    settings: Any = None  # the app's Settings (the last folder for save dialogs), if any

    def start_dir(self) -> str:
        """Where a save or open dialog starts: the folder last used, never the process's
        working directory (a bare file name in a dialog means that)."""
        return str(self.settings.last_dir()) if self.settings is not None else str(Path.home())

    def remember_dir(self, path: str | Path) -> None:
        if self.settings is not None:
            self.settings.set_last_dir(str(Path(path).parent))

    def read(self, fn: TaskFn, name: str = "") -> Task:
        """Quick reads (search, a window of block summaries) on the session's reader lane."""
        return self.session.read(fn, name)

    def lane(self, name: str) -> Lane:
        """A dedicated read-only lane for long work (verification, loading columns), so the
        browser's reads never wait behind it."""
        try:
            return self.session.lane(name)
        except KeyError:
            return self.session.add_lane(name, lambda: _open_read_only(self.path))
