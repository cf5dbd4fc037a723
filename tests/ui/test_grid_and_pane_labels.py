"""Telling the grid's columns apart and reading values in the pane (probe 2026-11-29c, items
10 and 11): documents with their own `id` field showed two columns titled "id", and the
pane's tree gave the Field column (the document id at its root) most of the width, leaving
values as "long-…" and "2024-03…"."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.ui.conftest import documents_view, open_workspace


@pytest.fixture
def own_ids_ledger(tmp_path: Path) -> Path:
    from ledger_desktop.engine.ledger import Ledger

    path = tmp_path / "ids.ledger"
    with Ledger.create(path) as led:
        led.execute("CREATE TABLE Orders")
        led.execute("INSERT INTO Orders ?", {"id": "ORD-1", "version": 3,
                                            "memo": "a memo long enough to want the room"})
    return path


def test_metadata_columns_are_named_apart_from_fields_of_the_same_name(
        qtbot, window, own_ids_ledger, sample_ledger):
    ws = open_workspace(qtbot, window, own_ids_ledger)
    model = documents_view(qtbot, ws, "Orders").model
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert titles == ["metadata.id", "metadata.version", "id", "version", "memo"]
    tip = model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "document id" in tip
    # no clash, no prefix: the sample's grids keep their short titles
    ws = open_workspace(qtbot, window, sample_ledger)
    model = documents_view(qtbot, ws, "Vehicle").model
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in (0, 1)] == ["id", "version"]


def test_the_pane_tree_leaves_the_values_most_of_the_width(qtbot, window, own_ids_ledger):
    ws = open_workspace(qtbot, window, own_ids_ledger)
    view = documents_view(qtbot, ws, "Orders")
    view.select_row(0)
    tree = view.pane.ion.tree
    qtbot.wait_until(lambda: tree.model().rowCount() > 0)
    width = tree.viewport().width()
    assert tree.header().sectionSize(0) <= max(120, width * 40 // 100)
    assert tree.header().sectionSize(1) >= width // 3
