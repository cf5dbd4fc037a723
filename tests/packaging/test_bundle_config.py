"""What the frozen bundle keeps and drops, the ELF pruning, and the shared platform metadata."""

from __future__ import annotations

import plistlib
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
from pathlib import Path

import bundle_config as cfg
import pytest


@pytest.mark.parametrize("dest", [
    "PySide6/Qt/translations/qtbase_de.qm",
    "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
    "PySide6/Qt/plugins/platforms/libqeglfs.so",
    "PySide6/Qt/plugins/platforms/libqvnc.so",
    "PySide6/Qt/plugins/egldeviceintegrations/libqeglfs-kms-integration.so",
    "PySide6/Qt/plugins/tls/libqopensslbackend.so",
    "PySide6/Qt/plugins/imageformats/libqpdf.so",
    "PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so",
    "botocore/data/ec2/2016-11-15/service-2.json.gz",
    "PySide6\\Qt\\plugins\\platforms\\qeglfs.dll",
])
def test_unused_files_are_dropped(dest: str) -> None:
    assert cfg.is_dropped(dest)


@pytest.mark.parametrize("dest", [
    "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/Qt/plugins/platforms/libqwayland.so",
    "PySide6/Qt/plugins/platforms/libqoffscreen.so",
    "PySide6/Qt/plugins/platforms/qwindows.dll",
    "PySide6/Qt/plugins/platforms/libqcocoa.dylib",
    "PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so",
    "PySide6/Qt/plugins/imageformats/libqsvg.so",
    "PySide6/Qt/plugins/platforminputcontexts/libcomposeplatforminputcontextplugin.so",
    "PySide6/Qt/lib/libQt6Core.so.6",
    "botocore/data/kinesis/2013-12-02/service-2.json.gz",
    "botocore/data/endpoints.json",
    "ledger_desktop/engine/query/partiql.lark",
    "resources/icons/app/ledger-desktop.svg",
])
def test_needed_files_are_kept(dest: str) -> None:
    assert not cfg.is_dropped(dest)


def test_trim_filters_a_toc() -> None:
    toc = [("PySide6/Qt/translations/qt_fr.qm", "/src/qt_fr.qm", "DATA"),
           ("PySide6/Qt/plugins/platforms/libqxcb.so", "/src/libqxcb.so", "BINARY")]
    assert cfg.trim(toc) == toc[1:]


def test_the_cli_excludes_qt_and_the_ui() -> None:
    for name in ("PySide6", "shiboken6", "pyqtgraph", "ledger_desktop.ui"):
        assert name in cfg.CLI_EXCLUDES
        assert name not in cfg.APP_EXCLUDES
    # Modules the app does import must never be excluded.
    for name in ("PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtSvg",
                 "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets"):
        assert name not in cfg.APP_EXCLUDES


def _ssl_extension() -> Path:
    import _ssl

    return Path(_ssl.__file__)


needs_linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ELF files")


@needs_linux
def test_elf_needed_reads_dt_needed() -> None:
    needed = cfg.elf_needed(_ssl_extension())
    assert "libc.so.6" in needed
    if shutil.which("readelf"):
        out = subprocess.run(["readelf", "-d", str(_ssl_extension())], capture_output=True,
                             text=True).stdout
        expected = [line.split("[", 1)[1].rstrip("]") for line in out.splitlines()
                    if "(NEEDED)" in line]
        assert needed == expected


def test_elf_needed_ignores_other_files(tmp_path: Path) -> None:
    (tmp_path / "x.so").write_bytes(b"not an ELF file at all")
    assert cfg.elf_needed(tmp_path / "x.so") == []


def _system_lib(soname: str) -> Path | None:
    out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.strip().startswith(soname + " ") and "x86-64" in line:
            return Path(line.rsplit("=>", 1)[1].strip()).resolve()
    return None


