"""Reading a `VerifyReport` for the chain view and the banner: which failures break the hash
chain, which are a saved digest disagreeing with the journal, and which blocks really failed.

The engine names every failure by its check (engine/verify.py). Only a broken link or block
hash makes the blocks after it unprovable; a revision whose content no longer matches its
hash fails its own block only; a saved digest that does not match is a fact about that digest
(the journal's blocks may all check out), so it must not colour a block."""

from __future__ import annotations

import re
from typing import Any

from ...engine.verify import DERIVED_CHECKS, missing_range

# The checks whose failure cuts the chain: later blocks no longer prove back to block 0.
CHAIN_BREAK_CHECKS = ("chain link", "block hash")

_TIP_SEQ = re.compile(r"sequenceNo:\s*(\d+)")


def tip_seq(tip_text: str | None) -> int | None:
    """The block number in a tip address's Ion text, e.g. {strandId:"…",sequenceNo:22}."""
    m = _TIP_SEQ.search(tip_text or "")
    return int(m.group(1)) if m else None


def missing_ranges(report: Any) -> list[tuple[int, int]]:
    """The sequence numbers the report found absent from the file, as (first, last) ranges.
    Only the listed failures say so (the list is capped): the verification hub also collects
    them from the blocks it actually saw, which has no cap."""
    # engine/verify.py reports a gap as a "chain link" failure at the next block present,
    # "block 9 is missing from the journal" (the report has no field for it): its
    # missing_range reads what its missing_message wrote
    out = []
    for f in getattr(report, "failures", []):
        gap = missing_range(f.message) if f.check == "chain link" else None
        if gap is not None:
            out.append(gap)
    return sorted(out)


def failing_digest_checks(report: Any) -> list[Any]:
    return [dc for dc in getattr(report, "digest_checks", []) if not dc.ok]


def is_saved_digest_failure(report: Any, failure: Any) -> bool:
    """A "digest" failure about a saved digest (not the journal's own Merkle nodes): it has no
    block, or its message names a saved digest that failed its check."""
    if failure.check != "digest":
        return False
    if failure.seq is None:
        return True
    return any(dc.digest_b64 and dc.digest_b64 in failure.message
               for dc in failing_digest_checks(report))


def journal_failures(report: Any) -> list[Any]:
    """Failures of the journal itself: not a saved digest, not derived storage."""
    return [f for f in report.failures
            if f.check not in DERIVED_CHECKS and not is_saved_digest_failure(report, f)]


def first_journal_failure(report: Any) -> Any:
    """The first failing block of the journal itself, else the first failure of any kind."""
    journal = journal_failures(report)
    at_blocks = [f for f in journal if f.seq is not None]
    if at_blocks:
        return min(at_blocks, key=lambda f: f.seq)
    if journal:
        return journal[0]
    return report.first_failure


def _truncated(report: Any) -> bool:
    return report.failure_count > len(report.failures)


def failed_blocks(report: Any) -> list[int]:
    """Blocks to paint as failed: the report's failed blocks without those whose only
    failure is a saved digest disagreeing at that tip."""
    listed = [f for f in report.failures if f.seq is not None]
    # block checks are listed in block order; derived checks (listed last) are not
    last_listed = max((f.seq for f in listed if f.check not in DERIVED_CHECKS), default=-1)
    own = {f.seq for f in listed if not is_saved_digest_failure(report, f)}
    digest_tips = {f.seq for f in listed if is_saved_digest_failure(report, f)}
    out = []
    for seq in report.failed_blocks:
        # a block past the listed failures (the list is capped) may have failed anything
        digest_only = seq in digest_tips and seq not in own and (
            not _truncated(report) or seq < last_listed)
        if not digest_only:
            out.append(seq)
    first = first_journal_failure(report)
    if (first is not None and first.seq is not None
            and not is_saved_digest_failure(report, first)):
        out.append(first.seq)  # failed_blocks is capped too
    return sorted(set(out))


def first_break(report: Any) -> int | None:
    """The first block where the hash chain breaks (None: the chain holds)."""
    breaks = [f.seq for f in report.failures
              if f.check in CHAIN_BREAK_CHECKS and f.seq is not None]
    if breaks:
        return min(breaks)
    if _truncated(report):
        # failures beyond the capped list are unknown: assume one may break the chain
        last_listed = max((f.seq for f in report.failures if f.seq is not None
                           and f.check not in DERIVED_CHECKS), default=-1)
        later = [s for s in report.failed_blocks if s > last_listed]
        if later:
            return min(later)
    return None
