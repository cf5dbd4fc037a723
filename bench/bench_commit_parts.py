"""Parts of a commit measured alone: the block body write, and the allocator setting.

Run: python3 bench/bench_commit_parts.py [--quick]

- A single-document commit's block body written by the C extension (`ion_hash.write_light`)
  against amazon.ion's writer, same value, same bytes; baseline hashlib SHA-256 of those bytes.
- A document as a commit writes it (bench_engine.doc, IonPy values from amazon.ion's reader)
  written by the C extension (`ion_hash.write_document`) against amazon.ion's writer
  (`ion_values.dumps_binary`, the baseline), same value, same bytes.
- A revision's metadata hash (`metadata_hash.metadata_hash`, from the block's field hashes)
  and the Merkle root of a 3-entry list (`ion_hash.merkle_root`, a block's entries) by the C
  extension against the Python references (`metadata_hash_py`, `merkle_root_py`, the
  baselines), same hashes.
- amazon.ion writing a DMV-style document right after an SQLite commit, in a child process
  with glibc's default allocator settings and in one with the 1 MiB top pad a writable ledger
  sets (engine/allocator.py); baseline: the same writes one after another, no SQLite between.
- The same document written right after an SQLite commit by the C writer (`write_document`)
  and by amazon.ion (the baseline), alternately in one child process with the ledger's top pad.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_engine import doc  # noqa: E402

from ledger_desktop.engine.ids import new_id  # noqa: E402
from ledger_desktop.engine.ion_hash import (  # noqa: E402
    C_HASH_VALUE,
    merkle_root,
    merkle_root_py,
    write_document,
    write_document_c,
    write_light,
)
from ledger_desktop.engine.ion_values import dumps_binary, now_timestamp  # noqa: E402
from ledger_desktop.engine.light_values import Blob, Int, List, Struct, Text  # noqa: E402
from ledger_desktop.engine.metadata_hash import (  # noqa: E402
    block_field_hashes,
    block_field_hashes_py,
    metadata_hash,
    metadata_hash_py,
)

CHILD = r"""
import os, sqlite3, sys, tempfile, time
sys.path.insert(0, sys.argv[2])
from ledger_desktop.engine.allocator import tune_allocator
from ledger_desktop.engine.ion_values import dumps_binary, loads
if sys.argv[3] == "pad":
    assert tune_allocator()
n = int(sys.argv[1])
doc = loads('{VIN:"1N4AL11D75C109151",Type:"Sedan",Year:2011,Make:"Audi",Model:"A5",'
            'Color:"Silver",Price:90.25,Owners:{PrimaryOwner:{PersonId:"3Qv67yjXEwB9SjmvkuG6Cp"},'
            'SecondaryOwners:[]}}')
c = sqlite3.connect(os.path.join(tempfile.mkdtemp(), "x.db"), isolation_level=None)
c.execute("PRAGMA journal_mode=WAL"); c.execute("PRAGMA synchronous=OFF")
c.execute("CREATE TABLE t (x)")
blob = os.urandom(300)
pc = time.perf_counter_ns
t = pc()
for _ in range(n):  # no SQLite work in between
    dumps_binary(doc)
plain = pc() - t
after = 0
for _ in range(n):
    c.execute("INSERT INTO t VALUES (?)", (blob,))
    t = pc(); dumps_binary(doc); after += pc() - t
print(plain / n / 1000, after / n / 1000)
"""

CHILD_DOC = r"""
import os, sqlite3, sys, tempfile, time
sys.path.insert(0, sys.argv[2])
from ledger_desktop.engine.allocator import tune_allocator
from ledger_desktop.engine.ion_hash import write_document, write_document_c
from ledger_desktop.engine.ion_values import dumps_binary, loads
assert tune_allocator()
n = int(sys.argv[1])
doc = loads('{VIN:"1N4AL11D75C109151",Type:"Sedan",Year:2011,Make:"Audi",Model:"A5",'
            'Color:"Silver",Price:90.25,Owners:{PrimaryOwner:{PersonId:"3Qv67yjXEwB9SjmvkuG6Cp"},'
            'SecondaryOwners:[]}}')
assert write_document_c(doc) == dumps_binary(doc)
c = sqlite3.connect(os.path.join(tempfile.mkdtemp(), "x.db"), isolation_level=None)
c.execute("PRAGMA journal_mode=WAL"); c.execute("PRAGMA synchronous=OFF")
c.execute("CREATE TABLE t (x)")
blob = os.urandom(300)
pc = time.perf_counter_ns
ion = cw = 0
for _ in range(n):
    c.execute("INSERT INTO t VALUES (?)", (blob,))
    t = pc(); dumps_binary(doc); ion += pc() - t
    c.execute("INSERT INTO t VALUES (?)", (blob,))
    t = pc(); write_document(doc); cw += pc() - t
