"""The PartiQL view's Ion and Messages tabs (probe 2026-11-29, items 8 and 13).

Showing the Ion tab of a large result wrote its first 1,000 values with amazon.ion's
pure-Python writer on the GUI thread (470 ms). And the Messages tab wrapped long lines, so the
caret drawn with spaces under a long failing statement pointed at the wrong character.
Checked as behaviour: what the GUI thread writes, and where the caret is drawn.
"""

from __future__ import annotations

import threading

import pytest
from amazon.ion import simpleion
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QPlainTextEdit

from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.ui.views import query as query_mod

from .conftest import open_workspace

VALUES = 1_200  # over ION_TAB_VALUES, each of a few nodes: too big to write on the GUI thread


@pytest.fixture
def amounts_ledger(tmp_path):
    path = tmp_path / "amounts.ledger"
    with Ledger.create(path) as ledger:
        ledger.execute("CREATE TABLE T")
        with ledger.transaction() as tx:
            for i in range(VALUES):
                tx.execute("INSERT INTO T ?", {"n": i, "amt": 8885.99, "memo": "m"})
    return path


def _run(qtbot, view, text: str, signal: str = "finished") -> None:
    view.editor.setPlainText(text)
    with qtbot.wait_signal(getattr(view, signal), timeout=20000):
        view.run()


def test_the_ion_tab_of_a_large_result_is_written_off_the_gui_thread(
        qtbot, window, amounts_ledger, monkeypatch):
    on_gui_thread: list[object] = []
    real = simpleion.dumps

    def spy(obj, *args, **kwargs):
        if threading.current_thread() is threading.main_thread():
            on_gui_thread.append(obj)
        return real(obj, *args, **kwargs)

    monkeypatch.setattr(simpleion, "dumps", spy)
    view = open_workspace(qtbot, window, amounts_ledger).open_query()
    _run(qtbot, view, "SELECT n, amt, memo FROM T")
    assert view.model.rowCount() == VALUES
    on_gui_thread.clear()
    view.results.setCurrentWidget(view.ion_text)
    # the GUI thread wrote none of the 1,000 values (it wrote each of them, 470 ms)
    assert on_gui_thread == []
    assert view.ion_text.toPlainText() == "Writing the Ion text…"
    qtbot.wait_until(lambda: "more values" in view.ion_text.toPlainText(), timeout=20000)
    text = view.ion_text.toPlainText()
    shown = simpleion.loads(text, single_value=False)  # the note is an Ion comment
    assert len(shown) == query_mod.ION_TAB_VALUES
    assert [int(v["n"]) for v in shown] == list(range(query_mod.ION_TAB_VALUES))
    assert f"{VALUES - query_mod.ION_TAB_VALUES:,} more values" in text
    assert "amt: 8885.99e0" in text  # the shortest float, as the grid shows it
    # a text still being written for a replaced result never lands over the new one
    view.results.setCurrentWidget(view.grid)
    _run(qtbot, view, "SELECT n, amt, memo FROM T")
    view.results.setCurrentWidget(view.ion_text)
    _run(qtbot, view, "SELECT VALUE 'newest' FROM T AS t WHERE t.n = 7")
    view.results.setCurrentWidget(view.ion_text)
    # the replaced text's thread stops at its next pause; whatever it sends is dropped
    qtbot.wait_until(lambda: not any(t.name == "ion-text" for t in threading.enumerate()),
                     timeout=20000)
    QCoreApplication.processEvents()
    assert view.ion_text.toPlainText() == '"newest"'


def test_the_messages_caret_stays_under_the_error_of_a_long_statement(qtbot, window,
                                                                      sample_ledger):
    view = open_workspace(qtbot, window, sample_ledger).open_query()
    columns = ", ".join(f"v.VIN AS c{i}" for i in range(40))
    _run(qtbot, view, f"SELECT {columns} FRM Vehicle AS v", "errored")
    messages = view.messages
    assert view.results.currentWidget() is messages
    qtbot.wait_until(lambda: messages.isVisible(), timeout=5000)
    document = messages.document()
    caret_block = next(b for b in _blocks(document) if b.text().strip() == "^")
    source = caret_block.previous()
    column = source.text().index("FRM")
    assert caret_block.text().index("^") == column  # as drawn by the engine's message
    assert len(source.text()) * messages.fontMetrics().horizontalAdvance("x") > \
        messages.viewport().width()  # longer than the pane: it wrapped there
    # the caret right under the F of FRM, each line one line on screen (a scroll bar)
    assert _x(messages, caret_block.position() + column) == \
        _x(messages, source.position() + column)
    assert source.layout().lineCount() == 1 and caret_block.layout().lineCount() == 1


def _blocks(document):
    block = document.begin()
    while block.isValid():
        yield block
        block = block.next()


def _x(edit: QPlainTextEdit, position: int) -> int:
    cursor = QTextCursor(edit.document())
    cursor.setPosition(position)
    return edit.cursorRect(cursor).x()
