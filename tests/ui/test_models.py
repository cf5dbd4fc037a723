"""Every item model passes pytest-qt's model tester, including while pages arrive lazily."""

from __future__ import annotations

import pytest
from amazon.ion import simpleion
from PySide6.QtCore import Qt

from ledger_desktop.engine.diff import diff
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.ui.models.documents import PAGE, DocumentsModel
from ledger_desktop.ui.models.history import DiffModel, HistoryModel
from ledger_desktop.ui.models.ion_tree import IonTreeModel
from ledger_desktop.ui.models.values import ValuesModel
from ledger_desktop.workers.session import LedgerSession


@pytest.fixture
def session(qtbot, sample_ledger):
    s = LedgerSession(sample_ledger)
    yield s
    s.close()


@pytest.fixture
def big_ledger(tmp_path):
    """A table with a few pages of documents, inserted through the engine's transactions."""
    path = tmp_path / "big.ledger"
    with Ledger.create(path) as ledger:
        with ledger.transaction() as tx:
            table_id = tx.create_table("Item", tx.begin_statement("CREATE TABLE Item"))
        with ledger.transaction() as tx:
            for i in range(PAGE * 2 + 17):
                data = {"n": i, "name": f"item {i}"} if i % 3 else {"n": i, "extra": True}
                tx.insert(table_id, data, tx.begin_statement("INSERT INTO Item ?", (data,)))
    return path


def test_documents_model_lazy_pages(qtbot, qtmodeltester, big_ledger):
    session = LedgerSession(big_ledger)
    try:
        with Ledger.open(big_ledger, read_only=True) as ledger:
            table_id = ledger.table("Item").table_id
        model = DocumentsModel(session, table_id)
        assert model.rowCount() == 0 and model.canFetchMore()
        model.fetchMore()
        assert model.rowCount() == 0 and model.loading  # nothing is read on the GUI thread
        with qtbot.wait_signal(model.page_loaded, timeout=5000):
            pass
        assert model.rowCount() == PAGE
        qtmodeltester.check(model, force_py=True)  # it fetches too; and watches every insert

        def fetch_until_done() -> bool:
            if model.canFetchMore():
                model.fetchMore()
            return model.exhausted and not model.loading

        qtbot.wait_until(fetch_until_done, timeout=10000)
        assert model.rowCount() == PAGE * 2 + 17
        assert not model.canFetchMore()
        assert model.fields == ["n", "extra", "name"]
        assert [model.document(r).data["n"] for r in range(model.rowCount())] == \
            list(range(PAGE * 2 + 17))
    finally:
        session.close()


def test_documents_model_filter_scans_pages(qtbot, qtmodeltester, big_ledger):
    from ledger_desktop.ui.models.filters import FieldFilter

    session = LedgerSession(big_ledger)
    try:
        with Ledger.open(big_ledger, read_only=True) as ledger:
            table_id = ledger.table("Item").table_id
        model = DocumentsModel(session, table_id)
        qtmodeltester.check(model, force_py=True)
        model.set_filter(FieldFilter("extra", "exists"))
        model.fetch_all()
        qtbot.wait_until(lambda: model.exhausted and not model.loading, timeout=10000)
        assert model.rowCount() == len(range(0, PAGE * 2 + 17, 3))
        assert model.scanned == PAGE * 2 + 17
    finally:
        session.close()


