"""Crash consistency: a writer process killed with SIGKILL at random moments loses nothing it
saw committed, leaves no partial block, and the ledger always opens and verifies.

The writer (`crash_writer.py`) prints each fact only after the commit that made it returned;
the test kills it after a random delay (so the kill lands anywhere: in a commit, an fsync, a
checkpoint, between statements), then checks the file before starting the next writer.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ledger_desktop.engine.ion_values import loads
from ledger_desktop.engine.ledger import Ledger

from .crash_writer import GROUP_BLOCKS, GROUP_DOCS
from .helpers import new_ledger, python_child, query, structural_problems

WRITER = Path(__file__).with_name("crash_writer.py")


@dataclass
class Promises:
    docs: list[tuple[int, str, int, int]] = field(default_factory=list)  # seq, doc, version, n
    groups: list[tuple[str, int, int]] = field(default_factory=list)
    checked_through: int = 0           # blocks before this were checked for torn groups


def run_and_kill(path: Path, seed: int, delay: float, promises: Promises) -> int:
    """Start a writer, kill it `delay` seconds after it is ready; returns the lines it printed."""
    proc = python_child(WRITER, str(path), str(seed), stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        assert first == "ready\n", f"writer failed to start: {first!r} {proc.stderr.read()}"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL, f"writer died by itself: {err}"
    lines = out.split("\n")
    complete = lines[:-1]  # the text after the last newline may be a torn line
    for line in complete:
        kind, *rest = line.split()
        if kind == "C":
            promises.docs.append((int(rest[0]), rest[1], int(rest[2]), int(rest[3])))
        else:
            promises.groups.append((rest[0], int(rest[1]), int(rest[2])))
    return len(complete)


def check_ledger(path: Path, promises: Promises) -> int:
    """Everything promised is there, no block is partial, verify passes. Returns block count."""
    assert structural_problems(path) == []
    with Ledger.open(path) as led:  # read-write, as the app would: recovers the WAL
        report = led.verify()
        assert report.ok, report.summary()
        blocks = led.block_count()
        conn = led._conn
        for seq, doc_id, version, n in promises.docs:
            row = conn.execute("SELECT data FROM revisions WHERE seq=? AND doc_id=? AND "
                               "version=?", (seq, doc_id, version)).fetchone()
            assert row is not None, f"committed revision {doc_id} v{version} (block {seq}) lost"
            assert int(loads(row[0])["n"]) == n
        for _group, first, last in promises.groups:
            count = conn.execute("SELECT count(*) FROM revisions WHERE seq BETWEEN ? AND ? "
                                 "AND kind=0", (first, last)).fetchone()[0]
            assert (last - first + 1, count) == (GROUP_BLOCKS, GROUP_BLOCKS * GROUP_DOCS)
        # Groups are all or nothing, including those whose writer died before printing them.
        seen: dict[str, set[int]] = {}
        for seq, data in conn.execute("SELECT seq, data FROM revisions WHERE seq>=? AND kind=0",
                                      (promises.checked_through,)):
            value = loads(data)
            if "group" in value:
                seen.setdefault(str(value["group"]), set()).add(seq)
        for group, seqs in seen.items():
            assert len(seqs) == GROUP_BLOCKS, f"group {group} is torn: blocks {sorted(seqs)}"
        promises.checked_through = blocks
        return blocks


def crash_loop(path: Path, kills: int, seed: int) -> Promises:
    rng = random.Random(seed)
    new_ledger(path, index_on="n")
    promises = Promises()
    printed = 0
    for i in range(kills):
        # Mostly short delays (kills land during the first commits and the WAL's growth),
        # sometimes longer ones (checkpoints).
        delay = rng.uniform(0, 0.08) if rng.random() < 0.7 else rng.uniform(0.08, 0.5)
        printed += run_and_kill(path, seed * 10_000 + i, delay, promises)
        check_ledger(path, promises)
    assert printed > kills // 2, "the writer hardly committed anything before being killed"
    assert promises.groups, "no all-or-nothing group was committed"
    return promises


def test_sigkill_during_commits_loses_nothing(tmp_path: Path) -> None:
    promises = crash_loop(tmp_path / "crash.ledger", kills=20, seed=1)
    assert len(query(tmp_path / "crash.ledger", "SELECT seq FROM blocks")) > 20
    assert promises.docs


@pytest.mark.slow
@pytest.mark.timeout(1800)  # 5-17 minutes on a 2-core machine (verify runs after every kill)
def test_sigkill_200_times(tmp_path: Path) -> None:
    crash_loop(tmp_path / "crash.ledger", kills=220, seed=2)
