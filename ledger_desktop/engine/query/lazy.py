"""Late materialisation for full table scans with a filter.

A WHERE conjunct that reads a table variable `v` only through literal paths (`v.Color`,
`v.Owners.PrimaryOwner.PersonId`, `v['Year']`, or an unqualified `Color` when `v` is an implicit
source) gives the same result on a partial document holding just those fields as on the whole
document: path steps only look fields up by name. So a scan evaluates the leading such
conjuncts on fields peeked from the stored Ion binary (`ion_peek.peek`) and decodes the whole
document only for rows that pass them (then checks the remaining conjuncts, in their order).
Only a *prefix* of the conjuncts is evaluated early, so the order in which predicates run, and
so which error a failing predicate raises, is the same as without this optimisation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..ion_peek import Tree
from . import ast as A
from .context import Scope
from .freevars import children
from .values import TEXT, tcode, text_of

AGGREGATES = frozenset({"COUNT", "SUM", "AVG", "MIN", "MAX"})


class _NotLazy(Exception):
    """The expression uses the document in a way a partial document cannot stand for."""


def field_tree(node: A.Node, var: str, scope: Scope, subquery_refs: Any) -> Tree | None:
    """The fields of `var`'s documents that `node` reads, as an `ion_peek` tree, or None when
    `node` reads the document otherwise (whole, with a wildcard or a computed index).

    `subquery_refs(subquery)` gives the FROM variables a sub-query reads.
    """
    tree: Tree = {}
    implicit = var in scope.implicit_sources()
    try:
        _walk(node, var, scope, implicit, subquery_refs, tree)
    except _NotLazy:
        return None
    return tree


def merge(into: Tree, other: Tree) -> None:
    """Add the fields of `other` to `into` (a whole value wins over some of its fields)."""
    for name, sub in other.items():
        have = into.get(name, ...)
        if have is ...:
            into[name] = sub
        elif have is not None:
            if sub is None:
                into[name] = None
            else:
                merge(have, sub)


def _add(tree: Tree, path: list[str]) -> None:
    t = tree
    for name in path[:-1]:
        sub = t.get(name, ...)
        if sub is None:
            return  # the whole value is already needed
        if sub is ...:
            sub = t[name] = {}
        t = sub
    t[path[-1]] = None


def _walk(node: Any, var: str, scope: Scope, implicit: bool, subquery_refs: Any,
          tree: Tree) -> None:
    if not isinstance(node, A.Node):
        return
    # A chain of literal field steps: `base.a['b'].c`.
    path: list[str] = []
    m = node
    while True:
        if isinstance(m, A.Dot):
            path.append(m.name)
            m = m.base
        elif isinstance(m, A.Index) and isinstance(m.index, A.Lit) \
                and tcode(m.index.value) in TEXT:
            path.append(text_of(m.index.value))
            m = m.base
        else:
            break
    if isinstance(m, A.Var):
        path.reverse()
        if m.name == var:  # bound in this scope: `v` and `@v` both read the env
            if not path:
                raise _NotLazy  # the document used whole
            _add(tree, path)
        elif implicit and not m.at_prefixed and not scope.bound(m.name):
            _add(tree, [m.name] + path)  # an unqualified name: a field of the sources
        return
    if isinstance(m, A.Subquery):
        if var in subquery_refs(m):
            raise _NotLazy
        return
    if isinstance(m, A.Call) and m.name in AGGREGATES:
        raise _NotLazy
    for child in children(m):
        _walk(child, var, scope, implicit, subquery_refs, tree)


def describe_tree(tree: Tree) -> str:
    """`Color, Owners.PrimaryOwner.PersonId` - the peeked fields, for EXPLAIN."""
    out: list[str] = []

    def walk(t: Tree, prefix: str) -> None:
        for name, sub in t.items():
            if sub is None or not sub:
                out.append(prefix + name)
            else:
                walk(sub, prefix + name + ".")
    walk(tree, "")
    return ", ".join(out) if out else "none"


def stored_rows(tx: Any, table_id: str) -> Iterator[tuple[str, bytes | None, Any]]:
    """`tx.scan(table_id)` without decoding: (doc_id, Ion binary, None) for a committed
    document, (doc_id, None, data) for one this transaction inserted or changed.

    `Transaction.scan_blobs` does it (tests/query/test_lazy_scan.py checks it agrees with
    `Transaction.scan`); a transaction object without it is simply scanned.
    """
    scan_blobs = getattr(tx, "scan_blobs", None)
    if scan_blobs is None:
        for doc in tx.scan(table_id):
            yield doc.doc_id, None, doc.data
        return
    yield from scan_blobs(table_id)
