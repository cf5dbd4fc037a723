"""A data file given on the command line goes to the import flow, not to "open ledger"."""

from __future__ import annotations

from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.ui.app import _is_data_file


def test_data_files_and_ledgers_are_told_apart(tmp_path):
    ion = tmp_path / "records.ion"
    ion.write_text("{a: 1}")
    csv = tmp_path / "t.csv"
    csv.write_text("a,b\n1,2\n")
    led = tmp_path / "renamed.ion"
    Ledger.create(led).close()
    assert _is_data_file(str(ion)) and _is_data_file(str(csv))
    assert not _is_data_file(str(led))          # a ledger by its content, whatever its name
    assert not _is_data_file(str(tmp_path / "missing.ion"))
