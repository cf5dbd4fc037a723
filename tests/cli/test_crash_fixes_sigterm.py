"""SIGTERM (`timeout`, systemd, `docker stop`) cancels a long command as Ctrl-C does: it stops
cleanly and removes its partial output, instead of being killed mid-way."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger_desktop.cli.base import ctrl_c_cancels
from ledger_desktop.engine.cancel import CancelToken
from ledger_desktop.engine.ledger import Ledger

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")


@pytest.fixture(scope="module")
def big_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30,000 one-document blocks: an export of a second or two."""
    path = tmp_path_factory.mktemp("sigterm") / "big.ledger"
    with Ledger.create(path) as led:
        led.execute("CREATE TABLE T")
        with led.atomic():
            for i in range(30_000):
                with led.transaction() as tx:
                    tx.execute("INSERT INTO T ?", {"n": i})
    return path


# "2": forked workers, which must still end; "group": SIGTERM to every process, as systemd
# stops a service (the workers die at once, and the pool breaks under the cancelled export).
@pytest.mark.parametrize(("jobs", "group"), [("1", False), ("2", False), ("2", True)],
                         ids=["one-process", "workers", "whole-group"])
def test_sigterm_cancels_an_export_and_leaves_no_files(tmp_path: Path, big_ledger: Path,
                                                       jobs: str, group: bool) -> None:
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "ledger_desktop.cli", "export", str(big_ledger), str(out),
         "-j", jobs, "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        # The started manifest is the export's first file: it is under way.
        while proc.poll() is None and time.monotonic() < deadline and not (
                out.exists() and any(p.name.endswith("started.manifest")
                                     for p in out.iterdir())):
            time.sleep(0.01)
        time.sleep(0.2)
        assert proc.poll() is None, "the export ended before it could be stopped"
        if group:
            os.killpg(proc.pid, signal.SIGTERM)
        else:
            proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=30)
    finally:  # no worker left behind, whatever happened
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, (stdout, stderr)
    assert "cancelled" in stderr and "Traceback" not in stderr, stderr
    assert not out.exists() or list(out.rglob("*")) == []


@pytest.fixture()
def outer_sigterm() -> Iterator[list[int]]:
    """A SIGTERM handler of the caller's (without the fix the signal would end pytest)."""
    got: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, _frame: got.append(signum))
    yield got
    signal.signal(signal.SIGTERM, previous)


def test_a_second_sigterm_interrupts_and_handlers_are_restored(outer_sigterm: list[int]
                                                               ) -> None:
    before_int, before_term = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    token = CancelToken()
    with pytest.raises(KeyboardInterrupt), ctrl_c_cancels(token):
        signal.raise_signal(signal.SIGTERM)
        assert token.cancelled
        signal.raise_signal(signal.SIGTERM)  # already cancelled: at once
        pytest.fail("a second SIGTERM did not interrupt")
    assert outer_sigterm == []
    assert signal.getsignal(signal.SIGINT) is before_int
    assert signal.getsignal(signal.SIGTERM) is before_term


def test_sigint_after_a_sigterm_interrupts(outer_sigterm: list[int]) -> None:
    token = CancelToken()
    with pytest.raises(KeyboardInterrupt), ctrl_c_cancels(token):
        signal.raise_signal(signal.SIGTERM)
        assert token.cancelled
        signal.raise_signal(signal.SIGINT)
        pytest.fail("Ctrl-C after a SIGTERM did not interrupt")


def test_an_ignored_sigterm_stays_ignored() -> None:
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        token = CancelToken()
        with ctrl_c_cancels(token):
            signal.raise_signal(signal.SIGTERM)
            time.sleep(0.01)
        assert not token.cancelled
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_a_forked_worker_still_ends_on_sigterm() -> None:
    """Export and verify-export fork workers inside `ctrl_c_cancels`; the parent stops them
    with SIGTERM (terminate()), and systemd sends it to every process of the service."""
    token = CancelToken()
    with ctrl_c_cancels(token):
        pid = os.fork()
        if pid == 0:  # the worker
            try:
                signal.raise_signal(signal.SIGTERM)
                time.sleep(0.01)
            finally:
                os._exit(0)  # reached only if SIGTERM did not end it
        _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM, status
    assert not token.cancelled
