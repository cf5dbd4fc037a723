"""The PartiQL editor: a refused statement's position is marked in the editor, counted as the
editor counts lines; completion after an alias completes the field name."""

from __future__ import annotations

from PySide6.QtGui import QTextCursor

from ledger_desktop.engine.errors import QueryError, UserError
from tests.ui.test_query import query_view, run_and_wait


def test_a_refused_statement_is_marked_at_the_editor_line(qtbot, window, sample_ledger):
    """The status said "(line 1, column 15)" for a table on the editor's line 2, and
    nothing was underlined."""
    _ws, view = query_view(qtbot, window, sample_ledger)
    view.editor.setPlainText("SELECT * FROM Vehicle;\nSELECT * FROM Nope")
    view.editor.moveCursor(QTextCursor.MoveOperation.End)
    exc = run_and_wait(qtbot, view, "errored")
    assert isinstance(exc, UserError) and not isinstance(exc, QueryError)
    marks = view.editor.error_marks()
    assert marks and marks[-1].cursor.selectedText() == "Nope"
    assert view.status.text() == "Error (line 2, column 15): no active table named 'Nope'"
    assert view.results.currentWidget() is view.messages
    # a single statement: marked too
    view.editor.setPlainText("SELECT * FROM NoSuchTable")
    run_and_wait(qtbot, view, "errored")
    assert view.editor.error_marks()[-1].cursor.selectedText() == "NoSuchTable"
    assert "(line 1, column 15)" in view.status.text()


def test_a_syntax_error_in_a_later_statement_names_the_editor_line(qtbot, window,
                                                                   sample_ledger):
    _ws, view = query_view(qtbot, window, sample_ledger)
    view.editor.setPlainText("SELECT * FROM Vehicle;\nSELECT *\nFRM Vehicle")
    view.editor.moveCursor(QTextCursor.MoveOperation.End)
    exc = run_and_wait(qtbot, view, "errored")
    assert (exc.line, exc.column) == (2, 1)  # in the statement
    assert view.editor.error_marks()[-1].cursor.selectedText() == "FRM"
    assert "(line 3, column 1)" in view.status.text()  # in the editor


def test_completion_after_an_alias_completes_the_field(qtbot, window, sample_ledger):
    """`v.Ma` gave no completions: the prefix held the alias, the word list bare names."""
    from tests.ui.conftest import documents_view

    ws, view = query_view(qtbot, window, sample_ledger)
    documents_view(qtbot, ws, "Vehicle")
    ws.views.setCurrentWidget(view)
    editor = view.editor
    editor.set_names(fields=sorted(ws.known_fields))
    editor.setPlainText("SELECT * FROM Vehicle AS v WHERE ")
    editor.moveCursor(QTextCursor.MoveOperation.End)
    editor.setFocus()
    qtbot.keyClicks(editor, "v.Ma")  # typing completes as it goes
    completer = editor.completer
    assert completer.completionPrefix() == "Ma"
    found = [completer.completionModel().index(i, 0).data()
             for i in range(completer.completionCount())]
    assert found == ["Make"], found  # fields only: no keyword MAX after a dot
    editor.insert_completion(completer.currentCompletion())
    assert editor.toPlainText() == "SELECT * FROM Vehicle AS v WHERE v.Make"
    completer.popup().hide()
    # a plain prefix still completes tables and keywords
    editor.complete("Vehic")
    assert completer.currentCompletion() == "Vehicle"
    completer.popup().hide()
