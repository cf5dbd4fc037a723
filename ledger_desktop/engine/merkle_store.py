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


# -- the frontier: the perfect subtrees covering the journal, kept in `meta` --------------------
# Appending a block needs only these (its new nodes combine with them) and so does the digest,
# so a commit reads one row instead of log2(n) nodes. Verification checks the stored frontier.

def _frontier_ranges(count: int) -> list[tuple[int, int]]:
    return _perfect_ranges(0, count)


def encode_frontier(nodes: list[tuple[int, bytes]]) -> bytes:
    return b"".join(bytes((level,)) + h for level, h in nodes)


def decode_frontier(blob: bytes | None, count: int) -> list[tuple[int, bytes]] | None:
    """The stored frontier if it covers exactly `count` leaves, else None."""
    if blob is None or len(blob) % 33:
        return None
    blob = bytes(blob)
    nodes = [(blob[i], blob[i + 1:i + 33]) for i in range(0, len(blob), 33)]
    if sum(1 << lvl for lvl, _ in nodes) != count:
        return None
    return nodes


def load_frontier(conn: sqlite3.Connection, count: int) -> list[tuple[int, bytes]]:
    row = conn.execute("SELECT value FROM meta WHERE key='frontier'").fetchone()
    nodes = decode_frontier(row[0] if row else None, count)
    if nodes is None:  # missing (older file) or stale: rebuild from the stored nodes
        nodes = [(lvl, node(conn, lvl, pos)) for lvl, pos in _frontier_ranges(count)]
    return nodes


def frontier_root(nodes: list[tuple[int, bytes]]) -> bytes:
    acc = nodes[-1][1]
    for _lvl, h in reversed(nodes[:-1]):
        acc = dot(h, acc)
    return acc


def append_block(conn: sqlite3.Connection, seq: int, block_hash: bytes,
                 frontier: tuple[tuple[int, bytes], ...] | None = None,
                 ) -> tuple[bytes, tuple[tuple[int, bytes], ...]]:
    """Record block `seq` in the Merkle tree (nodes, frontier, tip, digest); returns the digest
    and the new frontier. `frontier` is the one covering blocks 0..seq-1 when the caller
    already holds it (commit_cache), else it is read."""
    nodes = list(frontier) if frontier is not None else load_frontier(conn, seq)
    h, level, pos = block_hash, 0, seq
    new_nodes = []
    while nodes and nodes[-1][0] == level:
        _lvl, left = nodes.pop()
        h = dot(left, h)
        level += 1
        pos //= 2
        new_nodes.append((level, pos, h))
    nodes.append((level, h))
    if new_nodes:
        conn.executemany("INSERT OR REPLACE INTO merkle(level, pos, hash) VALUES (?, ?, ?)",
                         new_nodes)
    digest = frontier_root(nodes)
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('tip_seq', ?), ('digest', ?), "
                 "('frontier', ?)", (seq, digest, encode_frontier(nodes)))
    return digest, tuple(nodes)
