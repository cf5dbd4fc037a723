"""File > Export Journal…: what the export would refuse is refused in the dialog, next to its
field, with Export disabled (it failed after the dialog had closed, in an error box with a
traceback, and every choice had to be made again); no error box shows a traceback for a
user error."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog

from ledger_desktop.engine.errors import UserError
from ledger_desktop.ui.dialogs.errors import error_box
from ledger_desktop.ui.dialogs.export_dialog import ExportDialog
from tests.ui.conftest import open_workspace


def dialog_for(qtbot, ws, folder: Path) -> ExportDialog:
    dialog = ExportDialog(ws, "sample", str(folder.parent))
    qtbot.addWidget(dialog)
    dialog.folder.setText(str(folder))
    dialog.show()
    return dialog


def refused(qtbot, dialog: ExportDialog, start: str) -> None:
    """Export was pressed and refused: the dialog is open, the message shown, Export off."""
    qtbot.wait_until(lambda: dialog.error.isVisible() and dialog.error.text().startswith(start),
                     timeout=5000)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert not dialog.ok.isEnabled()


@pytest.mark.parametrize(("start", "end", "field", "message"), [
    ("", "2000-01-01T", "end", "Until: no block was committed before 2000-01-01"),
    ("2001-01-01T", "2002-01-01T", "end", "Until: no block was committed before 2002-01-01"),
])
def test_a_time_range_with_no_block_is_refused_in_place(qtbot, window, sample_ledger,
                                                        tmp_path, start, end, field, message):
    ws = open_workspace(qtbot, window, sample_ledger)
    dialog = dialog_for(qtbot, ws, tmp_path / "out")
    dialog.start.setText(start)
    dialog.end.setText(end)
    dialog.buttons.accepted.emit()   # the Export button
    refused(qtbot, dialog, message)
    assert "the journal runs from" in dialog.error.text()
    widget = getattr(dialog, field)
    assert dialog.error.parentWidget() is widget.parentWidget()  # shown under the field
    assert not (tmp_path / "out").exists()
    # corrected: Export comes back, and accepts
    dialog.start.setText("")
    dialog.end.setText("")
    qtbot.wait_until(dialog.ok.isEnabled, timeout=5000)
    with qtbot.wait_signal(dialog.accepted, timeout=5000):
        dialog.buttons.accepted.emit()


def test_a_start_after_the_last_block_is_refused(qtbot, window, sample_ledger, tmp_path):
    from ledger_desktop.engine.ledger import Ledger

    with Ledger.open(sample_ledger, read_only=True) as ledger:
        last = ledger.block_summaries(ledger.block_count() - 1, ledger.block_count() - 1)[0]
    after = last.block_ts.replace("Z", "1Z") if "." in last.block_ts else last.block_ts
    ws = open_workspace(qtbot, window, sample_ledger)
    dialog = dialog_for(qtbot, ws, tmp_path / "out")
    dialog.start.setText(after)
    dialog.buttons.accepted.emit()
    refused(qtbot, dialog, "From: no block was committed from ")


def test_the_range_is_checked_as_it_is_typed(qtbot, window, sample_ledger, tmp_path):
    ws = open_workspace(qtbot, window, sample_ledger)
    dialog = dialog_for(qtbot, ws, tmp_path / "out")
    assert dialog.ok.isEnabled()
    dialog.end.setText("2000-01-01T")   # Export not pressed
    refused(qtbot, dialog, "Until: no block was committed before")


@pytest.mark.parametrize("case", ["a file", "under a file", "relative", "cannot create"])
def test_a_folder_that_cannot_be_written_is_refused_in_place(qtbot, sample_ledger, tmp_path,
                                                             case):
    if case == "cannot create" and not Path("/proc/self").is_dir():
        pytest.skip("needs /proc, where no folder can be created")
    folder = {"a file": sample_ledger, "under a file": sample_ledger / "export",
              "relative": Path("export"), "cannot create": Path("/proc/ledger-export")}[case]
    dialog = ExportDialog(None, "sample", str(tmp_path))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.folder.setText(str(folder))
    dialog.buttons.accepted.emit()
    refused(qtbot, dialog, "Folder: ")
    assert dialog.error.parentWidget() is dialog.folder.parentWidget()
    assert {"a file": "exists and is not a folder", "under a file": "is a file",
            "relative": "full path", "cannot create": "cannot create a folder in /proc"}[case] \
        in dialog.error.text()
    assert sample_ledger.is_file()
    dialog.folder.setText(str(tmp_path / "fine" / "export"))   # missing parents are made
    qtbot.wait_until(dialog.ok.isEnabled, timeout=5000)
    assert not dialog.error.isVisible()


def test_an_error_box_for_a_user_error_has_no_traceback(qtbot):
    try:
        raise UserError("/x exists and is not a directory")
    except UserError as e:
        exc = e
    box = error_box(None, "The export failed", exc, "Traceback (most recent call last):\n…")
    qtbot.addWidget(box)
    assert box.text() == "/x exists and is not a directory" and box.detailedText() == ""
    try:
        raise KeyError("bug")
    except KeyError as e:
        bug = e
    box = error_box(None, "Oops", bug)
    qtbot.addWidget(box)
    assert box.detailedText().startswith("Traceback")   # a bug keeps its traceback


def test_a_range_between_two_blocks_is_refused(qtbot, window, tmp_path):
    """No block in [From, Until) although the journal runs on both sides of it."""
    import time

    from ledger_desktop.engine.ledger import Ledger

    path = tmp_path / "gap.ledger"
    with Ledger.create(path) as ledger:
        with ledger.transaction() as tx:
            tx.create_table("T", tx.begin_statement("CREATE TABLE T"))
        time.sleep(0.2)   # a gap of 200 ms in the journal
        with ledger.transaction() as tx:
            tx.create_table("U", tx.begin_statement("CREATE TABLE U"))
        times = [s.block_ts for s in ledger.block_summaries(0, ledger.block_count() - 1)]
    before_gap, after_gap = times[-2], times[-1]   # e.g. 2026-11-28T03:17:31.847Z
    start = before_gap.replace("Z", "5Z")   # 0.5 ms after a block
    end = after_gap                          # exclusive: the next block is not in the range
    ws = open_workspace(qtbot, window, path)
    dialog = dialog_for(qtbot, ws, tmp_path / "out")
    dialog.start.setText(start)
    dialog.end.setText(end)
    dialog.buttons.accepted.emit()
    refused(qtbot, dialog, "From: no block was committed from ")
    assert " to before " in dialog.error.text()
