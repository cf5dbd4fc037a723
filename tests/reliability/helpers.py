"""Shared helpers of the reliability suite: small ledgers, raw SQLite edits, file fingerprints."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.transaction import Transaction

REPO = Path(__file__).resolve().parents[2]


def subprocess_env() -> dict[str, str]:
    """Environment for a child Python that imports this checkout of ledger_desktop."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def python_child(script: Path, *args: str, **kw: Any) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(script), *args], env=subprocess_env(), **kw)


def insert(tx: Transaction, table: str, doc: dict[str, Any]) -> str:
    """INSERT through the transaction API, recording the statement as a driver would."""
    table_id = tx.table(table).table_id
    return tx.insert(table_id, doc, tx.begin_statement(f"INSERT INTO {table} ?", (doc,)))


def create_table(tx: Transaction, name: str, index_on: str | None = None,
                 tags: Any = None) -> str:
    table_id = tx.create_table(name, tx.begin_statement(f"CREATE TABLE {name}"), tags=tags)
    if index_on is not None:
        tx.create_index(table_id, index_on,
                        tx.begin_statement(f"CREATE INDEX ON {name} ({index_on})"))
    return table_id


def new_ledger(path: Path, table: str = "T", index_on: str | None = "n") -> Path:
    """A ledger with one table (indexed on `index_on`), closed again."""
    with Ledger.create(path) as led, led.transaction() as tx:
        create_table(tx, table, index_on)
    return path


def sql(path: Path, statement: str, params: tuple = ()) -> None:
    """Change the file directly, as someone with a hex editor or sqlite3 would."""
    conn = sqlite3.connect(path)
    try:
        conn.execute(statement, params)
        conn.commit()
    finally:
        conn.close()


def query(path: Path, statement: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(statement, params).fetchall()
    finally:
        conn.close()


def fingerprint(path: Path) -> dict[str, str | None]:
    """SHA-256 of a file and of its SQLite side files (None when absent)."""
    out: dict[str, str | None] = {}
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = Path(f"{path}{suffix}")
        out[suffix or "main"] = (hashlib.sha256(p.read_bytes()).hexdigest()
                                 if p.is_file() else None)
    return out


EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def unchanged_by_reader(before: dict[str, str | None], after: dict[str, str | None]) -> bool:
    """The file as a read-only open must leave it: main file and any WAL content identical.

    SQLite's WAL readers may create an empty -wal and a -shm (an index of the WAL, no data)
    beside the file when the folder is writable; neither changes the ledger.
    """
    return (after["main"] == before["main"] and after["-journal"] == before["-journal"]
            and after["-wal"] in (before["-wal"], EMPTY_SHA256 if before["-wal"] is None
                                  else before["-wal"]))


def structural_problems(path: Path) -> list[str]:
    """What a torn write would leave behind, checked in plain SQL (independent of verify())."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        problems = []
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            problems.append("SQLite integrity_check failed")
        n, lo, hi = conn.execute("SELECT count(*), min(seq), max(seq) FROM blocks").fetchone()
        if n and (lo, hi) != (0, n - 1):
            problems.append(f"blocks are not contiguous: {n} blocks in {lo}..{hi}")
        # block seq completes one Merkle node per trailing 1 bit of seq (merkle_store.py)
        for seq, size in conn.execute("SELECT seq, length(merkle_nodes) FROM blocks"):
            expected = 32 * ((seq ^ (seq + 1)).bit_length() - 1)
            if (size or 0) != expected:
                problems.append(f"block {seq} holds {size or 0} bytes of Merkle nodes, "
                                f"not {expected}")
        for seq, stated, actual in conn.execute(
                "SELECT b.seq, b.n_revisions, (SELECT count(*) FROM revisions r "
                "WHERE r.seq = b.seq) FROM blocks b WHERE b.n_revisions != (SELECT count(*) "
                "FROM revisions r WHERE r.seq = b.seq)"):
            problems.append(f"block {seq} states {stated} revisions and holds {actual}")
        orphans = conn.execute("SELECT count(*) FROM revisions WHERE seq NOT IN "
                               "(SELECT seq FROM blocks)").fetchone()[0]
        if orphans:
            problems.append(f"{orphans} revisions belong to no block")
        return problems
    finally:
        conn.close()
