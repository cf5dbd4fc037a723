"""Whole-journal verification: a streaming pass over the blocks, and the tamper report.

Every block is checked in order (one parsed block alive at a time, so memory stays flat in
journal length): stored columns against the block's own fields, every revision hash
recomputed, the entries list against the block's content, the entries hash, the block hash,
the chain link to the previous block, the stored Merkle nodes and the digest. Saved digests
are checked at their tips (a digest whose tip lies beyond the journal reveals truncation).
Then the index storage is checked against the journal. The report names the first failing
block, the check that failed and the revisions it holds.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from . import block_facts as _facts
from . import storage
from .blocks import EMPTY_DATA_HASH, BlockAddress, as_blob, block_range, header_entry
from .cancel import CancelToken, Progress
from .index_keys import index_key
from .ion_binary_hash import ion_hash_binary
from .ion_fields import split_struct_fields
from .ion_hash import dot, ion_hash, merkle_root
from .ion_values import dumps_binary, dumps_text, loads, loads_bare
from .metadata_hash import block_field_hashes, metadata_hash
from .model import Digest
from .verify_columns import ColumnChecks

if TYPE_CHECKING:
    from .ledger import Ledger

# Chain-only mode's walk over the blocks that pass every check, in C (_ionhash_c.chain_walk):
# about half the time a block took in the Python loop. None where the extension is not in use.
_chain_walk: Callable[..., tuple] | None = None
if _facts.block_facts is not None:
    from . import _ionhash_c

    _chain_walk = getattr(_ionhash_c, "chain_walk", None)
_WALK_ROWS = 4096  # blocks per C call: cancel and progress are looked at between calls

MAX_FAILURES = 200
# "block 9 is missing from the journal", "blocks 9..11 are …" (and "blocks 9..9 are …", as
# reports before the singular wrote it): the chain link failure of a gap in the sequence
_MISSING = re.compile(r"^blocks? (\d+)(?:\.\.(\d+))? (?:is|are) missing from the journal")
# Checks of what is derived from the journal, not of the journal itself.
DERIVED_CHECKS = ("index storage", "file structure")


@dataclass
class AffectedRevision:
    document_id: str | None
    version: int | None
    table_id: str | None
    index: int
    # Filled in from the table catalog when the report is finished: a label for people, not
    # evidence (the catalog is index storage).
    table_name: str | None = None

    def label(self) -> str:
        name = f" ({self.table_name})" if self.table_name else ""
        return f"{self.document_id} v{self.version}{name}"


@dataclass
class VerifyFailure:
    seq: int | None
    check: str
    message: str
    revisions: list[AffectedRevision] = field(default_factory=list)

    def __str__(self) -> str:
        where = f"block {self.seq}" if self.seq is not None else "ledger"
        return f"{where}: {self.check} check failed: {self.message}"


@dataclass
class DigestCheck:
    digest_b64: str
    tip: str
    ok: bool
    message: str


@dataclass
class VerifyReport:
    ledger: str
    strand_id: str
    ok: bool = True
    mode: str = "full"
    blocks_checked: int = 0
    revisions_checked: int = 0
    block_count: int = 0
    tip: str | None = None
    digest_b64: str | None = None
    failures: list[VerifyFailure] = field(default_factory=list)
    failure_count: int = 0
    failed_blocks: list[int] = field(default_factory=list)
    digest_checks: list[DigestCheck] = field(default_factory=list)
    index_storage_checked: bool = False
    notes: list[str] = field(default_factory=list)
    started: str = ""
    elapsed_seconds: float = 0.0
    cancelled: bool = False

    @property
    def first_failure(self) -> VerifyFailure | None:
        """The journal's first failing block; failing only what is derived from it (the
        index storage, the file's SQLite structures), the first of those."""
        for derived in (False, True):
            at_blocks = [f for f in self.failures if f.seq is not None
                         and (f.check in DERIVED_CHECKS) == derived]
            if at_blocks:
                return min(at_blocks, key=lambda f: f.seq)  # type: ignore[arg-type,return-value]
        return self.failures[0] if self.failures else None

    def fail(self, failure: VerifyFailure) -> None:
        self.ok = False
        self.failure_count += 1
        new_block = failure.seq is not None and (not self.failed_blocks
                                                 or self.failed_blocks[-1] != failure.seq)
        if new_block and len(self.failed_blocks) < 100_000:
            self.failed_blocks.append(failure.seq)  # type: ignore[arg-type]
        if len(self.failures) < MAX_FAILURES:
            self.failures.append(failure)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        first = self.first_failure
        d["first_failure"] = asdict(first) if first else None
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def summary(self) -> str:
        if self.cancelled:
            if self.blocks_checked >= self.block_count:
                return (f"verification cancelled after all {self.block_count:,} blocks, during "
                        "the index storage and file checks")
            return f"verification cancelled after {self.blocks_checked:,} blocks"
        if self.ok:
            text = (f"verified: {self.blocks_checked:,} blocks and {self.revisions_checked:,} "
                    f"revisions ({self.mode}), tip {self.tip}, digest {self.digest_b64}")
            for dc in self.digest_checks:
                text += f"\n  digest {dc.digest_b64} at {dc.tip}: {dc.message}"
            return text
        first = self.first_failure
        lines = [f"VERIFICATION FAILED: {self.failure_count} problem(s); first: {first}"]
        if first and first.revisions:
            affected = ", ".join(r.label() for r in first.revisions[:20])
            lines.append(f"  affected revisions in that block: {affected}")
        for f in [f for f in self.failures if f is not first][:9]:
            lines.append(f"  also: {f}")
        for dc in self.digest_checks:
            lines.append(f"  digest {dc.digest_b64} at {dc.tip}: {dc.message}")
        return "\n".join(lines)


