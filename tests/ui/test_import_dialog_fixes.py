"""The Import dialog: a table's context menu imports into that table (probe B 10); it names the
ledger, can leave a file out, keeps Import off while a file cannot be read, and words the
Ion and JSON readers' errors plainly (15)."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QFileDialog

from ledger_desktop.ui.dialogs.import_dialog import ImportDialog, plain_reason
from tests.ui.conftest import open_workspace


def _dialog(qtbot, window) -> ImportDialog:
    qtbot.wait_until(lambda: window.findChild(ImportDialog) is not None, timeout=5000)
    dlg = window.findChild(ImportDialog)
    qtbot.wait_until(lambda: len(dlg._previews) == len(dlg.paths), timeout=5000)
    return dlg


def test_import_from_a_tables_context_menu_goes_into_that_table(qtbot, window, sample_ledger,
                                                                 tmp_path, monkeypatch):
    """Right-click Person > Import Files… with people.csv proposed a new table "people"."""
    data = tmp_path / "people.csv"
    data.write_text("FirstName,LastName\nAnn,Lee\n")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                        staticmethod(lambda *_a, **_k: ([str(data)], "")))
    ws = open_workspace(qtbot, window, sample_ledger)
    person = ws.table_by_name("Person")
    ws.browser.action_requested.emit("import_files", person)  # the table's context menu
    dlg = _dialog(qtbot, window)
    assert dlg.table.currentText() == "Person"
    assert "existing table Person" in dlg.target_note.text()
    dlg.close()
    # from the menu (no table), the file's name is still what is proposed
    ws.do_import_files()
    dlg2 = next(d for d in window.findChildren(ImportDialog) if d is not dlg)
    assert dlg2.table.currentText() == "people"
    dlg2.close()


def test_the_dialog_names_the_ledger(qtbot, window, sample_ledger, tmp_path):
    data = tmp_path / "a.jsonl"
    data.write_text('{"a": 1}\n')
    ws = open_workspace(qtbot, window, sample_ledger)
    ws.import_files([str(data)])
    dlg = _dialog(qtbot, window)
    assert "sample" in dlg.windowTitle()
    assert "sample" in dlg.header.text() and "1 file" in dlg.header.text()
    dlg.close()


def test_an_unreadable_file_keeps_import_off_until_it_is_removed(qtbot, window,
                                                                 sample_ledger, tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text("".join(json.dumps({"n": i}) + "\n" for i in range(5)))
    bad = tmp_path / "bad.ion"
    bad.write_text("{a:1}\n{a:2}\n{a:3 b:4}\n")
    ws = open_workspace(qtbot, window, sample_ledger)
    ws.import_files([str(good), str(bad)])
    dlg = _dialog(qtbot, window)
    assert not dlg.import_button.isEnabled()
    assert "unreadable" in dlg.import_button.toolTip()
    assert dlg.start() is None  # nothing runs, nothing is committed
    error = dlg.errors.item(0).text()
    assert error == ("bad.ion, line 3, column 6: unexpected 'b': a ',' is missing after the "
                     "previous value in this struct")
    assert "Illegal character" in dlg.errors.item(0).toolTip()  # the reader's own words
    assert "Remove from List" in dlg.status.text()
    dlg.files.setCurrentRow(1)
    assert dlg.remove_button.isEnabled()
    dlg.remove_button.click()
    assert dlg.paths == [str(good)] and dlg.files.count() == 1
    assert not dlg.errors.isVisible()
    assert dlg.import_button.isEnabled()
    assert "1 file" in dlg.header.text()
    task = dlg.start()
    with qtbot.wait_signal(dlg.imported, timeout=20000) as blocker:
        pass
    assert blocker.args[0].documents == 5 and task.done
    assert not dlg.import_button.isEnabled()  # done: a second click would import it twice
    dlg.close()


def test_removing_every_file_leaves_nothing_to_import(qtbot, window, sample_ledger, tmp_path):
    data = tmp_path / "a.jsonl"
    data.write_text('{"a": 1}\n')
    ws = open_workspace(qtbot, window, sample_ledger)
    ws.import_files([str(data)])
    dlg = _dialog(qtbot, window)
    assert dlg.import_button.isEnabled()
    dlg.files.setCurrentRow(0)
    dlg.remove_button.click()
    assert not dlg.import_button.isEnabled() and dlg.import_button.toolTip() == \
        "No files to import"
    assert "No files left" in dlg.status.text()
    dlg.close()


def test_reader_errors_in_plain_words():
    assert plain_reason("Illegal character , (in unknown value contained in STRUCT. "
                        "Encountered delimiter , without preceding value)") == \
        "unexpected ',': a value is missing before it in this struct"
    assert plain_reason("Illegal character ] (in unknown value contained in LIST. Delimiter "
                        ", not found after value)") == \
        "unexpected ']': a ',' is missing after the previous value in this list"
    assert plain_reason("Expecting property name enclosed in double quotes") == \
        "a field name must be a string in double quotes (JSON)"
    assert plain_reason("Extra data").startswith("more text after the end of the record")
    # what is already plain stays as it is
    assert plain_reason("expected 2 fields (as in the header), found 3") == \
        "expected 2 fields (as in the header), found 3"
