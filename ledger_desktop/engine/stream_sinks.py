"""Destinations for journal stream records: a directory of record files, or Kinesis.

Both implement `streams.Sink`: `send(records)` returns only when the records are durable
(fsynced) or accepted by Kinesis, so the stream's checkpoint never runs ahead of delivery.
"""

from __future__ import annotations

import contextlib
import errno
import os
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .errors import LedgerError, UserError
from .kpl_aggregation import DEFAULT_MAX_BYTES
from .kpl_aggregation import aggregate as kpl_aggregate

#: Kinesis PutRecords limits: 500 records and 5 MiB per call, 1 MiB per record (data + key).
KINESIS_MAX_RECORDS = 500
KINESIS_MAX_BATCH_BYTES = 5 * 1024 * 1024
KINESIS_MAX_RECORD_BYTES = 1024 * 1024
RETRYABLE = {"ProvisionedThroughputExceededException", "InternalFailure", "KMSThrottlingException",
             "ThrottlingException", "LimitExceededException", "ServiceUnavailable",
             "InternalFailureException"}


class StreamDeliveryError(LedgerError):
    """The destination refused records after every retry; the checkpoint did not move."""


def stream_folder(directory: str | os.PathLike[str]) -> Path:
    """The folder a file stream is written into, made if missing (a file there is refused
    with that said: mkdir said only "File exists")."""
    folder = Path(directory)
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder} is a file; a stream is written into a folder")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class FileSink:
    """Records appended to `<dir>/<streamId>.<n>.<ext>` files (Ion binary stream or JSON Lines).

    Ion binary records are concatenated Ion binary values (each with its version marker), so a
    file reads back as an Ion stream; JSON records are one per line.
    """

    def __init__(self, directory: str | os.PathLike[str], stream_id: str, fmt: str,
                 max_file_bytes: int = 64 << 20) -> None:
        self.dir = stream_folder(directory)
        self.stream_id = stream_id
        self.fmt = fmt
        self.ext = "ion" if fmt == "ion_binary" else "jsonl"
        self.max_file_bytes = max_file_bytes
        existing = sorted(self.dir.glob(f"{stream_id}.*.{self.ext}"))
        self._n = len(existing) + 1 if existing else 1
        self._f: Any = None

    def files(self) -> list[Path]:
        return sorted(self.dir.glob(f"*.{self.ext}"))

    def _file(self) -> Any:
        if self._f is None or self._f.tell() >= self.max_file_bytes:
            if self._f is not None:
                self._f.close()
                self._n += 1
            # Unbuffered: after a failed write no bytes wait in a buffer that close() would
            # append once the file was cut back.
            self._f = open(self.dir / f"{self.stream_id}.{self._n:06d}.{self.ext}", "ab",  # noqa: SIM115
                           buffering=0)
        return self._f

    def send(self, records: list[tuple[bytes, str]]) -> None:
        """Append `records` durably, or (OSError naming the file) leave the file as it was.

        A batch cut short (a full disk) would leave a torn record at the end, and a resumed
        stream starts a new file, so every reader of the files would stop there.
        """
        if not records:
            return
        f = self._file()
        if self.fmt == "json":
            batch = b"".join(data + b"\n" for data, _ in records)
        else:
            batch = b"".join(data for data, _ in records)
        size = os.fstat(f.fileno()).st_size  # O_APPEND: the batch starts at the end
        try:
            view = memoryview(batch)
            while view:  # a raw write may take only part (the disk filling up)
                n = f.write(view)
                if not n:  # never for a regular file; do not spin
                    raise OSError(errno.EIO, os.strerror(errno.EIO))
                view = view[n:]
            os.fsync(f.fileno())
        except BaseException as e:  # a second Ctrl-C mid-write too
            kept = self._take_back(f, size)
            if not isinstance(e, OSError):
                raise
            what = ("the batch was taken back out of the file" if kept else
                    "the file may end with a partial record, which readers will stop at")
            raise OSError(e.errno, f"{e.strerror or e}; {what}", f.name) from e

    def _take_back(self, f: Any, size: int) -> bool:
        """Cut `f` back to `size` bytes and close it (the next batch reopens it); False when
        the file could not be cut back."""
        self._f = None
        try:
            try:
                os.ftruncate(f.fileno(), size)
            except OSError:
                return False
            with contextlib.suppress(OSError):
                os.fsync(f.fileno())
                if size == 0:  # a file this batch created holds nothing: leave no empty file
                    os.unlink(f.name)
            return True
        finally:
            with contextlib.suppress(OSError):
                f.close()

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None


