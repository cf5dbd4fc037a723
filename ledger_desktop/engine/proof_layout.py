"""Proofs laid out for drawing: every step recomputed, grouped into named segments.

A revision's proof goes: revision hash -> siblings in the block's revisions tree -> siblings in
the block's entries tree -> the previous block hash (giving the block hash) -> siblings in the
digest tree -> the digest. The flat proof is the same list of hashes `Ledger.revision_proof`
returns; here each step also says which segment it belongs to and, at each segment's end,
checks the accumulator against what the block itself states, so a failure is pinned to the
step where the chain of hashes breaks rather than only to the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import journal_reads
from .blocks import BlockAddress, check_block, compute_revision_hash
from .errors import BlockNotFoundError, UserError
from .ion_hash import dot, merkle_path, merkle_root
from .model import Digest
from .proof_tip import check_proof_tip
from .proofs import ProofResult, ProofStep, b64, verify_block, verify_revision

if TYPE_CHECKING:
    from .ledger import Ledger


@dataclass
class ProofSegment:
    name: str    # "revision", "revisions tree", "entries tree", "chain link", "digest tree"
    first: int   # index of its first step in `result.steps`
    last: int    # index of its last step (inclusive)


@dataclass
class LaidOutProof:
    subject: str
    digest: bytes
    tip: str | None
    result: ProofResult
    segments: list[ProofSegment]
    proof: list[bytes]                  # the flat proof, as GetRevision/GetBlock return it
    notes: list[str] = field(default_factory=list)
    # What was proven from a ledger, so that it can be saved (proof_export): block `seq`, or
    # document `doc_id`'s revision in it, against `against`. None for a proof from files.
    seq: int | None = None
    doc_id: str | None = None
    against: Digest | None = None

    def segment_of(self, step: int) -> str:
        for s in self.segments:
            if s.first <= step <= s.last:
                return s.name
        return ""


class _Builder:
    def __init__(self) -> None:
        self.steps: list[ProofStep] = []
        self.segments: list[ProofSegment] = []
        self.flat: list[bytes] = []

    def start(self, segment: str, label: str, h: bytes, ok: bool, note: str = "") -> None:
        self.steps.append(ProofStep(label, None, None, h, ok, note))
        self.segments.append(ProofSegment(segment, 0, 0))

    def fold(self, segment: str, siblings: list[bytes], label: str,
             expect: Any = None, expect_note: str = "") -> None:
        """Fold `siblings` in; `expect(acc) -> bool` checks the segment's end value."""
        if not siblings:
            return
        first = len(self.steps)
        for i, sib in enumerate(siblings):
            acc = self.steps[-1].result
            self.steps.append(ProofStep(f"{label} {i + 1} of {len(siblings)}", acc, sib,
                                        dot(acc, sib)))
            self.flat.append(sib)
        if expect is not None:
            last = self.steps[-1]
            last.ok = bool(expect(last.result))
            last.note = expect_note if last.ok else f"NOT {expect_note}"
        self.segments.append(ProofSegment(segment, first, len(self.steps) - 1))

    def finish(self, digest: bytes) -> ProofResult:
        final = self.steps[-1]
        reaches = final.result == digest
        if not reaches:
            final.ok = False
            final.note = (final.note + "; " if final.note else "") + "does not equal the digest"
        failed = next((i for i, s in enumerate(self.steps) if not s.ok), None)
        if failed is None:
            return ProofResult(True, self.steps, f"VERIFIED: the proof folds to the digest "
                               f"{b64(digest)}")
        return ProofResult(False, self.steps, f"NOT VERIFIED: the chain of hashes breaks at step "
                           f"{failed} ({self.steps[failed].label})", failed)


def _tip_seq(ledger: Ledger, digest: Digest, seq: int) -> int:
    if digest.tip.strand_id != ledger.strand_id:
        raise UserError(f"the digest is for strand {digest.tip.strand_id}, not this ledger's "
                        f"{ledger.strand_id}")
    if digest.tip.seq >= ledger.block_count():
        raise BlockNotFoundError(f"the digest's tip {digest.tip.seq} is beyond this journal's "
                                 f"last block {ledger.block_count() - 1} (blocks were removed?)")
    if seq > digest.tip.seq:
        raise BlockNotFoundError(f"block {seq} is after the digest's tip {digest.tip.seq}; "
                                 "choose a later digest")
    return digest.tip.seq


def _chain_and_digest(b: _Builder, ledger: Ledger, block: Any, seq: int, tip: int,
                      digest: bytes) -> ProofResult:
    prev = bytes(block["previousBlockHash"]) if "previousBlockHash" in block else b""
    stated = bytes(block["blockHash"])
    if prev:
        b.fold("chain link", [prev], "dot with previousBlockHash",
               lambda acc: acc == stated, f"= block {seq}'s blockHash")
    b.fold("digest tree", ledger.block_proof(seq, tip), "digest tree sibling")
    return b.finish(digest)


