"""Offline verification of a journal export (QLDB's or ours), block by block, streamed.

Each block gets `blocks.check_block` (revision hashes, revisions entry, transactionInfo and
redactionInfo entries, entries hash, block hash), consecutive blocks get `blocks.check_link`
(also across data objects), data objects must hold the blocks their names say, missing ranges
are reported as gaps (blocks of a data object that cannot be read are reported with that object
and its error, not as gaps), and each digest whose tip the export covers (from block 0) is compared
with the Merkle root of the block hashes up to that tip.
"""

from __future__ import annotations

import base64
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from dataclasses import dataclass, field
from typing import Any

from .blocks import (
    EMPTY_DATA_HASH,
    BlockAddress,
    CheckFailure,
    as_blob,
    block_range,
    check_block,
    check_link,
    compute_revision_hash,
    header_entry,
    uncovered_content,
)
from .cancel import CancelToken, Progress
from .errors import InputFormatError
from .exports import (
    ExportSource,
    block_from_json,
    iter_object_blocks_with_bytes,
    open_export,
)
from .gc_pause import paused_gc
from .ion_hash import dot, ion_hash, merkle_root
from .ion_passthrough import revision_hashes
from .model import Digest
from .tx_info_hash import transaction_info_hash_of

#: At most this many failures are kept (the first one is what matters most).
MAX_FAILURES = 100

JSON_CANNOT_CHECK = (
    "revision hashes of revisions with data: JSON loses the Ion types of document data "
    "(decimals, timestamps, blobs, symbols all become numbers or strings), so H(data) cannot "
    "be recomputed; these revisions are checked only through their stored hashes")


class MerkleAccumulator:
    """Digest of a growing list of block hashes: a frontier of perfect subtrees, O(log n)."""

    def __init__(self) -> None:
        self._frontier: list[tuple[int, bytes]] = []  # (level, hash), left to right
        self.count = 0

    def append(self, h: bytes) -> None:
        level = 0
        while self._frontier and self._frontier[-1][0] == level:
            _, left = self._frontier.pop()
            h = dot(left, h)
            level += 1
        self._frontier.append((level, h))
        self.count += 1

    def root(self) -> bytes:
        if not self._frontier:
            return b""
        acc = self._frontier[-1][1]
        for _, h in reversed(self._frontier[:-1]):
            acc = dot(h, acc)
        return acc


@dataclass
class DigestResult:
    tip: BlockAddress
    ok: bool | None          # None: the export cannot show it either way
    message: str


