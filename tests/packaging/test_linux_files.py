"""The .desktop entry, the MIME types (checked by Qt's MIME database against real files), the
.deb layout and control file, and the portable tarball with its per-user installer."""

from __future__ import annotations

import configparser
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

import bundle_config as cfg
import icons
import linux_packages as lp
import pytest

MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"


def test_desktop_entry() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(lp.DESKTOP_FILE, encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Exec"].split()[0] == cfg.APP_ID and "%f" in entry["Exec"]
    assert entry["Icon"] == cfg.APP_ID and entry["Terminal"] == "false"
    assert entry["MimeType"].rstrip(";").split(";") == [t.mime for t in cfg.FILE_TYPES]
    assert entry["Categories"].endswith(";") and entry["MimeType"].endswith(";")
    if shutil.which("desktop-file-validate"):
        proc = subprocess.run(["desktop-file-validate", str(lp.DESKTOP_FILE)],
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mime_xml_agrees_with_the_file_types() -> None:
    root = ET.parse(lp.MIME_FILE).getroot()
    types = {t.get("type"): t for t in root.iter(f"{MIME_NS}mime-type")}
    assert set(types) == {t.mime for t in cfg.FILE_TYPES}
    for t in cfg.FILE_TYPES:
        globs = [g.get("pattern") for g in types[t.mime].iter(f"{MIME_NS}glob")]
        assert globs == [f"*.{t.extension}"]
    ledger_magic = types[cfg.LEDGER_TYPE.mime].find(f"{MIME_NS}magic")
    inner = ledger_magic.find(f"{MIME_NS}match").find(f"{MIME_NS}match")
    assert int(inner.get("value"), 16) == cfg.LEDGER_APPLICATION_ID
    assert int(inner.get("offset")) == 68


@pytest.fixture(scope="module")
def sample_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from amazon.ion import simpleion

    from ledger_desktop.engine.ledger import Ledger

    d = tmp_path_factory.mktemp("files")
    Ledger.create(d / "real.ledger").close()
    shutil.copy(d / "real.ledger", d / "renamed-without-extension")
    with sqlite3.connect(d / "plain.sqlite") as conn:
        conn.execute("CREATE TABLE t (x)")
    (d / "records.bin").write_bytes(simpleion.dumps([{"a": 1}], binary=True))
    (d / "records.ion").write_text('{a: 1}')
    return {p.name: p for p in d.iterdir()}


@pytest.mark.skipif(shutil.which("update-mime-database") is None,
                    reason="shared-mime-info is not installed")
def test_qt_identifies_ledger_and_ion_files(tmp_path: Path, sample_files: dict[str, Path]) -> None:
    # A private MIME database holding only our package (plus the system's, for the parents).
    packages = tmp_path / "mime" / "packages"
    packages.mkdir(parents=True)
    shutil.copy(lp.MIME_FILE, packages / f"{cfg.APP_ID}.xml")
    subprocess.run(["update-mime-database", str(tmp_path / "mime")], check=True,
                   capture_output=True)
    script = (
        "import sys\n"
        "from PySide6.QtCore import QCoreApplication, QMimeDatabase\n"
        "app = QCoreApplication([])\n"
        "db = QMimeDatabase()\n"
        "for path in sys.argv[1:]:\n"
        "    print(db.mimeTypeForFile(path).name())\n")
    names = ["real.ledger", "renamed-without-extension", "plain.sqlite", "records.bin",
             "records.ion"]
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", script, *[str(sample_files[n]) for n in names]],
                         capture_output=True, text=True, env=env, check=True).stdout.split()
    found = dict(zip(names, out, strict=True))
    assert found["real.ledger"] == cfg.LEDGER_TYPE.mime
    assert found["renamed-without-extension"] == cfg.LEDGER_TYPE.mime  # by its content alone
    assert found["plain.sqlite"] != cfg.LEDGER_TYPE.mime
    assert found["records.bin"] == cfg.ION_TYPE.mime
    assert found["records.ion"] == cfg.ION_TYPE.mime


def test_debian_version() -> None:
    assert lp.debian_version("0.1.0") == "0.1.0"
    assert lp.debian_version("0.2.0rc1") == "0.2.0~rc1"
    assert lp.debian_version("1.0.dev3") == "1.0~dev3"


def test_unknown_system_library_fails_clearly(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    monkeypatch.setattr(lp, "external_sonames", lambda _b: {"libnowhere.so.9": {"x.so"}})
    monkeypatch.setattr(lp, "_package_owning", lambda _s: None)
    with pytest.raises(lp.PackagingError, match="libnowhere.so.9"):
        lp.dependencies(tmp_path)


def test_wayland_libraries_are_only_recommended(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    monkeypatch.setattr(lp, "external_sonames", lambda _b: {
        "libc.so.6": {"a"}, "libGL.so.1": {"b"}, "libwayland-client.so.0": {"c"}})
    assert lp.dependencies(tmp_path) == (["libc6", "libgl1"], ["libwayland-client0"])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ELF files")
def test_external_sonames_of_a_real_extension(tmp_path: Path) -> None:
    import _ssl

    shutil.copy(_ssl.__file__, tmp_path / "_ssl.so")
    wanted = lp.external_sonames(tmp_path)
    assert "libc.so.6" in wanted and wanted["libc.so.6"] == {"_ssl.so"}


@pytest.fixture(scope="module")
def fake_bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small stand-in for the frozen folder: two executables and an _internal file."""
    root = tmp_path_factory.mktemp("bundle")
    bundle = root / cfg.APP_ID
    (bundle / "_internal").mkdir(parents=True)
    for name in (cfg.APP_ID, cfg.CLI_NAME):
        exe = bundle / name
        exe.write_text(f"#!/bin/sh\necho {name} \"$@\"\n")
        exe.chmod(0o755)
    (bundle / "_internal" / "data.txt").write_text("data")
    return bundle, icons.write_all(root / "icons")["png"].parent


def test_stage_deb_layout(fake_bundle: tuple[Path, Path], tmp_path: Path) -> None:
    bundle, icon_dir = fake_bundle
    stage = lp.stage_deb(bundle, icon_dir, "0.1.0", tmp_path / "stage")
    assert (stage / "opt" / cfg.APP_ID / cfg.APP_ID).stat().st_mode & 0o777 == 0o755
    assert (stage / "opt" / cfg.APP_ID / "_internal" / "data.txt").stat().st_mode & 0o777 == 0o644
    for name in (cfg.APP_ID, cfg.CLI_NAME):
        assert os.readlink(stage / "usr" / "bin" / name) == f"/opt/{cfg.APP_ID}/{name}"
    assert (stage / "usr/share/applications/ledger-desktop.desktop").exists()
    assert (stage / "usr/share/mime/packages/ledger-desktop.xml").exists()
    assert (stage / "usr/share/icons/hicolor/48x48/apps/ledger-desktop.png").exists()
    assert (stage / "usr/share/icons/hicolor/scalable/mimetypes/"
            "application-x-ledger-desktop.svg").exists()
    control = (stage / "DEBIAN" / "control").read_text()
    assert f"Package: {cfg.APP_ID}\nVersion: 0.1.0\nArchitecture: amd64\n" in control
    assert "Depends:" not in control  # shell scripts link nothing
    assert not list(stage.glob("DEBIAN/*inst")) and not list(stage.glob("DEBIAN/*rm"))


@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb is not installed")
def test_build_deb_contents(fake_bundle: tuple[Path, Path], tmp_path: Path) -> None:
    bundle, icon_dir = fake_bundle
    stage = lp.stage_deb(bundle, icon_dir, "0.2.0rc1", tmp_path / "stage")
    deb = lp.build_deb(stage, tmp_path / "out" / "x.deb", fast=True)
    field = subprocess.run(["dpkg-deb", "-f", str(deb), "Version", "Installed-Size"],
                           capture_output=True, text=True, check=True).stdout
    assert "Version: 0.2.0~rc1" in field and "Installed-Size:" in field
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True,
                             check=True).stdout
    assert "root/root" in listing and "./opt/ledger-desktop/ledger-desktop" in listing
    assert "./usr/bin/ledger -> /opt/ledger-desktop/ledger" in listing


def test_tarball_and_its_per_user_installer(fake_bundle: tuple[Path, Path],
                                            tmp_path: Path) -> None:
    bundle, icon_dir = fake_bundle
    tarball = lp.build_tarball(bundle, icon_dir, "0.1.0", tmp_path / "t.tar.gz", fast=True)
    with tarfile.open(tarball) as tar:
        names = set(tar.getnames())
        assert "ledger-desktop-0.1.0/ledger-desktop" in names
        assert "ledger-desktop-0.1.0/install-desktop-integration.sh" in names
        assert "ledger-desktop-0.1.0/share/mime/packages/ledger-desktop.xml" in names
        tar.extractall(tmp_path / "x", filter="tar")
    top = tmp_path / "x" / "ledger-desktop-0.1.0"
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "PATH": os.environ["PATH"]}
    script = str(top / "install-desktop-integration.sh")
    subprocess.run(["sh", script], env=env, check=True, capture_output=True)
    desktop = home / ".local/share/applications/ledger-desktop.desktop"
    assert f'Exec="{top}/ledger-desktop" %f' in desktop.read_text()
    assert os.readlink(home / ".local/bin/ledger") == str(top / "ledger")
    out = subprocess.run([str(home / ".local/bin/ledger"), "--version"], capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "ledger --version"
    assert (home / ".local/share/icons/hicolor/64x64/apps/ledger-desktop.png").exists()
    subprocess.run(["sh", script, "--remove"], env=env, check=True, capture_output=True)
    assert not desktop.exists() and not (home / ".local/bin/ledger").exists()
    assert not list((home / ".local/share/icons").rglob("ledger-desktop.png"))
