"""Journal exports in QLDB's S3 layout: writing them, and reading QLDB's or ours back.

An export directory holds (QLDB developer guide, "Journal export output"):

- `<exportId>.started.manifest`: the request (ledger name, export id, time range, format),
- data objects `<strandId>.<first>-<last>.<ext>`, each with consecutive whole blocks,
- `<exportId>.<strandId>.completed.manifest`: `{keys: [...]}`, the data objects in order.

Manifests use the export's own format. We write data objects under `<exportId>/` so several
exports can share a directory; readers always take the keys from the completed manifest (QLDB
writes full S3 keys, which may start with the export's prefix or dated folders), or, when no
manifest is there, find the data objects by their names.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import io
import json
import mmap
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from amazon.ion import simpleion
from amazon.ion.exceptions import IonException
from amazon.ion.simpleion import IonPyValueModel

from .cancel import CancelToken, Progress
from .errors import InputFormatError, UserError
from .gc_pause import paused_gc
from .ids import new_id
from .index_keys import timestamp_instant
from .ion_framing import (
    check_binary_framing,
    check_framing,
    check_stream_framing,
    framed_by_c,
    read_value_header,
)
from .ion_hash import write_document
from .ion_passthrough import block_binary, is_symbol_table
from .ion_values import (
    block_address,
    check_text_stream_utf8,
    dumps_text,
    file_text_buffer_limit,
    ion_c_alters,
    ion_list,
    load_python,
    now_timestamp,
    parse_timestamp,
    string,
    struct,
    timestamp_ms,
)
from .journal_reads import (
    assemble_block,
    assemble_block_bare,
    block_envelope_bare,
    ion_c_keeps,
    iter_block_rows,
    utc_bound,
)
from .json_down import to_json

if TYPE_CHECKING:
    from .ledger import Ledger

#: format name -> (QLDB's OutputFormat value, data object extension)
FORMATS = {"ion_text": ("ION_TEXT", "ion"), "ion_binary": ("ION_BINARY", "ion"),
           "json": ("JSON", "json")}

#: A data object is closed after this many bytes (the next block starts a new object).
DEFAULT_OBJECT_BYTES = 16 << 20

#: With `jobs` > 1, each worker writes ranges of at least this many revisions (whole blocks).
PARALLEL_MIN_REVISIONS = 5000

ION_BINARY_MARKER = b"\xe0\x01\x00\xea"
OBJECT_NAME = re.compile(r"^([A-Za-z0-9]+)\.([0-9]+)-([0-9]+)\.([A-Za-z0-9]+)$")
STARTED = ".started.manifest"
COMPLETED = ".completed.manifest"


# ---------------------------------------------------------------------------- writing


@dataclass
class ExportResult:
    export_id: str
    directory: Path
    format: str
    keys: list[str]
    first_seq: int | None
    last_seq: int | None
    blocks: int = 0
    revisions: int = 0

    @property
    def started_manifest(self) -> Path:
        return self.directory / f"{self.export_id}{STARTED}"


def _serializer(fmt: str):
    if fmt == "ion_text":
        return lambda v: (dumps_text(v) + "\n").encode("utf-8")
    if fmt == "ion_binary":
        # The C writer: amazon.ion's bytes, except where amazon.ion's are wrong (a timestamp
        # whose local and UTC years straddle 127/128 is mis-sized by it)
        return write_document
    return lambda v: (to_json(v) + "\n").encode("utf-8")


def _block_writer(fmt: str, strand_id: str):
    """(body, revision rows) of a stored block -> its bytes in a data object of `fmt`."""
    dump = _serializer(fmt)
    if fmt == "json":  # JSON's values are lossy anyway
        return lambda body, revs: dump(assemble_block_bare(strand_id, body, revs))

    def ion(body: bytes, revs: list[tuple]) -> bytes:
        if not ion_c_keeps(body, revs):
            # A value ion-c would change (ion_values.ion_c_alters): read and written by
            # amazon.ion's Python reader and writer, so the export still verifies.
            return _dump_python(assemble_block(strand_id, body, revs), fmt)
        if fmt == "ion_binary" and revs:
            # Document data copied byte for byte where the block allows (ion_passthrough).
            data = block_binary(strand_id, *block_envelope_bare(body), revs)
            if data is not None:
                return data
        return dump(assemble_block_bare(strand_id, body, revs, known_readable=True))

    return ion


def _dump_python(value: Any, fmt: str) -> bytes:
    buf = io.BytesIO()
    binary = fmt == "ion_binary"
    simpleion.dump_python(value, buf, binary=binary, omit_version_marker=not binary)
    return buf.getvalue() if binary else buf.getvalue() + b"\n"


def _manifest_bytes(fmt: str, value: Any) -> bytes:
    if fmt == "json":
        return (to_json(value) + "\n").encode("utf-8")
    return _serializer(fmt)(value)


def _as_timestamp(when: Any) -> Any:
    """An export bound. Ion text, or ISO 8601 without an offset (`2024-05-01T00:00:00`); a
    time with no offset (that one, `2024T`, `…-00:00`, a naive datetime) is UTC, as AWS's
    CLI reads the times it is given."""
    if isinstance(when, str):
        text = when.strip()
        try:
            when = parse_timestamp(text)
        except Exception:
            try:
                when = _dt.datetime.fromisoformat(text)
            except ValueError:
                raise UserError(f"not a timestamp: {text!r} (use ISO 8601, e.g. "
                                "2024-05-01T00:00:00Z)") from None
    if not isinstance(when, _dt.datetime):
        raise UserError(f"not a timestamp: {when!r}")
    # With its offset known, kept as given: every fractional digit (utc_bound's datetime
    # stops at the microsecond)
    return when if when.utcoffset() is not None else utc_bound(when)


def _text(when: Any) -> str:
    return dumps_text(when).strip() if hasattr(when, "precision") else when.isoformat()


def _block_time(ledger: Ledger, seq: int) -> _dt.datetime:
    return parse_timestamp(ledger.block_summaries(seq, seq)[0].block_ts)


def _first_at_or_after(ledger: Ledger, when: _dt.datetime, count: int) -> int:
    """The first block whose timestamp is >= `when` (block times never decrease)."""
    lo, hi = 0, count
    while lo < hi:
        mid = (lo + hi) // 2
        # Exact instants: as datetimes, a bound 100 ns after a block's time equals it
        if timestamp_instant(_block_time(ledger, mid)) < timestamp_instant(when):
            lo = mid + 1
        else:
            hi = mid
    return lo


def export_range(ledger: Ledger, start_time: Any = None, end_time: Any = None
                 ) -> tuple[int, int, Any, Any]:
    """The blocks an export of [start_time, end_time) holds: (first seq, last seq, start, end)
    with the times as the export's manifests give them. Raises UserError for what the export
    refuses (an end in the future, a start not before the end, no block in the range), so the
    app's export dialog can refuse it before anything is written."""
    start = _as_timestamp(start_time) if start_time is not None else None
    count = ledger.block_count()
    if end_time is not None:
        end = _as_timestamp(end_time)
        # QLDB: "The ExclusiveEndTime must be less than or equal to the current UTC date and
        # time" (a manifest claiming a future end would overlap the next windowed export).
        if timestamp_instant(end) > timestamp_instant(_dt.datetime.now(_dt.UTC)):
            raise UserError(f"the end time {_text(end)} is in the future; give one at or "
                            "before now, or none to export through the latest block")
    else:
        # Without an end time the export runs through the tip. "Now" is not enough: a block
        # committed in the current millisecond would fall outside [start, now).
        end = now_timestamp()
        if count:
            tip_time = _block_time(ledger, count - 1)
            if tip_time >= end:
                end = timestamp_ms(tip_time + _dt.timedelta(milliseconds=1))
    if start is not None and not timestamp_instant(start) < timestamp_instant(end):
        raise UserError("the start time must be before the end time")
    if not count:
        raise UserError("the ledger holds no blocks: nothing to export")
    created_at = _block_time(ledger, 0)
    # QLDB: a start before the ledger's creation defaults to its creation time (the started
    # manifest says so); no start means the same.
    if start is None or timestamp_instant(start) < timestamp_instant(created_at):
        start = created_at
    first = _first_at_or_after(ledger, start, count)
    last = _first_at_or_after(ledger, end, count) - 1
    if last < first:  # an empty export, which verify-export and import-journal then refuse
        span = (f"the journal runs from {_text(created_at)} to "
                f"{_text(_block_time(ledger, count - 1))}")
        if timestamp_instant(end) <= timestamp_instant(created_at):
            raise UserError(f"no block was committed before {_text(end)}; {span}")
        raise UserError(f"no block was committed from {_text(start)} to before {_text(end)}; "
                        f"{span}")
    return first, last, start, end


