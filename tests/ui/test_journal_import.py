"""A QLDB journal export folder becomes a new ledger from the app (drop or File menu)."""

from __future__ import annotations

from ledger_desktop.engine.exports import export_journal
from ledger_desktop.engine.ledger import Ledger


def test_export_folder_becomes_a_ledger_and_opens(qtbot, window, sample_ledger, tmp_path):
    export_dir = tmp_path / "export"
    with Ledger.open(sample_ledger, read_only=True) as ledger:
        export_journal(ledger, export_dir)
        digest = ledger.digest().digest
    target = tmp_path / "from-export.ledger"
    task = window.opener.import_journal_to(export_dir, target)
    qtbot.wait_until(lambda: task.done, timeout=30000)
    assert task.state.name == "SUCCEEDED", task.error
    qtbot.wait_until(lambda: window.current_workspace() is not None and
                     window.current_workspace().ever_loaded, timeout=10000)
    ws = window.current_workspace()
    assert ws.path == target.resolve()
    assert {t.name for t in ws.tables} >= {"Vehicle", "Person"}
    with Ledger.open(target, read_only=True) as imported:
        assert imported.digest().digest == digest


def test_a_broken_export_leaves_no_ledger_behind(qtbot, window, tmp_path):
    export_dir = tmp_path / "not-an-export"
    export_dir.mkdir()
    (export_dir / "junk.txt").write_text("nothing here")
    target = tmp_path / "never.ledger"
    task = window.opener.import_journal_to(export_dir, target)
    qtbot.wait_until(lambda: task.done, timeout=30000)
    assert task.state.name == "FAILED"
    assert not target.exists()
    assert not window.workspaces()
    from PySide6.QtWidgets import QMessageBox

    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert boxes and boxes[-1].objectName() == "errorDialog"
    for box in boxes:
        box.close()
