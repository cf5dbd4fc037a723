"""Property: an index lookup finds exactly what a full scan with the same `=` finds, for values
of every scalar Ion type (numbers across int/decimal/float, strings vs symbols, timestamps)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

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
