"""Low findings of the app probe: the empty ledger's view area, the filter bar's null, missing
and list operators, the layout at 800×600, and wording."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.ui.dialogs.statement import StatementDialog
from tests.ui.conftest import open_workspace


# -- 1. the empty ledger ----------------------------------------------------------------------
def _new_ledger(tmp_path: Path) -> Path:
    path = tmp_path / "new.ledger"
    Ledger.create(path).close()
    return path


def test_a_new_ledger_shows_what_to_do_instead_of_a_blank_area(qtbot, window, tmp_path):
    ws = open_workspace(qtbot, window, _new_ledger(tmp_path))
    assert ws.view_area.currentWidget() is ws.empty and ws.empty.isVisible()
    assert ws.empty.state == "no tables"
    assert ws.empty.title.text() == "This ledger has no tables yet"
    assert list(ws.empty.buttons) == ["create_table", "import_files", "show_query"]
    assert "drop Ion, JSON, CSV files or a QLDB export here" in ws.empty.drop_hint.text()

    # Run PartiQL opens the editor: the empty state goes, and comes back when it closes
    ws.empty.buttons["show_query"].click()
    query = ws.view("query")
    assert query is not None and ws.view_area.currentWidget() is ws.views
    assert not ws.empty.isVisible()
    assert ws.close_view(ws.views.indexOf(query))
    assert ws.view_area.currentWidget() is ws.empty and ws.empty.state == "no tables"


def test_create_table_from_the_empty_state_opens_the_new_table(qtbot, window, tmp_path):
    ws = open_workspace(qtbot, window, _new_ledger(tmp_path))
    ws.empty.buttons["create_table"].click()
    dlg = [d for d in ws.findChildren(StatementDialog) if d.isVisible()][-1]
    dlg.name_edit.setText("Audit")
    dlg.accept()
    qtbot.wait_until(lambda: ws.view("documents", getattr(ws.table_by_name("Audit"),
                                                          "table_id", None)) is not None,
                     timeout=10000)
    assert ws.view_area.currentWidget() is ws.views
    assert ws.views.tabText(ws.views.currentIndex()) == "Audit"
    # closing its grid: the ledger has a table now, and says how to open it
    ws.close_view(ws.views.currentIndex())
    assert ws.view_area.currentWidget() is ws.empty and ws.empty.state == "no view"
    assert ws.empty.title.text() == "1 table, no view open"


def test_files_dropped_on_the_empty_state_are_imported(qtbot, window, tmp_path, monkeypatch):
    ws = open_workspace(qtbot, window, _new_ledger(tmp_path))
    data = tmp_path / "people.json"
    data.write_text('{"Name": "Ada"}\n')
    imported: list[list[str]] = []
    monkeypatch.setattr(ws, "import_files", lambda paths, table=None: imported.append(paths))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(data))])
    # through the window as a real drop arrives: Qt finds the widget under the point and
    # walks up to one that accepts drops
    where = ws.empty.drop_hint.mapTo(window, QPoint(5, 5))
    handle = window.windowHandle()
    enter = QDragEnterEvent(where, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(handle, enter)
    assert enter.isAccepted()
    drop = QDropEvent(where.toPointF(), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(handle, drop)
    assert imported == [[str(data)]]


def test_a_ledger_with_tables_and_no_view_open_says_how_to_open_one(qtbot, window,
                                                                    sample_ledger):
    ws = open_workspace(qtbot, window, sample_ledger)
    assert ws.view_area.currentWidget() is ws.views  # the first table opens by itself
    while ws.views.count():
        ws.close_view(0)
    assert ws.view_area.currentWidget() is ws.empty and ws.empty.isVisible()
    assert ws.empty.title.text() == "4 tables, no view open"
    assert "Double-click a table" in ws.empty.message.text()
    ws.empty.buttons["show_chain"].click()
    assert ws.view_area.currentWidget() is ws.views and ws.views.count() == 1


def test_a_ledger_whose_tables_are_all_dropped_says_so(qtbot, window, tmp_path):
    path = _new_ledger(tmp_path)
    with Ledger.open(path) as led:
        led.execute("CREATE TABLE Audit")
        led.execute("DROP TABLE Audit")
    ws = open_workspace(qtbot, window, path)
    assert ws.empty.state == "no tables"
    assert ws.empty.title.text() == "This ledger has no active tables"
    assert "Its only table is dropped" in ws.empty.message.text()


def test_a_read_only_empty_ledger_offers_no_writes(qtbot, window, tmp_path):
    path = _new_ledger(tmp_path)
    window.open_ledger(path, read_only=True)
    ws = window.current_workspace()
    qtbot.wait_until(lambda: ws.ever_loaded, timeout=10000)
    assert not ws.empty.buttons["create_table"].isEnabled()
    assert not ws.empty.buttons["import_files"].isEnabled()
    assert ws.empty.buttons["show_query"].isEnabled()
    assert "read-only" in ws.empty.message.text()