def iter_file_records(directory: str | os.PathLike[str]) -> Iterator[Any]:
    """Read back every record a FileSink wrote in `directory` (for consumers and tests)."""
    import json

    from amazon.ion import simpleion

    for p in sorted(Path(directory).iterdir()):
        if p.suffix == ".ion":
            with open(p, "rb") as f:
                yield from simpleion.load(f, single_value=False, parse_eagerly=False)
        elif p.suffix == ".jsonl":
            with open(p, encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        yield json.loads(line)


class KinesisSink:
    """PutRecords in batches within Kinesis' limits; failed records are retried with backoff."""

    def __init__(self, stream_name: str, *, client: Any = None, endpoint_url: str | None = None,
                 region: str | None = None, max_attempts: int = 8, base_delay: float = 0.05,
                 max_delay: float = 5.0, sleep: Callable[[float], None] = time.sleep,
                 aggregate: bool = False, aggregate_max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        """`aggregate` packs records KPL-style (QLDB's AggregationEnabled, see kpl_aggregation)
        into Kinesis records of at most `aggregate_max_bytes`."""
        if client is None:
            import boto3

            client = boto3.client("kinesis", endpoint_url=endpoint_url, region_name=region)
        self.client = client
        self.stream_name = stream_name
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._sleep = sleep
        self.retries = 0  # records re-sent after throttling or internal failures
        self.aggregate = aggregate
        self.aggregate_max_bytes = aggregate_max_bytes
        self.kinesis_records = 0  # Kinesis records put (fewer than stream records when packed)

    def send(self, records: list[tuple[bytes, str]]) -> None:
        if self.aggregate:
            records = [(data, key) for key, data, _n in kpl_aggregate(
                ((key, data) for data, key in records), self.aggregate_max_bytes)]
        self.kinesis_records += len(records)
        batch: list[dict[str, Any]] = []
        size = 0
        for data, key in records:
            n = len(data) + len(key.encode())
            if n > KINESIS_MAX_RECORD_BYTES:
                raise UserError(f"a stream record of {n} bytes exceeds Kinesis' 1 MiB limit")
            if batch and (len(batch) == KINESIS_MAX_RECORDS or size + n > KINESIS_MAX_BATCH_BYTES):
                self._put(batch)
                batch, size = [], 0
            batch.append({"Data": data, "PartitionKey": key})
            size += n
        if batch:
            self._put(batch)

    def _put(self, entries: list[dict[str, Any]]) -> None:
        from botocore.exceptions import ClientError, EndpointConnectionError

        attempt = 0
        while entries:
            attempt += 1
            try:
                resp = self.client.put_records(StreamName=self.stream_name, Records=entries)
            except ClientError as e:
                code = e.response.get("Error", {}).get("Code", "")
                if code == "ResourceNotFoundException":
                    raise UserError(f"Kinesis stream {self.stream_name!r} does not exist") from None
                if code not in RETRYABLE or attempt >= self.max_attempts:
                    raise StreamDeliveryError(f"Kinesis refused records: {e}") from None
                self._backoff(attempt)
                continue
            except EndpointConnectionError as e:
                if attempt >= self.max_attempts:
                    raise StreamDeliveryError(f"cannot reach Kinesis: {e}") from None
                self._backoff(attempt)
                continue
            if not resp.get("FailedRecordCount"):
                return
            failed = []
            for entry, result in zip(entries, resp["Records"], strict=True):
                if "ErrorCode" in result and result["ErrorCode"]:
                    if result["ErrorCode"] not in RETRYABLE:
                        raise StreamDeliveryError(
                            f"Kinesis refused a record: {result['ErrorCode']}: "
                            f"{result.get('ErrorMessage', '')}")
                    failed.append(entry)
            if attempt >= self.max_attempts:
                raise StreamDeliveryError(f"{len(failed)} record(s) still throttled after "
                                          f"{attempt} attempts")
            self.retries += len(failed)
            entries = failed
            self._backoff(attempt)

    def _backoff(self, attempt: int) -> None:
        # Exponential backoff with full jitter (the usual AWS advice for throttling).
        self._sleep(random.uniform(0, min(self.max_delay, self.base_delay * 2 ** attempt)))

    def close(self) -> None:
        pass
