"""Which names an expression or sub-query reads from outside itself (for planning)."""

from __future__ import annotations

from typing import Any

from . import ast as A


def children(node: Any) -> list[Any]:
    """The direct sub-nodes of a node (inside tuples and pairs too)."""
    out: list[Any] = []
    if not isinstance(node, A.Node):
        return out
    for name in node.__dataclass_fields__:
        if name == "pos":
            continue
        v = getattr(node, name)
        if isinstance(v, A.Node):
            out.append(v)
        elif isinstance(v, tuple):
            for x in v:
                if isinstance(x, A.Node):
                    out.append(x)
                elif isinstance(x, tuple):
                    out.extend(y for y in x if isinstance(y, A.Node))
    return out


def query_free_names(query: A.Node) -> tuple[set[str], bool]:
    """(names a query uses but does not bind itself, whether it has a FROM clause).

    A FROM item that is a bare name (a table, or an outer variable used whole) is reported
    too; the caller knows which names are variables.
    """
    used: set[str] = set()
    bound: set[str] = set()
    sources: set[str] = set()
    has_from = False

    def walk(n: Any) -> None:
        nonlocal has_from
        if isinstance(n, A.FromItem):
            has_from = True
            if isinstance(n.expr, A.Var) and not n.expr.at_prefixed:
                bound.add(n.alias or n.expr.name)
                sources.add(n.expr.name)
            else:
                walk(n.expr)
                if n.alias:
                    bound.add(n.alias)
            bound.update(x for x in (n.at, n.by) if x)
            return
        if isinstance(n, A.Select):
            bound.update(a for _, a in n.group_by if a)
            bound.update(a for _, a in n.items if a)
            if n.group_as:
                bound.add(n.group_as)
        if isinstance(n, A.Var):
            used.add(n.name)
        for child in children(n):
            walk(child)

    walk(query)
    return (used - bound) | sources, has_from
