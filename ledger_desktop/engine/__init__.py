"""The ledger engine: pure Python (sqlite3, amazon.ion, hashlib), no Qt.

See docs/engine-api.md. The facade is `Ledger`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .blocks import BlockAddress
    from .ledger import Ledger
    from .model import Digest

__all__ = ["Ledger", "BlockAddress", "Digest"]


def __getattr__(name: str) -> Any:
    # Imported lazily so `ledger_desktop.engine.ion_hash` etc. load without the whole engine.
    if name == "Ledger":
        from .ledger import Ledger

        return Ledger
    if name == "BlockAddress":
        from .blocks import BlockAddress

        return BlockAddress
    if name == "Digest":
        from .model import Digest

        return Digest
    raise AttributeError(name)
