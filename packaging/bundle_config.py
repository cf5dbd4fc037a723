"""What goes into the frozen bundle, and the metadata every package format shares.

Imported by the PyInstaller spec, by `build.py` and by the tests, so the names, file types and
trimming rules live in one place. No PyInstaller or Qt imports here: plain data and functions.
"""

from __future__ import annotations

import fnmatch
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent

APP_NAME = "Ledger Desktop"
APP_ID = "ledger-desktop"                 # executable, .deb package, .desktop file, icon name
CLI_NAME = "ledger"
BUNDLE_ID = "io.github.ledgerdesktop.LedgerDesktop"   # macOS CFBundleIdentifier, Windows AppId seed
PUBLISHER = "Ledger Desktop contributors"
SUMMARY = "A local, QLDB-compatible, verifiable ledger database with a desktop explorer"


@dataclass(frozen=True)
class FileType:
    mime: str
    extension: str           # without the dot
    description: str
    uti: str                 # macOS uniform type identifier
    exported: bool           # ours to declare (macOS UTExportedTypeDeclarations) or imported
    icon: str                # hicolor icon name for the type
    magic: tuple[tuple[int, bytes], ...]   # (offset, bytes) that must all match


# A ledger is an SQLite file whose header (offset 68, big-endian) holds PRAGMA application_id
# 0x4C444752, "LDGR" (see ledger_desktop/engine/storage.py).
LEDGER_APPLICATION_ID = 0x4C444752
LEDGER_TYPE = FileType(
    mime="application/x-ledger-desktop", extension="ledger",
    description="Ledger Desktop ledger", uti="io.github.ledgerdesktop.ledger", exported=True,
    icon="application-x-ledger-desktop",
    magic=((0, b"SQLite format 3\0"), (68, struct.pack(">I", LEDGER_APPLICATION_ID))))
# Amazon Ion, text or binary (binary starts with the Ion 1.0 version marker E0 01 00 EA).
ION_TYPE = FileType(
    mime="application/x-amazon-ion", extension="ion", description="Amazon Ion data",
    uti="com.amazon.ion", exported=False, icon="text-x-generic",
    magic=((0, b"\xe0\x01\x00\xea"),))
FILE_TYPES = (LEDGER_TYPE, ION_TYPE)


def read_version(root: Path = ROOT) -> str:
    """The version in ledger_desktop/__init__.py, read without importing the package."""
    text = (root / "ledger_desktop" / "__init__.py").read_text(encoding="utf-8")
    m = re.search(r'^__version__\s*=\s*["\']([^"\']+)["\']', text, re.MULTILINE)
    if not m:
        raise ValueError("ledger_desktop/__init__.py has no __version__")
    return m.group(1)


def numeric_version(version: str) -> tuple[int, int, int, int]:
    """Four integers for Windows version resources and CFBundleVersion ("0.1.0rc1" -> 0,1,0,0)."""
    parts = [int(m.group(0)) for m in (re.match(r"\d+", p) for p in version.split("."))
             if m][:4]
    return tuple(parts + [0] * (4 - len(parts)))  # type: ignore[return-value]


# -- what Python modules the bundle leaves out --------------------------------------------------

# Qt modules no code path of the app imports. pyqtgraph imports QtSvg, QtOpenGL and
# QtOpenGLWidgets (kept) and QtTest only inside a try (left out).
UNUSED_QT_MODULES = [
    "PySide6.QtNetwork", "PySide6.QtDBus", "PySide6.QtTest", "PySide6.QtQml", "PySide6.QtQuick",
    "PySide6.QtQuickWidgets", "PySide6.QtQuickControls2", "PySide6.QtPrintSupport",
    "PySide6.QtSql", "PySide6.QtXml", "PySide6.QtConcurrent", "PySide6.QtDesigner",
    "PySide6.QtHelp", "PySide6.QtUiTools", "PySide6.QtSvgWidgets", "PySide6.QtStateMachine",
    "PySide6.QtNetworkAuth", "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets",
    "PySide6.QtMultimedia", "PySide6.Qt3DCore", "PySide6.QtCharts", "PySide6.QtDataVisualization",
    "PySide6.QtPdf", "PySide6.QtBluetooth", "PySide6.QtPositioning", "PySide6.QtSerialPort",
]
# Other bindings and development-only packages that optional imports could drag in.
NOT_SHIPPED = [
    "tkinter", "_tkinter", "PyQt5", "PyQt6", "PySide2", "IPython", "matplotlib", "scipy",
    "pandas", "pytest", "_pytest", "hypothesis", "moto", "pytestqt", "jupyter_client",
    "ipykernel", "OpenGL", "cupy", "pyqtgraph.examples", "pyqtgraph.jupyter",
    # botocore tries urllib3's pyOpenSSL shim and falls back to the ssl module (11 MB saved)
    "urllib3.contrib.pyopenssl", "OpenSSL", "cryptography",
]
APP_EXCLUDES = UNUSED_QT_MODULES + NOT_SHIPPED
# The CLI never imports Qt (import-linter guards that); its own Analysis proves it stays small.
CLI_EXCLUDES = APP_EXCLUDES + [
    "PySide6", "shiboken6", "pyqtgraph", "ledger_desktop.ui", "ledger_desktop.workers",
]

