"""Expected errors are told in their message alone, with no traceback (app probe 18, 26)."""

from __future__ import annotations

import pytest

from ledger_desktop.engine import errors
from ledger_desktop.ui.dialogs.errors import shows_traceback


@pytest.mark.parametrize("exc", [
    errors.NotALedgerError("x.db: not a ledger file"),
    errors.NewerSchemaError("x.ledger: written by a newer Ledger Desktop (schema 3)"),
    errors.LedgerFileError("x.ledger: permission denied"),
    errors.ReadOnlyError("the ledger is open read-only"),
    errors.ConflictError("document d was changed by a concurrent transaction"),
    errors.StorageError("database or disk is full"),
    errors.IntegrityError("block 12 does not agree with its hash"),
    FileNotFoundError(2, "No such file or directory", "x.ledger"),
])
def test_expected_errors_show_no_traceback(exc):
    assert not shows_traceback(exc)


def test_a_bug_still_shows_its_traceback():
    assert shows_traceback(KeyError("x"))
    assert shows_traceback(RuntimeError("Internal C++ object already deleted"))


def test_a_full_disk_says_what_to_do_and_that_nothing_was_lost():
    text = str(errors.StorageError("database or disk is full"))
    assert text.startswith("database or disk is full: the disk")
    assert "nothing of this transaction was committed" in text and "free some space" in text
    assert str(errors.StorageError("disk I/O error")) == "disk I/O error"


def test_a_dml_status_says_what_it_did():
    """It said "dml: 1 value"; the values of a DML statement are the changed documents' ids
    (app probe 17)."""
    from ledger_desktop.ui.wording import outcome

    assert outcome("dml", "-- new car\nINSERT INTO Vehicle ?", 1) == "1 document inserted"
    assert outcome("dml", "UPDATE Person SET x = 1", 2) == "2 documents updated"
    assert outcome("dml", "/* gone */ DELETE FROM T", 0) == "0 documents deleted"
    assert outcome("select", "SELECT * FROM T", 1) == "select: 1 value"