@dataclass
class ExportVerifyReport:
    directory: str
    format: str
    objects: int = 0
    blocks: int = 0
    revisions: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    failures: list[CheckFailure] = field(default_factory=list)
    gaps: list[tuple[int, int]] = field(default_factory=list)
    #: Blocks a data object should hold but that could not be read from it, (first, last,
    #: what failed): the object is missing, is not readable Ion, or holds a value that is not
    #: a block. A failure names them; they are not gaps (the export has them, unreadable).
    unreadable: list[tuple[int, int, str]] = field(default_factory=list)
    digests: list[DigestResult] = field(default_factory=list)
    cannot_check: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failure_count: int = 0
    json_unchecked: int = 0    # JSON revisions whose data hash cannot be recomputed
    #: Redacted revisions in blocks of our own layout that no redaction request read so far
    #: names, (documentId, version) -> (seq, revision index), and the requests read,
    #: (documentId, version) -> seq of the redacting block. `ledger verify` fails our own
    #: journal when such a revision stays unrequested (a truncation past a redaction), so
    #: import-journal refuses an export that ends before the request.
    unrequested: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)
    requests: dict[tuple[str, int], int] = field(default_factory=dict)

    @property
    def first_failure(self) -> CheckFailure | None:
        return self.failures[0] if self.failures else None

    @property
    def ok(self) -> bool:
        return (not self.failures and not self.gaps and self.blocks > 0
                and all(d.ok is not False for d in self.digests))

    def add(self, failure: CheckFailure) -> None:
        self.failure_count += 1
        if len(self.failures) < MAX_FAILURES:
            self.failures.append(failure)

    def first_unrequested(self) -> str | None:
        """The first redacted revision whose redaction request the export lacks, as a phrase
        naming its block, or None."""
        if not self.unrequested:
            return None
        (doc_id, version), (seq, idx) = min(self.unrequested.items(), key=lambda kv: kv[1])
        more = len(self.unrequested) - 1
        return (f"block {seq} holds a redacted revision (revision {idx}, document {doc_id} "
                f"version {version}) whose redaction request is not in the export"
                + (f" ({more} more such revision(s))" if more else ""))

    def lines(self) -> list[str]:
        """A plain-text report, one fact per line."""
        rng = (block_range(self.first_seq, self.last_seq) if self.first_seq is not None
               else "no blocks")
        out = [f"export {self.directory} ({self.format}): {self.objects} data object(s), "
               f"{self.blocks} block(s), {self.revisions} revision(s), {rng}"]
        for a, b in self.gaps:
            out.append(f"GAP: {block_range(a, b)} {'is' if a == b else 'are'} missing")
        if self.failures:
            out.append(f"FIRST FAILURE: {self.failures[0]}")
            for f in self.failures[1:]:
                out.append(f"failure: {f}")
            if self.failure_count > len(self.failures):
                out.append(f"... and {self.failure_count - len(self.failures)} more failure(s)")
        for d in self.digests:
            state = {True: "OK", False: "MISMATCH", None: "NOT CHECKED"}[d.ok]
            out.append(f"digest at tip {d.tip.text()}: {state}: {d.message}")
        for c in self.cannot_check:
            out.append(f"cannot check: {c}")
        out += [f"note: {n}" for n in self.notes]
        unchecked = self.digests_unchecked
        if self.ok and unchecked:  # asked for, not done: not a plain "verified"
            out.append(f"RESULT: the export verified, but {unchecked} requested digest(s) "
                       "could NOT be checked against it")
        else:
            out.append("RESULT: " + ("verified" if self.ok else "FAILED"))
        return out

    @property
    def digests_unchecked(self) -> int:
        """Requested digests the export could not check (it does not start at block 0, or
        ends before their tip)."""
        return sum(d.ok is None for d in self.digests)


def verify_export(directory: str | os.PathLike[str], digests: Iterable[Digest] = (), *,
                  progress: Progress | None = None, cancel: CancelToken | None = None,
                  jobs: int = 1) -> ExportVerifyReport:
    """Verify every block of the export in `directory`; the report says what was found.

    `jobs` > 1 checks data objects in that many forked worker processes (Linux only; the
    chain between objects, gaps and digests are still checked here, in order).
    """
    source = open_export(directory, keep_missing=True)  # a missing object is a failure
    report = ExportVerifyReport(str(directory), source.format, objects=len(source.objects))
    with paused_gc():
        if jobs > 1 and len(source.objects) > 1 and _can_fork():
            _verify_parallel(source, report, digests, jobs, progress, cancel)
        else:
            for _ in walk_export(source, report, digests, progress=progress, cancel=cancel):
                pass
    return report


