"""Regenerate docs/screenshots/*.png from the real app on the sample ledger.

    python3 scripts/screenshots.py [--out docs/screenshots] [--dark]

Runs offscreen (no display needed; under xvfb-run it works the same) in a temporary profile,
builds the sample ledger, drives the main window and grabs each view with QWidget.grab().
Later features add their own shots to SHOTS.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtGui import QColor, QPainter, QPixmap  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

SIZE = (1360, 840)


def wait_until(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        QApplication.processEvents()
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not reach the expected state")
        time.sleep(0.01)
    for _ in range(5):
        QApplication.processEvents()


def settle(seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)


def grab_with_dialog(window: QWidget, dialog: QWidget) -> QPixmap:
    """The window with a dialog drawn over its centre (offscreen has no compositor)."""
    base = window.grab()
    over = dialog.grab()
    painter = QPainter(base)
    x, y = (base.width() - over.width()) // 2, (base.height() - over.height()) // 2
    painter.fillRect(x - 5, y - 5, over.width() + 10, over.height() + 10, QColor(0, 0, 0, 60))
    painter.drawPixmap(QPoint(x, y), over)
    painter.setPen(QColor("#7d8590"))
    painter.drawRect(x - 1, y - 1, over.width() + 1, over.height() + 1)
    painter.end()
    return base


# -- the shots --------------------------------------------------------------------------------
def shot_welcome(window, ws, tmp):
    window.tabs.setCurrentWidget(window.welcome)
    return window.grab()


def shot_documents(window, ws, tmp):
    window.tabs.setCurrentWidget(ws)
    view = ws.open_table(ws.table_by_name("Vehicle"))
    wait_until(lambda: view.model.exhausted and view.model.rowCount() > 0)
    view.select_row(2)
    wait_until(lambda: view.pane.fields["hash"].text() != "")
    return window.grab()


def shot_filter(window, ws, tmp):
    view = ws.open_table(ws.table_by_name("VehicleRegistration"))
    wait_until(lambda: view.model.exhausted)
    view.field.setEditText("PendingPenaltyTicketAmount")
    view.op.setCurrentText(">")
    view.value.setText("50")
    view.apply_filter()
    wait_until(lambda: view.model.exhausted and not view.model.loading)
    if view.model.rowCount():
        view.select_row(0)
        wait_until(lambda: view.pane.fields["hash"].text() != "")
    return window.grab()


def _most_revised(ws):
    from ledger_desktop.engine.ledger import Ledger

    with Ledger.open(ws.path, read_only=True) as ledger:
        best = None
        for t in ledger.tables():
            for d in ledger.documents(t.table_id, limit=1000):
                if best is None or d.version > best.version:
                    best = d
    return best


def shot_history(window, ws, tmp):
    doc = _most_revised(ws)
    view = ws.open_history(doc.doc_id)
    wait_until(lambda: view.model.rowCount() > 0)
    settle()
    return window.grab()


def shot_block(window, ws, tmp):
    doc = _most_revised(ws)
    inspector = ws.open_block(doc.block_seq)
    wait_until(lambda: inspector.block is not None)
    return window.grab()


def shot_query(window, ws, tmp):
    view = ws.open_query()
    view.editor.setPlainText(
        "-- owners of every registered vehicle\n"
        "SELECT r.VIN, r.LicensePlateNumber, r.City, p.FirstName, p.LastName\n"
        "FROM VehicleRegistration AS r, Person AS p BY pid\n"
        "WHERE r.Owners.PrimaryOwner.PersonId = pid")
    view.editor.moveCursor(view.editor.textCursor().MoveOperation.End)
    task = view.run()
    wait_until(lambda: task.done)
    if task.state.name != "SUCCEEDED" or not task.result.values:
        raise RuntimeError(f"the screenshot query failed: {task.error}")  # picture must be true
    return window.grab()


def shot_query_error(window, ws, tmp):
    view = ws.open_query()
    view.editor.setPlainText("SELECT v.VIN, v.Make\nFROM Vehicle AS v\nWHER v.Year > 2012")
    view.editor.moveCursor(view.editor.textCursor().MoveOperation.End)
    task = view.run()
    wait_until(lambda: task.done)
    return window.grab()


def shot_import(window, ws, tmp):
    data = Path(tmp) / "Inspections.jsonl"
    data.write_text("".join(json.dumps({"VIN": vin, "Date": f"2024-0{m}-1{m}",
                                        "Passed": m % 3 != 0, "Odometer": 10000 * m + 123})
                            + "\n" for m in range(1, 9) for vin in ("1N4AL11D75C109151",
                                                                   "KM8SRDHF6EU074761")))
    dlg = ws.import_files([str(data)])
    wait_until(lambda: dlg.preview_model.rowCount() > 0)
    settle()
    pixmap = grab_with_dialog(window, dlg)
    dlg.close()
    return pixmap


SHOTS: list[tuple[str, Callable]] = [
    ("welcome", shot_welcome),
    ("documents", shot_documents),
    ("filter", shot_filter),
    ("history", shot_history),
    ("block-inspector", shot_block),
    ("query", shot_query),
    ("query-error", shot_query_error),
    ("import", shot_import),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "docs" /
                                              "screenshots"))
    parser.add_argument("--only", nargs="*", help="names of shots to take (default: all)")
    parser.add_argument("--dark", action="store_true", help="use the dark palette")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="ledger-shots-")
    os.environ["LEDGER_DESKTOP_PROFILE"] = tmp

    from ledger_desktop.ui.app import _warm_lazy_modules, create_application

    app = create_application([])
    from ledger_desktop.ui import theme
    from ledger_desktop.ui.context import AppContext
    from ledger_desktop.ui.icons import app_icon
    from ledger_desktop.ui.main_window import MainWindow
    from ledger_desktop.ui.settings import Profile, Settings

    theme.apply_system_theme(app)
    if args.dark:
        app.setPalette(theme._dark_palette())
    app.setWindowIcon(app_icon())
    profile = Profile.create(temporary=False)
    ctx = AppContext(Settings(profile), profile)
    window = MainWindow(ctx)
    window.resize(*SIZE)
    window.show()
    window.open_sample()
    wait_until(lambda: window.current_workspace() is not None and
               window.current_workspace().ever_loaded, timeout=60)
    ws = window.current_workspace()
    # The app loads the PartiQL layer a second after start (app.main), long before anyone
    # types a query; do the same, so the timings the pictures show are a user's.
    _warm_lazy_modules().join(timeout=60)
    suffix = "-dark" if args.dark else ""
    try:
        for name, fn in SHOTS:
            if args.only and name not in args.only:
                continue
            pixmap = fn(window, ws, tmp)
            path = out / f"{name}{suffix}.png"
            pixmap.save(str(path))
            print(path)
    finally:
        window.close()
        ctx.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
