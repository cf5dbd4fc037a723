"""`ledger-desktop --smoke-test`: prove a build works end to end, then quit by itself.

Waits for the window to open its ledger (the sample by default, built on the tools lane like a
user's first start), runs `ledger.verify()` on that ledger's reader lane (the path every view's
work takes), prints one line with the result and closes the window. The exit code is 0 when the
ledger verified, 1 otherwise: an error the app reported (any ERROR logged by the UI), a failed
verification, or nothing happening before the timeout. packaging/build.py runs this on the
frozen app and on the installed .deb.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer

if TYPE_CHECKING:
    from .main_window import MainWindow

DEFAULT_TIMEOUT_MS = 120_000
POLL_MS = 50


class _ErrorCatcher(logging.Handler):
    """Turns the first ERROR the UI logs (every error dialog logs one) into a failed smoke test."""

    def __init__(self, smoke: SmokeTest) -> None:
        super().__init__(logging.ERROR)
        self.smoke = smoke

    def emit(self, record: logging.LogRecord) -> None:
        self.smoke.finish(1, f"the app reported an error: {record.getMessage()}")


class SmokeTest(QObject):
    def __init__(self, window: MainWindow, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
        super().__init__(window)
        self.window = window
        self.exit_code: int | None = None
        self._task: Any = None
        self._catcher = _ErrorCatcher(self)
        logging.getLogger("ledger_desktop.ui").addHandler(self._catcher)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._check)
        self._poll.start()
        QTimer.singleShot(timeout_ms, lambda: self.finish(
            1, f"nothing was verified within {timeout_ms / 1000:.0f} s"))
        window.destroyed.connect(self._detach)

    def _check(self) -> None:
        workspaces = self.window.workspaces()
        if not workspaces or self._task is not None:
            return
        self._poll.stop()
        workspace = workspaces[0]
        path = workspace.path
        # Queued behind the workspace's own catalog load on the same reader lane.
        self._task = workspace.session.read(lambda ledger, progress, cancel: ledger.verify(
            progress=progress, cancel=cancel), "smoke test: verify")
        self._task.succeeded.connect(lambda report: self.finish(
            0 if report.ok else 1, f"verified {path}: {report.summary()}"))
        self._task.failed.connect(lambda exc: self.finish(
            1, f"verifying {path} failed: {type(exc).__name__}: {exc}"))
        self._task.cancelled.connect(lambda: self.finish(1, f"verifying {path} was cancelled"))

    def finish(self, code: int, message: str, close: bool = True) -> None:
        """Record the first outcome, print it and close the window (which quits the app)."""
        if self.exit_code is not None:
            return
        self.exit_code = code
        self._poll.stop()
        line = f"smoke test {'passed' if code == 0 else 'FAILED'}: {message}"
        # A windowed Windows build has no stdout (sys.stdout is None and print does nothing),
        # so the outcome can also go to the file LEDGER_DESKTOP_SMOKE_LOG names.
        print(line, file=sys.stdout if code == 0 else sys.stderr, flush=True)
        log_path = os.environ.get("LEDGER_DESKTOP_SMOKE_LOG")
        if log_path:
            with open(log_path, "a", encoding="utf-8") as f:
                f.write(line + "\n")
        if close:
            QTimer.singleShot(0, self.window.close)

    def result(self) -> int:
        """The exit code for main(): a run that ended before any outcome has failed."""
        if self.exit_code is None:
            self.finish(1, "the app quit before the ledger was verified", close=False)
        self._detach()
        return self.exit_code if self.exit_code is not None else 1

    def _detach(self) -> None:
        logging.getLogger("ledger_desktop.ui").removeHandler(self._catcher)
