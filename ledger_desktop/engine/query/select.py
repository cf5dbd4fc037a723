"""SELECT: projection, grouping and aggregates, DISTINCT, ORDER BY, LIMIT/OFFSET, set operations."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal, localcontext
from typing import Any

from . import ast as A
from .compile import GROUP_ROWS, Compiler, arith, distinct_struct
from .context import Scope
from .freevars import children as _children
from .functions import AGGREGATES
from .plan import FromPlan
from .values import (
    MISSING,
    NUMERIC,
    T_FLOAT,
    T_INT,
    T_STRUCT,
    TEXT,
    Bag,
    group_key,
    is_absent,
    is_true,
    make_struct,
    order_key,
    struct_items,
    tcode,
    text_of,
    type_name,
)

Query = Callable[[dict], list]


def compile_query(comp: Compiler, node: A.Node, scope: Scope) -> Query:
    """A function env -> list of result values (the bag, in the order produced)."""
    if isinstance(node, A.SetQuery):
        return _set_query(comp, node, scope)
    if not isinstance(node, A.Select):
        raise comp.ctx.error("a query (SELECT) is expected here", node)
    return SelectQuery(comp, node, scope).run


def _set_query(comp: Compiler, node: A.SetQuery, scope: Scope) -> Query:
    left = compile_query(comp, node.left, scope.child())
    right = compile_query(comp, node.right, scope.child())
    op, keep_all = node.op, node.all
    combine = _combine(op, keep_all)
    if not node.order_by and node.limit is None and node.offset is None:
        return lambda env: combine(left(env), right(env))
    # ORDER BY names the result's columns: the first SELECT's names, as in SQL
    names = [alias or _derived_name(expr, i) for i, (expr, alias)
             in enumerate(node.left.items, 1)] if node.left.kind == "list" else []
    order_scope = Scope()
    for name in names:
        order_scope.bind(name, "alias")
    order = [(comp.expr(o.expr, order_scope), o.descending, o.nulls_first)
             for o in node.order_by]
    limit, offset = _count(comp, node.limit, "LIMIT"), _count(comp, node.offset, "OFFSET")

    def run(env: dict) -> list:
        values = combine(left(env), right(env))
        if order:
            keyed = []
            for v in values:
                row = {n: v.get(n, MISSING) if hasattr(v, "get") else MISSING for n in names}
                keyed.append(([f(row) for f, _, _ in order], v))
            values = _sorted(keyed, order)
        start = offset or 0
        return values[start:None if limit is None else start + limit]
    return run


def _count(comp: Compiler, node: A.Node | None, what: str) -> int | None:
    """A LIMIT or OFFSET: a constant non-negative integer."""
    if node is None:
        return None
    v = comp.expr(node, Scope())({})
    if tcode(v) != T_INT or int(v) < 0:
        raise comp.ctx.error(f"{what} expects a non-negative integer, got {type_name(v)}",
                             node)
    # beyond any count a result can have: the same as sys.maxsize, which slicing takes
    return min(int(v), sys.maxsize // 2)


def _sorted(keyed: list[tuple[list, Any]], order: list[tuple[Any, bool, bool | None]]
            ) -> list:
    """Values by their ORDER BY keys ([keys], value), one stable sort per key from the last."""
    for i in range(len(order) - 1, -1, -1):
        _, desc, nulls_first = order[i]
        # PostgreSQL's convention: NULL and MISSING sort as the largest values.
        nf = desc if nulls_first is None else nulls_first

        def k(item: tuple, i: int = i, nf: bool = nf, desc: bool = desc) -> tuple:
            v = item[0][i]
            if is_absent(v):
                return (0 if nf != desc else 2,)
            return (1, order_key(v))
        keyed.sort(key=k, reverse=desc)
    return [v for _, v in keyed]


def _combine(op: str, keep_all: bool) -> Callable[[list, list], list]:
    def run(a: list, b: list) -> list:
        if op == "union":
            out = a + b
            return out if keep_all else _distinct(out)
        counts: dict[Any, int] = {}
        for v in b:
            k = group_key(v)
            counts[k] = counts.get(k, 0) + 1
        result = []
        for v in a:
            k = group_key(v)
            n = counts.get(k, 0)
            if op == "intersect" and n > 0:
                result.append(v)
                counts[k] = n - 1 if keep_all else 0
            elif op == "except":
                if n > 0 and keep_all:
                    counts[k] = n - 1
                elif n == 0:
                    result.append(v)
        return result if keep_all else _distinct(result)
    return run


def _distinct(values: list) -> list:
    seen: set = set()
    out = []
    for v in values:
        k = group_key(v)
        if k not in seen:
            seen.add(k)
            out.append(v)
    return out


def _contains_aggregate(node: Any) -> bool:
    if isinstance(node, A.Subquery):
        return False
    if isinstance(node, A.Call) and node.name in AGGREGATES:
        return True
    return any(_contains_aggregate(c) for c in _children(node))


def _derived_name(expr: A.Node, i: int) -> str:
    if isinstance(expr, A.Var):
        return expr.name
    if isinstance(expr, A.Dot):
        return expr.name
    if isinstance(expr, A.Index) and isinstance(expr.index, A.Lit) \
            and tcode(expr.index.value) in TEXT:
        return text_of(expr.index.value)
    return f"_{i}"


class SelectQuery:
    def __init__(self, comp: Compiler, node: A.Select, scope: Scope) -> None:
        self.comp = comp
        self.ctx = comp.ctx
        self.node = node
        self.scope = scope
        start = len(comp.plan_lines)  # sub-queries compiled inside list themselves after us
        readers = None if node.kind == "star" or node.group_as is not None else (
            *self._projection_nodes(), *(e for e, _ in node.group_by),
            *((node.having,) if node.having is not None else ()),
            *(o.expr for o in node.order_by))
        self.plan = FromPlan(comp, node.sources, node.where, scope, readers=readers)
        comp.plan_lines[start:start] = self.plan.describe()
        self.grouped = bool(node.group_by) or node.having is not None or any(
            _contains_aggregate(x) for x in self._projection_nodes()) or any(
            _contains_aggregate(o.expr) for o in node.order_by)
        if self.grouped and node.kind == "star":
            raise self.ctx.error("SELECT * cannot be combined with GROUP BY or aggregates",
                                 node)
        if self.grouped and not node.sources:
            raise self.ctx.error("aggregates need a FROM clause (QLDB uses FROM << 0 >>)",
                                 node)
        self.group_keys: list[Callable] = []
        self.group_aliases: list[str | None] = []
        if node.group_by:
            for expr, alias in node.group_by:
                self.group_keys.append(comp.expr(expr, scope))
                self.group_aliases.append(alias)
            for alias in self.group_aliases:
                if alias is not None:
                    scope.bind(alias, "alias")
            if node.group_as is not None:
                scope.bind(node.group_as, "group")
        agg = self.grouped
        if agg:
            self._check_grouped()
        self.having = comp.expr(node.having, scope, agg) if node.having is not None else None
        self.project = self._projection(agg)
        # ORDER BY may also name the SELECT list's aliases.
        order_scope = scope.child()
        self.aliases: list[str] = []
        if node.kind == "list":
            for i, (expr, alias) in enumerate(node.items, 1):
                name = alias or (None if isinstance(expr, A.DotStar) else _derived_name(expr, i))
                if name is not None and not scope.bound(name):
                    order_scope.bind(name, "alias")
                    self.aliases.append(name)
        self.order = [(comp.expr(o.expr, order_scope, agg), o.descending, o.nulls_first)
                      for o in node.order_by]
        self.limit = _count(comp, node.limit, "LIMIT")
        self.offset = _count(comp, node.offset, "OFFSET")

    def _check_grouped(self) -> None:
        """In a grouped query, the SELECT list, HAVING and ORDER BY read a row's values only
        inside aggregates or through what is grouped, as SQL requires: `SELECT k, COUNT(*)
        FROM T` gave an arbitrary row's k, silently."""
        node = self.node
        keys = [expr for expr, _ in node.group_by]
        # GROUP BY's aliases and GROUP AS are bound in the scope by now (not a row's values);
        # HAVING and ORDER BY may also name the SELECT list's columns
        columns = {alias or _derived_name(expr, i) for i, (expr, alias)
                   in enumerate(node.items, 1)} if node.kind == "list" else set()
        own = {v for lvl in self.plan.levels for v in (lvl.var, lvl.at, lvl.by) if v}
        selected = self._projection_nodes()
        exprs = [*selected, *((node.having,) if node.having is not None else ()),
                 *(o.expr for o in node.order_by)]
        for i, top in enumerate(exprs):
            in_select = i < len(selected)
            todo = [top]
            while todo:
                e = todo.pop()
                if e in keys or isinstance(e, A.Subquery) or (
                        isinstance(e, A.Call) and e.name in AGGREGATES):
                    continue
                if isinstance(e, A.Var):
                    local = e.name in own or not self.scope.bound(e.name)
                    if local and not (e.name in columns and not in_select):
                        raise self.ctx.error(
                            f"{e.name} is neither in GROUP BY nor inside an aggregate (with "
                            "aggregates, the rows are read only through those)", e)
                    continue
                todo.extend(_children(e))

    def _projection_nodes(self) -> list[A.Node]:
        n = self.node
        if n.kind == "value":
            return [n.value] if n.value is not None else []
        return [e for e, _ in n.items]

    def _projection(self, agg: bool) -> Callable[[dict], Any]:
        node = self.node
        comp, scope = self.comp, self.scope
        if node.kind == "value":
            assert node.value is not None
            return comp.expr(node.value, scope, agg)
        if node.kind == "star":
            vars_ = self.plan.source_vars
            if not vars_:
                raise self.ctx.error("SELECT * needs a FROM clause", node)
            if len(vars_) == 1:
                v0 = vars_[0]

                def star_one(env: dict) -> Any:
                    v = env.get(v0, MISSING)
                    if tcode(v) == T_STRUCT:
                        return v
                    return {} if is_absent(v) else {"_1": v}
                return star_one

            def star_many(env: dict) -> Any:
                out: list[tuple[str, Any]] = []
                for i, name in enumerate(vars_, 1):
                    v = env.get(name, MISSING)
                    if tcode(v) == T_STRUCT:
                        out += struct_items(v)
                    elif not is_absent(v):
                        out.append((f"_{i}", v))
                return make_struct(out)  # the same name from two sources: both kept
            return star_many
        parts: list[tuple[str | None, Callable]] = []
        for i, (expr, alias) in enumerate(node.items, 1):
            if isinstance(expr, A.DotStar) and alias is None:
                parts.append((None, comp.expr(expr.base, scope, agg)))
            else:
                parts.append((alias or _derived_name(expr, i), comp.expr(expr, scope, agg)))

        names = [name for name, _ in parts]
        if None not in names and len(set(names)) == len(names):
            return distinct_struct(parts)  # distinct names known now: the usual case

        def project(env: dict) -> Any:
            out: list[tuple[str, Any]] = []
            for name, f in parts:
                v = f(env)
                if name is None:
                    if tcode(v) == T_STRUCT:
                        out += struct_items(v)
                elif v is not MISSING:
                    out.append((name, v))
            return make_struct(out)  # SELECT r.VIN, v.VIN: both kept
        return project

    # ------------------------------------------------------------ execution
    def _groups(self, env: dict) -> Iterator[dict]:
        rows = list(self.plan.rows(env))
        node = self.node
        if not node.group_by:
            g = dict(rows[0]) if rows else dict(env)
            g[GROUP_ROWS] = rows
            yield g
            return
        groups: dict[Any, list[dict]] = {}
        values: dict[Any, list[Any]] = {}
        for r in rows:
            vals = [f(r) for f in self.group_keys]
            k = tuple(group_key(v) for v in vals)
            if k not in groups:
                groups[k] = []
                values[k] = vals
            groups[k].append(r)
        for k, members in groups.items():
            g = dict(members[0])
            for alias, v in zip(self.group_aliases, values[k], strict=True):
                if alias is not None:
                    g[alias] = v
            if node.group_as is not None:
                vars_ = self.plan.source_vars
                g[node.group_as] = Bag({n: m.get(n, MISSING) for n in vars_ if
                                        m.get(n, MISSING) is not MISSING} for m in members)
            g[GROUP_ROWS] = members
            yield g

    def run(self, env: dict) -> list:
        rows: Iterator[dict] = self._groups(env) if self.grouped else self.plan.rows(env)
        if self.having is not None:
            having = self.having
            rows = (r for r in rows if is_true(having(r)))
        project = self.project
        node = self.node
        if not self.order:
            out: Iterator[Any] = (project(r) for r in rows)
            if self.node.kind == "value":
                out = (v for v in out if v is not MISSING)
            if node.distinct:
                out = iter(_distinct(list(out)))
            start = self.offset or 0
            stop = None if self.limit is None else start + self.limit
            return list(itertools.islice(out, start, stop))
        pairs = [(r, project(r)) for r in rows]
        if node.kind == "value":
            pairs = [p for p in pairs if p[1] is not MISSING]
        if node.distinct:
            seen: set = set()
            kept = []
            for p in pairs:
                k = group_key(p[1])
                if k not in seen:
                    seen.add(k)
                    kept.append(p)
            pairs = kept
        aliases = self.aliases
        keyed = []
        for r, v in pairs:
            oenv = r
            if aliases and tcode(v) == T_STRUCT:
                oenv = dict(r)
                for a in aliases:
                    oenv[a] = v.get(a, MISSING) if hasattr(v, "get") else MISSING
            keyed.append(([f(oenv) for f, _, _ in self.order], v))
        values = _sorted(keyed, self.order)
        start = self.offset or 0
        stop = None if self.limit is None else start + self.limit
        return values[start:stop]


