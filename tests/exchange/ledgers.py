"""Small ledgers with every kind of block and revision, for the exchange tests."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from amazon.ion import simpleion

from ledger_desktop.engine.ledger import Ledger


def varied_ledger(path: Path, people: int = 6) -> Ledger:
    """Tables, an index, typed documents, updates, a deletion, a redaction, a read-only block."""
    ledger = Ledger.create(path)
    with ledger.transaction() as tx:
        person = tx.create_table("Person", tx.begin_statement("CREATE TABLE Person"))
        tx.create_table("Vehicle", tx.begin_statement("CREATE TABLE Vehicle"))
    ids = []
    for i in range(people):
        doc = simpleion.loads(
            f'{{GovId: "G{i}", name: "P{i}", amount: 1{i}.50, when: 2024-05-0{i % 9 + 1}T10:00Z, '
            f'raw: {{{{aGVsbG8=}}}}, kind: driver, tags: [a, "b", 3e0], nested: {{x: null.int}}, '
            f'note: {{{{"clob"}}}}, expr: (+ 1 2), tagged: ann::{i}, nothing: null}}')
        with ledger.transaction() as tx:
            ids.append(tx.insert(person, doc, tx.begin_statement("INSERT INTO Person ?", [doc])))
    with ledger.transaction() as tx:
        tx.create_index(person, "GovId", tx.begin_statement("CREATE INDEX ON Person (GovId)"))
    with ledger.transaction() as tx:
        vehicle = tx.table("Vehicle").table_id
        for j in range(3):
            v = {"VIN": f"V{j}", "price": Decimal("100.25"), "owner": ids[j]}
            tx.insert(vehicle, v, tx.begin_statement("INSERT INTO Vehicle ?", [v]))
    first_block = ledger.document_history(ids[0])[0]
    with ledger.transaction() as tx:
        tx.update(ids[0], {"GovId": "G0", "name": "renamed"},
                  tx.begin_statement("UPDATE Person SET name = 'renamed'"))
    with ledger.transaction() as tx:
        tx.delete(ids[1], tx.begin_statement("DELETE FROM Person WHERE GovId = 'G1'"))
    with ledger.transaction() as tx:
        tx.redact_revision(first_block.address, person, ids[0],
                           tx.begin_statement("EXEC REDACT_REVISION ?, ?, ?"))
    with ledger.transaction() as tx:  # a read-only transaction still commits a block
        tx.begin_statement("SELECT * FROM Person")
    return ledger
