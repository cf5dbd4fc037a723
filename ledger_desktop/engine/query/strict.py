"""QLDB-strict mode: reject what QLDB itself rejected, so a strict ledger stays portable."""

from __future__ import annotations

from typing import Any

from ..errors import QueryError
from . import ast as A
from .functions import QLDB_FUNCTIONS


def _reject(what: str, node: A.Node, text: str) -> QueryError:
    return QueryError(f"{what} is not supported by QLDB (this ledger is in QLDB-strict mode)",
                      node.pos[0], node.pos[1], text)


def check_strict(node: Any, text: str) -> None:
    """Raise QueryError at the first construct QLDB did not accept."""
    if isinstance(node, A.Explain):
        raise _reject("EXPLAIN", node, text)
    if isinstance(node, A.SetQuery):
        raise _reject(node.op.upper(), node, text)
    if isinstance(node, A.Select):
        for present, what in ((node.order_by, "ORDER BY"), (node.group_by, "GROUP BY"),
                              (node.having, "HAVING"), (node.limit, "LIMIT"),
                              (node.offset, "OFFSET"), (node.distinct, "SELECT DISTINCT")):
            if present:
                raise _reject(what, node, text)
        if not node.sources:
            raise _reject("SELECT without FROM", node, text)  # the guide uses FROM << 0 >>
    if isinstance(node, A.Join) and node.kind != "inner":
        raise _reject(f"{node.kind.upper()} JOIN", node, text)
    if isinstance(node, A.Call) and node.name not in QLDB_FUNCTIONS:
        raise _reject(f"the function {node.name}", node, text)
    if isinstance(node, A.Case):
        raise _reject("CASE", node, text)
    if not isinstance(node, A.Node):
        return
    for name in node.__dataclass_fields__:
        if name == "pos":
            continue
        _walk(getattr(node, name), text)


def _walk(v: Any, text: str) -> None:
    if isinstance(v, A.Node):
        check_strict(v, text)
    elif isinstance(v, tuple):
        for x in v:
            _walk(x, text)
