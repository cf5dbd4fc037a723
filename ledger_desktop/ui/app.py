"""Start-up: `ledger-desktop [PATH] [--quit-after MS] [--temp-profile]`.

`LEDGER_DESKTOP_QUIT_AFTER` and `LEDGER_DESKTOP_TEMP_PROFILE` mean the same as the flags, so
CI, screenshots and the frozen-app smoke test can start the app and have it quit by itself.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Sequence

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from .. import __version__

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


def _warm_lazy_modules() -> threading.Thread:
    """Import what the first query and the first Verification view need (the PartiQL parser
    tables; pyqtgraph and the chain view, about 0.3 s) in a thread, so that neither first use
    holds the GUI thread. Both only import modules and build no Qt object."""

    def warm() -> None:
        try:
            from ..engine.query import parser

            parser.parse("SELECT * FROM t WHERE x = 1")
            from .verify import centre  # noqa: F401 - imports pyqtgraph
        except Exception:  # the first real use reports any problem itself
            pass

    thread = threading.Thread(target=warm, name="warm-lazy-modules", daemon=True)
    thread.start()
    return thread


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
    if args.path and _is_data_file(args.path):
        # A double-clicked .ion/.json/.csv file: the import flow, not "not a ledger file".
        window.opener.dropped([args.path])
    elif args.path:
        window.open_ledger(args.path)
    else:
        window.open_sample()
    if args.quit_after is not None:
        QTimer.singleShot(max(0, args.quit_after), window.close)
    # Load the PartiQL layer and the chart library while the user looks at the window, so that
    # the first query and the first Verification view open at once.
    QTimer.singleShot(1000, _warm_lazy_modules)
    try:
        code = app.exec()
    finally:
        ctx.shutdown()
        ctx.settings.sync()
        profile.discard()
    return code if smoke is None else smoke.result()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
