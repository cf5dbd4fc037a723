"""File > Export Journal…: the dialog's choices reach `export_journal` on the reader lane."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog

from ledger_desktop.engine.export_verify import verify_export
from ledger_desktop.engine.ledger import Ledger
from tests.ui.conftest import open_workspace


def test_export_journal_from_the_app_verifies(qtbot, window, sample_ledger, tmp_path,
                                              monkeypatch):
    from ledger_desktop.ui.dialogs.export_dialog import ExportDialog

    ws = open_workspace(qtbot, window, sample_ledger)
    assert window.actions_by_id["export_journal"].isEnabled()
    folder = tmp_path / "exported"

    def accept(dialog):
        assert dialog.folder.text().endswith("sample-export")   # a suggested folder
        dialog.folder.setText(str(folder))
        dialog.format.setCurrentIndex(dialog.format.findData("json"))
        return QDialog.DialogCode.Accepted
    monkeypatch.setattr(ExportDialog, "exec", accept)
    messages: list[str] = []
    ws.message.connect(messages.append)
    before = sample_ledger.read_bytes()
    task = ws.do_export_journal()
    qtbot.wait_until(lambda: task.done, timeout=20000)
    with Ledger.open(sample_ledger, read_only=True) as led:
        digest, blocks = led.digest(), led.block_count()
    report = verify_export(folder, [digest])
    assert report.ok and report.blocks == blocks
    assert messages and messages[-1].startswith(f"Exported {blocks:,} block(s)")
    assert sample_ledger.read_bytes() == before   # exporting writes nothing to the ledger


def test_export_with_a_bad_time_is_an_error_dialog(qtbot, window, sample_ledger, tmp_path,
                                                   monkeypatch):
    from ledger_desktop.ui.views import workspace as workspace_mod

    ws = open_workspace(qtbot, window, sample_ledger)
    shown: list[str] = []
    monkeypatch.setattr(workspace_mod, "error_box",
                        lambda _parent, title, exc, _details: shown.append(f"{title}: {exc}"))
    task = ws.export_journal(tmp_path / "x", "ion_text", start="yesterday")
    qtbot.wait_until(lambda: task.done, timeout=20000)
    assert shown == ["The export failed: not a timestamp: 'yesterday' (use ISO 8601, e.g. "
                     "2024-05-01T00:00:00Z)"]
    assert not (tmp_path / "x").exists()


def test_a_cancelled_export_says_so(qtbot, window, sample_ledger, tmp_path, monkeypatch):
    """The status line kept its old text."""
    from ledger_desktop.engine import exports
    from ledger_desktop.engine.errors import Cancelled

    def cancelled(*_a, **_k):
        raise Cancelled("cancelled")

    monkeypatch.setattr(exports, "export_journal", cancelled)
    ws = open_workspace(qtbot, window, sample_ledger)
    messages: list[str] = []
    ws.message.connect(messages.append)
    task = ws.export_journal(tmp_path / "x", "ion_text")
    qtbot.wait_until(lambda: task.done, timeout=20000)
    assert messages and "cancelled" in messages[-1]


def test_the_export_dialog_checks_the_times_and_stays_open(qtbot, tmp_path):
    """"yesterday" or a start after the end failed only after the dialog had closed, in an
    error box with a traceback, and everything had to be entered again."""
    from ledger_desktop.ui.dialogs.export_dialog import ExportDialog

    dialog = ExportDialog(None, "sample", str(tmp_path))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.start.setText("yesterday")
    dialog.buttons.accepted.emit()   # the Export button
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error.isVisible()
    assert dialog.error.text().startswith("From: not a timestamp: 'yesterday'")
    assert dialog.start.text() == "yesterday"   # the user's input stays, to be corrected
    dialog.start.setText("2024-05-02T00:00:00Z")
    dialog.end.setText("2024-05-01T00:00:00Z")
    dialog.buttons.accepted.emit()
    assert dialog.isVisible() and "From: the time must be before Until" in dialog.error.text()
    dialog.end.setText("2999-01-01T00:00:00Z")
    dialog.buttons.accepted.emit()
    assert dialog.isVisible() and dialog.error.text().startswith("Until: the time is in the "
                                                                 "future")
    dialog.end.setText("")
    with qtbot.wait_signal(dialog.accepted, timeout=1000):
        dialog.buttons.accepted.emit()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.choices()[2:] == ("2024-05-02T00:00:00Z", None)
