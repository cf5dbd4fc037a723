"""Which statements refresh the open views, and what a refresh keeps.

Every task on the writer lane (BEGIN, ABORT, a plain SELECT) reloaded every documents grid,
which dropped its loaded rows, its sort, its selection and its scroll position; an auto-commit
statement from the editor reloaded them twice. Now only a commit that changed documents,
tables or indexes refreshes them, once, and the grid puts its sort, current document and
scroll position back.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView

from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.ui.models.documents import PAGE
from ledger_desktop.workers.session import LedgerSession

from .conftest import documents_view, open_workspace

ROWS = 2 * PAGE + 200  # three pages


def _items_ledger(path):
    with Ledger.create(path) as ledger:
        with ledger.transaction() as tx:
            table_id = tx.create_table("Item", tx.begin_statement("CREATE TABLE Item"))
        with ledger.transaction() as tx:
            for i in range(ROWS):
                tx.insert(table_id, {"n": i}, tx.begin_statement("INSERT INTO Item ?",
                                                                 ({"n": i},)))
    return path


def _column(view, name: str) -> int:
    return next(c for c in range(view.model.columnCount()) if view.model.column_name(c) == name)


def _sorted(qtbot, view, column: int, clicks: int) -> None:
    for _ in range(clicks):
        view._sort_clicked(column)
        qtbot.wait_until(lambda: view.model.exhausted and not view.model.sorting,
                         timeout=20000)


def _current_doc(view) -> str | None:
    row = view.grid.currentIndex().row()
    return view.model.document(row).doc_id if row >= 0 else None


def _run(qtbot, query, text: str):
    query.editor.setPlainText(text)
    with qtbot.wait_signal(query.finished, timeout=20000):
        task = query.run()
    return task


def test_statements_that_change_no_document_leave_the_grids_alone(qtbot, window,
                                                                   sample_ledger):
    ws = open_workspace(qtbot, window, sample_ledger)
    grid = documents_view(qtbot, ws, "Vehicle")
    year = _column(grid, "Year")
    _sorted(qtbot, grid, year, clicks=2)  # descending
    grid.select_row(2)
    doc = _current_doc(grid)
    resets: list[int] = []
    grid.model.modelReset.connect(lambda: resets.append(1))
    blocks = ws.block_count
    query = ws.open_query()
    query.trigger("begin_tx")
    qtbot.wait_until(lambda: query.tx_open, timeout=5000)
    query.trigger("abort_tx")
    qtbot.wait_until(lambda: not query.tx_open, timeout=5000)
    # a SELECT commits a block (it records the statement): the catalog follows, not the grids
    with qtbot.wait_signal(ws.loaded, timeout=10000):
        _run(qtbot, query, "SELECT COUNT(*) FROM Vehicle")
    assert ws.block_count == blocks + 1
    assert resets == []
    header = grid.grid.horizontalHeader()
    assert header.sortIndicatorSection() == year
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert _current_doc(grid) == doc and grid.grid.currentIndex().row() == 2


def test_a_commit_refreshes_once_and_keeps_sort_selection_and_scroll(qtbot, window, tmp_path):
    ws = open_workspace(qtbot, window, _items_ledger(tmp_path / "items.ledger"))
    grid = documents_view(qtbot, ws, "Item")
    n = _column(grid, "n")
    _sorted(qtbot, grid, n, clicks=2)  # every row loaded, descending
    assert grid.model.rowCount() == ROWS
    grid.grid.scrollTo(grid.model.index(690, 0), QAbstractItemView.ScrollHint.PositionAtTop)
    grid.select_row(700)
    doc, top = _current_doc(grid), grid.grid.rowAt(0)
    assert top > 600
    resets: list[int] = []
    grid.model.modelReset.connect(lambda: resets.append(1))
    query = ws.open_query()  # the grid is hidden behind the editor meanwhile
    _run(qtbot, query, "UPDATE Item AS i SET i.note = 'seen' WHERE i.n = 5")
    assert resets == [1]  # once: the session's commit, not the editor's statement again
    qtbot.wait_until(lambda: grid.model.rowCount() == ROWS and not grid.model.loading
                     and not grid.model.sorting and _current_doc(grid) == doc, timeout=20000)
    ws.views.setCurrentWidget(grid)
    header = grid.grid.horizontalHeader()
    assert header.isSortIndicatorShown() and header.sortIndicatorSection() == _column(grid, "n")
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    values = [grid.model.document(r).data["n"] for r in range(grid.model.rowCount())]
    assert values == sorted(values, reverse=True)
    assert grid.grid.currentIndex().row() == 700
    qtbot.wait_until(lambda: grid.grid.rowAt(0) == top, timeout=5000)
    # and the commit is there
    updated = next(d for d in grid.model.rows if d.data["n"] == 5)
    assert str(updated.data["note"]) == "seen"


def test_a_commit_reloads_as_many_rows_as_were_loaded(qtbot, window, tmp_path):
    ws = open_workspace(qtbot, window, _items_ledger(tmp_path / "items.ledger"))
    grid = documents_view(qtbot, ws, "Item")
    grid.model.fetch_all()  # three pages, in id order
    qtbot.wait_until(lambda: grid.model.exhausted, timeout=20000)
    grid.select_row(ROWS - 10)
    doc = _current_doc(grid)
    task = ws.execute_statement("INSERT INTO Item {'n': -1}")
    qtbot.wait_until(lambda: task.done, timeout=10000)
    qtbot.wait_until(lambda: grid.model.rowCount() == ROWS + 1 and _current_doc(grid) == doc,
                     timeout=20000)
    assert not grid.grid.horizontalHeader().isSortIndicatorShown()


def test_f5_still_starts_over_in_id_order(qtbot, window, sample_ledger):
    ws = open_workspace(qtbot, window, sample_ledger)
    grid = documents_view(qtbot, ws, "Vehicle")
    _sorted(qtbot, grid, _column(grid, "Year"), clicks=1)
    grid.refresh()
    qtbot.wait_until(lambda: grid.model.rowCount() > 0 and not grid.model.loading,
                     timeout=10000)
    qtbot.wait(50)  # nothing is put back later either
    assert grid.grid.horizontalHeader().sortIndicatorSection() == -1


def test_the_session_reports_only_writes_that_committed(qtbot, sample_ledger):
    session = LedgerSession(sample_ledger)
    seen: list = []
    session.changed.connect(seen.append)

    def write(fn):
        task = session.write(fn)
        qtbot.wait_until(lambda: task.done, timeout=10000)
        return task

    try:
        write(lambda ledger, _p, _c: ledger.begin())
        write(lambda ledger, _p, _c: None)
        assert write(lambda ledger, _p, _c: ledger.execute(
            "INSERT INTO Nowhere {'a': 1}")).state.value == "failed"
        assert seen == []
        write(lambda ledger, _p, _c: ledger.execute("SELECT * FROM Vehicle"))
        assert len(seen) == 1 and seen[0].new_blocks == 1 and not seen[0].documents
        write(lambda ledger, _p, _c: ledger.execute("INSERT INTO Person {'GovId': 'S1'}"))
        assert len(seen) == 2 and seen[1].new_blocks == 1 and seen[1].documents
    finally:
        session.close()
