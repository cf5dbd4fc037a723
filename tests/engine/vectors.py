"""Where the shared QLDB test vectors live: `shared/vectors` next to the repository
(`<repo>/../shared/vectors`), or the folder named by `LEDGER_VECTORS_DIR`."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]


def vectors_dir() -> Path:
    override = os.environ.get("LEDGER_VECTORS_DIR")
    folder = Path(override) if override else REPO_ROOT.parent / "shared" / "vectors"
    if not (folder / "README.md").is_file():
        raise FileNotFoundError(
            f"QLDB test vectors not found at {folder} (expected shared/vectors beside the repo, "
            "or set LEDGER_VECTORS_DIR)")
    return folder


def vector_path(name: str) -> Path:
    return vectors_dir() / name


def load_json(name: str) -> Any:
    return json.loads(vector_path(name).read_text(encoding="utf-8"))


def b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)
