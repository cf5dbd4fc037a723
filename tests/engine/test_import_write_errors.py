"""A record that parses but cannot be written (found when the batch commits) is reported at its
file and line, and the import commits nothing."""

from __future__ import annotations

import pytest
from amazon.ion import simpleion

from ledger_desktop.engine.errors import ImportFileError
from ledger_desktop.engine.imports import import_files
from ledger_desktop.engine.ion_values import loads
from ledger_desktop.engine.ledger import Ledger


def _unchanged(led: Ledger, before: tuple) -> None:
    assert (led.digest().digest, led.block_count()) == before
    assert [int(r["n"]) for r in led.execute("SELECT * FROM T")] == [0]
    assert led.verify().ok


@pytest.mark.parametrize("batch_size", [1, 2, 1000])
def test_a_decimal_ion_c_cannot_read_back_is_now_kept_exactly(t_ledger, tmp_path, batch_size):
    """It was refused at its line ("cannot read back"); amazon.ion's Python reader and writer
    now keep it, so it is stored, verifies and reads back (docs/reliability.md 91)."""
    src = tmp_path / "rows.ion"
    src.write_text("{n: 1}\n{n: 2}\n{n: 3, a: 1d6145}\n{n: 4}\n")
    import_files(t_ledger, "T", [src], batch_size=batch_size)
    assert t_ledger.verify().ok
    rows = {int(r["n"]): r for r in t_ledger.execute("SELECT * FROM T")}
    assert sorted(rows) == [0, 1, 2, 3, 4]
    assert str(rows[3]["a"]) == "1E+6145"


def test_the_same_in_ion_binary(t_ledger, tmp_path):
    src = tmp_path / "rows.10n"
    src.write_bytes(simpleion.dumps([loads("{n: 1}"), loads("{n: 2, a: -1d-6177}")],
                                    binary=True, sequence_as_stream=True))
    before = (t_ledger.digest().digest, t_ledger.block_count())
    with pytest.raises(ImportFileError) as e:
        import_files(t_ledger, "T", [src])
    assert e.value.file == str(src)
    _unchanged(t_ledger, before)


def test_a_document_over_the_size_limit_names_its_line(t_ledger, tmp_path):
    t_ledger.set_strict(True)  # QLDB's 128 KB document limit, checked on the written bytes
    src = tmp_path / "rows.ion"
    src.write_text('{n: 1}\n{n: 2, pad: "' + "y" * 140_000 + '"}\n')
    before = (t_ledger.digest().digest, t_ledger.block_count())
    with pytest.raises(ImportFileError) as e:
        import_files(t_ledger, "T", [src], batch_size=10)
    assert (e.value.file, e.value.line) == (str(src), 2)
    assert "exceeds" in str(e.value)
    _unchanged(t_ledger, before)
