"""Build Ledger Desktop's installable packages and smoke-test them: `python packaging/build.py`.

Steps, each timed:
  1. render the icons from resources/icons/app/*.svg (PNG sizes, .ico, .icns)
  2. freeze with PyInstaller (packaging/ledger-desktop.spec): dist/ledger-desktop/ holds
     `ledger-desktop` (windowed app) and `ledger` (CLI) sharing one _internal folder
  3. smoke-test the frozen app (offscreen, and on X11 under Xvfb when xvfb-run is installed;
     temporary profile: builds, opens and verifies the sample, quits by itself) and the frozen
     CLI (sample, verify, info); any error or unexpected stderr fails the build
  4. per platform: Linux, dist/ledger-desktop_<v>_amd64.deb and
     dist/ledger-desktop-<v>-linux-x86_64.tar.gz; Windows, the Inno Setup installer when
     `iscc` is on PATH; macOS, dist/Ledger Desktop.app and a .dmg (hdiutil)
  5. with --install-test (Linux, root): dpkg -i the .deb, smoke-test /usr/bin/ledger-desktop
     and /usr/bin/ledger, dpkg -r, and check nothing was left behind

--fast trades package size for time (gzip -1 instead of xz), for CI. A summary with sizes and
timings is printed and written to dist/build-report.json. Exit code 0 only if every step passed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PACKAGING = Path(__file__).resolve().parent
ROOT = PACKAGING.parent
sys.path.insert(0, str(PACKAGING))

import bundle_config as cfg  # noqa: E402
import frozen_smoke  # noqa: E402
from linux_packages import PackagingError  # noqa: E402

SPEC = PACKAGING / "ledger-desktop.spec"
IS_LINUX, IS_WIN, IS_MAC = sys.platform.startswith("linux"), sys.platform == "win32", \
    sys.platform == "darwin"


def tree_size(path: Path) -> int:
    """Bytes of the regular files under `path` (symlinks count once, as their targets do)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def remove_dangling_symlinks(root: Path) -> list[str]:
    """Delete the symbolic links under `root` whose target does not exist; returns them."""
    removed = []
    for p in sorted(root.rglob("*")):
        if p.is_symlink() and not p.exists():
            p.unlink()
            removed.append(str(p.relative_to(root)))
    return removed


