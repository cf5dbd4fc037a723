"""Sorting a large grid happens in a thread; the order is the one `sorted()` gives."""

from __future__ import annotations

import random
import threading

import pytest
from amazon.ion import simpleion
from PySide6.QtCore import QObject, Qt

from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.ui.models import background_sort
from ledger_desktop.ui.models.background_sort import CHUNK, SYNC_LIMIT, sort_rows, sorted_order
from ledger_desktop.ui.models.documents import DocumentsModel
from ledger_desktop.ui.models.values import ValuesModel
from ledger_desktop.workers.session import LedgerSession


@pytest.mark.parametrize("n", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17])
@pytest.mark.parametrize("reverse", [False, True])
def test_sorted_order_is_sorted_and_stable(n, reverse):
    rng = random.Random(n)
    keys = [(rng.randrange(3), rng.randrange(50)) for _ in range(n)]  # many equal keys
    assert sorted_order(keys, reverse) == sorted(range(n), key=keys.__getitem__,
                                                 reverse=reverse)


def test_sort_rows_runs_in_a_thread_and_delivers_on_the_gui_thread(qtbot):
    owner = QObject()
    rows = list(range(SYNC_LIMIT + 1000))
    random.Random(1).shuffle(rows)
    got: list = []
    key_threads: set[str] = set()

    def key(r: int) -> int:
        key_threads.add(threading.current_thread().name)
        return r

    def deliver(order):
        got.append((order, threading.current_thread() is threading.main_thread()))

    assert sort_rows(owner, rows, key, False, deliver) is False
    qtbot.wait_until(lambda: bool(got), timeout=10000)
    order, on_gui_thread = got[0]
    assert [rows[i] for i in order] == sorted(rows)
    assert on_gui_thread and key_threads == {"sort-rows"}
    # a few rows are sorted at once, on the calling thread
    assert sort_rows(owner, [3, 1, 2], key, True, deliver) is True
    assert got[1] == ([0, 2, 1], True)


def test_a_key_that_fails_leaves_the_order_alone(qtbot):
    got: list = []
    sort_rows(QObject(), [1, "a", 2.5], lambda r: r, False, got.append)  # str < int fails
    assert got == [None]


@pytest.fixture
def wide_ledger(tmp_path):
    path = tmp_path / "wide.ledger"
    rng = random.Random(7)
    with Ledger.create(path) as ledger:
        with ledger.transaction() as tx:
            table_id = tx.create_table("Item", tx.begin_statement("CREATE TABLE Item"))
        with ledger.atomic():
            for start in range(0, SYNC_LIMIT + 500, 1000):
                with ledger.transaction() as tx:
                    stmt = tx.begin_statement("INSERT INTO Item ?")
                    for _ in range(start, min(SYNC_LIMIT + 500, start + 1000)):
                        tx.insert(table_id, {"n": rng.randrange(1000)}, stmt)
    return path, table_id


@pytest.fixture
def loaded_model(qtbot, wide_ledger):
    """A documents model over the wide table with every row loaded."""
    path, table_id = wide_ledger
    session = LedgerSession(path)
    model = DocumentsModel(session, table_id)
    model.fetch_all()
    qtbot.wait_until(lambda: model.exhausted and not model.loading, timeout=20000)
    yield model
    session.close()


def test_documents_model_sorts_a_large_table_off_the_gui_thread(qtbot, loaded_model,
                                                                monkeypatch):
    model = loaded_model
    before = [model.document(r).data["n"] for r in range(model.rowCount())]
    assert len(before) == SYNC_LIMIT + 500
    started = threading.Event()
    real = background_sort._order_or_none

    def slow_order(*args):
        started.wait(10)  # the order waits until the GUI thread has looked
        return real(*args)

    monkeypatch.setattr(background_sort, "_order_or_none", slow_order)
    model.sort(2, Qt.SortOrder.DescendingOrder)  # the "n" column
    # sort() returned while the order is still being computed: the rows are unchanged
    assert model.sorting
    assert [model.document(r).data["n"] for r in range(model.rowCount())] == before
    started.set()
    qtbot.wait_until(lambda: not model.sorting, timeout=10000)
    assert [model.document(r).data["n"] for r in range(model.rowCount())] == \
        sorted(before, reverse=True)


