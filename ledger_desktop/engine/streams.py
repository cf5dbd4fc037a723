"""Journal streams in QLDB's Kinesis record format, delivered at least once with a checkpoint.

Records (QLDB developer guide, "Streams: records"), each `{qldbStreamArn, recordType, payload}`:

- CONTROL `{controlRecordType: "CREATED"}` first; `"COMPLETED"` when a run reaches its end
  (without `--follow`); a run stopped by the user ends with no COMPLETED, like a cancelled stream;
- one BLOCK_SUMMARY per block: the block without `revisions`, plus `revisionSummaries`
  `[{hash, documentId?}]` mirroring the revisions (hash-only system revisions have no id);
- one REVISION_DETAILS per user revision: `{tableInfo: {tableName, tableId}, revision}`.

Delivery: the records of a batch of blocks are handed to the sink, the sink makes them durable
(fsync, or Kinesis accepted them), and only then the checkpoint moves past those blocks. A crash
between the two re-sends that batch: at least once, never lost. Consumers dedupe and sort, as
QLDB's own sample consumer does (`rebuild_blocks` here).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from . import storage
from .blocks import block_range
from .cancel import CancelToken
from .errors import InputFormatError, UserError
from .gc_pause import paused_gc
from .ids import is_id, new_id
from .ion_hash import write_document
from .ion_passthrough import RecordWriter, Unsupported, loads_many_bare, summary_record
from .ion_values import ion_list, struct
from .journal_reads import (
    FIELD_ORDER,
    assemble_block_bare,
    block_envelope_bare,
    iter_block_rows,
    revision_bare,
    revision_blobs,
)
from .json_down import to_json
from .light_values import Blob, List, Struct, Text

if TYPE_CHECKING:
    from .ledger import Ledger

RECORD_FORMATS = ("ion_binary", "json")
ACCOUNT = "000000000000"  # a local ledger has no AWS account; the ARN keeps QLDB's shape


def stream_arn(region: str, ledger_name: str, stream_id: str) -> str:
    return f"arn:aws:qldb:{region}:{ACCOUNT}:stream/{ledger_name}/{stream_id}"


def _record(arn: str, record_type: str, payload: Any) -> dict[str, Any]:
    return Struct(qldbStreamArn=Text(arn), recordType=Text(record_type), payload=payload)


def control_record(arn: str, kind: str) -> Any:
    return _record(arn, "CONTROL", Struct(controlRecordType=Text(kind)))


def _tables(block: Any) -> dict[str, Any]:
    if "transactionInfo" in block and "documents" in block["transactionInfo"]:
        return dict(block["transactionInfo"]["documents"].items())
    return {}


def _details(arn: str, rev: Any, info: Any) -> dict[str, Any]:
    payload = Struct()
    if info is not None:
        payload["tableInfo"] = Struct(tableName=info["tableName"], tableId=info["tableId"])
    payload["revision"] = rev
    return _record(arn, "REVISION_DETAILS", payload)


def _summary(arn: str, block: Any, summaries: list[Any]) -> dict[str, Any]:
    payload = Struct([(k, v) for k, v in block.items() if k != "revisions"])
    payload["revisionSummaries"] = List(summaries)
    return _record(arn, "BLOCK_SUMMARY", payload)


def block_records(arn: str, block: Any) -> list[Any]:
    """The BLOCK_SUMMARY record of a block and a REVISION_DETAILS record per user revision.

    Records are plain values (str is an Ion string): the same Ion as IonPy values, cheaper.
    """
    tables = _tables(block)
    summaries = []
    details = []
    for rev in block.get("revisions", []):
        if "metadata" not in rev:
            summaries.append(Struct(hash=rev["hash"]))
            continue
        doc_id = Text(rev["metadata"]["id"])
        summaries.append(Struct(hash=rev["hash"], documentId=doc_id))
        details.append(_details(arn, rev, tables.get(doc_id)))
    return [_summary(arn, block, summaries), *details]


def block_record_bytes(arn: str, strand_id: str, body: bytes, rev_rows: list[tuple],
                       fmt: str) -> tuple[str, list[bytes]]:
    """(transaction id, `encode_record` of each of `block_records`) of a stored block (its
    body and revision rows).

    In Ion binary, REVISION_DETAILS records copy the stored document bytes instead of decoding
    and re-encoding them (ion_passthrough); the records read back the same.
    """
    if fmt == "ion_binary" and rev_rows and all(r[7] is None for r in rev_rows):
        stored, block = block_envelope_bare(body)
        try:
            tx_id, tx_time = str(stored["transactionId"]), stored["blockTimestamp"]
            writer = RecordWriter(arn, strand_id, rev_rows[0][0], tx_id, tx_time)
        except Unsupported:
            writer = None
        if writer is not None:
            tables = _tables(block)
            summaries: list[tuple[bytes, str | None]] = []
            out = [b""]
            for row in rev_rows:
                if row[5] in (storage.KIND_HASH_ONLY, storage.KIND_SYSTEM):
                    summaries.append((bytes(row[6]), None))
                    continue
                doc_id = row[2]
                summaries.append((bytes(row[6]), doc_id))
                info = tables.get(doc_id)
                data = writer.record(row, info)
                if data is None:  # written the usual way
                    rev = revision_bare(strand_id, row, tx_id, tx_time,
                                        iter(loads_many_bare(revision_blobs(row))))
                    data = encode_record(_details(arn, rev, info), fmt)
                out.append(data)
            head = summary_record(arn, body, FIELD_ORDER, summaries)
            if head is None:
                head = encode_record(_summary(arn, block, [
                    Struct(hash=Blob(h)) if d is None else Struct(hash=Blob(h), documentId=Text(d))
                    for h, d in summaries]), fmt)
            out[0] = head
            return tx_id, out
    block = assemble_block_bare(strand_id, body, rev_rows)
    return (str(block["transactionId"]),
            [encode_record(r, fmt) for r in block_records(arn, block)])


def encode_record(record: Any, fmt: str) -> bytes:
    """A record's bytes on the wire: Ion binary (QLDB's format) or down-converted JSON.

    Ion binary by `write_document`, as stored documents are: ion-c's writer (dumps_binary)
    changes a timestamp with more than 9 fractional digits, a decimal of more than 34 digits
    or an exponent near its limit, and the record's revision hash then no longer matched its
    data (reliability 117); write_document leaves those to amazon.ion's Python writer.
    """
    if fmt == "ion_binary":
        return write_document(record)
    if fmt == "json":
        return to_json(record).encode("utf-8")
    raise UserError(f"unknown record format {fmt!r}; expected one of {', '.join(RECORD_FORMATS)}")


# ---------------------------------------------------------------------------- consumer side


def rebuild_blocks(records: Iterable[Any]) -> list[Any]:
    """Blocks from stream records, as QLDB's sample consumer rebuilds them.

    Duplicates (at-least-once delivery) are dropped, blocks are ordered by sequence number, and
    each summary's revisions are joined with their REVISION_DETAILS by hash; hash-only system
    revisions stay hash-only. Raises InputFormatError when a user revision's details are
    missing.
    """
    summaries: dict[int, Any] = {}
    details: dict[bytes, Any] = {}
    for rec in records:
        kind = str(rec["recordType"])
        payload = rec["payload"]
        if kind == "BLOCK_SUMMARY":
            summaries.setdefault(int(payload["blockAddress"]["sequenceNo"]), payload)
        elif kind == "REVISION_DETAILS":
            details.setdefault(bytes(payload["revision"]["hash"]), payload["revision"])
    blocks = []
    for seq in sorted(summaries):
        s = summaries[seq]
        revisions = []
        for item in s.get("revisionSummaries", []):
            h = bytes(item["hash"])
            if "documentId" in item:
                if h not in details:
                    raise InputFormatError(f"block {seq}: no REVISION_DETAILS record for "
                                           f"document {item['documentId']}'s revision")
                revisions.append(details[h])
            else:
                revisions.append(struct(("hash", item["hash"])))
        pairs = [(k, v) for k, v in s.items() if k != "revisionSummaries"]
        if revisions:
            pairs.append(("revisions", ion_list(revisions)))
        blocks.append(struct(*pairs))
    return blocks


# ---------------------------------------------------------------------------- producer side


class Sink(Protocol):
    """Where records go. `send` must return only once the records are durable/accepted."""

    def send(self, records: list[tuple[bytes, str]]) -> None: ...

    def close(self) -> None: ...


def _checked(d: Any, key: str, kind: type, *default: Any) -> Any:
    """A checkpoint field of exactly its JSON type (json gives bool for true, int for 5, so
    `int(True)` or `bool("false")` cannot sneak through); absent, the default if any."""
    if key not in d and default:
        return default[0]
    value = d[key]
    if value is None and default and default[0] is None:
        return None
    if type(value) is not kind:
        raise ValueError(f"{key} is not a {kind.__name__}")
    return value


@dataclass
class Checkpoint:
    """Where a stream stands: the next block to send, saved atomically after each batch."""

    path: Path
    stream_id: str
    next_sequence: int = 0
    created_sent: bool = False
    completed: bool = False
    format: str = "ion_binary"
    strand_id: str | None = None   # the ledger it follows (None: written before it was kept)

    @classmethod
    def load(cls, path: str | os.PathLike[str], fmt: str) -> Checkpoint:
        p = Path(path)
        if not p.exists():
            return cls(p, new_id(), format=fmt)
        try:
            d = json.loads(p.read_text("utf-8"))
            cp = cls(p, _checked(d, "streamId", str), _checked(d, "nextSequence", int),
                     _checked(d, "createdSent", bool), _checked(d, "completed", bool, False),
                     _checked(d, "format", str, fmt), _checked(d, "strandId", str, None))
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise InputFormatError(f"{p}: not a stream checkpoint ({e})") from None
        # The stream id names the record files (DIR/<streamId>.<n>.ion): a path such as
        # "../x" would write outside DIR.
        if not is_id(cp.stream_id) or cp.next_sequence < 0:
            raise InputFormatError(f"{p}: not a stream checkpoint (streamId must be a "
                                   "22-character id, nextSequence a block number)")
        if cp.format != fmt:
            raise UserError(f"{p}: this stream was started with --format {cp.format}; "
                            f"use the same format or another checkpoint")
        return cp

    def next_stream(self) -> None:
        """A completed stream is not resumed: the next run is a new stream (new id, CREATED)
        where it ended. Called before a file sink is named after the stream."""
        if self.completed:
            self.stream_id, self.created_sent, self.completed = new_id(), False, False

    def save(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        data = {"streamId": self.stream_id, "nextSequence": self.next_sequence,
                "createdSent": self.created_sent, "completed": self.completed,
                "format": self.format, "strandId": self.strand_id}
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)


@dataclass
class StreamResult:
    stream_id: str
    arn: str
    blocks: int = 0
    records: int = 0
    next_sequence: int = 0
    completed: bool = False


def _check_belongs(checkpoint: Checkpoint, ledger: Ledger, restarting: bool) -> None:
    """A checkpoint follows one ledger. Another ledger's (a shared --checkpoint or directory)
    would start mid-way through this one, or past its end, and skip blocks without a word."""
    where = checkpoint.path
    if checkpoint.strand_id is not None and checkpoint.strand_id != ledger.strand_id:
        raise UserError(f"{where}: this checkpoint follows another ledger (strand "
                        f"{checkpoint.strand_id}; this one is {ledger.strand_id}); use "
                        "another --checkpoint or destination")
    count = ledger.block_count()
    if not restarting and checkpoint.next_sequence > count:
        raise UserError(f"{where}: this checkpoint's next block is {checkpoint.next_sequence}, "
                        f"but the ledger has {count:,} block{'' if count == 1 else 's'}: it is not this ledger's "
                        "checkpoint, or the ledger file was replaced")
    checkpoint.strand_id = ledger.strand_id


def run_stream(ledger: Ledger, sink: Sink, checkpoint: Checkpoint, *,
               from_sequence: int | None = None, follow: bool = False, region: str = "local",
               batch_records: int = 500, poll_interval: float = 0.5,
               progress: Callable[[int, int], None] | None = None,
               cancel: CancelToken | None = None,
               idle: Callable[[], None] | None = None) -> StreamResult:
    """Send the journal from the checkpoint (or `from_sequence`) to `sink`.

    Without `follow` it stops at the current tip and sends COMPLETED; with `follow` it keeps
    polling for new blocks until `cancel` is set (or KeyboardInterrupt). A checkpoint whose
    stream completed starts a new stream (new id, CREATED) where the last one ended.
    """
    fmt = checkpoint.format
    _check_belongs(checkpoint, ledger, from_sequence is not None)
    checkpoint.next_stream()
    if from_sequence is not None:
        if from_sequence < 0:
            raise UserError("--from-sequence must be 0 or more")
        count = ledger.block_count()
        if from_sequence > count:
            # The checkpoint would move there, and a later run would skip the blocks between.
            last = block_range(0, count - 1) if count else "no blocks"
            raise UserError(f"--from-sequence {from_sequence} is past the end of the journal "
                            f"({last}); at most {count}, the next block to be committed")
        checkpoint.next_sequence = from_sequence
    arn = stream_arn(region, ledger.ledger_name, checkpoint.stream_id)
    result = StreamResult(checkpoint.stream_id, arn, next_sequence=checkpoint.next_sequence)
    if not checkpoint.created_sent:
        sink.send([(encode_record(control_record(arn, "CREATED"), fmt), checkpoint.stream_id)])
        checkpoint.created_sent = True
        checkpoint.save()
        result.records += 1
    while True:
        count = ledger.block_count()
        if checkpoint.next_sequence < count:
            with paused_gc():
                _send_range(ledger, sink, checkpoint, arn, count - 1, batch_records, result,
                            progress, cancel)
            continue
        if not follow:
            break
        if cancel is not None and cancel.cancelled:
            return result
        if idle is not None:
            idle()
        time.sleep(poll_interval)
    sink.send([(encode_record(control_record(arn, "COMPLETED"), fmt), checkpoint.stream_id)])
    result.records += 1
    checkpoint.completed = True
    checkpoint.save()
    result.completed = True
    return result


def _send_range(ledger: Ledger, sink: Sink, checkpoint: Checkpoint, arn: str, last: int,
                batch_records: int, result: StreamResult,
                progress: Callable[[int, int], None] | None,
                cancel: CancelToken | None) -> None:
    fmt = checkpoint.format
    batch: list[tuple[bytes, str]] = []
    first = checkpoint.next_sequence
    seq = first - 1

    def flush(seq: int) -> None:  # the batch holds whole blocks up to `seq`
        sink.send(batch)
        result.records += len(batch)
        batch.clear()
        checkpoint.next_sequence = seq + 1
        checkpoint.save()
        result.next_sequence = checkpoint.next_sequence
        if progress:
            progress(seq - first + 1, last - first + 1)

    for seq, body, revs in iter_block_rows(ledger, first, last):
        if cancel is not None:
            cancel.check()
        key, records = block_record_bytes(arn, ledger.strand_id, body, revs, fmt)
        batch.extend((data, key) for data in records)
        result.blocks += 1
        if len(batch) >= batch_records:
            flush(seq)
    if batch:
        flush(seq)

