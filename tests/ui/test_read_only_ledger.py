"""A ledger file that cannot be written (a read-only medium, permissions: evidence) opens
read-only, and File > Open Read-Only… opens any ledger so.

It used to open as if writable: Run stayed enabled, and every statement, SELECT included,
failed with an error box pointing to an "evidence mode" the app does not have, a Python
traceback under its details. The tests run as root in CI, where permissions do not make a file
unwritable, so "cannot be written" is the answer of `can_write`, patched.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.workers import session as session_mod

from .conftest import documents_view, open_workspace

WRITES = ("run_query", "explain_query", "begin_tx", "import_files", "create_table",
          "create_index", "drop_table", "compact_ledger")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _blocks(path: Path) -> int:
    with Ledger.open(path, read_only=True) as led:
        return led.block_count()


def _boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible()]


@pytest.fixture
def unwritable(monkeypatch):
    """Every ledger file is one that cannot be written (as on a read-only mount)."""
    monkeypatch.setattr(session_mod, "can_write", lambda _path: False)
    monkeypatch.setattr("ledger_desktop.ui.views.workspace.can_write", lambda _path: False)


def _assert_read_only(window, ws) -> None:
    index = window.tabs.indexOf(ws)
    assert window.tabs.tabText(index).endswith("(read-only)")
    assert "statements need a writable copy" in window.tabs.tabToolTip(index)
    assert ws.read_only_note.isVisible()
    assert "browse, verify, prove" in ws.read_only_note.text()
    for action_id in WRITES:
        action = window.actions_by_id[action_id]
        assert not action.isEnabled(), action_id
        assert "read-only" in action.toolTip(), action_id


def test_an_unwritable_file_opens_read_only_and_refuses_statements_in_one_line(
        qtbot, window, sample_ledger, unwritable):
    before, blocks = _sha(sample_ledger), _blocks(sample_ledger)
    ws = open_workspace(qtbot, window, sample_ledger)
    qtbot.wait_until(lambda: ws.read_only_note.isVisible(), timeout=5000)
    view = ws.open_query()
    _assert_read_only(window, ws)
    assert "the file cannot be written" in ws.read_only_note.text()
    # the PartiQL tab's own buttons too, with the reason
    assert not view.actions_["run_query"].isEnabled()
    assert "writable copy" in view.actions_["run_query"].toolTip()
    # Run by any remaining path: one line in the status, no dialog, no traceback
    view.editor.setPlainText("SELECT * FROM Vehicle")
    assert view.run() is None
    assert view.status.text().startswith("Not run: this ledger is read-only")
    # a statement that reaches the writer lane anyway is refused there (it opened read-only)
    task = view._submit("SELECT * FROM Vehicle", 0, False, confirmed=False)
    qtbot.wait_until(lambda: task.done, timeout=10000)
    assert task.state.value == "failed"
    assert view.status.text().startswith("Not run: this ledger is read-only")
    assert "evidence mode" not in view.status.text()
    # DDL and imports from the browser's menu or a drop say why, and open nothing
    assert ws.execute_statement("CREATE TABLE T") is None
    assert ws.import_files([str(sample_ledger)]) is None
    menu = ws.browser.context_menu(ws.table_by_name("Vehicle"))
    enabled = {a.text() for a in menu.actions() if a.isEnabled() and a.text()}
    assert enabled == {"Open Documents", "Deleted Documents…", "Open Block Inspector"}
    qtbot.wait(50)
    assert _boxes() == []
    # browsing and verifying work, and nothing changed the file
    grid = documents_view(qtbot, ws, "Person")
    assert grid.model.rowCount() > 0
    ws.trigger("verify_journal")
    centre = ws.view("verify")
    qtbot.wait_until(lambda: centre.hub.report is not None, timeout=20000)
    assert centre.hub.report.ok
    # (idle first: a chain view whose arrays arrive after its tab closed raised; ui/chain)
    qtbot.wait_until(lambda: not ws.session.busy(), timeout=10000)
    window.close_tab(window.tabs.indexOf(ws), ask=False)  # its editor's text never ran
    assert _sha(sample_ledger) == before and _blocks(sample_ledger) == blocks


def test_open_read_only_leaves_the_file_as_it_was(qtbot, window, sample_ledger, monkeypatch):
    """File > Open Read-Only…: for evidence, browsing and verifying must not change the file
    (its bytes, so its digest), though it could be written."""
    before = _sha(sample_ledger)
    with Ledger.open(sample_ledger, read_only=True) as led:
        digest = led.digest().digest
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *_a, **_k: (str(sample_ledger), "Ledger files (*.ledger)"))
    window.actions_by_id["open_read_only"].trigger()
    ws = window.current_workspace()
    assert ws is not None and ws.read_only
    qtbot.wait_until(lambda: ws.ever_loaded, timeout=10000)
    _assert_read_only(window, ws)
    assert "opened read-only" in ws.read_only_note.text()
    documents_view(qtbot, ws, "Vehicle")
    ws.trigger("verify_journal")
    centre = ws.view("verify")
    qtbot.wait_until(lambda: centre.hub.report is not None, timeout=20000)
    assert centre.hub.report.ok
    qtbot.wait_until(lambda: not ws.session.busy(), timeout=10000)
    view = ws.open_query()
    view.editor.setPlainText("SELECT * FROM Vehicle")
    window.actions_by_id["run_query"].trigger()  # disabled: nothing runs
    assert view.task is None
    window.close_tab(window.tabs.indexOf(ws), ask=False)
    qtbot.wait_until(lambda: window.current_workspace() is None, timeout=5000)
    assert _sha(sample_ledger) == before
    with Ledger.open(sample_ledger, read_only=True) as led:
        assert led.digest().digest == digest


def test_a_writable_ledger_keeps_its_write_actions(qtbot, window, sample_ledger):
    ws = open_workspace(qtbot, window, sample_ledger)
    ws.open_query()
    assert not ws.read_only and not ws.read_only_note.isVisible()
    assert not window.tabs.tabText(window.tabs.indexOf(ws)).endswith("(read-only)")
    assert window.actions_by_id["run_query"].isEnabled()
    assert "read-only" not in window.actions_by_id["import_files"].toolTip()
