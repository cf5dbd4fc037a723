"""Ion Hash throughput on QLDB-shaped revisions, against raw SHA-256 over the same bytes.

Run: python3 bench/bench_hash.py [--revisions N]

Each revision is a metadata struct {id, version, txTime, txId} plus a DMV-style document
(strings, ints, a decimal, timestamps, a nested list of structs), loaded from Ion binary by
amazon.ion's C extension as the verifier sees them. The revision hash is
dot(H(metadata), H(data)). The baseline is hashlib SHA-256 over the Ion binary of metadata and
data in the same run; the ratio says how much slower Ion Hash is than hashing the bytes.
Also measured: `ion_hash_binary` on the stored blobs (what full verification uses) and
`simpleion.loads` + `ion_hash` (what it would cost without it).

`ion_hash_binary` has two paths, measured on the same blobs: the C extension `_ionhash_c`
(used when it is built) and the pure-Python reader (`ion_hash_binary_py`); each is printed as
a ratio to hashlib SHA-256 over the same bytes and to each other.

Block bodies: what full verification reads from each stored block, by the C extension's
`block_facts` (its fast path) and by the reference `block_facts_py` (amazon.ion's parse), on
the bodies of a ledger of one-document transactions, against hashlib SHA-256 of the bodies.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sqlite3
import string
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from amazon.ion import simpleion

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from ledger_desktop.engine.ion_binary_hash import (  # noqa: E402
    C_EXTENSION,
    ion_hash_binary,
    ion_hash_binary_py,
)
from ledger_desktop.engine.ion_hash import C_HASH_VALUE, dot, ion_hash, ion_hash_py  # noqa: E402

ALNUM = string.ascii_letters + string.digits


def _id(rng: random.Random) -> str:
    return "".join(rng.choice(ALNUM) for _ in range(22))


def make_revisions(count: int, seed: int = 7) -> list[tuple[bytes, bytes]]:
    """(metadata, data) pairs as Ion binary."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        meta = (
            f'{{id:"{_id(rng)}",version:{rng.randint(0, 40)},'
            f'txTime:2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T0{rng.randint(0, 9)}:'
            f'{rng.randint(10, 59)}:{rng.randint(10, 59)}.{rng.randint(100, 999)}Z,txId:"{_id(rng)}"}}'
        )
        data = (
            f'{{VIN:"1N4AL11D75C{100000 + i}",LicensePlateNumber:"LEWISR{rng.randint(100, 999)}",'
            f'State:"WA",City:"{rng.choice(["Seattle", "Everett", "Tacoma", "Kent"])}",'
            f'PendingPenaltyTicketAmount:{rng.randint(0, 500)}.{rng.randint(10, 99)},'
            f'Mileage:{rng.randint(0, 300000)},'
            f'ValidFromDate:2017-08-{rng.randint(10, 28)}T,ValidToDate:2020-05-{rng.randint(10, 28)}T,'
            f'Owners:[{{PersonId:"{_id(rng)}",Role:"primary"}},{{PersonId:"{_id(rng)}",Role:"secondary"}}]}}'
        )
        out.append((simpleion.dumps(simpleion.loads(meta), binary=True),
                    simpleion.dumps(simpleion.loads(data), binary=True)))
    return out


