"""The commit path's shortcuts write exactly what the generic code writes."""

from __future__ import annotations

import datetime as dt

from ledger_desktop.engine.ion_values import dumps_text, loads, timestamp_ms
from ledger_desktop.engine.transaction import _block_ts_text


def test_block_time_text_equals_amazon_ions_text() -> None:
    cases = [dt.datetime(2026, 11, 27, 10, 51, 28, 123000, tzinfo=dt.UTC),
             dt.datetime(2026, 1, 2, 3, 4, 5, 0, tzinfo=dt.UTC),
             dt.datetime(1, 1, 1, 0, 0, 0, 999000, tzinfo=dt.UTC),
             dt.datetime(9999, 12, 31, 23, 59, 59, 7000, tzinfo=dt.UTC)]
    for when in cases:
        ts = timestamp_ms(when)
        assert _block_ts_text(ts) == dumps_text(ts)
    # other shapes (an imported block's time) go through amazon.ion
    for text in ["2026-11-27T10:51:28Z", "2026-11-27T10:51:28.123456Z",
                 "2026-11-27T10:51:28.123-08:00", "2026-11-27T"]:
        ts = loads(text)
        assert _block_ts_text(ts) == dumps_text(ts)


def test_committed_block_body_reads_back_with_its_fields(tmp_path) -> None:
    from ledger_desktop.engine.ledger import Ledger

    led = Ledger.create(tmp_path / "c.ledger")
    led.execute("CREATE TABLE T")
    led.execute("INSERT INTO T VALUE {'a': 1}")
    (body, ts_text) = led._conn.execute(
        "SELECT body, block_ts FROM blocks ORDER BY seq DESC LIMIT 1").fetchone()
    block = loads(body)
    assert dumps_text(block["blockTimestamp"]) == ts_text
    assert str(block["blockAddress"]["strandId"]) == led.strand_id
    info = block["transactionInfo"]
    assert str(info["statements"][0]["statement"]) == "INSERT INTO T VALUE {'a': 1}"
    (doc_id,) = list(info["documents"].keys())
    assert str(info["documents"][doc_id]["tableName"]) == "T"
    assert list(info["documents"][doc_id]["statements"]) == [0]
    assert led.verify().ok


def test_a_finished_transaction_holds_none_of_its_documents(tmp_path) -> None:
    """A kept transaction object held a whole batch of documents (and their parameters)
    until it was dropped; committed or failed, it now lets them go."""
    import gc
    import weakref

    from ledger_desktop.engine.errors import UserError
    from ledger_desktop.engine.ledger import Ledger

    with Ledger.create(tmp_path / "k.ledger") as led:
        led.execute("CREATE TABLE T")
        tid = led.table("T").table_id
        tx = led.begin()
        docs = [loads(f"{{n: {i}}}") for i in range(3)]
        refs = [weakref.ref(d) for d in docs]
        st = tx.begin_statement("INSERT INTO T ?", [docs[0]])
        for d in docs:
            tx.insert(tid, d, st)
        tx.commit()
        del docs, d
        gc.collect()
        assert [r() for r in refs] == [None, None, None]
        assert led.execute("SELECT COUNT(*) AS n FROM T").values[0]["n"] == 3

        tx = led.begin()  # a commit that fails lets go of them as well
        bad = loads("{n: 1}")
        ref = weakref.ref(bad)
        tx.insert(tid, bad, tx.begin_statement("INSERT INTO T ?"))
        bad["oops"] = {1, 2}  # a Python set has no Ion type
        try:
            tx.commit()
        except UserError:
            pass
        else:
            raise AssertionError("the commit should have been refused")
        del bad
        gc.collect()
        assert ref() is None


def test_millisecond_timestamps_equal_the_constructors_for_every_millisecond() -> None:
    from amazon.ion.core import Timestamp, TimestampPrecision

    from ledger_desktop.engine.ion_hash import ion_hash
    from ledger_desktop.engine.ion_values import dumps_binary

    for ms in range(1000):
        when = dt.datetime(2026, 11, 29, 14, 59, 59, ms * 1000 + 999,
                           tzinfo=dt.timezone(dt.timedelta(hours=-8)))
        fast = timestamp_ms(when)
        slow = Timestamp(2026, 11, 29, 22, 59, 59, ms * 1000, dt.UTC,
                         precision=TimestampPrecision.SECOND, fractional_precision=3)
        assert fast == slow
        assert (fast.precision, fast.fractional_precision) == (slow.precision,
                                                               slow.fractional_precision)
        assert fast.fractional_seconds.as_tuple() == slow.fractional_seconds.as_tuple()
        assert dumps_text(fast) == dumps_text(slow)
        assert dumps_binary(fast) == dumps_binary(slow)
        assert ion_hash(fast) == ion_hash(slow)
