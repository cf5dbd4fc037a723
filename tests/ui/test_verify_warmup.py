"""The first Verification view while the start-up warm-up still imports the chart library: the
view opens when the import is done instead of importing the same modules on the GUI thread
(a 350-440 ms freeze in the first ~2 s), and the warm-up starts once the window is up and
the first ledger is open rather than a fixed second after start."""

from __future__ import annotations

import threading
import time

import pytest

from ledger_desktop.ui import app as app_mod
from ledger_desktop.workers import warmup

from .conftest import open_workspace


@pytest.fixture
def gate():
    """A warm-up whose "verify" step waits until the test opens the gate."""
    opened = threading.Event()
    entered = threading.Event()

    def chart() -> None:
        entered.set()
        opened.wait(10)

    thread = warmup.start([("verify", chart)])
    assert entered.wait(5)
    yield opened
    opened.set()
    thread.join(5)


def test_the_first_verification_view_waits_for_the_warm_up_without_blocking(
        qtbot, window, sample_ledger, gate):
    ws = open_workspace(qtbot, window, sample_ledger)
    window.trigger("verify_journal")
    assert ws.view("verify") is None  # nothing imported or built on the GUI thread yet
    qtbot.wait(100)  # the event loop runs meanwhile: the window stays responsive
    assert ws.view("verify") is None
    gate.set()
    qtbot.wait_until(lambda: ws.view("verify") is not None, timeout=5000)
    centre = ws.view("verify")
    assert ws.views.currentWidget() is centre
    qtbot.wait_until(lambda: centre.hub.report is not None, timeout=20000)  # it ran the action
    assert centre.hub.report.ok


def test_a_tab_closed_while_waiting_opens_nothing(qtbot, window, sample_ledger, gate):
    ws = open_workspace(qtbot, window, sample_ledger)
    window.trigger("show_chain")
    window.close_tab(window.tabs.indexOf(ws))
    gate.set()
    qtbot.wait(200)
    assert window.current_workspace() is None
    assert warmup._waiters.get("verify", 0) == 0  # the warm-up thread is not held for it


def test_an_open_view_does_not_wait(qtbot, window, sample_ledger):
    ws = open_workspace(qtbot, window, sample_ledger)
    window.trigger("show_chain")
    assert ws.view("verify") is not None  # no warm-up running: at once, as before


def test_warm_up_starts_when_the_window_is_up_and_the_first_ledger_open(
        qtbot, ctx, sample_ledger, monkeypatch):
    from ledger_desktop.ui.main_window import MainWindow

    started: list[float] = []
    monkeypatch.setattr(app_mod, "_warm_lazy_modules", lambda: started.append(time.monotonic()))
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    win.open_ledger(sample_ledger)
    ws = win.current_workspace()
    app_mod.warm_up_when_settled(win)
    qtbot.wait_until(lambda: bool(started), timeout=5000)
    assert ws.ever_loaded  # not while the first ledger's views were being built
    qtbot.wait(200)
    assert len(started) == 1
    win.close()


def test_the_chart_library_is_warmed_first(monkeypatch):
    steps: list[str] = []
    monkeypatch.setattr(warmup, "start", lambda s: steps.extend(name for name, _fn in s))
    app_mod._warm_lazy_modules()
    assert steps[0] == "verify"


def test_the_view_also_waits_for_a_later_step_still_importing(qtbot, window, sample_ledger):
    """The chart step done, the parser step still importing: building the view then competed
    with that import for Python's lock (a 415-490 ms stall, more than with no warm-up)."""
    ws = open_workspace(qtbot, window, sample_ledger)
    release = threading.Event()
    entered = threading.Event()

    def parser() -> None:
        entered.set()
        release.wait(10)

    thread = warmup.start([("verify", lambda: None), ("query", parser)])
    try:
        assert entered.wait(5) and not warmup.pending("verify")
        window.trigger("verify_journal")
        qtbot.wait(100)
        assert ws.view("verify") is None  # not while the parser step runs
    finally:
        release.set()
    qtbot.wait_until(lambda: ws.view("verify") is not None, timeout=5000)
    thread.join(5)
    assert not thread.is_alive()


def test_join_waits_for_a_warm_up_still_importing():
    """At exit the app waits for the warm-up: a thread still inside an import while the
    interpreter shut down crashed a quick smoke test (exit 139)."""
    release = threading.Event()
    entered = threading.Event()

    def slow_import() -> None:
        entered.set()
        release.wait(10)

    thread = warmup.start([("query", slow_import)])
    assert entered.wait(5)
    assert not warmup.join(0.05) and thread.is_alive()  # it still runs: not reported done
    release.set()
    assert warmup.join(5) and not thread.is_alive()