def walk_export(source: ExportSource, report: ExportVerifyReport,
                digests: Iterable[Digest] = (), *, progress: Progress | None = None,
                cancel: CancelToken | None = None) -> Iterator[Any]:
    """Yield each block of the export in order, after checking it; failures go to `report`.

    A consumer that must not accept a bad block (import-journal) checks
    `report.failure_count` after each block it receives.
    """
    report.notes += source.notes
    wanted = sorted(digests, key=lambda d: d.tip.seq)
    pending = list(wanted)
    acc = MerkleAccumulator()
    total = source.block_count
    prev: Any = None
    prev_obj: Any = None
    expected_next: int | None = None
    strand: str | None = None
    if progress:
        progress(0, total)
    obj_seen = None
    obj_expected = 0
    for obj in source.objects:
        if expected_next is not None and obj.last < expected_next:
            report.notes.append(f"{obj.key}: {_already_read(obj.first, obj.last)}")
            continue
        obj_seen, obj_expected = obj, obj.first
        unreadable = False
        for raw, raw_bytes in _blocks_or_error(obj, source.format):
            if raw is None:  # the object is missing or cannot be read past here
                _unreadable(report, obj, obj_expected, raw_bytes)
                unreadable = True
                break
            if cancel is not None:
                cancel.check()
            if source.format == "json":
                try:
                    block, dropped = block_from_json(raw)
                except InputFormatError as e:
                    _unreadable(report, obj, obj_expected, f"{obj.key}: {e}", _seq_of(raw))
                    unreadable = True  # the objects after this one are still checked
                    break
                report.json_unchecked += dropped
            else:
                block = raw
            try:
                addr = BlockAddress.from_ion(block["blockAddress"])
            except (InputFormatError, KeyError, TypeError):
                _unreadable(report, obj, obj_expected, f"{obj.key}: a value that is not a block "
                            "(no blockAddress)")
                unreadable = True  # the objects after this one are still checked
                break
            seq = addr.seq
            if seq != obj_expected:
                report.add(CheckFailure(seq, "format", f"{obj.key} holds block {seq} where "
                                        f"its name says block {obj_expected} comes next"))
            obj_expected = seq + 1
            if expected_next is not None and seq < expected_next:
                continue  # overlap with an earlier object: already verified
            if strand is None:
                strand = addr.strand_id
            report.blocks += 1
            if "revisions" in block:
                report.revisions += len(block["revisions"])
            if report.first_seq is None:
                report.first_seq = seq
            notes: list[str] = []
            # Our own blocks get our full layout check: membership alone would accept one
            # whose revisions, data or transactionInfo field was renamed away.
            own = _own_layout(block)
            if own and (extra := uncovered_content(block)) is not None:
                report.add(CheckFailure(seq, "format", f"{obj.key}: block {seq} holds content "
                                        f"no hash covers: {extra}"))
            if not _sound(block, own, None if raw_bytes is None else revision_hashes(raw_bytes)):  # check_block says what failed (and notes)
                for f in check_block(block, own_layout=own, notes=notes):
                    report.add(f)
                report.notes += notes[:5]
            _track_redactions(report, seq, block, own)
            if prev is not None:
                if seq != expected_next:  # missing, or in an object that could not be read
                    report.gaps += _missing(expected_next, seq - 1, report.unreadable)
                else:
                    link = check_link(prev, block)
                    if link is not None:
                        if prev_obj is not obj:
                            link.message += f" (across {prev_obj.key} and {obj.key})"
                        report.add(link)
            block_hash = _leaf_hash(block)
            if report.first_seq == 0 and seq == acc.count:
                acc.append(block_hash)
                while pending and pending[0].tip.seq == seq:
                    report.digests.append(_digest_result(pending.pop(0), acc.root(), strand))
            report.last_seq = seq
            expected_next = seq + 1
            prev, prev_obj = block, obj
            if progress and (report.blocks % 256 == 0):
                progress(report.blocks, total)
            yield block
        if obj_seen is obj and not unreadable and obj_expected != obj.last + 1:
            report.add(CheckFailure(obj_expected, "format",
                                    f"{obj.key} ends before block {obj.last}, the last block "
                                    "its name says it holds"))
    if progress:
        progress(report.blocks, total)
    _finish(report, pending)


def _unreadable(report: ExportVerifyReport, obj: Any, first: int, what: str,
                seq: int | None = None) -> None:
    """A data object that cannot be read from block `first` on: one failure naming the object,
    what failed and the blocks it holds that could not be read (they are not missing)."""
    last = max(obj.last, first - 1)
    if first <= last:
        report.unreadable.append((first, last, what))
        what += f"; {block_range(first, last)} in it could not be read"
    report.add(CheckFailure(first if seq is None else seq, "format", what))


def _missing(first: int, last: int, unreadable: list[tuple[int, int, str]]
             ) -> list[tuple[int, int]]:
    """The parts of blocks first..last that no unreadable data object accounts for: gaps."""
    parts = [(first, last)]
    for a, b, _ in unreadable:
        parts = [p for x, y in parts for p in ((x, min(y, a - 1)), (max(x, b + 1), y))
                 if p[0] <= p[1]]
    return parts


def _track_redactions(report: ExportVerifyReport, seq: int, block: Any, own: bool) -> None:
    """Note redacted revisions of our own blocks and the redaction requests that name them,
    in journal order, by the rule `ledger verify` applies (verify_columns.ColumnChecks)."""
    try:
        if own:
            for idx, rev in enumerate(block.get("revisions", ())):
                if "dataHash" in rev and "data" not in rev and "metadata" in rev:
                    meta = rev["metadata"]
                    report.unrequested[(str(meta["id"]), int(meta["version"]))] = (seq, idx)
        info = block.get("redactionInfo")
        if info is not None:
            for item in info.get("revisions", ()):
                key = (str(item["documentId"]), int(item["version"]))
                report.requests[key] = seq
                report.unrequested.pop(key, None)
    except (AttributeError, KeyError, TypeError, ValueError):
        pass  # a malformed block: check_block has reported it


