"""The PartiQL editor: a refused DDL statement (no position in its message) is marked on its
own line; completion after `alias.` offers the fields of the alias's table, read in the
background, even if the table was never browsed or queried."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextCursor

from ledger_desktop.engine.errors import UserError
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.ui.views.partiql_editor import (
    PartiQLEditor,
    refusal_position,
    statement_sources,
)
from tests.ui.test_query import query_view


def _refusal(path, statement: str) -> str:
    with Ledger.open(path) as led, pytest.raises(UserError) as info:
        led.execute(statement)
    assert "line" not in str(info.value)  # the engine gives DDL refusals no position
    return str(info.value)


@pytest.mark.parametrize("ddl, marked", [
    ("CREATE TABLE Vehicle", "Vehicle"),            # already exists
    ("DROP TABLE Nope", "Nope"),                    # no such table
    ("CREATE INDEX ON Nope (GovId)", "Nope"),
    ("UNDROP TABLE Vehicle", "Vehicle"),            # no table with that id
])
def test_a_refused_ddl_statement_is_marked_on_its_line(qtbot, sample_ledger, ddl, marked):
    editor = PartiQLEditor()
    qtbot.addWidget(editor)
    editor.setPlainText(f"SELECT * FROM Vehicle;\n-- Nope and Vehicle in a comment\n  {ddl}")
    editor.moveCursor(QTextCursor.MoveOperation.End)
    statement, offset = editor.statement_at_cursor()
    pos = editor.mark_refusal(offset, statement, _refusal(sample_ledger, statement))
    assert editor.line_column(pos) == (3, 3 + ddl.index(marked))
    marks = editor.error_marks()
    assert marks and marks[-1].cursor.selectedText() == marked


def test_a_refusal_naming_nothing_in_the_statement_marks_its_first_word():
    assert refusal_position("\n  COMMIT", "the transaction conflicted") == (2, 3)


def test_sources_map_aliases_to_tables():
    got = statement_sources(
        "SELECT v.VIN, p.FirstName FROM Vehicle AS v, Person p JOIN VehicleRegistration r "
        "ON r.VIN = v.VIN WHERE v.Make = 'from Nope n' -- FROM Other o")
    assert got["v"] == "Vehicle" and got["p"] == "Person" and got["r"] == "VehicleRegistration"
    assert "n" not in got and "o" not in got
    assert statement_sources("UPDATE Person AS p SET p.x = 1")["p"] == "Person"
    assert "WHERE" not in statement_sources("SELECT * FROM Vehicle WHERE ")
    # a comma in the select list read FROM as an alias and used up `FROM Vehicle AS v`
    assert statement_sources("SELECT VIN, Make FROM Vehicle AS v WHERE v.")["v"] == "Vehicle"
    assert statement_sources("SELECT a, b FROM Person p, Vehicle v")["v"] == "Vehicle"


def _completions(editor: PartiQLEditor) -> list[str]:
    c = editor.completer
    return [c.completionModel().index(i, 0).data() for i in range(c.completionCount())]


def test_alias_completion_reads_the_fields_of_a_table_never_browsed(qtbot, window,
                                                                   sample_ledger):
    ws, view = query_view(qtbot, window, sample_ledger)
    assert not any(n in ws.known_fields for n in ("FirstName", "Owners"))  # never browsed
    editor = view.editor
    # the one line QueryView adds: the editor reads fields on the ledger's reader lane
    editor.set_field_source(ws.session.read)
    editor.setPlainText("SELECT * FROM Person AS p WHERE ")
    editor.moveCursor(QTextCursor.MoveOperation.End)
    editor.setFocus()
    qtbot.wait_until(editor.hasFocus)
    popup = editor.completer.popup()
    qtbot.keyClicks(editor, "p.")
    # the first `p.` starts a read off the GUI thread; the list shows when it lands
    qtbot.wait_until(lambda: popup.isVisible() and bool(_completions(editor)), timeout=10000)
    assert editor.completer.completionPrefix() == ""
    assert {"FirstName", "LastName", "GovId", "DOB"} <= set(_completions(editor))
    qtbot.keyClicks(editor, "Fi")
    assert _completions(editor) == ["FirstName"]
    editor.insert_completion(editor.completer.currentCompletion())
    assert editor.toPlainText() == "SELECT * FROM Person AS p WHERE p.FirstName"
    popup.hide()

    # nested paths complete one level at a time, from the kept names (no second read)
    editor.setPlainText("SELECT r.Owners.Pr FROM VehicleRegistration AS r")
    cursor = editor.textCursor()
    cursor.setPosition(len("SELECT r.Owners.Pr"))
    editor.setTextCursor(cursor)
    editor.complete("r.Owners.Pr")
    qtbot.wait_until(lambda: _completions(editor) == ["PrimaryOwner"], timeout=10000)
    editor.insert_completion(editor.completer.currentCompletion())
    assert editor.toPlainText().startswith("SELECT r.Owners.PrimaryOwner FROM")
    qtbot.keyClicks(editor, ".Pe")
    assert _completions(editor) == ["PersonId"]
    popup.hide()

    # Ctrl+Space after a bare `v.` lists Vehicle's fields
    editor.setPlainText("SELECT * FROM Vehicle AS v WHERE v.")
    editor.moveCursor(QTextCursor.MoveOperation.End)
    editor.complete("v.")
    qtbot.wait_until(lambda: popup.isVisible() and "Make" in _completions(editor),
                     timeout=10000)
    assert "MAX" not in _completions(editor)  # fields only after a dot
    popup.hide()


def test_fields_are_read_off_the_gui_thread_and_kept(qtbot, sample_ledger):
    from ledger_desktop.ui.views.table_fields import TableFieldCache
    from ledger_desktop.workers.session import LedgerSession

    session = LedgerSession(sample_ledger)
    reads = []

    def read(fn, name=""):
        reads.append(name)
        return session.read(fn, name)

    try:
        cache = TableFieldCache(read)
        assert cache.fields("Person") is None  # never answered on the GUI thread
        with qtbot.wait_signal(cache.loaded, timeout=10000) as blocker:
            pass
        assert blocker.args == ["Person"]
        assert "GovId" in cache.fields("Person")
        assert cache.fields("Person") is not None and len(reads) == 1  # kept
        with qtbot.wait_signal(cache.loaded, timeout=10000):
            assert cache.fields("Nope") is None
        assert cache.fields("Nope") == []
    finally:
        session.close()
