"""Checking a revision or block against a digest with a proof, offline (no ledger needed).

Inputs are what QLDB gave its users: Ion text of a revision or block, or the AWS CLI's JSON
output of GetRevision / GetBlock (`{"Revision": {"IonText": …}, "Proof": {"IonText": …}}`),
and a proof as an Ion list of blobs. Each step is recomputed and reported, so a failure
names the step where the chain of hashes breaks.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .blocks import BlockAddress, as_blob, check_block, compute_revision_hash
from .errors import InputFormatError
from .ion_hash import dot
from .ion_values import dumps_text, ion_list, loads

MAX_INPUT_BYTES = 64 * 1024 * 1024


@dataclass
class ProofStep:
    label: str
    left: bytes | None       # accumulator going in (None for the starting hash)
    right: bytes | None      # proof hash combined with it
    result: bytes
    ok: bool = True
    note: str = ""


@dataclass
class ProofResult:
    ok: bool
    steps: list[ProofStep] = field(default_factory=list)
    message: str = ""
    failed_step: int | None = None

    def render(self) -> str:
        lines = []
        for i, s in enumerate(self.steps):
            mark = "ok " if s.ok else "FAIL"
            extra = f"  ({s.note})" if s.note else ""
            lines.append(f"[{mark}] step {i}: {s.label}: {b64(s.result)}{extra}")
        lines.append(self.message)
        return "\n".join(lines)


def b64(h: bytes | None) -> str:
    return "" if h is None else base64.b64encode(h).decode()


def response_json(kind: str, value: Any, proof: list[bytes] | None,
                  tip: BlockAddress | None = None) -> str:
    """The AWS CLI's GetRevision / GetBlock response, as `ledger get-revision --json` prints
    it: {"Proof": {"IonText"}?, "Revision"|"Block": {"IonText"}}, keys sorted. With `tip`,
    also "DigestTipAddress" {"IonText"} (the request's field, in GetDigest's shape): the file
    then says which digest its proof folds to. `verify-proof` reads both."""
    response: dict[str, Any] = {kind.capitalize(): {"IonText": dumps_text(value)}}
    if proof is not None:
        response["Proof"] = {"IonText": dumps_text(ion_list(proof))}
    if tip is not None:
        response["DigestTipAddress"] = {"IonText": tip.text()}
    return json.dumps(dict(sorted(response.items())), indent=4)


def _read_text(source: str | Path) -> str:
    path = Path(source)
    try:
        if path.stat().st_size > MAX_INPUT_BYTES:
            raise InputFormatError(f"{path}: too large")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputFormatError(f"{path}: no such file") from None
    except OSError as e:
        raise InputFormatError(f"{path}: cannot read: {e.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Ion binary is welcome too; keep it as latin-1 text for loads() via bytes below.
        return data.decode("latin-1")


def parse_value_input(source: str | Path, kind: str) -> tuple[Any, list[bytes] | None]:
    """(revision or block value, proof if the input carried one) from a file."""
    path = Path(source)
    raw = path.read_bytes() if path.exists() else str(source).encode()
    if raw.startswith(b"\xef\xbb\xbf"):  # a byte order mark (JSON saved by some editors)
        raw = raw[3:]
    text = raw.decode("utf-8", errors="replace").strip()
    labelled = _labelled_lines(text, kind)
    if labelled is not None:  # `ledger get-revision`/`get-block` output, saved as it is
        value = _loads(labelled[0], f"{path}: {kind.lower()}")
        proof = parse_proof_text(labelled[1], f"{path}: proof") if labelled[1] else None
        return value, proof
    if text.startswith("{") and text.lstrip("{").lstrip().startswith('"'):
        try:
            obj = json.loads(text)
        except json.JSONDecodeError:
            obj = None
        if isinstance(obj, dict):
            key = next((k for k in obj if k.lower() == kind.lower()), None)
            if key is None and _ion_text_holder(obj) is not None:
                # the AWS CLI's ValueHolder alone: {"IonText": "…"} (e.g. the saved Revision)
                return _loads(_ion_text_holder(obj), f"{path}: IonText"), None
            if key is None:
                raise InputFormatError(f"{path}: a {kind} JSON response needs a {kind!r} field")
            holder = obj[key]
            ion_text = holder.get("IonText") if isinstance(holder, dict) else holder
            if not isinstance(ion_text, str):
                raise InputFormatError(f"{path}: {key} must hold IonText")
            value = _loads(ion_text, f"{path}: {key}")
            proof = None
            pkey = next((k for k in obj if k.lower() == "proof"), None)
            if pkey is not None:
                p = obj[pkey]
                proof = parse_proof_text(p.get("IonText") if isinstance(p, dict) else p,
                                         f"{path}: Proof")
            return value, proof
    return _loads(raw, str(path)), None


def _ion_text_holder(obj: Any) -> str | None:
    """The text of an AWS ValueHolder (`{"IonText": "…"}`, any key case), else None."""
    if isinstance(obj, dict) and len(obj) == 1:
        key, text = next(iter(obj.items()))
        if key.lower() == "iontext" and isinstance(text, str):
            return text
    return None


def _labelled_lines(text: str, kind: str) -> tuple[str, str | None] | None:
    """(value text, proof text or None) of the `revision: …` / `block: …` and `proof: …`
    lines that `ledger get-revision` and `get-block` print; None for anything else."""
    label = f"{kind.lower()}:"
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines or not lines[0].lower().startswith(label):
        return None
    value = lines[0][len(label):]
    proof = None
    for ln in lines[1:]:
        if ln.lower().startswith("proof:"):
            proof = ln[len("proof:"):]
        else:
            return None
    return value, proof


def _loads(data: str | bytes, where: str) -> Any:
    try:
        value = loads(data)
    except Exception as e:
        raise InputFormatError(f"{where}: not valid Ion ({e})") from None
    if not hasattr(value, "keys"):
        raise InputFormatError(f"{where}: expected an Ion struct")
    return value


def parse_proof_text(text: Any, where: str = "proof") -> list[bytes]:
    if not isinstance(text, str | bytes):
        raise InputFormatError(f"{where}: expected Ion text of a list of blobs")
    try:
        value = loads(text)
    except Exception as e:
        raise InputFormatError(f"{where}: not valid Ion ({e})") from None
    if not isinstance(value, list):
        raise InputFormatError(f"{where}: a proof is an Ion list of blobs")
    out = []
    for i, h in enumerate(value):
        if not isinstance(h, bytes | bytearray) or len(h) != 32:
            raise InputFormatError(f"{where}: element {i} is not a 32-byte blob")
        out.append(bytes(h))
    return out


def read_proof_file(path: str | Path) -> list[bytes]:
    p = Path(path)
    if not p.exists():
        raise InputFormatError(f"{p}: no such file")
    raw = p.read_bytes()
    text = raw.decode("utf-8", errors="replace").strip()
    if text.startswith("{"):
        try:
            obj = json.loads(text)
            pkey = next((k for k in obj if k.lower() == "proof"), None)
            if pkey is not None:
                h = obj[pkey]
                return parse_proof_text(h.get("IonText") if isinstance(h, dict) else h, str(p))
            holder = _ion_text_holder(obj)  # the saved Proof ValueHolder: {"IonText": "[…]"}
            if holder is not None:
                return parse_proof_text(holder, str(p))
        except (json.JSONDecodeError, AttributeError):
            pass
    proof_line = [ln for ln in text.splitlines() if ln.strip().lower().startswith("proof:")]
    if proof_line:  # the output of `ledger get-revision`/`get-block`, saved as it is
        return parse_proof_text(proof_line[0].strip()[len("proof:"):], str(p))
    return parse_proof_text(raw, str(p))


def fold_steps(start: bytes, start_label: str, proof: list[bytes], digest: bytes,
               labels: list[str] | None = None) -> ProofResult:
    steps = [ProofStep(start_label, None, None, start)]
    acc = start
    for i, p in enumerate(proof):
        acc = dot(acc, p)
        label = labels[i] if labels and i < len(labels) else f"dot with proof hash {i}"
        steps.append(ProofStep(label, steps[-1].result, p, acc))
    ok = acc == digest
    result = ProofResult(ok, steps)
    if ok:
        result.message = f"VERIFIED: the proof folds to the digest {b64(digest)}"
    else:
        steps[-1].ok = False
        result.failed_step = len(steps) - 1
        result.message = (f"NOT VERIFIED: after {len(proof)} proof steps the result is "
                          f"{b64(acc)}, not the digest {b64(digest)}")
    return result


def _hash_field(value: Any, name: str) -> bytes:
    """A stated hash from a file: a 32-byte blob, or a one-line input error (not `bytes(n)`,
    which makes n zero bytes of an int)."""
    try:
        h = as_blob(value[name])
    except TypeError:
        h = b""
    if len(h) != 32:
        raise InputFormatError(f"the {name} field is not a 32-byte hash (a blob)")
    return h


def verify_revision(revision: Any, proof: list[bytes], digest: bytes) -> ProofResult:
    """Recompute the revision hash from its content, then fold the proof to the digest."""
    if "hash" not in revision:
        raise InputFormatError("the revision has no hash field")
    stated = _hash_field(revision, "hash")
    try:
        computed = compute_revision_hash(revision)
    except ValueError as e:
        step = ProofStep("revision content", None, None, stated, False, str(e))
        return ProofResult(False, [step], f"NOT VERIFIED: {e}", 0)
    deleted = "metadata" in revision and "data" not in revision and "dataHash" not in revision
    if computed is not None and computed != stated and deleted:
        # QLDB never published how it hashes a deleted revision (docs/journal-format.md): one
        # that does not follow our rule may be genuine QLDB data, so, as verify-export and
        # import-journal do, only its membership is proven.
        result = fold_steps(stated, "revision hash as stated (a deleted revision, not "
                            "recomputed)", proof, digest)
        result.steps[0].note = (
            "QLDB's hash rule for deleted revisions is not public; this one does not follow "
            "Ledger Desktop's (dot(H(metadata), SHA-256(\"\"))), so its content is not checked")
        if result.ok:
            result.message = ("VERIFIED (membership only): the revision's stated hash folds to "
                              f"the digest {b64(digest)}; its content was not checked (a deleted "
                              "revision, whose hash rule QLDB did not publish)")
        return result
    if computed is not None and computed != stated:
        step = ProofStep("revision hash recomputed from metadata and data", None, None, computed,
                         False, f"the revision states {b64(stated)}")
        return ProofResult(False, [step], "NOT VERIFIED: the revision's content does not match "
                           "its hash (the data or metadata was changed)", 0)
    label = ("revision hash recomputed from metadata and data" if computed is not None
             else "revision hash (hash-only revision, not recomputable)")
    return fold_steps(stated, label, proof, digest)


def verify_block(block: Any, proof: list[bytes], digest: bytes) -> ProofResult:
    """Check the block's own hashes, then fold the proof from its block hash to the digest."""
    notes: list[str] = []
    failures = check_block(block, notes=notes)
    if failures:
        f = failures[0]
        step = ProofStep(f"block content ({f.check})", None, None,
                         _hash_field(block, "blockHash") if "blockHash" in block else b"", False,
                         f.message)
        return ProofResult(False, [step], f"NOT VERIFIED: {f}", 0)
    result = fold_steps(_hash_field(block, "blockHash"),
                        "block hash = dot(entriesHash, previousBlockHash), recomputed",
                        proof, digest)
    for n in notes:
        result.steps[0].note = (result.steps[0].note + "; " if result.steps[0].note else "") + n
    return result
