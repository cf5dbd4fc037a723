"""Shared test set-up. Qt must see the offscreen platform before it is first imported."""

from __future__ import annotations

import gc
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    # As in the app (ui/gc_pacing.py): garbage cycles are collected on the main thread only.
    # An automatic collection runs in whichever thread allocates, and a worker thread that
    # collected an earlier test's closed widgets destroyed them off the GUI thread.
    gc.disable()


_tests_run = 0
YOUNG_OBJECTS = 100_000   # tracked objects allocated since the last collection


@pytest.fixture(autouse=True)
def _collect_on_the_main_thread():
    """Between tests, as an automatic collection would: after a test that allocated much, and
    every 50 tests (a full collection after every test cost 70 ms each)."""
    global _tests_run
    yield
    _tests_run += 1
    if _tests_run % 50 == 0 or gc.get_count()[0] > YOUNG_OBJECTS:
        gc.collect()


@pytest.fixture(autouse=True)
def _isolated_profile(tmp_path_factory: pytest.TempPathFactory,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings and the app's data folder go to a temporary folder, never the user's."""
    monkeypatch.setenv("LEDGER_DESKTOP_PROFILE", str(tmp_path_factory.mktemp("profile")))
    monkeypatch.delenv("LEDGER_DESKTOP_QUIT_AFTER", raising=False)
    monkeypatch.delenv("LEDGER_DESKTOP_TEMP_PROFILE", raising=False)


@pytest.fixture(autouse=True)
def _no_leaked_qt(request: pytest.FixtureRequest):
    """Tests that use Qt must leave no worker thread running and no window open."""
    if "qtbot" not in request.fixturenames:
        yield
        return
    yield
    from PySide6.QtWidgets import QApplication

    from ledger_desktop.workers.tasks import running_lanes

    leaked_threads = [lane.objectName() for lane in running_lanes()]
    for lane in running_lanes():
        lane.stop()
    app = QApplication.instance()
    leaked_windows = [w.objectName() or type(w).__name__ for w in app.topLevelWidgets()
                      if w.isVisible()] if app else []
    for w in (app.topLevelWidgets() if app else []):
        if w.isVisible():
            w.close()
    assert not leaked_threads, f"worker threads left running: {leaked_threads}"
    assert not leaked_windows, f"windows left open: {leaked_windows}"
