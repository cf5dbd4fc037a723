"""Counts in words: "1 block", "23 blocks", "1,204 revisions" (never "1 blocks")."""

from __future__ import annotations

import re


def count(n: int, noun: str, plural: str | None = None) -> str:
    """`n` with thousands separators and `noun`, made plural (noun + "s" unless given)."""
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


_FIRST_WORD = re.compile(r"\A(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*(\w+)", re.S)
_DONE = {"insert": "inserted", "update": "updated", "delete": "deleted", "from": "updated",
         "remove": "removed"}


def outcome(kind: str, text: str, n: int) -> str:
    """What a statement did, for the status line: "2 documents updated" for a DML statement
    (whose values are the changed documents' ids, as QLDB returns them), else "select: 4
    values"."""
    if kind == "dml":
        m = _FIRST_WORD.match(text)
        verb = _DONE.get(m.group(1).lower(), "changed") if m else "changed"
        return f"{count(n, 'document')} {verb}"
    return f"{kind + ': ' if kind else ''}{count(n, 'value')}"


#: how a ledger that cannot (or must not) be written is described, in its tab and status
READ_ONLY_NOTE = "read-only: browse, verify, prove; statements need a writable copy"
#: the refusal of a statement, an import or a table change there (one line, no traceback)
READ_ONLY_REFUSAL = ("this ledger is read-only, and every statement (SELECT included) is "
                     "recorded in the journal: use a writable copy of the file")


def seq_ranges(ranges: list[tuple[int, int]], limit: int = 3) -> str:
    """(first, last) runs of sequence numbers as "9" or "9–11", the first `limit` of them."""
    parts = [f"{a:,}" if a == b else f"{a:,}–{b:,}" for a, b in ranges[:limit]]
    return ", ".join(parts) + (", …" if len(ranges) > limit else "")


def missing_note(ranges: list[tuple[int, int]]) -> str:
    """" · 1 block missing from the journal (sequenceNo 9)", or "" when none is."""
    if not ranges:
        return ""
    n = sum(b - a + 1 for a, b in ranges)
    return f" · {count(n, 'block')} missing from the journal (sequenceNo {seq_ranges(ranges)})"


def journal_summary(tip_count: int, missing: list[tuple[int, int]] | None,
                    sep: str = " · ") -> str:
    """The journal's size: `tip_count` is the tip's sequence number + 1 (what a complete
    journal holds); `missing` the gaps known in it (None: not yet known, e.g. before the chain
    columns are read or a verification). "22 blocks, tip sequenceNo 22, 1 missing (…)"."""
    if tip_count <= 0:
        return count(0, "block")
    tip = f"tip sequenceNo {tip_count - 1:,}"
    if not missing:
        return f"{count(tip_count, 'block')}{sep}{tip}"
    gone = sum(b - a + 1 for a, b in missing)
    return (f"{count(tip_count - gone, 'block')}, {tip}, {gone:,} missing from the journal "
            f"(sequenceNo {seq_ranges(missing)})")
