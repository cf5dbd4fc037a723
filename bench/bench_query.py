"""Query-layer benchmarks (issue 3): indexed lookups at two table sizes, document-id lookups,
full scans with a filter, and history() of one document with 100 revisions.

The full scan is measured twice: `SELECT COUNT(*) … WHERE …` (the issue's figure; the filter
runs on fields read lazily from the stored Ion binary and matching rows are not decoded) and
`SELECT * … WHERE …` (matching documents decoded and returned).

Every figure is printed with a baseline measured in the same run on the same machine: the
same access done with raw SQLite on a plain table of the same rows (and the same Ion parsing),
so the ratio shows what the PartiQL layer and the ledger's bookkeeping cost.

    python3 bench/bench_query.py            # 10,000 and 1,000,000 documents
    python3 bench/bench_query.py --quick    # 10,000 and 100,000 documents
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ledger_desktop.engine.ion_values import dumps_binary, loads  # noqa: E402
from ledger_desktop.engine.ledger import Ledger  # noqa: E402

COLORS = ["Silver", "Blue", "Red", "Black", "White", "Green", "Yellow", "Grey"]


def vin(i: int) -> str:
    return f"1N4AL11D{i:09d}"


def doc(i: int) -> dict:
    return {"VIN": vin(i), "Type": "Sedan", "Year": 2000 + i % 20, "Make": "Audi",
            "Model": "A5", "Color": COLORS[i % len(COLORS)],
            "Price": Decimal(f"{10000 + i % 5000}.25"),
            "Owners": {"PrimaryOwner": {"PersonId": "3Qv67yjXEwB9SjmvkuG6Cp"},
                       "SecondaryOwners": []}}


def build_ledger(path: Path, n: int, batch: int = 20_000) -> Ledger:
    """A table of n documents, inserted in transactions of `batch` documents (one SQLite
    transaction for all of them), with an index on VIN built afterwards."""
    ledger = Ledger.create(path)
    ledger.execute("CREATE TABLE V")
    tid = ledger.table("V").table_id
    t = time.perf_counter()
    with ledger.atomic():
        for start in range(0, n, batch):
            with ledger.transaction() as tx:
                stmt = tx.begin_statement("INSERT INTO V ?")
                for i in range(start, min(n, start + batch)):
                    tx.insert(tid, doc(i), stmt)
    ledger.execute("CREATE INDEX ON V (VIN)")
    dt = time.perf_counter() - t
    print(f"  built {n:,} documents in {dt:,.1f} s ({n / dt:,.0f} docs/s, bulk path)",
          flush=True)
    return ledger


def build_raw(path: Path, n: int) -> sqlite3.Connection:
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL")
    c.execute("CREATE TABLE t (id TEXT PRIMARY KEY, vin TEXT, data BLOB)")
    c.execute("BEGIN")
    c.executemany("INSERT INTO t VALUES (?,?,?)",
                  ((f"id{i:09d}", vin(i), dumps_binary(doc(i))) for i in range(n)))
    c.execute("CREATE INDEX t_vin ON t (vin)")
    c.execute("COMMIT")
    return c


def timed(fn, reps: int) -> list[float]:
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def ms(xs: list[float]) -> str:
    return f"median {statistics.median(xs) * 1e3:.3f} ms, mean {statistics.fmean(xs) * 1e3:.3f} ms"


def lookups(ledger: Ledger, raw: sqlite3.Connection, n: int, reps: int) -> dict[str, float]:
    rng = random.Random(7)
    keys = [vin(rng.randrange(n)) for _ in range(reps)]
    with ledger.transaction() as tx:
        it = iter(keys)
        t_ix = timed(lambda: tx.execute("SELECT * FROM V WHERE VIN = ?", next(it)), reps)
        examined = tx.execute("SELECT * FROM V WHERE VIN = ?", keys[0]).documents_examined
        ids = [tx.execute("SELECT VALUE id FROM V AS v BY id WHERE v.VIN = ?", k).values[0]
               for k in keys[:reps]]
        it2 = iter(ids)
        t_id = timed(lambda: tx.execute("SELECT * FROM V AS v BY id WHERE id = ?", next(it2)),
                     reps)
        tx.abort()
    it3 = iter(keys)
    t_raw = timed(lambda: [loads(r[0]) for r in raw.execute(
        "SELECT data FROM t WHERE vin=?", (next(it3),))], reps)
    rid = [f"id{rng.randrange(n):09d}" for _ in range(reps)]
    it4 = iter(rid)
    t_rawid = timed(lambda: [loads(r[0]) for r in raw.execute(
        "SELECT data FROM t WHERE id=?", (next(it4),))], reps)
    print(f"  indexed equality (SELECT * FROM V WHERE VIN = ?): {ms(t_ix)}; "
          f"{examined} document(s) examined", flush=True)
    print(f"    baseline raw SQLite index lookup + Ion parse: {ms(t_raw)}; ratio "
          f"{statistics.median(t_ix) / statistics.median(t_raw):.1f}x", flush=True)
    print(f"  document-id lookup (BY id WHERE id = ?): {ms(t_id)}", flush=True)
    print(f"    baseline raw SQLite primary-key lookup + Ion parse: {ms(t_rawid)}; ratio "
          f"{statistics.median(t_id) / statistics.median(t_rawid):.1f}x", flush=True)
    return {"ix": statistics.median(t_ix), "id": statistics.median(t_id)}


def roundtrip(ledger: Ledger, n: int, reps: int) -> None:
    rng = random.Random(3)
    t = timed(lambda: ledger.execute("SELECT * FROM V WHERE VIN = ?", vin(rng.randrange(n))),
              reps)
    print(f"  ledger.execute round trip (own transaction, journaled block): {ms(t)}",
          flush=True)


def full_scan(ledger: Ledger, raw: sqlite3.Connection, n: int) -> None:
    with ledger.transaction() as tx:
        t = time.perf_counter()
        r = tx.execute("SELECT COUNT(*) AS c FROM V AS v WHERE v.Color = 'Red' AND v.Year > 2005")
        dt = time.perf_counter() - t
        t = time.perf_counter()
        r_all = tx.execute("SELECT * FROM V AS v WHERE v.Color = 'Red' AND v.Year > 2005")
        dt_all = time.perf_counter() - t
        tx.abort()
    t = time.perf_counter()
    count = 0
    for (blob,) in raw.execute("SELECT data FROM t"):
        d = loads(blob)
        if d["Color"] == "Red" and d["Year"] > 2005:
            count += 1
    dt_raw = time.perf_counter() - t
    assert count == r.values[0]["c"] == len(r_all.values)
    rate, base = r.documents_examined / dt, n / dt_raw
    rate_all = r_all.documents_examined / dt_all
    print(f"  full scan with filter: {rate:,.0f} docs/s ({r.documents_examined:,} examined in "
          f"{dt:.2f} s)", flush=True)
    print(f"    baseline raw SQLite scan + Ion parse + the same test in Python: {base:,.0f} "
          f"docs/s; ratio {rate / base:.2f}", flush=True)
    print(f"  full scan with filter returning the {count:,} matching documents (SELECT *): "
          f"{rate_all:,.0f} docs/s; ratio to the same baseline {rate_all / base:.2f}",
          flush=True)


def history(ledger: Ledger, raw: sqlite3.Connection, reps: int) -> None:
    ledger.execute("INSERT INTO V VALUE {'VIN': 'HISTORY-1', 'n': 0}")
    with ledger.atomic():
        for i in range(1, 101):
            ledger.execute("UPDATE V AS v SET v.n = ? WHERE v.VIN = 'HISTORY-1'", i)
    doc_id = ledger.execute("SELECT VALUE id FROM V AS v BY id WHERE v.VIN = 'HISTORY-1'"
                            ).values[0]
    with ledger.transaction() as tx:
        r = tx.execute("SELECT * FROM history(V) AS h WHERE h.metadata.id = ?", doc_id)
        assert len(r.values) == 101
        t = timed(lambda: tx.execute("SELECT * FROM history(V) AS h WHERE h.metadata.id = ?",
                                     doc_id), reps)
        tx.abort()
    raw.execute("CREATE TABLE IF NOT EXISTS h (doc TEXT, version INT, data BLOB)")
    raw.execute("CREATE INDEX IF NOT EXISTS h_doc ON h (doc, version)")
    raw.executemany("INSERT INTO h VALUES (?,?,?)",
                    (("D", i, dumps_binary({"VIN": "HISTORY-1", "n": i})) for i in range(101)))
    t_raw = timed(lambda: [loads(x[0]) for x in raw.execute(
        "SELECT data FROM h WHERE doc='D' ORDER BY version")], reps)
    print(f"  history() of one document with 100 revisions (101 rows): {ms(t)}", flush=True)
    print(f"    baseline raw SQLite 101-row index range + Ion parse: {ms(t_raw)}; ratio "
          f"{statistics.median(t) / statistics.median(t_raw):.1f}x", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--big", type=int, default=None)
    args = ap.parse_args()
    small, big = 10_000, (args.big or (100_000 if args.quick else 1_000_000))
    reps = 300
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        figures = {}
        for n in (small, big):
            print(f"\n{n:,}-document table", flush=True)
            ledger = build_ledger(root / f"l{n}.ledger", n)
            raw = build_raw(root / f"r{n}.sqlite", n)
            figures[n] = lookups(ledger, raw, n, reps)
            if n == small:
                roundtrip(ledger, n, 100)
                history(ledger, raw, 100)
            full_scan(ledger, raw, n)
            ledger.close()
            raw.close()
        ratio = figures[big]["ix"] / figures[small]["ix"]
        print(f"\nindexed lookup at {big:,} vs {small:,} documents: {ratio:.2f}x "
              f"(target: within 3x)")
        ratio_id = figures[big]["id"] / figures[small]["id"]
        print(f"document-id lookup at {big:,} vs {small:,} documents: {ratio_id:.2f}x")


if __name__ == "__main__":
    main()