def mib(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB"


class Build:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.version = cfg.read_version(ROOT)
        self.dist: Path = args.dist
        self.work: Path = args.work
        self.icons = self.work / "icons"
        self.bundle = self.dist / cfg.APP_ID
        self.exe_suffix = ".exe" if IS_WIN else ""
        self.report: dict[str, Any] = {"version": self.version, "fast": args.fast,
                                       "untrimmed": args.untrimmed,
                                       "python": platform.python_version(), "steps": {},
                                       "sizes": {}}

    def log(self, message: str) -> None:
        print(f"[build] {message}", flush=True)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.log(f"{name}…")
        start = time.monotonic()
        yield
        seconds = round(time.monotonic() - start, 1)
        self.report["steps"][name] = seconds
        self.log(f"{name}: done in {seconds} s")

    # -- steps ------------------------------------------------------------------------------
    def render_icons(self) -> None:
        import icons

        icons.write_all(self.icons)

    def freeze(self) -> None:
        env = dict(os.environ, LEDGER_PKG_ICONS=str(self.icons),
                   LEDGER_PKG_REPORT=str(self.work / "trim-report.json"),
                   LEDGER_PKG_UNTRIMMED="1" if self.args.untrimmed else "0")
        argv = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
                "--log-level", "WARN", "--distpath", str(self.dist),
                "--workpath", str(self.work / "pyinstaller"), str(SPEC)]
        proc = subprocess.run(argv, env=env, cwd=ROOT)
        if proc.returncode != 0:
            raise PackagingError(f"PyInstaller failed (exit code {proc.returncode})")
        trim = json.loads((self.work / "trim-report.json").read_text())
        self.report["pruned_libraries"] = trim["pruned_libraries"]
        # PyInstaller adds top-level links to Qt's libraries after the spec's pruning ran; the
        # ones pointing at pruned libraries would dangle.
        dangling = remove_dangling_symlinks(self.bundle)
        self.report["removed_dangling_links"] = dangling
        self.report["sizes"]["bundle"] = tree_size(self.bundle)

    def smoke(self) -> None:
        exe = self.bundle / f"{cfg.APP_ID}{self.exe_suffix}"
        app = frozen_smoke.smoke_app(exe)
        self.log(app.stdout.strip())
        if IS_LINUX and frozen_smoke.can_run_x11():
            x11 = frozen_smoke.smoke_app(exe, x11=True)
            self.log(f"on X11 (Xvfb): {x11.stdout.strip()}")
            self.report["smoke_x11"] = x11.stdout.strip()
        else:
            self.log("xvfb-run or xauth not found: the app was smoke-tested offscreen only")
        cli = frozen_smoke.smoke_cli(self.bundle / f"{cfg.CLI_NAME}{self.exe_suffix}",
                                     self.version)
        self.log(f"CLI: {len(cli)} commands ran as expected")
        self.report["smoke"] = {"app": app.stdout.strip(), "app_seconds": round(app.seconds, 1),
                                "cli_commands": [" ".join(r.argv[1:]) for r in cli]}

    def linux_packages(self) -> None:
        import linux_packages as lp

        stage = lp.stage_deb(self.bundle, self.icons, self.version, self.work / "deb-root")
        deb = self.dist / f"{cfg.APP_ID}_{lp.debian_version(self.version)}_amd64.deb"
        lp.build_deb(stage, deb, self.args.fast)
        shutil.rmtree(stage)
        tarball = self.dist / f"{cfg.APP_ID}-{self.version}-linux-x86_64.tar.gz"
        lp.build_tarball(self.bundle, self.icons, self.version, tarball, self.args.fast)
        self.report["packages"] = [deb.name, tarball.name]
        self.report["sizes"].update({"deb": deb.stat().st_size, "tarball": tarball.stat().st_size})
        self.deb = deb

    def install_test(self) -> None:
        import deb_install_test

        self.report["install_test"] = deb_install_test.run(self.deb, self.version, self.log)

    def windows_installer(self) -> None:
        iscc = shutil.which("iscc") or shutil.which("ISCC")
        if iscc is None:
            self.log("Inno Setup's iscc is not on PATH: skipping the installer (see "
                     "docs/packaging.md)")
            return
        numeric = ".".join(str(n) for n in cfg.numeric_version(self.version))
        proc = subprocess.run([iscc, f"/DAppVersion={self.version}", f"/DAppNumericVersion={numeric}",
                               f"/DSourceDir={self.bundle}", f"/DIconDir={self.icons}",
                               f"/O{self.dist}", str(PACKAGING / "windows" / "ledger-desktop.iss")])
        if proc.returncode != 0:
            raise PackagingError(f"iscc failed (exit code {proc.returncode})")

    def mac_dmg(self) -> None:
        app = self.dist / f"{cfg.APP_NAME}.app"
        dmg = self.dist / f"{cfg.APP_ID}-{self.version}-macos.dmg"
        proc = subprocess.run(["sh", str(PACKAGING / "macos" / "make-dmg.sh"), str(app),
                               str(dmg), self.version])
        if proc.returncode != 0:
            raise PackagingError(f"make-dmg.sh failed (exit code {proc.returncode})")
        self.report["sizes"]["dmg"] = dmg.stat().st_size

    # -- the whole build ----------------------------------------------------------------------
    def run(self) -> None:
        start = time.monotonic()
        plan: list[tuple[str, Callable[[], None]]] = [("icons", self.render_icons)]
        if not self.args.no_freeze:
            plan.append(("freeze", self.freeze))
        elif not self.bundle.is_dir():
            raise PackagingError(f"--no-freeze, but {self.bundle} does not exist")
        if not self.args.no_smoke:
            plan.append(("smoke test (frozen)", self.smoke))
        if IS_LINUX:
            plan.append(("linux packages", self.linux_packages))
            if self.args.install_test:
                plan.append(("install test (.deb)", self.install_test))
        elif IS_WIN:
            plan.append(("windows installer", self.windows_installer))
        elif IS_MAC:
            plan.append(("macos dmg", self.mac_dmg))
        for name, fn in plan:
            with self.step(name):
                fn()
        self.report["sizes"].setdefault("bundle", tree_size(self.bundle))
        self.report["total_seconds"] = round(time.monotonic() - start, 1)

    def summary(self) -> str:
        sizes = ", ".join(f"{k} {mib(v)}" for k, v in self.report["sizes"].items())
        steps = ", ".join(f"{k} {v} s" for k, v in self.report["steps"].items())
        return (f"Ledger Desktop {self.version}: {sizes}\n"
                f"time: {self.report.get('total_seconds')} s ({steps})")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python packaging/build.py",
        description="Freeze Ledger Desktop with PyInstaller, build this platform's packages "
                    "into dist/ and smoke-test them.")
    parser.add_argument("--fast", action="store_true",
                        help="fast compression (gzip -1) for the .deb and tarball, as CI uses")
    parser.add_argument("--install-test", action="store_true",
                        help="Linux, as root: dpkg -i the .deb, smoke-test it, dpkg -r, "
                             "check nothing is left")
    parser.add_argument("--no-freeze", action="store_true",
                        help="reuse dist/ledger-desktop from an earlier run")
    parser.add_argument("--no-smoke", action="store_true",
                        help="skip the frozen app's smoke test (never in CI)")
    parser.add_argument("--untrimmed", action="store_true",
                        help="keep every Qt module, plugin and library the hooks collect, "
                             "unstripped: only to measure what the trimming saves")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "packaging",
                        help="PyInstaller's and the staging work folder")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    build = Build(args)
    ok = False
    try:
        build.run()
        ok = True
    except (PackagingError, frozen_smoke.SmokeFailure) as e:
        build.log(f"FAILED: {e}")
    finally:
        build.report["ok"] = ok
        args.dist.mkdir(parents=True, exist_ok=True)
        (args.dist / "build-report.json").write_text(json.dumps(build.report, indent=2))
    build.log(build.summary())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
