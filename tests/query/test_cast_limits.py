"""Values at the edges: CAST and integer arguments never build numbers wider than an int may
be (a hang, or a crash in amazon.ion's writer) and read numbers from text as PartiQL spells
them; floats as text, SET to MISSING and 12-hour clocks."""

from __future__ import annotations

import pytest

from ledger_desktop.engine.errors import UserError


def _one(led, expr: str):
    return list(led.execute(f"SELECT VALUE {expr} FROM << 0 >>"))[0]


@pytest.mark.parametrize("expr", [
    "CAST('1e999999999' AS INT)",                    # hung: int(Decimal) of a billion digits
    "CAST(CAST('1e999999999' AS DECIMAL) AS INT)",   # hung
    "SUBSTRING('abc', CAST('1e999999999' AS DECIMAL))",  # hung
    "CAST(`1d5000` AS INT)",                         # 5,001 digits: a traceback when printed
    "CAST(CAST(`1d5000` AS INT) AS STRING)",         # segfault in amazon.ion's writer
    "CAST(`1d4400` AS INT) / 3",
    "CAST('1_000' AS INT)", "CAST('1_000' AS DECIMAL)", "CAST('1_0' AS FLOAT)",
    "CAST('١٢' AS INT)", "CAST('nan' AS DECIMAL)", "CAST(`+inf` AS INT)",
])
def test_refused_with_one_line(ledger, expr: str) -> None:
    with pytest.raises(UserError) as info:
        _one(ledger, expr)
    assert "\n" not in str(info.value).split(" at line")[0]


@pytest.mark.parametrize("expr, value", [
    ("CAST(' 12 ' AS INT)", 12), ("CAST('12.7' AS INT)", 12), ("CAST('-1e3' AS INT)", -1000),
    ("CAST(`1d4199` AS INT)", 10 ** 4199), ("CAST(12.9 AS INT)", 12),
    ("SUBSTRING('abcdef', 2.0, 3)", "bcd")])
def test_still_read(ledger, expr: str, value) -> None:
    assert _one(ledger, expr) == value


@pytest.mark.parametrize("expr, text", [
    ("CAST(0.1e0 AS STRING)", "0.1"),           # was "0.10000000000000000555e+0"
    ("CAST(`1.0e30` AS STRING)", "1e+30"), ("CAST(`-inf` AS STRING)", "-inf"),
    ("CAST(2.5e0 AS STRING)", "2.5")])
def test_a_float_as_text_is_its_shortest_form(ledger, expr: str, text: str) -> None:
    assert _one(ledger, expr) == text


def test_set_to_missing_removes_the_field(ledger) -> None:
    """It stored null, while INSERT leaves a MISSING field out."""
    ledger.execute("CREATE TABLE T")
    ledger.execute("INSERT INTO T {'a': 1, 'x': 2}")
    ledger.execute("UPDATE T SET x = MISSING")
    ledger.execute("UPDATE T AS t SET t.y = t.nope")
    (doc,) = ledger.execute("SELECT * FROM T")
    assert dict(doc) == {"a": 1}


def test_a_12_hour_clock_has_no_hour_13(ledger) -> None:
    with pytest.raises(UserError, match="not an hour of a 12-hour clock"):
        _one(ledger, "TO_TIMESTAMP('13 PM', 'h a')")
    assert _one(ledger, "TO_TIMESTAMP('12 AM', 'h a')").hour == 0
