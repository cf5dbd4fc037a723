"""Output cut short by a full disk is an error (exit 2), never a silent exit 0
(docs/reliability.md 71). `ulimit -f` stands in for the full disk: a write past the limit
fails with EFBIG after a partial write, as one that fills the disk fails with ENOSPC."""

from __future__ import annotations

import json
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ledger_desktop.engine.ledger import Ledger

LIMIT = 200_000  # bytes standard output may take; the ledger file itself is only read


def _small_file_limit() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a killed process
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def _ledger(tmp_path: Path) -> Path:
    path = tmp_path / "big.ledger"
    with Ledger.create(path) as led:
        led.execute("CREATE TABLE Big")
        led.execute_lambda(lambda tx: [tx.execute("INSERT INTO Big ?", {"i": i, "pad": "x" * 100})
                                       for i in range(3000)])
    return path


def _ledger_cli(args: list[str], out: Path) -> subprocess.CompletedProcess:
    with out.open("wb") as f:
        return subprocess.run([sys.executable, "-m", "ledger_desktop.cli", *args], stdout=f,
                              stderr=subprocess.PIPE, text=True, timeout=120,
                              preexec_fn=_small_file_limit)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_FSIZE semantics")
@pytest.mark.parametrize("fmt", ["json", "table"])
def test_query_output_that_does_not_fit_fails(tmp_path: Path, fmt: str) -> None:
    path = _ledger(tmp_path)
    out = tmp_path / "out.txt"
    res = _ledger_cli(["query", str(path), "SELECT * FROM Big", "--format", fmt], out)
    assert res.returncode == 2, res.stderr
    assert res.stderr.strip() == ("error: standard output: File too large; the output was "
                                  "cut short")
    assert out.stat().st_size == LIMIT


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_FSIZE semantics")
def test_output_that_fits_is_whole(tmp_path: Path) -> None:
    path = _ledger(tmp_path)
    out = tmp_path / "out.json"
    res = _ledger_cli(["query", str(path), "SELECT i FROM Big WHERE i < 50", "--format",
                       "json"], out)
    assert res.returncode == 0, res.stderr
    assert sorted(json.loads(line)["i"] for line in out.read_text().splitlines()) == \
        list(range(50))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_FSIZE semantics")
def test_an_export_that_does_not_fit_names_where_and_leaves_nothing(tmp_path: Path) -> None:
    """`ledger export` on a full disk said only "No space left on device", not where."""
    path = _ledger(tmp_path)
    target = tmp_path / "exp"
    res = _ledger_cli(["export", str(path), str(target), "-q"], tmp_path / "out.txt")
    assert res.returncode == 2, res.stderr
    line = res.stderr.strip()
    assert line.startswith(f"error: {target}") and line.endswith(": File too large"), line
    assert not target.exists()