def _rate(fn: Callable[[], None], count: int, repeat: int = 3) -> float:
    """Best of `repeat` runs, in CPU time of this process (the machine may be shared)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return count / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", type=int, default=None, help="default 20,000")
    parser.add_argument("--quick", action="store_true", help="5,000 revisions (bench/run.py)")
    args = parser.parse_args()
    n = args.revisions or (5000 if args.quick else 20000)

    raw = make_revisions(n)
    loaded = [(simpleion.loads(m), simpleion.loads(d)) for m, d in raw]
    sha256 = hashlib.sha256

    def ion_hash_only() -> None:
        for meta, data in loaded:
            dot(ion_hash(meta), ion_hash(data))

    def ion_hash_python() -> None:
        for meta, data in loaded:
            dot(ion_hash_py(meta), ion_hash_py(data))

    def binary_hash() -> None:
        for m, d in raw:
            dot(ion_hash_binary(m), ion_hash_binary(d))

    def binary_hash_py() -> None:
        for m, d in raw:
            dot(ion_hash_binary_py(m), ion_hash_binary_py(d))

    blobs = [b for pair in raw for b in pair]

    def blobs_c() -> None:
        for b in blobs:
            ion_hash_binary(b)

    def blobs_py() -> None:
        for b in blobs:
            ion_hash_binary_py(b)

    def blobs_sha256() -> None:
        for b in blobs:
            sha256(b).digest()

    def load_and_hash() -> None:
        loads = simpleion.loads
        for m, d in raw:
            dot(ion_hash(loads(m)), ion_hash(loads(d)))

    def raw_sha256() -> None:
        for m, d in raw:
            sha256(m).digest()
            sha256(d).digest()

    for m, d in raw[:200]:  # the two paths agree (the tests check this thoroughly)
        assert ion_hash_binary(m) == ion_hash_binary_py(m)
        assert ion_hash_binary(d) == ion_hash_binary_py(d)
    ion_rate = _rate(ion_hash_only, n)
    ion_py_rate = _rate(ion_hash_python, n)
    binary_rate = _rate(binary_hash, n)
    binary_py_rate = _rate(binary_hash_py, n)
    c_blob_rate = _rate(blobs_c, len(blobs))
    py_blob_rate = _rate(blobs_py, len(blobs))
    sha_blob_rate = _rate(blobs_sha256, len(blobs))
    full_rate = _rate(load_and_hash, n)
    sha_rate = _rate(raw_sha256, n)
    size = sum(len(m) + len(d) for m, d in raw) / n
    print(f"revisions: {n}, mean Ion binary size {size:.0f} bytes")
    print(f"Ion Hash revision hash (dot(H(metadata), H(data))): {ion_rate:,.0f} revisions/s "
          f"({1e6 / ion_rate:.1f} us each)")
    path = "C extension" if C_EXTENSION else "Python path: C extension not built"
    print(f"  the same objects by the Python hasher ion_hash_py: {ion_py_rate:,.0f} revisions/s "
          f"({1e6 / ion_py_rate:.1f} us each); ion_hash "
          f"({'C extension' if C_HASH_VALUE else 'Python'}) is {ion_rate / ion_py_rate:.1f}x that")
    print(f"  from the stored Ion binary (ion_hash_binary, {path}): {binary_rate:,.0f} "
          f"revisions/s ({1e6 / binary_rate:.1f} us each)")
    print(f"  from the stored Ion binary, Python path only:     {binary_py_rate:,.0f} revisions/s "
          f"({1e6 / binary_py_rate:.1f} us each)")
    print(f"  simpleion.loads then ion_hash:                    {full_rate:,.0f} revisions/s")
    print(f"raw hashlib SHA-256 over the same Ion binary:       {sha_rate:,.0f} revisions/s")
    print(f"ratio raw SHA-256 / Ion Hash: {sha_rate / ion_rate:.1f}x (objects), "
          f"{sha_rate / binary_rate:.1f}x (binary)")
    blob_size = sum(map(len, blobs)) / len(blobs)
    print(f"\nper blob ({len(blobs)} blobs, mean {blob_size:.0f} bytes):")
    rows = [("hashlib SHA-256 over the bytes (baseline)", sha_blob_rate),
            (f"ion_hash_binary ({'C extension' if C_EXTENSION else 'C not built'})", c_blob_rate),
            ("ion_hash_binary_py (Python path)", py_blob_rate)]
    for label, rate in rows:
        print(f"  {label:<44} {1e6 / rate:6.2f} us  ratio to SHA-256 {sha_blob_rate / rate:.1f}x")
    print(f"  Python path / C path: {c_blob_rate / py_blob_rate:.1f}x")
    transaction_info()
    block_bodies(2000 if args.quick else 10000)


def block_bodies(count: int) -> None:
    from bench_engine import build_big

    from ledger_desktop.engine.block_facts import block_facts, block_facts_py

    with tempfile.TemporaryDirectory() as tmp:
        build_big(Path(tmp) / "bodies.ledger", count).close()
        conn = sqlite3.connect(Path(tmp) / "bodies.ledger")
        bodies = [b for (b,) in conn.execute("SELECT body FROM blocks ORDER BY seq")]
        conn.close()
    size = sum(map(len, bodies)) / len(bodies)
    print(f"\nblock bodies ({len(bodies)}, one document per block, mean {size:.0f} bytes):")
    sha256 = hashlib.sha256
    sha_rate = _rate(lambda: [sha256(b).digest() for b in bodies], len(bodies))
    rows = [("hashlib SHA-256 over the bytes (baseline)", sha_rate),
            ("block_facts_py (amazon.ion's parse)",
             _rate(lambda: [block_facts_py(b) for b in bodies], len(bodies)))]
    if block_facts is not None:
        rows.insert(1, ("block_facts (C, verification's fast path)",
                        _rate(lambda: [block_facts(b) for b in bodies], len(bodies))))
    else:
        print("  block_facts: C extension not built or disabled")
    for label, rate in rows:
        print(f"  {label:<44} {1e6 / rate:6.2f} us  ratio to SHA-256 {sha_rate / rate:.1f}x")


def transaction_info(docs: int = 1000) -> None:
    """H(transactionInfo) of a block of `docs` documents as read back (amazon.ion's values):
    the shape-specific Python hash against the generic Ion Hash, in C where it is built."""
    from ledger_desktop.engine.ion_hash import C_HASH_VALUE, ion_hash
    from ledger_desktop.engine.ion_values import dumps_binary, loads_bare
    from ledger_desktop.engine.ledger import Ledger
    from ledger_desktop.engine.tx_info_hash import _parse_shape, transaction_info_hash

    with tempfile.TemporaryDirectory() as tmp, Ledger.create(Path(tmp) / "t.ledger") as led:
        with led.transaction() as tx:
            tid = tx.create_table("T", tx.begin_statement("CREATE TABLE T"))
        with led.transaction() as tx:
            for i in range(docs):
                d = {"n": i, "name": f"person {i}"}
                tx.insert(tid, d, tx.begin_statement("INSERT INTO T ?", [d]))
        (body,) = led._conn.execute("SELECT body FROM blocks ORDER BY seq DESC LIMIT 1"
                                    ).fetchone()
    infos = [loads_bare(body)["transactionInfo"]] * 20  # as verify-export reads a block
    assert _parse_shape(infos[0]) is not None
    blob = dumps_binary(infos[0])
    print(f"\nH(transactionInfo) of a {docs:,}-document block ({len(blob):,} bytes of Ion):")
    sha256 = hashlib.sha256
    sha_rate = _rate(lambda: [sha256(blob).digest() for _ in infos], len(infos))
    rows = [("hashlib SHA-256 over its Ion binary (baseline)", sha_rate),
            ("shape-specific Python hash (tx_info_hash)",
             _rate(lambda: [transaction_info_hash(*_parse_shape(i)) for i in infos], len(infos)))]
    if C_HASH_VALUE:
        rows.append(("generic Ion Hash in C (ion_hash)",
                     _rate(lambda: [ion_hash(i) for i in infos], len(infos))))
    for label, rate in rows:
        print(f"  {label:<48} {1e3 / rate:6.2f} ms  ratio to SHA-256 {sha_rate / rate:.1f}x")


if __name__ == "__main__":
    main()
