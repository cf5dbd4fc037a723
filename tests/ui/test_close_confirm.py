"""Closing a ledger whose PartiQL editor has an open transaction asks first, on every path:
Ctrl+W and Ctrl+F4 (which close the PartiQL tab in front), Ctrl+Shift+W, the tab's close
button, File > Close Ledger, and quitting. Ctrl+W used to close the whole ledger at once,
aborting the transaction and losing the editor's text."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from ledger_desktop.engine.ledger import Ledger

from .conftest import open_workspace

CANCEL = QMessageBox.StandardButton.Cancel
DISCARD = QMessageBox.StandardButton.Discard


class Answer:
    """Answers the next question box with `button` (a standard button, or a button's label),
    polling, since the box is modal, for at most about three seconds. `texts` holds the
    questions' texts, `asked` the last one with its informative text."""

    def __init__(self, button: QMessageBox.StandardButton | str, tries: int = 150) -> None:
        self.button = button
        self.texts: list[str] = []
        self.asked = ""
        self._tries, self._max = 0, tries
        self._timer = QTimer()
        self._timer.setInterval(20)
        self._timer.timeout.connect(self._poll)
        self._timer.start()

    def _poll(self) -> None:
        self._tries += 1
        box = next((w for w in QApplication.topLevelWidgets()
                    if isinstance(w, QMessageBox) and w.isVisible()), None)
        if box is not None:
            self.stop()
            self.texts.append(box.text())
            self.asked = f"{box.text()}\n{box.informativeText()}"
            if isinstance(self.button, str):
                next(b for b in box.buttons()
                     if b.text().replace("&", "") == self.button).click()
            else:
                box.button(self.button).click()
        elif self._tries > self._max:
            self.stop()

    def stop(self) -> None:
        self._timer.stop()


@contextmanager
def open_transaction(qtbot, window, path) -> Iterator[tuple]:
    """A ledger tab whose editor ran an INSERT in an open transaction. Aborted at the end if
    the test left it open: pytest-qt closes the window before fixtures end, and that close
    would wait on the question."""
    ws = open_workspace(qtbot, window, path)
    view = ws.open_query()
    view.trigger("begin_tx")
    qtbot.wait_until(lambda: view.tx_open, timeout=5000)
    view.editor.setPlainText("INSERT INTO Person {'FirstName': 'Uncommitted', 'GovId': 'X1'}")
    task = view.run()
    qtbot.wait_until(lambda: task.done, timeout=10000)
    view.editor.setPlainText("-- a query I was writing\nSELECT * FROM Vehicle")
    try:
        yield ws, view
    finally:
        if shiboken6.isValid(ws) and window.tabs.indexOf(ws) >= 0 and view.tx_open:
            end = view.end(False)
            qtbot.wait_until(lambda: end.done, timeout=10000)


CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _press(qtbot, window, widget, key, modifiers=Qt.KeyboardModifier.ControlModifier):
    # offscreen: a closed question box leaves no active window, and shortcuts need one
    window.activateWindow()
    qtbot.wait_until(lambda: QApplication.activeWindow() is window, timeout=2000)
    widget.setFocus()
    QTest.keyClick(widget, key, modifiers)


def _inserted(path) -> int:
    with Ledger.open(path, read_only=True) as led:
        people = led.documents(led.table("Person").table_id)
        return sum(1 for d in people if d.data["GovId"] == "X1")


def test_every_close_path_asks_about_an_open_transaction_and_cancel_keeps_it(
        qtbot, window, sample_ledger):
    with open_transaction(qtbot, window, sample_ledger) as (ws, view):
        text = view.editor.toPlainText()
        # both bindings of Close (the PartiQL tab in front), and Close Ledger's, from the editor
        for key, modifiers in ((Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier),
                               (Qt.Key.Key_F4, Qt.KeyboardModifier.ControlModifier),
                               (Qt.Key.Key_W, CTRL_SHIFT)):
            answer = Answer(CANCEL)
            _press(qtbot, window, view.editor, key, modifiers)
            qtbot.wait_until(lambda a=answer: bool(a.texts), timeout=3000)
            assert "transaction" in answer.texts[0] and "1 statement" in answer.texts[0]
            assert window.tabs.indexOf(ws) >= 0 and view.tx_open
            assert view.editor.toPlainText() == text
        answer = Answer(CANCEL)  # the tab's close button
        window.tabs.tabCloseRequested.emit(window.tabs.indexOf(ws))
        qtbot.wait_until(lambda: bool(answer.texts), timeout=3000)
        assert window.tabs.indexOf(ws) >= 0
        answer = Answer(CANCEL)  # File > Close Ledger
        window.actions_by_id["close_tab"].trigger()
        qtbot.wait_until(lambda: bool(answer.texts), timeout=3000)
        assert window.tabs.indexOf(ws) >= 0 and view.tx_open
        answer = Answer(CANCEL)  # quitting
        assert not window.close()
        assert answer.texts and window.isVisible() and window.tabs.indexOf(ws) >= 0
        # Abort and Close: the tab goes and nothing of the transaction is committed
        answer = Answer(DISCARD)
        _press(qtbot, window, view.editor, Qt.Key.Key_W, CTRL_SHIFT)
        qtbot.wait_until(lambda: window.tabs.indexOf(ws) < 0, timeout=3000)
        assert answer.texts
    assert _inserted(sample_ledger) == 0


def test_no_question_without_an_open_transaction(qtbot, window, sample_ledger):
    ws = open_workspace(qtbot, window, sample_ledger)
    view = ws.open_query()
    answer = Answer(CANCEL)
    _press(qtbot, window, view.editor, Qt.Key.Key_W, CTRL_SHIFT)
    assert window.tabs.indexOf(ws) < 0
    qtbot.wait(100)
    answer.stop()
    assert answer.texts == []


def test_quitting_with_an_open_transaction_asks_once_and_can_abort(qtbot, window,
                                                                   sample_ledger):
    with open_transaction(qtbot, window, sample_ledger) as (ws, _view):
        answer = Answer(DISCARD)
        assert window.close()
        assert len(answer.texts) == 1
        assert window.tabs.indexOf(ws) < 0
    assert _inserted(sample_ledger) == 0


def test_an_unattended_window_closes_without_asking(qtbot, window, sample_ledger):
    """`--quit-after` (smoke tests, screenshots): a question nobody answers would hold the quit
    for good; the open transaction is aborted and nothing of it committed."""
    with Ledger.open(sample_ledger, read_only=True) as led:
        before = led.block_count()
    with open_transaction(qtbot, window, sample_ledger):
        window.unattended = True
        answer = Answer(CANCEL)  # were a question to appear, Cancel would keep the window
        window.close()
        answer.stop()
        assert answer.texts == []
        assert not window.isVisible()
    with Ledger.open(sample_ledger, read_only=True) as led:
        assert led.block_count() == before


def test_a_tab_removed_while_the_question_is_up_does_not_shift_the_close(
        qtbot, window, sample_ledger, tmp_path):
    """close_tab kept the index it found before asking: a tab to the left that went away
    meanwhile (a ledger whose open failed) made it close the next tab, which was never shut
    down (its reader thread then aborted the process at exit)."""
    import shutil

    left, right = tmp_path / "left.ledger", tmp_path / "right.ledger"
    shutil.copy(sample_ledger, left)
    shutil.copy(sample_ledger, right)
    ws_left = open_workspace(qtbot, window, left)
    with open_transaction(qtbot, window, sample_ledger) as (ws, _view):
        ws_right = open_workspace(qtbot, window, right)
        QTimer.singleShot(50, lambda: window.close_tab(window.tabs.indexOf(ws_left), ask=False))
        answer = Answer(DISCARD)
        QTimer.singleShot(200, answer._timer.start)  # answer once the left tab is gone
        answer.stop()
        assert window.close_tab(window.tabs.indexOf(ws))
        assert answer.texts  # it asked
    assert window.tabs.indexOf(ws_right) >= 0 and not ws_right.closed
    assert not shiboken6.isValid(ws_left) or window.tabs.indexOf(ws_left) < 0
