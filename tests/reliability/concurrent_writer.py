"""A writer process for the concurrency test: increments one shared counter document.

Usage: concurrent_writer.py LEDGER COUNTER_DOC_ID N WRITER

Each of N rounds runs `execute_lambda` (a read-modify-write of the counter: every concurrent
commit is a conflict, retried) and one blind insert. It prints, after each commit returned,
`C <seq> <transaction id>`, and `A <retried attempts>` at the end.
"""

from __future__ import annotations

import sys

from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.transaction import Transaction


def main(path: str, counter_id: str, rounds: int, writer: int) -> None:
    led = Ledger.open(path)
    table_id = led.table("T").table_id
    attempts = 0

    def increment(tx: Transaction) -> Transaction:
        nonlocal attempts
        attempts += 1
        doc = tx.get(counter_id)
        count = int(doc.data["count"]) + 1
        tx.update(counter_id, {"n": 0, "count": count},
                  tx.begin_statement("UPDATE T SET count = ? WHERE id = ?", (count, counter_id)))
        return tx

    for i in range(rounds):
        tx = led.execute_lambda(increment, retries=1000)
        print(f"C {tx.block_address.seq} {tx.id}", flush=True)
        with led.transaction() as tx:
            value = {"n": writer * 100_000 + i, "writer": writer}
            tx.insert(table_id, value, tx.begin_statement("INSERT INTO T ?", (value,)))
        print(f"C {tx.block_address.seq} {tx.id}", flush=True)
    print(f"A {attempts - rounds}", flush=True)  # attempts that conflicted and were retried


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
