"""Keyboard-only use (probe 2026-11-29c, items 5-7): Tab leaves a grid for the next widget,
Enter on a row opens what a double-click opens, the view in front takes the focus after
Ctrl+W and after a ledger opens, and Ctrl+PgDown / Ctrl+PgUp switch ledger tabs."""

from __future__ import annotations

import shutil

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import documents_view, open_workspace
from tests.ui.test_query import run_and_wait


def _focus():
    return QApplication.focusWidget()


def test_tab_leaves_the_documents_grid_for_the_document_pane(qtbot, window, sample_ledger):
    ws = open_workspace(qtbot, window, sample_ledger)
    view = documents_view(qtbot, ws, "Vehicle")
    view.select_row(0)
    view.grid.setFocus()
    QTest.keyClick(view.grid, Qt.Key.Key_Tab)
    assert _focus() is not view.grid and view.pane.isAncestorOf(_focus())
    QTest.keyClick(_focus(), Qt.Key.Key_Backtab)
    assert _focus() is view.grid


def test_tab_leaves_the_results_and_history_grids(qtbot, window, sample_ledger):
    ws = open_workspace(qtbot, window, sample_ledger)
    query = ws.open_query()
    query.editor.setPlainText("SELECT * FROM Vehicle")
    run_and_wait(qtbot, query)
    for grid in (query.grid, ):
        grid.setFocus()
        QTest.keyClick(grid, Qt.Key.Key_Tab)
        assert _focus() is not grid
    docs = documents_view(qtbot, ws, "Vehicle")
    docs.select_row(0)
    docs.show_history()
    history = ws.views.currentWidget()
    qtbot.wait_until(lambda: history.model.rowCount() > 0)
    history.timeline.setFocus()
    QTest.keyClick(history.timeline, Qt.Key.Key_Tab)
    assert _focus() is not history.timeline


def test_enter_on_a_row_opens_its_history(qtbot, window, sample_ledger):
    ws = open_workspace(qtbot, window, sample_ledger)
    view = documents_view(qtbot, ws, "Vehicle")
    view.select_row(1)
    doc_id = view.model.document(1).doc_id
    view.grid.setFocus()
    QTest.keyClick(view.grid, Qt.Key.Key_Return)
    history = ws.views.currentWidget()
    assert history is ws.view("history", doc_id)


def test_enter_on_a_result_row_opens_its_history(qtbot, window, sample_ledger):
    ws = open_workspace(qtbot, window, sample_ledger)
    query = ws.open_query()
    query.editor.setPlainText("SELECT * FROM _ql_committed_Vehicle")
    run_and_wait(qtbot, query)
    query.grid.selectRow(0)
    query.grid.setFocus()
    QTest.keyClick(query.grid, Qt.Key.Key_Return)  # the id is checked on the read lane first
    qtbot.wait_until(lambda: ws.views.currentWidget().objectName() == "historyView")


def test_the_view_in_front_takes_the_focus_after_ctrl_w(qtbot, window, sample_ledger):
    ws = open_workspace(qtbot, window, sample_ledger)
    view = documents_view(qtbot, ws, "Vehicle")
    view.select_row(0)
    view.show_history()
    history = ws.views.currentWidget()
    history.timeline.setFocus()
    QTest.keyClick(history.timeline, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait_until(lambda: ws.views.currentWidget() is view)
    # it sat on the tab bar, where the arrow keys switch tabs
    qtbot.wait_until(lambda: _focus() is view.grid)


def test_an_opened_ledger_focuses_its_grid(qtbot, window, sample_ledger):
    window.welcome.setFocus()
    ws = open_workspace(qtbot, window, sample_ledger)
    view = documents_view(qtbot, ws, "Vehicle")
    qtbot.wait_until(lambda: _focus() is view.grid)


def test_ctrl_page_down_and_up_switch_ledger_tabs(qtbot, window, sample_ledger, tmp_path):
    other = tmp_path / "other.ledger"
    shutil.copy(sample_ledger, other)
    first = open_workspace(qtbot, window, sample_ledger)
    second = open_workspace(qtbot, window, other)
    grid = documents_view(qtbot, second, "Vehicle").grid
    grid.setFocus()
    QTest.keyClick(grid, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert window.current_workspace() is first
    qtbot.wait_until(lambda: first.isAncestorOf(_focus()))  # typing goes to the tab in front
    QTest.keyClick(_focus(), Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.current_workspace() is second
    QTest.keyClick(_focus(), Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.welcome  # round the end to Start
