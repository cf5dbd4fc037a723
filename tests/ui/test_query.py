"""The PartiQL editor: run, run the selection, errors at line/column, EXPLAIN, history,
completion, cancel a long query, explicit transactions, and DDL from the browser."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.ui.dialogs.statement import StatementDialog
from tests.ui.conftest import open_workspace


def query_view(qtbot, window, path):
    ws = open_workspace(qtbot, window, path)
    view = ws.open_query()
    return ws, view


def run_and_wait(qtbot, view, signal="finished"):
    with qtbot.wait_signal(getattr(view, signal), timeout=20000) as blocker:
        task = view.run()
        assert task is not None
    return blocker.args[0]


def blocks(path) -> int:
    with Ledger.open(path, read_only=True) as ledger:
        return ledger.block_count()


def test_run_query_shows_grid_ion_and_plan(qtbot, window, sample_ledger):
    _ws, view = query_view(qtbot, window, sample_ledger)
    view.editor.setPlainText("SELECT v.VIN, v.Make FROM Vehicle AS v WHERE v.VIN = "
                             "'1N4AL11D75C109151'")
    result = run_and_wait(qtbot, view)
    assert result.kind == "select"
    assert view.model.rowCount() == 1 and view.model.columns == ["VIN", "Make"]
    assert view.model.data(view.model.index(0, 1)) == "Audi"
    assert view.ion_text.toPlainText() == ""  # written when the Ion tab is shown
    view.results.setCurrentWidget(view.ion_text)
    assert "1N4AL11D75C109151" in view.ion_text.toPlainText()
    assert "index lookup" in view.plan_text.toPlainText()
    assert view.settings.query_history()[0].startswith("SELECT v.VIN")
    assert view.history.count() == 1


def test_a_large_result_writes_the_ion_tab_only_when_shown_and_in_part(qtbot, window,
                                                                       sample_ledger):
    """Writing a 15,625-row result as Ion text held the GUI thread for 1.9 s."""
    from ledger_desktop.ui.views import query as query_module

    _ws, view = query_view(qtbot, window, sample_ledger)
    view.editor.setPlainText("SELECT VALUE a.VIN FROM Vehicle a, Vehicle b, Vehicle c, "
                             "Vehicle d")
    run_and_wait(qtbot, view)
    assert view.model.rowCount() == 625 and view.ion_text.toPlainText() == ""
    old = query_module.ION_TAB_VALUES
    query_module.ION_TAB_VALUES = 100
    try:
        view.results.setCurrentWidget(view.ion_text)
    finally:
        query_module.ION_TAB_VALUES = old
    text = view.ion_text.toPlainText()
    assert text.count('"') == 200 and "525 more values" in text


def test_run_selection_only_and_statement_at_cursor(qtbot, window, sample_ledger):
    _ws, view = query_view(qtbot, window, sample_ledger)
    view.editor.setPlainText("SELECT * FROM Person;\nSELECT * FROM Vehicle")
    cursor = view.editor.textCursor()
    cursor.setPosition(3)
    view.editor.setTextCursor(cursor)
    assert view.editor.statement_at_cursor() == ("SELECT * FROM Person", 0)
    cursor.movePosition(QTextCursor.MoveOperation.End)
    view.editor.setTextCursor(cursor)
    text, offset = view.editor.statement_at_cursor()
    assert text == "SELECT * FROM Vehicle" and offset == 22
    result = run_and_wait(qtbot, view)
    assert len(result.values) == 5
    # Select part of the text: only the selection runs.
    cursor.setPosition(0)
    cursor.setPosition(20, QTextCursor.MoveMode.KeepAnchor)
    view.editor.setTextCursor(cursor)
    result = run_and_wait(qtbot, view)
    with Ledger.open(sample_ledger, read_only=True) as ledger:
        people = ledger.count_documents(ledger.table("Person").table_id)
    assert len(result.values) == people


def test_error_is_marked_at_its_line_and_column(qtbot, window, sample_ledger):
    _ws, view = query_view(qtbot, window, sample_ledger)
    view.editor.setPlainText("SELECT *\nFRM Vehicle")
    exc = run_and_wait(qtbot, view, "errored")
    assert (exc.line, exc.column) == (2, 1)
    marks = view.editor.error_marks()
    assert marks and marks[-1].cursor.selectedText() == "FRM"
    assert "line 2, column 1" in view.status.text()
    assert view.results.currentWidget() is view.messages


def test_a_refused_statement_is_said_in_place_not_in_a_dialog(qtbot, window, sample_ledger,
                                                              monkeypatch):
    """`SELECT * FROM NoSuchTable` opened a modal box holding a Python traceback."""
    from ledger_desktop.ui.views import query as query_module

    boxes = []
    monkeypatch.setattr(query_module, "error_box", lambda *a, **k: boxes.append(a))
    _ws, view = query_view(qtbot, window, sample_ledger)
    view.editor.setPlainText("SELECT VIN FROM Vehicle")
    run_and_wait(qtbot, view)
    assert view.model.rowCount() == 5
    view.editor.setPlainText("SELECT * FROM NoSuchTable")
    exc = run_and_wait(qtbot, view, "errored")
    assert "NoSuchTable" in str(exc)
    assert view.model.rowCount() == 0  # not the last statement's rows, to be saved as these
    assert boxes == []
    assert "NoSuchTable" in view.status.text()
    assert view.results.currentWidget() is view.messages


def test_explain_shows_the_plan(qtbot, window, sample_ledger):
    _ws, view = query_view(qtbot, window, sample_ledger)
    view.editor.setPlainText("SELECT * FROM Vehicle AS v WHERE v.VIN = 'x'")
    with qtbot.wait_signal(view.finished, timeout=20000):
        view.trigger("explain_query")
    assert view.results.currentWidget() is view.plan_text
    assert "Vehicle.VIN" in view.plan_text.toPlainText()


def test_completion_offers_tables_and_fields(qtbot, window, sample_ledger):
    ws, view = query_view(qtbot, window, sample_ledger)
    from tests.ui.conftest import documents_view

    documents_view(qtbot, ws, "Vehicle")
    ws.views.setCurrentWidget(view)
    view.editor.set_names(fields=sorted(ws.known_fields))
    words = view.editor.completions()
    assert {"SELECT", "Vehicle", "VehicleRegistration", "VIN", "Make"} <= set(words)
    view.editor.setPlainText("SELECT * FROM Vehic")
    view.editor.moveCursor(QTextCursor.MoveOperation.End)
    view.editor.complete("Vehic")
    assert view.editor.completer.currentCompletion() == "Vehicle"
    view.editor.insert_completion("VehicleRegistration")
    assert view.editor.toPlainText() == "SELECT * FROM VehicleRegistration"
    view.editor.completer.popup().hide()


def test_cancel_a_long_query_commits_nothing(qtbot, window, tmp_path):
    path = tmp_path / "long.ledger"
    with Ledger.create(path) as ledger:
        with ledger.transaction() as tx:
            table_id = tx.create_table("Big", tx.begin_statement("CREATE TABLE Big"))
        with ledger.transaction() as tx:
            for i in range(3000):
                tx.insert(table_id, {"n": i}, tx.begin_statement("INSERT INTO Big ?", ({"n": i},)))
    before = blocks(path)
    _ws, view = query_view(qtbot, window, path)
    # A cross join over 3,000 x 3,000 documents runs for a long time.
    view.editor.setPlainText("SELECT COUNT(*) FROM Big AS a, Big AS b, Big AS c "
                             "WHERE a.n + b.n + c.n = -1")
    task = view.run()
    qtbot.wait_until(lambda: task.state.name == "RUNNING", timeout=10000)
    with qtbot.wait_signal(task.finished, timeout=30000):
        view.trigger("cancel_query")
    assert task.state.name == "CANCELLED"
    assert "nothing was committed" in view.status.text()
    assert not view.running
    window.close_tab(window.tabs.indexOf(_ws))
    assert blocks(path) == before


def test_explicit_transaction_commit_and_abort(qtbot, window, sample_ledger):
    ws, view = query_view(qtbot, window, sample_ledger)
    start = blocks(sample_ledger)
    with qtbot.wait_signal(view.actions_["commit_tx"].changed, timeout=5000):
        view.trigger("begin_tx")
    qtbot.wait_until(lambda: view.tx_open, timeout=5000)
    for i in range(2):
        view.editor.setPlainText(f"INSERT INTO Person {{'FirstName': 'T{i}', 'GovId': 'G{i}'}}")
        run_and_wait(qtbot, view)
    assert blocks(sample_ledger) == start  # nothing committed yet
    task = view.end(commit=True)
    with qtbot.wait_signal(task.finished, timeout=10000):
        pass
    assert not view.tx_open
    assert blocks(sample_ledger) == start + 1  # both statements in one block
    view.trigger("begin_tx")
    qtbot.wait_until(lambda: view.tx_open, timeout=5000)
    view.editor.setPlainText("DELETE FROM Person AS p WHERE p.GovId = 'G0'")
    run_and_wait(qtbot, view)
    task = view.end(commit=False)
    with qtbot.wait_signal(task.finished, timeout=10000):
        pass
    assert blocks(sample_ledger) == start + 1
    assert "Aborted" in view.status.text()


def test_create_and_drop_table_from_the_ui(qtbot, window, sample_ledger):
    ws = open_workspace(qtbot, window, sample_ledger)
    ws.do_create_table()
    dlg = ws.findChild(StatementDialog)
    dlg.name_edit.setText("Audit")
    assert dlg.text() == "CREATE TABLE Audit"
    with qtbot.wait_signal(ws.loaded, timeout=10000):
        dlg.accept()
    qtbot.wait_until(lambda: ws.table_by_name("Audit") is not None, timeout=5000)
    table = ws.table_by_name("Audit")
    ws.do_drop_table(table)
    dlg = [d for d in ws.findChildren(StatementDialog) if d.isVisible()][-1]
    assert dlg.text() == "DROP TABLE Audit"
    with qtbot.wait_signal(ws.loaded, timeout=10000):
        dlg.accept()
    qtbot.wait_until(lambda: ws.table_by_name("Audit") is None, timeout=5000)
    dropped = [t for t in ws.tables if t.name == "Audit"]
    assert dropped and dropped[0].status != "ACTIVE"
    root = ws.browser.model.item(1, 0)
    assert root.text() == "Dropped tables (1)"
    assert root.child(0, 0).data(Qt.ItemDataRole.DisplayRole) == "Audit"


def test_undrop_table_and_create_index_from_the_ui(qtbot, window, sample_ledger):
    with Ledger.open(sample_ledger) as ledger:
        ledger.execute("CREATE TABLE Audit")
        ledger.execute("DROP TABLE Audit")
    ws = open_workspace(qtbot, window, sample_ledger)
    dropped = next(t for t in ws.tables if t.name == "Audit")
    ws.do_undrop_table(dropped)
    dlg = [d for d in ws.findChildren(StatementDialog) if d.isVisible()][-1]
    assert dlg.text() == f'UNDROP TABLE "{dropped.table_id}"'
    with qtbot.wait_signal(ws.loaded, timeout=10000):
        dlg.accept()
    qtbot.wait_until(lambda: ws.table_by_name("Audit") is not None, timeout=5000)
    ws.do_create_index(ws.table_by_name("Audit"))
    dlg = [d for d in ws.findChildren(StatementDialog) if d.isVisible()][-1]
    dlg.field_box.setEditText("Serial")
    assert dlg.text() == "CREATE INDEX ON Audit (Serial)"
    with qtbot.wait_signal(ws.loaded, timeout=10000):
        dlg.accept()
    qtbot.wait_until(lambda: [ix.field for ix in ws.table_by_name("Audit").indexes] ==
                     ["Serial"], timeout=5000)


def test_ctrl_return_in_the_editor_runs_the_statement(qtbot, window, sample_ledger):
    _ws, view = query_view(qtbot, window, sample_ledger)
    window.activateWindow()
    view.editor.setPlainText("SELECT * FROM Vehicle")
    view.editor.setFocus()
    with qtbot.wait_signal(view.finished, timeout=20000) as blocker:
        qtbot.keyClick(view.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert len(blocker.args[0].values) == 5
    assert view.editor.toPlainText() == "SELECT * FROM Vehicle"  # no newline was typed


def test_a_long_error_or_path_never_widens_the_window(qtbot, window, tmp_path):
    """A QLabel asks for its whole text's width: a long error message, or a ledger deep in
    folders, used to widen the window and squeeze the table tree. Both are now cut to the
    width there is, whole in the tooltip and in text()."""
    from ledger_desktop.engine.sample import build_sample

    deep = tmp_path.joinpath(*["a-rather-long-folder-name"] * 12)
    deep.mkdir(parents=True)
    path = build_sample(deep / "sample.ledger")
    width = window.width()
    ws, view = query_view(qtbot, window, path)
    qtbot.wait(50)
    assert window.width() == width
    assert str(path) in ws.status.text()
    assert ws.status.toolTip() == ws.status.text()   # cut: the tooltip has it all
    tree = ws.splitter.sizes()[0]
    view.editor.setPlainText("SELECT v.VIN FROM Vehicle AS v WHER " + " AND ".join(
        f"v.Field{i} = 'a long value number {i}'" for i in range(40)))
    exc = run_and_wait(qtbot, view, "errored")
    qtbot.wait(50)
    assert "did you mean WHERE?" in str(exc)
    assert window.width() == width
    assert ws.splitter.sizes()[0] == tree
    assert view.status.text().startswith("Error (line 1, column 32)")
    assert view.status.toolTip() == view.status.text()
    assert view.status.width() < window.width()


def test_query_only_actions_are_off_outside_a_query_view(qtbot, window, sample_ledger):
    """Cancel, Explain and the transaction buttons act on a PartiQL view's statement: on a
    table's tab they did nothing, yet Cancel was lit red in the toolbar."""
    ws, view = query_view(qtbot, window, sample_ledger)
    actions = window.actions_by_id
    assert actions["explain_query"].isEnabled() and actions["begin_tx"].isEnabled()
    assert not actions["cancel_query"].isEnabled()       # nothing running
    ws.open_table(ws.table_by_name("Vehicle"))
    qtbot.wait_until(lambda: ws.views.currentWidget() is not view)
    for action_id in ("explain_query", "cancel_query", "begin_tx", "commit_tx", "abort_tx"):
        assert not actions[action_id].isEnabled(), action_id
    assert actions["run_query"].isEnabled()               # it opens the PartiQL view
    ws.views.setCurrentWidget(view)
    assert actions["explain_query"].isEnabled() and actions["begin_tx"].isEnabled()


