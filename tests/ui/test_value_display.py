"""Grid cells tell a value's type (probe 2026-11-29b MEDIUM 7, LOW 16): 'null' and null, '5'
and 5, '' and a missing field look different; numbers read as an analyst writes them; a
nested value's tooltip shows its Ion."""

from __future__ import annotations

import html

from amazon.ion import simpleion
from PySide6.QtCore import QModelRoleData, Qt

from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.ui.models.documents import DocumentsModel
from ledger_desktop.ui.models.ion_tree import IonTreeModel
from ledger_desktop.ui.models.values import ValuesModel
from ledger_desktop.workers.session import LedgerSession

R = Qt.ItemDataRole
PAINT = (R.DisplayRole, R.ForegroundRole, R.FontRole, R.TextAlignmentRole, R.BackgroundRole)


def _painted(model, index) -> dict:
    """What a delegate gets for one cell, through multiData as a paint asks."""
    items = [QModelRoleData(int(r)) for r in PAINT]
    model.multiData(index, items)
    return {r: item.data() for r, item in zip(PAINT, items, strict=True)}


def _column(model, name: str) -> int:
    return next(c for c in range(model.columnCount())
                if model.headerData(c, Qt.Orientation.Horizontal) == name)


def test_results_grid_tells_strings_nulls_numbers_and_missing_apart(qtbot, qtmodeltester):
    values = simpleion.loads("{a: \"null\", b: null, c: \"\", e: 5, f: \"5\", g: abc, "
                             "n: {Name: \"Mary\", Addr: {City: \"Everett\"}}} {e: 3d0, f: 1e3}",
                             single_value=False)
    model = ValuesModel()
    model.set_values(values)
    qtmodeltester.check(model, force_py=True)
    cells = {name: _painted(model, model.index(0, _column(model, name)))
             for name in "abcefgn"}
    # the string 'null' and the null value: same word, not the same look
    assert cells["a"][R.DisplayRole] == cells["b"][R.DisplayRole] == "null"
    assert cells["b"][R.FontRole].italic() and cells["a"][R.FontRole] is None
    assert cells["b"][R.ForegroundRole] is not None and cells["a"][R.ForegroundRole] is None
    # 5 and '5': a number is right-aligned in its own colour
    assert cells["e"][R.DisplayRole] == cells["f"][R.DisplayRole] == "5"
    assert cells["e"][R.TextAlignmentRole] & Qt.AlignmentFlag.AlignRight
    assert cells["f"][R.TextAlignmentRole] is None and cells["f"][R.ForegroundRole] is None
    # a symbol is coloured, the string "abc" is not
    assert cells["g"][R.ForegroundRole] is not None
    # an empty string is "" where a missing field is an empty cell
    assert cells["c"][R.DisplayRole] == '""'
    missing = model.index(1, _column(model, "a"))
    assert _painted(model, missing)[R.DisplayRole] == ""
    assert "missing" in model.data(missing, R.ToolTipRole)
    # multiData answers as data() does
    for name, painted in cells.items():
        index = model.index(0, _column(model, name))
        assert painted == {r: model.data(index, r) for r in PAINT}, name
    # numbers as an analyst reads them: a decimal 3 (Ion 3d0), a float 1000.0 (Ion 1000e0)
    assert model.data(model.index(1, _column(model, "e"))) == "3"
    assert model.data(model.index(1, _column(model, "f"))) == "1000.0"
    # a nested value's tooltip is its pretty Ion, not the summary the cell shows
    nested = model.index(0, _column(model, "n"))
    assert model.data(nested) == "{Name, Addr}"
    tip = html.unescape(model.data(nested, R.ToolTipRole))
    assert 'Name: "Mary"' in tip and 'City: "Everett"' in tip and "struct" in tip


def test_documents_grid_and_tree_show_numbers_and_nulls_by_type(qtbot, tmp_path):
    path = tmp_path / "types.ledger"
    with Ledger.create(path) as ledger:
        ledger.execute("CREATE TABLE T")
        ledger.execute("INSERT INTO T VALUE {'Amount': 3., 'Rate': `1e3`, 'Code': '5', "
                       "'Note': null, 'Blank': ''}")
        table_id = ledger.table("T").table_id
    session = LedgerSession(path)
    try:
        model = DocumentsModel(session, table_id)
        model.fetchMore()
        qtbot.wait_until(lambda: model.exhausted and model.rowCount() == 1, timeout=5000)
        shown = {model.column_title(c): _painted(model, model.index(0, c))
                 for c in range(model.columnCount())}
        assert shown["Amount"][R.DisplayRole] == "3"          # was 3d0
        assert shown["Rate"][R.DisplayRole] == "1000.0"       # was 1000.0e0
        assert shown["Amount"][R.TextAlignmentRole] & Qt.AlignmentFlag.AlignRight
        assert shown["Code"][R.DisplayRole] == "5" and shown["Code"][R.TextAlignmentRole] is None
        assert shown["Note"][R.FontRole].italic()
        assert shown["Blank"][R.DisplayRole] == '""'
        for c in range(model.columnCount()):
            index = model.index(0, c)
            assert _painted(model, index) == {r: model.data(index, r) for r in PAINT}
        # the Ion views keep the exact Ion: the tooltip, and the Ion text of the document
        amount = model.index(0, next(c for c in range(model.columnCount())
                                     if model.column_title(c) == "Amount"))
        assert "3d0" in html.unescape(model.data(amount, R.ToolTipRole))
        tree = IonTreeModel()
        tree.set_value(model.document(0).data, "doc")
        root = tree.index(0, 0)
        rows = {tree.index(r, 0, root).data(): tree.index(r, 1, root)
                for r in range(tree.rowCount(root))}
        assert rows["Amount"].data() == "3" and "3d0" in rows["Amount"].data(R.ToolTipRole)
        assert rows["Note"].data(R.FontRole).italic()
    finally:
        session.close()
