"""Kinesis Producer Library (KPL) record aggregation, as QLDB streams use by default.

QLDB's `StreamJournalToKinesis` packs several stream records into one Kinesis record when
`AggregationEnabled` is true (its default); consumers de-aggregate them (the KCL, or the
`aws_kinesis_agg` deaggregator QLDB's samples use). The format (KPL's aggregation-format.md):

    magic 0xF3 0x89 0x9A 0xC2 | protobuf AggregatedRecord | MD5 of the protobuf bytes

    message AggregatedRecord { repeated string partition_key_table = 1;
                               repeated string explicit_hash_key_table = 2;
                               repeated Record records = 3; }
    message Record { required uint64 partition_key_index = 1;
                     optional uint64 explicit_hash_key_index = 2;
                     required bytes data = 3; }

The few protobuf fields are written here directly (varints and length-delimited fields), so
the engine needs no protobuf runtime; `deaggregate` reads them back (the tests also check the
output with the `aws_kinesis_agg` deaggregator).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

MAGIC = b"\xf3\x89\x9a\xc2"
_DIGEST_SIZE = 16
#: The KPL's default AggregationMaxSize: an aggregated record stays under 50 KiB.
DEFAULT_MAX_BYTES = 51_200


def _varint(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _delimited(field: int, payload: bytes) -> bytes:
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


def _record(key_index: int, data: bytes) -> bytes:
    return _varint(1 << 3) + _varint(key_index) + _delimited(3, data)


def encode(records: list[tuple[str, bytes]]) -> bytes:
    """One aggregated Kinesis record holding `records` ((partition key, data) pairs)."""
    keys: dict[str, int] = {}
    body = bytearray()
    for key, data in records:
        index = keys.setdefault(key, len(keys))
        body += _delimited(3, _record(index, data))
    table = b"".join(_delimited(1, k.encode("utf-8")) for k in keys)
    message = table + bytes(body)
    return MAGIC + message + hashlib.md5(message).digest()


def aggregate(records: Iterable[tuple[str, bytes]],
              max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[tuple[str, bytes, int]]:
    """Pack (partition key, data) records, in order, into aggregated Kinesis records of at most
    `max_bytes`; yields (partition key of the first record, Kinesis data, records packed).
    A record too large to share a Kinesis record is yielded alone, not aggregated."""
    batch: list[tuple[str, bytes]] = []
    keys: set[str] = set()
    size = len(MAGIC) + _DIGEST_SIZE
    for key, data in records:
        record_size = len(_delimited(3, _record(len(keys), data)))
        key_size = 0 if key in keys else len(_delimited(1, key.encode("utf-8")))
        if size + record_size + key_size > max_bytes:
            if batch:
                yield batch[0][0], encode(batch), len(batch)
                batch, keys, size = [], set(), len(MAGIC) + _DIGEST_SIZE
                key_size = len(_delimited(1, key.encode("utf-8")))
            if size + record_size + key_size > max_bytes:
                yield key, data, 1  # alone; a consumer's deaggregator passes it through
                continue
        batch.append((key, data))
        keys.add(key)
        size += record_size + key_size
    if batch:
        yield batch[0][0], encode(batch), len(batch)


def _read_varint(data: bytes, pos: int, end: int) -> tuple[int, int]:
    n = shift = 0
    while True:
        if pos >= end or shift > 63:
            raise ValueError("KPL aggregated record: truncated varint")
        b = data[pos]
        pos += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, pos


def _fields(data: bytes, pos: int, end: int) -> Iterator[tuple[int, int, object]]:
    """(field number, wire type, value) of a protobuf message in data[pos:end]."""
    while pos < end:
        tag, pos = _read_varint(data, pos, end)
        field, wire = tag >> 3, tag & 7
        if wire == 0:
            value, pos = _read_varint(data, pos, end)
            yield field, wire, value
        elif wire == 2:
            length, pos = _read_varint(data, pos, end)
            if pos + length > end:
                raise ValueError("KPL aggregated record: a field runs past the record")
            yield field, wire, (pos, pos + length)
            pos += length
        else:
            raise ValueError(f"KPL aggregated record: unexpected wire type {wire}")


def deaggregate(data: bytes) -> list[tuple[str | None, bytes]]:
    """The user records in one Kinesis record's data: (partition key, data) pairs, or
    [(None, data)] for a record that is not aggregated (or whose checksum does not match,
    which the KPL's deaggregators also treat as a plain record)."""
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + _DIGEST_SIZE:
        return [(None, data)]
    start, end = len(MAGIC), len(data) - _DIGEST_SIZE
    if hashlib.md5(data[start:end]).digest() != data[end:]:
        return [(None, data)]
    keys: list[str] = []
    out: list[tuple[int, bytes]] = []
    for field, wire, value in _fields(data, start, end):
        if field == 1 and wire == 2:
            a, b = value  # type: ignore[misc]
            keys.append(data[a:b].decode("utf-8"))
        elif field == 3 and wire == 2:
            a, b = value  # type: ignore[misc]
            index, payload = 0, b""
            for f, w, v in _fields(data, a, b):
                if f == 1 and w == 0:
                    index = v  # type: ignore[assignment]
                elif f == 3 and w == 2:
                    pa, pb = v  # type: ignore[misc]
                    payload = data[pa:pb]
            out.append((index, payload))
    result = []
    for index, payload in out:
        if index >= len(keys):
            raise ValueError("KPL aggregated record: a partition key index is out of range")
        result.append((keys[index], payload))
    return result
