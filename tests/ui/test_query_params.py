"""PartiQL `?` parameters in the app: one Ion value field per `?` of the statement to run
(counted by the engine's lexer, so a `?` in a string, a quoted name or a comment is none),
values kept while the statement is edited, a bad value named before anything runs, Enter in
a field runs, parameters in an open transaction; and the PartiQL toolbar fits 800×600."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QToolBar, QToolButton

from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.query.params import ParameterError, parameter_count, parse_param
from tests.ui.conftest import open_workspace

VIN = "1N4AL11D75C109151"  # the sample's Audi


def blocks(path) -> int:
    with Ledger.open(path, read_only=True) as ledger:
        return ledger.block_count()


def query_view(qtbot, window, path):
    ws = open_workspace(qtbot, window, path)
    return ws, ws.open_query()


def counted(qtbot, view, text: str, n: int) -> None:
    """Put `text` in the editor (cursor at its end) and wait for the strip to count `n`."""
    view.editor.setPlainText(text)
    view.editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.wait_until(lambda: view.params.is_counted(
        view.editor.statement_at_cursor()[0]) and view.params.count == n, timeout=10000)


def run_and_wait(qtbot, view):
    with qtbot.wait_signal(view.finished, timeout=20000) as blocker:
        assert view.run() is not None
    return blocker.args[0]


# -- the engine's parts ------------------------------------------------------------------------
@pytest.mark.parametrize("text, n", [
    ("SELECT * FROM Vehicle WHERE VIN = ?", 1),
    ("SELECT * FROM Vehicle WHERE VIN = '?' AND \"?\" = 1 -- ?", 0),
    ("SELECT * FROM T WHERE a = ? /* ? */ AND b = `?` AND c = ?", 2),
    ("INSERT INTO T << ?, ? >>", 2),
    ("SELECT * FROM T WHERE a = ? AND b = 'not closed ?", 1),  # typing: the quote goes on
    ("SELECT * FROM T", 0),
])
def test_parameter_count_uses_the_grammars_tokens(text, n):
    assert parameter_count(text) == n


def test_parse_param_is_the_clis_reader_and_says_why():
    from ledger_desktop.cli.query_cmds import parse_param as cli_parse_param

    assert parse_param('"P-1"') == "P-1" and parse_param("5") == 5
    assert parse_param("{a: 1}")["a"] == 1 and str(parse_param("2020-01-01T")).startswith("2020")
    with pytest.raises(ParameterError, match=r"exactly one Ion value \(it reads as 2"):
        parse_param("P-1")  # the symbol P and the int -1
    with pytest.raises(ParameterError, match="no value"):
        parse_param("  ")
    with pytest.raises(ParameterError, match=r"'\{a:' is not Ion text: it ends inside"):
        parse_param("{a:")
    import click

    with pytest.raises(click.BadParameter, match=r"'\{a:' is not Ion text: it ends inside"):
        cli_parse_param("{a:")


# -- the strip ---------------------------------------------------------------------------------
def test_the_strip_shows_a_field_per_question_mark_and_none_for_a_quoted_one(
        qtbot, window, sample_ledger):
    _ws, view = query_view(qtbot, window, sample_ledger)
    assert not view.params.isVisible()
    counted(qtbot, view, "SELECT * FROM Vehicle WHERE VIN = ? AND Make = ?", 2)
    assert view.params.isVisible()
    assert [f.isVisible() for f in view.params.fields] == [True, True]
    labels = [lab.text() for lab in view.params._labels]
    assert labels == ["?1", "?2"]
    counted(qtbot, view, "SELECT * FROM Vehicle WHERE VIN = '?' -- is it?", 0)
    assert not view.params.isVisible()
    counted(qtbot, view, 'SELECT "?" FROM Vehicle /* ? */ WHERE VIN = `"?"`', 0)
    assert not view.params.isVisible()


def test_the_statement_at_the_cursor_is_the_one_counted(qtbot, window, sample_ledger):
    _ws, view = query_view(qtbot, window, sample_ledger)
    counted(qtbot, view, "SELECT * FROM Person;\nSELECT * FROM Vehicle WHERE VIN = ?", 1)
    cursor = view.editor.textCursor()
    cursor.setPosition(3)  # in the first statement
    view.editor.setTextCursor(cursor)
    qtbot.wait_until(lambda: view.params.count == 0 and not view.params.isVisible(),
                     timeout=5000)


def test_running_with_a_value_returns_its_row(qtbot, window, sample_ledger):
    _ws, view = query_view(qtbot, window, sample_ledger)
    counted(qtbot, view, "SELECT VIN, Make FROM Vehicle WHERE VIN = ?", 1)
    view.params.fields[0].setText(f'"{VIN}"')
    result = run_and_wait(qtbot, view)
    assert [dict(v) for v in result.values] == [{"VIN": VIN, "Make": "Audi"}]
    assert view.model.rowCount() == 1
    assert f'with ?1 = "{VIN}"' in view.messages.toPlainText()
    # two parameters of other Ion types
    counted(qtbot, view, 'SELECT VALUE VIN FROM Vehicle WHERE "Year" >= ? AND Make = ?', 2)
    view.params.fields[0].setText("2015")
    view.params.fields[1].setText("'Tesla'")  # a symbol: equal to the string, as in the CLI
    result = run_and_wait(qtbot, view)
    assert [str(v) for v in result.values] == ["KM8SRDHF6EU074761"]


def test_a_bad_value_is_named_and_nothing_runs(qtbot, window, sample_ledger):
    _ws, view = query_view(qtbot, window, sample_ledger)
    start = blocks(sample_ledger)
    counted(qtbot, view, "INSERT INTO Person {'FirstName': ?, 'GovId': ?}", 2)
    view.params.fields[0].setText('"Ann"')
    view.params.fields[1].setText("{a:")
    errors: list = []
    view.errored.connect(errors.append)
    assert view.run() is None
    assert view.status.text().startswith("Not run: ?2: '{a:' is not Ion text")
    assert "#d0453a" in view.params.fields[1].styleSheet()  # its border
    assert "?2" in view.params.fields[1].toolTip()
    view.params.fields[1].setText("")
    assert view.run() is None
    assert view.status.text().startswith("Not run: ?2 has no value")
    qtbot.wait(300)
    assert not view.running and errors == [] and view.settings.query_history() == []
    assert blocks(sample_ledger) == start  # nothing was recorded, not even a failed attempt
    # typing in the field clears its mark; a good value runs
    qtbot.keyClicks(view.params.fields[1], '"G-1"')
    assert view.params.fields[1].styleSheet() == ""
    run_and_wait(qtbot, view)
    assert blocks(sample_ledger) == start + 1


def test_values_are_kept_while_the_statement_is_edited(qtbot, window, sample_ledger):
    _ws, view = query_view(qtbot, window, sample_ledger)
    counted(qtbot, view, "SELECT * FROM Vehicle WHERE VIN = ? AND Make = ?", 2)
    view.params.fields[0].setText(f'"{VIN}"')
    view.params.fields[1].setText('"Audi"')
    counted(qtbot, view, "SELECT * FROM Vehicle WHERE VIN = ?", 1)
    assert view.params.texts() == [f'"{VIN}"']
    counted(qtbot, view, "SELECT * FROM Vehicle WHERE VIN = ? AND Make = ? AND Year = ?", 3)
    assert view.params.texts() == [f'"{VIN}"', '"Audi"', ""]


def test_run_before_the_count_waits_for_it_and_keeps_the_value(qtbot, window, sample_ledger):
    _ws, view = query_view(qtbot, window, sample_ledger)
    counted(qtbot, view, "SELECT * FROM Vehicle WHERE VIN = ?", 1)
    view.params.fields[0].setText(f'"{VIN}"')
    view.editor.setPlainText("SELECT VIN, Make FROM Vehicle WHERE VIN = ?")  # not counted yet
    with qtbot.wait_signal(view.finished, timeout=20000) as blocker:
        assert view.run() is None
        assert "Counting" in view.status.text()
    assert [dict(v) for v in blocker.args[0].values] == [{"VIN": VIN, "Make": "Audi"}]


def test_enter_in_a_field_runs_and_tab_goes_to_the_next(qtbot, window, sample_ledger):
    _ws, view = query_view(qtbot, window, sample_ledger)
    window.activateWindow()
    qtbot.wait_until(lambda: QApplication.activeWindow() is window, timeout=5000)
    counted(qtbot, view, "SELECT VIN FROM Vehicle WHERE VIN = ? OR VIN = ? OR VIN = ? "
                         "OR VIN = ?", 4)
    first, second, *_rest, fourth = view.params.fields
    first.setFocus()
    qtbot.wait_until(first.hasFocus, timeout=5000)
    qtbot.keyClick(first, Qt.Key.Key_Tab)
    assert second.hasFocus()
    qtbot.keyClick(second, Qt.Key.Key_Tab)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert fourth.hasFocus()  # on the second row
    for field in view.params.fields:
        field.setText(f'"{VIN}"')
    with qtbot.wait_signal(view.finished, timeout=20000) as blocker:
        qtbot.keyClick(fourth, Qt.Key.Key_Return)
    assert len(blocker.args[0].values) == 1


def test_many_parameters_scroll_past_three_rows(qtbot, window, sample_ledger):
    _ws, view = query_view(qtbot, window, sample_ledger)
    counted(qtbot, view, "SELECT * FROM Vehicle WHERE VIN IN [" + ", ".join(["?"] * 12) + "]",
            12)
    row = view.params.fields[0].sizeHint().height()
    assert 3 * row <= view.params.height() < 4 * row  # the editor keeps its room
    view.params.focus(11)
    qtbot.wait_until(lambda: view.params.verticalScrollBar().value() > 0, timeout=5000)


def test_parameters_in_an_open_transaction(qtbot, window, sample_ledger):
    _ws, view = query_view(qtbot, window, sample_ledger)
    start = blocks(sample_ledger)
    view.trigger("begin_tx")
    qtbot.wait_until(lambda: view.tx_open, timeout=5000)
    counted(qtbot, view, "INSERT INTO Vehicle ?", 1)
    view.params.fields[0].setText('{VIN: "TX-1", Make: "Tesla", Year: 2024}')
    run_and_wait(qtbot, view)
    counted(qtbot, view, "SELECT Make, Year FROM Vehicle WHERE VIN = ?", 1)
    view.params.fields[0].setText('"TX-1"')
    result = run_and_wait(qtbot, view)
    assert [dict(v) for v in result.values] == [{"Make": "Tesla", "Year": 2024}]
    assert blocks(sample_ledger) == start  # nothing committed yet
    task = view.end(commit=True)
    with qtbot.wait_signal(task.finished, timeout=10000):
        pass
    with Ledger.open(sample_ledger, read_only=True) as ledger:
        assert ledger.block_count() == start + 1
    with Ledger.open(sample_ledger) as ledger:
        (row,) = ledger.execute("SELECT VALUE Make FROM Vehicle WHERE VIN = ?", "TX-1").values
    assert str(row) == "Tesla"


def test_a_large_statement_is_counted_off_the_gui_thread(qtbot, window, sample_ledger):
    _ws, view = query_view(qtbot, window, sample_ledger)
    big = "SELECT * FROM Vehicle WHERE " + " OR ".join(
        f"VIN = 'v{i}?'" for i in range(30_000)) + " OR VIN = ?"
    view.params.recount(big)
    # it returned before the count was known: lexing ~700 KB (a second or more) runs in a
    # thread, not in the call
    assert not view.params.is_counted(big)
    qtbot.wait_until(lambda: view.params.is_counted(big), timeout=30000)
    assert view.params.count == 1


# -- the toolbar at 800×600 --------------------------------------------------------------------
TOOLBAR = ("run_query", "explain_query", "cancel_query", "begin_tx", "commit_tx", "abort_tx",
           "save_results")


def all_in_sight(view) -> bool:
    toolbar = view.findChild(QToolBar, "queryToolbar")
    extension = toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
    for action_id in TOOLBAR:
        button = toolbar.widgetForAction(view.actions_[action_id])
        if button is None or not button.isVisible() or \
                button.geometry().right() >= toolbar.width():
            return False
    return extension is None or not extension.isVisible()  # no "»" holding any of them


def test_the_toolbar_fits_an_800_by_600_window(qtbot, window, sample_ledger):
    ws, view = query_view(qtbot, window, sample_ledger)
    qtbot.wait_until(lambda: all_in_sight(view), timeout=5000)
    assert view.actions_["begin_tx"].text() == "&Begin Transaction"  # room for every name
    window.resize(800, 600)
    qtbot.wait_until(lambda: window.width() == 800 and window.height() == 600, timeout=5000)
    qtbot.wait(100)
    assert all_in_sight(view)
    # the short words keep the full ones in the tooltip; the menu keeps the full text
    assert view.actions_["begin_tx"].text() == "Begin"
    assert view.actions_["begin_tx"].toolTip().startswith("Begin Transaction:")
    assert view.actions_["save_results"].toolTip().startswith("Save Results As…:")
    assert window.actions_by_id["save_results"].text() == "&Save Results As…"
    # the browser dragged wider: icons only for Cancel, Save and Explain, none hidden
    ws.splitter.setSizes([400, 400])
    qtbot.wait(100)
    assert all_in_sight(view)
    back = view.findChild(QToolBar, "queryToolbar")
    assert back.level in ("narrow", "compact")
    window.resize(1200, 800)
    qtbot.wait_until(lambda: view.actions_["begin_tx"].text() == "&Begin Transaction",
                     timeout=5000)
    assert all_in_sight(view)
