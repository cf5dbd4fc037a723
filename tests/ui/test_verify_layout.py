"""The Verification view on an 800x600 screen: nothing in it forces the window wider, and a
short Digests tab scrolls instead of squeezing its controls to nothing."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox

from .conftest import open_workspace


def test_verification_view_fits_an_800_px_window(qtbot, window, sample_ledger):
    ws = open_workspace(qtbot, window, sample_ledger)
    window.resize(800, 600)
    ws.trigger("show_chain")
    centre = ws.view("verify")
    assert centre is not None
    qtbot.wait_until(lambda: centre.chain.model.count > 0)
    qtbot.wait(150)  # the legend is filled in on a timer
    # the one-line legend (774 px) and the row of six digest buttons (786 px) made it 872 px
    assert window.minimumSizeHint().width() <= 800, window.minimumSizeHint()
    qtbot.wait_until(lambda: window.width() <= 800)
    # the Digests tab, short as it is at 600 px high, keeps its controls at their size
    centre.tabs.setCurrentWidget(centre.digests)
    qtbot.wait(50)
    box = centre.digests.findChild(QGroupBox)
    assert box.height() >= box.minimumSizeHint().height()
    assert centre.digests.table.height() >= centre.digests.table.minimumHeight() > 40
    page = centre.digests.scroll.widget()
    assert page.height() > centre.digests.scroll.viewport().height()  # so it scrolls
    assert centre.digests.scroll.verticalScrollBar().maximum() > 0
