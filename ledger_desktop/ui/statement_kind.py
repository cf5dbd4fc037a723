"""What a PartiQL statement would change, found with the engine's own parser (never a regex:
comments, quoted names and the `FROM … SET` form fool one).

A UI-side helper rather than an engine one: the engine answers "run this", the question of
asking the user first is the app's. Parsing can take a second the first time (lark builds its
tables), so callers run it on a worker lane, never on the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class UnfilteredChange:
    """An UPDATE or DELETE with no WHERE: it changes every document of `table`."""

    kind: str                 # "UPDATE" or "DELETE"
    table: str
    documents: int | None = None  # the table's current documents, when counted


def unfiltered_change(text: str) -> UnfilteredChange | None:
    """The UPDATE/DELETE-without-WHERE `text` is, else None (any other statement, or one that
    does not parse: running it reports that error as usual)."""
    from ..engine.query import ast as A
    from ..engine.query.parser import parse

    try:
        node, _params = parse(text)
    except Exception:
        return None
    if isinstance(node, A.Update | A.Delete) and node.where is None:
        return UnfilteredChange("UPDATE" if isinstance(node, A.Update) else "DELETE",
                                node.target.table)
    return None


def counted(ledger: Any, change: UnfilteredChange) -> UnfilteredChange | None:
    """`change` with its table's document count (on the lane that holds `ledger`); None when
    there is nothing to ask about: no such table (the statement then fails with its own
    message) or an empty one (it changes nothing)."""
    try:
        n = int(ledger.count_documents(ledger.table(change.table).table_id))
    except Exception:
        return None
    return UnfilteredChange(change.kind, change.table, n) if n > 0 else None
