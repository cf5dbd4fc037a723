"""The field names of a table, for completing `alias.` in an editor: the dotted paths of the
structs in a sample of its current documents (one indexed page read, not a scan).

Read-only: it only pages the index storage the way a grid does.
"""

from __future__ import annotations

from typing import Any

from ..errors import TableNotFoundError

#: Documents sampled: a table's documents usually share a shape, and one page is cheap.
SAMPLE_DOCUMENTS = 100
#: Nesting followed into structs (`Owners.PrimaryOwner.PersonId` is three levels).
DEPTH = 3
#: At most this many paths: a table of free-form documents must not flood a completion list.
MOST_PATHS = 2000


def collect_paths(value: Any, prefix: str, out: dict[str, None], depth: int) -> None:
    """Add the dotted paths of `value`'s fields (structs only, not into lists) to `out`."""
    if depth == 0 or not hasattr(value, "keys") or len(out) >= MOST_PATHS:
        return
    for key in value:
        path = f"{prefix}.{key}" if prefix else str(key)
        out[path] = None
        collect_paths(value[key], path, out, depth - 1)


def table_field_paths(ledger: Any, table: str, sample: int = SAMPLE_DOCUMENTS,
                      depth: int = DEPTH) -> list[str]:
    """Dotted field paths seen in the first `sample` current documents of active table
    `table`, in first-seen order; [] for a name that is not an active table."""
    try:
        info = ledger.table(table)
    except TableNotFoundError:
        return []
    out: dict[str, None] = {}
    for doc in ledger.documents(info.table_id, limit=sample):
        collect_paths(doc.data, "", out, depth)
        if len(out) >= MOST_PATHS:
            break
    return list(out)