def _blocks_or_error(obj: Any, fmt: str) -> Iterator[tuple[Any, Any]]:
    """An object's (block, bytes); a read failure ends them with (None, what failed), so a
    verifier reports the object and goes on with the next one."""
    try:
        yield from iter_object_blocks_with_bytes(obj, fmt)
    except (InputFormatError, OSError) as e:
        if not obj.path.exists():
            yield None, f"{obj.key}: the data object is missing (a manifest lists it)"
        elif isinstance(e, OSError):
            yield None, f"{obj.key}: cannot be read ({e.strerror or e})"
        else:
            text = str(e)
            yield None, text if text.startswith(obj.key) else f"{obj.key}: {text}"


def _sound(block: Any, own_layout: bool,
           hashes: list[tuple[bytes, bytes | None] | None] | None = None) -> bool:
    """True only if `blocks.check_block(block, own_layout=own_layout)` finds nothing.

    The same checks, with H(transactionInfo) computed once (check_block computes it for the
    membership check and again for our own entry layout: a sixth of verifying a block of
    small documents). `hashes` (from `ion_passthrough.revision_hashes` of the block's own
    Ion binary) gives H(metadata) and H(data) of revisions without hashing their values in
    Python. Any difference or doubt returns False, and the block goes through check_block,
    which names what failed: this is a shortcut for sound blocks only.
    """
    try:
        entries = [as_blob(h) for h in block["entriesHashList"]]
        entries_hash = as_blob(block["entriesHash"])
        prev_hash = as_blob(block["previousBlockHash"]) if "previousBlockHash" in block else b""
        BlockAddress.from_ion(block["blockAddress"])
        revisions = block.get("revisions", [])
        if hashes is not None and len(hashes) != len(revisions):
            hashes = None
        rev_hashes = []
        for i, rev in enumerate(revisions):
            stored = as_blob(rev["hash"])
            known = hashes[i] if hashes is not None else None
            if known is not None and "metadata" in rev:  # compute_revision_hash, from binary
                hm, hd = known
                if "data" in rev:
                    computed = dot(hm, hd) if hd is not None else compute_revision_hash(rev)
                elif "dataHash" in rev:
                    computed = dot(hm, as_blob(rev["dataHash"]))
                else:
                    computed = dot(hm, EMPTY_DATA_HASH)
            else:
                computed = compute_revision_hash(rev)
            if computed is not None and computed != stored:
                return False
            rev_hashes.append(stored)
        expected: list[bytes] = []
        if own_layout:
            expected.append(header_entry(block["blockAddress"], str(block["transactionId"]),
                                         block["blockTimestamp"]))
        if rev_hashes:
            root = merkle_root(rev_hashes)
            if own_layout:
                expected.append(root)
            elif root not in entries:
                return False
        for name in ("transactionInfo", "redactionInfo"):
            if name in block:
                h = (transaction_info_hash_of(block[name]) if name == "transactionInfo"
                     else ion_hash(block[name]))
                if h not in entries:
                    return False
                expected.append(h)
        if own_layout and expected != entries:
            return False
        return (merkle_root(entries) == entries_hash
                and dot(entries_hash, prev_hash) == as_blob(block["blockHash"]))
    except Exception:  # noqa: BLE001 - malformed: check_block reports it
        return False


def _leaf_hash(block: Any) -> bytes:
    """The block hash folded into the digest; a missing or malformed one (check_block has
    reported it) as 32 zero bytes, so the digests after it fail instead of the walk."""
    try:
        h = as_blob(block["blockHash"])
    except (KeyError, TypeError):
        return bytes(32)
    return h if len(h) == 32 else bytes(32)


def _own_layout(block: Any) -> bool:
    """True when entry 0 is our header entry: a block made by Ledger Desktop."""
    try:
        return as_blob(block["entriesHashList"][0]) == header_entry(
            block["blockAddress"], str(block["transactionId"]), block["blockTimestamp"])
    except Exception:  # noqa: BLE001 - a malformed block is checked (and reported) as foreign
        return False


_REFUSED_IMPORT = "import-journal refuses this export"
_WHOLE_EXPORT_NOTES = ("the export holds no blocks", "checked from JSON", _REFUSED_IMPORT)