print(ion / n / 1000, cw / n / 1000)
"""


def body() -> Struct:
    ts = now_timestamp()
    h = os.urandom(32)
    info = Struct(statements=List([Struct(statement=Text("INSERT INTO Vehicle ?"), startTime=ts,
                                          statementDigest=Blob(h))]),
                  documents=Struct({"VcBGX94mMHK84u6EUeEM5k": Struct(
                      tableName=Text("Vehicle"), tableId=Text("VcBGX8tHLg6f5Eqyexcn5l"),
                      statements=List([Int(0)]))}))
    return Struct(blockAddress=Struct(strandId=Text("VcBGX8tHLg6f5Eqyexcn5l"),
                                      sequenceNo=Int(12345)),
                  transactionId=Text("VcBGX94mMHK84u6EUeEM5k"), blockTimestamp=ts,
                  blockHash=Blob(h), entriesHash=Blob(h), previousBlockHash=Blob(h),
                  entriesHashList=List([Blob(h), Blob(h), Blob(h)]), transactionInfo=info)


def per_call_us(fn, n: int) -> float:
    t = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t) / n * 1e6


def commit_hashes(n: int) -> None:
    """The metadata hash of a single-document commit's revision, its block field hashes and the
    Merkle root of its 3 entries: C against the Python references (the baselines)."""
    ts, tx_id, doc_id = now_timestamp(), new_id(), new_id()
    fields = block_field_hashes_py(ts, tx_id)
    entries = [os.urandom(32) for _ in range(3)]
    assert block_field_hashes(ts, tx_id) == fields
    assert metadata_hash(doc_id, 1, fields) == metadata_hash_py(doc_id, 1, fields)
    assert merkle_root(entries) == merkle_root_py(entries)
    label = "C" if C_HASH_VALUE else "no C: Python"
    print("commit hashes: C against the Python references (the baselines), same hashes:")
    for what, c, py in (
            ("block field hashes", lambda: block_field_hashes(ts, tx_id),
             lambda: block_field_hashes_py(ts, tx_id)),
            ("metadata hash", lambda: metadata_hash(doc_id, 1, fields),
             lambda: metadata_hash_py(doc_id, 1, fields)),
            ("merkle_root, 3 entries", lambda: merkle_root(entries),
             lambda: merkle_root_py(entries))):
        py_us, c_us = per_call_us(py, n), per_call_us(c, n)
        print(f"  {what:<23} baseline Python {py_us:5.2f} us, {label} {c_us:5.2f} us "
              f"(ratio {py_us / c_us:.1f}x faster)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    n = 5_000 if ap.parse_args().quick else 50_000
    b = body()
    data = dumps_binary(b)
    c_us = None
    if write_light(b) is not None:
        assert write_light(b) == data
        c_us = per_call_us(lambda: write_light(b), n)
    ion_us = per_call_us(lambda: dumps_binary(b), n)
    sha_us = per_call_us(lambda: hashlib.sha256(data).digest(), n)
    print(f"block body of a single-document commit ({len(data)} bytes):")
    print(f"  amazon.ion's writer          {ion_us:6.2f} us")
    if c_us is None:
        print("  C writer                     (extension not built)")
    else:
        print(f"  C writer (write_light)       {c_us:6.2f} us  ({ion_us / c_us:.1f}x faster, "
              "same bytes)")
    print(f"  baseline hashlib SHA-256     {sha_us:6.2f} us")

    d = doc(1)
    data = dumps_binary(d)
    in_c = write_document_c(d) is not None
    assert write_document(d) == data
    ion_us = per_call_us(lambda: dumps_binary(d), n)
    c_us = per_call_us(lambda: write_document(d), n)
    print(f"document write: C writer vs amazon.ion (bench_engine.doc, {len(data)} bytes):")
    print(f"  baseline amazon.ion's writer {ion_us:6.2f} us")
    label = "C writer (write_document)" if in_c else "write_document (no C: amazon.ion)"
    print(f"  {label:<28} {c_us:6.2f} us  (ratio {ion_us / c_us:.1f}x faster, same bytes)")

    commit_hashes(n)

    root = str(Path(__file__).resolve().parents[1])
    print("amazon.ion writing a 185-byte document, per call:")
    for mode, label in (("default", "glibc defaults"), ("pad", "1 MiB top pad (a ledger's)")):
        env = {k: v for k, v in os.environ.items() if k != "LEDGER_DESKTOP_NO_MALLOPT"}
        out = subprocess.run([sys.executable, "-c", CHILD, str(n), root, mode], env=env,
                             capture_output=True, text=True, check=True).stdout.split()
        plain, after = float(out[0]), float(out[1])
        print(f"  {label:<28} each right after an SQLite commit {after:5.2f} us; "
              f"baseline, writes alone {plain:5.2f} us (ratio {after / plain:.2f})")

    if in_c:
        out = subprocess.run([sys.executable, "-c", CHILD_DOC, str(n), root], env=env,
                             capture_output=True, text=True, check=True).stdout.split()
        ion_after, c_after = float(out[0]), float(out[1])
        print("the same document right after an SQLite commit (1 MiB top pad):")
        print(f"  baseline amazon.ion's writer {ion_after:6.2f} us")
        print(f"  C writer (write_document)    {c_after:6.2f} us  "
              f"(ratio {ion_after / c_after:.1f}x faster, same bytes)")


if __name__ == "__main__":
    main()
