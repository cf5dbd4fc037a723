"""A PartiQL result's values are let go as a documents grid's rows are.

Replacing a 50,000-value result freed the old values on the GUI thread (a 0.2 s stall), and
the Ion tab kept a second list of the whole result: after the tab or the ledger closed, every
value stayed alive until a full collection walked and freed them all at once (0.6 s).
"""

from __future__ import annotations

from ledger_desktop.ui.views import query as query_mod

from .conftest import open_workspace


def _run(qtbot, view, text: str, signal: str = "finished") -> None:
    view.editor.setPlainText(text)
    with qtbot.wait_signal(getattr(view, signal), timeout=20000):
        view.run()


def test_a_replaced_result_is_freed_in_a_thread(qtbot, window, sample_ledger, monkeypatch):
    handed: list[list] = []
    monkeypatch.setattr(query_mod, "release_in_thread", handed.append)
    view = open_workspace(qtbot, window, sample_ledger).open_query()
    _run(qtbot, view, "SELECT * FROM Vehicle")
    first = view.model.values
    _run(qtbot, view, "SELECT * FROM Person")
    assert handed[-1] is first and len(first) == 5  # the grid's old list, to be emptied there
    _run(qtbot, view, "SELECT * FROM Nowhere", "errored")  # a failure clears the grid the same way
    assert view.model.rowCount() == 0 and len(handed[-1]) > 0


def test_the_ion_tab_keeps_only_what_it_shows(qtbot, window, sample_ledger, monkeypatch):
    monkeypatch.setattr(query_mod, "ION_TAB_VALUES", 2)
    ws = open_workspace(qtbot, window, sample_ledger)
    view = ws.open_query()
    _run(qtbot, view, "SELECT * FROM Vehicle")
    assert view._ion_values is not None
    shown, total = view._ion_values
    assert len(shown) == 2 and total == 5  # not a second list of the whole result
    view.results.setCurrentWidget(view.ion_text)
    assert "3 more values" in view.ion_text.toPlainText()
    assert view._ion_values is None
    _run(qtbot, view, "SELECT * FROM Vehicle")
    ws.close_view(ws.views.indexOf(view))
    assert view._ion_values is None  # the model's list is all that is left, freed in slices
