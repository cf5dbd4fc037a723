"""A header click on a table too big to sort in the grid opens an ORDER BY query.

It replaced the PartiQL editor's text without asking (and ran inside the transaction open
there), and it ordered by `d`, the whole document, for the id and version columns and for any
field whose name is not a plain identifier.
"""

from __future__ import annotations

import pytest

from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.ui.models.documents import PAGE
from ledger_desktop.ui.views import documents as documents_mod

from .conftest import documents_view, open_workspace

ROWS = PAGE + 10
MINE = "-- my careful audit query\nSELECT * FROM Item WHERE n = 3"


@pytest.fixture
def big(qtbot, window, tmp_path, monkeypatch):
    """A grid of a table "too big" to sort (SORT_LIMIT lowered), its first page loaded."""
    path = tmp_path / "big.ledger"
    with Ledger.create(path) as ledger:
        with ledger.transaction() as tx:
            table_id = tx.create_table("Item", tx.begin_statement("CREATE TABLE Item"))
        with ledger.transaction() as tx:
            for i in range(ROWS):
                doc = {"n": i, "Account No": (i * 7919) % ROWS}
                tx.insert(table_id, doc, tx.begin_statement("INSERT INTO Item ?", (doc,)))
    monkeypatch.setattr(documents_mod, "SORT_LIMIT", 100)
    ws = open_workspace(qtbot, window, path)
    view = documents_view(qtbot, ws, "Item")
    qtbot.wait_until(lambda: view.total == ROWS, timeout=5000)
    return ws, view


def _column(view, name: str) -> int:
    return next(c for c in range(view.model.columnCount()) if view.model.column_name(c) == name)


def _run(qtbot, query) -> list:
    with qtbot.wait_signal(query.finished, timeout=20000):
        query.run()
    return list(query.model.values)


def test_the_editors_text_is_never_replaced(qtbot, big):
    ws, view = big
    mine = ws.open_query()
    mine.editor.setPlainText(MINE)
    ws.views.setCurrentWidget(view)
    view._sort_clicked(_column(view, "n"))
    opened = ws.views.currentWidget()
    assert opened is not mine and opened.title() == "PartiQL 2"
    assert opened.editor.toPlainText() == "SELECT * FROM Item AS d ORDER BY d.n"
    assert mine.editor.toPlainText() == MINE
    assert view.model.rowCount() == PAGE  # the grid did not load everything


def test_a_transaction_open_in_the_editor_is_left_alone(qtbot, big):
    ws, view = big
    mine = ws.open_query()
    mine.trigger("begin_tx")
    qtbot.wait_until(lambda: mine.tx_open, timeout=5000)
    try:
        ws.views.setCurrentWidget(view)
        view._sort_clicked(0)
        opened = ws.views.currentWidget()
        assert opened is not mine and not opened.tx_open
        assert ws.open_transaction() == 0
    finally:
        end = mine.end(False)
        qtbot.wait_until(lambda: end.done, timeout=5000)


def test_id_version_and_quoted_fields_order_as_the_grid_would(qtbot, big):
    ws, view = big
    with Ledger.open(ws.path, read_only=True) as ledger:
        docs = ledger.documents(ledger.table("Item").table_id, limit=ROWS)
    by_id = [d.data for d in sorted(docs, key=lambda d: d.doc_id)]

    view._sort_clicked(0)
    query = ws.views.currentWidget()
    assert query.editor.toPlainText() == "SELECT * FROM Item AS d BY id ORDER BY id"
    assert _run(qtbot, query) == by_id

    query.editor.setPlainText("")  # an empty editor is reused
    view._sort_clicked(1)
    assert ws.views.currentWidget() is query
    assert query.editor.toPlainText() == \
        "SELECT * FROM _ql_committed_Item AS c ORDER BY c.metadata.version"
    assert len(_run(qtbot, query)) == ROWS

    query.editor.setPlainText("")
    view._sort_clicked(_column(view, "Account No"))
    assert query.editor.toPlainText() == 'SELECT * FROM Item AS d ORDER BY d."Account No"'
    accounts = [d["Account No"] for d in _run(qtbot, query)]
    assert accounts == sorted(accounts) and len(accounts) == ROWS


def test_order_by_query_quotes_what_is_not_a_name():
    from ledger_desktop.ui.views.documents import order_by_query

    assert order_by_query("T", 2, 'say "hi"') == 'SELECT * FROM T AS d ORDER BY d."say ""hi"""'
    assert order_by_query("T", 2, "Año") == 'SELECT * FROM T AS d ORDER BY d."Año"'
    assert order_by_query("T", 2, "Year") == "SELECT * FROM T AS d ORDER BY d.Year"
