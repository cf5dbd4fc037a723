"""The allocator setting a writable ledger applies (allocator.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CODE = """
import sys
from ledger_desktop.engine import allocator
from ledger_desktop.engine.ledger import Ledger
assert not allocator._done
led = Ledger.create(sys.argv[1])
print(allocator._done)
"""


def _run(tmp_path, env_extra: dict[str, str]) -> str:
    env = {k: v for k, v in os.environ.items() if k != "LEDGER_DESKTOP_NO_MALLOPT"}
    env.update(env_extra)
    out = subprocess.run([sys.executable, "-c", CODE, str(tmp_path / "l.ledger")], env=env,
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_a_writable_ledger_sets_the_top_pad_once(tmp_path) -> None:
    assert _run(tmp_path, {}) == "True"


def test_the_setting_can_be_turned_off(tmp_path) -> None:
    assert _run(tmp_path, {"LEDGER_DESKTOP_NO_MALLOPT": "1"}) == "False"
