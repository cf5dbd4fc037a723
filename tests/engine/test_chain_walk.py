"""Chain-only verification's C walk (_ionhash_c.chain_walk) hands every block it cannot vouch
for back to the Python loop, so every report is the same with and without it: healthy
journals of every size, saved digests at their tips (right, wrong, beyond the end), and a
block hash, an entries hash, a chain link, a genesis link or a missing block tampered."""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import asdict
from pathlib import Path

import pytest

from ledger_desktop.engine import verify
from ledger_desktop.engine.cancel import CancelToken
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.model import Digest

pytestmark = pytest.mark.skipif(verify._chain_walk is None,
                                reason="the C extension is not in use")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, list[Digest]]:
    """A ledger of 120 blocks, and the digests it had at blocks 0, 1, 37 and 64."""
    path = tmp_path_factory.mktemp("walk") / "w.ledger"
    digests = []
    with Ledger.create(path) as led:
        digests.append(led.digest())
        led.execute("CREATE TABLE T")
        digests.append(led.digest())
        while led.block_count() < 120:
            led.execute("INSERT INTO T VALUE {'n': 1}")
            if led.block_count() - 1 in (37, 64):
                digests.append(led.digest())
    return path, digests


def _report(path: Path, monkeypatch, walk: bool, digests=(), cancel=None) -> dict:
    monkeypatch.setattr(verify, "_chain_walk", verify._chain_walk if walk else None)
    monkeypatch.setattr(verify, "_WALK_ROWS", 5)  # many calls: every boundary case is met
    with Ledger.open(path, read_only=True) as led:
        report = asdict(led.verify(rehash=False, digests=digests, cancel=cancel))
    for key in ("started", "elapsed_seconds"):
        report.pop(key)
    return report


def _same_both_ways(path: Path, monkeypatch, digests=()) -> dict:
    walked = _report(path, monkeypatch, True, digests)
    looped = _report(path, monkeypatch, False, digests)
    assert walked == looped
    return walked


def test_healthy_journals_of_every_size_fold_to_their_digest(tmp_path, monkeypatch):
    path = tmp_path / "grow.ledger"
    with Ledger.create(path) as led:
        led.execute("CREATE TABLE T")
    for _ in range(70):
        with Ledger.open(path, read_only=True) as led:
            digest = led.digest()
        report = _same_both_ways(path, monkeypatch, [digest])
        assert report["ok"] and report["blocks_checked"] == digest.tip.seq + 1
        assert report["digest_b64"] == verify._b64(digest.digest)
        with Ledger.open(path) as led:
            led.execute("INSERT INTO T VALUE {'n': 1}")


def test_saved_digests_right_wrong_and_beyond_the_end(built, tmp_path, monkeypatch):
    path, digests = built
    wrong = Digest(bytes(32), digests[2].tip)
    beyond = Digest(digests[3].digest, type(digests[3].tip)(digests[3].tip.strand_id, 500))
    report = _same_both_ways(path, monkeypatch, [*digests, wrong, beyond])
    assert [c["ok"] for c in report["digest_checks"]].count(False) == 2
    assert not report["ok"]


def _tampered(built, tmp_path: Path, sql: str, params: tuple) -> Path:
    path = tmp_path / "t.ledger"
    shutil.copyfile(built[0], path)
    conn = sqlite3.connect(path)
    conn.execute(sql, params)
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize(("sql", "params", "check"), [
    ("UPDATE blocks SET block_hash=? WHERE seq=50", (os.urandom(32),), "block hash"),
    ("UPDATE blocks SET entries_hash=? WHERE seq=51", (os.urandom(32),), "block hash"),
    ("UPDATE blocks SET prev_hash=? WHERE seq=60", (os.urandom(32),), "block hash"),
    ("UPDATE blocks SET prev_hash=? WHERE seq=0", (os.urandom(32),), "block hash"),
    ("UPDATE blocks SET block_hash=? WHERE seq=70", ("not a blob",), "format"),
    ("UPDATE blocks SET block_hash=? WHERE seq=71", (b"short",), "block hash"),
    ("DELETE FROM blocks WHERE seq=80", (), "chain link"),
    # the last block cut off: nothing to see without a digest taken after it
    ("DELETE FROM blocks WHERE seq=119", (), None),
])
def test_tampered_blocks_are_reported_as_the_loop_reports_them(built, tmp_path, monkeypatch,
                                                                sql, params, check):
    path = _tampered(built, tmp_path, sql, params)
    report = _same_both_ways(path, monkeypatch, built[1])
    assert report["ok"] == (check is None)
    if check is not None:
        assert check in {f["check"] for f in report["failures"]}


def test_cancel_stops_the_walk(built, monkeypatch):
    token = CancelToken()
    token.cancel()
    report = _report(built[0], monkeypatch, True, cancel=token)
    assert report["cancelled"] and report["blocks_checked"] <= 5
