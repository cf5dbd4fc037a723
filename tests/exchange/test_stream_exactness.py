"""Stream records keep values amazon.ion's C extension (ion-c) changes (reliability.md 117).

A revision holding a timestamp with 10 fractional digits, a 41-digit decimal or `1d6144`
(docs/reliability.md 91) was streamed with ion-c's writer wherever the stored bytes were not
copied (an imported ledger's revisions, and every fallback): the record carried
`.123456789`, 34 digits and `1.000…E+6144`, so its revision hash no longer matched its data and
a consumer rebuilding the blocks found them broken. JSON records cut every such timestamp to 9
digits, from the ledger's own revisions too.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from amazon.ion import simpleion

from ledger_desktop.engine.blocks import as_blob, check_block, compute_revision_hash
from ledger_desktop.engine.exports import export_journal
from ledger_desktop.engine.ion_hash import ion_hash
from ledger_desktop.engine.ion_values import load_python
from ledger_desktop.engine.journal_import import import_journal
from ledger_desktop.engine.journal_reads import iter_block_rows
from ledger_desktop.engine.kpl_aggregation import deaggregate
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.stream_sinks import FileSink, KinesisSink
from ledger_desktop.engine.streams import (
    Checkpoint,
    block_record_bytes,
    rebuild_blocks,
    run_stream,
)

TEN = "2020-01-01T00:00:00.1234567891Z"          # ion-c: refused
ELEVEN = "2007-02-23T12:14:33.12345678901Z"      # ion-c: .000000000
WIDE = "1." + "0" * 40                           # ion-c: 34 digits
DOC = f"{{t: {TEN}, u: {ELEVEN}, d: {WIDE}, e: [1d6144], plain: 1.5}}"
ARN = "arn:aws:qldb:local:000000000000:stream/t/s"


@pytest.fixture(scope="module")
def ledgers(tmp_path_factory) -> dict[str, Path]:
    """The document inserted with PartiQL ("own": stored bytes, copied into records), and the
    same journal imported from an Ion binary export ("imported": revisions with stored
    metadata, which records write again)."""
    folder = tmp_path_factory.mktemp("exact")
    with Ledger.create(folder / "own.ledger") as led:
        led.execute("CREATE TABLE T")
        led.execute(f"INSERT INTO T `{DOC}`")
        led.execute("INSERT INTO T `{plain: 2}`")
        export_journal(led, folder / "exp", fmt="ion_binary")
    import_journal(folder / "exp", folder / "imported.ledger")
    return {"own": folder / "own.ledger", "imported": folder / "imported.ledger"}


class _Kinesis:
    """A Kinesis client that keeps what PutRecords was given."""

    def __init__(self) -> None:
        self.data: list[bytes] = []

    def put_records(self, StreamName: str, Records: list[dict[str, Any]]) -> dict[str, Any]:
        self.data += [r["Data"] for r in Records]
        return {"FailedRecordCount": 0, "Records": [{} for _ in Records]}


def _stream(path: Path, out: Path, fmt: str, to: str) -> list[Any]:
    """Every record as the file sink or a KPL-aggregated Kinesis stream holds it: a JSON
    line's bytes, or the Ion value as amazon.ion's Python reader reads it (exactly)."""
    out.mkdir()
    with Ledger.open(path, read_only=True) as led:
        cp = Checkpoint.load(out / "cp.json", fmt)
        client = _Kinesis()
        sink = (FileSink(out, cp.stream_id, fmt) if to == "file"
                else KinesisSink("s", client=client, aggregate=True))
        run_stream(led, sink, cp)
        sink.close()
    if to == "kinesis":
        raw = [data for packed in client.data for _key, data in deaggregate(packed)]
        return raw if fmt == "json" else [load_python(r) for r in raw]
    (file,) = [p for p in out.iterdir() if p.name.startswith(cp.stream_id)]
    if fmt == "json":
        return [line for line in file.read_bytes().splitlines() if line.strip()]
    return list(simpleion.load_python(io.BytesIO(file.read_bytes()), single_value=False))


def _details(records: list[Any]) -> Any:
    (rev,) = [r["payload"]["revision"] for r in records
              if str(r["recordType"]) == "REVISION_DETAILS"
              and "t" in r["payload"]["revision"]["data"]]
    return rev


@pytest.mark.parametrize("to", ["file", "kinesis"])
@pytest.mark.parametrize("which", ["own", "imported"])
def test_ion_binary_records_keep_the_values_and_their_hash(ledgers, tmp_path, which, to):
    records = _stream(ledgers[which], tmp_path / "out", "ion_binary", to)
    rev = _details(records)
    data = rev["data"]
    assert str(data["t"].fractional_seconds) == "0.1234567891"
    assert str(data["u"].fractional_seconds) == "0.12345678901"
    assert data["d"].as_tuple() == Decimal(WIDE).as_tuple()
    assert data["e"][0].as_tuple() == Decimal("1E+6144").as_tuple()
    assert ion_hash(data) == ion_hash(load_python(DOC))
    assert compute_revision_hash(rev) == as_blob(rev["hash"])
    blocks = rebuild_blocks(records)  # as a consumer does: every block still checks
    with Ledger.open(ledgers[which], read_only=True) as led:
        assert len(blocks) == led.block_count()
    assert all(check_block(b) == [] for b in blocks)


@pytest.mark.parametrize("to", ["file", "kinesis"])
@pytest.mark.parametrize("which", ["own", "imported"])
def test_json_records_keep_every_digit(ledgers, tmp_path, which, to):
    raw = _stream(ledgers[which], tmp_path / "out", "json", to)
    line = next(r.decode() for r in raw if b'"REVISION_DETAILS"' in r and b'"t":' in r)
    assert f'"t":"{TEN}"' in line and f'"u":"{ELEVEN}"' in line, line
    assert f'"d":{WIDE}' in line and '"e":[1E+6144]' in line, line
    assert json.loads(line)["payload"]["revision"]["data"]["plain"] == 1.5


@pytest.mark.parametrize("copied", [True, False])
@pytest.mark.parametrize("which", ["own", "imported"])
def test_every_record_path_is_exact(ledgers, monkeypatch, which, copied):
    """block_record_bytes itself, block by block: each streamed revision still hashes to its
    stated hash, whichever way the record was written (`copied` False: the records the
    stored bytes cannot be copied into, written from values, as for an unusual block)."""
    from ledger_desktop.engine import streams

    if not copied:
        monkeypatch.setattr(streams.RecordWriter, "record", lambda *_a: None)
        monkeypatch.setattr(streams, "summary_record", lambda *_a: None)
    with Ledger.open(ledgers[which], read_only=True) as led:
        for _seq, body, revs in iter_block_rows(led):
            _key, got = block_record_bytes(ARN, led.strand_id, body, revs, "ion_binary")
            for rec in map(load_python, got):
                if str(rec["recordType"]) == "REVISION_DETAILS":
                    rev = rec["payload"]["revision"]
                    assert compute_revision_hash(rev) == as_blob(rev["hash"])


def test_a_json_export_keeps_every_digit_too(ledgers, tmp_path):
    """The same JSON down-conversion writes `ledger export --format json`."""
    with Ledger.open(ledgers["own"], read_only=True) as led:
        export_journal(led, tmp_path / "j", fmt="json")
    text = "".join(p.read_text() for p in (tmp_path / "j").rglob("*.json")
                   if "manifest" not in p.name)
    assert f'"t":"{TEN}"' in text and f'"u":"{ELEVEN}"' in text