def _finish(report: ExportVerifyReport, pending: list[Digest]) -> None:
    """Digests the export could not reach, JSON's limits, and an empty export, said plainly."""
    starts = min([report.first_seq] * (report.first_seq is not None)
                 + [a for a, _, _ in report.unreadable], default=None)
    for d in pending:
        unread = next((u for u in report.unreadable if u[0] <= d.tip.seq), None)
        if starts != 0:
            msg = (f"the export starts at block {report.first_seq}, not 0: a digest covers "
                   "every block from 0, so it cannot be checked from this export")
        elif unread is not None:
            a, b, what = unread
            msg = (f"{block_range(a, b)}, before the digest's tip, could not be read ({what}), "
                   "so the block hashes cannot be folded to it")
        elif report.gaps:
            msg = "the export has gaps before the digest's tip"
        else:
            msg = (f"the export ends at block {report.last_seq}, before the digest's tip "
                   f"{d.tip.seq}")
        report.digests.append(DigestResult(d.tip, None, msg))
    report.digests.sort(key=lambda r: r.tip.seq)
    if report.format == "json":
        report.cannot_check.append(JSON_CANNOT_CHECK
                                   + f" ({report.json_unchecked} revision(s) in this export)")
        report.notes.append("checked from JSON: entries hash, block hash, chain links, "
                            "H(transactionInfo), H(redactionInfo), revisions entry, hashes of "
                            "deleted and redacted revisions, digests")
    if report.blocks == 0:
        report.notes.append("the export holds no blocks")
    if (what := report.first_unrequested()) is not None:
        # A valid export (QLDB's ranges end anywhere), but not a whole ledger's journal.
        report.notes.append(f"{_REFUSED_IMPORT}: {what}; a ledger needs that request "
                            "(export up to a later end time)")


# ---------------------------------------------------------------------------- in parallel


@dataclass
class _ObjectOutcome:
    """What a worker found in one data object: its report and what links it to its neighbours."""

    report: ExportVerifyReport
    blocks: list[tuple[int, bytes, int]]      # (seq, blockHash, revisions) in order
    strand: str | None
    first_prev_hash: bytes | None             # previousBlockHash of its first block


def _verify_object(source: ExportSource, index: int) -> _ObjectOutcome:
    obj = source.objects[index]
    one = ExportSource(source.directory, [obj], source.format)
    report = ExportVerifyReport(str(source.directory), source.format, objects=1)
    blocks: list[tuple[int, bytes, int]] = []
    strand = first_prev = None
    with paused_gc():
        for block in walk_export(one, report):
            seq = int(block["blockAddress"]["sequenceNo"])
            if not blocks:
                strand = str(block["blockAddress"]["strandId"])
                try:
                    first_prev = as_blob(block["previousBlockHash"]) \
                        if "previousBlockHash" in block else b""
                except TypeError:  # not a blob: check_block reported it
                    first_prev = b""
            revs = len(block["revisions"]) if "revisions" in block else 0
            blocks.append((seq, _leaf_hash(block), revs))
    return _ObjectOutcome(report, blocks, strand, first_prev)


_FORK_SOURCE: ExportSource | None = None  # inherited by forked workers


def _worker(index: int) -> _ObjectOutcome:
    assert _FORK_SOURCE is not None
    return _verify_object(_FORK_SOURCE, index)


