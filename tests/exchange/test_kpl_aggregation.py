"""KPL aggregation: what we pack, the KPL's own deaggregator (aws_kinesis_agg) unpacks."""

from __future__ import annotations

import base64
import os
import random

import pytest
from aws_kinesis_agg.deaggregator import deaggregate_records

from ledger_desktop.engine.kpl_aggregation import MAGIC, aggregate, deaggregate, encode


def _kpl_unpack(data: bytes) -> list[tuple[str, bytes]]:
    event = {"kinesis": {"data": base64.b64encode(data).decode(), "partitionKey": "outer",
                         "sequenceNumber": "1", "kinesisSchemaVersion": "1.0",
                         "approximateArrivalTimestamp": 1764230400.0}}
    return [(r["kinesis"]["partitionKey"], base64.b64decode(r["kinesis"]["data"]))
            for r in deaggregate_records([event])]


def test_the_kpl_deaggregator_reads_what_we_pack() -> None:
    rng = random.Random(5)
    records = [(f"key-{rng.randrange(7)}", os.urandom(rng.randrange(0, 3000)))
               for _ in range(400)]
    packed = list(aggregate(records, max_bytes=20_000))
    assert len(packed) > 1  # split by size
    unpacked = []
    for key, data, count in packed:
        assert len(data) <= 20_000
        assert data.startswith(MAGIC)
        got = _kpl_unpack(data)
        assert len(got) == count and got[0][0] == key
        assert deaggregate(data) == got  # our reader agrees with the KPL's
        unpacked += got
    assert unpacked == records  # order kept, nothing lost or repeated


def test_a_record_too_large_to_share_goes_alone_unaggregated() -> None:
    big = os.urandom(30_000)
    packed = list(aggregate([("a", b"x"), ("b", big), ("c", b"y")], max_bytes=10_000))
    assert [(k, n) for k, _d, n in packed] == [("a", 1), ("b", 1), ("c", 1)]
    assert packed[1][1] == big  # passed through as is
    assert _kpl_unpack(big) == [("outer", big)]  # and a deaggregator passes it through
    assert deaggregate(big) == [(None, big)]


def test_unicode_keys_and_empty_records() -> None:
    records = [("ключ", b""), ("ключ", b"\x00"), ("🔑", b"data")]
    data = encode(records)
    assert _kpl_unpack(data) == records == deaggregate(data)


def test_damaged_aggregates_are_plain_records_or_errors() -> None:
    data = encode([("k", b"abc"), ("k", b"def")])
    damaged = data[:10] + bytes([data[10] ^ 1]) + data[11:]
    assert deaggregate(damaged) == [(None, damaged)]  # checksum fails: not an aggregate
    with pytest.raises(ValueError):
        body = b"\x1a\x05\x08"  # a record field claiming 5 bytes with 1 present
        import hashlib

        deaggregate(MAGIC + body + hashlib.md5(body).digest())