# ---------------------------------------------------------------- aggregates
def compile_aggregate(comp: Compiler, node: A.Call, scope: Scope) -> Callable[[dict], Any]:
    name = node.name
    ctx = comp.ctx
    if node.star:
        if name != "COUNT":
            raise ctx.error(f"{name}(*) is not allowed; only COUNT(*)", node)
        return lambda env: len(env.get(GROUP_ROWS, ()))
    if len(node.args) != 1:
        raise ctx.error(f"{name} takes one argument", node)
    if _contains_aggregate(node.args[0]):
        raise ctx.error("aggregates cannot be nested", node)
    arg = comp.expr(node.args[0], scope)
    distinct = node.distinct

    def values(env: dict) -> list:
        vals = [arg(r) for r in env.get(GROUP_ROWS, ())]
        vals = [v for v in vals if not is_absent(v)]
        if distinct:
            seen: set = set()
            kept = []
            for v in vals:
                k = group_key(v)
                if k not in seen:
                    seen.add(k)
                    kept.append(v)
            vals = kept
        return vals

    if name == "COUNT":
        return lambda env: len(values(env))
    if name in ("MIN", "MAX"):
        pick = min if name == "MIN" else max

        def minmax(env: dict) -> Any:
            vals = values(env)
            return pick(vals, key=order_key) if vals else None
        return minmax

    def numbers(env: dict) -> list:
        vals = values(env)
        for v in vals:
            if tcode(v) not in NUMERIC:
                raise ctx.error(f"{name} expects numbers, got {type_name(v)}", node)
        return vals

    if name == "SUM":
        def sum_(env: dict) -> Any:
            vals = numbers(env)
            if not vals:
                return None
            total: Any = vals[0] if tcode(vals[0]) != T_INT else int(vals[0])
            try:
                for v in vals[1:]:
                    total = arith("+", total, v)
            except OverflowError as e:
                raise ctx.error(f"SUM: {e}", node) from None
            return total
        return sum_

    def avg(env: dict) -> Any:
        vals = numbers(env)
        if not vals:
            return None
        if any(tcode(v) == T_FLOAT for v in vals):
            return sum(float(v) for v in vals) / len(vals)
        with localcontext() as c:
            c.prec = 38
            total = sum((Decimal(v) for v in vals), Decimal(0))
            return total / Decimal(len(vals))  # QLDB's AVG returns a decimal
    return avg
