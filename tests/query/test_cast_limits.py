"""CAST and integer arguments never build numbers wider than an int may be (a hang, or a
crash in amazon.ion's writer), and read numbers from text as PartiQL spells them."""

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
