"""Journal streams: QLDB's records, checkpoints and resume, at-least-once, follow, Kinesis."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import boto3
import pytest
from amazon.ion import simpleion
from click.testing import CliRunner

from ledger_desktop.cli import main
from ledger_desktop.engine.blocks import check_block, check_link
from ledger_desktop.engine.cancel import CancelToken
from ledger_desktop.engine.ion_values import dumps_binary
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.stream_sinks import FileSink, iter_file_records
from ledger_desktop.engine.streams import Checkpoint, rebuild_blocks, run_stream

from .kinesis_consumer import read_all
from .ledgers import varied_ledger


@pytest.fixture()
def ledger_path(tmp_path: Path) -> Path:
    path = tmp_path / "s.ledger"
    varied_ledger(path, people=3).close()
    return path


def assert_chain(blocks: list, ledger: Ledger) -> None:
    """The consumer's check, as QLDB's sample does: every block sound, every link intact."""
    assert [int(b["blockAddress"]["sequenceNo"]) for b in blocks] == list(
        range(ledger.block_count()))
    for i, b in enumerate(blocks):
        assert check_block(b) == []
        assert dumps_binary(b) == dumps_binary(ledger.block(i))
        if i:
            assert check_link(blocks[i - 1], b) is None


def add_person(path: Path, name: str) -> None:
    with Ledger.open(path) as led, led.transaction() as tx:
        t = tx.table("Person").table_id
        tx.insert(t, {"name": name}, tx.begin_statement("INSERT INTO Person ?", [{"name": name}]))


def test_records_rebuild_the_journal(tmp_path: Path, ledger_path: Path) -> None:
    out = tmp_path / "out"
    with Ledger.open(ledger_path, read_only=True) as led:
        cp = Checkpoint.load(out / "cp.json", "ion_binary")
        sink = FileSink(out, cp.stream_id, "ion_binary")
        out.mkdir(exist_ok=True)
        r = run_stream(led, sink, cp, region="eu-west-1")
        sink.close()
        records = list(iter_file_records(out))
        kinds = [(str(x["recordType"]), x["payload"].get("controlRecordType")) for x in records]
        assert kinds[0] == ("CONTROL", "CREATED") and kinds[-1] == ("CONTROL", "COMPLETED")
        summaries = [x for x in records if str(x["recordType"]) == "BLOCK_SUMMARY"]
        details = [x for x in records if str(x["recordType"]) == "REVISION_DETAILS"]
        assert len(summaries) == led.block_count() == r.blocks
        user_revisions = sum(1 for i in range(led.block_count())
                             for rev in led.block(i).get("revisions", []) if "metadata" in rev)
        assert len(details) == user_revisions and r.records == len(records)
        assert all(str(x["qldbStreamArn"]) == r.arn for x in records)
        assert r.arn.startswith("arn:aws:qldb:eu-west-1:") and r.arn.endswith(
            f"stream/s/{r.stream_id}")
        d = details[0]["payload"]
        assert str(d["tableInfo"]["tableName"]) == "Person" and "revision" in d
        assert "revisions" not in summaries[0]["payload"]
        assert_chain(rebuild_blocks(records), led)
        assert json.loads((out / "cp.json").read_text())["nextSequence"] == led.block_count()


def test_checkpoint_resumes_and_redelivery_is_harmless(tmp_path: Path,
                                                       ledger_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()

    class Flaky(FileSink):
        """Writes records, then fails once after `fail_after` sends (a crash mid-stream)."""

        sends = 0
        fail_after = 3

        def send(self, records):
            Flaky.sends += 1
            super().send(records)
            if Flaky.sends == Flaky.fail_after:
                raise OSError("disk went away after writing")

    with Ledger.open(ledger_path, read_only=True) as led:
        cp = Checkpoint.load(out / "cp.json", "ion_binary")
        sink = Flaky(out, cp.stream_id, "ion_binary")
        with pytest.raises(OSError):
            run_stream(led, sink, cp, batch_records=4)
        sink.close()
        stopped_at = Checkpoint.load(out / "cp.json", "ion_binary").next_sequence
        assert 0 < stopped_at < led.block_count()
    add_person(ledger_path, "late")
    with Ledger.open(ledger_path, read_only=True) as led:
        cp = Checkpoint.load(out / "cp.json", "ion_binary")
        sink = FileSink(out, cp.stream_id, "ion_binary")
        r = run_stream(led, sink, cp, batch_records=4)
        sink.close()
        assert r.completed and r.next_sequence == led.block_count()
        records = list(iter_file_records(out))
        created = [x for x in records if x["payload"].get("controlRecordType") == "CREATED"]
        assert len(created) == 1  # one stream, resumed
        n_summaries = sum(1 for x in records if str(x["recordType"]) == "BLOCK_SUMMARY")
        assert n_summaries > led.block_count()  # the failed batch was delivered again
        assert_chain(rebuild_blocks(records), led)


def test_from_sequence_and_json_records(tmp_path: Path, ledger_path: Path) -> None:
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["stream", str(ledger_path), "--to", f"file:{out}",
                                  "--format", "json", "--from-sequence", "3", "-q"])
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for p in sorted(out.glob("*.jsonl")) for x in p.read_text().splitlines()]
    seqs = [x["payload"]["blockAddress"]["sequenceNo"] for x in lines
            if x["recordType"] == "BLOCK_SUMMARY"]
    with Ledger.open(ledger_path, read_only=True) as led:
        assert seqs == list(range(3, led.block_count()))
    assert isinstance(lines[1]["payload"]["blockHash"], str)  # base64, as QLDB down-converts
    r = CliRunner().invoke(main, ["stream", str(ledger_path), "--to", f"file:{out}", "-q"])
    assert r.exit_code == 2 and "--format json" in r.output


def test_from_sequence_past_the_end_is_refused(tmp_path: Path, ledger_path: Path) -> None:
    """Accepted, it moved the checkpoint past the tip: a later run skipped the blocks
    committed in between, and the stream silently lost them."""
    out = tmp_path / "out"
    with Ledger.open(ledger_path, read_only=True) as led:
        count = led.block_count()
    r = CliRunner().invoke(main, ["stream", str(ledger_path), "--to", f"file:{out}",
                                  "--from-sequence", str(count + 5), "-q"])
    assert r.exit_code == 2
    assert f"past the end of the journal (blocks 0..{count - 1}); at most {count}" in r.output
    assert not (out / "checkpoint.json").exists()
    # the next block to be committed is a valid start: nothing yet, then what follows
    r = CliRunner().invoke(main, ["stream", str(ledger_path), "--to", f"file:{out}",
                                  "--from-sequence", str(count), "-q"])
    assert r.exit_code == 0, r.output
    with Ledger.open(ledger_path) as led:
        led.execute("INSERT INTO Vehicle {'VIN': 'after'}")
    r = CliRunner().invoke(main, ["stream", str(ledger_path), "--to", f"file:{out}", "-q"])
    assert r.exit_code == 0, r.output
    seqs = [x["payload"]["blockAddress"]["sequenceNo"] for x in iter_file_records(out)
            if str(x["recordType"]) == "BLOCK_SUMMARY"]
    assert seqs == [count]


def test_a_checkpoint_follows_one_ledger(tmp_path: Path, ledger_path: Path) -> None:
    """Another ledger streamed with the same checkpoint (a shared destination folder) started
    at the first ledger's next block: it sent nothing, or only its later blocks, silently."""
    from ledger_desktop.engine.sample import build_sample

    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["stream", str(ledger_path), "--to", f"file:{out}",
                                     "-q"]).exit_code == 0
    cp = json.loads((out / "checkpoint.json").read_text())
    with Ledger.open(ledger_path, read_only=True) as led:
        assert cp["strandId"] == led.strand_id
    other = build_sample(tmp_path / "other.ledger")
    r = CliRunner().invoke(main, ["stream", str(other), "--to", f"file:{out}", "-q"])
    assert r.exit_code == 2 and "this checkpoint follows another ledger" in r.output
    # a checkpoint written before the strand was kept: its position must still fit the ledger
    del cp["strandId"]
    (out / "checkpoint.json").write_text(json.dumps(cp))
    short = tmp_path / "short.ledger"
    Ledger.create(short).close()
    r = CliRunner().invoke(main, ["stream", str(short), "--to", f"file:{out}", "-q"])
    assert r.exit_code == 2 and "next block is" in r.output and "has 1 block:" in r.output
    r = CliRunner().invoke(main, ["stream", str(ledger_path), "--to", f"file:{out}", "-q"])
    assert r.exit_code == 0, r.output   # its own ledger: taken, and the strand recorded
    with Ledger.open(ledger_path, read_only=True) as led:
        assert json.loads((out / "checkpoint.json").read_text())["strandId"] == led.strand_id


