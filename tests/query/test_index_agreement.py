"""Property: an index lookup finds exactly what a full scan with the same `=` finds, for values
of every scalar Ion type (numbers across int/decimal/float, strings vs symbols, timestamps)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from amazon.ion.core import IonType, Timestamp, TimestampPrecision
from amazon.ion.simple_types import IonPySymbol
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger_desktop.engine.ledger import Ledger

small_ints = st.integers(-3, 3)
scalars = st.one_of(
    small_ints,
    small_ints.map(lambda i: Decimal(i).quantize(Decimal("0.0"))),   # 1.0 equals 1
    small_ints.map(float),
    st.sampled_from([Decimal("0.1"), 0.1, Decimal("2.50"), 2.5, True, False]),
    st.sampled_from(["a", "b", "1"]),
    st.sampled_from(["a", "b"]).map(lambda t: IonPySymbol.from_value(IonType.SYMBOL, t)),
    st.sampled_from([
        Timestamp(2019, 1, 1, precision=TimestampPrecision.DAY),
        Timestamp(2019, 1, 1, 0, 0, 0, 0, dt.UTC, precision=TimestampPrecision.SECOND),
        Timestamp(2019, 1, 1, 1, 0, 0, 0, dt.timezone(dt.timedelta(hours=1)),
                  precision=TimestampPrecision.MINUTE),
    ]),
)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(scalars, min_size=1, max_size=8), probe=scalars)
def test_index_and_scan_agree(tmp_path_factory, values, probe):
    path = tmp_path_factory.mktemp("agree") / "a.ledger"
    with Ledger.create(path) as ledger:
        ledger.execute("CREATE TABLE T")
        ledger.execute("CREATE INDEX ON T (k)")
        with ledger.transaction() as tx:
            stmt = tx.begin_statement("INSERT INTO T ?")
            tid = tx.table("T").table_id
            for i, v in enumerate(values):
                tx.insert(tid, {"i": i, "k": v, "copy": v}, stmt)
        by_index = ledger.execute("SELECT VALUE t.i FROM T t WHERE t.k = ?", probe)
        by_scan = ledger.execute("SELECT VALUE t.i FROM T t WHERE t.copy = ?", probe)
        assert "index lookup" in ledger.execute(
            "EXPLAIN SELECT * FROM T t WHERE t.k = ?", probe).plan[0]
        assert sorted(by_index.values) == sorted(by_scan.values)
        assert by_index.documents_examined == len(by_index.values)


@pytest.mark.parametrize("stored, probe", [
    ("[1]", "[1.0]"), ("['a']", "[`a`]"), ("{'x': 1}", "{'x': 1.0}"), ("[[1], 2]", "[[1.0], 2e0]"),
    ("1152921504606846976", "1152921504606846976e0"), ("100000000000000000000000", "1e23"),
    ("1", "1e0"), ("0.1", "0.1e0")])
def test_containers_and_large_numbers_agree(tmp_path, stored: str, probe: str) -> None:
    """A container is keyed by its Ion Hash but `=` compares it by value ([1] = [1.0]): the
    index missed it (lookups, IN, joins, and the conflict check that follows them). An int
    compared with a float exactly (2**60 = 2**60e0) where the index and DISTINCT used the
    float's shortest form: they disagreed, and `=` was not transitive."""
    with Ledger.create(tmp_path / "a.ledger") as led:
        for s in ("CREATE TABLE A", "CREATE TABLE B", "CREATE INDEX ON A (f)"):
            led.execute(s)
        for t in "AB":
            led.execute(f"INSERT INTO {t} VALUE {{'f': {stored}, 'k': 1}}")
        tx = led.begin()
        by_index = list(tx.execute(f"SELECT VALUE k FROM A WHERE f = {probe}"))
        by_scan = list(tx.execute(f"SELECT VALUE k FROM B WHERE f = {probe}"))
        as_in = list(tx.execute(f"SELECT VALUE k FROM A WHERE f IN ({probe}, 'z')"))
        joined = list(tx.execute("SELECT VALUE a.k FROM B AS b JOIN A AS a ON a.f = b.f"))
        equal = list(tx.execute(f"SELECT VALUE {stored} = {probe} FROM << 0 >>"))
        tx.abort()
    assert by_index == by_scan == as_in == ([1] if equal == [True] else [])
    assert joined == [1]
