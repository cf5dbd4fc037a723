"""Exchange benchmarks (issue 4): file import, export, verify-export, stream to files.

Each figure is printed with the issue's target and a ratio to a baseline measured in the same
run on the same data, so a slow machine shows as slow baselines too. Rates are wall-clock; the
CPU-time rate (the process's own CPU seconds) is printed beside each, because on a shared
machine the wall-clock rate mostly measures the other processes. Baselines:

- import (JSON Lines -> ledger, one `ledger import` process; its peak RSS is measured) against
  parsing the same lines with `json.loads` alone;
- export, per format, against reading the same blocks alone, as the export reads them
  (`journal_reads.iter_blocks_bare`: bare values, each block's blobs parsed in one call; until
  2026-11-27 this was `ledger.iter_blocks`, IonPy values, which exports no longer use). Ion
  binary exports copy document bytes without parsing them, so they can beat this baseline;
- verify-export, per format, against parsing the export's data objects alone;
- stream to the file sink against building and encoding the same records alone, as the stream
  does (`streams.block_record_bytes` on the stored rows; until 2026-11-27 `block_records` +
  `encode_record` on `ledger.iter_blocks`, which the stream no longer uses): the ratio shows
  what the sink and the checkpoints cost.

    python3 bench/bench_exchange.py            # 1,000,000-line import, export/verify/stream
    python3 bench/bench_exchange.py --quick    # 50,000 lines, for a smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from amazon.ion import simpleion  # noqa: E402

from ledger_desktop.engine.export_verify import verify_export  # noqa: E402
from ledger_desktop.engine.exports import (  # noqa: E402
    export_journal,
    iter_object_blocks,
    open_export,
    paused_gc,
)
from ledger_desktop.engine.journal_reads import iter_block_rows, iter_blocks_bare  # noqa: E402
from ledger_desktop.engine.ledger import Ledger  # noqa: E402
from ledger_desktop.engine.stream_sinks import FileSink  # noqa: E402
from ledger_desktop.engine.streams import (  # noqa: E402
    Checkpoint,
    block_record_bytes,
    run_stream,
)

TARGET = 20_000


class Timer:
    """Wall-clock and CPU seconds of a block (CPU of this process, or of finished children)."""

    def __init__(self, children: bool = False) -> None:
        self.children = children

    def _cpu(self) -> float:
        if self.children:
            r = resource.getrusage(resource.RUSAGE_CHILDREN)
            return r.ru_utime + r.ru_stime
        return time.process_time()

    def __enter__(self) -> Timer:
        self._w, self._c = time.perf_counter(), self._cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._w
        self.cpu = max(self._cpu() - self._c, 1e-9)


def report(name: str, value: float, unit: str, baseline: float | None, base_name: str,
           target: float | None = TARGET, cpu_rate: float | None = None) -> None:
    text = f"{name:<30} {value:>9,.0f} {unit}"
    if cpu_rate is not None:
        text += f" (CPU {cpu_rate:,.0f})"
    if target is not None:
        text += f"  target {target:,.0f} {'PASS' if value >= target else 'FAIL'}"
    if baseline:
        text += f"  | baseline {base_name}: {baseline:,.0f} {unit}, ratio {value / baseline:.2f}"
    print(text, flush=True)


def write_jsonl(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({
                "VIN": f"1N4AL11D75C{i:07d}", "Type": "Sedan", "Year": 2011 + i % 10,
                "Make": "Audi", "Model": "A5", "Color": "Silver", "Price": 90.25 + i % 7,
                "Owners": {"PrimaryOwner": {"PersonId": f"P{i % 5000:05d}"},
                           "SecondaryOwners": []}}) + "\n")


def bench_import(d: Path, lines: int) -> Path:
    src = d / "vehicles.jsonl"
    write_jsonl(src, lines)
    with Timer() as t, open(src, "rb") as f:
        for line in f:
            json.loads(line)
    parse_rate = lines / t.wall
    ledger = d / "bench.ledger"
    code = "from ledger_desktop.cli import main; main()"
    subprocess.run([sys.executable, "-c", code, "init", str(ledger)], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with Timer(children=True) as t:
        subprocess.run([sys.executable, "-c", code, "import", str(ledger), "Vehicle", str(src),
                        "--create-table", "-q"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    report(f"import {lines:,} JSON Lines", lines / t.wall, "docs/s", parse_rate,
           "json.loads only", cpu_rate=lines / t.cpu)
    rss_mb = max(peak, before) / 1024
    print(f"{'import peak RSS':<30} {rss_mb:>9,.0f} MB  target < 300 MB "
          f"{'PASS' if rss_mb < 300 else 'FAIL'}  (file: {src.stat().st_size / 2**20:,.0f} MB)",
          flush=True)
    return ledger


def bench_export_verify(d: Path, ledger_path: Path) -> None:
    with Ledger.open(ledger_path, read_only=True) as ledger:
        with Timer() as t, paused_gc():  # baselines get the same GC setting as the real work
            revisions = sum(len(b.get("revisions", [])) for b in iter_blocks_bare(ledger))
        read_rate = revisions / t.wall
        digest = ledger.digest()
        for fmt in ("ion_text", "ion_binary", "json"):
            out = d / f"export-{fmt}"
            with Timer() as t:
                r = export_journal(ledger, out, fmt=fmt)
            report(f"export {fmt}", r.revisions / t.wall, "revisions/s", read_rate,
                   "read blocks only", cpu_rate=r.revisions / t.cpu)
            parse_rate = r.revisions / parse_seconds(out)
            with Timer() as t:
                rep = verify_export(out, [digest])
            assert rep.ok, rep.lines()
            report(f"verify-export {fmt}", rep.revisions / t.wall, "revisions/s", parse_rate,
                   "parse only", cpu_rate=rep.revisions / t.cpu)
        jobs = min(os.cpu_count() or 1, 8)
        if jobs > 1:  # the CLI's default: one worker process per CPU
            out = d / "export-parallel"
            with Timer() as t:
                r = export_journal(ledger, out, fmt="ion_binary", jobs=jobs)
            report(f"export ion_binary --jobs {jobs}", r.revisions / t.wall, "revisions/s",
                   read_rate, "read blocks only")
            parse_rate = r.revisions / parse_seconds(out)
            with Timer() as t:
                rep = verify_export(out, [digest], jobs=jobs)
            assert rep.ok, rep.lines()
            report(f"verify-export ion_bin. --jobs {jobs}", rep.revisions / t.wall,
                   "revisions/s", parse_rate, "parse only, 1 process")
            # Ion text, the slowest to verify in one process, with the CLI's default workers
            text_out = d / "export-ion_text"
            parse_rate = rep.revisions / parse_seconds(text_out)
            with Timer() as t:
                rep = verify_export(text_out, [digest], jobs=jobs)
            assert rep.ok, rep.lines()
            report(f"verify-export ion_text --jobs {jobs}", rep.revisions / t.wall,
                   "revisions/s", parse_rate, "parse only, 1 process")


def parse_seconds(export_dir: Path) -> float:
    """Wall time to read and parse every block of an export: the verify-export baseline."""
    source = open_export(export_dir)
    with Timer() as t, paused_gc():
        for obj in source.objects:
            for _ in iter_object_blocks(obj, source.format):
                pass
    return t.wall


def bench_stream(d: Path, ledger_path: Path) -> None:
    with Ledger.open(ledger_path, read_only=True) as ledger:
        n = 0
        with Timer() as t, paused_gc():
            for _seq, body, revs in iter_block_rows(ledger):
                _key, records = block_record_bytes("arn:aws:qldb:local:0:stream/b/x",
                                                   ledger.strand_id, body, revs, "ion_binary")
                n += len(records)
        encode_rate = n / t.wall
        out = d / "stream"
        cp = Checkpoint.load(d / "stream-checkpoint.json", "ion_binary")
        sink = FileSink(out, cp.stream_id, "ion_binary")
        with Timer() as t:
            r = run_stream(ledger, sink, cp)
        sink.close()
    report("stream to files (ion_binary)", r.records / t.wall, "records/s", encode_rate,
           "build + encode records only", cpu_rate=r.records / t.cpu)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="50,000 lines instead of 1,000,000")
    ap.add_argument("--lines", type=int, help="JSON Lines to import (default 1,000,000)")
    ap.add_argument("--dir", type=Path, help="work directory (default: a temporary one)")
    args = ap.parse_args()
    lines = args.lines or (50_000 if args.quick else 1_000_000)
    print(f"exchange benchmarks: {lines:,} documents, Python {sys.version.split()[0]}, "
          f"amazon.ion C extension {'on' if simpleion.c_ext else 'OFF'}, {os.cpu_count()} CPUs",
          flush=True)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        d = Path(tmp)
        ledger = bench_import(d, lines)
        bench_export_verify(d, ledger)
        bench_stream(d, ledger)


if __name__ == "__main__":
    main()
