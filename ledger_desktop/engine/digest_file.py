"""Saved digest files, and QLDB's GetDigest JSON response.

Our digest file is a JSON object that is a superset of the AWS CLI's `get-digest` output, so
anything that reads one reads the other:

    {
      "Digest": "<base64 of the 32-byte digest>",
      "DigestTipAddress": {"IonText": "{strandId:\\"…\\",sequenceNo:N}"},
      "LedgerName": "vehicle-registration",
      "DigestTime": "2026-11-27T07:30:00.123Z",
      "Format": "ledger-desktop-digest/1"
    }

Readers accept our files, the bare GetDigest response, the tip address as a plain string
instead of `{"IonText": …}`, and key names in any letter case.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from pathlib import Path
from typing import Any

from .blocks import BlockAddress
from .durable_file import write_replacing
from .errors import InputFormatError, UserError
from .ion_values import dumps_text, now_timestamp, parse_timestamp
from .model import Digest

FORMAT = "ledger-desktop-digest/1"
MAX_FILE_BYTES = 1 << 20


def digest_to_json(d: Digest) -> str:
    created = d.created if d.created is not None else now_timestamp()
    obj = {
        "Digest": base64.b64encode(d.digest).decode(),
        "DigestTipAddress": {"IonText": d.tip.text()},
        "LedgerName": d.ledger_name,
        "DigestTime": dumps_text(created),
        "Format": FORMAT,
    }
    return json.dumps(obj, indent=2) + "\n"


def check_save_target(path: str | Path, overwrite: bool = False) -> None:
    """Refuse to replace an existing file unless `overwrite` (see write_digest), and a folder
    that does not exist or cannot be written (checked before the digest is taken or printed)."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise UserError(f"{path} already exists; a saved digest is not replaced (choose "
                        "another name, or --force to replace it)")
    folder = path.parent
    if not folder.is_dir():
        why = "is not a folder" if folder.exists() else "does not exist"
        raise UserError(f"cannot save the digest to {path}: {folder} {why}")
    if not os.access(folder, os.W_OK):
        raise UserError(f"cannot save the digest to {path}: the folder {folder} cannot be "
                        "written (read-only or no permission)")


def write_digest(path: str | Path, d: Digest, overwrite: bool = False) -> None:
    """Save a digest durably (written beside `path`, synced, then renamed into place). A file
    already at `path` is kept unless `overwrite`: it may be an earlier digest, the evidence a
    later verification is checked against."""
    path = Path(path)
    check_save_target(path, overwrite)
    try:
        write_replacing(path, digest_to_json(d))
    except OSError as e:
        raise UserError(f"cannot save the digest to {path}: {e.strerror or e}") from None


def decode_digest_b64(text: str) -> bytes:
    text = text.strip()
    if re.fullmatch(r"[0-9a-fA-F]{64}", text):
        raise InputFormatError("this digest is hex; QLDB digests are base64 (44 characters, "
                               "'=' last), as GetDigest and `ledger digest` print them")
    if re.fullmatch(r"[A-Za-z0-9+/]{43}", text):  # base64 of 32 bytes without its padding
        text += "="
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InputFormatError(f"not a base64 digest: {text[:60]!r}") from None
    if len(raw) != 32:
        raise InputFormatError(f"a digest is 32 bytes; this one is {len(raw)}")
    return raw


def _get(obj: dict[str, Any], name: str) -> Any:
    for k, v in obj.items():
        if k.lower() == name.lower():
            return v
    return None


