"""A read-only open of a read-only ledger (evidence mode) leaves read-only -wal/-shm files;
once the ledger is writable again every write failed with SQLite's bare "attempt to write a
readonly database". The error now names those files (crash probe, finding 6)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import ledger_desktop
from ledger_desktop.cli import main
from ledger_desktop.engine import storage
from ledger_desktop.engine.errors import StorageError
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.sample import build_sample

READONLY = "attempt to write a readonly database"


def _not_writable(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    """os.access says the files named cannot be written (root may write anything)."""
    real = os.access

    def access(path: object, mode: int, *args: object, **kwargs: object) -> bool:
        if mode & os.W_OK and str(path).endswith(names):
            return False
        return real(path, mode, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)


def test_explain_readonly_names_the_side_files(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.ledger"
    assert storage.explain_readonly(path, READONLY) == READONLY  # no side file: nothing to add
    for side in ("-wal", "-shm"):
        Path(f"{path}{side}").write_bytes(b"")
    assert storage.explain_readonly(path, READONLY) == READONLY  # writable: not the cause
    _not_writable(monkeypatch, "-wal", "-shm")
    text = storage.explain_readonly(path, READONLY)
    assert text.startswith(READONLY)
    assert f"{path}-wal and {path}-shm cannot be written" in text and "chmod u+w" in text
    assert storage.explain_readonly(path, "database or disk is full") == \
        "database or disk is full"  # other errors are left as they are


def test_the_cli_names_them_for_a_failed_commit(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = build_sample(tmp_path / "a.ledger")
    Path(f"{path}-shm").write_bytes(b"")

    def refused(*_args: object, **_kwargs: object) -> None:
        raise StorageError(READONLY)

    # Refused before SQLite has the file open (its close would remove a writable -shm).
    monkeypatch.setattr(Ledger, "open", refused)
    _not_writable(monkeypatch, "-shm")
    r = CliRunner().invoke(main, ["query", str(path), "INSERT INTO Vehicle ?", "--param",
                                  '{VIN: "x"}'])
    assert r.exit_code == 2, r.output
    assert f"error: storage error: {READONLY}: {path}-shm cannot be written" in r.output


def _as_ordinary_user() -> list[str] | None:
    """A command prefix that runs without root's permission override, or None."""
    if os.name != "posix":
        return None
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        return None
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", "--bounding-set", caps, "--inh-caps", caps]


@pytest.mark.skipif(_as_ordinary_user() is None, reason="needs an ordinary user or setpriv")
def test_after_evidence_mode_on_a_read_only_file(tmp_path: Path) -> None:
    """The probe's sequence, for real: verify a 0444 ledger, make it writable, write."""
    prefix = _as_ordinary_user()
    assert prefix is not None
    env = dict(os.environ, PYTHONPATH=str(Path(ledger_desktop.__file__).parents[1]))

    def ledger(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*prefix, sys.executable, "-m", "ledger_desktop.cli", *args],
                              capture_output=True, text=True, env=env, timeout=120)

    path = build_sample(tmp_path / "a.ledger")
    path.chmod(0o444)
    assert ledger("verify", "-q", str(path)).returncode == 0
    path.chmod(0o644)
    shm = Path(f"{path}-shm")
    if not (shm.exists() and shm.stat().st_mode & 0o222 == 0):
        pytest.skip("this SQLite did not leave a read-only -shm file")
    for args in (["query", str(path), "INSERT INTO Vehicle ?", "--param", '{VIN: "x"}'],
                 ["compact", "-q", str(path)]):
        r = ledger(*args)
        assert r.returncode == 2, r
        # SQLite replaces the empty -wal; the -shm stays read-only and is named.
        assert f"{READONLY}: {shm} cannot be written" in r.stderr, r
    shm.chmod(0o644)
    r = ledger("query", str(path), "INSERT INTO Vehicle ?", "--param", '{VIN: "x"}')
    assert r.returncode == 0, r  # the advice works
