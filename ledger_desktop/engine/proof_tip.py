"""The digest's tip address, held against an offline proof (`ledger verify-proof`).

A digest file or GetDigest JSON carries the digest and its tip address. The digest's hash does
not cover the address, but an auditor reads it as what the digest covers, so a proof that the
address contradicts fails, saying why, even when its hashes fold to the digest (the address is
then wrong, or belongs to another digest):

- the revision or block is on another strand, or in a block after the tip;
- the proof's length does not fit the tip. QLDB's layout fixes how many digest-tree hashes a
  proof of block b against the digest at tip t holds (`digest_tree_length`): GetBlock's proof
  is exactly those; GetRevision's adds the block's own part (unknown without the block) and
  previousBlockHash, and in an odd block it shows where the tree part starts (see
  `_tree_part_of_revision_proof`);
- the proof file names the tip it was requested for (a `DigestTipAddress` beside the proof)
  and that is another tip.
"""

from __future__ import annotations

from typing import Any

from .blocks import BlockAddress
from .errors import InputFormatError
from .proofs import ProofResult

#: QLDB's sequence numbers are 64-bit: no proof has more digest-tree hashes than this.
_MAX_TREE_HASHES = 64


def digest_tree_length(seq: int, tip_seq: int) -> int:
    """How many hashes GetBlock's proof of block `seq` against the digest at `tip_seq` holds:
    its siblings in the digest tree (as `ion_hash.merkle_path`: a level where the node is
    carried up unpaired adds none)."""
    n, i, count = tip_seq + 1, seq, 0
    while n > 1:
        count += (i ^ 1) < n
        n, i = (n + 1) // 2, i // 2
    return count


def tips_for_length(seq: int, length: int) -> tuple[int, int] | None:
    """The tips (first, last) against which block `seq` has exactly `length` digest-tree
    hashes, or None. The count never falls as the tip grows, so they form one range."""
    if not 0 <= length <= _MAX_TREE_HASHES:
        return None

    def first_tip_over(k: int) -> int:  # the first tip giving more than k hashes
        lo, hi = seq, seq + (2 << (k + 1))  # by then every level above `seq` has a sibling
        while lo < hi:
            mid = (lo + hi) // 2
            if digest_tree_length(seq, mid) > k:
                hi = mid
            else:
                lo = mid + 1
        return lo

    first = seq if length == 0 else first_tip_over(length - 1)
    last = first_tip_over(length) - 1
    return (first, last) if first <= last else None


def _fits(tips: tuple[int, int] | None) -> str:
    if tips is None:
        return "no tip gives a proof of that length"
    a, b = tips
    return f"it fits the digest at block {a}" if a == b else \
        f"it fits a digest at a block from {a} to {b}"


def _last_tip_within(seq: int, length: int) -> int | None:
    """The last tip under which block `seq` has at most `length` digest-tree hashes."""
    length = min(length, _MAX_TREE_HASHES)
    while length >= 0:
        tips = tips_for_length(seq, length)
        if tips is not None:
            return tips[1]
        length -= 1
    return None


def _tree_part_of_revision_proof(seq: int, proof: list[bytes]) -> int | None:
    """How many digest-tree hashes a revision proof holds, where the proof shows it: in an odd
    block the tree's first sibling is block seq-1's hash, which the chain link step (the
    block's previousBlockHash) has just used, so that hash comes twice in a row, and only
    there. None elsewhere (an even block, or no single such pair)."""
    if seq % 2 == 0:
        return None
    pairs = [i for i in range(len(proof) - 1) if proof[i] == proof[i + 1]]
    return len(proof) - pairs[0] - 1 if len(pairs) == 1 else None


def _address(value: Any) -> BlockAddress | None:
    try:
        return BlockAddress.from_ion(value["blockAddress"])
    except (KeyError, TypeError, ValueError, InputFormatError):  # a damaged value may lack it
        return None


