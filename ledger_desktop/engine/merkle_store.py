"""The Merkle tree over block hashes, kept incrementally with the blocks.

Node (level, pos) is the root of the perfect subtree over leaves [pos * 2**level,
(pos + 1) * 2**level); leaves (level 0) are the `blocks.block_hash` column. The digest for any
tip is the right fold of the perfect subtrees that cover the prefix (the same tree as QLDB's
pairwise construction with odd nodes carried up), so a digest costs O(log n) lookups and a
proof O(log^2 n) in the worst case.

Since schema 2 a node is stored in the row of the block that completes it: block `seq`
completes one node per trailing 1 bit of `seq` (levels 1..k), and `blocks.merkle_nodes` holds
their hashes, level 1 first, 32 bytes each (NULL when there are none). A commit therefore writes
its nodes in the row it inserts anyway, instead of rows in a table of their own and a stored
frontier: two fewer B-trees touched per commit. Schema 1 kept them in a `merkle` table; an
older file opened read-only (which cannot be migrated) is read through that table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from .errors import IntegrityError
from .ion_hash import dot

Frontier = tuple[tuple[int, bytes], ...]  # (level, hash) of the perfect subtrees, largest first


class MissingNodeError(IntegrityError, LookupError):
    """A stored Merkle node a digest or proof needs is missing or malformed: the file was
    damaged or tampered with (verification names the block)."""


def node_seq(level: int, pos: int) -> int:
    """The block whose row holds node (level, pos): the last leaf it covers."""
    return ((pos + 1) << level) - 1


def extend(frontier: Sequence[tuple[int, bytes]], block_hash: bytes
           ) -> tuple[bytes | None, Frontier]:
    """Append a leaf to `frontier`: the nodes it completes (the `merkle_nodes` value of its
    row) and the new frontier."""
    nodes = list(frontier)
    h, level = block_hash, 0
    made = []
    while nodes and nodes[-1][0] == level:
        h = dot(nodes.pop()[1], h)
        level += 1
        made.append(h)
    nodes.append((level, h))
    return (b"".join(made) if made else None), tuple(nodes)


def frontier_root(nodes: Sequence[tuple[int, bytes]]) -> bytes:
    acc = nodes[-1][1]
    for _lvl, h in reversed(nodes[:-1]):
        acc = dot(h, acc)
    return acc


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


class NodeStore:
    """Reads the stored nodes of one ledger file, in whichever layout it has."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.inline = True  # False: a schema-1 file, nodes in its `merkle` table
        self.refresh()

    def refresh(self) -> None:
        """Look at the file's schema again: a schema-1 file opened read-only is migrated when
        another connection (the app's writer) opens it for writing."""
        self.inline = self._conn.execute("PRAGMA user_version").fetchone()[0] >= 2

    def node(self, level: int, pos: int) -> bytes:
        return self.nodes(((level, pos),))[0]

    def nodes(self, keys: Sequence[tuple[int, int]]) -> list[bytes]:
        """The stored nodes `keys` ((level, pos) each), in order, read in one statement: a
        proof needs about 2 log2(n) of them, and one statement each cost more than the
        proof's hashing."""
        try:
            return self._read(keys)
        except sqlite3.OperationalError:  # no such table or column: the layout changed
            was = self.inline
            self.refresh()
            if self.inline == was:
                raise
            return self._read(keys)

    def _read(self, keys: Sequence[tuple[int, int]]) -> list[bytes]:
        conn = self._conn
        if not self.inline:  # schema 1, read-only: one statement a node, as it always did
            return [_checked(lvl, pos, _one(conn.execute(
                "SELECT block_hash FROM blocks WHERE seq=?", (pos,)).fetchone() if lvl == 0
                else conn.execute("SELECT hash FROM merkle WHERE level=? AND pos=?",
                                  (lvl, pos)).fetchone())) for lvl, pos in keys]
        seqs = tuple({pos if lvl == 0 else node_seq(lvl, pos) for lvl, pos in keys})
        rows = {seq: (leaf, inner) for seq, leaf, inner in conn.execute(
            f"SELECT seq, block_hash, merkle_nodes FROM blocks WHERE seq IN "
            f"({','.join('?' * len(seqs))})", seqs)}
        out = []
        for lvl, pos in keys:
            if lvl == 0:
                h = _one(rows.get(pos))
            else:
                inner = rows.get(node_seq(lvl, pos), (None, None))[1]
                h = inner[(lvl - 1) * 32:lvl * 32] if isinstance(inner, bytes) else None
            out.append(_checked(lvl, pos, h))
        return out

    def subtree_root(self, start: int, end: int) -> bytes:
        """Root of the tree over leaves [start, end) in QLDB's shape."""
        return _fold_right(self.nodes(_perfect_ranges(start, end)))

    def digest_at(self, tip: int) -> bytes:
        return self.subtree_root(0, tip + 1)

    def frontier(self, count: int) -> Frontier:
        """The perfect subtrees covering the first `count` blocks."""
        keys = _perfect_ranges(0, count)
        return tuple((lvl, h) for (lvl, _pos), h in zip(keys, self.nodes(keys), strict=True))

    def block_path(self, seq: int, tip: int) -> list[bytes]:
        """Sibling hashes from leaf `seq` up to the root over leaves [0, tip], bottom-up."""
        return self.proof_parts(seq, tip)[0]

    def proof_parts(self, seq: int, tip: int) -> tuple[list[bytes], bytes, bytes]:
        """(block_path(seq, tip), the leaf's hash, digest_at(tip)) from one read of the
        stored nodes."""
        if not 0 <= seq <= tip:
            raise ValueError(f"block {seq} is not covered by tip {tip}")
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
        groups = [_perfect_ranges(s, e) for s, e in reversed(frames)]
        groups.append([(0, seq)])
        groups.append(_perfect_ranges(0, tip + 1))
        hashes = self.nodes([key for g in groups for key in g])
        parts, at = [], 0
        for g in groups:
            parts.append(_fold_right(hashes[at:at + len(g)]))
            at += len(g)
        return parts[:-2], parts[-2], parts[-1]


def _fold_right(parts: Sequence[bytes]) -> bytes:
    acc = parts[-1]
    for h in reversed(parts[:-1]):
        acc = dot(h, acc)
    return acc


def _one(row: tuple | None) -> bytes | None:
    return row[0] if row is not None and isinstance(row[0], bytes) else None


def _checked(level: int, pos: int, h: bytes | None) -> bytes:
    if h is None or len(h) != 32:
        where = "block" if level == 0 else f"the row of block {node_seq(level, pos)}: node"
        raise MissingNodeError(f"the ledger's stored Merkle tree is damaged: {where} "
                               f"({level}, {pos}) is missing or malformed; run verification "
                               "to locate the damage")
    return h