def test_save_results_writes_the_grid_off_the_gui_thread(qtbot, window, sample_ledger,
                                                         tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    _ws, view = query_view(qtbot, window, sample_ledger)
    actions = window.actions_by_id
    assert not actions["save_results"].isEnabled()        # nothing to save yet
    view.editor.setPlainText("SELECT v.VIN, v.Year FROM Vehicle AS v ORDER BY v.VIN")
    run_and_wait(qtbot, view)
    assert actions["save_results"].isEnabled()
    target = tmp_path / "vehicles"
    # the dialog's filter decides the format when the name has no extension
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(target), "JSON Lines (*.jsonl *.json *.ndjson)"))
    task = view.save_results()
    qtbot.wait_until(lambda: task.done, timeout=10000)
    lines = target.read_text().splitlines()
    assert len(lines) == 5 and lines[0].startswith('{"VIN":"1C4RJFAG0FC625797","Year":')
    assert f"Saved 5 values to {target}" == view.status.text()
    task = view.save_results_to(tmp_path / "v.csv", "csv")
    qtbot.wait_until(lambda: task.done, timeout=10000)
    assert (tmp_path / "v.csv").read_text().splitlines()[0] == "VIN,Year"
    assert view._format_of("x.ION") == "ion" and view._format_of("x.ndjson") == "json"


def test_sorting_a_large_result_says_so(qtbot, window, sample_ledger, monkeypatch):
    """The README says the status line shows "sorting…" while a large result is ordered in a
    thread; the query view did not listen for it."""
    import threading

    from ledger_desktop.ui.models import background_sort

    _ws, view = query_view(qtbot, window, sample_ledger)
    view.editor.setPlainText("SELECT a.VIN, b.Make FROM Vehicle a, Vehicle b, Vehicle c, "
                             "Vehicle d, Vehicle e, Vehicle f")  # 15,625 rows
    run_and_wait(qtbot, view)
    done_text = view.status.text()
    gate = threading.Event()
    real = background_sort._order_or_none
    monkeypatch.setattr(background_sort, "_order_or_none",
                        lambda *a: (gate.wait(10), real(*a))[1])
    view.model.sort(1, Qt.SortOrder.DescendingOrder)
    assert view.status.text() == done_text + "  ·  sorting…"
    gate.set()
    qtbot.wait_until(lambda: not view.model.sorting, timeout=10000)
    assert view.status.text() == done_text