def test_values_model(qtmodeltester):
    model = ValuesModel()
    model.set_values(simpleion.loads('{a: 1, b: "x"} {a: 2, c: [1, 2]}', single_value=False))
    assert model.columns == ["a", "b", "c"]
    qtmodeltester.check(model, force_py=True)
    model.set_values([simpleion.loads("1"), simpleion.loads('"s"')])
    assert model.columns == ["value"]
    qtmodeltester.check(model, force_py=True)
    # a name a struct repeats (SELECT r.VIN, v.VIN) gets a column per value, sortable
    model = ValuesModel()  # a model each: the tester of one model is not meant to stack
    model.set_values(simpleion.loads('{VIN: "b", VIN: "x", n: 2} {VIN: "a", n: 1}',
                                     single_value=False))
    assert model.columns == ["VIN", "VIN (2)", "n"] and model.field_names == ["VIN", "n"]
    assert [model.data(model.index(0, c)) for c in range(3)] == ["b", "x", "2"]
    assert model.data(model.index(1, 1)) == ""
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert model.data(model.index(0, 1)) == "x"
    qtmodeltester.check(model, force_py=True)


def test_ion_tree_model(qtmodeltester):
    model = IonTreeModel()
    model.set_value(simpleion.loads('{a: {b: [1, 2, {c: 3}]}, d: x::"y", e: null.int}'))
    qtmodeltester.check(model, force_py=True)
    root = model.index(0, 0)
    assert model.rowCount(root) == 3
    a = model.index(0, 0, root)
    b = model.index(0, 0, a)
    assert model.data(b) == "b" and model.rowCount(b) == 3
    assert model.data(model.index(1, 2, root)) == "x::string"
    assert model.data(model.index(2, 1, root)) == "null.int"


def test_history_and_diff_models(qtmodeltester, sample_ledger):
    with Ledger.open(sample_ledger, read_only=True) as ledger:
        t = ledger.table("VehicleRegistration")
        doc = next(d for d in ledger.documents(t.table_id) if d.version > 0)
        history = ledger.document_history(doc.doc_id)
    model = HistoryModel()
    model.set_revisions(history)
    qtmodeltester.check(model, force_py=True)
    diffs = DiffModel()
    diffs.set_changes(diff(history[0].data, history[-1].data))
    qtmodeltester.check(diffs, force_py=True)
    assert diffs.rowCount() > 0


def test_multidata_answers_like_data(qtbot, sample_ledger):
    """Paints use multiData (one Python call per cell); it must agree with data()."""
    from PySide6.QtCore import QModelRoleData, QModelRoleDataSpan, Qt

    session = LedgerSession(sample_ledger)
    try:
        with Ledger.open(sample_ledger, read_only=True) as ledger:
            table_id = ledger.table("Vehicle").table_id
        model = DocumentsModel(session, table_id)
        model.fetchMore()
        qtbot.wait_until(lambda: model.exhausted, timeout=5000)
        for row in range(model.rowCount()):
            for column in range(model.columnCount()):
                index = model.index(row, column)
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole,
                             Qt.ItemDataRole.ToolTipRole):
                    item = QModelRoleData(int(role))
                    model.multiData(index, QModelRoleDataSpan(item))
                    assert item.data() == model.data(index, role)
    finally:
        session.close()


def test_multidata_clears_stale_entries(qtbot):
    """Delegates reuse one span for every cell: a role a cell lacks must be cleared."""
    from PySide6.QtCore import QModelRoleData, QModelRoleDataSpan, Qt
    from PySide6.QtGui import QColor

    model = DiffModel()
    model.set_changes(diff(simpleion.loads("{a: 1}"), simpleion.loads("{a: 2}")))
    item = QModelRoleData(int(Qt.ItemDataRole.ForegroundRole))
    span = QModelRoleDataSpan(item)
    model.multiData(model.index(0, 1), span)  # the "Change" column is coloured
    assert isinstance(item.data(), QColor)
    model.multiData(model.index(0, 0), span)  # the path column is not
    assert item.data() is None


def test_a_filter_value_in_single_quotes_is_the_text_inside():
    """'Everett', as PartiQL writes a string, was matched with its quotes: nothing found."""
    from ledger_desktop.ui.models.filters import parse_literal

    assert parse_literal("'Everett'") == "Everett" == parse_literal("Everett")
    assert parse_literal("'It''s'") == "It's"
    assert parse_literal("42") == 42 and parse_literal("two words") == "two words"
