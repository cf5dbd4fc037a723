"""Creating, building and opening ledgers: the sample, new files, QLDB export folders, drops."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from .busy import TaskFeedback
from .dialogs.errors import error_box

if TYPE_CHECKING:
    from .main_window import MainWindow

LEDGER_SUFFIXES = {".ledger", ".db", ".sqlite"}


def _remove_with_sidecars(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def build_sample_file(target: Path, progress: Any, cancel: Any) -> Path:
    """Build the sample beside `target` and move it into place only when complete."""
    from ..engine.sample import build_sample

    partial = target.with_name(target.name + ".partial")
    _remove_with_sidecars(partial)
    try:
        build_sample(partial)
        cancel.check()
        os.replace(partial, target)
    finally:
        _remove_with_sidecars(partial)
    return target


def create_ledger_file(path: Path) -> Path:
    from ..engine.ledger import Ledger

    Ledger.create(path).close()
    return path


def import_journal_file(export_dir: Path, target: Path, progress: Any, cancel: Any) -> Path:
    """The engine refuses an existing target and removes a half-built one on failure."""
    from ..engine.journal_import import import_journal

    import_journal(export_dir, target, progress=progress, cancel=cancel)
    return target


def sample_available() -> bool:
    try:
        from ..engine import sample  # noqa: F401
    except ImportError:
        return False
    return True


class Opener(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = window.ctx
        self._sample_task = None

    # -- the sample -------------------------------------------------------------------------
    def open_sample(self) -> None:
        path = self.ctx.profile.sample_path
        if path.exists():
            self.window.open_ledger(path)
            return
        if not sample_available():
            self.window.welcome.set_status(
                "The sample ledger cannot be built: this installation has no sample builder.")
            return
        if self._sample_task is not None:
            return
        self.window.welcome.set_status("Building the sample ledger…")
        task = self.ctx.tools.submit(lambda _r, progress, cancel: build_sample_file(
            path, progress, cancel), "build sample")
        self._sample_task = task
        TaskFeedback(task, self.window, "Building the sample ledger…", cancellable=False)
        task.succeeded.connect(lambda p: (self.window.welcome.set_status(""),
                                          self.window.open_ledger(p)))
        task.failed.connect(lambda e: (self.window.welcome.set_status(""),
                                       error_box(self.window, "Cannot build the sample", e,
                                                 task.details)))
        task.finished.connect(self._sample_done)

    def _sample_done(self) -> None:
        self._sample_task = None

    # -- new ledger -------------------------------------------------------------------------
    def new_ledger(self) -> Any:
        """File > New Ledger…: the creating task, or None when nothing was chosen."""
        path, _ = QFileDialog.getSaveFileName(
            self.window, "New Ledger", str(Path(self.ctx.settings.last_dir()) / "new.ledger"),
            "Ledger files (*.ledger)")
        if path:
            return self.create_ledger(Path(path))
        return None

    def create_ledger(self, path: Path) -> Any:
        if path.suffix == "":
            path = path.with_suffix(".ledger")
        if path.exists():
            QMessageBox.warning(self.window, "New Ledger",
                                f"{path} already exists. A ledger is never overwritten; "
                                "choose another name.")
            return None
        self.ctx.settings.set_last_dir(str(path.parent))
        task = self.ctx.tools.submit(lambda _r, _p, _c: create_ledger_file(path), "create ledger")
        task.succeeded.connect(self.window.open_ledger)
        task.failed.connect(lambda e: error_box(self.window, "Cannot create ledger", e,
                                                task.details))
        return task

    # -- QLDB export ------------------------------------------------------------------------
    def import_journal(self, export_dir: str | None = None) -> None:
        if not export_dir:
            export_dir = QFileDialog.getExistingDirectory(
                self.window, "QLDB Journal Export Folder", self.ctx.settings.last_dir())
            if not export_dir:
                return
        suggested = Path(self.ctx.settings.last_dir()) / f"{Path(export_dir).name}.ledger"
        target, _ = QFileDialog.getSaveFileName(self.window, "New Ledger From Export",
                                                str(suggested), "Ledger files (*.ledger)")
        if target:
            self.import_journal_to(Path(export_dir), Path(target))

    def import_journal_to(self, export_dir: Path, target: Path):  # -> Task | None
        if target.exists():
            QMessageBox.warning(self.window, "Import QLDB Export",
                                f"{target} already exists; choose a new file name.")
            return None
        task = self.ctx.tools.submit(lambda _r, progress, cancel: import_journal_file(
            export_dir, target, progress, cancel), "import journal")
        TaskFeedback(task, self.window, f"Importing the QLDB export {export_dir.name}…")
        task.succeeded.connect(self.window.open_ledger)
        task.failed.connect(lambda e: error_box(self.window, "Journal import failed", e,
                                                task.details))
        return task

    # -- drops ------------------------------------------------------------------------------
    def dropped(self, paths: list[str]) -> None:
        """Ledger files open; a folder is a QLDB export; data files import into the ledger
        in front (or dropped with them), else the user is asked which."""
        items = [Path(p) for p in paths]
        ledgers = [p for p in items if p.is_file() and p.suffix.lower() in LEDGER_SUFFIXES]
        folders = [p for p in items if p.is_dir()]
        data = [p for p in items if p.is_file() and p not in ledgers]
        for p in ledgers:
            self.window.open_ledger(p)
        for folder in folders:
            self.import_journal(str(folder))
        if data:
            files = [str(p) for p in data]
            if ledgers:  # dropped with a ledger: into that one, once its tables are known
                self.import_after_open(ledgers[-1], files)
                return
            workspace = self.window.current_workspace()
            if workspace is None:
                self.ask_import_target(files)
                return
            workspace.import_files(files)

    # -- data files with no ledger in front -------------------------------------------------
    def ask_import_target(self, data: list[str]) -> Any:
        """Data files opened (double-clicked, dropped on Start) with no ledger in front: ask
        which ledger they go into (open or recent), or open or create one, then import."""
        from .dialogs.import_target import CHOSEN, NEW_LEDGER, ImportTargetDialog

        dialog = ImportTargetDialog(self.window, data,
                                    [w.path for w in self.window.workspaces()],
                                    # evidence opened read-only is no place to import into
                                    [p for p in self.ctx.settings.recent_files()
                                     if not self.ctx.settings.recent_read_only(p)])

        def answered(code: int) -> None:
            dialog.deleteLater()
            if code != QDialog.DialogCode.Accepted or dialog.choice is None:
                return
            kind, path = dialog.choice
            if kind == CHOSEN and path is not None:
                self.import_after_open(path, data)
            elif kind == NEW_LEDGER:
                task = self.new_ledger()
                if task is not None:  # after the window's open_ledger: it is in a tab then
                    task.succeeded.connect(lambda p: self.import_after_open(p, data))
            else:
                chosen, _ = QFileDialog.getOpenFileName(
                    self.window, "Open the Ledger to Import Into", self.ctx.settings.last_dir(),
                    "Ledger files (*.ledger *.db *.sqlite);;All files (*)")
                if chosen:
                    self.ctx.settings.set_last_dir(str(Path(chosen).parent))
                    self.import_after_open(Path(chosen), data)

        # not exec(): a nested event loop would hold --quit-after and the start-up warm-up
        dialog.finished.connect(answered)
        dialog.open()
        return dialog

    def import_after_open(self, path: str | Path, data: list[str]) -> None:
        """Open (or switch to) the ledger at `path`, and show the Import dialog for `data` once
        its tables are known; nothing happens when it fails to open (that error is shown)."""
        self.window.open_ledger(path)
        target = Path(path).resolve()
        workspace = next((w for w in self.window.workspaces() if w.path == target), None)
        if workspace is None:
            return
        if workspace.ever_loaded:
            workspace.import_files(data)
            return

        def loaded() -> None:
            workspace.opened.disconnect(loaded)
            workspace.import_files(data)

        workspace.opened.connect(loaded)

    def shutdown(self) -> None:
        if self._sample_task is not None:
            self._sample_task.cancel()
