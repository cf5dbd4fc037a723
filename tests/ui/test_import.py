"""Drag-and-drop import: preview, import off the GUI thread, views refresh; a failed or
cancelled import commits nothing."""

from __future__ import annotations

import hashlib
import json

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.ui.dialogs.import_dialog import ImportDialog
from tests.ui.conftest import open_workspace


def drop_files(window, paths) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)


def import_dialog(qtbot, window) -> ImportDialog:
    qtbot.wait_until(lambda: window.findChild(ImportDialog) is not None, timeout=5000)
    dlg = window.findChild(ImportDialog)
    qtbot.wait_until(lambda: dlg.preview_model.rowCount() > 0 or dlg.errors.isVisible(),
                     timeout=5000)
    return dlg


def state(path):
    with Ledger.open(path, read_only=True) as ledger:
        return ledger.block_count(), ledger.digest().digest, \
            {t.name: ledger.count_documents(t.table_id) for t in ledger.tables()}


def test_drop_jsonl_file_imports_into_new_table(qtbot, window, sample_ledger, tmp_path):
    data = tmp_path / "Cars.jsonl"
    data.write_text("".join(json.dumps({"vin": f"V{i}", "km": i * 1000}) + "\n"
                            for i in range(250)))
    ws = open_workspace(qtbot, window, sample_ledger)
    drop_files(window, [data])
    dlg = import_dialog(qtbot, window)
    assert dlg.preview_model.rowCount() == 20
    assert dlg.preview_model.columns == ["vin", "km"]
    assert dlg.table.currentText() == "Cars"
    assert "new table" in dlg.target_note.text()
    task = dlg.start()
    with qtbot.wait_signal(dlg.imported, timeout=20000) as blocker:
        pass
    result = blocker.args[0]
    assert result.documents == 250 and result.created_table
    dlg.close()
    # The views refresh: the catalog gains the table and its documents open.
    qtbot.wait_until(lambda: ws.table_by_name("Cars") is not None, timeout=5000)
    qtbot.wait_until(lambda: ws.view("documents", ws.table_by_name("Cars").table_id)
                     is not None, timeout=5000)
    view = ws.view("documents", ws.table_by_name("Cars").table_id)
    qtbot.wait_until(lambda: view.model.rowCount() > 0, timeout=5000)
    assert task.done
    assert state(sample_ledger)[2]["Cars"] == 250


def test_a_file_name_that_is_not_a_table_name_proposes_a_new_table(qtbot, window,
                                                                    sample_ledger, tmp_path):
    """`my data-2024.csv` proposed DriversLicense, the first existing table: one click on
    Import appended the rows there, for good."""
    from ledger_desktop.ui.dialogs.import_dialog import table_name_of

    data = tmp_path / "my data-2024.csv"
    data.write_text("a,b\n1,2\n")
    open_workspace(qtbot, window, sample_ledger)
    drop_files(window, [data])
    dlg = import_dialog(qtbot, window)
    assert dlg.table.currentText() == "my_data_2024"
    assert "new table" in dlg.target_note.text()
    dlg.close()
    assert table_name_of("2024 report") == "T_2024_report"
    assert table_name_of("---") == "Imported"


def test_failed_import_commits_nothing(qtbot, window, sample_ledger, tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text("".join(json.dumps({"n": i}) + "\n" for i in range(3000)))
    bad = tmp_path / "bad.jsonl"
    # the bad record lies past the preview's first records: a file the preview cannot read
    # never reaches Import (test_import_dialog_fixes.py)
    bad.write_text("".join(json.dumps({"n": i}) + "\n" for i in range(30)) + '{"n": oops}\n')
    before = state(sample_ledger)
    file_before = hashlib.sha256(sample_ledger.read_bytes()).hexdigest()
    ws = open_workspace(qtbot, window, sample_ledger)
    ws.import_files([str(good), str(bad)])
    dlg = import_dialog(qtbot, window)
    dlg.table.setEditText("Vehicle")
    dlg.start()
    with qtbot.wait_signal(dlg.import_failed, timeout=20000):
        pass
    assert dlg.errors.isVisible()
    line = dlg.errors.item(0).text()
    assert line.startswith("bad.jsonl, line 31")
    assert "nothing was committed" in dlg.status.text()
    dlg.close()
    window.close_tab(window.tabs.indexOf(ws))
    assert state(sample_ledger) == before
    assert hashlib.sha256(sample_ledger.read_bytes()).hexdigest() == file_before


def test_cancelled_import_commits_nothing(qtbot, window, sample_ledger, tmp_path):
    big = tmp_path / "big.jsonl"
    big.write_text("".join(json.dumps({"n": i, "pad": "x" * 50}) + "\n" for i in range(60000)))
    before = state(sample_ledger)
    ws = open_workspace(qtbot, window, sample_ledger)
    ws.import_files([str(big)])
    dlg = import_dialog(qtbot, window)
    task = dlg.start()
    qtbot.wait_until(lambda: task.progress[0] > 0 or task.done, timeout=20000)
    dlg.cancel_button.click()
    qtbot.wait_until(lambda: task.done, timeout=20000)
    assert task.state.name == "CANCELLED"
    assert "nothing was committed" in dlg.status.text()
    dlg.close()
    window.close_tab(window.tabs.indexOf(ws))
    assert state(sample_ledger) == before


def test_unreadable_file_listed_in_preview(qtbot, window, sample_ledger, tmp_path):
    odd = tmp_path / "data.xyz"
    odd.write_text("?")
    open_workspace(qtbot, window, sample_ledger)
    drop_files(window, [odd])
    dlg = import_dialog(qtbot, window)
    assert dlg.errors.isVisible()
    assert "unknown file type" in dlg.errors.item(0).text()
    dlg.close()


def test_dropping_a_ledger_file_opens_it(qtbot, window, sample_ledger):
    drop_files(window, [sample_ledger])
    qtbot.wait_until(lambda: window.current_workspace() is not None, timeout=5000)
    assert window.current_workspace().path == sample_ledger.resolve()