def parse_digest_json(text: str, source: str = "<digest>") -> Digest:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputFormatError(f"{source}: not a digest file (invalid JSON at line {e.lineno}, "
                               f"column {e.colno}: {e.msg})") from None
    if not isinstance(obj, dict):
        raise InputFormatError(f"{source}: not a digest file (expected a JSON object)")
    digest = _get(obj, "Digest")
    tip = _get(obj, "DigestTipAddress")
    if not isinstance(digest, str) or tip is None:
        raise InputFormatError(f"{source}: a digest file needs Digest and DigestTipAddress")
    if isinstance(tip, dict):
        tip = _get(tip, "IonText")
    if not isinstance(tip, str):
        raise InputFormatError(f"{source}: DigestTipAddress must hold Ion text of a block "
                               "address")
    created = _get(obj, "DigestTime")
    ts = None
    if isinstance(created, str):
        try:
            ts = parse_timestamp(created)
        except Exception:
            ts = None
    name = _get(obj, "LedgerName")
    return Digest(decode_digest_b64(digest), BlockAddress.parse(tip),
                  name if isinstance(name, str) else None, ts)


_B64_DIGEST = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{43}=")
_TIP = re.compile(r"\{[^{}]*strandId[^{}]*\}")


def parse_digest_text(text: str) -> Digest:
    """A digest pasted as text: our digest JSON or QLDB's GetDigest response, or the digest
    (base64) and its tip address (`{strandId:"…",sequenceNo:N}`) anywhere in free text, as
    copied from the QLDB console or a report. Both are required: a digest without its tip
    cannot be checked."""
    stripped = text.strip()
    if not stripped:
        raise InputFormatError("nothing pasted: paste a digest and its tip address")
    if stripped.startswith("{") and '"' in stripped.split(":", 1)[0]:
        return parse_digest_json(stripped, "pasted text")
    digests = set(_B64_DIGEST.findall(stripped))
    tips = _TIP.findall(stripped)
    if not digests:
        raise InputFormatError("no digest found: a digest is 44 characters of base64 ending "
                               "in '=' (32 bytes)")
    if len(digests) > 1:
        raise InputFormatError(f"{len(digests)} different digests found; paste one")
    if not tips:
        raise InputFormatError('no tip address found: paste it too, as '
                               '{strandId:"…",sequenceNo:N}')
    addresses = {BlockAddress.parse(t) for t in tips}
    if len(addresses) > 1:
        raise InputFormatError(f"{len(addresses)} different tip addresses found; paste one")
    return Digest(decode_digest_b64(digests.pop()), addresses.pop(), None, None)


def read_digest(source: str | Path) -> Digest:
    """A digest from a file path (ours or GetDigest JSON) or from the JSON text itself."""
    text = str(source)
    path = Path(text)
    if not text.lstrip().startswith("{"):
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise InputFormatError(f"{path}: too large to be a digest file")
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputFormatError(f"{path}: no such digest file") from None
        except UnicodeDecodeError:
            raise InputFormatError(f"{path}: not a digest file (not UTF-8 text)") from None
        except OSError as e:
            raise InputFormatError(f"{path}: cannot read: {e.strerror}") from None
        except ValueError:  # e.g. a NUL byte: neither a path nor JSON
            raise InputFormatError(f"{text[:60]!r}: not a digest file or JSON digest") from None
        return parse_digest_json(text, str(path))
    return parse_digest_json(text)


def _looks_like_a_path(text: str) -> bool:
    """Base64 has no '.', '\\' or ':'; a path almost always has one of them or a '/' that
    base64 of 32 bytes (44 characters, '=' last) would not put there."""
    if re.fullmatch(r"[A-Za-z0-9+/]{43}=?", text):  # base64 of 32 bytes, padded or not
        return False
    return any(c in text for c in ".\\:") or "/" in text


def digest_from_arg(arg: str) -> tuple[bytes, BlockAddress | None]:
    """A `--digest` argument: base64, a digest file, or GetDigest JSON. Tip may be unknown."""
    stripped = arg.strip()
    if not stripped:
        raise InputFormatError("--digest is empty: give a base64 digest, a digest file or "
                               "GetDigest JSON")
    if not stripped.startswith("{") and not Path(stripped).exists():
        if _looks_like_a_path(stripped):  # not "not a base64 digest" for a mistyped file
            raise InputFormatError(f"{stripped}: no such digest file")
        return decode_digest_b64(stripped), None
    d = read_digest(arg)
    return d.digest, d.tip