def export_journal(ledger: Ledger, directory: str | os.PathLike[str], *,
                   fmt: str = "ion_text", start_time: Any = None, end_time: Any = None,
                   export_id: str | None = None, max_object_bytes: int = DEFAULT_OBJECT_BYTES,
                   progress: Progress | None = None, cancel: CancelToken | None = None,
                   jobs: int = 1) -> ExportResult:
    """Export the blocks committed in [start_time, end_time) as QLDB's ExportJournalToS3 does.

    On failure or cancellation every file this export wrote is removed. `jobs` > 1 writes
    ranges of blocks in that many forked worker processes (Linux only), each reading the
    ledger file through its own read-only connection.
    """
    if fmt not in FORMATS:
        raise UserError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    out = Path(directory)
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} exists and is not a directory")
    first, last, start, end = export_range(ledger, start_time, end_time)
    export_id = export_id or new_id()
    output_format, ext = FORMATS[fmt]
    strand = ledger.strand_id
    created: list[Path] = []
    made_dirs: list[Path] = []
    for d in (out, out / export_id):
        if not d.exists():
            d.mkdir(parents=True)
            made_dirs.append(d)
    result = ExportResult(export_id, out, fmt, [], first, last)
    try:
        started = struct(("ledgerName", string(ledger.ledger_name)),
                         ("exportId", string(export_id)),
                         ("inclusiveStartTime", start), ("exclusiveEndTime", end),
                         ("prefix", string("")),
                         ("objectEncryptionType", string("NO_ENCRYPTION")),
                         ("outputFormat", string(output_format)))
        _write_file(out / f"{export_id}{STARTED}", _manifest_bytes(fmt, started), created)
        ranges = _ranges(ledger, result, jobs) if jobs > 1 and _can_fork() else []
        with paused_gc():
            if len(ranges) > 1:
                _write_parallel(ledger, result, out / export_id, ext, fmt, created,
                                max_object_bytes, progress, cancel, jobs, ranges)
            else:
                _write_objects(ledger, result, out / export_id, ext, fmt, created,
                               max_object_bytes, progress, cancel)
        completed = struct(("keys", ion_list([string(k) for k in result.keys])))
        _write_file(out / f"{export_id}.{strand}{COMPLETED}", _manifest_bytes(fmt, completed),
                    created)
    except BaseException:
        for p in reversed(created):
            try:
                p.unlink()
            except OSError:
                pass
        for d in reversed(made_dirs):
            try:
                d.rmdir()
            except OSError:
                pass
        raise
    return result


