"""Every settings key in one place, stored in an INI file inside the profile folder.

The profile folder is the user's config location normally, a temporary folder with
`--temp-profile`, or `LEDGER_DESKTOP_PROFILE` when set (tests point it at `tmp_path`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

MAX_RECENT = 10

# Settings keys (one home for every name).
KEY_RECENT = "files/recent"
KEY_RECENT_READ_ONLY = "files/recentReadOnly"  # recent ledgers last opened read-only
KEY_GEOMETRY = "window/geometry"
KEY_STATE = "window/state"
KEY_SPLITTERS = "window/splitters"
KEY_QUERY_HISTORY = "query/history"
KEY_PAGE_SIZE = "grid/pageSize"
KEY_LAST_DIR = "files/lastDir"
KEY_OPEN_TABS = "files/openTabs"              # the ledgers open at quit, in tab order
KEY_OPEN_READ_ONLY = "files/openReadOnly"     # those of them open read-only
KEY_OPEN_CURRENT = "files/openCurrent"        # the one in front
KEY_SCHEME = "appearance/colourScheme"
#: ask before an UPDATE or DELETE without WHERE commits (the question's "don't ask again")
KEY_CONFIRM_UNFILTERED = "questions/confirmUnfilteredChange"

MAX_QUERY_HISTORY = 200


@dataclass
class Profile:
    """Where settings and app data (the sample ledger) live for this run."""

    config_dir: Path
    data_dir: Path
    temporary: bool = False

    @classmethod
    def create(cls, temporary: bool) -> Profile:
        override = os.environ.get("LEDGER_DESKTOP_PROFILE")
        if override:
            root = Path(override)
            return cls(root / "config", root / "data", temporary=False)
        if temporary:
            root = Path(tempfile.mkdtemp(prefix="ledger-desktop-profile-"))
            return cls(root / "config", root / "data", temporary=True)
        config = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppConfigLocation)
        data = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
        return cls(Path(config), Path(data))

    def ensure(self) -> None:
        self.config_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(parents=True, exist_ok=True)

    @property
    def sample_path(self) -> Path:
        return self.data_dir / "sample.ledger"

    def discard(self) -> None:
        """Remove a temporary profile at exit; a real profile is kept."""
        if self.temporary:
            shutil.rmtree(self.config_dir.parent, ignore_errors=True)


class Settings:
    """Typed access to the few things the app remembers between runs."""

    def __init__(self, profile: Profile) -> None:
        profile.ensure()
        self.profile = profile
        self._qs = QSettings(str(profile.config_dir / "settings.ini"), QSettings.Format.IniFormat)

    # -- recent ledgers -------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self._qs.value(KEY_RECENT, [])
        if isinstance(value, str):  # QSettings collapses one-item lists to a string
            value = [value]
        return [str(v) for v in (value or [])]

    def add_recent(self, path: str | os.PathLike[str], read_only: bool = False) -> None:
        """`path` first among the recent ledgers; `read_only`: it was opened read-only and
        reopens so (evidence clicked in Recent opened for writing, and a statement there
        appended a block to it)."""
        text = str(Path(path).resolve())
        items = [p for p in self.recent_files() if p != text]
        items.insert(0, text)
        self._qs.setValue(KEY_RECENT, items[:MAX_RECENT])
        marked = [p for p in self._strings(KEY_RECENT_READ_ONLY) if p != text and p in items]
        self._qs.setValue(KEY_RECENT_READ_ONLY, [text, *marked] if read_only else marked)

    def recent_read_only(self, path: str) -> bool:
        """The recent ledger `path` was last opened read-only."""
        return path in self._strings(KEY_RECENT_READ_ONLY)

    def remove_recent(self, path: str) -> None:
        self._qs.setValue(KEY_RECENT, [p for p in self.recent_files() if p != path])

    # -- the ledgers open at quit, reopened at the next start -----------------------------
    def open_ledgers(self) -> tuple[list[tuple[str, bool]], str]:
        """([(path, read_only)] in tab order, the path in front) as the last run left them."""
        read_only = set(self._strings(KEY_OPEN_READ_ONLY))
        return ([(p, p in read_only) for p in self._strings(KEY_OPEN_TABS)],
                str(self._qs.value(KEY_OPEN_CURRENT, "") or ""))

    def set_open_ledgers(self, ledgers: list[tuple[str, bool]], current: str) -> None:
        self._qs.setValue(KEY_OPEN_TABS, [p for p, _ro in ledgers])
        self._qs.setValue(KEY_OPEN_READ_ONLY, [p for p, ro in ledgers if ro])
        self._qs.setValue(KEY_OPEN_CURRENT, current)

    def _strings(self, key: str) -> list[str]:
        value = self._qs.value(key, [])
        if isinstance(value, str):  # QSettings collapses one-item lists to a string
            value = [value] if value else []
        return [str(v) for v in (value or [])]

    # -- window layout --------------------------------------------------------------------
    def bytes_value(self, key: str) -> QByteArray | None:
        value = self._qs.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_bytes(self, key: str, value: QByteArray) -> None:
        self._qs.setValue(key, value)

    # -- query history --------------------------------------------------------------------
    def query_history(self) -> list[str]:
        value = self._qs.value(KEY_QUERY_HISTORY, [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def add_query(self, statement: str) -> None:
        statement = statement.strip()
        if not statement:
            return
        items = [s for s in self.query_history() if s != statement]
        items.insert(0, statement)
        self._qs.setValue(KEY_QUERY_HISTORY, items[:MAX_QUERY_HISTORY])

    # -- simple values --------------------------------------------------------------------
    def last_dir(self) -> str:
        return str(self._qs.value(KEY_LAST_DIR, str(Path.home())))

    def set_last_dir(self, path: str) -> None:
        self._qs.setValue(KEY_LAST_DIR, path)

    def scheme(self) -> str:
        """The colour scheme preference: system, light or dark."""
        value = str(self._qs.value(KEY_SCHEME, "system"))
        return value if value in ("system", "light", "dark") else "system"

    def set_scheme(self, scheme: str) -> None:
        self._qs.setValue(KEY_SCHEME, scheme)

    def confirm_unfiltered_change(self) -> bool:
        """Ask before an auto-commit UPDATE or DELETE without WHERE runs (default: yes)."""
        value = self._qs.value(KEY_CONFIRM_UNFILTERED, True)
        return value not in (False, "false", "0", 0)

    def set_confirm_unfiltered_change(self, ask: bool) -> None:
        self._qs.setValue(KEY_CONFIRM_UNFILTERED, bool(ask))

    def sync(self) -> None:
        self._qs.sync()
