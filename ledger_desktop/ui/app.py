"""Start-up: `ledger-desktop [PATH] [--quit-after MS] [--temp-profile]`.

`LEDGER_DESKTOP_QUIT_AFTER` and `LEDGER_DESKTOP_TEMP_PROFILE` mean the same as the flags, so
CI, screenshots and the frozen-app smoke test can start the app and have it quit by itself.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from .. import __version__
from ..workers import warmup
from ..workers.tasks import join_retired

APP_NAME = "Ledger Desktop"
ORG_NAME = "LedgerDesktop"


def parse_args(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(
        prog="ledger-desktop",
        description="Explore, query and import into QLDB-compatible ledgers.")
    parser.add_argument("path", nargs="?", help="a ledger file to open (default: the sample)")
    parser.add_argument("--quit-after", type=int, metavar="MS", default=None,
                        help="quit by itself after MS milliseconds (tests, screenshots)")
    parser.add_argument("--temp-profile", action="store_true",
                        help="keep settings and the sample in a temporary folder removed at exit")
    parser.add_argument("--smoke-test", action="store_true",
                        help="open the ledger (default: the sample), verify it, print the "
                             "result and exit: 0 verified, 1 anything else")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    args, rest = parser.parse_known_args(list(argv))
    env_quit = os.environ.get("LEDGER_DESKTOP_QUIT_AFTER")
    if args.quit_after is None and env_quit:
        try:
            args.quit_after = int(env_quit)
        except ValueError:
            parser.error(f"LEDGER_DESKTOP_QUIT_AFTER must be milliseconds, not {env_quit!r}")
    if os.environ.get("LEDGER_DESKTOP_TEMP_PROFILE", "") not in ("", "0", "false", "no"):
        args.temp_profile = True
    return args, rest


def create_application(qt_args: list[str]) -> QApplication:
    # Workers run Python while the GUI thread repaints, and every paint calls back into Python
    # many times (one call per cell and role), each needing the GIL: a shorter switch interval
    # than the default 5 ms cuts the GUI thread's waits (bench/bench_gui.py).
    sys.setswitchinterval(0.001)
    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationVersion(__version__)
    # The installed ledger-desktop.desktop entry: Wayland's app_id, so docks show its icon.
    app.setDesktopFileName("ledger-desktop")
    return app  # type: ignore[return-value]


def _is_data_file(path: str) -> bool:
    """A file to import rather than a ledger: not an SQLite database, by its first bytes."""
    from pathlib import Path

    from ..engine.storage import SQLITE_MAGIC

    p = Path(path)
    if not p.is_file() or p.stat().st_size == 0:
        return False
    with open(p, "rb") as f:
        return f.read(16) != SQLITE_MAGIC and p.suffix.lower() in {
            ".ion", ".10n", ".json", ".jsonl", ".ndjson", ".csv"}


def open_at_start(window: Any, path: str | None) -> None:
    """What the window shows first: PATH (a data file goes to the import flow, not "not a
    ledger file"), else the ledgers open when the app last quit, else the sample."""
    if path and _is_data_file(path):
        window.opener.dropped([path])
    elif path:
        window.open_ledger(path)
    elif not window.restore_session():
        window.open_sample()


def _warm_lazy_modules() -> threading.Thread:
    """Import what the first Verification view and the first query need in a thread, so that
    neither first use holds the GUI thread. Both only import modules and build no Qt object.

    The chart library goes first: the Verification view imports it on the GUI thread (about
    0.3 s), while the PartiQL parser tables (about 0.13 s) are first needed by a query, which
    runs on a worker lane anyway. Opening the view while the step runs waits for it
    (`warmup.when_ready`) instead of importing the same modules a second time."""

    def chart() -> None:
        from .verify import centre  # noqa: F401 - imports pyqtgraph, numpy, the chain view

    def partiql() -> None:
        from ..engine.query import parser

        parser.parse("SELECT * FROM t WHERE x = 1")

    return warmup.start([("verify", chart), ("query", partiql)])


class _WarmWhenSettled(QObject):
    """Calls `callback` once the window has painted and start-up has settled: no tools-lane
    work (the sample being built) and every open ledger's catalog loaded, or after
    `MAX_WAIT_MS` in any case. Importing in a thread while the GUI thread imports the ledger
    views (opening the first ledger) made both wait on the same modules: 50-120 ms pauses."""

    POLL_MS = 40
    MAX_WAIT_MS = 3000

    def __init__(self, window: Any, callback: Callable[[], object]) -> None:
        super().__init__(window)
        self._window = window
        self._callback: Callable[[], object] | None = callback
        self._painted = False
        self._timer = QTimer(self)
        self._timer.setInterval(self.POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._give_up = QTimer(self)
        self._give_up.setSingleShot(True)
        self._give_up.timeout.connect(self._fire)
        self._give_up.start(self.MAX_WAIT_MS)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._painted:
            self._painted = True
            self._window.removeEventFilter(self)
            self._timer.start()  # the first poll comes after the rest of this paint
        return False

    def _settled(self) -> bool:
        tools = getattr(self._window.ctx, "tools", None)
        if tools is not None and tools.tasks():
            return False
        return all(getattr(ws, "ever_loaded", True) for ws in self._window.workspaces())

    def _poll(self) -> None:
        if self._settled():
            self._fire()

    def _fire(self) -> None:
        if self._callback is None:
            return
        callback, self._callback = self._callback, None
        self._timer.stop()
        self._give_up.stop()
        if not self._painted:
            self._window.removeEventFilter(self)
        callback()


def warm_up_when_settled(window: Any) -> None:
    """Start the warm-up as soon as the window is up and the first ledger is open: a fixed
    second after start (as before) left a first Verification view opened in the first ~2 s
    importing pyqtgraph on the GUI thread (350-440 ms)."""
    _WarmWhenSettled(window, lambda: _warm_lazy_modules())


def main(argv: Sequence[str] | None = None) -> int:
    args, qt_args = parse_args(sys.argv[1:] if argv is None else argv)
    app = create_application(qt_args)

    # Imported after QApplication exists: they build icons and palettes.
    from .context import AppContext
    from .icons import app_icon
    from .main_window import MainWindow
    from .settings import Profile, Settings
    from .theme import apply_scheme, apply_system_theme

    apply_system_theme(app)
    app.setWindowIcon(app_icon())
    profile = Profile.create(temporary=args.temp_profile)
    ctx = AppContext(settings=Settings(profile), profile=profile)
    apply_scheme(app, ctx.settings.scheme())
    window = MainWindow(ctx)
    smoke = None
    if args.smoke_test:  # before opening, so it sees every error the opening reports
        from .smoke import SmokeTest

        smoke = SmokeTest(window)
    window.show()
    open_at_start(window, args.path)
    if args.quit_after is not None:
        window.unattended = True  # an open transaction must not hold the quit on a question
        QTimer.singleShot(max(0, args.quit_after), window.close)
    # Load the chart library and the PartiQL layer while the user looks at the window, so that
    # the first Verification view and the first query open at once.
    warm_up_when_settled(window)
    try:
        code = app.exec()
    finally:
        join_retired()  # closed ledgers' threads finish and close their files before exit
        _join_helper_threads()  # no sort or text thread emits through a relay torn down
        warmup.join()  # no import may still run in a thread as the interpreter shuts down
        ctx.shutdown()
        ctx.settings.sync()
        profile.discard()
    return code if smoke is None else smoke.result()


#: threads that report through a module-level QObject relay (models/background_sort.py,
#: ion_text_job.py) or free rows: given a moment to end before Qt is torn down at exit
_HELPER_THREADS = ("sort-rows", "ion-text", "release-rows", "diff-revisions")


def _join_helper_threads(timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    for t in threading.enumerate():
        if t.name in _HELPER_THREADS and t is not threading.current_thread():
            t.join(max(0.0, deadline - time.monotonic()))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
