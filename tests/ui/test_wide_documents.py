"""Documents with thousands of fields (probe 2026-11-29c, items 4 and 5): fitting the grid's
2,000 columns to their content held the GUI thread 1.9 s on the first page (and as long for
`SELECT *` in the PartiQL tab), and Copy as CSV of one such row 1.7 s."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication

from ledger_desktop.ui.copying import values_text
from tests.ui.conftest import documents_view, open_workspace
from tests.ui.test_query import run_and_wait

FIELDS = 2000


@pytest.fixture
def wide_ledger(tmp_path: Path) -> Path:
    from ledger_desktop.engine.ledger import Ledger

    path = tmp_path / "wide.ledger"
    with Ledger.create(path) as led:
        led.execute("CREATE TABLE W")
        led.execute("INSERT INTO W ?", {f"f{i:04d}": i for i in range(FIELDS)})
    return path


def test_grid_fits_thousands_of_columns_a_slice_at_a_time(qtbot, window, wide_ledger):
    ws = open_workspace(qtbot, window, wide_ledger)
    view = documents_view(qtbot, ws, "W")
    columns = view.model.columnCount()
    assert columns == FIELDS + 2  # id, version
    # the first page's slot fitted some columns, not all 2,002 in one go
    assert 0 < view._fitter.fitted < columns
    qtbot.wait_until(lambda: view._fitter.fitted == columns, timeout=20000)
    header = view.grid.horizontalHeader()
    assert all(header.sectionSize(c) <= 240 for c in range(columns))


def test_results_grid_fits_thousands_of_columns_a_slice_at_a_time(qtbot, window, wide_ledger):
    ws = open_workspace(qtbot, window, wide_ledger)
    view = ws.open_query()
    view.editor.setPlainText("SELECT * FROM W")
    run_and_wait(qtbot, view)
    assert view.model.columnCount() == FIELDS
    assert view._fitter.fitted < FIELDS
    qtbot.wait_until(lambda: view._fitter.fitted == FIELDS, timeout=20000)


def test_csv_of_a_wide_row_lists_its_fields_once(qtbot, window, wide_ledger, monkeypatch):
    from ledger_desktop.engine import struct_columns

    ws = open_workspace(qtbot, window, wide_ledger)
    view = documents_view(qtbot, ws, "W")
    view.grid.selectRow(0)
    listings: list[int] = []
    real = struct_columns.fields_of
    monkeypatch.setattr(struct_columns, "fields_of",
                        lambda v: listings.append(1) or real(v))
    window.actions_by_id["copy_csv"].trigger()
    header, row = QGuiApplication.clipboard().text().splitlines()
    assert header.split(",")[:2] == ["f0000", "f0001"]
    assert row.split(",")[-1] == str(FIELDS - 1)
    # a lookup per cell that listed all 2,000 fields of the row each time (1.7 s): the
    # columns are read once, each cell by its name
    assert len(listings) <= 2


def test_csv_of_repeated_field_names_keeps_each_value():
    from ledger_desktop.engine.ion_values import loads

    value = loads("{a: 1, b: 2, a: 3}")
    assert values_text([value], "csv").splitlines() == ["a,a (2),b", "1,3,2"]
