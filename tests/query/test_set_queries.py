"""UNION / INTERSECT / EXCEPT: a trailing ORDER BY, LIMIT or OFFSET is the whole result's."""

from __future__ import annotations

import pytest

from ledger_desktop.engine.errors import QueryError


def _rows(led, q: str) -> list:
    tx = led.begin()
    try:
        return list(tx.execute(q))
    finally:
        tx.abort()


def test_order_by_and_limit_apply_to_the_whole_result(sample) -> None:
    """They sorted and cut the last SELECT's rows only: 8 rows, unsorted."""
    everything = _rows(sample, "SELECT Make FROM Vehicle UNION "
                               "SELECT FirstName AS Make FROM Person")
    names = sorted(str(r["Make"]) for r in everything)
    got = _rows(sample, "SELECT Make FROM Vehicle UNION SELECT FirstName AS Make FROM Person "
                        "ORDER BY Make LIMIT 3")
    assert [str(r["Make"]) for r in got] == names[:3]
    got = _rows(sample, "SELECT Make FROM Vehicle UNION SELECT FirstName AS Make FROM Person "
                        "ORDER BY Make DESC LIMIT 2 OFFSET 1")
    assert [str(r["Make"]) for r in got] == names[::-1][1:3]
    assert len(_rows(sample, "SELECT VALUE Make FROM Vehicle UNION ALL "
                             "SELECT VALUE Make FROM Vehicle LIMIT 2")) == 2
    assert len(_rows(sample, "SELECT VALUE Make FROM Vehicle INTERSECT ALL "
                             "SELECT VALUE Make FROM Vehicle OFFSET 3")) == 2


def test_order_by_in_the_first_select_is_refused(sample) -> None:
    with pytest.raises(QueryError, match="go after the last SELECT of a UNION"):
        _rows(sample, "SELECT Make FROM Vehicle ORDER BY Make UNION "
                      "SELECT FirstName FROM Person")