@needs_linux
def test_prune_keeps_what_is_linked_and_drops_the_rest() -> None:
    ssl_ext = _ssl_extension()
    linked = [s for s in cfg.elf_needed(ssl_ext) if s.startswith(("libssl", "libcrypto"))]
    unrelated = _system_lib("libexpat.so.1")
    libs = {s: _system_lib(s) for s in linked}
    if not linked or unrelated is None or None in libs.values():
        pytest.skip("needs a dynamically linked _ssl and libexpat")
    toc = [(f"python3.11/lib-dynload/{ssl_ext.name}", str(ssl_ext), "EXTENSION")]
    toc += [(s, str(p), "BINARY") for s, p in libs.items()]
    toc += [("libexpat.so.1", str(unrelated), "BINARY"),
            ("PySide6/libexpat.so.1", "libexpat.so.1", "SYMLINK")]
    kept, dropped = cfg.prune_unneeded(toc)
    assert dropped == ["libexpat.so.1"]
    assert [e[0] for e in kept] == [e[0] for e in toc[:1 + len(libs)]]


def test_versions() -> None:
    assert cfg.read_version() == __import__("ledger_desktop").__version__
    assert cfg.numeric_version("0.1.0") == (0, 1, 0, 0)
    assert cfg.numeric_version("1.2.3rc1") == (1, 2, 3, 0)
    assert cfg.numeric_version("2.0") == (2, 0, 0, 0)


def test_windows_version_info_is_a_vsversioninfo_literal() -> None:
    # PyInstaller evals this text with its versioninfo classes in scope (that module needs
    # pefile, a Windows-only dependency); the same names, recording their arguments, stand in.
    names = ["VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct",
             "VarFileInfo", "VarStruct"]

    def recorder(name: str):
        return lambda *args, **kwargs: (name, args, kwargs)

    info = eval(cfg.windows_version_info("1.2.3"), {n: recorder(n) for n in names})  # noqa: S307
    assert info[0] == "VSVersionInfo"
    ffi = info[2]["ffi"]
    assert ffi[2]["filevers"] == (1, 2, 3, 0) and ffi[2]["prodvers"] == (1, 2, 3, 0)
    strings = {s[1][0]: s[1][1] for s in info[2]["kids"][0][1][0][0][1][1]}
    assert strings["ProductName"] == "Ledger Desktop" and strings["FileVersion"] == "1.2.3"


def test_info_plist_declares_both_file_types() -> None:
    plist = cfg.info_plist("0.1.0")
    plistlib.loads(plistlib.dumps(plist))  # serialisable as Info.plist
    docs = {d["LSItemContentTypes"][0]: d for d in plist["CFBundleDocumentTypes"]}
    assert docs[cfg.LEDGER_TYPE.uti]["LSHandlerRank"] == "Owner"
    assert docs[cfg.ION_TYPE.uti]["LSHandlerRank"] == "Alternate"
    exported = plist["UTExportedTypeDeclarations"]
    assert [d["UTTypeIdentifier"] for d in exported] == [cfg.LEDGER_TYPE.uti]
    tags = exported[0]["UTTypeTagSpecification"]
    assert tags["public.filename-extension"] == ["ledger"]
    imported = plist["UTImportedTypeDeclarations"]
    assert imported[0]["UTTypeTagSpecification"]["public.filename-extension"] == ["ion"]


def _matches(t: cfg.FileType, data: bytes) -> bool:
    return all(data[off:off + len(magic)] == magic for off, magic in t.magic)


def test_ledger_magic_matches_a_real_ledger_and_not_plain_sqlite(tmp_path: Path) -> None:
    from ledger_desktop.engine.ledger import Ledger

    Ledger.create(tmp_path / "a.ledger").close()
    assert _matches(cfg.LEDGER_TYPE, (tmp_path / "a.ledger").read_bytes()[:100])
    with sqlite3.connect(tmp_path / "plain.db") as conn:
        conn.execute("CREATE TABLE t (x)")
    assert not _matches(cfg.LEDGER_TYPE, (tmp_path / "plain.db").read_bytes()[:100])


def test_ion_magic_matches_binary_ion() -> None:
    from amazon.ion import simpleion

    assert _matches(cfg.ION_TYPE, simpleion.dumps({"a": 1}, binary=True))
    assert not _matches(cfg.ION_TYPE, simpleion.dumps({"a": 1}, binary=False).encode())


def test_stdlib_layout_assumption() -> None:
    # prune_unneeded treats lib-dynload as extension modules; PyInstaller keeps that name.
    assert Path(sysconfig.get_path("platstdlib")).name.startswith("python")
