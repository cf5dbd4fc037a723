"""The whole build, as CI runs it: freeze, smoke-test, .deb and tarball, install test.

Slow (2-3 minutes on two cores) and CI runs `packaging/build.py` itself, so this runs only when
asked: `LEDGER_PACKAGING_BUILD=1 python3 -m pytest -m slow tests/packaging`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.timeout(1200)
@pytest.mark.skipif(os.environ.get("LEDGER_PACKAGING_BUILD") != "1",
                    reason="the full build runs only with LEDGER_PACKAGING_BUILD=1")
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="builds the Linux packages")
@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb is not installed")
def test_build_fast_with_install_test(tmp_path: Path) -> None:
    import deb_install_test

    argv = [sys.executable, str(ROOT / "packaging" / "build.py"), "--fast",
            "--dist", str(tmp_path / "dist"), "--work", str(tmp_path / "work")]
    can_install = deb_install_test.can_run() is None
    if can_install:
        argv.append("--install-test")
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT,
                          env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    report = json.loads((tmp_path / "dist" / "build-report.json").read_text())
    assert report["ok"]
    assert report["smoke"]["app"].startswith("smoke test passed: verified")
    assert report["sizes"]["bundle"] > report["sizes"]["deb"] > 0
    bundle = tmp_path / "dist" / "ledger-desktop"
    assert (bundle / "ledger-desktop").is_file() and (bundle / "ledger").is_file()
    # Only the Qt that is used: no translations, no GTK theme, no QtNetwork.
    internal = bundle / "_internal"
    assert not list(internal.rglob("*.qm"))
    assert not list(internal.rglob("libqgtk3.so"))
    assert not [p for p in internal.rglob("libQt6Network*") if p.exists()]
    assert not [p for p in bundle.rglob("*") if p.is_symlink() and not p.exists()]  # no dangling
    assert "libQt6Network.so.6" in report["pruned_libraries"]
    if can_install:
        assert report["install_test"]["left_behind"] == 0
