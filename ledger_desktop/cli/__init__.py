"""The `ledger` command: a thin shell over the engine (no Qt).

Exit codes: 0 success, 1 a failed verification, 2 bad usage or a file that is not a ledger.
Each group of commands lives in its own module and registers itself on `main` below.
"""

from __future__ import annotations

from .base import main

# Command modules register themselves on `main` when imported.
from . import journal_cmds  # noqa: E402,F401  init, sample, digest, verify, get-block, ...
from . import exchange_cmds  # noqa: E402,F401  export, verify-export, import-journal, import, stream
from . import query_cmds  # noqa: E402,F401  query, shell

__all__ = ["main"]
