"""Concurrent writers on one ledger: commits serialise or fail with ConflictError, the chain
never forks, verification passes, and `execute_lambda` eventually commits every transaction."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pytest

from ledger_desktop.engine.errors import ConflictError
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.transaction import Transaction

from .helpers import insert, new_ledger, python_child, query, structural_problems

WRITER = Path(__file__).with_name("concurrent_writer.py")


@pytest.fixture
def shared(tmp_path: Path) -> tuple[Path, str]:
    """A ledger with table T and one counter document; returns (path, counter id)."""
    path = new_ledger(tmp_path / "shared.ledger")
    with Ledger.open(path) as led, led.transaction() as tx:
        counter = insert(tx, "T", {"n": 0, "count": 0})
    return path, counter


def _count(path: Path, counter: str) -> int:
    with Ledger.open(path, read_only=True) as led:
        return int(led.document(counter).data["count"])


def _assert_one_chain(path: Path, expected_blocks: int) -> None:
    assert structural_problems(path) == []
    with Ledger.open(path, read_only=True) as led:
        report = led.verify()
        assert report.ok, report.summary()
        assert led.block_count() == expected_blocks
    tx_ids = [r[0] for r in query(path, "SELECT tx_id FROM blocks")]
    assert len(set(tx_ids)) == len(tx_ids), "a transaction was written twice"


def test_second_writer_of_a_read_document_gets_a_conflict(shared: tuple[Path, str]) -> None:
    path, counter = shared
    with Ledger.open(path) as a, Ledger.open(path) as b:
        blocks = a.block_count()
        tx_a, tx_b = a.begin(), b.begin()
        for tx, by in ((tx_a, "a"), (tx_b, "b")):
            doc = tx.get(counter)
            tx.update(counter, {"n": 0, "count": int(doc.data["count"]) + 1, "by": by},
                      tx.begin_statement("UPDATE T SET count = count + 1"))
        tx_a.commit()
        digest = a.digest()
        with pytest.raises(ConflictError):
            tx_b.commit()
        assert b.digest().digest == digest.digest  # the loser wrote nothing
        assert b.block_count() == blocks + 1
        assert str(b.document(counter).data["by"]) == "a"
    _assert_one_chain(path, blocks + 1)


def test_blind_writers_both_commit(shared: tuple[Path, str]) -> None:
    """Transactions that read nothing the other wrote serialise instead of conflicting."""
    path, _ = shared
    with Ledger.open(path) as a, Ledger.open(path) as b:
        blocks = a.block_count()
        tx_a, tx_b = a.begin(), b.begin()
        insert(tx_a, "T", {"n": 1})
        insert(tx_b, "T", {"n": 2})
        seqs = [tx_a.commit().seq, tx_b.commit().seq]
    assert seqs == [blocks, blocks + 1]
    _assert_one_chain(path, blocks + 2)


def _thread_worker(path: Path, counter: str, rounds: int, errors: list[BaseException],
                   attempts: list[int]) -> None:
    try:
        with Ledger.open(path) as led:  # one Ledger (one connection) per thread
            def increment(tx: Transaction) -> None:
                attempts.append(1)
                doc = tx.get(counter)
                tx.update(counter, {"n": 0, "count": int(doc.data["count"]) + 1},
                          tx.begin_statement("UPDATE T SET count = count + 1"))
            for _ in range(rounds):
                led.execute_lambda(increment, retries=1000)
    except BaseException as e:  # noqa: BLE001 - reported by the test
        errors.append(e)


def run_threads(path: Path, counter: str, threads: int, rounds: int) -> int:
    errors: list[BaseException] = []
    attempts: list[int] = []
    with Ledger.open(path, read_only=True) as led:
        blocks = led.block_count()
    before = _count(path, counter)
    workers = [threading.Thread(target=_thread_worker,
                                args=(path, counter, rounds, errors, attempts))
               for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=600)
    assert not errors, errors
    assert _count(path, counter) == before + threads * rounds  # each committed, once
    _assert_one_chain(path, blocks + threads * rounds)
    return len(attempts) - threads * rounds


def test_threads_increment_one_counter(shared: tuple[Path, str]) -> None:
    path, counter = shared
    run_threads(path, counter, threads=4, rounds=8)


def run_processes(path: Path, counter: str, processes: int, rounds: int) -> int:
    with Ledger.open(path, read_only=True) as led:
        blocks = led.block_count()
    before = _count(path, counter)
    procs = [python_child(WRITER, str(path), counter, str(rounds), str(w),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for w in range(processes)]
    seqs: list[int] = []
    retried = 0
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
        for line in out.splitlines():
            kind, *rest = line.split()
            if kind == "C":
                seqs.append(int(rest[0]))
            else:
                retried += int(rest[0])
    # Every commit a writer saw got its own block: the chain never forked.
    assert sorted(seqs) == list(range(blocks, blocks + 2 * processes * rounds))
    assert _count(path, counter) == before + processes * rounds
    _assert_one_chain(path, blocks + 2 * processes * rounds)
    return retried


def test_processes_write_one_ledger(shared: tuple[Path, str]) -> None:
    path, counter = shared
    run_processes(path, counter, processes=3, rounds=10)


@pytest.mark.slow
def test_many_processes_and_threads(shared: tuple[Path, str]) -> None:
    path, counter = shared
    retried = run_processes(path, counter, processes=6, rounds=60)
    retried += run_threads(path, counter, threads=8, rounds=40)
    assert retried > 0, "no conflict happened: the test did not exercise concurrency"
