"""Loading many pages into the documents grid without stalling the window.

A header-click sort of 50,000 rows (or a reload of a loaded grid) inserted its rows a page at a
time. Each insert had Qt lay out and repaint the grid and re-measure the row numbers, about
1,600 calls into Python per page, each waiting for the GIL the page reader held: the window
stalled 100-190 ms some 55 times. Checked as behaviour, not timings: how many inserts a load
makes, how many calls the row numbers' width costs, and which thread reads a page's columns.
"""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QHeaderView

from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.ui.models import documents as documents_mod
from ledger_desktop.ui.models.documents import PAGE, DocumentsModel
from ledger_desktop.workers.session import LedgerSession

from .conftest import documents_view, open_workspace

ROWS = 3 * PAGE + 17  # four pages


@pytest.fixture
def items_ledger(tmp_path):
    path = tmp_path / "items.ledger"
    with Ledger.create(path) as ledger:
        with ledger.transaction() as tx:
            table_id = tx.create_table("Item", tx.begin_statement("CREATE TABLE Item"))
        with ledger.transaction() as tx:
            for i in range(ROWS):
                data = {"n": i, "name": f"item {i}"} if i % 3 else {"n": i, "extra": True}
                tx.insert(table_id, data, tx.begin_statement("INSERT INTO Item ?", (data,)))
    return path


def _inserts(model: DocumentsModel) -> list[int]:
    """Sizes of the row inserts the model makes from now on."""
    sizes: list[int] = []
    model.rowsInserted.connect(lambda _p, first, last: sizes.append(last - first + 1))
    return sizes


def test_a_sort_load_inserts_the_rest_of_the_rows_once(qtbot, items_ledger):
    session = LedgerSession(items_ledger)
    try:
        with Ledger.open(items_ledger, read_only=True) as ledger:
            table_id = ledger.table("Item").table_id
        model = DocumentsModel(session, table_id)
        with qtbot.wait_signal(model.page_loaded, timeout=5000):
            model.fetchMore()
        sizes = _inserts(model)
        model.sort(2)  # column "n": every row is needed first
        qtbot.wait_until(lambda: model.exhausted and not model.loading and not model.sorting,
                         timeout=20000)
        assert sizes == [ROWS - PAGE]  # one insert for three pages, not one per page
        assert [model.document(r).data["n"] for r in range(model.rowCount())] == \
            list(range(ROWS))
        assert model.fields == ["n", "extra", "name"]
    finally:
        session.close()


def test_a_reload_inserts_the_rows_it_showed_in_batches(qtbot, window, items_ledger,
                                                         monkeypatch):
    monkeypatch.setattr(documents_mod, "BULK_ROWS", 2 * PAGE, raising=False)
    ws = open_workspace(qtbot, window, items_ledger)
    grid = documents_view(qtbot, ws, "Item")
    grid.model.fetch_all()
    qtbot.wait_until(lambda: grid.model.exhausted and not grid.model.loading, timeout=20000)
    grid.select_row(ROWS - 10)
    doc = grid.model.document(ROWS - 10).doc_id
    sizes = _inserts(grid.model)
    grid.refresh_after_write()  # as after a commit: the rows again, then the current row

    def back() -> bool:
        row = grid.grid.currentIndex().row()
        return row >= 0 and grid.model.document(row).doc_id == doc and grid._place is None

    qtbot.wait_until(back, timeout=20000)
    assert grid.model.rowCount() == ROWS
    assert sizes == [PAGE, 2 * PAGE, ROWS - 3 * PAGE]  # the first page, then BULK_ROWS each


def test_row_numbers_are_sized_without_asking_the_model(qtbot, window, items_ledger,
                                                        monkeypatch):
    asked: list[int] = []
    real = DocumentsModel.headerData

    def counting(self, section, orientation, role=0):
        asked.append(section)
        return real(self, section, orientation, role)

    monkeypatch.setattr(DocumentsModel, "headerData", counting)
    ws = open_workspace(qtbot, window, items_ledger)
    grid = documents_view(qtbot, ws, "Item")
    header = grid.grid.verticalHeader()
    for rows in (2 * PAGE, 3 * PAGE):
        asked.clear()
        with qtbot.wait_signal(grid.model.page_loaded, timeout=10000):
            grid.model.fetchMore()
        assert grid.model.rowCount() == rows
        grid.grid.updateGeometries()  # the layout after an insert: it reads the size hint
        # Qt's own hint asked for five roles of the first and the last hundred rows, after
        # every page; a paint asks only for the rows in sight, at the top
        assert not [s for s in asked if s >= PAGE]
        assert header.sizeHint() == QHeaderView.sizeHint(header)  # as Qt measures
    # and they work as Qt's own: a click on a number selects its row
    y = header.sectionViewportPosition(3) + header.sectionSize(3) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(5, y))
    assert grid.grid.currentIndex().row() == 3
    assert [i.row() for i in grid.grid.selectionModel().selectedRows()] == [3]


def test_a_pages_columns_are_found_off_the_gui_thread(qtbot, items_ledger, monkeypatch):
    threads: list[threading.Thread] = []
    real = documents_mod.struct_columns

    def spy(structs):
        threads.append(threading.current_thread())
        return real(structs)

    monkeypatch.setattr(documents_mod, "struct_columns", spy)
    session = LedgerSession(items_ledger)
    try:
        with Ledger.open(items_ledger, read_only=True) as ledger:
            table_id = ledger.table("Item").table_id
        model = DocumentsModel(session, table_id)
        model.fetch_all()
        qtbot.wait_until(lambda: model.exhausted and not model.loading, timeout=20000)
        assert model.rowCount() == ROWS and model.fields == ["n", "extra", "name"]
        assert "extra" in model.paths
        assert threads and threading.main_thread() not in threads
    finally:
        session.close()


def test_closing_a_grid_in_a_bulk_load_frees_its_rows_and_inserts_nothing(
        qtbot, window, items_ledger, monkeypatch):
    handed: list[list] = []
    real = documents_mod.release_in_thread

    def spy(items):
        handed.append(items)
        real(items)

    monkeypatch.setattr(documents_mod, "release_in_thread", spy)
    ws = open_workspace(qtbot, window, items_ledger)
    grid = documents_view(qtbot, ws, "Item")
    model = grid.model
    inserted: list[int] = []
    model.rowsInserted.connect(lambda *_a: inserted.append(1))
    grid._sort_clicked(2)  # every row is read before the sort: held back meanwhile
    qtbot.wait_until(lambda: model.fetched > model.rowCount(), timeout=20000)
    pending, task = model._pending, model._task
    ws.close_view(ws.views.indexOf(grid))
    assert handed and handed[-1] is pending  # freed in a thread, not when the model goes
    qtbot.wait_until(lambda: task.done, timeout=20000)  # its last signals have run
    assert inserted == []  # nothing was inserted into the closing grid
