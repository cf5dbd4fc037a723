"""SIGTERM (and Ctrl-C) during `ledger query` and `ledger shell`: the running statement is
cancelled, an open transaction rolled back, one line on stderr, exit 130. Before, SIGTERM
killed both without a word (exit -15)."""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger_desktop.engine.ledger import Ledger

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="POSIX signals; /proc to see when a statement runs")

#: A join computed in Python: about 4,000,000 bindings, many seconds if nothing stops it.
SLOW = "SELECT COUNT(*) FROM T a, T b WHERE a.i = b.i + 100000"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sig") / "t.ledger"
    with Ledger.create(path) as led:
        led.execute("CREATE TABLE T")
        with led.transaction() as tx:
            for i in range(2000):
                tx.execute("INSERT INTO T ?", {"i": i})
    return path


@pytest.fixture()
def ledger(built: Path, tmp_path: Path) -> Path:
    for side in ("", "-wal", "-shm"):
        if Path(f"{built}{side}").exists():
            shutil.copy(f"{built}{side}", tmp_path / f"t.ledger{side}")
    return tmp_path / "t.ledger"


def _state(path: Path) -> tuple[int, int]:
    """(blocks, documents in T)."""
    with Ledger.open(path, read_only=True) as led:
        return led.block_count(), led.count_documents(led.table("T").table_id)


@contextlib.contextmanager
def _ledger_cli(*args: str) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen([sys.executable, "-m", "ledger_desktop.cli", *args],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _cpu(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks


def _wait_idle(proc: subprocess.Popen[bytes]) -> None:
    """Until the process sleeps without using CPU: started up, blocked reading stdin."""
    deadline = time.monotonic() + 60
    last, steady = -1, 0
    while time.monotonic() < deadline and proc.poll() is None:
        state = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        cpu = _cpu(proc.pid)
        steady = steady + 1 if (state == "S" and cpu == last) else 0
        if steady >= 3:
            return
        last = cpu
        time.sleep(0.1)
    pytest.fail("the command never waited for input")


def _wait_working(proc: subprocess.Popen[bytes], seconds: float = 0.3) -> None:
    """Until the process has used `seconds` of CPU more: the slow statement is running."""
    ticks = os.sysconf("SC_CLK_TCK")
    start = _cpu(proc.pid)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if _cpu(proc.pid) - start >= seconds * ticks:
            return
        time.sleep(0.05)
    pytest.fail("the statement did not start")


def _read_until(proc: subprocess.Popen[bytes], marker: bytes, timeout: float = 60) -> bytes:
    assert proc.stdout is not None
    out = b""
    deadline = time.monotonic() + timeout
    while marker not in out and time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.1)
        if ready:
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            out += chunk
    assert marker in out, out
    return out


def _ended(proc: subprocess.Popen[bytes]) -> tuple[int, str]:
    proc.wait(timeout=30)
    assert proc.stderr is not None
    return proc.returncode, proc.stderr.read().decode()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_cancels_a_running_query(ledger: Path, sig: signal.Signals) -> None:
    before = _state(ledger)
    with _ledger_cli("query", str(ledger), "-") as proc:
        _wait_idle(proc)  # the handlers are in place, the statement not yet read
        assert proc.stdin is not None
        proc.stdin.write(SLOW.encode())
        proc.stdin.close()
        _wait_working(proc)
        proc.send_signal(sig)
        rc, err = _ended(proc)
    assert rc == 130, err
    assert err.splitlines() == ["error: cancelled; nothing was changed"], err
    assert _state(ledger) == before  # not even the SELECT's block


def test_sigterm_while_query_waits_for_its_statement(ledger: Path) -> None:
    before = _state(ledger)
    with _ledger_cli("query", str(ledger), "-") as proc:
        _wait_idle(proc)
        proc.send_signal(signal.SIGTERM)
        rc, err = _ended(proc)
    assert rc == 130, err
    assert err.splitlines() == ["error: interrupted; nothing was changed"], err
    assert _state(ledger) == before


SHELL_STOPPED = ("error: stopped; statements committed before stay committed, the running "
                 "statement and any open transaction were rolled back")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("when", ["statement running", "waiting for a line"])
def test_a_signal_stops_the_shell_and_rolls_back_its_transaction(
        ledger: Path, sig: signal.Signals, when: str) -> None:
    blocks, docs = _state(ledger)
    with _ledger_cli("shell", str(ledger)) as proc:
        assert proc.stdin is not None
        proc.stdin.write(b"INSERT INTO T {'i': -1};\nstart transaction\n"
                         b"INSERT INTO T {'i': -2};\n")
        proc.stdin.flush()
        _read_until(proc, b"(in the open transaction)")
        if when == "statement running":
            proc.stdin.write(SLOW.encode() + b";\n")
            proc.stdin.flush()
            _wait_working(proc)
        else:
            _wait_idle(proc)
        proc.send_signal(sig)
        rc, err = _ended(proc)
    assert rc == 130, err
    assert err.splitlines() == [SHELL_STOPPED], err
    # the first INSERT committed on its own; the transaction's INSERT (and SELECT) did not
    assert _state(ledger) == (blocks + 1, docs + 1)
    with Ledger.open(ledger, read_only=True) as led:
        assert led.verify().ok