def _write_objects(ledger: Ledger, result: ExportResult, folder: Path, ext: str,
                   fmt: str, created: list[Path], max_object_bytes: int,
                   progress: Progress | None, cancel: CancelToken | None) -> None:
    """Write the blocks first_seq..last_seq into data objects of about `max_object_bytes`."""
    if result.first_seq is None or result.last_seq is None:
        return
    total = result.last_seq - result.first_seq + 1
    if progress:
        progress(0, total)
    obj: _ObjectWriter | None = None
    write = _block_writer(fmt, ledger.strand_id)
    try:
        for seq, body, revs in iter_block_rows(ledger, result.first_seq, result.last_seq):
            if cancel is not None:
                cancel.check()
            if obj is None:
                obj = _ObjectWriter(folder, ledger.strand_id, seq, ext, created)
            obj.write(seq, write(body, revs))
            result.blocks += 1
            result.revisions += len(revs)
            if obj.size >= max_object_bytes:
                result.keys.append(f"{result.export_id}/{obj.close()}")
                obj = None
            if progress and (result.blocks % 256 == 0 or result.blocks == total):
                progress(result.blocks, total)
        if obj is not None:
            result.keys.append(f"{result.export_id}/{obj.close()}")
            obj = None
    finally:
        if obj is not None:
            obj.abandon()


