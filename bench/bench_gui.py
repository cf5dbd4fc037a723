"""Desktop app benchmark: launch to first paint on a large ledger, and the worst GUI-thread
stall while scrolling the documents grid and while an import runs.

    python3 bench/bench_gui.py                     # 1,000,000 revisions, built once and reused
    python3 bench/bench_gui.py --quick             # 50,000 revisions
    python3 bench/bench_gui.py --revisions 200000 --ledger /tmp/gui200k.ledger

Targets (issue 5): first paint under 2 s, no GUI-thread stall over 100 ms.

* Launch: a fresh `python` process starts the app on the ledger (as `ledger-desktop PATH`
  does); the parent takes the time from spawning it to the main window's first paint event,
  and to the first page of documents shown in the grid.
* Stalls: a 2 ms heartbeat timer runs on the GUI thread; the worst gap between two beats,
  less the interval, is the longest time the GUI thread could not react. Scrolling drives the
  grid's scroll bar (pages down, jumps to the end, which fetches more pages) and repaints the
  viewport each step; the import runs a JSON Lines file through the import dialog.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BATCH = 5_000           # documents per transaction (block) when building
HEARTBEAT_MS = 2


def build_ledger(path: Path, revisions: int) -> None:
    from ledger_desktop.engine.ledger import Ledger

    t0 = time.perf_counter()
    led = Ledger.create(path)
    try:
        with led.transaction() as tx:
            table = tx.create_table("Vehicle", tx.begin_statement("CREATE TABLE Vehicle"))
        made = 0
        while made < revisions:
            with led.atomic():
                for _ in range(20):
                    if made >= revisions:
                        break
                    with led.transaction() as tx:
                        for _ in range(min(BATCH, revisions - made)):
                            doc = {"VIN": f"VIN{made:09d}", "Make": ("Audi", "Tesla", "Ford")
                                   [made % 3], "Year": 1990 + made % 35,
                                   "Owner": {"Name": f"Person {made}", "City": "Seattle"},
                                   "Mileage": made * 7 % 250_000}
                            tx.insert(table, doc, tx.begin_statement("INSERT INTO Vehicle ?",
                                                                     (doc,)))
                            made += 1
            print(f"  built {made:,} revisions "
                  f"({made / (time.perf_counter() - t0):,.0f}/s)", file=sys.stderr)
    except BaseException:
        led.close()
        path.unlink(missing_ok=True)
        raise
    led.close()


# -- child process: the app, instrumented ------------------------------------------------------
def child(path: str, spawned: float) -> int:
    from PySide6.QtCore import QEvent, QObject, QTimer

    from ledger_desktop.ui.app import create_application

    app = create_application([])
    from ledger_desktop.ui.context import AppContext
    from ledger_desktop.ui.main_window import MainWindow
    from ledger_desktop.ui.settings import Profile, Settings
    from ledger_desktop.ui.theme import apply_system_theme

    apply_system_theme(app)
    profile = Profile.create(temporary=True)
    ctx = AppContext(Settings(profile), profile)
    marks: dict[str, float] = {}

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint and "first_paint" not in marks:
                marks["first_paint"] = time.time() - spawned
            return False

    window = MainWindow(ctx)
    watcher = FirstPaint()
    window.installEventFilter(watcher)
    window.resize(1280, 800)
    window.show()
    window.open_ledger(path)

    def poll() -> None:
        ws = window.current_workspace()
        view = ws.views.currentWidget() if ws is not None else None
        if view is not None and getattr(view, "model", None) is not None and \
                view.model.rowCount() > 0 and "first_rows" not in marks:
            view.grid.viewport().repaint()
            marks["first_rows"] = time.time() - spawned
        if "first_rows" in marks and "first_paint" in marks:
            window.close()
            app.quit()

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(5)
    QTimer.singleShot(60_000, app.quit)
    app.exec()
    ctx.shutdown()
    profile.discard()
    print(json.dumps(marks))
    return 0


def measure_launch(path: Path, runs: int) -> list[dict[str, float]]:
    out = []
    for _ in range(runs):
        spawned = time.time()
        proc = subprocess.run([sys.executable, __file__, "--child", str(path), str(spawned)],
                              capture_output=True, text=True, timeout=120)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
        if proc.returncode != 0 or not lines:
            raise RuntimeError(f"the app did not start: {proc.stderr[-2000:]}")
        out.append(json.loads(lines[-1]))
    return out


# -- stalls (in this process) ------------------------------------------------------------------
class Heartbeat:
    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.worst = 0.0
        self.last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self.beat)

    def beat(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, (now - self.last) * 1000 - HEARTBEAT_MS)
        self.last = now

    def start(self) -> None:
        self.worst = 0.0
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return self.worst


def run_for(app, seconds: float, step=None, every_ms: int = 15) -> None:
    end = time.perf_counter() + seconds
    next_step = time.perf_counter()
    while time.perf_counter() < end:
        app.processEvents()
        if step is not None and time.perf_counter() >= next_step:
            if step() is False:
                return
            next_step = time.perf_counter() + every_ms / 1000
        time.sleep(0.0005)


def measure_stalls(path: Path, import_docs: int) -> dict[str, float]:
    from ledger_desktop.ui.app import create_application

    app = create_application([])
    from ledger_desktop.ui.context import AppContext
    from ledger_desktop.ui.main_window import MainWindow
    from ledger_desktop.ui.settings import Profile, Settings

    profile = Profile.create(temporary=True)
    ctx = AppContext(Settings(profile), profile)
    window = MainWindow(ctx)
    window.resize(1280, 800)
    window.show()
    window.open_ledger(path)
    run_for(app, 30, lambda: False if (window.current_workspace() is not None and
                                       window.current_workspace().ever_loaded) else None)
    ws = window.current_workspace()
    view = ws.open_table(ws.table_by_name("Vehicle"))
    run_for(app, 30, lambda: False if view.model.rowCount() > 0 else None)
    heart = Heartbeat()
    bar = view.grid.verticalScrollBar()
    results: dict[str, float] = {}

    # Scrolling: page down repeatedly, sometimes jump to the end (fetches the next page).
    steps = {"n": 0}

    def scroll() -> None:
        steps["n"] += 1
        if steps["n"] % 10 == 0:
            bar.setValue(bar.maximum())
        else:
            bar.setValue(bar.value() + bar.pageStep())
        view.grid.viewport().repaint()

    heart.start()
    run_for(app, 6.0, scroll, every_ms=10)
    results["scroll_worst_stall_ms"] = heart.stop()
    results["rows_loaded_while_scrolling"] = view.model.rowCount()

    # Import: a JSON Lines file through the import dialog, while the GUI thread keeps beating.
    tmp = Path(tempfile.mkdtemp(prefix="bench-gui-"))
    data = tmp / "Extra.jsonl"
    with data.open("w") as f:
        for i in range(import_docs):
            f.write(json.dumps({"VIN": f"X{i:08d}", "Make": "Kia", "Year": 2000 + i % 20,
                                "Km": i * 3}) + "\n")
    dlg = ws.import_files([str(data)])
    run_for(app, 30, lambda: False if dlg.preview_model.rowCount() > 0 else None)
    heart.start()
    t0 = time.perf_counter()
    task = dlg.start()
    run_for(app, 600, lambda: (scroll(), False)[1] if task.done else scroll(), every_ms=50)
    results["import_worst_stall_ms"] = heart.stop()
    results["import_seconds"] = time.perf_counter() - t0
    results["import_docs_per_s"] = import_docs / results["import_seconds"]
    results["import_ok"] = float(task.state.name == "SUCCEEDED")
    dlg.close()
    window.close()
    ctx.shutdown()
    profile.discard()
    data.unlink()
    tmp.rmdir()
    return results


def main() -> int:
    if len(sys.argv) >= 2 and sys.argv[1] == "--child":
        return child(sys.argv[2], float(sys.argv[3]))
    parser = argparse.ArgumentParser(description="GUI benchmark (issue 5)")
    parser.add_argument("--revisions", type=int, default=None)
    parser.add_argument("--quick", action="store_true", help="50,000 revisions, small import")
    parser.add_argument("--ledger", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=3, help="launches to time")
    args = parser.parse_args()
    revisions = args.revisions or (50_000 if args.quick else 1_000_000)
    path = args.ledger or Path(tempfile.gettempdir()) / f"ledger-bench-gui-{revisions}.ledger"
    if not path.exists():
        print(f"building {path} with {revisions:,} revisions (once; reused later)",
              file=sys.stderr)
        build_ledger(path, revisions)
    print(f"ledger: {path} ({path.stat().st_size / 1e6:,.0f} MB, {revisions:,} revisions)")
    launches = measure_launch(path, args.runs)
    first_paint = [m["first_paint"] for m in launches]
    first_rows = [m["first_rows"] for m in launches]
    print(f"launch to first paint:      best {min(first_paint):.2f} s, "
          f"worst {max(first_paint):.2f} s   (target < 2 s)")
    print(f"launch to first grid rows:  best {min(first_rows):.2f} s, "
          f"worst {max(first_rows):.2f} s")
    # The import adds documents: measure on a copy so the cached ledger stays as built.
    work = Path(tempfile.mkdtemp(prefix="bench-gui-")) / path.name
    shutil.copyfile(path, work)
    try:
        stalls = measure_stalls(work, 20_000 if args.quick else 100_000)
    finally:
        shutil.rmtree(work.parent, ignore_errors=True)
    print(f"worst GUI stall scrolling:  {stalls['scroll_worst_stall_ms']:.0f} ms "
          f"({stalls['rows_loaded_while_scrolling']:,.0f} rows fetched)   (target < 100 ms)")
    print(f"worst GUI stall importing:  {stalls['import_worst_stall_ms']:.0f} ms "
          f"(import {stalls['import_seconds']:.1f} s, {stalls['import_docs_per_s']:,.0f} docs/s,"
          f" {'ok' if stalls['import_ok'] else 'FAILED'})   (target < 100 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
