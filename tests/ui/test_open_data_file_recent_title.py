"""Opening a data file with no ledger in front leads to an import (probe B 14); only ledgers
that opened go to Recent (19); the window title names the ledger in front (20)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from ledger_desktop.ui.dialogs.import_dialog import ImportDialog
from ledger_desktop.ui.dialogs.import_target import ImportTargetDialog
from tests.ui.conftest import open_workspace


def _target_dialog(qtbot, window) -> ImportTargetDialog:
    qtbot.wait_until(lambda: window.findChild(ImportTargetDialog) is not None
                     and window.findChild(ImportTargetDialog).isVisible(), timeout=5000)
    return window.findChild(ImportTargetDialog)


def _import_dialog(qtbot, window) -> ImportDialog:
    qtbot.wait_until(lambda: window.findChild(ImportDialog) is not None, timeout=10000)
    dlg = window.findChild(ImportDialog)
    qtbot.wait_until(lambda: dlg.preview_model.rowCount() > 0, timeout=10000)
    return dlg


def test_a_data_file_opened_with_no_ledger_offers_a_recent_ledger_then_imports(
        qtbot, window, ctx, sample_ledger, tmp_path):
    """`ledger-desktop people.jsonl` (a double-click) said "Open a ledger first" and stopped."""
    ctx.settings.add_recent(sample_ledger.resolve())
    ctx.settings.add_recent(tmp_path / "gone.ledger")  # a recent file since deleted: not offered
    data = tmp_path / "people.jsonl"
    data.write_text('{"name": "Ann"}\n{"name": "Bo"}\n')
    window.opener.dropped([str(data)])  # what app.main does for a data file
    ask = _target_dialog(qtbot, window)
    assert ask.ledgers.count() == 1
    assert "sample.ledger" in ask.ledgers.item(0).text()
    assert ask.into_button.isEnabled()
    ask.into_button.click()
    dlg = _import_dialog(qtbot, window)
    ws = window.current_workspace()
    assert ws is not None and ws.path == sample_ledger.resolve()
    assert dlg.workspace is ws and dlg.paths == [str(data)]
    assert dlg.table.currentText() == "people"
    dlg.start()
    with qtbot.wait_signal(dlg.imported, timeout=20000) as blocker:
        pass
    assert blocker.args[0].documents == 2
    dlg.close()


def test_a_data_file_opened_with_no_ledger_can_go_into_a_new_ledger(
        qtbot, window, tmp_path, monkeypatch):
    data = tmp_path / "cars.csv"
    data.write_text("vin,km\nA1,10\n")
    target = tmp_path / "fresh.ledger"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *_a, **_k: (str(target), "")))
    window.opener.dropped([str(data)])
    ask = _target_dialog(qtbot, window)
    assert ask.ledgers.count() == 0 and not ask.into_button.isEnabled()
    ask.new_button.click()
    dlg = _import_dialog(qtbot, window)
    assert window.current_workspace().path == target.resolve()
    assert dlg.table.currentText() == "cars" and "new table" in dlg.target_note.text()
    dlg.close()


def test_cancelling_the_question_imports_nothing(qtbot, window, tmp_path):
    data = tmp_path / "x.jsonl"
    data.write_text('{"a": 1}\n')
    window.opener.dropped([str(data)])
    _target_dialog(qtbot, window).reject()
    qtbot.wait(50)
    assert window.current_workspace() is None
    assert window.findChild(ImportDialog) is None


def test_a_file_that_fails_to_open_is_not_added_to_recent(qtbot, window, ctx, tmp_path,
                                                          monkeypatch):
    monkeypatch.setattr("ledger_desktop.ui.main_window.error_box", lambda *_a, **_k: None)
    not_a_ledger = tmp_path / "notes.ledger"
    not_a_ledger.write_text("just text, not SQLite\n" * 10)
    window.open_ledger(not_a_ledger)
    qtbot.wait_until(lambda: not window.workspaces(), timeout=10000)  # its tab closed
    window.open_ledger(tmp_path / "missing.ledger")
    assert ctx.settings.recent_files() == []
    assert window.welcome.recent.count() == 0


def test_a_ledger_that_opens_is_added_to_recent(qtbot, window, ctx, sample_ledger):
    open_workspace(qtbot, window, sample_ledger)
    qtbot.wait_until(lambda: ctx.settings.recent_files() != [], timeout=5000)
    assert ctx.settings.recent_files()[0] == str(sample_ledger.resolve())


def test_the_window_title_names_the_ledger_in_front(qtbot, window, sample_ledger, tmp_path):
    assert window.windowTitle() == "Ledger Desktop"
    open_workspace(qtbot, window, sample_ledger)
    assert window.windowTitle() == "sample.ledger — Ledger Desktop"
    assert Path(window.windowFilePath()) == sample_ledger.resolve()
    other = tmp_path / "other.ledger"
    other.write_bytes(sample_ledger.read_bytes())
    open_workspace(qtbot, window, other)
    assert window.windowTitle() == "other.ledger — Ledger Desktop"
    window.tabs.setCurrentIndex(0)  # the Start tab
    assert window.windowTitle() == "Ledger Desktop"
    window.open_ledger(sample_ledger)  # switches to its tab
    assert window.windowTitle() == "sample.ledger — Ledger Desktop"
    window.close_tab(window.tabs.currentIndex(), ask=False)
    window.close_tab(window.tabs.indexOf(window.workspaces()[0]), ask=False)
    assert window.windowTitle() == "Ledger Desktop"


def test_a_read_only_ledger_says_so_in_the_title(qtbot, window, sample_ledger):
    window.open_ledger(sample_ledger, read_only=True)
    ws = window.current_workspace()
    qtbot.wait_until(lambda: ws.ever_loaded, timeout=10000)
    assert window.windowTitle() == "sample.ledger (read-only) — Ledger Desktop"
