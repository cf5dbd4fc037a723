"""Refused DDL is marked and `alias.` completes through the QueryView itself (the editor's own
features are tested in test_editor_ddl_marks_and_fields.py)."""

from __future__ import annotations

from PySide6.QtGui import QTextCursor

from tests.ui.test_query import query_view, run_and_wait


def test_a_refused_ddl_statement_is_marked_through_the_query_view(qtbot, window, sample_ledger):
    _ws, view = query_view(qtbot, window, sample_ledger)
    for ddl, name in (("CREATE TABLE Vehicle", "Vehicle"), ("DROP TABLE Nope", "Nope")):
        view.editor.setPlainText(f"SELECT * FROM Vehicle;\n{ddl}")
        view.editor.moveCursor(QTextCursor.MoveOperation.End)
        run_and_wait(qtbot, view, "errored")
        marks = view.editor.error_marks()
        assert marks and marks[-1].cursor.selectedText() == name
        assert view.status.text().startswith(f"Error (line 2, column {ddl.index(name) + 1}): ")
        assert view.results.currentWidget() is view.messages


def test_alias_completion_through_the_query_view(qtbot, window, sample_ledger):
    _ws, view = query_view(qtbot, window, sample_ledger)
    editor = view.editor
    editor.setPlainText("SELECT * FROM Person AS p WHERE ")
    editor.moveCursor(QTextCursor.MoveOperation.End)
    editor.setFocus()
    qtbot.wait_until(editor.hasFocus)
    qtbot.keyClicks(editor, "p.Fi")
    c = editor.completer
    qtbot.wait_until(lambda: c.popup().isVisible() and c.completionCount() == 1, timeout=10000)
    assert c.currentCompletion() == "FirstName"
    c.popup().hide()
