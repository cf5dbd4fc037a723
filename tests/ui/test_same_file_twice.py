"""One ledger file reached by two names (probe 2026-11-29c, item 2): a hard link opened a
second tab on the same file with a write-ahead log of its own, and after a statement in one
tab every read of the other failed with "disk I/O error"."""

from __future__ import annotations

import os

from PySide6.QtWidgets import QMessageBox

from tests.ui.conftest import open_workspace


def test_a_hard_link_to_an_open_ledger_switches_to_its_tab(qtbot, window, sample_ledger):
    link = sample_ledger.with_name("evidence-copy.ledger")
    os.link(sample_ledger, link)
    first = open_workspace(qtbot, window, sample_ledger)
    window.tabs.setCurrentIndex(0)  # the Start tab in front, as after opening from it
    window.open_ledger(link)
    assert window.current_workspace() is first
    assert len(window.workspaces()) == 1
    assert "same file" in window.statusBar().currentMessage()


def test_a_file_that_went_away_is_not_taken_for_an_open_one(qtbot, window, sample_ledger,
                                                            tmp_path):
    open_workspace(qtbot, window, sample_ledger)
    window.open_ledger(tmp_path / "missing.ledger")  # no OSError from comparing with it
    assert len(window.workspaces()) == 1
    boxes = [w for w in window.findChildren(QMessageBox) if w.objectName() == "errorDialog"]
    assert boxes and "No such file" in boxes[-1].text()
    for box in boxes:
        box.close()