def _ignore_sigint() -> None:
    # Ctrl-C is the parent's to handle (it cancels and stops the workers); a KeyboardInterrupt
    # inside amazon.ion's C extension would crash a worker.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _can_fork() -> bool:
    import sys

    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _verify_parallel(source: ExportSource, report: ExportVerifyReport, digests: Iterable[Digest],
                     jobs: int, progress: Progress | None, cancel: CancelToken | None) -> None:
    """Check objects in forked workers; merge their findings in order, as walk_export would."""
    global _FORK_SOURCE
    report.notes += source.notes
    pending = sorted(digests, key=lambda d: d.tip.seq)
    acc = MerkleAccumulator()
    total = source.block_count
    expected_next: int | None = None
    last_hash: bytes = b""
    prev_key = ""
    strand: str | None = None
    if progress:
        progress(0, total)
    _FORK_SOURCE = source
    pool = ProcessPoolExecutor(min(jobs, len(source.objects)),
                               mp_context=multiprocessing.get_context("fork"),
                               initializer=_ignore_sigint)
    futures: list[Any] = []
    try:
        futures = [pool.submit(_worker, i) for i in range(len(source.objects))]
        for i, fut in enumerate(futures):
            while True:  # wait for this object in order, staying responsive to cancel
                if cancel is not None:
                    cancel.check()
                try:
                    out = fut.result(timeout=0.2)
                    break
                except FuturesTimeout:
                    continue
            obj = source.objects[i]
            r = out.report
            report.failure_count += r.failure_count
            report.failures += r.failures[:max(0, MAX_FAILURES - len(report.failures))]
            # Notes about the whole export are the parent's (_finish): a worker's object
            # with no blocks is not an empty export.
            report.notes += [n for n in r.notes if not n.startswith(_WHOLE_EXPORT_NOTES)]
            report.gaps += r.gaps  # inside the object; gaps between objects are found below
            report.unreadable += r.unreadable
            report.json_unchecked += r.json_unchecked
            _merge_redactions(report, r, expected_next)
            fresh = [b for b in out.blocks if expected_next is None or b[0] >= expected_next]
            if out.blocks and not fresh:
                report.notes.append(f"{obj.key}: {_already_read(obj.first, obj.last)}")
                continue
            if not fresh:
                continue
            first_seq = fresh[0][0]
            if expected_next is not None:
                if len(fresh) == len(out.blocks):
                    linked = out.first_prev_hash == last_hash
                else:
                    # The object overlaps the blocks already read: its own copy of the block
                    # before the fresh ones (whose link to them the worker checked) must be
                    # the one already accepted, or the chain forks here.
                    before = out.blocks[len(out.blocks) - len(fresh) - 1]
                    linked = before[0] != first_seq - 1 or before[1] == last_hash
                if first_seq != expected_next:
                    report.gaps += _missing(expected_next, first_seq - 1, report.unreadable)
                elif not linked:
                    report.add(CheckFailure(first_seq, "chain link",
                                            f"previousBlockHash is not block {first_seq - 1}'s "
                                            f"blockHash (across {prev_key} and {obj.key})"))
            strand = strand or out.strand
            if report.first_seq is None:
                report.first_seq = first_seq
            for seq, block_hash, revs in fresh:
                report.blocks += 1
                report.revisions += revs
                if report.first_seq == 0 and seq == acc.count:
                    acc.append(block_hash)
                    while pending and pending[0].tip.seq == seq:
                        report.digests.append(_digest_result(pending.pop(0), acc.root(),
                                                             strand))
            report.last_seq = fresh[-1][0]
            expected_next = report.last_seq + 1
            last_hash, prev_key = fresh[-1][1], obj.key
            if progress:
                progress(report.blocks, total)
    finally:
        _FORK_SOURCE = None
        if any(not f.done() for f in futures):
            # Cancelled or failed: stop the workers now rather than after their objects.
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
    report.failures.sort(key=lambda f: (f.seq is None, f.seq if f.seq is not None else 0))
    _finish(report, pending)


def _merge_redactions(report: ExportVerifyReport, r: ExportVerifyReport,
                      expected_next: int | None) -> None:
    """Fold one object's redaction findings into the report in journal order; blocks already
    read from another object are left out, as walk_export skips them."""
    def fresh(seq: int) -> bool:
        return expected_next is None or seq >= expected_next

    for key, seq in r.requests.items():
        if fresh(seq):  # a request names revisions of earlier objects too
            report.requests[key] = seq
            report.unrequested.pop(key, None)
    for key, at in r.unrequested.items():
        if fresh(at[0]):
            report.unrequested[key] = at


def _digest_result(d: Digest, root: bytes, strand: str | None) -> DigestResult:
    if strand is not None and d.tip.strand_id != strand:
        return DigestResult(d.tip, False, f"the digest's tip is on strand {d.tip.strand_id}, "
                                          f"the export's blocks on {strand}")
    if root == d.digest:
        return DigestResult(d.tip, True, "the export's block hashes fold to the digest")
    return DigestResult(d.tip, False,
                        f"the block hashes fold to {base64.b64encode(root).decode()}, the "
                        f"digest is {base64.b64encode(d.digest).decode()}")


def _seq_of(raw: Any) -> int | None:
    try:
        return int(raw["blockAddress"]["sequenceNo"])
    except Exception:
        return None


def _already_read(first: int, last: int) -> str:
    return (f"{block_range(first, last)} {'was' if first == last else 'were'} already read "
            "from another data object; skipped")
