"""UPPER, LOWER, SUBSTRING and TRIM return a string, also for a symbol argument (they kept the
symbol type).

QLDB documents each with "Return type: string" (ql-functions.upper.html, .substring.html...), and
the PartiQL implementation of QLDB's time builds a new string from either kind of text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger_desktop.engine.ion_values import dumps_text
from ledger_desktop.engine.ledger import Ledger


@pytest.fixture()
def ledger(tmp_path: Path):
    with Ledger.create(tmp_path / "t.ledger") as led:
        led.execute("CREATE TABLE T")
        led.execute("INSERT INTO T VALUE {'sym': `Driver`, 's': 'Driver', 'n': null}")
        yield led


@pytest.mark.parametrize(("expr", "expected"), [
    ("UPPER(t.sym)", '"DRIVER"'), ("LOWER(t.sym)", '"driver"'),
    ("UPPER(`abc`)", '"ABC"'), ("LOWER(`AbC`)", '"abc"'),
    ("UPPER(t.s)", '"DRIVER"'), ("LOWER(t.s)", '"driver"'),
    ("UPPER(t.n)", "null"), ("LOWER(t.nope)", "null"),
    ("SUBSTRING(t.sym, 2)", '"river"'), ("SUBSTRING(`abc`, 2, 1)", '"b"'),
    ("SUBSTRING(`abc`, 5, 1)", '""'), ("TRIM(BOTH 'D' FROM t.sym)", '"river"'),
])
def test_upper_and_lower_return_strings(ledger: Ledger, expr: str, expected: str) -> None:
    (got,) = ledger.execute(f"SELECT VALUE {expr} FROM T t").values
    assert dumps_text(got) == expected


def test_a_symbol_field_compares_with_its_upper_case_string(ledger: Ledger) -> None:
    got = ledger.execute("SELECT VALUE UPPER(t.sym) FROM T t WHERE UPPER(t.sym) = 'DRIVER'")
    assert [dumps_text(v) for v in got.values] == ['"DRIVER"']
