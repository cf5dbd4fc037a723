"""The Merkle tree over block hashes, kept incrementally in the `merkle` table.

Node (level, pos) is the root of the perfect subtree over leaves [pos * 2**level,
(pos + 1) * 2**level); leaves (level 0) are the `blocks.block_hash` column. Appending a block
writes at most log2(n) nodes. The digest for any tip is the right fold of the perfect subtrees
that cover the prefix (the same tree as QLDB's pairwise construction with odd nodes carried
up), so a digest costs O(log n) lookups and a proof O(log^2 n) in the worst case.
"""

from __future__ import annotations

import sqlite3

from .ion_hash import dot


def node(conn: sqlite3.Connection, level: int, pos: int) -> bytes:
    if level == 0:
        row = conn.execute("SELECT block_hash FROM blocks WHERE seq=?", (pos,)).fetchone()
    else:
        row = conn.execute("SELECT hash FROM merkle WHERE level=? AND pos=?",
                           (level, pos)).fetchone()
    if row is None:
        raise LookupError(f"Merkle node ({level}, {pos}) is missing")
    return bytes(row[0])


def append_leaf(conn: sqlite3.Connection, seq: int, block_hash: bytes) -> None:
    """Write the perfect-subtree nodes completed by leaf `seq` (inside the commit)."""
    h, level, pos = block_hash, 0, seq
    while pos % 2 == 1:
        left = node(conn, level, pos - 1)
        h = dot(left, h)
        level += 1
        pos //= 2
        conn.execute("INSERT OR REPLACE INTO merkle(level, pos, hash) VALUES (?, ?, ?)",
                     (level, pos, h))


def _perfect_ranges(start: int, end: int) -> list[tuple[int, int]]:
    """Split [start, end) into aligned perfect subtrees (level, pos), left to right.

    Valid for the ranges the RFC 6962 recursion produces (start a multiple of a power of two
    at least as large as the range's largest power-of-two part).
    """
    out = []
    while start < end:
        size = end - start
        level = size.bit_length() - 1
        while start % (1 << level):
            level -= 1
        out.append((level, start >> level))
        start += 1 << level
    return out


def subtree_root(conn: sqlite3.Connection, start: int, end: int) -> bytes:
    """Root of the tree over leaves [start, end) in QLDB's shape."""
    parts = [node(conn, lvl, pos) for lvl, pos in _perfect_ranges(start, end)]
    acc = parts[-1]
    for h in reversed(parts[:-1]):
        acc = dot(h, acc)
    return acc


def digest_at(conn: sqlite3.Connection, tip: int) -> bytes:
    return subtree_root(conn, 0, tip + 1)


def block_path(conn: sqlite3.Connection, seq: int, tip: int) -> list[bytes]:
    """Sibling hashes from leaf `seq` up to the root over leaves [0, tip], bottom-up."""
    if not 0 <= seq <= tip:
        raise ValueError(f"block {seq} is not covered by tip {tip}")
    path: list[bytes] = []
    start, end, m = 0, tip + 1, seq
    frames: list[tuple[int, int]] = []  # sibling ranges, top-down
    while end - start > 1:
        n = end - start
        k = 1 << ((n - 1).bit_length() - 1)  # largest power of two < n
        if m - start < k:
            frames.append((start + k, end))
            end = start + k
        else:
            frames.append((start, start + k))
            start = start + k
    for s, e in reversed(frames):
        path.append(subtree_root(conn, s, e))
    return path
