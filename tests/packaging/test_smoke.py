"""`ledger-desktop --smoke-test` and the harness build.py runs on frozen binaries, tried here on
the source tree through small launcher scripts standing in for the frozen executables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import frozen_smoke
import pytest

ROOT = Path(__file__).resolve().parents[2]


def launcher(tmp_path: Path, name: str, module: str) -> Path:
    """An executable that runs `module` from this checkout, like the frozen one would."""
    exe = tmp_path / name
    exe.write_text(f"#!/bin/sh\nexport PYTHONPATH='{ROOT}'\nexec '{sys.executable}' -m {module} \"$@\"\n")
    exe.chmod(0o755)
    return exe


needs_posix = pytest.mark.skipif(sys.platform == "win32", reason="shell launchers")


def test_stderr_filter() -> None:
    assert frozen_smoke.unexpected_stderr(
        "This plugin does not support propagateSizeHints()\n\n") == []
    assert frozen_smoke.unexpected_stderr("QFont: oops\n") == ["QFont: oops"]


def test_the_environment_cannot_reach_the_source_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", "/src")
    monkeypatch.setenv("LEDGER_DESKTOP_QUIT_AFTER", "1")
    env = frozen_smoke.clean_env()
    assert "PYTHONPATH" not in env and "LEDGER_DESKTOP_QUIT_AFTER" not in env
    assert env["QT_QPA_PLATFORM"] == "offscreen"


@needs_posix
def test_app_smoke_test_opens_and_verifies_the_sample(tmp_path: Path) -> None:
    # the frozen_smoke harness strips PYTHONPATH; the launcher sets it again for the source run
    run = frozen_smoke.smoke_app(launcher(tmp_path, "ledger-desktop", "ledger_desktop.ui.app"))
    assert "smoke test passed: verified" in run.stdout
    assert "sample.ledger" in run.stdout and "verified: " in run.stdout


@needs_posix
@pytest.mark.skipif(not frozen_smoke.can_run_x11(), reason="xvfb-run or xauth is missing")
def test_app_smoke_test_on_x11(tmp_path: Path) -> None:
    run = frozen_smoke.smoke_app(launcher(tmp_path, "ledger-desktop", "ledger_desktop.ui.app"),
                                 x11=True)
    assert "smoke test passed: verified" in run.stdout and run.argv[0] == "xvfb-run"


@needs_posix
def test_app_smoke_test_fails_on_a_file_that_is_not_a_ledger(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.ledger"
    bogus.write_text("not a ledger")
    exe = launcher(tmp_path, "ledger-desktop", "ledger_desktop.ui.app")
    run = frozen_smoke.run([str(exe), "--temp-profile", "--smoke-test", str(bogus)], 120)
    assert run.code == 1
    assert "smoke test FAILED" in run.stderr and "smoke test passed" not in run.stdout
    with pytest.raises(frozen_smoke.SmokeFailure, match="exit code 1"):
        frozen_smoke.check(run, "smoke test passed")


@needs_posix
def test_app_smoke_test_fails_when_the_app_quits_first(tmp_path: Path) -> None:
    exe = launcher(tmp_path, "ledger-desktop", "ledger_desktop.ui.app")
    run = frozen_smoke.run([str(exe), "--temp-profile", "--smoke-test", "--quit-after", "0"], 120)
    assert run.code == 1 and "smoke test FAILED" in run.stderr


@needs_posix
def test_app_smoke_test_fails_on_a_tampered_ledger(tmp_path: Path) -> None:
    import sqlite3

    from ledger_desktop.engine.sample import build_sample

    path = tmp_path / "tampered.ledger"
    build_sample(path)
    # Forge one stored revision hash (schema in docs/journal-format.md): the chain breaks.
    with sqlite3.connect(path) as conn:
        seq, idx = conn.execute("SELECT seq, idx FROM revisions WHERE kind=0 ORDER BY seq "
                                "LIMIT 1").fetchone()
        conn.execute("UPDATE revisions SET hash=? WHERE seq=? AND idx=?", (b"\7" * 32, seq, idx))
    exe = launcher(tmp_path, "ledger-desktop", "ledger_desktop.ui.app")
    run = frozen_smoke.run([str(exe), "--temp-profile", "--smoke-test", str(path)], 120)
    assert run.code == 1, run.describe()
    assert "smoke test FAILED" in run.stderr


@needs_posix
def test_cli_smoke(tmp_path: Path) -> None:
    from ledger_desktop import __version__

    runs = frozen_smoke.smoke_cli(launcher(tmp_path, "ledger", "ledger_desktop.cli"), __version__)
    assert [r.argv[1] for r in runs] == ["--version", "sample", "verify", "info", "verify"]
    assert runs[-1].code == 2


@needs_posix
def test_a_crashing_cli_fails_the_smoke_test(tmp_path: Path) -> None:
    exe = tmp_path / "ledger"
    exe.write_text("#!/bin/sh\necho 'Traceback (most recent call last):' >&2\nexit 1\n")
    exe.chmod(0o755)
    with pytest.raises(frozen_smoke.SmokeFailure, match="exit code 1"):
        frozen_smoke.smoke_cli(exe, "0.1.0")


def test_a_missing_executable_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(frozen_smoke.SmokeFailure, match="cannot start"):
        frozen_smoke.run([str(tmp_path / "nope")], 5)


def test_a_hanging_executable_is_stopped(tmp_path: Path) -> None:
    with pytest.raises(frozen_smoke.SmokeFailure, match="did not finish"):
        frozen_smoke.run([sys.executable, "-c", "import time; time.sleep(30)"], 1)


def test_build_help_runs() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "--help"],
                         capture_output=True, text=True, check=True).stdout
    assert "--fast" in out and "--install-test" in out


def test_dangling_links_are_removed(tmp_path: Path) -> None:
    import build

    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "real.so").write_text("x")
    (tmp_path / "good.so").symlink_to("lib/real.so")
    (tmp_path / "bad.so").symlink_to("lib/pruned.so")
    assert build.remove_dangling_symlinks(tmp_path) == ["bad.so"]
    assert (tmp_path / "good.so").exists() and not (tmp_path / "bad.so").is_symlink()