def test_values_model_drops_an_order_that_arrives_after_new_values(qtbot, monkeypatch):
    model = ValuesModel()
    values = simpleion.loads(" ".join(f"{{n: {i % 97}}}" for i in range(SYNC_LIMIT + 1)),
                             single_value=False)
    model.set_values(values)
    started, finished = threading.Event(), threading.Event()
    real = background_sort._order_or_none

    def slow_order(*args):
        started.wait(10)
        try:
            return real(*args)
        finally:
            finished.set()

    monkeypatch.setattr(background_sort, "_order_or_none", slow_order)
    model.sort(0)
    assert model.sorting
    model.set_values(simpleion.loads("{n: 2} {n: 1}", single_value=False))
    started.set()
    qtbot.wait_until(finished.is_set, timeout=10000)
    qtbot.wait(100)  # the late order reaches the GUI thread, and is dropped
    assert [model.data(model.index(r, 0)) for r in range(2)] == ["2", "1"]  # untouched
    model.set_values(values)
    model.sort(0, Qt.SortOrder.AscendingOrder)
    qtbot.wait_until(lambda: not model.sorting, timeout=10000)
    assert [int(model.data(model.index(r, 0))) for r in range(model.rowCount())] == \
        sorted(v["n"] for v in values)


def test_a_second_sort_before_the_first_order_arrives_wins(qtbot, loaded_model, monkeypatch):
    """Two quick header clicks: the first order, computed for the rows as they were, was
    applied after the second had reordered them, scrambling the table under a sort arrow."""
    model = loaded_model
    ns = [model.document(r).data["n"] for r in range(model.rowCount())]
    gate = threading.Event()
    real = background_sort._order_or_none
    calls = []

    def gated(*args):
        calls.append(1)
        if len(calls) == 1:
            gate.wait(10)  # the first order arrives last
        return real(*args)

    monkeypatch.setattr(background_sort, "_order_or_none", gated)
    model.sort(2, Qt.SortOrder.AscendingOrder)
    model.sort(2, Qt.SortOrder.DescendingOrder)
    qtbot.wait_until(lambda: len(calls) == 2, timeout=10000)
    qtbot.wait(200)  # the second order is applied
    gate.set()
    qtbot.wait(300)  # the first one arrives, late
    assert [model.document(r).data["n"] for r in range(model.rowCount())] == \
        sorted(ns, reverse=True)


def _stale_of_next_sort(monkeypatch):
    """Hold the next sort thread at its start and hand over its `stale` check."""
    seen: list = []
    gate = threading.Event()
    real = background_sort._order_or_none

    def gated(rows, key, reverse, pace=background_sort._never):
        seen.append(pace.stale)
        gate.wait(10)
        return real(rows, key, reverse, pace)

    monkeypatch.setattr(background_sort, "_order_or_none", gated)
    return seen, gate


def test_closing_a_documents_view_stops_its_sort_thread(qtbot, loaded_model, monkeypatch):
    """A closed view's sort thread used to go on ordering 10,000s of rows nobody would see."""
    seen, gate = _stale_of_next_sort(monkeypatch)
    loaded_model.sort(2, Qt.SortOrder.AscendingOrder)
    qtbot.wait_until(lambda: bool(seen), timeout=10000)
    assert not seen[0]()
    loaded_model.cancel()  # what DocumentsView.shutdown does
    assert seen[0]()
    gate.set()


def test_closing_a_query_view_stops_its_results_sort_thread(qtbot, window, sample_ledger,
                                                            monkeypatch):
    from tests.ui.conftest import open_workspace

    view = open_workspace(qtbot, window, sample_ledger).open_query()
    view.model.set_values(simpleion.loads(
        " ".join(f"{{n: {i % 97}}}" for i in range(SYNC_LIMIT + 1)), single_value=False))
    seen, gate = _stale_of_next_sort(monkeypatch)
    view.model.sort(0)
    qtbot.wait_until(lambda: bool(seen), timeout=10000)
    assert not seen[0]()
    view.shutdown()
    assert seen[0]()
    gate.set()
