"""The `ledger` command: a thin shell over the engine (no Qt).

Exit codes: 0 success, 1 a failed verification, 2 bad usage or a file that is not a ledger.
Each group of commands lives in its own module and registers itself on `main` below.
"""

from __future__ import annotations

# Command modules register themselves on `main` when imported.
from . import (
    exchange_cmds,  # noqa: E402,F401  export, verify-export, import-journal, import, stream
    journal_cmds,  # noqa: E402,F401  init, sample, digest, verify, get-block, ...
    query_cmds,  # noqa: E402,F401  query, shell
)
from .base import main

__all__ = ["main"]
