"""Stored values nest at most MAX_NESTING levels deep: deeper ones made every query of their
table, JSON output, exports and proofs fail (docs/reliability.md 70)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger_desktop.engine import ion_hash
from ledger_desktop.engine.errors import ImportFileError, InputFormatError, UserError
from ledger_desktop.engine.exports import export_journal
from ledger_desktop.engine.imports import import_files
from ledger_desktop.engine.ion_values import MAX_NESTING, loads, too_deep, unstorable
from ledger_desktop.engine.journal_import import import_journal
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.query import dml


def nested(levels: int) -> dict:
    """A document whose innermost value lies `levels` levels below it."""
    inner: object = 1
    for _ in range(levels - 1):
        inner = [inner]
    return {"a": inner}



def _unchanged(led: Ledger, before: tuple) -> None:
    assert (led.digest().digest, led.block_count()) == before
    assert led.verify().ok


def test_the_limit_counts_levels_below_the_document() -> None:
    assert too_deep(nested(MAX_NESTING)) is None
    assert too_deep(nested(MAX_NESTING + 1)) is not None
    assert too_deep(loads("{a: {b: {c: [1, 2, {d: 3}]}}}")) is None
    assert too_deep(nested(100_000)) is not None  # iterative: no RecursionError
    assert "100 levels" in unstorable(nested(MAX_NESTING + 1))
    assert unstorable(nested(MAX_NESTING)) is None


def test_the_deepest_allowed_document_is_stored_and_read_back(t_ledger: Ledger) -> None:
    t_ledger.execute("INSERT INTO T ?", nested(MAX_NESTING))
    rows = list(t_ledger.execute("SELECT * FROM T WHERE a IS NOT MISSING"))
    assert too_deep(rows[0], MAX_NESTING - 1) is not None  # all its levels came back
    assert t_ledger.verify().ok


@pytest.mark.parametrize("levels", [MAX_NESTING + 1, 600, 2000])
def test_a_deeper_document_is_refused_and_nothing_is_written(t_ledger: Ledger,
                                                             levels: int) -> None:
    before = (t_ledger.digest().digest, t_ledger.block_count())
    with pytest.raises(UserError, match="more than 100 levels deep"):
        t_ledger.execute("INSERT INTO T ?", nested(levels))
    _unchanged(t_ledger, before)
    assert list(t_ledger.execute("SELECT COUNT(*) AS n FROM T"))[0]["n"] == 1


def test_an_update_that_deepens_a_document_step_by_step_stops_at_the_limit(
        t_ledger: Ledger) -> None:
    t_ledger.execute("INSERT INTO T ?", nested(MAX_NESTING - 1))
    t_ledger.execute("UPDATE T AS t SET t.a = [t.a] WHERE t.a IS NOT MISSING")  # now 100
    before = (t_ledger.digest().digest, t_ledger.block_count())
    with pytest.raises(UserError, match="more than 100 levels deep"):
        t_ledger.execute("UPDATE T AS t SET t.a = [t.a] WHERE t.a IS NOT MISSING")
    _unchanged(t_ledger, before)


@pytest.mark.parametrize("levels", [MAX_NESTING + 1, 975])
def test_an_import_names_the_line_of_a_too_deep_record(t_ledger: Ledger, tmp_path: Path,
                                                       levels: int) -> None:
    src = tmp_path / "rows.jsonl"
    src.write_text('{"n": 1}\n{"a": ' + "[" * levels + "]" * levels + "}\n{\"n\": 3}\n")
    before = (t_ledger.digest().digest, t_ledger.block_count())
    # the JSON decoder may reach Python's recursion limit first, on a deep stack
    with pytest.raises(ImportFileError, match="more than 100 levels deep|recursion") as e:
        import_files(t_ledger, "T", [src])
    assert (e.value.file, e.value.line) == (str(src), 2)
    _unchanged(t_ledger, before)


def test_a_journal_export_holding_a_too_deep_document_is_not_imported(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An export as another QLDB-compatible t_ledger could make it: a valid journal whose
    # document is deeper than this engine stores. Made here with the limit switched off.
    source = Ledger.create(tmp_path / "src.ledger")
    source.execute("CREATE TABLE T")
    with monkeypatch.context() as m:
        m.setattr(ion_hash, "too_deep", lambda value: None)
        m.setattr(dml, "unstorable", lambda value: None)
        source.execute("INSERT INTO T ?", nested(150))
    assert source.verify().ok
    export_journal(source, tmp_path / "export")
    source.close()
    target = tmp_path / "copy.ledger"
    with pytest.raises(InputFormatError, match="more than 100 levels deep"):
        import_journal(tmp_path / "export", target)
    assert not target.exists()