def test_a_new_stream_gets_files_of_its_own(tmp_path: Path, ledger_path: Path) -> None:
    """After a stream completed, the next run is a new stream; its records went into a file
    named after the stream before it."""
    out = tmp_path / "out"
    run = ["stream", str(ledger_path), "--to", f"file:{out}", "-q"]
    assert CliRunner().invoke(main, run).exit_code == 0
    first = json.loads((out / "checkpoint.json").read_text())["streamId"]
    add_person(ledger_path, "Later")
    assert CliRunner().invoke(main, run).exit_code == 0
    second = json.loads((out / "checkpoint.json").read_text())["streamId"]
    assert second != first
    for f in out.glob("*.ion"):
        arns = {str(r["qldbStreamArn"])
                for r in simpleion.loads(f.read_bytes(), single_value=False)}
        assert arns and all(a.endswith("/" + f.name.split(".")[0]) for a in arns), f.name
    assert {f.name.split(".")[0] for f in out.glob("*.ion")} == {first, second}


@pytest.mark.parametrize("field, value", [
    ("streamId", "../escaped"), ("streamId", 7), ("nextSequence", -5),
    ("nextSequence", True), ("nextSequence", 5.7), ("createdSent", "false")])
def test_a_checkpoint_with_odd_fields_is_refused(tmp_path: Path, ledger_path: Path,
                                                 field: str, value: object) -> None:
    """A streamId "../escaped" wrote the record files outside the folder; true, 5.7 and
    "false" were read as 1, 5 and True."""
    out = tmp_path / "out"
    out.mkdir()
    cp = {"streamId": "A" * 22, "nextSequence": 0, "createdSent": False}
    cp[field] = value
    (out / "checkpoint.json").write_text(json.dumps(cp))
    r = CliRunner().invoke(main, ["stream", str(ledger_path), "--to", f"file:{out}", "-q"])
    assert r.exit_code == 2 and "not a stream checkpoint" in r.output, r.output
    assert sorted(p.name for p in tmp_path.rglob("*.ion")) == []


