"""The Windows (Inno Setup) and macOS (DMG) scripts, checked as far as Linux can: the .iss agrees
with the shared file types and with what build.py passes; make-dmg.sh refuses cleanly."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import bundle_config as cfg
import pytest

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
ISS = PACKAGING / "windows" / "ledger-desktop.iss"
DMG_SCRIPT = PACKAGING / "macos" / "make-dmg.sh"


def _sections(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if re.fullmatch(r"\[\w+\]", line):
            current = line[1:-1]
            sections[current] = []
        elif current and line and not line.startswith(";"):
            sections[current].append(line)
    return sections


def test_iss_associates_both_file_types() -> None:
    text = ISS.read_text(encoding="utf-8")
    registry = "\n".join(_sections(text)["Registry"])
    for t in cfg.FILE_TYPES:
        assert f'Software\\Classes\\.{t.extension}' in registry
        assert f'ValueName: ".{t.extension}"' in registry   # Applications\...\SupportedTypes
    assert '"""{app}\\{#AppExe}"" ""%1"""' in registry        # opens the file it is given
    assert "ChangesAssociations=yes" in text


def test_iss_tasks_are_defined_and_defines_match_build_py() -> None:
    text = ISS.read_text(encoding="utf-8")
    sections = _sections(text)
    defined = {re.match(r'Name: "(\w+)"', line).group(1) for line in sections["Tasks"]}
    used = set(re.findall(r"Tasks: (\w+)", text)) | set(re.findall(r"WizardIsTaskSelected\('(\w+)'\)", text))
    assert used <= defined
    passed = set(re.findall(r'"/D(\w+)=', (PACKAGING / "build.py").read_text()))
    assert passed == {"AppVersion", "AppNumericVersion", "SourceDir", "IconDir"}
    for name in passed:
        assert f"#ifndef {name}" in text
    # The folder layout the installer copies is the one the spec builds.
    assert f'#define AppExe "{cfg.APP_ID}.exe"' in text


def test_iss_path_code_is_balanced() -> None:
    code = "\n".join(_sections(ISS.read_text(encoding="utf-8"))["Code"])
    assert len(re.findall(r"\bbegin\b", code)) == len(re.findall(r"\bend\b;", code))
    for proc in ("AddToPath", "RemoveFromPath", "CurStepChanged", "CurUninstallStepChanged"):
        assert f"procedure {proc}(" in code


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell")
def test_make_dmg_refuses_without_an_app(tmp_path: Path) -> None:
    proc = subprocess.run(["sh", str(DMG_SCRIPT), str(tmp_path / "Nope.app"),
                           str(tmp_path / "x.dmg"), "0.1.0"], capture_output=True, text=True)
    assert proc.returncode == 2 and "error: no" in proc.stderr
    assert not (tmp_path / "x.dmg").exists()


def test_spec_bundles_the_mac_app_with_the_shared_plist() -> None:
    spec = (PACKAGING / "ledger-desktop.spec").read_text()
    assert "BUNDLE(" in spec and "info_plist=cfg.info_plist(VERSION)" in spec
    assert "bundle_identifier=cfg.BUNDLE_ID" in spec
    # Two executables share one COLLECT: the app and the CLI.
    assert re.search(r"COLLECT\([^\n]*\n\s*exe_app,.*exe_cli,", spec, re.S)
