"""Reaching the history of deleted documents and of documents in query results (app probe
2026-11-29b, item 8): the browser's Deleted Documents…, the documents grid's Show deleted…,
and Revision History / Go to Block on PartiQL result rows (history(), DML, BY)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMenu

from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.ui.dialogs.deleted_documents import DeletedDocumentsDialog
from ledger_desktop.ui.views.block_inspector import BlockInspector
from ledger_desktop.ui.views.history import HistoryView
from tests.ui.conftest import documents_view, open_workspace
from tests.ui.test_query import run_and_wait


@pytest.fixture
def ledger3(tmp_path: Path) -> tuple[Path, str, str, int]:
    """T with two documents: `kept` inserted then updated, `gone` inserted then deleted (in
    block `delete_seq`)."""
    path = tmp_path / "t.ledger"
    with Ledger.create(path) as led:
        led.execute("CREATE TABLE T")
        kept, gone = (str(v["documentId"]) for v in
                      led.execute("INSERT INTO T << {'n': 1}, {'n': 2} >>").values)
        led.execute("UPDATE T SET n = 10 WHERE n = 1")
        with led.transaction() as tx:
            tx.execute("DELETE FROM T WHERE n = 2")
        delete_seq = tx.block_address.seq
    return path, kept, gone, delete_seq


def _action(menu: QMenu, text: str):
    (action,) = [a for a in menu.actions() if a.text() == text]
    return action


def _history(qtbot, ws, doc_id: str) -> HistoryView:
    qtbot.wait_until(lambda: isinstance(ws.views.currentWidget(), HistoryView)
                     and ws.views.currentWidget().doc_id == doc_id, timeout=10000)
    view = ws.views.currentWidget()
    qtbot.wait_until(lambda: len(view.model.revisions) > 0, timeout=10000)
    return view


def _dialog(qtbot, ws) -> DeletedDocumentsDialog:
    qtbot.wait_until(lambda: ws.findChild(DeletedDocumentsDialog) is not None, timeout=5000)
    dlg = ws.findChild(DeletedDocumentsDialog)
    qtbot.wait_until(lambda: dlg.history_button.isEnabled()
                     or "No document" in dlg.summary.text(), timeout=10000)
    return dlg


def test_browser_lists_deleted_documents_and_opens_their_history(qtbot, window, ledger3):
    path, kept, gone, delete_seq = ledger3
    ws = open_workspace(qtbot, window, path)
    menu = ws.browser.context_menu(ws.table_by_name("T"))
    _action(menu, "Deleted Documents…").trigger()
    dlg = _dialog(qtbot, ws)
    # exactly the deleted one: not the updated document, which is current
    assert [d.doc_id for d in dlg.model.rows] == [gone]
    (row,) = dlg.model.rows
    assert (row.version, row.block_seq) == (1, delete_seq)
    assert dlg.model.index(0, 2).data() == str(delete_seq)
    assert "1 deleted document in T" in dlg.summary.text()
    # double-click (the History button does the same): its History ends with the DELETE
    dlg.grid.doubleClicked.emit(dlg.model.index(0, 0))
    history = _history(qtbot, ws, gone)
    assert [r.kind for r in history.model.revisions] == ["data", "deleted"]
    assert "deleted" in history.heading.text()
    dlg.block_button.click()
    inspector = ws.views.currentWidget()
    assert isinstance(inspector, BlockInspector) and inspector.seq == delete_seq
    dlg.close()


def test_documents_grid_links_to_the_deleted_documents(qtbot, window, ledger3):
    path, _kept, gone, _seq = ledger3
    ws = open_workspace(qtbot, window, path)
    view = documents_view(qtbot, ws, "T")
    assert view.model.rowCount() == 1  # the grid has the current document only
    view.show_deleted.linkActivated.emit("deleted")
    dlg = _dialog(qtbot, ws)
    assert [d.doc_id for d in dlg.model.rows] == [gone]
    dlg.close()


def test_a_table_with_nothing_deleted_says_so(qtbot, window, ledger3, tmp_path):
    path, *_ = ledger3
    with Ledger.open(path) as led:
        led.execute("CREATE TABLE U")
        led.execute("INSERT INTO U {'n': 1}")
    ws = open_workspace(qtbot, window, path)
    dlg = ws.show_deleted_documents(ws.table_by_name("U"))
    _dialog(qtbot, ws)
    assert dlg.model.rowCount() == 0
    assert dlg.summary.text() == "No document of U has been deleted."
    assert not dlg.history_button.isEnabled()
    dlg.close()


def _query(qtbot, window, path: Path, text: str):
    """A PartiQL tab on `path` that has run `text`: (workspace, view)."""
    ws = open_workspace(qtbot, window, path)
    view = ws.open_query()
    view.editor.setPlainText(text)
    run_and_wait(qtbot, view)
    return ws, view


def test_history_rows_open_revision_history_and_their_block(qtbot, window, ledger3):
    path, _kept, gone, delete_seq = ledger3
    ws, view = _query(qtbot, window, path, "SELECT * FROM history(T)")
    rows = [i for i, v in enumerate(view.model.values)
            if str(v["metadata"]["id"]) == gone and "data" not in v]
    (row,) = rows  # the DELETE revision of the deleted document
    pos = view.grid.visualRect(view.model.index(row, 0)).center()
    menu = view._context_menu(pos)
    assert _action(menu, "Revision History").isEnabled()
    assert _action(menu, "Go to Block").isEnabled()
    _action(menu, "Go to Block").trigger()
    inspector = ws.views.currentWidget()
    assert isinstance(inspector, BlockInspector) and inspector.seq == delete_seq
    menu = view._context_menu(pos)
    _action(menu, "Revision History").trigger()
    history = _history(qtbot, ws, gone)
    assert history.model.revisions[-1].kind == "deleted"


def test_dml_document_id_opens_history_on_double_click(qtbot, window, ledger3):
    path, *_ = ledger3
    ws, view = _query(qtbot, window, path, "INSERT INTO T {'n': 3}")
    (value,) = view.model.values
    new_id = str(value["documentId"])
    menu = view._context_menu(view.grid.visualRect(view.model.index(0, 0)).center())
    assert _action(menu, "Revision History").isEnabled()
    assert not _action(menu, "Go to Block").isEnabled()  # a DML result names no block
    menu.close()
    view.grid.doubleClicked.emit(view.model.index(0, 0))
    history = _history(qtbot, ws, new_id)
    assert [r.version for r in history.model.revisions] == [0]


def test_by_variable_column_opens_history(qtbot, window, ledger3):
    path, kept, *_ = ledger3
    ws, view = _query(qtbot, window, path, "SELECT t.n, did FROM T AS t BY did")
    assert view.model.columns == ["n", "did"]
    # right-clicking the n cell still finds the row's one id (the BY variable's column)
    menu = view._context_menu(view.grid.visualRect(view.model.index(0, 0)).center())
    _action(menu, "Revision History").trigger()
    history = _history(qtbot, ws, kept)
    assert [r.version for r in history.model.revisions] == [0, 1]


def test_an_id_shaped_value_that_is_no_document_opens_nothing(qtbot, window, ledger3):
    path, *_ = ledger3
    ws, view = _query(qtbot, window, path, "SELECT VALUE 'ABCDEFGHIJKLMNOPQRSTUV' FROM T")
    views_before = ws.views.count()
    view.grid.doubleClicked.emit(view.model.index(0, 0))
    qtbot.wait_until(lambda: "No committed document" in view.status.text(), timeout=10000)
    assert ws.views.count() == views_before


def test_closing_the_deleted_documents_dialog_cancels_its_read(qtbot, window, ledger3):
    import threading

    path, *_ = ledger3
    ws = open_workspace(qtbot, window, path)
    gate = threading.Event()
    ws.session.read(lambda _led, _p, _c: gate.wait(10), "hold the read lane")
    dlg = DeletedDocumentsDialog(ws, ws.table_by_name("T"))
    dlg.show()
    ends: list[str] = []
    dlg.task.cancelled.connect(lambda: ends.append("cancelled"))
    dlg.task.succeeded.connect(lambda _r: ends.append("succeeded"))
    dlg.close()  # while its read still waits behind the first
    gate.set()
    qtbot.wait_until(lambda: bool(ends), timeout=10000)
    assert ends == ["cancelled"]
