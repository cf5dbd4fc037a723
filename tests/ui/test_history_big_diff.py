"""History's diff of big revisions (probe 2026-11-29c, item 13): opening History of a
document with a 10,000-item list held the GUI thread 1.2 s, comparing the same two revisions
three times over (once per combo box set, once more), on the GUI thread."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger_desktop.ui.views import history as history_module
from tests.ui.conftest import documents_view, open_workspace


@pytest.fixture
def counted_diffs(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = history_module.diff_documents

    def counting(old, new):
        calls.append(1)
        return real(old, new)

    monkeypatch.setattr(history_module, "diff_documents", counting)
    return calls


@pytest.fixture
def long_list_ledger(tmp_path: Path) -> Path:
    from ledger_desktop.engine.ledger import Ledger

    path = tmp_path / "list.ledger"
    with Ledger.create(path) as led:
        led.execute("CREATE TABLE L")
        led.execute("INSERT INTO L ?", {"k": "x", "items": list(range(10_000))})
        led.execute("UPDATE L AS l SET l.items = ? WHERE l.k = 'x'", list(range(1, 10_001)))
    return path


def _history(qtbot, window, path, table):
    ws = open_workspace(qtbot, window, path)
    view = documents_view(qtbot, ws, table)
    qtbot.wait_until(lambda: view.model.exhausted)
    # a document with more than one revision
    view.select_row(next(r for r in range(view.model.rowCount())
                         if view.model.document(r).version > 0))
    view.show_history()
    history = ws.views.currentWidget()
    qtbot.wait_until(lambda: history.model.rowCount() > 0)
    return history


def test_one_diff_per_pair_of_revisions(qtbot, window, sample_ledger, counted_diffs):
    history = _history(qtbot, window, sample_ledger, "VehicleRegistration")
    assert history.diff_summary.text()
    assert len(counted_diffs) == 1
    history.compare(0, 0)
    history.compare(0, history.model.rowCount() - 1)
    assert history.diff_summary.text() != "same revision"
    assert len(counted_diffs) == 2  # "same revision" needs no diff


def test_big_revisions_are_compared_off_the_gui_thread(qtbot, window, long_list_ledger,
                                                      counted_diffs):
    history = _history(qtbot, window, long_list_ledger, "L")
    assert history.diff_summary.text() == "comparing…"
    assert history.diff_model.rowCount() == 0
    qtbot.wait_until(lambda: history.diff_summary.text() == "1 added, 1 removed",
                     timeout=10000)
    assert history.diff_model.rowCount() == 2
    assert len(counted_diffs) == 1
