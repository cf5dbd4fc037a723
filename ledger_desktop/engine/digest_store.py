"""The per-ledger list of saved digests and the record of the last full verification.

Kept as a small JSON file per ledger strand in the app's data folder, never inside the ledger
file: browsing and checking must not modify the ledger. A copy of a ledger (same strand) shares
the saved digests, which is the point: a digest saved from the original can check the copy.
The last verification is recorded per ledger file path.
"""

from __future__ import annotations

import base64
import json
import os
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .blocks import BlockAddress
from .digest_file import decode_digest_b64, read_digest
from .errors import InputFormatError, UserError
from .ion_values import dumps_text, parse_timestamp
from .model import Digest

FORMAT = "ledger-desktop-digests/1"


def _now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@dataclass(frozen=True)
class SavedDigest:
    digest: Digest
    label: str
    source: str          # "ledger" when taken from the open ledger, else the file it came from
    saved_at: str        # ISO-8601 UTC

    @property
    def key(self) -> str:
        """Identifies a digest in the list: its tip and value."""
        return f"{self.digest.tip.seq}:{self.b64}"

    @property
    def b64(self) -> str:
        return base64.b64encode(self.digest.digest).decode()

    def to_json(self) -> dict[str, Any]:
        created = self.digest.created
        return {"digest": self.b64, "tip": self.digest.tip.text(),
                "ledger_name": self.digest.ledger_name,
                "digest_time": dumps_text(created) if created is not None else None,
                "label": self.label, "source": self.source, "saved_at": self.saved_at}

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> SavedDigest:
        created = obj.get("digest_time")
        d = Digest(decode_digest_b64(str(obj["digest"])), BlockAddress.parse(str(obj["tip"])),
                   obj.get("ledger_name"), parse_timestamp(created) if created else None)
        return cls(d, str(obj.get("label") or ""), str(obj.get("source") or ""),
                   str(obj.get("saved_at") or ""))


@dataclass
class VerificationRecord:
    """When a ledger file was last fully verified, and what the journal folded to."""

    ledger_path: str
    when: str
    ok: bool
    tip: str | None
    digest_b64: str | None
    blocks: int
    summary: str
    # False or None with `ok` False: the journal failed. True: every block checked out and
    # only a saved digest disagreed (None: recorded by an older version, not known).
    journal_ok: bool | None = None


class DigestStore:
    """Saved digests for one ledger (by strand id), stored in `folder/<strand>.json`."""

    def __init__(self, folder: str | Path, strand_id: str, ledger_name: str | None = None) -> None:
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", strand_id):
            raise UserError(f"not a strand id: {strand_id!r}")
        self.folder = Path(folder)
        self.strand_id = strand_id
        self.ledger_name = ledger_name
        self.path = self.folder / f"{strand_id}.json"

    # -- file -------------------------------------------------------------------------------
    def _load(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"format": FORMAT, "strand_id": self.strand_id,
                    "ledger_name": self.ledger_name, "digests": [], "verifications": {}}
        except OSError as e:
            raise InputFormatError(f"{self.path}: cannot read the saved digests: "
                                   f"{e.strerror}") from None
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as e:
            raise InputFormatError(f"{self.path}: the saved digests file is damaged (line "
                                   f"{e.lineno}, column {e.colno}: {e.msg}); it was left "
                                   "unchanged") from None
        if not isinstance(obj, dict) or obj.get("format") != FORMAT:
            raise InputFormatError(f"{self.path}: not a saved digests file; it was left "
                                   "unchanged")
        obj.setdefault("digests", [])
        obj.setdefault("verifications", {})
        return obj

    def _save(self, obj: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(obj, indent=2) + "\n", encoding="utf-8")
        tmp.replace(self.path)

    # -- digests ----------------------------------------------------------------------------
    def digests(self) -> list[SavedDigest]:
        """Saved digests, oldest tip first."""
        out = []
        for i, item in enumerate(self._load()["digests"]):
            try:
                out.append(SavedDigest.from_json(item))
            except (KeyError, TypeError, ValueError, UserError) as e:
                raise InputFormatError(f"{self.path}: saved digest {i} is damaged: {e}") from None
        return sorted(out, key=lambda s: (s.digest.tip.seq, s.saved_at))

    def add(self, digest: Digest, label: str = "", source: str = "ledger") -> SavedDigest:
        """Save a digest (again saving the same tip and value only updates its label)."""
        if digest.tip.strand_id != self.strand_id:
            raise UserError(f"the digest is for strand {digest.tip.strand_id}, not this "
                            f"ledger's strand {self.strand_id}")
        saved = SavedDigest(digest, label or f"tip {digest.tip.seq}", source, _now_iso())
        obj = self._load()
        kept = [d for d in obj["digests"] if _key(d) != saved.key]
        kept.append(saved.to_json())
        obj["digests"] = kept
        self._save(obj)
        return saved

    def import_file(self, path: str | Path, label: str = "") -> SavedDigest:
        """Add a digest file (ours or QLDB's GetDigest JSON)."""
        d = read_digest(path)
        return self.add(d, label or Path(path).name, str(path))

    def remove(self, key: str) -> None:
        obj = self._load()
        kept = [d for d in obj["digests"] if _key(d) != key]
        if len(kept) == len(obj["digests"]):
            raise UserError(f"no saved digest {key}")
        obj["digests"] = kept
        self._save(obj)

    # -- verifications ----------------------------------------------------------------------
    def record_verification(self, ledger_path: str | Path, report: Any,
                            journal_ok: bool | None = None) -> VerificationRecord:
        """Remember a finished full verification (a `VerifyReport`) of this ledger file;
        `journal_ok`: whether the journal itself checked out (a failed report whose only
        failures are saved digests disagreeing with it)."""
        rec = VerificationRecord(str(Path(ledger_path).resolve()), _now_iso(), bool(report.ok),
                                 report.tip, report.digest_b64, int(report.blocks_checked),
                                 report.summary().splitlines()[0],
                                 bool(report.ok) if journal_ok is None else journal_ok)
        obj = self._load()
        obj["verifications"][rec.ledger_path] = asdict(rec)
        self._save(obj)
        return rec

    def last_verification(self, ledger_path: str | Path) -> VerificationRecord | None:
        item = self._load()["verifications"].get(str(Path(ledger_path).resolve()))
        if not isinstance(item, dict):
            return None
        try:
            return VerificationRecord(**item)
        except TypeError:
            return None


def _key(item: dict[str, Any]) -> str:
    try:
        return f"{BlockAddress.parse(str(item['tip'])).seq}:{item['digest']}"
    except (KeyError, UserError):
        return ""
