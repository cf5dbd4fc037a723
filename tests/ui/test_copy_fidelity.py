"""Copy as Ion/JSON/CSV keep every value exactly (probe 2026-11-29c, item 9): Copy as Ion
wrote text outside ASCII as escapes ("M\\xfcller", "\\u20ac"), unlike the document pane's Ion
text, and through amazon.ion's slow pure-Python pretty writer."""

from __future__ import annotations

import json

from amazon.ion.equivalence import ion_equals
from PySide6.QtGui import QGuiApplication

from ledger_desktop.engine.ion_values import loads
from ledger_desktop.ui.copying import values_text

ROW = loads('''{name: "Müller € 😀", amt: 1.50, big: 123456789012345678901234567890.000000001,
    f: 0.1e0, ts: 2024-03-01T10:00:00.123456+05:30, day: 2024-03-01T, bl: {{aGVsbG8=}},
    cl: {{"clob"}}, sym: 'two words', n: null, ni: null.int, ns: null.struct,
    nested: {a: [1, null, {b: null.decimal}], c: ""}, ann: usd::12.00,
    q: "say \\"hi\\",\\nnext\\ttab", dexp: 1.23d-10, int: 12345678901234567890123}''')


def test_copy_as_ion_reads_back_the_same_value_with_text_as_it_reads():
    text = values_text([ROW], "ion")
    assert 'name: "Müller € 😀"' in text
    back = loads(text)
    assert ion_equals(back, ROW)  # types, precision, nulls' types and annotations too
    assert [getattr(a, "text", a) for a in back["ann"].ion_annotations] == ["usd"]
    assert str(back["amt"]) == "1.50" and str(back["dexp"]) == "1.23E-10"
    assert back["ts"].isoformat() == "2024-03-01T10:00:00.123456+05:30"


def test_copy_as_json_and_csv_keep_decimals_and_texts():
    data = json.loads(values_text([ROW], "json"), parse_float=str)
    assert data["amt"] == "1.50" and data["name"] == "Müller € 😀"
    assert data["big"] == "123456789012345678901234567890.000000001"
    assert data["nested"] == {"a": [1, None, {"b": None}], "c": ""}
    header, *rest = values_text([ROW], "csv").splitlines()
    assert header.startswith("name,amt,big,f,ts,day,bl,cl,sym,n,ni,ns,nested")
    assert rest[0].startswith("Müller € 😀,1.50,123456789012345678901234567890.000000001,")


def test_ctrl_c_in_the_grid_copies_the_same_ion(qtbot, window, sample_ledger):
    from tests.ui.conftest import documents_view, open_workspace

    ws = open_workspace(qtbot, window, sample_ledger)
    view = documents_view(qtbot, ws, "Person")
    view.select_row(0)
    window.actions_by_id["copy_ion"].trigger()
    assert ion_equals(loads(QGuiApplication.clipboard().text()), view.model.document(0).data)
