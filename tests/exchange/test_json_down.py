"""Ion -> JSON down-conversion as QLDB's JSON exports do it (Ion cookbook rules)."""

from __future__ import annotations

import json
from decimal import Decimal

from amazon.ion import simpleion

from ledger_desktop.engine.json_down import to_json


def test_cookbook_rules() -> None:
    v = simpleion.loads(
        '{a: 2019-09-16T19:37:05.344Z, b: 2020T, c: 2020-01-01T10:00+01:00, d: 1.50, e: 1d2, '
        'f: nan, g: ann::sym, h: {{"a\\x01\\"\\\\"}}, i: null.int, j: (1 2), k: 5e0, '
        'l: +inf, m: {{aGVsbG8=}}, n: "é\\n", o: 123456789012345678901234567890, '
        'p: [true, null], q: 2019-09-16T19:37:05Z, "x y": -0.0}')
    text = to_json(v)
    assert text.startswith('{"a":"2019-09-16T19:37:05.344Z","b":"2020T",'
                           '"c":"2020-01-01T10:00+01:00","d":1.50,"e":1E+2,"f":null,"g":"sym",')
    assert '"h":"a\\u0001\\"\\\\"' in text
    parsed = json.loads(text, parse_float=Decimal)
    assert parsed["i"] is None and parsed["j"] == [1, 2] and parsed["k"] == Decimal("5.0")
    assert parsed["l"] is None and parsed["m"] == "aGVsbG8=" and parsed["n"] == "é\n"
    assert parsed["o"] == 123456789012345678901234567890
    assert parsed["p"] == [True, None] and parsed["q"] == "2019-09-16T19:37:05Z"
    assert '"p":[true,null]' in text  # a bool, not the int 1
    assert str(parsed["x y"]) == "-0.0"


def test_plain_python_values() -> None:
    import datetime as dt

    when = dt.datetime(2024, 1, 2, 3, 4, 5, 6000, tzinfo=dt.UTC)
    assert json.loads(to_json({"a": [1, "x", b"\x00", None, when, 1.5]})) == {
        "a": [1, "x", "AA==", None, "2024-01-02T03:04:05.006Z", 1.5]}


def test_bare_values_as_amazon_ion_gives_them() -> None:
    from amazon.ion.simpleion import IonPyValueModel

    text = '{a: true, b: [false, 1, sym, (x)], c: {{"c"}}, d: 1.5}'
    for model in (IonPyValueModel.ION_PY, IonPyValueModel.MAY_BE_BARE):
        v = simpleion.loads(text, value_model=model)
        assert to_json(v) == '{"a":true,"b":[false,1,"sym",["x"]],"c":"c","d":1.5}'
