"""Linux packages from the frozen folder: a .deb (dpkg-deb) and a portable tarball.

The .deb installs the folder as /opt/ledger-desktop with /usr/bin/ledger-desktop and
/usr/bin/ledger links, the .desktop entry, hicolor icons and the MIME types. It has no
maintainer scripts: Debian's triggers (shared-mime-info, desktop-file-utils, the icon cache)
refresh the desktop databases on install and on removal, so removal leaves nothing behind.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import stat
import subprocess
import tarfile
from pathlib import Path

import bundle_config as cfg

LINUX = Path(__file__).resolve().parent / "linux"
DESKTOP_FILE = LINUX / "ledger-desktop.desktop"
MIME_FILE = LINUX / "ledger-desktop-mime.xml"
TARBALL_INSTALLER = LINUX / "install-desktop-integration.sh"
INSTALL_DIR = f"/opt/{cfg.APP_ID}"

# Sonames the bundle links but does not carry (PyInstaller leaves the C library, GL, EGL, xcb
# and Wayland to the system), by the Debian package that provides them.
SONAME_PACKAGES = {
    "libc.so.6": "libc6", "libm.so.6": "libc6", "libdl.so.2": "libc6",
    "libpthread.so.0": "libc6", "librt.so.1": "libc6", "libutil.so.1": "libc6",
    "libresolv.so.2": "libc6",
    "ld-linux-x86-64.so.2": "libc6",
    "libstdc++.so.6": "libstdc++6", "libgcc_s.so.1": "libgcc-s1", "libz.so.1": "zlib1g",
    "libGL.so.1": "libgl1", "libEGL.so.1": "libegl1", "libOpenGL.so.0": "libopengl0",
    "libGLX.so.0": "libglx0",
    "libxcb.so.1": "libxcb1", "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1", "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-image.so.0": "libxcb-image0", "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-randr.so.0": "libxcb-randr0", "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xfixes.so.0": "libxcb-xfixes0", "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-render.so.0": "libxcb-render0", "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1", "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xinput.so.0": "libxcb-xinput0", "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb-util.so.1": "libxcb-util1", "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0", "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1", "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6", "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0", "libgthread-2.0.so.0": "libglib2.0-0",
    "libwayland-client.so.0": "libwayland-client0", "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    # only an --untrimmed build keeps the GTK platform theme
    "libgtk-3.so.0": "libgtk-3-0", "libgdk-3.so.0": "libgtk-3-0",
}
# Needed only by the Wayland platform plugin: on X11 (or XWayland) the app runs without them.
RECOMMENDED_ONLY = {"libwayland-client0", "libwayland-cursor0", "libwayland-egl1"}


class PackagingError(RuntimeError):
    pass


def debian_version(version: str) -> str:
    """PEP 440 to Debian: pre-releases sort before the release ("0.2.0rc1" -> "0.2.0~rc1")."""
    return re.sub(r"(\d)(a|b|rc|dev)", r"\1~\2", version.replace(".dev", "~dev"))


def external_sonames(bundle: Path) -> dict[str, set[str]]:
    """Every soname some ELF file in the bundle links that the bundle does not hold."""
    present = {p.name for p in bundle.rglob("*")}
    wanted: dict[str, set[str]] = {}
    for path in bundle.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        with path.open("rb") as f:
            if f.read(4) != b"\x7fELF":
                continue
        for soname in cfg.elf_needed(path):
            if soname not in present:
                wanted.setdefault(soname, set()).add(str(path.relative_to(bundle)))
    return wanted


def _package_owning(soname: str) -> str | None:
    """The installed Debian package holding `soname`, found through ldconfig and dpkg -S."""
    try:
        cache = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    except OSError:
        return None
    for line in cache.splitlines():
        if line.strip().startswith(soname + " ") and "x86-64" in line:
            path = line.rsplit("=>", 1)[1].strip()
            owner = subprocess.run(["dpkg", "-S", os.path.realpath(path)],
                                   capture_output=True, text=True)
            if owner.returncode == 0:
                return owner.stdout.split(":", 1)[0]
    return None


def dependencies(bundle: Path) -> tuple[list[str], list[str]]:
    """(Depends, Recommends) for the bundle, from the sonames it needs from the system."""
    depends, recommends, unknown = set(), set(), []
    for soname, users in sorted(external_sonames(bundle).items()):
        package = SONAME_PACKAGES.get(soname) or _package_owning(soname)
        if package is None:
            unknown.append(f"{soname} (needed by {sorted(users)[0]})")
            continue
        (recommends if package in RECOMMENDED_ONLY else depends).add(package)
    if unknown:
        raise PackagingError("no Debian package known for: " + ", ".join(unknown)
                             + "; add them to SONAME_PACKAGES in packaging/linux_packages.py")
    return sorted(depends), sorted(recommends - depends)


def _tree_size_kib(root: Path) -> int:
    total = 0
    for p in root.rglob("*"):
        if p.is_file() and not p.is_symlink():
            total += (p.stat().st_size + 1023) // 1024
    return total


def maintainer() -> str:
    """Debian's DEBFULLNAME/DEBEMAIL when set; otherwise a placeholder on a reserved domain."""
    name = os.environ.get("DEBFULLNAME") or cfg.PUBLISHER
    email = os.environ.get("DEBEMAIL") or f"maintainers@{cfg.APP_ID}.invalid"
    return f"{name} <{email}>"


