"""The Kinesis sink against a real local Kinesis-compatible server, and its retry rules."""

from __future__ import annotations

import boto3
import pytest
from amazon.ion import simpleion
from botocore.stub import Stubber

from ledger_desktop.engine.blocks import check_block
from ledger_desktop.engine.stream_sinks import KinesisSink, StreamDeliveryError
from ledger_desktop.engine.streams import encode_record, rebuild_blocks

from .kinesis_consumer import read_all


@pytest.fixture()
def kinesis(kinesis_endpoint):
    client = boto3.client("kinesis", endpoint_url=kinesis_endpoint, region_name="us-east-1")
    return client


def make_stream(client, name: str, shards: int = 2) -> None:
    client.create_stream(StreamName=name, ShardCount=shards)
    client.get_waiter("stream_exists").wait(StreamName=name,
                                            WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})


def test_qldb_records_round_trip_through_kinesis(kinesis, kinesis_endpoint,
                                                 qldb_stream_records) -> None:
    make_stream(kinesis, "qldb-vector")
    summary, _edited, details = qldb_stream_records
    sink = KinesisSink("qldb-vector", endpoint_url=kinesis_endpoint, region="us-east-1")
    records = [(encode_record(r, "ion_binary"), "0007KbqoyqAIch6XRbQ4iA")
               for r in (summary, details)]
    sink.send(records)
    sink.send(records)  # at least once: a re-sent batch is harmless to the consumer
    data = read_all(kinesis, "qldb-vector")
    assert len(data) == 4
    (block,) = rebuild_blocks(simpleion.loads(d) for d in data)
    assert check_block(block) == []
    assert int(block["blockAddress"]["sequenceNo"]) == 3


def test_missing_stream_is_a_clear_error(kinesis_endpoint) -> None:
    from ledger_desktop.engine.errors import UserError

    sink = KinesisSink("nope", endpoint_url=kinesis_endpoint, region="us-east-1")
    with pytest.raises(UserError, match="does not exist"):
        sink.send([(b"x", "k")])


def _stubbed(**kw):
    client = boto3.client("kinesis", region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="x")
    sleeps: list[float] = []
    return client, KinesisSink("s", client=client, sleep=sleeps.append, **kw), sleeps


def test_throttled_records_are_retried_alone() -> None:
    client, sink, sleeps = _stubbed()
    stub = Stubber(client)
    ok = {"SequenceNumber": "1", "ShardId": "shardId-0"}
    throttled = {"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "slow"}
    stub.add_response("put_records", {"FailedRecordCount": 1, "Records": [ok, throttled, ok]},
                      {"StreamName": "s", "Records": [
                          {"Data": b"a", "PartitionKey": "k"}, {"Data": b"b", "PartitionKey": "k"},
                          {"Data": b"c", "PartitionKey": "k"}]})
    stub.add_client_error("put_records", service_error_code="ProvisionedThroughputExceededException",
                          http_status_code=400)
    stub.add_response("put_records", {"Records": [ok]},
                      {"StreamName": "s", "Records": [{"Data": b"b", "PartitionKey": "k"}]})
    with stub:
        sink.send([(b"a", "k"), (b"b", "k"), (b"c", "k")])
        stub.assert_no_pending_responses()
    assert sink.retries == 1 and len(sleeps) == 2


def test_gives_up_after_max_attempts_and_on_fatal_errors() -> None:
    client, sink, _ = _stubbed(max_attempts=2)
    stub = Stubber(client)
    for _ in range(2):
        stub.add_client_error("put_records", service_error_code="ThrottlingException",
                              http_status_code=400)
    with stub, pytest.raises(StreamDeliveryError):
        sink.send([(b"a", "k")])
    client, sink, _ = _stubbed()
    stub = Stubber(client)
    stub.add_client_error("put_records", service_error_code="AccessDeniedException",
                          http_status_code=400)
    with stub, pytest.raises(StreamDeliveryError, match="refused"):
        sink.send([(b"a", "k")])


def test_batches_respect_kinesis_limits() -> None:
    client, sink, _ = _stubbed()
    calls: list[int] = []

    def fake_put(StreamName: str, Records: list) -> dict:  # noqa: N803 - boto3's names
        calls.append(len(Records))
        assert sum(len(r["Data"]) + len(r["PartitionKey"]) for r in Records) <= 5 * 1024 * 1024
        return {"FailedRecordCount": 0, "Records": [{} for _ in Records]}

    client.put_records = fake_put  # counts the calls the sink makes; no network
    sink.send([(b"x", "k")] * 1200)
    assert calls == [500, 500, 200]
    calls.clear()
    sink.send([(b"y" * 900_000, "k")] * 12)
    assert calls == [5, 5, 2]
    from ledger_desktop.engine.errors import UserError

    with pytest.raises(UserError, match="1 MiB"):
        sink.send([(b"z" * (1024 * 1024), "k")])
