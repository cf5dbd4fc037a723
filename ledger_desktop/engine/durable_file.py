"""Small files (a digest, a proof, a stream checkpoint) replaced whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path


def write_replacing(path: Path, text: str) -> None:
    """Write `text` beside `path`, sync it, then rename it into place: a crash or a full disk
    leaves the old file or the new one, never half of one. The temporary file is removed when
    anything fails (errors propagate as they came)."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:  # a read-only folder refuses even that: there is nothing to remove
            pass
        raise
