"""Smoke tests of a built (frozen or installed) app and CLI: each raises SmokeFailure.

The app runs headless (`QT_QPA_PLATFORM=offscreen`) with a temporary profile and
`--smoke-test`: it builds and opens the sample, verifies it on its worker lane, prints the result
and quits by itself. The CLI builds a sample and verifies it. A non-zero exit, a missing result
line or anything unexpected on stderr fails the build.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# Lines Qt prints on stderr that say nothing is wrong: the offscreen platform plugin cannot
# pass window size hints to a window manager it does not have.
ALLOWED_STDERR = [
    re.compile(r"^This plugin does not support propagateSizeHints\(\)$"),
]
APP_TIMEOUT_S = 240
CLI_TIMEOUT_S = 180


class SmokeFailure(RuntimeError):
    pass


@dataclass
class Run:
    argv: list[str]
    code: int
    stdout: str
    stderr: str
    seconds: float

    def describe(self) -> str:
        return (f"$ {' '.join(self.argv)}\nexit code {self.code} after {self.seconds:.1f} s\n"
                f"--- stdout\n{self.stdout}--- stderr\n{self.stderr}---")


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The caller's environment minus anything that could let a frozen app use source files."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "LEDGER_DESKTOP_", "QT_")) and k != "VIRTUAL_ENV"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.update(extra or {})
    return env


def run(argv: list[str], timeout: float, env: dict[str, str] | None = None,
        cwd: Path | None = None) -> Run:
    start = time.monotonic()
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                              env=env if env is not None else clean_env(), cwd=cwd,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        raise SmokeFailure(f"$ {' '.join(argv)}\ndid not finish within {timeout:.0f} s\n"
                           f"--- stdout\n{e.stdout or ''}\n--- stderr\n{e.stderr or ''}") from e
    except OSError as e:
        raise SmokeFailure(f"$ {' '.join(argv)}\ncannot start: {e}") from e
    return Run(argv, proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)


def unexpected_stderr(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines()
            if line.strip() and not any(p.match(line) for p in ALLOWED_STDERR)]


def check(result: Run, expect_stdout: str) -> Run:
    problems = []
    if result.code != 0:
        problems.append(f"exit code {result.code}")
    if expect_stdout not in result.stdout:
        problems.append(f"no {expect_stdout!r} on stdout")
    bad = unexpected_stderr(result.stderr)
    if bad:
        problems.append(f"unexpected stderr: {bad[:5]}")
    if problems:
        raise SmokeFailure("; ".join(problems) + "\n" + result.describe())
    return result


def can_run_x11() -> bool:
    """xvfb-run needs xauth too (a Recommends of Debian's xvfb, so not always there)."""
    return shutil.which("xvfb-run") is not None and shutil.which("xauth") is not None


def smoke_app(exe: Path, timeout: float = APP_TIMEOUT_S, x11: bool = False) -> Run:
    """Start the app with a temporary profile; it opens and verifies the sample and quits.

    Offscreen by default; with `x11`, on the xcb platform plugin under Xvfb (`xvfb-run`), which
    proves the bundled X11 libraries and plugins load as they will on a desktop.
    """
    argv = [str(exe), "--temp-profile", "--smoke-test",
            "--quit-after", str(int(timeout * 1000) - 10_000)]   # a backstop of its own
    if x11:
        argv = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", *argv]
    with tempfile.TemporaryDirectory(prefix="ledger-smoke-home-") as home:
        # A fresh HOME: nothing the user has configured (or a previous run left) takes part.
        log = Path(home) / "smoke.log"
        env = clean_env({"HOME": home, "XDG_CONFIG_HOME": f"{home}/.config",
                         "XDG_DATA_HOME": f"{home}/.local/share",
                         "XDG_CACHE_HOME": f"{home}/.cache", "LEDGER_DESKTOP_SMOKE_LOG": str(log)})
        if x11:
            env["QT_QPA_PLATFORM"] = "xcb"
        result = run(argv, timeout, env)
        if not result.stdout.strip() and log.exists():
            # A windowed Windows executable has no stdout: the app wrote its outcome here.
            result.stdout = "".join(line for line in log.read_text(encoding="utf-8")
                                    .splitlines(keepends=True) if " passed: " in line)
        return check(result, "smoke test passed: verified")


def smoke_cli(exe: Path, version: str, timeout: float = CLI_TIMEOUT_S) -> list[Run]:
    """`ledger --version`, `ledger sample X`, `ledger verify X`, `ledger info X`."""
    runs = [check(run([str(exe), "--version"], timeout), version)]
    with tempfile.TemporaryDirectory(prefix="ledger-smoke-cli-") as tmp:
        ledger = Path(tmp) / "smoke.ledger"
        runs.append(check(run([str(exe), "sample", str(ledger)], timeout), "built"))
        runs.append(check(run([str(exe), "verify", str(ledger)], timeout), "verified:"))
        runs.append(check(run([str(exe), "info", str(ledger)], timeout), "VehicleRegistration"))
        # And a file that is not a ledger is refused with exit code 2, one line, no traceback.
        bogus = Path(tmp) / "not-a-ledger.ledger"
        bogus.write_text("hello")
        refused = run([str(exe), "verify", str(bogus)], timeout)
        if refused.code != 2 or "Traceback" in refused.stderr:
            raise SmokeFailure("a non-ledger file was not refused cleanly\n" + refused.describe())
        runs.append(refused)
    return runs