def tip_findings(kind: str, value: Any, proof: list[bytes], tip: BlockAddress,
                 proof_tip: BlockAddress | None = None) -> list[str]:
    """What the digest's tip address `tip` contradicts, in words (empty: nothing).
    `proof_tip` is the tip the proof says it was requested for, when its file names one."""
    kind = kind.lower()
    found: list[str] = []
    if proof_tip is not None and proof_tip != tip:
        found.append(f"the proof was made for the digest at {proof_tip.text()} (its file's "
                     f"DigestTipAddress), not for this digest at {tip.text()}")
    addr = _address(value)
    if addr is None:
        return found
    if addr.strand_id != tip.strand_id:
        found.append(f"the {kind} is on strand {addr.strand_id}, the digest's tip on strand "
                     f"{tip.strand_id}: they are not from the same ledger")
        return found
    if addr.seq > tip.seq:
        what = f"block {addr.seq}" if kind == "block" else f"the revision's block {addr.seq}"
        found.append(f"{what} is after the digest's tip (block {tip.seq}): a digest covers "
                     f"only blocks 0..{tip.seq}, so no proof can tie block {addr.seq} to it; "
                     f"use a digest taken at or after block {addr.seq}")
        return found
    if found:  # the tip the proof names already says it
        return found
    need = digest_tree_length(addr.seq, tip.seq)
    have = len(proof) if kind == "block" else _tree_part_of_revision_proof(addr.seq, proof)
    if have is not None and have != need:
        found.append(f"a proof of block {addr.seq} against the digest at block {tip.seq} "
                     f"holds {need} digest-tree hash(es), this one {have}: it was made for "
                     f"another digest ({_fits(tips_for_length(addr.seq, have))})")
    elif have is None and len(proof) - (addr.seq > 0) < need:
        # The block's own part (0 or more hashes), previousBlockHash after block 0, then
        # the digest tree: a lower bound.
        last = _last_tip_within(addr.seq, len(proof) - (addr.seq > 0))
        found.append(f"a proof of a revision in block {addr.seq} against the digest at block "
                     f"{tip.seq} holds at least {need + (addr.seq > 0)} hashes, this one "
                     f"{len(proof)}: " + ("no digest gives a proof that short" if last is None
                                          else "it was made for an earlier digest (at most at "
                                          f"block {last})"))
    return found


def check_proof_tip(result: ProofResult, kind: str, value: Any, proof: list[bytes],
              tip: BlockAddress | None, proof_tip: BlockAddress | None = None) -> ProofResult:
    """Fail `result` when the digest's tip address contradicts the value or the proof; each
    finding becomes a `[FAIL] digest tip:` line before the verdict. No tip: unchanged."""
    if tip is None:
        return result
    found = tip_findings(kind, value, proof, tip, proof_tip)
    if not found:
        return result
    verdict = result.message
    if result.ok:
        verdict = (f"NOT VERIFIED: the proof folds to the digest, but the digest's tip address "
                   f"{tip.text()} does not fit it: that address is wrong, or belongs to "
                   "another digest")
    result.message = "\n".join([f"[FAIL] digest tip: {f}" for f in found] + [verdict])
    result.ok = False
    return result


def tip_named_in(path: Any) -> BlockAddress | None:
    """The `DigestTipAddress` a GetRevision/GetBlock JSON file holds beside its proof (the
    request's field: QLDB's response does not carry it, `ledger get-revision --json` with a
    tip writes it), as `{"IonText": …}` or a plain string, any key case; else None."""
    import json
    from pathlib import Path

    try:
        text = Path(path).read_bytes().decode("utf-8-sig").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not text.startswith("{"):
        return None
    try:
        obj = json.loads(text)
    except ValueError:
        return None
    if not isinstance(obj, dict):
        return None
    holder = next((v for k, v in obj.items() if str(k).lower() == "digesttipaddress"), None)
    if isinstance(holder, dict):
        holder = next((v for k, v in holder.items() if str(k).lower() == "iontext"), None)
    if not isinstance(holder, str):
        return None
    try:
        return BlockAddress.parse(holder)
    except InputFormatError:
        raise InputFormatError(f"{path}: DigestTipAddress is not a block address") from None