# -- what files the bundle leaves out (paths relative to the bundle's _internal folder) ----------

# Qt plugins kept, by folder; a folder not listed keeps nothing. Names are stems without the
# "lib" prefix, so one list serves .so, .dll and .dylib.
KEEP_QT_PLUGINS = {
    # xcb and wayland for desktops, offscreen/minimal for headless runs; windows and cocoa
    "platforms": {"qxcb", "qwayland", "qwayland-generic", "qwayland-egl", "qoffscreen",
                  "qminimal", "qwindows", "qcocoa", "qdirect2d"},
    "wayland-decoration-client": {"*"},
    "wayland-graphics-integration-client": {"*"},
    "wayland-shell-integration": {"*"},
    "xcbglintegrations": {"*"},
    "platforminputcontexts": {"composeplatforminputcontextplugin",
                              "ibusplatforminputcontextplugin"},   # dead keys, input methods
    "platformthemes": {"qxdgdesktopportal"},   # not qgtk3: it drags in GTK, cairo and pango
    "imageformats": {"qsvg", "qico", "qjpeg", "qgif", "qicns"},
    "iconengines": {"qsvgicon"},
    "styles": {"*"},
}
DROP_GLOBS = [
    "PySide6/Qt/translations/*",      # the app speaks English; Qt's own dialogs stay readable
    "PySide6/Qt/qml/*",
    "PySide6/Qt/resources/qtwebengine*",
    "PySide6/Qt/lib/*.prl",
]
# botocore ships every AWS service model (~26 MB); the Kinesis sink needs Kinesis, and the
# credential providers may call STS and SSO.
KEEP_BOTOCORE_SERVICES = {"kinesis", "sts", "sso", "sso-oidc"}


def plugin_stem(filename: str) -> str:
    name = filename.split(".")[0]
    return name[3:] if name.startswith("lib") else name


def is_dropped(dest: str) -> bool:
    """Whether a bundle file (its path inside _internal, with / separators) is left out."""
    p = PurePosixPath(dest.replace("\\", "/"))
    parts = p.parts
    if any(fnmatch.fnmatch(str(p), g) for g in DROP_GLOBS):
        return True
    if "plugins" in parts and parts[:1] == ("PySide6",):
        i = parts.index("plugins")
        if len(parts) == i + 3:   # plugins/<folder>/<file>
            keep = KEEP_QT_PLUGINS.get(parts[i + 1], set())
            return not ("*" in keep or plugin_stem(parts[i + 2]) in keep)
    if parts[:2] == ("botocore", "data") and len(parts) > 3:
        return parts[2] not in KEEP_BOTOCORE_SERVICES
    return False


def trim(toc: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """A PyInstaller TOC (dest, src, typecode) without the files `is_dropped` names."""
    return [entry for entry in toc if not is_dropped(entry[0])]


# -- pruning shared libraries nothing needs any more (Linux, ELF) ---------------------------------

def elf_needed(path: Path) -> list[str]:
    """DT_NEEDED sonames of a 64-bit little-endian ELF file ([] for anything else)."""
    data = path.read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return []
    e_shoff, = struct.unpack_from("<Q", data, 0x28)
    e_shentsize, e_shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, e_shoff + i * e_shentsize)
                for i in range(e_shnum)]
    needed = []
    for _name, sh_type, _flags, _addr, offset, size, link, _info, _align, entsize in sections:
        if sh_type != 6:  # SHT_DYNAMIC
            continue
        strtab = sections[link]
        str_off = strtab[4]
        for pos in range(offset, offset + size, entsize or 16):
            tag, val = struct.unpack_from("<qQ", data, pos)
            if tag == 0:
                break
            if tag == 1:  # DT_NEEDED
                end = data.index(b"\0", str_off + val)
                needed.append(data[str_off + val:end].decode())
    return needed