def test_stream_of_a_missing_ledger_makes_no_folder(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["stream", str(tmp_path / "nope.ledger"),
                                  "--to", f"file:{tmp_path / 'out'}", "-q"])
    assert r.exit_code == 2 and not (tmp_path / "out").exists()


def test_follow_streams_new_blocks_until_cancelled(tmp_path: Path, ledger_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    token = CancelToken()
    result: dict = {}
    with Ledger.open(ledger_path, read_only=True) as led:
        start = led.block_count()
    idle_calls = threading.Event()

    def run() -> None:
        with Ledger.open(ledger_path, read_only=True) as led:
            cp = Checkpoint.load(out / "cp.json", "ion_binary")
            sink = FileSink(out, cp.stream_id, "ion_binary")
            result["r"] = run_stream(led, sink, cp, follow=True, poll_interval=0.02,
                                     cancel=token, idle=idle_calls.set)
            sink.close()

    t = threading.Thread(target=run)
    t.start()
    try:
        assert idle_calls.wait(20), "the stream never caught up with the tip"
        add_person(ledger_path, "followed")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            cp = json.loads((out / "cp.json").read_text())
            if cp["nextSequence"] == start + 1:
                break
            time.sleep(0.02)
    finally:
        token.cancel()
        t.join(20)
    assert not t.is_alive()
    assert result["r"].next_sequence == start + 1 and not result["r"].completed
    records = list(iter_file_records(out))
    assert not any(x["payload"].get("controlRecordType") == "COMPLETED" for x in records)
    last = [x for x in records if str(x["recordType"]) == "REVISION_DETAILS"][-1]
    assert str(last["payload"]["revision"]["data"]["name"]) == "followed"


def test_kinesis_stream_is_consumed_and_verified(tmp_path: Path, ledger_path: Path,
                                                 kinesis_endpoint: str) -> None:
    client = boto3.client("kinesis", endpoint_url=kinesis_endpoint, region_name="us-east-1")
    client.create_stream(StreamName="journal", ShardCount=2)
    client.get_waiter("stream_exists").wait(StreamName="journal",
                                            WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
    cp = tmp_path / "cp.json"
    args = ["stream", str(ledger_path), "--to", "kinesis:journal", "--endpoint-url",
            kinesis_endpoint, "--region", "us-east-1", "--checkpoint", str(cp), "-q"]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0, r.output
    assert "completed" in r.output
    add_person(ledger_path, "second run")
    r = CliRunner().invoke(main, args)  # a completed stream: a new one picks up from there
    assert r.exit_code == 0, r.output
    records = [simpleion.loads(d) for d in read_all(client, "journal")]
    created = [x for x in records if x["payload"].get("controlRecordType") == "CREATED"]
    assert len(created) == 2
    with Ledger.open(ledger_path, read_only=True) as led:
        assert_chain(rebuild_blocks(records), led)
    r = CliRunner().invoke(main, ["stream", str(ledger_path), "--to", "kinesis:missing",
                                  "--endpoint-url", kinesis_endpoint, "--region", "us-east-1",
                                  "--checkpoint", str(tmp_path / "cp2.json"), "-q"])
    assert r.exit_code == 2 and "does not exist" in r.output and "Traceback" not in r.output


def test_cli_follow_stops_on_ctrl_c_and_resumes(tmp_path: Path, ledger_path: Path) -> None:
    import signal
    import subprocess
    import sys

    out = tmp_path / "out"
    cmd = [sys.executable, "-c", "from ledger_desktop.cli import main; main()", "stream",
           str(ledger_path), "--to", f"file:{out}", "--follow", "--poll-interval", "0.05", "-q"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with Ledger.open(ledger_path, read_only=True) as led:
        count = led.block_count()
    cp = out / "checkpoint.json"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if cp.exists() and json.loads(cp.read_text())["nextSequence"] == count:
            break
        time.sleep(0.05)
    add_person(ledger_path, "while following")
    while time.monotonic() < deadline and proc.poll() is None:
        if json.loads(cp.read_text())["nextSequence"] == count + 1:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert f"stopped; the checkpoint is at block {count + 1}" in err and "Traceback" not in err
    add_person(ledger_path, "after the stop")
    r = CliRunner().invoke(main, ["stream", str(ledger_path), "--to", f"file:{out}", "-q"])
    assert r.exit_code == 0, r.output
    records = list(iter_file_records(out))
    created = [x for x in records if x["payload"].get("controlRecordType") == "CREATED"]
    assert len(created) == 1  # the same stream, resumed
    with Ledger.open(ledger_path, read_only=True) as led:
        assert_chain(rebuild_blocks(records), led)


def test_kinesis_stream_with_kpl_aggregation(tmp_path: Path, ledger_path: Path,
                                             kinesis_endpoint: str) -> None:
    """--aggregate packs records as QLDB does by default; the consumer de-aggregates (with the
    KPL's own deaggregator, as QLDB's sample Lambda does) and verifies the chain."""
    import base64

    from aws_kinesis_agg.deaggregator import deaggregate_records

    client = boto3.client("kinesis", endpoint_url=kinesis_endpoint, region_name="us-east-1")
    client.create_stream(StreamName="packed", ShardCount=1)
    client.get_waiter("stream_exists").wait(StreamName="packed",
                                            WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
    r = CliRunner().invoke(main, ["stream", str(ledger_path), "--to", "kinesis:packed",
                                  "--endpoint-url", kinesis_endpoint, "--region", "us-east-1",
                                  "--checkpoint", str(tmp_path / "cp.json"), "--aggregate",
                                  "-q"])
    assert r.exit_code == 0, r.output
    raw = read_all(client, "packed")
    events = [{"kinesis": {"data": base64.b64encode(d).decode(), "partitionKey": "k",
                           "sequenceNumber": str(i), "kinesisSchemaVersion": "1.0",
                           "approximateArrivalTimestamp": 0.0}} for i, d in enumerate(raw)]
    user = [base64.b64decode(e["kinesis"]["data"]) for e in deaggregate_records(events)]
    assert len(raw) < len(user)  # several stream records share one Kinesis record
    records = [simpleion.loads(d) for d in user]
    assert str(records[0]["recordType"]) == "CONTROL"
    with Ledger.open(ledger_path, read_only=True) as led:
        assert_chain(rebuild_blocks(records), led)
    r = CliRunner().invoke(main, ["stream", str(ledger_path), "--to", f"file:{tmp_path / 'f'}",
                                  "--aggregate", "-q"])
    assert r.exit_code == 2 and "does not apply to files" in r.output
