"""UNION / INTERSECT / EXCEPT: a trailing ORDER BY, LIMIT or OFFSET is the whole result's; grouped
queries read rows only through what is grouped or aggregated."""

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


# ---------------------------------------------------------------- grouping
@pytest.mark.parametrize("q", [
    "SELECT k, COUNT(*) FROM T",                    # gave the first row's k
    "SELECT v FROM T GROUP BY k",                   # an arbitrary v per group
    "SELECT k FROM T GROUP BY k HAVING v > 1",      # HAVING tested an arbitrary row's v
    "SELECT k FROM T AS t GROUP BY t.k ORDER BY t.v",
])
def test_a_value_neither_grouped_nor_aggregated_is_refused(ledger, q: str) -> None:
    ledger.execute("CREATE TABLE T")
    ledger.execute("INSERT INTO T << {'k': 'a', 'v': 1}, {'k': 'b', 'v': 2} >>")
    with pytest.raises(QueryError, match="neither in GROUP BY nor inside an aggregate"):
        _rows(ledger, q)


@pytest.mark.parametrize("q, n", [
    ("SELECT k, COUNT(*) AS n FROM T GROUP BY k ORDER BY n", 2),
    ("SELECT t.k, MAX(t.v) FROM T AS t GROUP BY t.k HAVING MAX(t.v) > 0 ORDER BY t.k", 2),
    ("SELECT key, COUNT(*) FROM T GROUP BY k AS key ORDER BY key", 2),
    ("SELECT COUNT(*) FROM T HAVING COUNT(*) > 1", 1),
    ("SELECT k, (SELECT VALUE COUNT(*) FROM T) AS total FROM T GROUP BY k", 2),
    ("SELECT k, SUM(v) + 1 AS s FROM T GROUP BY k", 2),
])
def test_grouped_queries_still_run(ledger, q: str, n: int) -> None:
    ledger.execute("CREATE TABLE T")
    ledger.execute("INSERT INTO T << {'k': 'a', 'v': 1}, {'k': 'b', 'v': 2}, {'k': 'a'} >>")
    assert len(_rows(ledger, q)) == n

