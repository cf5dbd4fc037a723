"""A table dropped while its grid is open: the tab says so (app probe 23)."""

from __future__ import annotations

from tests.ui.conftest import documents_view, open_workspace


def test_the_open_tab_of_a_dropped_table_says_dropped(qtbot, window, sample_ledger):
    ws = open_workspace(qtbot, window, sample_ledger)
    view = documents_view(qtbot, ws, "Person")
    index = ws.views.indexOf(view)
    assert ws.views.tabText(index) == "Person"
    view_q = ws.open_query()
    with qtbot.wait_signal(view_q.finished, timeout=10000):
        view_q.editor.setPlainText("DROP TABLE Person")
        view_q.trigger("run_query")
    qtbot.wait_until(lambda: ws.views.tabText(ws.views.indexOf(view)) == "Person (dropped)",
                     timeout=10000)
    assert view.table.status != "ACTIVE"