def _is_plain_library(dest: str) -> bool:
    """A shared library loaded only because another binary links it (not an entry point)."""
    p = PurePosixPath(dest.replace("\\", "/"))
    name = p.name
    if "plugins" in p.parts or "lib-dynload" in p.parts:
        return False
    if ".cpython-" in name or (".abi3.so" in name and not name.startswith("lib")):
        return False
    if name.startswith("libpython"):
        return False  # the bootloader dlopens it
    return name.startswith("lib") and ".so" in name


def prune_unneeded(toc: list[tuple[str, str, str]]) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Drop bundled libraries no remaining binary links, directly or through others.

    Dropping a Qt plugin (say the GTK theme) leaves behind the libraries only it needed; this
    walks DT_NEEDED from every extension module, plugin and libpython and keeps what it reaches.
    Returns the new TOC and the names dropped.
    """
    by_name: dict[str, tuple[str, str, str]] = {}
    for entry in toc:
        if entry[2] in ("BINARY", "EXTENSION"):
            by_name.setdefault(PurePosixPath(entry[0]).name, entry)
    reached: set[str] = set()
    todo = [e for e in toc if e[2] in ("BINARY", "EXTENSION") and not _is_plain_library(e[0])]
    while todo:
        entry = todo.pop()
        for soname in elf_needed(Path(entry[1])):
            if soname in by_name and soname not in reached:
                reached.add(soname)
                todo.append(by_name[soname])
    dropped = {name for name, e in by_name.items()
               if _is_plain_library(e[0]) and name not in reached}
    kept = [e for e in toc
            if not (e[2] in ("BINARY", "EXTENSION") and PurePosixPath(e[0]).name in dropped)
            and not (e[2] == "SYMLINK" and PurePosixPath(e[1]).name in dropped)]
    return kept, sorted(dropped)


# -- platform metadata --------------------------------------------------------------------------

def windows_version_info(version: str) -> str:
    """A PyInstaller version-resource file (Python literal of a VSVersionInfo)."""
    nums = numeric_version(version)
    strings = {
        "CompanyName": PUBLISHER, "FileDescription": APP_NAME, "FileVersion": version,
        "InternalName": APP_ID, "LegalCopyright": f"Apache-2.0, {PUBLISHER}",
        "OriginalFilename": f"{APP_ID}.exe", "ProductName": APP_NAME, "ProductVersion": version,
    }
    entries = ",\n            ".join(f"StringStruct({k!r}, {v!r})" for k, v in strings.items())
    return f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={nums}, prodvers={nums}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('040904B0', [
            {entries}])]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""


def info_plist(version: str) -> dict[str, object]:
    """Info.plist keys for the macOS .app: document types so Finder opens .ledger and .ion."""
    def declaration(t: FileType) -> dict[str, object]:
        return {
            "UTTypeIdentifier": t.uti,
            "UTTypeDescription": t.description,
            "UTTypeConformsTo": ["public.database", "public.data"] if t is LEDGER_TYPE
            else ["public.data"],
            "UTTypeTagSpecification": {"public.filename-extension": [t.extension],
                                       "public.mime-type": [t.mime]},
        }

    return {
        "CFBundleName": APP_NAME,
        "CFBundleDisplayName": APP_NAME,
        "CFBundleShortVersionString": version,
        "CFBundleVersion": ".".join(str(n) for n in numeric_version(version)[:3]),
        "NSHighResolutionCapable": True,
        "NSRequiresAquaSystemAppearance": False,   # follow dark mode
        "LSMinimumSystemVersion": "11.0",
        "LSApplicationCategoryType": "public.app-category.developer-tools",
        "CFBundleDocumentTypes": [
            {
                "CFBundleTypeName": t.description,
                "CFBundleTypeRole": "Editor" if t is LEDGER_TYPE else "Viewer",
                "LSHandlerRank": "Owner" if t.exported else "Alternate",
                "LSItemContentTypes": [t.uti],
                **({"CFBundleTypeIconFile": "ledger-file.icns"} if t is LEDGER_TYPE else {}),
            }
            for t in FILE_TYPES
        ],
        "UTExportedTypeDeclarations": [declaration(t) for t in FILE_TYPES if t.exported],
        "UTImportedTypeDeclarations": [declaration(t) for t in FILE_TYPES if not t.exported],
    }
