"""A writer process for the crash test: commits transactions until it is killed.

Usage: crash_writer.py LEDGER SEED

It prints `ready` once the ledger is open, then one line per fact *after* the commit that
made it returned (so every printed line is a promise the ledger must keep):

    C <seq> <doc_id> <version> <n>     document <doc_id> at <version> (data n=<n>) in block <seq>
    G <group> <first_seq> <last_seq>   an all-or-nothing group of blocks committed together

Group documents carry `group` in their data and are written inside `ledger.atomic()`, so a
kill leaves either every block of the group or none of them.
"""

from __future__ import annotations

import random
import sys

from ledger_desktop.engine.ids import new_id
from ledger_desktop.engine.ledger import Ledger

GROUP_BLOCKS = 3
GROUP_DOCS = 2


def main(path: str, seed: int) -> None:
    rng = random.Random(seed)
    led = Ledger.open(path)
    table_id = led.table("T").table_id
    mine: list[tuple[str, int]] = []   # (doc_id, version) this process wrote
    print("ready", flush=True)
    n = seed * 1_000_000
    while True:
        n += 1
        op = rng.random()
        if op < 0.55 or not mine:
            docs = rng.choice((1, 1, 1, 4))
            with led.transaction() as tx:
                made = []
                for k in range(docs):
                    value = {"n": n * 10 + k, "pad": "x" * rng.randrange(0, 3000)}
                    stmt = tx.begin_statement("INSERT INTO T ?", (value,))
                    made.append((tx.insert(table_id, value, stmt), n * 10 + k))
            for doc_id, v in made:
                print(f"C {tx.block_address.seq} {doc_id} 0 {v}", flush=True)
                mine.append((doc_id, 0))
        elif op < 0.8:
            i = rng.randrange(len(mine))
            doc_id, version = mine[i]
            with led.transaction() as tx:
                tx.update(doc_id, {"n": n * 10, "updated": True},
                          tx.begin_statement("UPDATE T SET n = ? WHERE id = ?", (n * 10, doc_id)))
            mine[i] = (doc_id, version + 1)
            print(f"C {tx.block_address.seq} {doc_id} {version + 1} {n * 10}", flush=True)
        else:
            group = new_id()
            seqs = []
            with led.atomic():
                for b in range(GROUP_BLOCKS):
                    tx = led.begin()
                    for k in range(GROUP_DOCS):
                        value = {"n": n * 10 + b * GROUP_DOCS + k, "group": group}
                        tx.insert(table_id, value, tx.begin_statement("INSERT INTO T ?", (value,)))
                    seqs.append(tx.commit().seq)
            print(f"G {group} {seqs[0]} {seqs[-1]}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
