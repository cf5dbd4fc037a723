"""Engine benchmarks (issue 2): commits, verification, digests and proofs.

Each figure is printed next to a baseline measured in the same run, as a ratio:
raw SQLite inserts of the same rows with the same durability, and hashlib's SHA-256 rate.

    python3 bench/bench_engine.py            # full run (builds a 1,000,000-block ledger)
    python3 bench/bench_engine.py --quick    # smaller sizes, for a smoke run
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ledger_desktop.engine.allocator import tune_allocator  # noqa: E402
from ledger_desktop.engine.blocks import BlockAddress  # noqa: E402
from ledger_desktop.engine.ion_values import dumps_binary, loads  # noqa: E402
from ledger_desktop.engine.ledger import Ledger  # noqa: E402


def doc(i: int):
    return loads(dumps_binary({
        "VIN": f"1N4AL11D75C{i:06d}", "Type": "Sedan", "Year": 2011 + i % 10, "Make": "Audi",
        "Model": "A5", "Color": "Silver", "Price": __import__("decimal").Decimal("90.25"),
        "Owners": {"PrimaryOwner": {"PersonId": "3Qv67yjXEwB9SjmvkuG6Cp"},
                   "SecondaryOwners": []}}))


def line(name: str, value: float, unit: str, baseline: float | None = None,
         base_name: str = "", better: str = "higher") -> None:
    text = f"{name:<52} {value:>14,.1f} {unit}"
    if baseline:
        ratio = value / baseline
        text += f"   baseline {base_name}: {baseline:,.1f} {unit}  ratio {ratio:.3f}"
    print(text, flush=True)


def raw_sqlite_batches(path: Path, docs: list, per_tx: int, random_ids: bool = False) -> float:
    """The floor for batched commits: the same blobs written as a revision row (keyed by
    block and index, with a unique (document id, version) index) and a current-document row,
    `per_tx` documents per WAL+FULL transaction, as the ledger writes them. `random_ids` uses
    fully random 22-character ids instead of the ledger's time-ordered ones (ids.py)."""
    import base64

    from ledger_desktop.engine.ids import new_id

    c = sqlite3.connect(path, isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL")
    c.execute("PRAGMA synchronous=FULL")
    c.executescript(
        "CREATE TABLE r (seq, idx, doc_id, version, hash, data, PRIMARY KEY (seq, idx)) "
        "WITHOUT ROWID; CREATE UNIQUE INDEX r_doc ON r (doc_id, version);"
        "CREATE TABLE d (doc_id TEXT PRIMARY KEY, seq, idx, data);")
    blobs = [dumps_binary(d) for d in docs]
    ids = ([base64.b64encode(os.urandom(17)).decode()[:22] for _ in docs] if random_ids
           else [new_id() for _ in docs])
    h = os.urandom(32)
    t = time.perf_counter()
    for start in range(0, len(blobs), per_tx):
        seq = start // per_tx
        c.execute("BEGIN IMMEDIATE")
        c.executemany("INSERT INTO r VALUES (?,?,?,0,?,?)",
                      [(seq, i - start, ids[i], h, blobs[i])
                       for i in range(start, min(start + per_tx, len(blobs)))])
        c.executemany("INSERT INTO d VALUES (?,?,?,?)",
                      [(ids[i], seq, i - start, blobs[i])
                       for i in range(start, min(start + per_tx, len(blobs)))])
        c.execute("COMMIT")
    dt = time.perf_counter() - t
    c.close()
    return len(docs) / dt


def ledger_commits(path: Path, n_docs: int, per_tx: int, synchronous: str = "FULL") -> float:
    """Commit documents doc(0..n_docs-1), `per_tx` per transaction; only the transactions are
    timed. Each transaction's documents are built just before it, outside the timed region, as
    an import parses them: built all at once up front, 50,000 documents scattered over the heap
    cost the same commits about a fifth more in cache misses (24,000 instead of 30,000 docs/s
    measured on 2026-11-27), a cost of this benchmark's set-up, not of the ledger. They are
    freed outside it too, when the next batch replaces them: a finished transaction holds
    none of them (until 2026-11-28 it did, and freeing a batch's IonPy values fell into the
    next transaction's timing, about an eighth of it on the slower machine)."""
    led = Ledger.create(path)
    if synchronous != "FULL":
        led._conn.execute(f"PRAGMA synchronous={synchronous}")
    with led.transaction() as tx:
        tid = tx.create_table("Vehicle", tx.begin_statement("CREATE TABLE Vehicle"))
    dt = 0.0
    for start in range(0, n_docs, per_tx):
        batch = [doc(i) for i in range(start, min(start + per_tx, n_docs))]
        t = time.perf_counter()
        with led.transaction() as tx:
            stmt = tx.begin_statement("INSERT INTO Vehicle ?")
            for d in batch:
                tx.insert(tid, d, stmt)
        dt += time.perf_counter() - t
    led.close()
    return n_docs / dt


def single_commits(tmp: Path, n: int, synchronous: str, per_round: int = 100
                   ) -> list[tuple[str, float, float]]:
    """Durable single-document commits, ledger against raw SQLite inserting the same document
    blobs into one table with the same journal mode and synchronous setting.

    Both run in turns of `per_round` commits, so a slow or fast spell of the disk falls on both.
    Two phases of `n` commits each: the first on new files, the second after both WAL files
    have been checkpointed and are rewritten in place. The phases differ for raw SQLite: while
    its WAL file still grows (one page per commit: its first 1,000 commits), each fsync also
    commits the file's new size to the ext4 journal, so its commits are slower on new files;
    the ledger writes about 9 pages a commit (ledger_pages_per_commit), so its WAL is reused
    from about its 110th commit. Returns (phase, ledger tx/s, raw tx/s) per phase.
    """
    raw = sqlite3.connect(tmp / f"single-raw-{synchronous}.db", isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute(f"PRAGMA synchronous={synchronous}")
    raw.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB)")
    led = Ledger.create(tmp / f"single-{synchronous}.ledger")
    if synchronous != "FULL":
        led._conn.execute(f"PRAGMA synchronous={synchronous}")
    with led.transaction() as tx:
        tid = tx.create_table("Vehicle", tx.begin_statement("CREATE TABLE Vehicle"))
    out = []
    made = 0
    for phase in ("new files", "steady state"):
        t_raw = t_led = 0.0
        for _ in range(0, n, per_round):
            docs = [doc(made + i) for i in range(per_round)]
            blobs = [dumps_binary(d) for d in docs]
            made += per_round
            t = time.perf_counter()
            for b in blobs:
                raw.execute("BEGIN IMMEDIATE")
                raw.execute("INSERT INTO t(data) VALUES (?)", (b,))
                raw.execute("COMMIT")
            t_raw += time.perf_counter() - t
            t = time.perf_counter()
            for d in docs:
                with led.transaction() as tx:
                    tx.insert(tid, d, tx.begin_statement("INSERT INTO Vehicle ?"))
            t_led += time.perf_counter() - t
        if phase == "new files":  # make sure both WALs have wrapped before the second phase
            raw.execute("PRAGMA wal_checkpoint(PASSIVE)")
            led._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        out.append((phase, n / t_led, n / t_raw))
    raw.close()
    led.close()
    return out


def same_rows_commits(tmp: Path, n: int, per_tx: int = 1, per_round: int = 100
                      ) -> tuple[float, float]:
    """Durable commits of `per_tx` documents each, ledger against raw SQLite inserting exactly
    the rows the ledger's commits wrote (block, revision and current-document rows, the same
    columns and values) into a file of the ledger's schema, one SQLite transaction per block,
    with WAL+FULL. The difference is the engine's own work: ids, hashing, Ion, the Merkle step,
    conflict checks. Measured in steady state (after a first checkpoint), in alternating turns
    of `per_round` documents. Returns (ledger documents/s, raw documents/s)."""
    per_round = max(per_round, per_tx)
    warm = -(-300 // per_round) * per_round  # at least 300 documents, whole rounds
    total = n + warm
    # The rows to replay: made by a scratch ledger, with durability off (not measured).
    src = Ledger.create(tmp / f"rows-source-{per_tx}.ledger")
    src._conn.execute("PRAGMA synchronous=OFF")
    with src.transaction() as tx:
        tid = tx.create_table("Vehicle", tx.begin_statement("CREATE TABLE Vehicle"))
    first = src.block_count()
    for i in range(0, total, per_tx):
        with src.transaction() as tx:
            stmt = tx.begin_statement("INSERT INTO Vehicle ?")
            for k in range(i, i + per_tx):
                tx.insert(tid, doc(k), stmt)
    conn = src._conn
    blocks = conn.execute("SELECT * FROM blocks WHERE seq >= ? ORDER BY seq", (first,)).fetchall()
    revs = conn.execute("SELECT * FROM revisions WHERE seq >= ? ORDER BY seq, idx", (first,)
                        ).fetchall()
    docs_ = {r[1]: r for r in conn.execute("SELECT * FROM documents WHERE seq >= ?", (first,))}
    src.close()

    raw_led = Ledger.create(tmp / f"rows-raw-{per_tx}.ledger")  # the same schema and table
    with raw_led.transaction() as tx:
        tx.create_table("Vehicle", tx.begin_statement("CREATE TABLE Vehicle"))
    raw_led.close()
    raw = sqlite3.connect(tmp / f"rows-raw-{per_tx}.ledger", isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=FULL")
    ins_b = f"INSERT INTO blocks VALUES ({','.join('?' * len(blocks[0]))})"
    ins_r = f"INSERT INTO revisions VALUES ({','.join('?' * len(revs[0]))})"
    ins_d = f"INSERT INTO documents VALUES ({','.join('?' * len(next(iter(docs_.values()))))})"

    led = Ledger.create(tmp / f"rows-ledger-{per_tx}.ledger")
    with led.transaction() as tx:
        tid = tx.create_table("Vehicle", tx.begin_statement("CREATE TABLE Vehicle"))
    t_raw = t_led = 0.0
    for i in range(0, total, per_round):
        if i == warm:  # past both files' first growth: checkpoint, then measure
            raw.execute("PRAGMA wal_checkpoint(PASSIVE)")
            led._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            t_raw = t_led = 0.0
        t = time.perf_counter()
        for j in range(i, i + per_round, per_tx):
            rows = revs[j:j + per_tx]
            raw.execute("BEGIN IMMEDIATE")
            raw.execute(ins_b, blocks[j // per_tx])
            raw.executemany(ins_r, rows)
            raw.executemany(ins_d, [docs_[r[2]] for r in rows])
            raw.execute("COMMIT")
        t_raw += time.perf_counter() - t
        batch = [doc(k) for k in range(i, i + per_round)]  # built fresh, as ledger_commits
        t = time.perf_counter()
        for j in range(0, len(batch), per_tx):
            with led.transaction() as tx:
                stmt = tx.begin_statement("INSERT INTO Vehicle ?")
                for d in batch[j:j + per_tx]:
                    tx.insert(tid, d, stmt)
        t_led += time.perf_counter() - t
    raw.close()
    led.close()
    return n / t_led, n / t_raw


def ledger_pages_per_commit(tmp: Path, n: int = 200) -> tuple[float, dict[str, float]]:
    """WAL frames (pages) a single-document ledger commit writes, counted from the WAL's growth
    with automatic checkpoints off; and the same split by the B-tree each page belongs to
    (empty when this SQLite has no `dbstat`). The split shows where the pages beyond one a
    B-tree go: an index B-tree (WITHOUT ROWID tables too) whose last leaf overflows shares
    its cells with its left neighbours, rewriting two or three leaves, where a rowid table
    appending its largest key just starts a new page."""
    led = Ledger.create(tmp / "pages.ledger")
    conn = led._conn
    conn.execute("PRAGMA wal_autocheckpoint=0")
    with led.transaction() as tx:
        tid = tx.create_table("Vehicle", tx.begin_statement("CREATE TABLE Vehicle"))
    for i in range(2000):  # past the first pages of every table, to trees of some depth
        with led.transaction() as tx:
            tx.insert(tid, doc(i), tx.begin_statement("INSERT INTO Vehicle ?"))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for i in range(n):
        with led.transaction() as tx:
            tx.insert(tid, doc(2000 + i), tx.begin_statement("INSERT INTO Vehicle ?"))
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    wal = Path(f"{led.path}-wal").read_bytes()
    frame = page_size + 24
    written = [int.from_bytes(wal[off:off + 4], "big")
               for off in range(32, len(wal) - frame + 1, frame)]
    by_tree: dict[str, float] = {}
    try:
        owner = {page: name for name, page in conn.execute("SELECT name, pageno FROM dbstat")}
    except sqlite3.OperationalError:  # built without SQLITE_ENABLE_DBSTAT_VTAB
        owner = {}
    if owner:
        for page in written:
            name = owner.get(page, "other")
            by_tree[name] = by_tree.get(name, 0.0) + 1 / n
    led.close()
    return len(written) / n, by_tree


def raw_pages_per_commit(tmp: Path, n: int, pages: int) -> float:
    """Raw SQLite commits touching `pages` pages each (one small row in each of `pages`
    tables), WAL+FULL, in steady state (after a first checkpoint): the I/O floor of a commit
    that writes as many pages as the ledger's. Returns microseconds per commit."""
    c = sqlite3.connect(tmp / f"raw-{pages}-pages.db", isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL")
    c.execute("PRAGMA synchronous=FULL")
    for j in range(pages):
        c.execute(f"CREATE TABLE t{j} (id INTEGER PRIMARY KEY, data BLOB)")
    blob = os.urandom(300)

    def run(count: int) -> float:
        t = time.perf_counter()
        for _ in range(count):
            c.execute("BEGIN IMMEDIATE")
            for j in range(pages):
                c.execute(f"INSERT INTO t{j}(data) VALUES (?)", (blob,))
            c.execute("COMMIT")
        return (time.perf_counter() - t) / count * 1e6

    run(200)
    c.execute("PRAGMA wal_checkpoint(PASSIVE)")
    us = run(n)
    c.close()
    return us


def verify_rate(led: Ledger) -> float:
    """Revisions per second of a full verification (index storage left out)."""
    t = time.perf_counter()
    rep = led.verify(check_index_storage=False)
    dt = time.perf_counter() - t
    assert rep.ok, rep.summary()
    return rep.revisions_checked / dt


def sha256_rate(nbytes: int = 200) -> float:
    data = os.urandom(nbytes)
    n = 300_000
    t = time.perf_counter()
    h = hashlib.sha256
    for _ in range(n):
        h(data).digest()
    return n / (time.perf_counter() - t)


def build_big(path: Path, blocks: int) -> Ledger:
    """A ledger of `blocks` one-revision blocks, committed in SQLite batches for speed."""
    led = Ledger.create(path)
    led._conn.execute("PRAGMA synchronous=OFF")  # building only; the figures use FULL
    with led.transaction() as tx:
        tid = tx.create_table("T", tx.begin_statement("CREATE TABLE T"))
    small = loads("{a: 1}")
    done = led.block_count()
    t = time.perf_counter()
    while done < blocks:
        with led.atomic():
            for _ in range(min(20_000, blocks - done)):
                with led.transaction() as tx:
                    tx.insert(tid, small, tx.begin_statement("INSERT INTO T ?"))
                done += 1
        print(f"  built {done:,} blocks ({time.perf_counter() - t:.0f} s)", file=sys.stderr,
              flush=True)
    return led


def drop_page_cache(path: Path) -> None:
    """Ask the OS to drop a file's clean pages from its page cache (no root needed)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)  # dirty pages cannot be dropped
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def read_into_page_cache(path: Path) -> None:
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


def chain_after_compact(path: Path, tmp: Path, n_blocks: int, sha: float) -> None:
    """`ledger compact` on a copy of the big ledger (its time against copying the file), then
    chain-only verification of the copy from disk: each B-tree is then contiguous."""
    from ledger_desktop.engine.compact import compact

    copy = tmp / "compacted.ledger"
    t = time.perf_counter()
    shutil.copyfile(path, copy)
    copy_rate = copy.stat().st_size / 2**20 / (time.perf_counter() - t)
    r = compact(copy)
    line("compact (VACUUM INTO, then backup) of that ledger", r.bytes_before / 2**20 / r.seconds, "MiB/s",
         copy_rate, "copying the file")
    drop_page_cache(copy)
    with Ledger.open(copy, read_only=True) as led:
        t = time.perf_counter()
        rep = led.verify(rehash=False)
        dt = time.perf_counter() - t
    assert rep.ok, rep.summary()
    line("chain-only verification, not cached, compacted", n_blocks / dt, "blocks/s", sha,
         "hashlib SHA-256 of 200 bytes")
    for p in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm")):
        p.unlink(missing_ok=True)


def proof_times(path: Path, label: str, seed: int, n: int = 500) -> None:
    """GetBlock with a proof against the tip, for n random blocks, on a fresh connection."""
    import random

    led = Ledger.open(path, read_only=True)
    n_blocks = led.block_count()
    strand = led.strand_id
    tip = led.tip()
    rng = random.Random(seed)
    worst = total = 0.0
    for _ in range(n):
        seq = rng.randrange(n_blocks)
        t = time.perf_counter()
        led.get_block(BlockAddress(strand, seq), tip)
        dt = time.perf_counter() - t
        worst = max(worst, dt)
        total += dt
    led.close()
    line(f"GetBlock with proof, {label} (mean)", total / n * 1e3, "ms", None)
    line(f"GetBlock with proof, {label} (worst of {n})", worst * 1e3, "ms", None)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--big", type=int, default=None, help="blocks in the digest/proof ledger")
    ap.add_argument("--big-ledger", type=Path, default=None,
                    help="reuse an existing large ledger instead of building one")
    args = ap.parse_args()
    n_single = 300 if args.quick else 2000
    n_batch = 5000 if args.quick else 50_000
    big = args.big or (20_000 if args.quick else 1_000_000)
    tmp = Path(tempfile.mkdtemp(prefix="bench-engine-"))
    docs = [doc(i) for i in range(max(n_single, n_batch))]
    # A writable Ledger applies this on open; applied first, the raw SQLite baselines run
    # with the same allocator setting as the ledger (engine/allocator.py).
    tuned = tune_allocator()
    print(f"== engine benchmarks ({'quick' if args.quick else 'full'}; allocator top pad "
          f"{'1 MiB' if tuned else 'default'})")

    full = single_commits(tmp, n_single, "FULL")
    for phase, led, raw in full:
        line(f"durable single-document commits, {phase}", led, "tx/s", raw,
             "raw SQLite inserts, same documents, WAL+FULL")
        print(f"{'':<52} raw/ledger = {raw / led:.2f} (target <= 2.0)")
    ledger_us = 1e6 / full[-1][1]
    pages, by_tree = ledger_pages_per_commit(tmp)
    floor = raw_pages_per_commit(tmp, n_single, round(pages))
    print(f"{'':<52} steady state: ledger {ledger_us:,.0f} us a commit, writing {pages:.1f} "
          f"pages; raw SQLite touching {round(pages)} pages a commit {floor:,.0f} us, one "
          f"page {1e6 / full[-1][2]:,.0f} us")
    if by_tree:
        print(f"{'':<52} pages a commit by B-tree: " + ", ".join(
            f"{name} {share:.2f}" for name, share in
            sorted(by_tree.items(), key=lambda kv: -kv[1]) if share >= 0.05))
    led_s, raw_s = same_rows_commits(tmp, n_single)
    line("durable single-document commits, steady state", led_s, "tx/s", raw_s,
         "raw SQLite inserting the ledger's own rows, WAL+FULL")
    print(f"{'':<52} raw/ledger = {raw_s / led_s:.2f}: the engine's own work (ids, hashing, "
          "Ion, Merkle, conflict checks)")
    for phase, led_n, raw_n in single_commits(tmp, n_single, "NORMAL"):
        line(f"single-document commits, synchronous=NORMAL, {phase}", led_n, "tx/s", raw_n,
             "raw SQLite, WAL+NORMAL")
    print(f"{'':<52} cost of FULL durability (steady state): "
          f"{led_n / full[-1][1]:.2f}x slower than NORMAL")

    batch = ledger_commits(tmp / "batch.ledger", n_batch, 100)
    raw_b = raw_sqlite_batches(tmp / "rawb.db", docs[:n_batch], 100)
    line("batched commits, 100 documents per transaction", batch, "docs/s", raw_b,
         "raw SQLite, same blobs as revision + document rows, 100 per WAL+FULL tx")
    print(f"{'':<52} target >= 25,000 docs/s")
    led_o, raw_o = same_rows_commits(tmp, n_batch, per_tx=100, per_round=1000)
    line("  the same, alternating with raw SQLite", led_o, "docs/s", raw_o,
         "raw SQLite inserting the ledger's own rows, 100 documents per WAL+FULL tx")
    print(f"{'':<52} the ledger's rows alone, with no engine work, reach {raw_o:,.0f} docs/s "
          "on this machine")
    raw_r = raw_sqlite_batches(tmp / "rawr.db", docs[:n_batch], 100, random_ids=True)
    line("  raw SQLite baseline with fully random ids", raw_r, "docs/s", raw_b,
         "the same with time-ordered ids")
    # The input documents are the benchmark's, not the ledger's: drop them so that Python's
    # cyclic GC does not walk 50,000 live documents during the read-side figures (a real
    # `ledger verify` process holds none).
    del docs
    gc.collect()

    sha = sha256_rate()
    with Ledger.open(tmp / "batch.ledger", read_only=True) as lv:
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        line("full verification (every revision re-hashed)", verify_rate(lv),
             "rev/s", sha, "hashlib SHA-256 of 200 bytes")
        print(f"{'':<52} target >= 40,000 revisions/s")
        rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"  peak RSS growth during verification: {(rss1 - rss0) / 1024:.1f} MB")
    # The same check on a journal of one-document transactions: a block's own checks (its
    # body parsed, its header and entries re-hashed) are then paid for every revision.
    with build_big(tmp / "single-doc.ledger", 20_000) as lv:
        line("full verification, one document per block", verify_rate(lv),
             "rev/s", sha, "hashlib SHA-256 of 200 bytes")

    if args.big_ledger is not None:
        big_led = Ledger.open(args.big_ledger, read_only=True)
    else:
        big_led = build_big(tmp / "big.ledger", big)
    n_blocks = big_led.block_count()
    # Twice, like the proofs below: from disk (pages dropped from the OS page cache, as after a
    # reboot), then with the pages that pass read cached.
    for cached in (False, True):
        if not cached:
            if not hasattr(os, "posix_fadvise"):
                continue
            drop_page_cache(big_led.path)
        t = time.perf_counter()
        rep = big_led.verify(rehash=False)
        dt = time.perf_counter() - t
        assert rep.ok, rep.summary()
        line(f"chain-only verification ({n_blocks:,} blocks), {'' if cached else 'not '}cached",
             n_blocks / dt, "blocks/s", sha, "hashlib SHA-256 of 200 bytes")
    if hasattr(os, "posix_fadvise"):
        if not big_led.read_only:  # a ledger built here: its last blocks into the file first
            big_led._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        chain_after_compact(big_led.path, tmp, n_blocks, sha)
    print(f"{'':<52} target >= 300,000 blocks/s")
    reps = 2000
    t = time.perf_counter()
    for _ in range(reps):
        big_led.digest()
    line(f"digest() on {n_blocks:,} blocks", (time.perf_counter() - t) / reps * 1e3, "ms", None)
    big_path = big_led.path
    big_led.close()
    # Proofs twice, on other random blocks each time: first with the file's pages dropped from
    # the OS page cache (each proof then reads its block and about 24 node rows from disk, as
    # the first proofs after a reboot do), then with the whole file read into it. Dropping
    # needs posix_fadvise (Linux); elsewhere only the second figure is printed.
    if hasattr(os, "posix_fadvise"):
        drop_page_cache(big_path)
        proof_times(big_path, "file not cached", seed=1)
    read_into_page_cache(big_path)
    proof_times(big_path, "file cached", seed=2)
    print(f"{'':<52} targets: digest < 1 ms, proof < 5 ms")


if __name__ == "__main__":
    main()
