"""A proof saved for an auditor: GetRevision's or GetBlock's JSON with its proof, as
`ledger get-revision --json` prints it, plus the digest tip it folds to. `ledger verify-proof
--revision FILE --digest DIGEST` (or `--block FILE`) checks it with no ledger at hand.

The file does not hold the digest itself: an auditor checks the proof against a digest kept
apart from the ledger (a saved digest file, or QLDB's GetDigest), which a changed copy of
the proof file cannot forge.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .blocks import BlockAddress
from .durable_file import write_replacing
from .errors import IntegrityError, UserError
from .model import Digest
from .proofs import b64, response_json, verify_block, verify_revision

if TYPE_CHECKING:
    from .ledger import Ledger


@dataclass(frozen=True)
class SavedProof:
    path: Path
    kind: str          # "revision" | "block"
    digest: Digest

    def command(self) -> str:
        """The command line an auditor runs on the file."""
        return (f"ledger verify-proof --{self.kind} {shlex.quote(str(self.path))} "
                f"--digest {b64(self.digest.digest)}")


def proof_response(ledger: Ledger, seq: int, digest: Digest, doc_id: str | None = None
                   ) -> tuple[str, str]:
    """(kind, the JSON text) for document `doc_id`'s revision in block `seq` (or, without
    `doc_id`, the block) proven against `digest`. A proof that does not fold to the digest
    (a changed journal, a digest of another ledger) is refused, not saved."""
    if digest.tip.strand_id != ledger.strand_id:
        raise UserError(f"the digest is for strand {digest.tip.strand_id}, not this ledger's "
                        f"{ledger.strand_id}")
    address = BlockAddress(ledger.strand_id, seq)
    if doc_id:
        kind = "revision"
        value, proof = ledger.get_revision(doc_id, address, digest.tip)
        result = verify_revision(value, proof, digest.digest) if proof is not None else None
    else:
        kind = "block"
        value, proof = ledger.get_block(address, digest.tip)
        result = verify_block(value, proof, digest.digest) if proof is not None else None
    if result is None or not result.ok:
        why = result.message if result is not None else "no proof"
        what = f"document {doc_id}'s revision" if doc_id else "block"
        raise IntegrityError(f"the proof of {what} in block {seq} does not verify against the "
                             f"digest at block {digest.tip.seq} ({why}); not saved")
    return kind, response_json(kind, value, proof, digest.tip)


def write_proof_file(ledger: Ledger, path: str | Path, seq: int, digest: Digest,
                     doc_id: str | None = None) -> SavedProof:
    """Write the proof durably to `path` (beside it, synced, renamed into place), replacing
    a file there (the save dialog has asked)."""
    kind, text = proof_response(ledger, seq, digest, doc_id)
    path = Path(path)
    try:
        write_replacing(path, text + "\n")
    except OSError as e:
        raise UserError(f"cannot save the proof to {path}: {e.strerror or e}") from None
    return SavedProof(path, kind, digest)