def control_text(version: str, installed_kib: int, depends: list[str],
                 recommends: list[str]) -> str:
    lines = [
        f"Package: {cfg.APP_ID}",
        f"Version: {debian_version(version)}",
        "Architecture: amd64",
        f"Maintainer: {maintainer()}",
        f"Installed-Size: {installed_kib}",
    ]
    if depends:
        lines.append(f"Depends: {', '.join(depends)}")
    if recommends:
        lines.append(f"Recommends: {', '.join(recommends)}")
    lines += [
        "Section: database",
        "Priority: optional",
        f"Description: {cfg.SUMMARY}",
        " An append-only journal of Amazon Ion revisions in one SQLite file, hash-chained and",
        " digested as Amazon QLDB did, with a desktop app to explore, query and prove its",
        " history and the `ledger` command line for scripts and auditors.",
    ]
    return "\n".join(lines) + "\n"


def _copy_desktop_integration(icons: Path, share: Path) -> None:
    """applications/, mime/packages/ and icons/hicolor/ under `share`."""
    (share / "applications").mkdir(parents=True, exist_ok=True)
    shutil.copy2(DESKTOP_FILE, share / "applications" / f"{cfg.APP_ID}.desktop")
    (share / "mime" / "packages").mkdir(parents=True, exist_ok=True)
    shutil.copy2(MIME_FILE, share / "mime" / "packages" / f"{cfg.APP_ID}.xml")
    shutil.copytree(icons / "hicolor", share / "icons" / "hicolor", dirs_exist_ok=True)


def _normalise_modes(root: Path) -> None:
    """0755 for folders and executables, 0644 for everything else (as Debian policy asks)."""
    for p in [root, *root.rglob("*")]:
        if p.is_symlink():
            continue
        if p.is_dir() or p.stat().st_mode & stat.S_IXUSR:
            p.chmod(0o755)
        else:
            p.chmod(0o644)


def stage_deb(bundle: Path, icons: Path, version: str, stage: Path) -> Path:
    """Lay out the package's file tree and DEBIAN/control under `stage`."""
    if stage.exists():
        shutil.rmtree(stage)
    opt = stage / INSTALL_DIR.lstrip("/")
    shutil.copytree(bundle, opt, symlinks=True)
    (stage / "usr" / "bin").mkdir(parents=True)
    for name in (cfg.APP_ID, cfg.CLI_NAME):
        (stage / "usr" / "bin" / name).symlink_to(f"{INSTALL_DIR}/{name}")
    share = stage / "usr" / "share"
    _copy_desktop_integration(icons, share)
    doc = share / "doc" / cfg.APP_ID
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        f"Upstream-Name: {cfg.APP_ID}\n\nFiles: *\nCopyright: {cfg.PUBLISHER}\n"
        "License: Apache-2.0\n On Debian systems the full text is in\n"
        " /usr/share/common-licenses/Apache-2.0.\n")
    with gzip.GzipFile(doc / "changelog.gz", "wb", mtime=0) as f:
        f.write(f"{cfg.APP_ID} ({debian_version(version)}) see the project history.\n".encode())
    _normalise_modes(stage)
    depends, recommends = dependencies(bundle)
    (stage / "DEBIAN").mkdir(mode=0o755)
    (stage / "DEBIAN" / "control").write_text(
        control_text(version, _tree_size_kib(stage), depends, recommends))
    (stage / "DEBIAN" / "control").chmod(0o644)
    return stage


def build_deb(stage: Path, out: Path, fast: bool) -> Path:
    """dpkg-deb: xz by default, gzip -1 with `fast` (a CI run trades size for minutes)."""
    if shutil.which("dpkg-deb") is None:
        raise PackagingError("dpkg-deb is not installed (apt-get install dpkg-dev)")
    compression = ["-Zgzip", "-z1"] if fast else ["-Zxz", "-z6"]
    out.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["dpkg-deb", "--root-owner-group", *compression, "--build",
                           str(stage), str(out)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise PackagingError(f"dpkg-deb failed:\n{proc.stdout}{proc.stderr}")
    return out


def build_tarball(bundle: Path, icons: Path, version: str, out: Path, fast: bool) -> Path:
    """`ledger-desktop-<v>/` holding the folder, desktop files and a per-user installer."""
    top = f"{cfg.APP_ID}-{version}"
    staging = out.parent / f".{top}-staging"
    if staging.exists():
        shutil.rmtree(staging)
    root = staging / top
    shutil.copytree(bundle, root, symlinks=True)
    _copy_desktop_integration(icons, root / "share")
    shutil.copy2(TARBALL_INSTALLER, root / TARBALL_INSTALLER.name)
    (root / TARBALL_INSTALLER.name).chmod(0o755)
    _normalise_modes(root)
    out.parent.mkdir(parents=True, exist_ok=True)

    def owner(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        return info

    with tarfile.open(out, "w:gz", compresslevel=1 if fast else 9) as tar:
        tar.add(root, arcname=top, filter=owner)
    shutil.rmtree(staging)
    return out
