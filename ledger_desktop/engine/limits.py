"""Transaction and catalog limits: QLDB's (strict mode) and this engine's own."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    name: str
    documents_per_transaction: int | None
    transaction_bytes: int | None
    document_bytes: int
    indexes_per_table: int
    active_tables: int | None
    total_tables: int | None


#: QLDB's published quotas (qldb-format.md 8.1); a strict ledger stays portable to QLDB's rules.
QLDB_STRICT = Limits("QLDB-strict", 40, 4 * 1024 * 1024, 128 * 1024, 5, 20, 40)

#: This engine's own limits: what SQLite and memory allow comfortably on a desktop.
DEFAULT = Limits("default", None, None, 64 * 1024 * 1024, 64, None, None)


def describe(limits: Limits) -> str:
    def n(v: int | None, unit: str = "") -> str:
        return "no limit" if v is None else f"{v:,}{unit}"

    # A statement is journaled whole: QLDB allows 100,000 characters; otherwise no more than
    # the largest document (engine.query.check_statement_length).
    statement = 100_000 if limits.name == QLDB_STRICT.name else limits.document_bytes
    return (f"{limits.name} limits: documents per transaction {n(limits.documents_per_transaction)}, "
            f"transaction size {n(limits.transaction_bytes, ' bytes')}, "
            f"document size {n(limits.document_bytes, ' bytes')} (Ion binary), "
            f"statement length {n(statement, ' characters')}, "
            f"indexes per table {limits.indexes_per_table}, "
            f"active tables {n(limits.active_tables)}, tables in all {n(limits.total_tables)}")
