"""Copy beyond the documents grid (probe 2026-11-29b, item 2): Ctrl+C copies the focused
pane's selection (read-only text, any grid), Copy as Ion/JSON/CSV act on the selected rows of
the PartiQL results and of History, and are disabled where they cannot act; the results grid
has the documents grid's right-click menu."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QTextCursor
from PySide6.QtWidgets import QMenu

from tests.ui.conftest import documents_view, open_workspace
from tests.ui.test_query import run_and_wait

COPY_AS = ("copy_ion", "copy_json", "copy_csv")


def _ctrl_c(qtbot, widget) -> str:
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("SENTINEL")
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    return clipboard.text()


def _results(qtbot, window, path, text):
    ws = open_workspace(qtbot, window, path)
    view = ws.open_query()
    view.editor.setPlainText(text)
    run_and_wait(qtbot, view)
    return ws, view


def test_results_grid_copies_selected_rows(qtbot, window, sample_ledger):
    ws, view = _results(qtbot, window, sample_ledger,
                        "SELECT v.VIN, v.\"Year\" FROM Vehicle AS v ORDER BY v.VIN")
    assert view.model.rowCount() == 5
    view.grid.selectRow(1)
    vin = str(view.model.values[1]["VIN"])
    # Ctrl+C in the grid: the row as Ion, as the documents grid copies (it copied nothing)
    assert _ctrl_c(qtbot, view.grid).startswith(f'{{\n  VIN: "{vin}"')
    assert all(window.actions_by_id[a].isEnabled() for a in COPY_AS)
    window.actions_by_id["copy_json"].trigger()
    assert json.loads(QGuiApplication.clipboard().text())["VIN"] == vin
    window.actions_by_id["copy_csv"].trigger()
    assert QGuiApplication.clipboard().text().splitlines()[1].startswith(f"{vin},")
    # the documents grid's right-click menu, with the same Copy as items
    menu = view._context_menu(view.grid.visualRect(view.model.index(1, 0)).center())
    assert isinstance(menu, QMenu)
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts == ["Revision History", "Go to Block", "Copy as Ion", "Copy as JSON",
                     "Copy as CSV"]
    menu.close()


def test_read_only_text_panes_copy_their_selection(qtbot, window, sample_ledger):
    ws, view = _results(qtbot, window, sample_ledger, "SELECT * FROM Vehicle")
    view.results.setCurrentWidget(view.ion_text)
    qtbot.wait_until(lambda: "VIN" in view.ion_text.toPlainText())
    cursor = view.ion_text.textCursor()
    cursor.setPosition(0)
    cursor.movePosition(QTextCursor.MoveOperation.EndOfLine, QTextCursor.MoveMode.KeepAnchor)
    view.ion_text.setTextCursor(cursor)
    assert _ctrl_c(qtbot, view.ion_text) == cursor.selectedText()
    view.results.setCurrentWidget(view.messages)
    view.messages.selectAll()
    assert _ctrl_c(qtbot, view.messages) == view.messages.toPlainText()
    # the document pane's Ion text: the selection, not the grid's whole document
    docs = documents_view(qtbot, ws, "Vehicle")
    docs.select_row(0)
    ion = docs.pane.ion
    ion.setCurrentWidget(ion.text_page)
    qtbot.wait_until(lambda: "VIN" in ion.text.toPlainText())
    cursor = ion.text.textCursor()
    cursor.setPosition(0)
    cursor.setPosition(5, QTextCursor.MoveMode.KeepAnchor)
    ion.text.setTextCursor(cursor)
    assert _ctrl_c(qtbot, ion.text) == ion.text.toPlainText()[:5]


def test_copy_as_in_history_and_disabled_where_it_cannot_act(qtbot, window, sample_ledger):
    ws = open_workspace(qtbot, window, sample_ledger)
    docs = documents_view(qtbot, ws, "Vehicle")
    doc = docs.model.document(0)
    history = ws.open_history(doc.doc_id)
    qtbot.wait_until(lambda: history.model.rowCount() > 0)
    assert all(window.actions_by_id[a].isEnabled() for a in COPY_AS)
    history.timeline.selectRow(history.model.rowCount() - 1)
    window.actions_by_id["copy_json"].trigger()
    assert json.loads(QGuiApplication.clipboard().text())["VIN"] == str(doc.data["VIN"])
    # the block inspector has no rows of values: Copy as is off, Ctrl+C copies its cells
    inspector = ws.open_block(1)
    qtbot.wait_until(lambda: inspector.block is not None)
    assert not any(window.actions_by_id[a].isEnabled() for a in COPY_AS)
    grid = inspector.revisions
    inspector.tabs.setCurrentWidget(grid)
    qtbot.wait_until(lambda: grid.rowCount() > 0)
    grid.selectRow(0)
    qtbot.wait_until(lambda: grid.selectionModel().hasSelection())
    copied = _ctrl_c(qtbot, grid)
    assert copied != "SENTINEL" and copied.split("\t")[0] == grid.item(0, 0).text()


def test_ctrl_c_is_no_longer_taken_by_copy_as_ion(window):
    """The window's Copy as Ion owned Ctrl+C and took it from every pane."""
    assert window.actions_by_id["copy_ion"].shortcut().isEmpty()
    assert window.actions_by_id["copy"].shortcut().toString() == "Ctrl+C"
