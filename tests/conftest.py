"""Shared test set-up. Qt must see the offscreen platform before it is first imported."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


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
