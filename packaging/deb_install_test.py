"""Install the .deb on this machine, run what it installed, remove it and check nothing is left.

Needs root and dpkg, and refuses to run when the package is already installed (it would remove
someone's installation). Used by `build.py --install-test` and tests/packaging.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import bundle_config as cfg
import frozen_smoke
from linux_packages import INSTALL_DIR, PackagingError

# Every path under these is listed before the install and after the removal: the package and
# the triggers it sets off (MIME database, icon cache) must leave the same set of files.
WATCHED = ["/opt", "/usr/bin", "/usr/share/applications", "/usr/share/mime",
           "/usr/share/icons/hicolor", "/usr/share/doc"]


def _dpkg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["dpkg", *args], capture_output=True, text=True)


def installed() -> bool:
    status = _dpkg("-s", cfg.APP_ID)
    return status.returncode == 0 and "Status: install ok installed" in status.stdout


def snapshot() -> set[str]:
    paths: set[str] = set()
    for top in WATCHED:
        for dirpath, dirnames, filenames in os.walk(top):
            paths.update(os.path.join(dirpath, n) for n in dirnames + filenames)
    return paths


def can_run() -> str | None:
    """Why the install test cannot run here, or None when it can."""
    if os.name != "posix" or os.geteuid() != 0:
        return "installing a .deb needs root"
    if subprocess.run(["which", "dpkg"], capture_output=True).returncode != 0:
        return "dpkg is not installed"
    if installed():
        return f"{cfg.APP_ID} is already installed here; not touching it"
    return None


def run(deb: Path, version: str, log: Callable[[str], None] = print) -> dict[str, object]:
    reason = can_run()
    if reason:
        raise PackagingError(f"cannot run the install test: {reason}")
    before = snapshot()
    result: dict[str, object] = {}
    proc = _dpkg("-i", str(deb))
    if proc.returncode != 0:
        _dpkg("--purge", cfg.APP_ID)
        raise PackagingError(f"dpkg -i failed:\n{proc.stdout}{proc.stderr}")
    try:
        listed = set(_dpkg("-L", cfg.APP_ID).stdout.split())
        for required in (f"{INSTALL_DIR}/{cfg.APP_ID}", f"{INSTALL_DIR}/{cfg.CLI_NAME}",
                         f"/usr/bin/{cfg.APP_ID}", f"/usr/bin/{cfg.CLI_NAME}",
                         f"/usr/share/applications/{cfg.APP_ID}.desktop",
                         f"/usr/share/mime/packages/{cfg.APP_ID}.xml",
                         f"/usr/share/icons/hicolor/256x256/apps/{cfg.APP_ID}.png"):
            if required not in listed:
                raise PackagingError(f"the installed package has no {required}")
        if Path("/usr/bin/update-mime-database").exists():
            # The shared-mime-info trigger ran: the type is in the system database.
            generated = Path("/usr/share/mime/application/x-ledger-desktop.xml")
            if not generated.exists():
                raise PackagingError(f"{generated} missing: the MIME type was not registered")
        if Path("/usr/bin/update-desktop-database").exists():
            # The desktop-file-utils trigger ran: file managers offer the app for both types.
            cache = Path("/usr/share/applications/mimeinfo.cache").read_text(encoding="utf-8")
            for t in cfg.FILE_TYPES:
                if f"{t.mime}={cfg.APP_ID}.desktop;" not in cache:
                    raise PackagingError(f"{t.mime} is not associated with the app in "
                                         "/usr/share/applications/mimeinfo.cache")
        log("installed; smoke-testing /usr/bin/ledger-desktop and /usr/bin/ledger")
        app = frozen_smoke.smoke_app(Path("/usr/bin") / cfg.APP_ID)
        cli = frozen_smoke.smoke_cli(Path("/usr/bin") / cfg.CLI_NAME, version)
        result["installed_app"] = app.stdout.strip()
        result["installed_cli_runs"] = len(cli)
    finally:
        removed = _dpkg("-r", cfg.APP_ID)
    if removed.returncode != 0:
        raise PackagingError(f"dpkg -r failed:\n{removed.stdout}{removed.stderr}")
    if installed():
        raise PackagingError("dpkg -r ran but the package still shows as installed")
    after = snapshot()
    left = sorted(after - before)
    if left:
        raise PackagingError("dpkg -r left files behind:\n  " + "\n  ".join(left[:40]))
    gone = sorted(before - after)
    if gone:
        raise PackagingError("installing and removing deleted files that were there before:\n  "
                             + "\n  ".join(gone[:40]))
    result["left_behind"] = 0
    return result
