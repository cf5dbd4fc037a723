"""Chain view benchmark: time to first render and frame time while panning, at 1,000,000 blocks.

    python3 bench/bench_chain.py                       # builds /tmp/ledger-bench-1m.ledger once
    python3 bench/bench_chain.py --blocks 100000 --ledger /tmp/b100k.ledger

Targets (issue 6): first render under 1 s, pan frames under 50 ms. The ledger is built with one
small document per transaction (one block each) inside `ledger.atomic()` batches, and reused by
later runs. Frames are painted synchronously (`viewport().repaint()`) on the offscreen platform.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BATCH = 10_000


def build_ledger(path: Path, blocks: int) -> None:
    from ledger_desktop.engine.ledger import Ledger

    t0 = time.perf_counter()
    led = Ledger.create(path)
    try:
        led.execute("CREATE TABLE Reading")
        table = led.table("Reading").table_id
        made = led.block_count()
        while made < blocks:
            with led.atomic():
                for _ in range(min(BATCH, blocks - made)):
                    with led.transaction() as tx:
                        tx.insert(table, {"n": made, "sensor": f"s{made % 97}"},
                                  tx.begin_statement("INSERT INTO Reading ?"))
                    made += 1
            rate = made / (time.perf_counter() - t0)
            print(f"  built {made:,} blocks ({rate:,.0f} blocks/s)", file=sys.stderr)
    finally:
        led.close()


def _frames(app, view, first: float, span: float, steps: int) -> tuple[list[float], list[float]]:
    """Pan right by 2% of the span per frame. Returns (whole frame ms: range change, pending
    events and a synchronous repaint of the plot; the chain item's own paint ms)."""
    vb = view.vb
    frames, item = [], []
    x = first
    for _ in range(steps):
        x += span * 0.02
        t = time.perf_counter()
        vb.setXRange(x, x + span, padding=0)
        app.processEvents()
        view.plot.viewport().repaint()
        frames.append((time.perf_counter() - t) * 1000)
        item.append(view.item.last_paint_s * 1000)
    return frames, item


def run(path: Path) -> dict[str, float]:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from ledger_desktop.ui.chain.context import LedgerViewContext
    from ledger_desktop.ui.chain.view import ChainView
    from ledger_desktop.workers.session import LedgerSession

    results: dict[str, float] = {}
    t0 = time.perf_counter()
    session = LedgerSession(path)
    view = ChainView(LedgerViewContext(path, session, Path("/tmp/bench-chain-data")))
    view.resize(1400, 700)
    view.show()
    while view.model.count == 0:
        app.processEvents()
    view.plot.viewport().repaint()
    results["first_render_s"] = time.perf_counter() - t0
    results["blocks"] = view.model.count
    results["first_mode_bucket"] = float(view.item.last_mode.split(":")[-1]
                                         if ":" in view.item.last_mode else 1)
    loaded = []
    view.columns_loaded.connect(lambda: loaded.append(time.perf_counter()))
    while not loaded:
        app.processEvents()
        time.sleep(0.002)
    results["columns_loaded_s"] = loaded[0] - t0
    n = view.model.count
    # colour it as a tampered journal would be: one failure a third of the way in (the first
    # frame after that pays for recomputing the categories and the legend counts: timed apart)
    view.model.apply_progress(n, [n // 3])
    t = time.perf_counter()
    view.model.categories()
    view.model.counts()
    results["state_change_ms"] = (time.perf_counter() - t) * 1000
    for label, span in (("whole", n * 0.9), ("100k", 100_000), ("1k", 1_000), ("40", 40)):
        span = min(span, n * 0.9)
        _frames(app, view, n * 0.01, span, 3)  # warm-up: the zoom change itself, not panning
        frames, item = _frames(app, view, n * 0.02, span, 40)
        results[f"pan_{label}_median_ms"] = statistics.median(frames)
        results[f"pan_{label}_max_ms"] = max(frames)
        results[f"pan_{label}_item_ms"] = statistics.median(item)
        results[f"pan_{label}_mode"] = view.item.last_mode  # type: ignore[assignment]
    view.shutdown()
    view.close()
    session.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=None, help="default 1,000,000")
    parser.add_argument("--quick", action="store_true", help="100,000 blocks (bench/run.py)")
    parser.add_argument("--ledger", type=Path, default=None,
                        help="ledger file to use (built if missing)")
    args = parser.parse_args()
    args.blocks = args.blocks or (100_000 if args.quick else 1_000_000)
    path = args.ledger or Path(f"/tmp/ledger-bench-{args.blocks // 1000}k.ledger")
    if not path.exists():
        print(f"building {path} with {args.blocks:,} blocks (once)…", file=sys.stderr)
        build_ledger(path, args.blocks)
    r = run(path)
    print(f"chain view, {int(r['blocks']):,} blocks ({path})")
    print(f"  first render (block count + first frame): {r['first_render_s'] * 1000:8.1f} ms"
          "   target < 1000 ms")
    print(f"  journal columns loaded (background lane):  {r['columns_loaded_s'] * 1000:8.1f} ms")
    print(f"  recolour after a verification update:      {r['state_change_ms']:8.1f} ms")
    for label in ("whole", "100k", "1k", "40"):
        print(f"  pan frame, {label:>5} visible: median {r[f'pan_{label}_median_ms']:6.2f} ms, "
              f"max {r[f'pan_{label}_max_ms']:6.2f} ms (chain item paint "
              f"{r[f'pan_{label}_item_ms']:5.2f} ms) [{r[f'pan_{label}_mode']}]   target < 50 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