def missing_message(first: int, last: int) -> str:
    """The failure message of a gap in the sequence numbers (`missing_range` reads it)."""
    return f"{block_range(first, last)} {'is' if first == last else 'are'} missing from the " \
        "journal"


def missing_range(message: str) -> tuple[int, int] | None:
    """(first, last) of a `missing_message`; None for any other message."""
    m = _MISSING.match(message)
    if m is None:
        return None
    first = int(m.group(1))
    return first, int(m.group(2)) if m.group(2) is not None else first


def _b64(h: bytes | None) -> str | None:
    return None if h is None else base64.b64encode(h).decode()


def _report_nodes(report: VerifyReport, seq: int, made: list[tuple[int, int, bytes]],
                  stored: bytes) -> None:
    """Name each node block `seq` completes whose stored hash differs or is missing."""
    for i, (level, pos, h) in enumerate(made):
        if stored[i * 32:(i + 1) * 32] != h:
            report.fail(VerifyFailure(seq, "digest", f"the stored Merkle node ({level}, {pos}) "
                                      "does not match the blocks"))
    if len(stored) > 32 * len(made):
        report.fail(VerifyFailure(seq, "digest", "the block's row holds Merkle nodes it does "
                                  "not complete"))


class _Frontier:
    """Running Merkle root over block hashes (perfect subtrees, largest first)."""

    def __init__(self) -> None:
        self.nodes: list[tuple[int, bytes]] = []  # (level, hash)
        self.count = 0

    def push(self, h: bytes) -> list[tuple[int, int, bytes]]:
        """Add a leaf; returns the completed nodes as (level, pos, hash)."""
        made = []
        level, pos = 0, self.count
        self.count += 1
        while self.nodes and self.nodes[-1][0] == level:
            _, left = self.nodes.pop()
            h = dot(left, h)
            level += 1
            pos //= 2
            made.append((level, pos, h))
        self.nodes.append((level, h))
        return made

    def push_leaf(self, h: bytes) -> None:
        """`push` without collecting the completed nodes (chain-only mode checks none)."""
        nodes = self.nodes
        level, count = 0, self.count
        self.count = count + 1
        while count & 1:  # each trailing 1 bit of the leaf count is a perfect subtree to join
            h = dot(nodes.pop()[1], h)
            level += 1
            count >>= 1
        nodes.append((level, h))

    def root(self) -> bytes:
        acc = self.nodes[-1][1]
        for _lvl, h in reversed(self.nodes[:-1]):
            acc = dot(h, acc)
        return acc


_REV_SQL = ("SELECT seq, idx, doc_id, version, table_id, kind, hash, metadata, data, data_hash "
            "FROM revisions ORDER BY seq, idx")
