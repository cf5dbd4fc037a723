"""Closing a PartiQL tab while its work goes on, or with a transaction open.

A statement still running when its tab closed ended after the tab was deleted: the busy cursor
its feedback had set was never restored (for the rest of the session), and the task's slots
raised RuntimeError on deleted widgets. An open transaction was aborted without a question,
although closing the whole ledger asks.
"""

from __future__ import annotations

import threading

import pytest
import shiboken6
from PySide6.QtGui import QGuiApplication

from ledger_desktop.ui import busy
from ledger_desktop.ui.views import query as query_mod

from .conftest import open_workspace
from .test_close_confirm import CANCEL, DISCARD, Answer, open_transaction


@pytest.fixture
def held(monkeypatch):
    """Statements (and result saving) that run until the test lets them go, then stop as
    cancelled: they outlive their tab without any timing. The busy cursor (and the progress
    dialog) show at once."""
    release = threading.Event()

    def statement(_ledger, _state, _text, cancel):
        release.wait(10)
        cancel.check()

    def write_values(_values, _target, _fmt, _progress, cancel):
        release.wait(10)
        cancel.check()

    monkeypatch.setattr(busy, "BUSY_CURSOR_MS", 0)
    monkeypatch.setattr(busy, "PROGRESS_DIALOG_MS", 0)
    monkeypatch.setattr(query_mod, "run_statement", statement)
    monkeypatch.setattr("ledger_desktop.engine.query.formatting.write_values", write_values)
    yield release
    release.set()
    while QGuiApplication.overrideCursor() is not None:  # a failure must not leak it onwards
        QGuiApplication.restoreOverrideCursor()


def _close(qtbot, ws, view) -> None:
    ws.views.tabCloseRequested.emit(ws.views.indexOf(view))  # the tab's ×
    qtbot.wait_until(lambda: not shiboken6.isValid(view), timeout=5000)


def test_closing_the_tab_of_a_running_statement_restores_the_cursor(qtbot, window,
                                                                     sample_ledger, held):
    ws = open_workspace(qtbot, window, sample_ledger)
    view = ws.open_query()
    view.editor.setPlainText("SELECT * FROM Vehicle")
    task = view.run()
    qtbot.wait_until(lambda: QGuiApplication.overrideCursor() is not None, timeout=5000)
    _close(qtbot, ws, view)
    assert QGuiApplication.overrideCursor() is None  # with the tab, not when the task ends
    held.set()
    qtbot.wait_until(lambda: task.done, timeout=5000)  # its slots find no deleted widget
    assert task.state.value == "cancelled"
    assert QGuiApplication.overrideCursor() is None
    # the write lane is free, and the next statement's feedback works as before
    again = ws.open_query()
    again.editor.setPlainText("SELECT * FROM Vehicle")
    with qtbot.wait_signal(again.finished, timeout=10000):
        again.run()
    assert QGuiApplication.overrideCursor() is None


def test_closing_the_tab_while_results_are_saved_cancels_the_save(qtbot, window,
                                                                  sample_ledger, held,
                                                                  tmp_path):
    ws = open_workspace(qtbot, window, sample_ledger)
    view = ws.open_query()
    held.set()  # the statement itself runs through
    view.editor.setPlainText("SELECT * FROM Vehicle")
    with qtbot.wait_signal(view.finished, timeout=10000):
        view.run()
    held.clear()
    target = tmp_path / "results.csv"
    task = view.save_results_to(target, "csv")
    qtbot.wait_until(lambda: QGuiApplication.overrideCursor() is not None, timeout=5000)
    _close(qtbot, ws, view)
    assert QGuiApplication.overrideCursor() is None
    held.set()
    qtbot.wait_until(lambda: task.done, timeout=5000)
    assert task.state.value == "cancelled" and not target.exists()


def test_closing_the_tab_with_an_open_transaction_asks_and_cancel_keeps_it(qtbot, window,
                                                                           sample_ledger):
    with open_transaction(qtbot, window, sample_ledger) as (ws, view):
        answer = Answer(CANCEL)
        ws.views.tabCloseRequested.emit(ws.views.indexOf(view))
        qtbot.wait_until(lambda: bool(answer.texts), timeout=3000)
        assert "1 statement not committed" in answer.texts[0]
        assert "this PartiQL tab" in answer.texts[0]
        assert ws.views.indexOf(view) >= 0 and view.tx_open and not view.closed
        # the transaction is still usable: its statement commits
        commit = view.end(True)
        qtbot.wait_until(lambda: commit.done, timeout=10000)
        assert commit.state.value == "succeeded" and not view.tx_open


def test_abort_and_close_aborts_the_transaction_and_closes_cleanly(qtbot, window,
                                                                   sample_ledger):
    with open_transaction(qtbot, window, sample_ledger) as (ws, view):
        state = view.state
        answer = Answer(DISCARD)
        _close(qtbot, ws, view)
        assert answer.texts
        lane = ws.session.lane("write")
        qtbot.wait_until(lambda: not lane.tasks(), timeout=10000)  # the abort ran...
        assert state.tx is None
        assert ws.open_transaction() is None  # ...and closing the ledger asks nothing more


def test_closing_a_tab_without_a_transaction_asks_nothing(qtbot, window, sample_ledger):
    ws = open_workspace(qtbot, window, sample_ledger)
    view = ws.open_query()
    answer = Answer(CANCEL)
    ws.close_view(ws.views.indexOf(view))
    answer.stop()
    assert answer.texts == [] and ws.views.indexOf(view) < 0
