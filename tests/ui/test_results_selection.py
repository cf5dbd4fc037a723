"""Sorting query results keeps the selection on its value; a refresh or a filter of the
documents grid (which drops its order) clears the header's sort arrow; the result grid's
columns are found off the GUI thread."""

from __future__ import annotations

import threading

import pytest
from amazon.ion import simpleion
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView

from ledger_desktop.ui.models import values as values_mod
from ledger_desktop.ui.models.background_sort import SYNC_LIMIT
from ledger_desktop.ui.models.values import ValueRole, ValuesModel
from tests.ui.conftest import documents_view, open_workspace


@pytest.mark.parametrize("n", [50, SYNC_LIMIT + 100])  # sorted at once / in a thread
def test_the_selected_result_follows_its_value_when_sorted(qtbot, n):
    model = ValuesModel()
    model.set_values(simpleion.loads(" ".join(f"{{Id: {i}, Score: {(i * 7919) % n}}}"
                                              for i in range(n)), single_value=False))
    grid = QTableView()
    qtbot.addWidget(grid)
    grid.setModel(model)
    grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    grid.selectionModel().setCurrentIndex(
        model.index(2, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect |
        QItemSelectionModel.SelectionFlag.Rows)
    model.sort(1, Qt.SortOrder.AscendingOrder)  # by Score
    qtbot.wait_until(lambda: not model.sorting, timeout=20000)
    scores = [model.data(model.index(r, 1), ValueRole) for r in range(n)]
    assert scores == sorted(scores) and scores != [(i * 7919) % n for i in range(n)]
    current = grid.currentIndex()
    assert model.data(model.index(current.row(), 0), ValueRole) == 2   # still Id 2
    assert [i.row() for i in grid.selectionModel().selectedRows()] == [current.row()]
    assert current.row() != 2


def test_result_columns_are_found_off_the_gui_thread(qtbot, window, sample_ledger,
                                                     monkeypatch):
    """`struct_columns` over a 60,000-value result held the GUI thread for 90 ms in _done."""
    ws = open_workspace(qtbot, window, sample_ledger)
    view = ws.open_query()
    on_gui_thread: list[bool] = []
    real = values_mod.struct_columns

    def recording(structs):
        on_gui_thread.append(threading.current_thread() is threading.main_thread())
        return real(structs)

    monkeypatch.setattr(values_mod, "struct_columns", recording)
    view.editor.setPlainText("SELECT v.VIN, v.Make FROM Vehicle AS v")
    with qtbot.wait_signal(view.finished, timeout=20000):
        view.run()
    assert view.model.columns == ["VIN", "Make"] and view.model.rowCount() == 5
    assert on_gui_thread == [False]
    # fitting the columns looks at a sample of rows, not at 1,000 rows per column
    assert view.grid.horizontalHeader().resizeContentsPrecision() <= 64


@pytest.mark.parametrize("how", ["refresh", "filter"])
def test_a_reload_clears_the_documents_grids_sort_arrow(qtbot, window, sample_ledger, how):
    ws = open_workspace(qtbot, window, sample_ledger)
    view = documents_view(qtbot, ws, "Vehicle")
    header = view.grid.horizontalHeader()
    year = next(c for c in range(view.model.columnCount())
                if view.model.column_name(c) == "Year")
    view._sort_clicked(year)
    view._sort_clicked(year)   # descending
    qtbot.wait_until(lambda: not view.model.sorting and view.model.exhausted, timeout=10000)
    assert header.isSortIndicatorShown() and header.sortIndicatorSection() == year
    if how == "refresh":
        view.refresh()
    else:
        view.field.setEditText("Year")
        view.op.setCurrentText(">")
        view.value.setText("2000")
        view.apply_filter()
    qtbot.wait_until(lambda: view.model.rowCount() > 0 and not view.model.loading,
                     timeout=10000)
    # the rows are back in id order: no arrow says otherwise
    assert not header.isSortIndicatorShown() and header.sortIndicatorSection() == -1
    # and the next click on the column sorts ascending, as a first click does
    year = next(c for c in range(view.model.columnCount())
                if view.model.column_name(c) == "Year")
    view._sort_clicked(year)
    qtbot.wait_until(lambda: not view.model.sorting and view.model.exhausted, timeout=10000)
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    years = [view.model.data(view.model.index(r, year), Qt.ItemDataRole.DisplayRole)
             for r in range(view.model.rowCount())]
    assert years == sorted(years)
