"""Ctrl+W closes the view in front (a History, a block, a PartiQL tab), not the whole ledger;
the ledger closes with Ctrl+Shift+W, or with Ctrl+W once it shows no view. Text in a PartiQL
editor that was never run is not discarded without a question, on every path that closes it.

Ctrl+W used to close the ledger tab with its grids, history, report and PartiQL tabs, and a
never-run draft went with it without a word.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from .conftest import documents_view, open_workspace
from .test_close_confirm import CANCEL, DISCARD, Answer

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _press(qtbot, window, widget, key=Qt.Key.Key_W, modifiers=CTRL) -> None:
    # offscreen: a closed question box leaves no active window, and shortcuts need one
    window.activateWindow()
    qtbot.wait_until(lambda: QApplication.activeWindow() is window, timeout=2000)
    widget.setFocus()
    QTest.keyClick(widget, key, modifiers)


def _titles(ws) -> list[str]:
    return [ws.views.tabText(i) for i in range(ws.views.count())]


def test_ctrl_w_closes_the_view_in_front_then_the_ledger(qtbot, window, sample_ledger):
    ws = open_workspace(qtbot, window, sample_ledger)
    grid = documents_view(qtbot, ws, "Vehicle")
    grid.select_row(0)
    grid.show_history()
    qtbot.wait_until(lambda: ws.view("history", None) is not None or len(_titles(ws)) == 2,
                     timeout=5000)
    assert len(_titles(ws)) == 2
    history = ws.views.currentWidget()
    _press(qtbot, window, history)
    qtbot.wait_until(lambda: ws.views.count() == 1, timeout=3000)
    assert window.tabs.indexOf(ws) >= 0 and ws.views.currentWidget() is grid
    # Ctrl+F4 (the other Close binding) does the same
    _press(qtbot, window, grid, Qt.Key.Key_F4)
    qtbot.wait_until(lambda: ws.views.count() == 0, timeout=3000)
    assert window.tabs.indexOf(ws) >= 0
    # no view left: Ctrl+W closes the ledger
    _press(qtbot, window, ws.browser.tree)
    qtbot.wait_until(lambda: window.tabs.indexOf(ws) < 0, timeout=3000)


def test_ctrl_shift_w_closes_the_ledger_with_its_views(qtbot, window, sample_ledger):
    ws = open_workspace(qtbot, window, sample_ledger)
    view = ws.open_query()
    assert window.actions_by_id["close_tab"].shortcut().toString() == "Ctrl+Shift+W"
    _press(qtbot, window, view.editor, modifiers=CTRL_SHIFT)
    qtbot.wait_until(lambda: window.tabs.indexOf(ws) < 0, timeout=3000)


def test_a_never_run_draft_is_not_discarded_without_a_question(qtbot, window, sample_ledger):
    ws = open_workspace(qtbot, window, sample_ledger)
    view = ws.open_query()
    view.editor.setFocus()
    QTest.keyClicks(view.editor, "SELECT * FROM Vehicle -- my long draft")
    text = view.editor.toPlainText()
    # Ctrl+W on the PartiQL tab: asks; Cancel keeps the tab and its text
    answer = Answer(CANCEL)
    _press(qtbot, window, view.editor)
    qtbot.wait_until(lambda: bool(answer.texts), timeout=3000)
    assert "never run" in answer.texts[0] and "PartiQL" in answer.texts[0]
    assert ws.views.indexOf(view) >= 0 and view.editor.toPlainText() == text
    # closing the ledger (Ctrl+Shift+W) and quitting ask the same
    answer = Answer(CANCEL)
    _press(qtbot, window, view.editor, modifiers=CTRL_SHIFT)
    qtbot.wait_until(lambda: bool(answer.texts), timeout=3000)
    assert "never run" in answer.texts[0] and window.tabs.indexOf(ws) >= 0
    answer = Answer(CANCEL)
    assert not window.close()
    assert answer.texts and "never run" in answer.texts[0] and window.isVisible()
    # Discard and Close: the tab goes
    answer = Answer(DISCARD)
    _press(qtbot, window, view.editor)
    qtbot.wait_until(lambda: ws.views.indexOf(view) < 0, timeout=3000)
    assert answer.texts and window.tabs.indexOf(ws) >= 0


def test_text_that_ran_closes_without_a_question(qtbot, window, sample_ledger):
    ws = open_workspace(qtbot, window, sample_ledger)
    view = ws.open_query()
    view.editor.setPlainText("SELECT * FROM Vehicle")
    with qtbot.wait_signal(view.finished, timeout=10000):
        view.run()
    assert not view.has_draft
    answer = Answer(CANCEL)
    _press(qtbot, window, view.editor)
    qtbot.wait_until(lambda: ws.views.indexOf(view) < 0, timeout=3000)
    answer.stop()
    assert answer.texts == []
    # an edit after the run is a draft again
    again = ws.open_query()
    again.editor.setPlainText("SELECT * FROM Person")
    assert again.has_draft


def test_a_middle_click_closes_a_view_tab(qtbot, window, sample_ledger):
    ws = open_workspace(qtbot, window, sample_ledger)
    ws.open_block(3)
    assert ws.views.count() == 2
    bar = ws.views.tabBar()
    centre: QPoint = bar.tabRect(1).center()
    QTest.mouseClick(bar, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, centre)
    qtbot.wait_until(lambda: ws.views.count() == 1, timeout=3000)
    assert window.tabs.indexOf(ws) >= 0
