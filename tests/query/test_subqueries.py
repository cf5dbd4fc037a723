"""Sub-queries: a table named in a sub-query is the table; a sub-query compared as one
value is its single value; `IN ('one')` is a one-element list, on a scan and an index alike."""

from __future__ import annotations

import pytest

from ledger_desktop.engine.errors import UserError


def _rows(led, q: str, *params) -> list:
    tx = led.begin()  # read, then abort: reads are not committed as blocks
    try:
        return list(tx.execute(q, *params))
    finally:
        tx.abort()


def _vins(led, q: str, *params) -> list[str]:
    return sorted(str(r["VIN"]) for r in _rows(led, q, *params))


def test_a_table_in_a_sub_query_is_the_table_not_the_outer_row(sample) -> None:
    """`FROM Vehicle` binds the row variable `Vehicle`; a sub-query's `FROM Vehicle AS x`
    read that row (a bag of one) instead of the table."""
    assert _vins(sample, "SELECT VIN FROM Vehicle WHERE Year IN "
                 "(SELECT VALUE x.Year FROM Vehicle AS x WHERE x.Make = 'Audi')") == \
        _vins(sample, "SELECT VIN FROM Vehicle AS v WHERE v.Year IN "
              "(SELECT VALUE x.Year FROM Vehicle AS x WHERE x.Make = 'Audi')")
    assert len(_vins(sample, "SELECT VIN FROM Vehicle WHERE Year IN "
                     "(SELECT VALUE x.Year FROM Vehicle AS x WHERE x.Make = 'Audi')")) == 2
    counts = _rows(sample, "SELECT VALUE (SELECT VALUE COUNT(*) FROM Vehicle) FROM Vehicle")
    assert [list(c) for c in counts] == [[5]] * 5
    assert list(_rows(sample, "SELECT VALUE COUNT(*) FROM Vehicle, Vehicle AS v2")) == [25]
    # `@name` is the variable
    assert len(_rows(sample, "SELECT VALUE x FROM Vehicle AS v, @v AS x")) == 5


def test_a_sub_query_compared_as_one_value(sample) -> None:
    (avg,) = _rows(sample, "SELECT VALUE AVG(Year) FROM Vehicle")
    above = _vins(sample, "SELECT VIN FROM Vehicle WHERE Year > ?", avg)
    assert len(above) == 2  # matched nothing: a year compared with a bag
    assert _vins(sample, "SELECT VIN FROM Vehicle AS v WHERE v.Year > "
                 "(SELECT VALUE AVG(Year) FROM Vehicle)") == above
    unregistered = _vins(sample, "SELECT v.VIN FROM Vehicle AS v WHERE 0 = (SELECT COUNT(*) "
                         "FROM VehicleRegistration AS r WHERE r.VIN = v.VIN)")
    assert unregistered == ["1HVBBAANXWH544237"]
    # no row: NULL, so nothing matches; between works too
    assert _rows(sample, "SELECT VIN FROM Vehicle WHERE Year = "
                 "(SELECT VALUE Year FROM Vehicle AS x WHERE x.Make = 'none')") == []
    assert len(_rows(sample, "SELECT VIN FROM Vehicle WHERE Year BETWEEN "
                     "(SELECT VALUE MIN(Year) FROM Vehicle) AND 3000")) == 5
    with pytest.raises(UserError, match="gave 5 rows; use IN or EXISTS"):
        _rows(sample, "SELECT VIN FROM Vehicle WHERE Year = (SELECT VALUE Year FROM Vehicle)")


@pytest.mark.parametrize("q, params", [
    ("SELECT VIN FROM Vehicle WHERE VIN IN ('1N4AL11D75C109151')", ()),   # indexed: was []
    ("SELECT VIN FROM Vehicle WHERE VIN IN ?", ("1N4AL11D75C109151",)),    # indexed: was []
    ("SELECT VIN FROM Vehicle WHERE VIN IN (?)", ("1N4AL11D75C109151",)),
    ("SELECT VIN FROM Vehicle AS v WHERE v.Make IN ('Audi')", ()),          # scan: an error
    ("SELECT VIN FROM Vehicle AS v WHERE v.Make IN (?)", ("Audi",)),
])
def test_in_one_value_is_a_one_element_list(sample, q: str, params) -> None:
    assert _vins(sample, q, *params) == ["1N4AL11D75C109151"]


def test_a_document_id_lookup_by_a_one_value_sub_query(sample) -> None:
    """`WHERE pid = (SELECT VALUE id …)` on a BY variable (a document-id lookup) and
    `h.metadata.id = (SELECT …)` on history() looked the bag itself up, so UPDATE and DELETE
    silently changed nothing."""
    pick = "(SELECT VALUE id FROM Person BY id WHERE GovId = 'LEWISR261LL')"
    got = _rows(sample, f"SELECT p.GovId FROM Person AS p BY pid WHERE pid = {pick}")
    assert [str(r["GovId"]) for r in got] == ["LEWISR261LL"]
    assert len(_rows(sample, f"SELECT * FROM history(Person) AS h WHERE h.metadata.id = "
                     f"{pick}")) >= 1
    with sample.transaction() as tx:
        changed = list(tx.execute(f"UPDATE Person AS p BY pid SET p.Nick = 'R' WHERE pid = {pick}"))
    assert len(changed) == 1
    assert [str(r["Nick"]) for r in _rows(sample, "SELECT Nick FROM Person WHERE "
                                          "GovId = 'LEWISR261LL'")] == ["R"]
    with sample.transaction() as tx:
        assert len(list(tx.execute(f"DELETE FROM Person AS p BY pid WHERE pid = {pick}"))) == 1
    assert _rows(sample, "SELECT * FROM Person WHERE GovId = 'LEWISR261LL'") == []