def revision_proof(ledger: Ledger, doc_id: str, seq: int, digest: Digest) -> LaidOutProof:
    """The proof of document `doc_id`'s revision in block `seq` against `digest`, laid out."""
    tip = _tip_seq(ledger, digest, seq)
    revision, idx, rev_hashes = journal_reads.revision_at(ledger, doc_id, seq)
    block = ledger.block(seq)
    entries = [bytes(e) for e in block["entriesHashList"]]
    stated = bytes(revision["hash"])
    computed = compute_revision_hash(revision)
    b = _Builder()
    if computed is None:
        b.start("revision", "revision hash (hash-only revision, not recomputable)", stated, True)
    elif computed == stated:
        b.start("revision", "revision hash recomputed from metadata and data", computed, True,
                "= the revision's stated hash")
    else:
        # Fold on from the stated hash: the drawing then shows that the rest of the path
        # still proves that hash, and only this step (the content) is wrong.
        b.start("revision", "revision hash stated by the journal", stated, False,
                f"its metadata and data hash to {b64(computed)}: the revision was changed")
    root = merkle_root(rev_hashes)
    b.fold("revisions tree", merkle_path(rev_hashes, idx), "revisions tree sibling",
           lambda acc: acc in entries, "among the block's entriesHashList")
    # When the revisions root is missing (tampering), keep our layout's slot so the drawing
    # still shows the rest of the path; the check above already failed.
    slot = entries.index(root) if root in entries else min(1, len(entries) - 1)
    ehash = bytes(block["entriesHash"])
    b.fold("entries tree", merkle_path(entries, slot), "entries tree sibling",
           lambda acc: acc == ehash, f"= block {seq}'s entriesHash")
    result = _chain_and_digest(b, ledger, block, seq, tip, digest.digest)
    version = int(revision["metadata"]["version"])
    return LaidOutProof(f"document {doc_id} version {version} in block {seq}", digest.digest,
                        digest.tip.text(), result, b.segments, b.flat, seq=seq, doc_id=doc_id,
                        against=digest)


def block_proof(ledger: Ledger, seq: int, digest: Digest) -> LaidOutProof:
    """The proof of block `seq` against `digest`, laid out (GetBlock's proof)."""
    tip = _tip_seq(ledger, digest, seq)
    block = ledger.block(seq)
    ehash = bytes(block["entriesHash"])
    prev = bytes(block["previousBlockHash"]) if "previousBlockHash" in block else b""
    stated = bytes(block["blockHash"])
    problems = check_block(block)
    b = _Builder()
    b.start("block", "entriesHash (Merkle root of the block's entries)", ehash, not problems,
            "the block's entries agree with its content" if not problems else str(problems[0]))
    if prev:
        b.fold("chain link", [prev], "dot with previousBlockHash",
               lambda acc: acc == stated, f"= block {seq}'s blockHash")
    else:  # the genesis block: dot(entriesHash, empty) is the entries hash itself
        b.steps[0].label = "entriesHash = blockHash of the genesis block"
        if ehash != stated:
            b.steps[0].ok = False
            b.steps[0].note = "the genesis block's blockHash is not its entriesHash"
    b.fold("digest tree", ledger.block_proof(seq, tip), "digest tree sibling")
    result = b.finish(digest.digest)
    # The flat proof is GetBlock's: it starts from the block hash (after the chain link).
    return LaidOutProof(f"block {seq}", digest.digest, digest.tip.text(), result, b.segments,
                        b.flat[1:] if prev else b.flat, seq=seq, against=digest)


def relate_digests(ledger: Ledger, older: Digest, newer: Digest) -> LaidOutProof:
    """How two saved digests relate: the older tip's block proven against the newer digest,
    and whether the ledger still folds to the older digest at its tip."""
    if older.tip.seq > newer.tip.seq:
        older, newer = newer, older
    laid = block_proof(ledger, older.tip.seq, newer)
    laid.subject = (f"block {older.tip.seq} (the older digest's tip) against the digest at "
                    f"block {newer.tip.seq}")
    at_older = ledger.digest_at(older.tip.seq).digest
    if at_older == older.digest:
        laid.notes.append(f"the journal still folds to the older digest {b64(older.digest)} at "
                          f"block {older.tip.seq}")
    else:
        laid.notes.append(f"the journal does NOT fold to the older digest at block "
                          f"{older.tip.seq}: it folds to {b64(at_older)}")
        laid.result.ok = False
        laid.result.message += "; the older digest no longer matches the journal"
    return laid


def offline_proof(value: Any, proof: list[bytes], digest: bytes, kind: str,
                  tip: BlockAddress | None = None,
                  proof_tip: BlockAddress | None = None) -> LaidOutProof:
    """A pasted or loaded revision or block (QLDB's GetRevision/GetBlock output), no ledger.

    Without the block, the proof's segment boundaries are unknown, so its steps form one
    segment; each step is still recomputed. `tip`, the digest's tip address when its file
    gave one, is held against the value and the proof as `ledger verify-proof` does
    (proof_tip.check_proof_tip; `proof_tip` is the tip a proof file names).
    """
    if kind == "revision":
        result = verify_revision(value, proof, digest)
        first = "revision"
    elif kind == "block":
        result = verify_block(value, proof, digest)
        first = "block"
    else:
        raise UserError(f"a proof is for a revision or a block, not {kind!r}")
    check_proof_tip(result, kind, value, proof, tip, proof_tip)
    segments = [ProofSegment(first, 0, 0)]
    if len(result.steps) > 1:
        segments.append(ProofSegment("proof", 1, len(result.steps) - 1))
    return LaidOutProof(kind, digest, None, result, segments, list(proof))
