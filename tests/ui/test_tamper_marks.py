"""After a failed verification, the revisions its report names are flagged where they
appear: the documents grid's row, History and the document pane (probe 2026-11-29b MEDIUM 4)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from tampering import tamper_copy

from .conftest import documents_view, open_workspace

R = Qt.ItemDataRole
NOTE = "data does not match its hash (verification of "


def test_a_failed_verification_flags_its_revisions_in_grid_history_and_pane(
        qtbot, window, sample_ledger, tmp_path):
    bad = tmp_path / "tampered.ledger"
    doc_id = tamper_copy(sample_ledger, bad, 12)  # a Vehicle's first revision
    ws = open_workspace(qtbot, window, bad)
    grid = documents_view(qtbot, ws, "Vehicle")
    qtbot.wait_until(lambda: grid.model.exhausted)
    row = next(r for r in range(grid.model.rowCount()) if grid.model.document(r).doc_id == doc_id)
    assert grid.model.document(row).version == 0
    index = grid.model.index(row, 2)
    assert grid.model.data(index, R.BackgroundRole) is None  # nothing known yet

    window.actions_by_id["verify_journal"].trigger()
    centre = ws.view("verify")
    qtbot.wait_until(lambda: centre.hub.report is not None, timeout=20000)
    assert centre.hub.failing_revisions[(doc_id, 0)].startswith(NOTE)

    # the documents grid: the row is red and its tooltip says why
    assert grid.model.data(index, R.BackgroundRole) is not None
    assert NOTE in grid.model.data(index, R.ToolTipRole)
    other = grid.model.index(0 if row else 1, 2)
    assert grid.model.data(other, R.BackgroundRole) is None
    # ... and its pane, once the row is selected
    grid.select_row(row)
    assert not grid.pane.tamper_note.isHidden()
    assert NOTE in grid.pane.tamper_note.text() and "Version 0" in grid.pane.tamper_note.text()
    grid.select_row(0 if row else 1)
    assert grid.pane.tamper_note.isHidden()

    # History: the revision's row says it failed, and the pane shows the note
    history = ws.open_history(doc_id)
    qtbot.wait_until(lambda: history.model.rowCount() > 0)
    first = history.model.index(0, 1)
    assert "failed verification" in history.model.data(first)
    assert history.model.data(first, R.BackgroundRole) is not None
    assert NOTE in history.model.data(first, R.ToolTipRole)
    history.timeline.selectRow(0)
    assert NOTE in history.pane.tamper_note.text() and not history.pane.tamper_note.isHidden()


def test_a_revision_of_a_document_with_a_failing_older_revision_says_so(qtbot, window,
                                                                         sample_ledger,
                                                                         tmp_path):
    """The grid shows the current revision; the pane names the document's failing older one."""
    from ledger_desktop.ui.verify.tamper_marks import TamperMarks

    ws = open_workspace(qtbot, window, sample_ledger)
    grid = documents_view(qtbot, ws, "VehicleRegistration")
    qtbot.wait_until(lambda: grid.model.exhausted)
    row = next(r for r in range(grid.model.rowCount()) if grid.model.document(r).version > 0)
    doc = grid.model.document(row)
    grid.select_row(row)
    assert grid.pane.tamper_note.isHidden()
    marks: TamperMarks = ws.tamper_marks
    marks.publish({(doc.doc_id, 0): "data does not match its hash (verification of now)"})
    assert not grid.pane.tamper_note.isHidden() and "v0" in grid.pane.tamper_note.text()
    assert grid.model.data(grid.model.index(row, 2), R.BackgroundRole) is None  # not this one
    marks.publish({})  # a healthy verification clears the marks
    assert grid.pane.tamper_note.isHidden()
