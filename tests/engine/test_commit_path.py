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