def _can_fork() -> bool:
    import multiprocessing
    import sys

    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _export_range(path: str, export_id: str, first: int, last: int, folder: str, ext: str,
                  fmt: str, max_object_bytes: int) -> tuple[list[str], int, int]:
    """Worker: write blocks first..last into data objects; (keys, blocks, revisions)."""
    import signal

    from .ledger import Ledger

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent cancels and stops the workers
    part = ExportResult(export_id, Path(folder).parent, fmt, [], first, last)
    created: list[Path] = []
    try:
        with Ledger.open(path, read_only=True) as ledger, paused_gc():
            _write_objects(ledger, part, Path(folder), ext, fmt, created,
                           max_object_bytes, None, None)
    except BaseException:
        for p in created:
            try:
                p.unlink()
            except OSError:
                pass
        raise
    return part.keys, part.blocks, part.revisions


def _ranges(ledger: Ledger, result: ExportResult, jobs: int) -> list[tuple[int, int]]:
    """Block ranges of about equal revision counts, a few per worker (whole blocks each)."""
    if result.first_seq is None or result.last_seq is None:
        return []
    counts = [max(1, s.n_revisions) for s in
              ledger.block_summaries(result.first_seq, result.last_seq)]
    target = max(PARALLEL_MIN_REVISIONS, -(-sum(counts) // (jobs * 4)))
    ranges: list[tuple[int, int]] = []
    start, acc = result.first_seq, 0
    for i, n in enumerate(counts):
        acc += n
        if acc >= target:
            ranges.append((start, result.first_seq + i))
            start, acc = result.first_seq + i + 1, 0
    if start <= result.last_seq:
        ranges.append((start, result.last_seq))
    return ranges


def _write_parallel(ledger: Ledger, result: ExportResult, folder: Path, ext: str, fmt: str,
                    created: list[Path], max_object_bytes: int, progress: Progress | None,
                    cancel: CancelToken | None, jobs: int,
                    ranges: list[tuple[int, int]]) -> None:
    """Ranges of blocks written by forked workers; keys collected in order."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures import TimeoutError as FuturesTimeout

    assert result.first_seq is not None and result.last_seq is not None
    total = result.last_seq - result.first_seq + 1
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"))
    futures: list[Any] = []
    if progress:
        progress(0, total)
    try:
        futures = [pool.submit(_export_range, str(ledger.path), result.export_id, a, b,
                               str(folder), ext, fmt, max_object_bytes) for a, b in ranges]
        for fut in futures:
            while True:
                if cancel is not None:
                    cancel.check()
                try:
                    keys, blocks, revisions = fut.result(timeout=0.2)
                    break
                except FuturesTimeout:
                    continue
            result.keys += keys
            result.blocks += blocks
            result.revisions += revisions
            if progress:
                progress(result.blocks, total)
    except BaseException:
        for proc in list(getattr(pool, "_processes", {}).values()):
            proc.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        for p in folder.iterdir():  # objects of finished ranges, and partial ones
            if p.name.startswith(".") and p.name.endswith(".partial") or \
                    OBJECT_NAME.match(p.name):
                created.append(p)
        raise
    pool.shutdown(wait=True)
    created += [folder / k.split("/", 1)[1] for k in result.keys]


@contextmanager
def _naming(path: Path) -> Iterator[None]:
    """An OSError of a write (a full disk, a file-size limit) names the file it was writing:
    "No space left on device" alone did not say where (docs/reliability.md 77)."""
    try:
        yield
    except OSError as e:
        if e.filename is not None:
            raise
        raise OSError(e.errno, e.strerror, str(path)) from None


def _write_file(path: Path, data: bytes, created: list[Path]) -> None:
    created.append(path)
    with _naming(path), open(path, "xb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


class _ObjectWriter:
    """One data object: written under a temporary name, renamed once its last block is known."""

    def __init__(self, folder: Path, strand: str, first: int, ext: str,
                 created: list[Path]) -> None:
        self.folder, self.strand, self.first, self.ext = folder, strand, first, ext
        self.last = first
        self.size = 0
        self.tmp = folder / f".{strand}.{first}.partial"
        created.append(self.tmp)
        self._created = created
        self._f = open(self.tmp, "xb")  # noqa: SIM115 - closed in close()

    def write(self, seq: int, data: bytes) -> None:
        with _naming(self.folder):
            self._f.write(data)
        self.size += len(data)
        self.last = seq

    def abandon(self) -> None:
        self._f.close()  # the caller removes the file

    def close(self) -> str:
        with _naming(self.folder):
            self._f.flush()
            os.fsync(self._f.fileno())
            self._f.close()
        name = f"{self.strand}.{self.first}-{self.last}.{self.ext}"
        final = self.folder / name
        if final.exists():
            raise UserError(f"{final} already exists")
        os.replace(self.tmp, final)
        self._created[self._created.index(self.tmp)] = final
        return name


# ---------------------------------------------------------------------------- reading


@dataclass
class ExportObject:
    """One data object of an export."""

    path: Path
    key: str
    strand_id: str
    first: int
    last: int

    @property
    def block_count(self) -> int:
        return self.last - self.first + 1


@dataclass
class ExportSource:
    """The data objects of an export directory, in sequence order, and how they were found."""

    directory: Path
    objects: list[ExportObject]
    format: str                      # 'ion' (text or binary, per object) or 'json'
    manifests: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ledger_name: str | None = None   # from a started manifest, when there is one

    @property
    def block_count(self) -> int:
        return sum(o.block_count for o in self.objects)


def read_manifest(path: Path) -> Any:
    """A manifest in any of the three formats (Ion text, Ion binary, JSON)."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputFormatError(f"{path}: cannot read ({e.strerror})") from None
    try:
        if data.startswith(ION_BINARY_MARKER):
            check_framing(data)
            return simpleion.loads(data)
        text = data.decode("utf-8-sig")
        try:
            return json.loads(text)
        except ValueError:
            return simpleion.loads(text)
    except (IonException, UnicodeDecodeError, ValueError) as e:
        raise InputFormatError(f"{path}: not a readable manifest ({e})") from None


def _safe_key(key: str, manifest: Path) -> list[str]:
    """The key's path parts; keys that could leave the export directory are refused."""
    if not key or "\x00" in key or "\\" in key or key.startswith("/") or re.match(r"^[A-Za-z]:",
                                                                                    key):
        raise InputFormatError(f"{manifest.name}: refusing key {key!r} (absolute or malformed "
                               "path)")
    parts = [p for p in key.split("/") if p]
    if any(p in (".", "..") for p in parts):
        raise InputFormatError(f"{manifest.name}: refusing key {key!r} (path traversal)")
    return parts


def _resolve_key(directory: Path, key: str, prefix: str, manifest: Path,
                 keep_missing: bool = False) -> Path:
    """Find a manifest key's file under `directory` (QLDB keys include the S3 prefix). A key
    with no file is an error, or with `keep_missing` a path that does not exist (a verifier
    reports it and checks the rest)."""
    parts = _safe_key(key, manifest)
    prefix_parts = [p for p in prefix.split("/") if p]
    candidates = []
    if prefix_parts and parts[:len(prefix_parts)] == prefix_parts:
        candidates.append(parts[len(prefix_parts):])
    candidates += [parts[i:] for i in range(len(parts))]
    root = directory.resolve()
    for cand in candidates:
        if not cand:
            continue
        p = directory.joinpath(*cand)
        if p.is_file():
            real = p.resolve()
            if real != root and root not in real.parents:
                raise InputFormatError(f"{manifest.name}: key {key!r} leads outside "
                                       f"{directory}")
            return p
    if keep_missing:
        return directory.joinpath(parts[-1])
    raise InputFormatError(f"{manifest.name}: data object {key!r} is missing from {directory}")


def _object_for(path: Path, key: str) -> ExportObject:
    m = OBJECT_NAME.match(path.name)
    if not m:
        raise InputFormatError(f"{key}: not a data object name (expected "
                               "<strandId>.<first>-<last>.<ext>)")
    first, last = int(m.group(2)), int(m.group(3))
    if last < first:
        raise InputFormatError(f"{key}: its name has last block {last} before first {first}")
    return ExportObject(path, key, m.group(1), first, last)


def open_export(directory: str | os.PathLike[str], keep_missing: bool = False) -> ExportSource:
    """The data objects of an export directory (from its completed manifests, else by name).
    A data object a manifest lists but the directory lacks is an error, or with
    `keep_missing` an object whose reading fails (see `_resolve_key`)."""
    d = Path(directory)
    if not d.is_dir():
        raise InputFormatError(f"{d}: not a directory")
    notes: list[str] = []
    formats: set[str] = set()
    prefixes: dict[str, str] = {}
    ledger_name = None
    for started in sorted(d.glob(f"*{STARTED}")):
        m = read_manifest(started)
        if isinstance(m, Mapping):
            if m.get("ledgerName"):
                ledger_name = str(m["ledgerName"])
            eid = str(m.get("exportId") or started.name[:-len(STARTED)])
            prefixes[eid] = str(m.get("prefix") or "")
            if m.get("outputFormat"):
                formats.add(str(m["outputFormat"]).upper())
    completed = sorted(d.glob(f"*{COMPLETED}"))
    objects: list[ExportObject] = []
    if completed:
        for manifest in completed:
            export_id = manifest.name.split(".", 1)[0]
            m = read_manifest(manifest)
            keys = m.get("keys") if isinstance(m, Mapping) else None
            if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
                raise InputFormatError(f"{manifest.name}: expected {{keys: [\"...\"]}}")
            for key in keys:
                path = _resolve_key(d, str(key), prefixes.get(export_id, ""), manifest,
                                    keep_missing)
                objects.append(_object_for(path, str(key)))
    elif prefixes:
        # A started manifest without its completed one: the export stopped part-way (killed,
        # or failed at QLDB), so its data objects hold only some of the range it was asked for;
        # read by their names they looked like a whole journal that ends early.
        ids = ", ".join(sorted(prefixes))
        raise InputFormatError(
            f"{d}: the export {ids} did not finish: it has a started manifest but no completed "
            "manifest, so its data objects may hold only part of the journal; export again")
    else:
        notes.append("no completed manifest: data objects were found by their names")
        for path in sorted(d.rglob("*")):
            if path.is_file() and OBJECT_NAME.match(path.name):
                objects.append(_object_for(path, str(path.relative_to(d))))
        if not objects:
            raise InputFormatError(f"{d}: no completed manifest and no data objects named "
                                   "<strandId>.<first>-<last>.<ext>")
    objects.sort(key=lambda o: (o.first, o.last))
    if "JSON" in formats or (not formats and objects
                             and all(o.path.suffix.lower() == ".json" for o in objects)):
        fmt = "json"
    else:
        fmt = "ion"
    strands = {o.strand_id for o in objects}
    if len(strands) > 1:
        raise InputFormatError(f"{d}: data objects of several strands ({', '.join(sorted(strands))})"
                               "; QLDB journals have one strand")
    return ExportSource(d, objects, fmt, completed, notes, ledger_name)


def iter_object_blocks(obj: ExportObject, fmt: str) -> Iterator[Any]:
    """The blocks of one data object, streamed (JSON blocks keep JSON's lossy values)."""
    if fmt == "json":
        with open(obj.path, "rb") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except ValueError as e:
                    raise InputFormatError(f"{obj.key}, line {n}: not JSON ({e})") from None
        return
    with open(obj.path, "rb") as f:
        try:
            if f.read(4) == ION_BINARY_MARKER:
                f.seek(0)
                _check_stream_framing(f)  # malformed framing can hang amazon.ion's C extension
            else:
                f.seek(0)
                check_text_stream_utf8(f)  # bytes that are not UTF-8 can crash it
            f.seek(0)
            if _ion_c_alters_file(f):  # QLDB's values kept exactly, by the Python reader
                yield from simpleion.load_python(f, single_value=False, parse_eagerly=False)
                return
            # Bare Python values where Ion allows (same Ion Hash, same Ion when written back)
            # parse 2-3x faster than IonPy objects.
            yield from simpleion.load(f, single_value=False, parse_eagerly=False,
                                      value_model=IonPyValueModel.MAY_BE_BARE,
                                      text_buffer_size_limit=file_text_buffer_limit(f))
        except IonException as e:
            raise InputFormatError(f"{obj.key}: not readable Ion ({str(e).strip()})") from None


def _ion_c_alters_file(f: BinaryIO) -> bool:
    """`ion_values.ion_c_alters` of a whole data object (mapped, not read into memory)."""
    if os.fstat(f.fileno()).st_size == 0:
        return False
    with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        return ion_c_alters(m)


def iter_object_blocks_with_bytes(obj: ExportObject, fmt: str
                                  ) -> Iterator[tuple[Any, bytes | None]]:
    """`iter_object_blocks` with each block's own Ion binary (`IVM table block`) where the
    object is laid out as our Ion binary exports are (each block after a version marker and
    one symbol table); None bytes otherwise. The value is parsed from exactly those bytes."""
    if fmt == "json" or not _binary_blocks(obj):
        for block in iter_object_blocks(obj, fmt):
            yield block, None
        return
    with open(obj.path, "rb") as f:
        try:
            _check_stream_framing(f)  # malformed framing can hang amazon.ion's C extension
            f.seek(0)
            for blob in _ivm_table_values(f):
                if ion_c_alters(blob):  # values ion-c would change: the Python reader
                    yield load_python(blob), blob
                else:
                    yield simpleion.loads(blob, value_model=IonPyValueModel.MAY_BE_BARE), blob
        except IonException as e:
            raise InputFormatError(f"{obj.key}: not readable Ion ({str(e).strip()})") from None


def _binary_blocks(obj: ExportObject) -> bool:
    """Whether the object is Ion binary of `IVM table value` units only (headers read)."""
    try:
        with open(obj.path, "rb") as f:
            state = 0  # 0: expect IVM, 1: expect a table, 2: expect a value
            for kind, _start, _end in _top_level(f):
                if (kind, state) not in (("ivm", 0), ("table", 1), ("value", 2)):
                    return False
                state = (state + 1) % 3
            return state == 0
    except (OSError, IonException):
        return False


def _top_level(f: BinaryIO, bodies: bool = False) -> Iterator[tuple[str, int, Any]]:
    """('ivm' | 'table' | 'value', start offset, end offset or the value's bytes)."""
    size = f.seek(0, 2)
    f.seek(0)
    while True:
        start = f.tell()
        head = f.read(1)
        if not head:
            return
        td = head[0]
        if td == 0xE0:
            if f.read(3) != ION_BINARY_MARKER[1:]:
                raise IonException("Ion binary: malformed version marker")
            yield "ivm", start, start + 4
            continue
        t, ln, header = read_value_header(f, head, size)
        if t == 14:
            value = header + f.read(ln)
            kind = "table" if is_symbol_table(value) else "value"
            yield kind, start, value if bodies else f.tell()
        elif bodies:
            yield "value", start, header + f.read(ln)
        else:
            f.seek(ln, 1)
            yield "value", start, f.tell()


def _ivm_table_values(f: BinaryIO) -> Iterator[bytes]:
    table = b""
    for kind, _start, data in _top_level(f, bodies=True):
        if kind == "table":
            table = data
        elif kind == "value":
            yield ION_BINARY_MARKER + table + data




#: Symbol tables in force beyond this size (a stream appending to its table block after block)
#: are not handed to the C check with every value: those values get the Python check.
_C_FRAMING_TABLE_BYTES = 1 << 20


def _check_stream_framing(f: BinaryIO) -> None:
    """`ion_framing.check_stream_framing(f)`, each block checked in C when it can be.

    The pure-Python framing walk costs about a sixth of verifying an Ion binary export. The C
    Ion hasher only returns a hash for data that `check_binary_framing` accepts, so a block
    whose hash it returns (with the symbol tables since the last version marker, which it
    checks too) is well framed; anything it leaves (None) gets the Python check, as before.
    One top-level value is in memory at a time, plus the symbol tables in force.
    """
    if framed_by_c is None:
        check_stream_framing(f)
        return
    size = f.seek(0, 2)
    f.seek(0)
    tables: list[bytes] = []      # since the last version marker
    unchecked: list[bytes] = []   # tables no accepted value has covered yet
    while True:
        head = f.read(1)
        if not head:
            for t in unchecked:
                check_binary_framing(t)
            return
        td = head[0]
        if td == 0xE0:
            if f.read(3) != ION_BINARY_MARKER[1:]:
                raise IonException("Ion binary: malformed version marker")
            for t in unchecked:
                check_binary_framing(t)
            tables, unchecked = [], []
            continue
        t, ln, header = read_value_header(f, head, size)
        value = header + f.read(ln)
        if t == 14 and is_symbol_table(value):
            tables.append(value)
            unchecked.append(value)
            continue
        if sum(map(len, tables)) <= _C_FRAMING_TABLE_BYTES and framed_by_c(
                b"".join([ION_BINARY_MARKER, *tables, value])) is not None:
            unchecked = []
        else:
            for tb in unchecked:
                check_binary_framing(tb)
            unchecked = []
            check_binary_framing(value)


# ---------------------------------------------------------------------------- JSON blocks


def _b64(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise InputFormatError(f"{what}: expected a base64 string")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise InputFormatError(f"{what}: not base64") from None


def _ts(value: Any, what: str) -> Any:
    try:
        return _parse_ts(value) if type(value) is str else parse_timestamp(value)
    except Exception:
        raise InputFormatError(f"{what}: not a timestamp") from None


# A block's statements mostly share a start time (and blocks their neighbours' times); parsing
# one with amazon.ion costs about 10 us. Timestamps are immutable, so sharing one is safe.
_parse_ts = lru_cache(maxsize=4096)(parse_timestamp)


def _address(value: Any) -> Any:
    return block_address(str(value["strandId"]), int(value["sequenceNo"]))


def _ion_struct_from_json(value: dict[str, Any], converters: dict[str, Any]) -> Any:
    return struct(*[(k, converters[k](v) if k in converters else v) for k, v in value.items()])


def block_from_json(obj: Any) -> tuple[Any, int]:
    """Restore the Ion types of a JSON-exported block where QLDB's schema fixes them.

    Hashes, addresses, timestamps, `transactionInfo`, `redactionInfo` and revision metadata
    have known types and come back exactly; revision `data` does not (JSON lost its types), so
    revisions with data are returned hash-only. Returns (block, number of such revisions).
    """
    try:
        seq = obj["blockAddress"]["sequenceNo"]
        where = f"block {seq}"
        pairs: list[tuple[str, Any]] = []
        dropped = 0
        for k, v in obj.items():
            if k == "blockAddress":
                pairs.append((k, _address(v)))
            elif k in ("transactionId",):
                pairs.append((k, string(v)))
            elif k == "blockTimestamp":
                pairs.append((k, _ts(v, f"{where} {k}")))
            elif k in ("blockHash", "entriesHash", "previousBlockHash"):
                pairs.append((k, _b64(v, f"{where} {k}")))
            elif k == "entriesHashList":
                pairs.append((k, ion_list([_b64(h, f"{where} {k}") for h in v])))
            elif k == "transactionInfo":
                pairs.append((k, _tx_info(v, where)))
            elif k == "redactionInfo":
                pairs.append((k, _redaction_info(v)))
            elif k == "revisions":
                revs = []
                for i, r in enumerate(v):
                    rev, lost = _revision(r, f"{where} revision {i}")
                    dropped += lost
                    revs.append(rev)
                pairs.append((k, ion_list(revs)))
            else:
                raise InputFormatError(f"{where}: unknown field {k!r}; its Ion type cannot be "
                                       "restored from JSON")
        return struct(*pairs), dropped
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise InputFormatError(f"not a QLDB block in JSON ({type(e).__name__}: {e})") from None


def _tx_info(v: dict[str, Any], where: str) -> Any:
    statements = ion_list([
        _ion_struct_from_json(s, {
            "statement": string,
            "startTime": lambda t: _ts(t, f"{where} statement startTime"),
            "statementDigest": lambda h: _b64(h, f"{where} statementDigest")})
        for s in v.get("statements", [])])
    pairs: list[tuple[str, Any]] = []
    for k, val in v.items():
        if k == "statements":
            pairs.append((k, statements))
        elif k == "documents":
            docs = [(doc_id, _ion_struct_from_json(d, {
                "tableName": string, "tableId": string,
                "statements": lambda xs: ion_list([int(x) for x in xs])}))
                for doc_id, d in val.items()]
            pairs.append((k, struct(*docs)))
        else:
            raise InputFormatError(f"{where}: unknown transactionInfo field {k!r}")
    return struct(*pairs)


def _redaction_info(v: dict[str, Any]) -> Any:
    items = [_ion_struct_from_json(r, {"blockAddress": _address, "tableId": string,
                                       "documentId": string, "version": int})
             for r in v["revisions"]]
    return struct(("revisions", ion_list(items)))


def _revision(r: dict[str, Any], where: str) -> tuple[Any, int]:
    h = _b64(r["hash"], f"{where} hash")
    if "data" in r:
        return struct(("hash", h)), 1
    pairs: list[tuple[str, Any]] = []
    for k, v in r.items():
        if k == "hash":
            pairs.append((k, h))
        elif k == "blockAddress":
            pairs.append((k, _address(v)))
        elif k == "dataHash":
            pairs.append((k, _b64(v, f"{where} dataHash")))
        elif k == "metadata":
            pairs.append((k, _ion_struct_from_json(v, {
                "id": string, "txId": string, "version": int,
                "txTime": lambda t: _ts(t, f"{where} txTime")})))
        else:
            raise InputFormatError(f"{where}: unknown field {k!r}")
    return struct(*pairs), 0

