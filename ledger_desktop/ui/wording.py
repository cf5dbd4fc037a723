"""Counts in words: "1 block", "23 blocks", "1,204 revisions" (never "1 blocks")."""

from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None) -> str:
    """`n` with thousands separators and `noun`, made plural (noun + "s" unless given)."""
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"