_REV_SQL_ONE = ("SELECT seq, idx, doc_id, version, table_id, kind, hash, metadata, data, "
                "data_hash FROM revisions WHERE seq=? ORDER BY idx")


def verify_ledger(ledger: Ledger, progress: Progress | None = None,
                  cancel: CancelToken | None = None, digests: Sequence[Digest] = (),
                  rehash: bool = True, check_index_storage: bool = True,
                  on_block: Callable[[int, bool], None] | None = None) -> VerifyReport:
    """`on_block(seq, ok)` (optional) is called after each block's checks, e.g. to colour a
    chain view as verification advances."""
    conn = ledger._conn
    started = time.perf_counter()
    report = VerifyReport(ledger=str(ledger.path), strand_id=ledger.strand_id,
                          mode="full" if rehash else "chain only",
                          started=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    total = ledger.block_count()
    report.block_count = total
    by_tip: dict[int, list[Digest]] = {}
    for d in digests:
        if d.tip.strand_id != ledger.strand_id:
            report.digest_checks.append(DigestCheck(_b64(d.digest), d.tip.text(), False,
                                                    "the digest is for another ledger (strand)"))
            # a problem like any other, so the report names it (not "0 problems")
            report.fail(VerifyFailure(None, "digest", (
                f"the saved digest {_b64(d.digest)} is for another ledger: its tip is on strand "
                f"{d.tip.strand_id}, this ledger's strand is {ledger.strand_id}")))
            continue
        by_tip.setdefault(d.tip.seq, []).append(d)

    frontier = _Frontier()
    prev_hash: bytes | None = None
    expected_seq = 0
    # Chain-only mode reads no block bodies: the blocks_chain index covers its columns.
    # Chain-only mode reads only the hash columns (fewer columns decoded per row).
    nodes = ledger._nodes
    nodes.refresh()
    walk = _chain_walk if not rehash and on_block is None else None
    bcur = conn.execute(
        "SELECT seq, tx_id, block_ts, block_hash, entries_hash, prev_hash, is_foreign, body, "
        f"n_revisions, has_redaction, {'merkle_nodes' if nodes.inline else 'NULL'} FROM blocks "
        "ORDER BY seq" if rehash else
        "SELECT seq, block_hash, entries_hash, prev_hash, is_foreign FROM blocks ORDER BY seq"
        if walk is not None else
        "SELECT seq, NULL, NULL, block_hash, entries_hash, prev_hash, is_foreign, NULL, NULL, "
        "NULL, NULL FROM blocks ORDER BY seq")
    columns = ColumnChecks(imported=storage.get_meta(conn, "imported") is not None)
    rcur = conn.cursor().execute(_REV_SQL) if rehash else None
    pending = rcur.fetchone() if rcur is not None else None
    fast_facts = _facts.block_facts
    last_report = float("-inf")  # the first look reports at once: the total, early

    def handed_back() -> Iterator[tuple]:
        """Chain-only rows the C walk does not vouch for (the first, a gap, a bad hash or link,
        a saved digest's tip), in the Python loop's row shape; the rest it checks and counts."""
        nonlocal expected_seq, prev_hash, last_report
        assert walk is not None
        stops = set(by_tip) or None
        while True:
            row, walked, expected_seq, prev_hash, frontier.count, ended = walk(
                bcur, expected_seq, prev_hash, frontier.nodes, frontier.count, stops, _WALK_ROWS)
            report.blocks_checked += walked
            if cancel is not None:
                cancel.check()
            now = time.perf_counter()
            if progress is not None and now - last_report > 0.05:
                last_report = now
                progress(report.blocks_checked, total)
            if row is not None:
                yield (row[0], None, None, row[1], row[2], row[3], row[4], None, None, None,
                       None)
            elif ended:
                return

    try:
        for seq, tx_id, block_ts, bhash, ehash, phash, is_foreign, body, n_revs, has_red, \
                stored in (handed_back() if walk is not None else bcur):
            failures_before = report.failure_count
            bhash, ehash, phash = as_blob(bhash), as_blob(ehash), as_blob(phash)
            if seq != expected_seq:
                report.fail(VerifyFailure(seq, "chain link",
                                          missing_message(expected_seq, seq - 1)))
                expected_seq = seq
            rows: list[tuple] = []
            if rcur is not None:
                while pending is not None and pending[0] < seq:
                    report.fail(VerifyFailure(pending[0], "revision hash",
                                              "a revision belongs to no block"))
                    pending = rcur.fetchone()
                while pending is not None and pending[0] == seq:
                    rows.append(pending)
                    pending = rcur.fetchone()
                facts = fast_facts(body) if fast_facts is not None and not is_foreign else None
                if facts is None or not _plain_block_ok(facts, seq, ledger.strand_id, tx_id,
                                                        block_ts, bhash, ehash, phash, n_revs,
                                                        has_red, rows):
                    value, header = _check_block_content(
                        report, ledger, seq, tx_id, block_ts, bhash, ehash, phash,
                        bool(is_foreign), body, rows)
                    if value is not None:
                        columns.check_block(report, seq, bool(is_foreign), n_revs, has_red,
                                            value, rows, header)
                    _report_strays(report, seq, rows)  # after the checks that say more
            if dot(ehash, phash) != bhash:
                report.fail(VerifyFailure(seq, "block hash",
                                          "blockHash != dot(entriesHash, previousBlockHash)",
                                          _affected(rows)))
            if prev_hash is not None and phash != prev_hash:
                report.fail(VerifyFailure(seq, "chain link", f"previousBlockHash is not block "
                                          f"{seq - 1}'s blockHash", _affected(rows)))
            elif prev_hash is None and seq == 0 and phash and not is_foreign:
                report.fail(VerifyFailure(0, "chain link", "the genesis block has a previous "
                                          "block hash"))
            prev_hash = bhash
            if not rehash:
                frontier.push_leaf(bhash)
            else:
                made = frontier.push(bhash)
                if nodes.inline:
                    if stored is not None and not isinstance(stored, bytes):  # tampered
                        report.fail(VerifyFailure(seq, "digest", "the block's row holds Merkle "
                                                  "nodes that are not a blob"))
                    elif (stored or b"") != b"".join(h for _l, _p, h in made):
                        _report_nodes(report, seq, made, stored or b"")
                else:
                    for level, pos, h in made:
                        try:
                            same = nodes.node(level, pos) == h
                        except LookupError:
                            same = False
                        if not same:
                            _report_nodes(report, seq, [(level, pos, h)], b"")
            for d in (by_tip.pop(seq, ()) if by_tip else ()):
                ok = frontier.root() == d.digest
                report.digest_checks.append(DigestCheck(
                    _b64(d.digest), d.tip.text(), ok,
                    "the journal agrees with this digest" if ok else
                    "the journal does NOT fold to this digest"))
                if not ok:
                    report.fail(VerifyFailure(seq, "digest", f"{block_range(0, seq)} "
                                              f"{'does' if seq == 0 else 'do'} not fold to "
                                              f"the saved digest {_b64(d.digest)}"))
            report.blocks_checked += 1
            if on_block is not None:
                on_block(seq, report.failure_count == failures_before)
            report.revisions_checked += len(rows)
            expected_seq = seq + 1
            if (seq & 255) == 0:
                if cancel is not None and cancel.cancelled:
                    report.cancelled = True
                    report.ok = False
                    return _finish(report, started)
                now = time.perf_counter()
                if progress is not None and now - last_report > 0.05:
                    last_report = now
                    progress(report.blocks_checked, total)
        for tip_seq, ds in by_tip.items():
            for d in ds:
                report.digest_checks.append(DigestCheck(
                    _b64(d.digest), d.tip.text(), False,
                    f"the digest covers block {tip_seq} but the journal ends at block "
                    f"{expected_seq - 1}: blocks were removed (truncation)"))
                report.fail(VerifyFailure(None, "digest", f"the saved digest's tip {tip_seq} is "
                                          f"beyond the journal's last block {expected_seq - 1}"))
        if frontier.count:
            root = frontier.root()
            report.digest_b64 = _b64(root)
            report.tip = BlockAddress(ledger.strand_id, expected_seq - 1).text()
        if rcur is not None:
            columns.finish(report)
        if rcur is not None and pending is not None:
            report.fail(VerifyFailure(pending[0], "revision hash",
                                      "revisions exist after the last block"))
        if check_index_storage and rehash:
            from .verify_index import check_file_structure
            from .verify_index import check_index_storage as _check_ix

            _check_ix(ledger, report, cancel)
            report.index_storage_checked = True
            check_file_structure(conn, report, cancel)
    except Exception as e:  # a malformed stored value is a finding, not a crash
        from .errors import Cancelled

        if isinstance(e, Cancelled):
            report.cancelled = True
            report.ok = False
            return _finish(report, started)
        report.fail(VerifyFailure(expected_seq, "format",
                                  f"block {expected_seq} cannot be read: {e}"))
    if progress is not None:
        progress(report.blocks_checked, total)
    _name_tables(report, conn)
    return _finish(report, started)


def _name_tables(report: VerifyReport, conn: Any) -> None:
    """Give the affected revisions their table names, so a report says "Vehicle" and not
    only a table id. A catalog that cannot be read leaves the ids alone."""
    affected = [r for f in report.failures for r in f.revisions if r.table_id is not None]
    if not affected:
        return
    try:
        names = {str(tid): str(name) for tid, name in
                 conn.execute("SELECT table_id, name FROM tables_")}
    except Exception:  # a tampered or missing catalog: the report stands without names
        return
    for r in affected:
        r.table_name = names.get(r.table_id)


def _finish(report: VerifyReport, started: float) -> VerifyReport:
    report.elapsed_seconds = round(time.perf_counter() - started, 3)
    report.failed_blocks = sorted(set(report.failed_blocks))
    return report


def _affected(rows: list[tuple]) -> list[AffectedRevision]:
    return [AffectedRevision(r[2], r[3], r[4], r[1]) for r in rows
            if r[5] != storage.KIND_SYSTEM and r[2] is not None]


_INFO_FIELDS = ("transactionInfo", "redactionInfo")
_OWN_KINDS = (storage.KIND_DATA, storage.KIND_SYSTEM, storage.KIND_DELETED)


def _plain_block_ok(facts: _facts.BlockFacts, seq: int, strand_id: str, tx_id: str,
                    block_ts: str, bhash: bytes, ehash: bytes, phash: bytes, n_revs: int,
                    has_red: int, rows: list[tuple]) -> bool:
    """True when one of our own blocks, in the plain shape `block_facts` reads, passes every
    check `_check_block_content` and `ColumnChecks.check_block` make: columns, revision
    hashes, entries, entries hash, revision kinds and tables. It only accepts: anything else
    (a failure, a redaction, imported metadata, a value it cannot read) returns False and the
    general checks run, so the report is always theirs. Several times cheaper per block."""
    (f_strand, f_seq, f_tx, f_ts, f_bhash, f_ehash, f_phash, entries, header, block_fields,
     info_hash, documents) = facts
    if (f_seq != seq or f_strand != strand_id or f_tx != tx_id or f_ts != block_ts
            or f_bhash != bhash or f_ehash != ehash or f_phash != phash or has_red
            or n_revs != len(rows)):
        return False
    hashes = []
    try:
        for _s, _idx, doc_id, version, table_id, kind, h, meta_blob, data, dh_col in rows:
            if meta_blob is not None or kind not in _OWN_KINDS or dh_col is not None \
                    or (data is None) != (kind == storage.KIND_DELETED):
                return False  # stored metadata, hash-only, redacted, stray columns: general
            listed = documents.get(doc_id) if doc_id is not None else None
            if kind == storage.KIND_SYSTEM:
                if table_id is not None or listed is not None:
                    return False
            elif listed is None or listed != table_id:
                return False
            dh = EMPTY_DATA_HASH if kind == storage.KIND_DELETED else ion_hash_binary(data)
            if dot(metadata_hash(doc_id, version, block_fields), dh) != h:
                return False
            hashes.append(h)
        expected = [header]
        if hashes:
            expected.append(merkle_root(hashes))
        if info_hash is not None:
            expected.append(info_hash)
        return expected == entries and merkle_root(entries) == ehash
    except Exception:  # a damaged column or value: the general checks name it
        return False


def _info_hashes(body: Any, body_blob: bytes) -> dict[str, bytes]:
    """H(transactionInfo) and H(redactionInfo) of a block, from the stored bytes of those
    fields (ion_fields) when the body's field names are unique, so that stored order and
    parsed order agree; otherwise (a tampered body) from the parsed values."""
    names = [name for name, _ in body.items()]
    wanted = [name for name in _INFO_FIELDS if name in body]
    fields = split_struct_fields(body_blob) if len(set(names)) == len(names) else None
    if fields is not None and len(fields) == len(names):
        return {name: ion_hash_binary(fields[names.index(name)]) for name in wanted}
    return {name: ion_hash(body[name]) for name in wanted}


_OWN_BODY_FIELDS = ("blockAddress", "transactionId", "blockTimestamp", "blockHash",
                    "entriesHash", "previousBlockHash", "entriesHashList", "transactionInfo",
                    "redactionInfo")


def _own_layout_exact(body: Any, body_blob: bytes) -> bool:
    """One of our blocks is written from its fields alone, in this order: rebuilt from the
    parsed fields (hashes and the address as plain values), it must be the stored bytes.
    Anything else in the body (get-block, export and stream would show it) is covered by no
    hash. transactionInfo and redactionInfo are taken as stored: their hashes cover them."""
    try:
        rebuilt: dict[str, Any] = {}
        for name in _OWN_BODY_FIELDS:
            if name not in body:
                continue
            value = body[name]
            if name == "blockAddress":
                value = {"strandId": str(value["strandId"]),
                         "sequenceNo": int(value["sequenceNo"])}
            elif name == "transactionId":
                value = str(value)
            elif name == "entriesHashList":
                value = [as_blob(h) for h in value]
            elif name in ("blockHash", "entriesHash", "previousBlockHash"):
                value = as_blob(value)
            rebuilt[name] = value
        return dumps_binary(rebuilt) == body_blob
    except Exception:  # noqa: BLE001 - unreadable fields: the other checks report them
        return False


# Which of the data and data_hash columns a revision of each kind fills.
_COLUMNS_OF_KIND = {storage.KIND_DATA: (True, False), storage.KIND_SYSTEM: (True, False),
                    storage.KIND_DELETED: (False, False), storage.KIND_REDACTED: (False, True),
                    storage.KIND_HASH_ONLY: (False, False)}


def _report_strays(report: VerifyReport, seq: int, rows: list[tuple]) -> None:
    for _s, idx, doc_id, version, table_id, kind, _h, _m, data, data_hash in rows:
        stray = _stray_column(kind, data, data_hash)
        if stray is not None:
            report.fail(VerifyFailure(seq, "format", f"revision {idx} (document {doc_id}) "
                                      f"holds {stray}",
                                      [AffectedRevision(doc_id, version, table_id, idx)]))


def _stray_column(kind: int, data: Any, data_hash: Any) -> str | None:
    """A column a revision of its kind must not fill, or must: data left in a deleted or
    redacted revision is covered by no hash (nothing reads it, and verify passed)."""
    want = _COLUMNS_OF_KIND.get(kind)
    if want is None:
        return None  # an unknown kind: the hash checks report it
    has_data, has_hash = want
    if (data is not None) != has_data:
        return ("data, which a revision of its kind does not keep" if data is not None
                else "no data, which a revision of its kind keeps")
    if (data_hash is not None) != has_hash:
        return ("a data hash column, which only a redacted revision has" if has_hash is False
                else "no data hash, which a redacted revision keeps")
    return None


def _check_block_content(report: VerifyReport, ledger: Ledger, seq: int, tx_id: str,
                         block_ts: str, bhash: bytes, ehash: bytes, phash: bytes,
                         is_foreign: bool, body_blob: bytes, rows: list[tuple]
                         ) -> tuple[Any, bytes | None]:
    """Check one block's content; returns the parsed block (None if it cannot be read) and,
    for one of our own blocks, its header entry (the column checks need it too)."""
    try:
        body = loads_bare(body_blob)
        fields_ok = (
            int(body["blockAddress"]["sequenceNo"]) == seq
            and str(body["blockAddress"]["strandId"]) == ledger.strand_id
            and as_blob(body["blockHash"]) == bhash
            and as_blob(body["entriesHash"]) == ehash
            and as_blob(body.get("previousBlockHash", b"")) == phash
            and str(body["transactionId"]) == tx_id
            and dumps_text(body["blockTimestamp"]) == block_ts)
    except Exception as e:
        report.fail(VerifyFailure(seq, "format", f"the stored block cannot be read: {e}",
                                  _affected(rows)))
        return None, None
    if not fields_ok:
        report.fail(VerifyFailure(seq, "block hash", "the block's stored fields disagree with "
                                  "its indexed columns (address, time, transaction or hashes)",
                                  _affected(rows)))
    elif not is_foreign and not _own_layout_exact(body, body_blob):
        report.fail(VerifyFailure(seq, "format", "the stored block holds content no hash "
                                  "covers: a field outside the block's layout, annotations or "
                                  "a repeated field name", _affected(rows)))
    rev_hashes: list[bytes] = []
    block_fields = None
    for row in rows:
        _s, idx, doc_id, version, table_id, kind, h, meta_blob, data, data_hash = row
        h = as_blob(h)
        rev_hashes.append(h)
        if kind == storage.KIND_HASH_ONLY:
            continue
        try:
            if meta_blob is None:
                # Our own revision: metadata is derived from its columns and the block, so
                # the hash check also proves the document id and version columns.
                if block_fields is None:
                    block_fields = block_field_hashes(body["blockTimestamp"], tx_id)
                mh = metadata_hash(doc_id, version, block_fields)
                meta_ok = True
            else:
                meta = loads(meta_blob)
                mh = ion_hash(meta)
                meta_ok = str(meta["id"]) == doc_id and int(meta["version"]) == version
                if not is_foreign:
                    meta_ok = meta_ok and str(meta["txId"]) == tx_id
            if kind in (storage.KIND_DATA, storage.KIND_SYSTEM):
                # ion_hash_binary only returns a hash for data that passes the framing check
                # (its "strict framing" guarantee), so no separate check is needed here.
                computed = dot(mh, ion_hash_binary(data))
            elif kind == storage.KIND_REDACTED:
                computed = dot(mh, as_blob(data_hash))
            else:
                computed = dot(mh, EMPTY_DATA_HASH)
        except Exception as e:
            report.fail(VerifyFailure(seq, "revision hash", f"revision {idx} cannot be read: {e}",
                                      [AffectedRevision(doc_id, version, table_id, idx)]))
            continue
        affected = [AffectedRevision(doc_id, version, table_id, idx)]
        if computed != h:
            if kind == storage.KIND_DELETED and is_foreign:
                continue  # QLDB's rule for deleted revisions is not public (see docs)
            what = "catalog revision" if kind == storage.KIND_SYSTEM else "revision"
            report.fail(VerifyFailure(seq, "revision hash", f"{what} {idx} (document {doc_id} "
                                      f"version {version}) does not match its hash", affected))
        elif not meta_ok:
            report.fail(VerifyFailure(seq, "revision hash", f"revision {idx}'s indexed columns "
                                      "disagree with its metadata", affected))
    entries = [as_blob(e) for e in body["entriesHashList"]]
    info_hashes = _info_hashes(body, body_blob)
    header = None
    if is_foreign:
        missing = []
        if rev_hashes and merkle_root(rev_hashes) not in entries:
            missing.append("the revisions root")
        for name in _INFO_FIELDS:
            if name in info_hashes and info_hashes[name] not in entries:
                missing.append(f"H({name})")
        if missing:
            report.fail(VerifyFailure(seq, "entries hash", f"{', '.join(missing)} not among "
                                      "the block's entries", _affected(rows)))
    else:
        header = header_entry(body["blockAddress"], str(body["transactionId"]),
                              body["blockTimestamp"])
        expected = [header]
        if rev_hashes:
            expected.append(merkle_root(rev_hashes))
        for name in _INFO_FIELDS:
            if name in info_hashes:
                expected.append(info_hashes[name])
        if expected != entries:
            report.fail(VerifyFailure(seq, "entries hash", "the block's entries do not match its "
                                      "content (header, revisions, transactionInfo)",
                                      _affected(rows)))
    if merkle_root(entries) != ehash:
        report.fail(VerifyFailure(seq, "entries hash",
                                  "entriesHash is not the Merkle root of entriesHashList",
                                  _affected(rows)))
    return body, header


__all__ = ["verify_ledger", "VerifyReport", "VerifyFailure", "DigestCheck", "index_key"]
