"""Typed container nulls (`null.struct`, `null.list`) in documents (probe 2026-11-29c, item 1):
a document holding one made its whole table unreadable in the grid ("Cannot read documents:
TypeError: 'IonPyNull' object is not iterable"), and filters walking into one raised."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger_desktop.engine.ion_values import loads
from ledger_desktop.ui.models.filters import FieldFilter
from tests.ui.conftest import documents_view, open_workspace

DOCS = ('{k: 1, ns: null.struct, nl: null.list, deep: {a: {b: null.struct}}}',
        '{k: 2, ns: {x: 1}, nl: [1, 2], deep: {a: {b: {c: 3}}}}')


@pytest.fixture
def nulls_ledger(tmp_path: Path) -> Path:
    from ledger_desktop.engine.ledger import Ledger

    path = tmp_path / "nulls.ledger"
    with Ledger.create(path) as led:
        led.execute("CREATE TABLE N")
        for text in DOCS:
            led.execute("INSERT INTO N ?", loads(text))
    return path


def test_grid_reads_a_table_with_container_nulls(qtbot, window, nulls_ledger):
    ws = open_workspace(qtbot, window, nulls_ledger)
    view = documents_view(qtbot, ws, "N")
    qtbot.wait_until(lambda: view.model.exhausted)
    assert view.model.rowCount() == 2
    assert "deep.a.b" in view.model.paths  # the nested paths were still collected


@pytest.mark.parametrize(("field", "op", "value", "keys"), [
    ("ns.x", "=", 1, {2}),
    ("ns", "contains", 1, {2}),
    ("nl", "contains", 2, {2}),
    ("deep.a.b.c", "is present", None, {2}),
    ("ns", "is null", None, {1}),
])
def test_filters_step_over_container_nulls(field, op, value, keys):
    docs = [loads(t) for t in DOCS]
    flt = FieldFilter(field, op, value)
    assert {int(d["k"]) for d in docs if flt.matches(d)} == keys
