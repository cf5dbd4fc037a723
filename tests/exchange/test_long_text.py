"""Ion text holding a string, symbol or clob longer than amazon.ion's default text buffer
(16,383 bytes) reads everywhere Ion text is read: it used to fail with IERR_BUFFER_TOO_SMALL."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger_desktop.engine.export_verify import verify_export
from ledger_desktop.engine.exports import export_journal
from ledger_desktop.engine.imports import import_files
from ledger_desktop.engine.ion_values import TEXT_BUFFER_DEFAULT, loads, loads_all
from ledger_desktop.engine.journal_import import import_journal
from ledger_desktop.engine.ledger import Ledger

LONG = TEXT_BUFFER_DEFAULT + 1  # the first length amazon.ion's default refuses


@pytest.mark.parametrize("n", [LONG, 200_000])
def test_loads_long_text_values(n: int) -> None:
    text = f'{{s: "{"y" * n}", t: sym{"z" * n}, c: {{{{"{"c" * n}"}}}}, u: "{"€" * (n // 3)}"}}'
    v = loads(text)
    assert (len(v["s"]), len(v["t"].text), len(v["c"]), len(v["u"])) == (n, n + 3, n, n // 3)
    assert len(loads_all(text + " " + text)) == 2
    assert loads(text.encode()) == v


def test_import_ion_text_with_a_long_string(tmp_path: Path) -> None:
    src = tmp_path / "rows.ion"
    src.write_text('{n: 1}\n{n: 2, note: "' + "y" * 100_000 + '"}\n')
    with Ledger.create(tmp_path / "t.ledger") as led:
        res = import_files(led, "T", [src], create_table=True)
        assert res.documents == 2
        rows = list(led.execute("SELECT n, note FROM T WHERE n = 2"))
        assert len(rows[0]["note"]) == 100_000


def test_partiql_literal_with_a_long_string(tmp_path: Path) -> None:
    with Ledger.create(tmp_path / "t.ledger") as led:
        led.execute("CREATE TABLE T")
        led.execute("INSERT INTO T `{note: \"" + "y" * 40_000 + "\"}`")
        assert len(list(led.execute("SELECT * FROM T"))[0]["note"]) == 40_000


def test_ion_text_export_with_a_long_string_verifies_and_imports(tmp_path: Path) -> None:
    with Ledger.create(tmp_path / "src.ledger") as led:
        led.execute("CREATE TABLE T")
        led.execute("INSERT INTO T ?", loads('{note: "' + "y" * 100_000 + '"}'))
        digest = led.digest()
        export_journal(led, tmp_path / "exp", fmt="ion_text")
    report = verify_export(tmp_path / "exp", [digest])
    assert report.ok, report.lines()
    res = import_journal(tmp_path / "exp", tmp_path / "copy.ledger")
    assert res.digest.digest == digest.digest
