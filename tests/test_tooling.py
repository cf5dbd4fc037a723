"""Project-wide tool checks that CI runs with the tests: layering and lint."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
QT_MODULES = ("PySide6", "shiboken6", "pyqtgraph")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", ["engine", "cli"])
def test_engine_and_cli_import_no_qt(package):
    """Also caught by import-linter below; this version names the offending file."""
    offenders = []
    for path in (ROOT / "ledger_desktop" / package).rglob("*.py"):
        bad = {m for m in _imports(path) if m.split(".")[0] in QT_MODULES}
        if bad:
            offenders.append(f"{path.relative_to(ROOT)}: {sorted(bad)}")
    assert offenders == []


def test_workers_use_qtcore_only():
    offenders = []
    for path in (ROOT / "ledger_desktop" / "workers").rglob("*.py"):
        bad = {m for m in _imports(path)
               if m.startswith("PySide6.") and m != "PySide6.QtCore"}
        if bad:
            offenders.append(f"{path.relative_to(ROOT)}: {sorted(bad)}")
    assert offenders == []


def test_import_linter_contracts():
    exe = shutil.which("lint-imports")
    assert exe, "import-linter is a test dependency (pip install -e '.[test]')"
    result = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_engine_runs_without_qt():
    """Import the engine and the CLI in a process where PySide6 cannot be imported."""
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph'):\n"
        "            raise ImportError('Qt blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import ledger_desktop.engine.ledger, ledger_desktop.engine.verify\n"
        "import ledger_desktop.cli\n"
        "print('ok')\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr


def test_ruff_clean():
    exe = shutil.which("ruff")
    assert exe, "ruff is a test dependency"
    result = subprocess.run([exe, "check", "ledger_desktop", "tests", "bench"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
