"""The ledgers open at quit are reopened at the next start (probe 2026-11-29c, item 8): the
app opened the sample instead, and an analyst reopened each evidence file by hand (read-only
ones read-only again)."""

from __future__ import annotations

import shutil

from tests.ui.conftest import open_workspace


def _window(qtbot, ctx):
    from ledger_desktop.ui.main_window import MainWindow

    win = MainWindow(ctx)
    qtbot.addWidget(win, before_close_func=lambda w: setattr(w, "unattended", True))
    win.show()
    return win


def test_ledgers_open_at_quit_are_reopened(qtbot, ctx, sample_ledger, tmp_path):
    evidence = tmp_path / "evidence.ledger"
    gone = tmp_path / "gone.ledger"
    shutil.copy(sample_ledger, evidence)
    shutil.copy(sample_ledger, gone)
    first = _window(qtbot, ctx)
    open_workspace(qtbot, first, sample_ledger)
    first.open_ledger(evidence, read_only=True)
    open_workspace(qtbot, first, gone)
    first.tabs.setCurrentWidget(first.workspaces()[1])  # evidence in front
    first.close()
    qtbot.wait_until(lambda: not first.workspaces())
    gone.unlink()

    second = _window(qtbot, ctx)
    assert second.restore_session()
    spaces = second.workspaces()
    assert [ws.path for ws in spaces] == [sample_ledger.resolve(), evidence.resolve()]
    assert [ws.read_only for ws in spaces] == [False, True]
    assert second.current_workspace() is spaces[1]
    assert "gone.ledger" in second.statusBar().currentMessage()
    second.close()


def test_nothing_open_at_quit_restores_nothing(qtbot, ctx):
    first = _window(qtbot, ctx)
    first.close()
    second = _window(qtbot, ctx)
    assert not second.restore_session()  # the caller opens the sample then
    assert second.tabs.count() == 1
    second.close()


def test_start_with_no_path_reopens_the_last_session(qtbot, ctx, sample_ledger, tmp_path):
    """ledger-desktop with no PATH: the last session, else the sample; a PATH only itself."""
    from ledger_desktop.ui.app import open_at_start

    win = _window(qtbot, ctx)
    open_at_start(win, None)  # no session yet: the sample, built on first use
    qtbot.wait_until(lambda: win.current_workspace() is not None, timeout=15000)
    assert win.current_workspace().path == ctx.profile.sample_path.resolve()
    open_workspace(qtbot, win, sample_ledger)
    win.close()
    qtbot.wait_until(lambda: not win.workspaces())

    again = _window(qtbot, ctx)
    open_at_start(again, None)
    assert [ws.path for ws in again.workspaces()] == [ctx.profile.sample_path.resolve(),
                                                      sample_ledger.resolve()]
    again.close()
    qtbot.wait_until(lambda: not again.workspaces())

    other = tmp_path / "other.ledger"
    shutil.copy(sample_ledger, other)
    third = _window(qtbot, ctx)
    open_at_start(third, str(other))
    assert [ws.path for ws in third.workspaces()] == [other.resolve()]
    third.close()
