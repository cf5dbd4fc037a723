"""Compiling expressions into Python closures `f(env) -> value`.

An environment is a dict from variable names to values. Names are resolved once, at compile
time: a bound variable reads the env; any other name is a field of the FROM variable(s) in
scope (PartiQL's implicit attribute lookup, so `WHERE VIN = ?` works over one table).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal, DivisionByZero, InvalidOperation, localcontext
from decimal import Overflow as DecimalOverflow
from functools import lru_cache
from typing import Any

from amazon.ion.simple_types import IonPyNull

from ..ion_values import MAX_INT_BITS
from . import ast as A
from . import functions as F
from .context import Ctx, Scope
from .freevars import query_free_names
from .values import (
    MISSING,
    NUMERIC,
    SEQUENCES,
    T_BOOL,
    T_DECIMAL,
    T_FLOAT,
    T_INT,
    T_STRUCT,
    TEXT,
    Bag,
    compare,
    equal,
    is_absent,
    make_struct,
    tcode,
    text_of,
    type_name,
)

Fn = Callable[[dict], Any]
GROUP_ROWS = "\0rows"  # in a group's env: the envs of the rows in the group


def get_field(v: Any, name: str) -> Any:
    try:
        return v[name]
    except (KeyError, TypeError, IndexError):
        return MISSING


def _absent_of(a: Any, b: Any) -> Any:
    return MISSING if (a is MISSING or b is MISSING) else None


def _is_bool(v: Any) -> bool:
    return v is True or v is False or (type(v) is not IonPyNull and tcode(v) == T_BOOL)


@lru_cache(maxsize=256)
def like_matcher(pattern: str, escape: str | None) -> Callable[[str], bool]:
    """A LIKE pattern as a matcher in time linear in the text for each piece between `%`s.

    Not a regular expression: `%` as `.*` backtracks exponentially on a pattern such as
    '%a%a%a…%b' that fails, inside C code that Ctrl-C cannot stop. Between `%`s the pieces
    (characters and `_`) are found left to right, each at its first fit, which is optimal for
    patterns with no other operator."""
    pieces: list[list[str | None]] = [[]]  # None: `_`, any one character
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if escape is not None and ch == escape:
            i += 1
            if i >= len(pattern):
                raise ValueError("LIKE pattern ends with the escape character")
            if pattern[i] not in ("%", "_", escape):
                raise ValueError(f"LIKE's escape character comes before %, _ or itself, not "
                                 f"{pattern[i]!r}")
            pieces[-1].append(pattern[i])
        elif ch == "%":
            pieces.append([])
        elif ch == "_":
            pieces[-1].append(None)
        else:
            pieces[-1].append(ch)
        i += 1
    first, last = pieces[0], pieces[-1]
    middle = [p for p in pieces[1:-1] if p]

    def fits(piece: list[str | None], text: str, at: int) -> bool:
        return all(c is None or text[at + k] == c for k, c in enumerate(piece))

    def find(piece: list[str | None], text: str, start: int, end: int) -> int:
        if None not in piece:
            return text.find("".join(piece), start, end)  # type: ignore[arg-type]
        for at in range(start, end - len(piece) + 1):
            if fits(piece, text, at):
                return at
        return -1

    def match(text: str) -> bool:
        if len(pieces) == 1:
            return len(text) == len(first) and fits(first, text, 0)
        end = len(text) - len(last)
        if end < len(first) or not fits(first, text, 0) or not fits(last, text, end):
            return False
        at = len(first)
        for piece in middle:
            found = find(piece, text, at, end)
            if found < 0:
                return False
            at = found + len(piece)
        return True
    return match


def arith(op: str, a: Any, b: Any) -> Any:
    """+ - * / % over int, decimal and float (decimal beats int, float beats both)."""
    ca, cb = tcode(a), tcode(b)
    if ca not in NUMERIC or cb not in NUMERIC:
        raise TypeError(f"cannot apply {op!r} to {type_name(a)} and {type_name(b)}")
    if ca == T_FLOAT or cb == T_FLOAT:
        x, y = float(a), float(b)
    elif ca == T_DECIMAL or cb == T_DECIMAL:
        x, y = Decimal(a), Decimal(b)
    else:
        x, y = int(a), int(b)
        if op == "/":
            if y == 0:
                raise ZeroDivisionError("division by zero")
            q = abs(x) // abs(y)
            return q if (x >= 0) == (y >= 0) else -q  # SQL truncates toward zero
        if op == "%":
            if y == 0:
                raise ZeroDivisionError("division by zero")
            r = abs(x) % abs(y)
            return r if x >= 0 else -r
    if isinstance(x, Decimal):
        with localcontext() as ctx:
            ctx.prec = 38
            try:
                if op == "+":
                    return x + y
                if op == "-":
                    return x - y
                if op == "*":
                    return x * y
                if op == "/":
                    return x / y
                return x % y
            except (DivisionByZero, InvalidOperation):
                raise ZeroDivisionError("division by zero") from None
            except DecimalOverflow:
                raise OverflowError("the decimal result is too large") from None
    try:
        if op == "+":
            r = x + y
        elif op == "-":
            r = x - y
        elif op == "*":
            r = x * y
        else:
            r = None
        if r is not None:
            if type(r) is int and r.bit_length() > MAX_INT_BITS:
                raise OverflowError("the integer result is too large (more than about 4,200 "
                                    "digits)")
            return r
        if op == "/":
            return x / y
        return math.fmod(x, y)
    except ZeroDivisionError:
        raise ZeroDivisionError("division by zero") from None


def eq3(a: Any, b: Any) -> Any:
    """PartiQL `=`: MISSING/NULL propagate, otherwise deep equality."""
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if a is MISSING or b is MISSING:
        return MISSING
    if is_absent(a) or is_absent(b):
        return None
    return equal(a, b)



def distinct_struct(named: list[tuple[str, Fn]]) -> Fn:
    """A struct of these fields, names known and distinct when planned: a plain dict built
    directly, fields whose value is MISSING left out (`values.make_struct` when a name may
    repeat)."""
    def build(env: dict) -> Any:
        out: dict[str, Any] = {}
        for name, f in named:
            v = f(env)
            if v is not MISSING:
                out[name] = v
        return out
    return build

class Compiler:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.plan_lines: list[str] = []  # what EXPLAIN shows: one line per FROM source
        self._subquery_cache: dict[int, list] = {}  # uncorrelated sub-queries, by node

    # ------------------------------------------------------------ entry point
    def expr(self, node: A.Node, scope: Scope, agg: bool = False) -> Fn:
        method = getattr(self, "_" + type(node).__name__.lower(), None)
        if method is None:
            raise self.ctx.error(f"{type(node).__name__} cannot be used here", node)
        return method(node, scope, agg)

    def _err(self, msg: str, node: A.Node):  # -> QueryError
        return self.ctx.error(msg, node)

    # ------------------------------------------------------------ leaves
    def _lit(self, node: A.Lit, scope: Scope, agg: bool) -> Fn:
        v = node.value
        return lambda env: v

    def _param(self, node: A.Param, scope: Scope, agg: bool) -> Fn:
        params = self.ctx.params
        if node.index >= len(params):
            raise self._err(f"the statement has more ? parameters than the "
                            f"{len(params)} given", node)
        v = params[node.index]
        return lambda env: v

    def _var(self, node: A.Var, scope: Scope, agg: bool) -> Fn:
        name = node.name
        if scope.bound(name):
            return lambda env: env.get(name, MISSING)
        if node.at_prefixed:
            raise self._err(f"unknown variable @{name}", node)
        if name.upper() in _SQL_ONLY_FUNCTIONS and not isinstance(name, A.QuotedName):
            # read as a field, it matched nothing
            raise self._err(f"{name} is a SQL function QLDB does not support; use UTCNOW() "
                            "(the transaction's time), or a source's field of that name as "
                            f"v.{name}", node)
        sources = scope.implicit_sources()
        if len(sources) == 1:
            src = sources[0]
            return lambda env: get_field(env.get(src, MISSING), name)
        if sources:
            srcs = tuple(sources)

            def implicit(env: dict) -> Any:
                for s in srcs:
                    v = get_field(env.get(s, MISSING), name)
                    if v is not MISSING:
                        return v
                return MISSING
            return implicit
        raise self._err(f"unknown name {name!r} (no FROM source defines it)", node)

    # ------------------------------------------------------------ paths
    def _dot(self, node: A.Dot, scope: Scope, agg: bool) -> Fn:
        base = self.expr(node.base, scope, agg)
        name = node.name
        if _has_wildcard(node.base):
            return lambda env: _map_bag(base(env), lambda v: get_field(v, name))
        return lambda env: get_field(base(env), name)

    def _index(self, node: A.Index, scope: Scope, agg: bool) -> Fn:
        base = self.expr(node.base, scope, agg)
        idx = self.expr(node.index, scope, agg)
        wild = _has_wildcard(node.base)

        def step(v: Any, i: Any) -> Any:
            ci = tcode(i)
            if ci == T_INT:
                n = int(i)
                if isinstance(v, list) and not isinstance(v, Bag) and 0 <= n < len(v):
                    return v[n]
                return MISSING
            if ci in TEXT:
                return get_field(v, text_of(i))
            return MISSING

        if wild:
            return lambda env: _map_bag(base(env), lambda v: step(v, idx(env)))
        return lambda env: step(base(env), idx(env))

    def _dotstar(self, node: A.DotStar, scope: Scope, agg: bool) -> Fn:
        base = self.expr(node.base, scope, agg)

        def values_of(v: Any) -> list:
            return list(v.values()) if tcode(v) == T_STRUCT else []
        if _has_wildcard(node.base):
            return lambda env: Bag(x for v in base(env) for x in values_of(v))
        return lambda env: Bag(values_of(base(env)))

    def _indexstar(self, node: A.IndexStar, scope: Scope, agg: bool) -> Fn:
        base = self.expr(node.base, scope, agg)

        def items_of(v: Any) -> list:
            return list(v) if (not is_absent(v) and tcode(v) in SEQUENCES) else []
        if _has_wildcard(node.base):
            return lambda env: Bag(x for v in base(env) for x in items_of(v))
        return lambda env: Bag(items_of(base(env)))

    # ------------------------------------------------------------ operators
    def _unary(self, node: A.Unary, scope: Scope, agg: bool) -> Fn:
        f = self.expr(node.operand, scope, agg)
        ctx = self.ctx
        if node.op == "not":
            def not_(env: dict) -> Any:
                v = f(env)
                if v is True:
                    return False
                if v is False:
                    return True
                if is_absent(v):
                    return MISSING if v is MISSING else None
                if _is_bool(v):
                    return not bool(v)
                raise ctx.error(f"NOT expects a boolean, got {type_name(v)}", node)
            return not_

        def neg(env: dict) -> Any:
            v = f(env)
            if is_absent(v):
                return MISSING if v is MISSING else None
            if tcode(v) not in NUMERIC:
                raise ctx.error(f"unary {node.op} expects a number, got {type_name(v)}", node)
            return -v if node.op == "-" else +v
        return neg

    def _operand(self, node: A.Node, scope: Scope, agg: bool) -> Fn:
        """An operand of a comparison or arithmetic: a sub-query there is the single value of
        its single row, as SQL and PartiQL's SQL compatibility read `x > (SELECT AVG(y) …)`
        (compared as a bag, it matched nothing, silently). No row is NULL; several, an error."""
        if not isinstance(node, A.Subquery):
            return self.expr(node, scope, agg)
        rows = self.subquery(node, scope, column=True)
        ctx = self.ctx

        def single(env: dict) -> Any:
            values = rows(env)
            if len(values) > 1:
                raise ctx.error(f"a sub-query used as one value gave {len(values)} rows; use "
                                "IN or EXISTS to compare with several", node)
            return values[0] if values else None
        return single

    def _binary(self, node: A.Binary, scope: Scope, agg: bool) -> Fn:
        op = node.op
        left = self._operand(node.left, scope, agg)
        right = self._operand(node.right, scope, agg)
        ctx = self.ctx
        if op == "and":
            def and_(env: dict) -> Any:
                a = left(env)
                if a is False:
                    return False
                b = right(env)
                if b is False:
                    return False
                for v in (a, b):
                    if not (v is True or is_absent(v)):
                        if not _is_bool(v):
                            raise ctx.error(f"AND expects booleans, got {type_name(v)}", node)
                        if not v:
                            return False
                if (a is True or (_is_bool(a) and a)) and (b is True or (_is_bool(b) and b)):
                    return True
                return MISSING if (a is MISSING and b is MISSING) else None
            return and_
        if op == "or":
            def or_(env: dict) -> Any:
                a = left(env)
                if a is True:
                    return True
                b = right(env)
                if b is True:
                    return True
                for v in (a, b):
                    if not (v is False or is_absent(v)):
                        if not _is_bool(v):
                            raise ctx.error(f"OR expects booleans, got {type_name(v)}", node)
                        if v:
                            return True
                if (a is False or _is_bool(a)) and (b is False or _is_bool(b)):
                    return False
                return MISSING if (a is MISSING and b is MISSING) else None
            return or_
        if op == "=":
            return lambda env: eq3(left(env), right(env))
        if op == "<>":
            def ne(env: dict) -> Any:
                r = eq3(left(env), right(env))
                return (not r) if isinstance(r, bool) else r
            return ne
        if op in ("<", ">", "<=", ">="):
            test = {"<": lambda c: c < 0, ">": lambda c: c > 0, "<=": lambda c: c <= 0,
                    ">=": lambda c: c >= 0}[op]

            def cmp(env: dict) -> Any:
                a, b = left(env), right(env)
                if is_absent(a) or is_absent(b):
                    return _absent_of(a, b)
                c = compare(a, b)
                if c is None:
                    return MISSING  # permissive: incomparable types match nothing
                return test(c)
            return cmp
        if op == "||":
            def concat(env: dict) -> Any:
                a, b = left(env), right(env)
                if is_absent(a) or is_absent(b):
                    return _absent_of(a, b)
                if tcode(a) not in TEXT or tcode(b) not in TEXT:
                    raise ctx.error(f"|| expects strings, got {type_name(a)} and "
                                    f"{type_name(b)}", node)
                return text_of(a) + text_of(b)
            return concat

        def arithmetic(env: dict) -> Any:
            a, b = left(env), right(env)
            if is_absent(a) or is_absent(b):
                return _absent_of(a, b)
            try:
                return arith(op, a, b)
            except (TypeError, ZeroDivisionError, OverflowError) as e:
                raise ctx.error(str(e), node) from None
        return arithmetic

    def _is(self, node: A.Is, scope: Scope, agg: bool) -> Fn:
        f = self.expr(node.operand, scope, agg)
        kind, neg = node.kind, node.negated
        if kind == "null":
            return lambda env: is_absent(f(env)) != neg
        if kind == "missing":
            return lambda env: (f(env) is MISSING) != neg
        want = kind == "true"
        return lambda env: (_is_bool(v := f(env)) and bool(v) == want) != neg

    def _in(self, node: A.In, scope: Scope, agg: bool) -> Fn:
        f = self.expr(node.operand, scope, agg)
        coll = self._collection(node.collection, scope, agg)
        neg = node.negated

        def in_(env: dict) -> Any:
            v = f(env)
            c = coll(env)
            if is_absent(c):
                return _absent_of(v, c)
            if tcode(c) not in SEQUENCES:
                # `x IN ('a')` and `x IN (?)` with one value: SQL's one-element list (the
                # parentheses are gone by now), as the index lookup reads it too
                c = (c,)
            if is_absent(v):
                return _absent_of(v, v)
            unknown = False
            for x in c:
                r = eq3(v, x)
                if r is True:
                    return not neg
                if r is not False:
                    unknown = True
            return None if unknown else neg
        return in_

    def _collection(self, node: A.Node, scope: Scope, agg: bool) -> Fn:
        """The right side of IN: a sub-query returning one column gives that column's values."""
        if isinstance(node, A.Subquery):
            return self.subquery(node, scope, column=True)
        return self.expr(node, scope, agg)

    def _like(self, node: A.Like, scope: Scope, agg: bool) -> Fn:
        f = self.expr(node.operand, scope, agg)
        p = self.expr(node.pattern, scope, agg)
        e = self.expr(node.escape, scope, agg) if node.escape is not None else None
        neg = node.negated
        ctx = self.ctx

        def like(env: dict) -> Any:
            v, pat = f(env), p(env)
            esc = e(env) if e is not None else None
            if is_absent(v) or is_absent(pat) or (e is not None and is_absent(esc)):
                return MISSING if MISSING in (v, pat, esc) else None
            if tcode(v) not in TEXT or tcode(pat) not in TEXT:
                raise ctx.error(f"LIKE expects strings, got {type_name(v)} LIKE "
                                f"{type_name(pat)}", node)
            esc_t = text_of(esc) if esc is not None else None
            if esc_t is not None and len(esc_t) != 1:
                raise ctx.error("LIKE's ESCAPE must be a single character", node)
            try:
                matcher = like_matcher(text_of(pat), esc_t)  # cached
            except ValueError as err:
                raise ctx.error(str(err), node) from None
            return matcher(text_of(v)) != neg
        return like

    def _between(self, node: A.Between, scope: Scope, agg: bool) -> Fn:
        f = self._operand(node.operand, scope, agg)
        lo = self._operand(node.low, scope, agg)
        hi = self._operand(node.high, scope, agg)
        neg = node.negated

        def between(env: dict) -> Any:
            v, a, b = f(env), lo(env), hi(env)
            if is_absent(v) or is_absent(a) or is_absent(b):
                return MISSING if MISSING in (v, a, b) else None
            c1, c2 = compare(a, v), compare(v, b)
            if c1 is None or c2 is None:
                return MISSING
            return (c1 <= 0 and c2 <= 0) != neg
        return between

    # ------------------------------------------------------------ constructors
    def _structlit(self, node: A.StructLit, scope: Scope, agg: bool) -> Fn:
        pairs = [(self.expr(k, scope, agg), self.expr(v, scope, agg), k) for k, v in node.fields]
        ctx = self.ctx
        keys = [k.value if isinstance(k, A.Lit) and isinstance(k.value, str) else None
                for k, _ in node.fields]
        if None not in keys and len(set(keys)) == len(keys):
            # literal, distinct names: a plain dict
            return distinct_struct([(key, vf) for key, (_, vf, _) in
                                    zip(keys, pairs, strict=True)])

        def struct(env: dict) -> Any:
            out: list[tuple[str, Any]] = []
            for kf, vf, kn in pairs:
                k = kf(env)
                if tcode(k) not in TEXT:
                    raise ctx.error(f"a struct field name must be a string, got "
                                    f"{type_name(k)}", kn)
                v = vf(env)
                if v is not MISSING:
                    out.append((text_of(k), v))
            return make_struct(out)  # {'a': 1, 'a': 2} keeps both, as Ion does
        return struct

    def _listlit(self, node: A.ListLit, scope: Scope, agg: bool) -> Fn:
        items = [self.expr(x, scope, agg) for x in node.items]
        return lambda env: [f(env) for f in items]

    def _baglit(self, node: A.BagLit, scope: Scope, agg: bool) -> Fn:
        items = [self.expr(x, scope, agg) for x in node.items]
        return lambda env: Bag(f(env) for f in items)

    def _case(self, node: A.Case, scope: Scope, agg: bool) -> Fn:
        operand = self.expr(node.operand, scope, agg) if node.operand is not None else None
        whens = [(self.expr(w, scope, agg), self.expr(t, scope, agg)) for w, t in node.whens]
        default = self.expr(node.default, scope, agg) if node.default is not None else None

        def case(env: dict) -> Any:
            if operand is not None:
                v = operand(env)
                for w, t in whens:
                    if eq3(v, w(env)) is True:
                        return t(env)
            else:
                for w, t in whens:
                    if w(env) is True:
                        return t(env)
            return default(env) if default is not None else None
        return case

    def _cast(self, node: A.Cast, scope: Scope, agg: bool) -> Fn:
        f = self.expr(node.operand, scope, agg)
        target = F.cast_target(node.type_name)
        ctx = self.ctx
        if target is None:
            raise self._err(f"unknown type {node.type_name!r} in CAST", node)

        def cast(env: dict) -> Any:
            try:
                return F.cast(f(env), target)
            except F.FnError as e:
                raise ctx.error(str(e), node) from None
        return cast

    def _exists(self, node: A.Exists, scope: Scope, agg: bool) -> Fn:
        if isinstance(node.operand, A.Subquery):
            q = self.subquery(node.operand, scope)
            return lambda env: len(q(env)) > 0
        f = self.expr(node.operand, scope, agg)
        return lambda env: F.exists(f(env))

    def _subquery(self, node: A.Subquery, scope: Scope, agg: bool) -> Fn:
        return self.subquery(node, scope)

    def subquery(self, node: A.Subquery, scope: Scope, column: bool = False) -> Fn:
        from .select import compile_query

        start = len(self.plan_lines)
        q = compile_query(self, node.query, scope.child())
        lines = ["sub-query " + line for line in self.plan_lines[start:]]
        # a sub-query compiled twice (index keys and filter) is listed once
        self.plan_lines[start:] = [x for x in lines if x not in self.plan_lines[:start]]
        free, has_from = query_free_names(node.query)
        if not any(scope.bound(v) for v in free) and (has_from or not free):
            # Uncorrelated: the same for every row, so run it once per statement.
            run_query = q
            cache = self._subquery_cache

            def q(env: dict) -> list:
                if id(node) not in cache:
                    cache[id(node)] = run_query(env)
                return cache[id(node)]
        if column:
            def col(env: dict) -> Any:
                out = Bag()
                for v in q(env):
                    if tcode(v) == T_STRUCT and len(v) == 1:
                        out.append(next(iter(v.values())))
                    else:
                        out.append(v)
                return out
            return col
        return lambda env: Bag(q(env))

    # ------------------------------------------------------------ calls
    def _call(self, node: A.Call, scope: Scope, agg: bool) -> Fn:
        name = node.name
        ctx = self.ctx
        if name in F.AGGREGATES:
            if not agg:
                raise self._err(f"{name} is an aggregate: use it in a SELECT list, HAVING or "
                                "ORDER BY of a query with FROM", node)
            from .select import compile_aggregate

            return compile_aggregate(self, node, scope)
        if name == "HISTORY":
            raise self._err("history() can only be used as a FROM source", node)
        if name == "UTCNOW":
            self._arity(node, 0, 0)
            return lambda env: ctx.now
        if name == "TXID":
            self._arity(node, 0, 0)
            txid = str(ctx.tx.id)
            return lambda env: txid
        if name in ("COALESCE", "NULLIF", "EXISTS"):
            return self._conditional(node, scope, agg)
        if name == "TRIM":
            return self._trim(node, scope, agg)
        if name in F.DATE_PART_FUNCTIONS:
            return self._date_part(node, scope, agg)
        if name not in F.SCALARS:
            raise self._err(f"unknown function {name}", node)
        if node.extra == ("from",) and name != "SUBSTRING":
            raise self._err(f"{name} does not take FROM", node)
        fn, lo, hi = F.SCALARS[name]
        self._arity(node, lo, hi)
        args = [self.expr(a, scope, agg) for a in node.args]

        def call(env: dict) -> Any:
            vals = [a(env) for a in args]
            for v in vals:
                if is_absent(v):  # NULL for NULL and MISSING alike, as QLDB documents
                    return None
            try:
                return fn(*vals)
            except F.FnError as e:
                raise ctx.error(str(e), node) from None
        return call

    def _arity(self, node: A.Call, lo: int, hi: int) -> None:
        n = len(node.args)
        if node.star or node.distinct or not lo <= n <= hi:
            want = str(lo) if lo == hi else f"{lo} to {hi}"
            raise self._err(f"{node.name} takes {want} argument{'s' if hi != 1 else ''}, "
                            f"got {n}", node)

    def _conditional(self, node: A.Call, scope: Scope, agg: bool) -> Fn:
        args = [self.expr(a, scope, agg) for a in node.args]
        if node.name == "COALESCE":
            if not args:
                raise self._err("COALESCE takes at least 1 argument", node)

            def coalesce(env: dict) -> Any:
                for a in args:
                    v = a(env)
                    if not is_absent(v):
                        return v
                return None
            return coalesce
        if node.name == "NULLIF":
            self._arity(node, 2, 2)
            a, b = args

            def nullif(env: dict) -> Any:
                x, y = a(env), b(env)
                # QLDB: NULLIF(missing, null) and NULLIF(missing, missing) are null
                return None if is_absent(x) or eq3(x, y) is True else x
            return nullif
        self._arity(node, 1, 1)
        f = args[0]
        return lambda env: F.exists(f(env))

    def _trim(self, node: A.Call, scope: Scope, agg: bool) -> Fn:
        ctx = self.ctx
        spec = "both"
        if node.extra and node.extra[0] == "trim":
            spec = node.extra[1]
            if len(node.args) == 2:
                chars, src = node.args
            elif len(node.args) == 1:
                chars, src = None, node.args[0]
            else:
                raise self._err("TRIM([BOTH|LEADING|TRAILING] [chars] FROM string)", node)
        elif node.extra == ("from",):
            if len(node.args) != 2:
                raise self._err("TRIM([BOTH|LEADING|TRAILING] [chars] FROM string)", node)
            chars, src = node.args
        else:
            self._arity(node, 1, 1)
            chars, src = None, node.args[0]
        cf = self.expr(chars, scope, agg) if chars is not None else None
        sf = self.expr(src, scope, agg)

        def trim(env: dict) -> Any:
            s = sf(env)
            c = cf(env) if cf is not None else None
            if is_absent(s) or (cf is not None and is_absent(c)):
                return None
            try:
                return F.trim(spec, c, s)
            except F.FnError as e:
                raise ctx.error(str(e), node) from None
        return trim

    def _date_part(self, node: A.Call, scope: Scope, agg: bool) -> Fn:
        fn, n = F.DATE_PART_FUNCTIONS[node.name]
        ctx = self.ctx
        if len(node.args) != n or node.star or node.distinct:
            raise self._err(f"{node.name} takes {n} arguments", node)
        part_node = node.args[0]
        if isinstance(part_node, A.Var):
            part = part_node.name.lower()
        elif isinstance(part_node, A.Lit) and tcode(part_node.value) in TEXT:
            part = text_of(part_node.value).lower()
        else:
            raise self._err(f"{node.name}'s first argument is a date part such as year or day",
                            part_node)
        args = [self.expr(a, scope, agg) for a in node.args[1:]]

        def date_fn(env: dict) -> Any:
            vals = [a(env) for a in args]
            for v in vals:
                if is_absent(v):
                    return None
            try:
                return fn(part, *vals)
            except F.FnError as e:
                raise ctx.error(str(e), node) from None
        return date_fn


_SQL_ONLY_FUNCTIONS = frozenset({"CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP",
                                 "CURRENT_USER", "SESSION_USER", "SYSTEM_USER"})


def _has_wildcard(node: A.Node) -> bool:
    while isinstance(node, (A.Dot, A.Index, A.DotStar, A.IndexStar)):
        if isinstance(node, (A.DotStar, A.IndexStar)):
            return True
        node = node.base
    return False


def _map_bag(values: Any, fn: Callable[[Any], Any]) -> Bag:
    out = Bag()
    for v in values:
        r = fn(v)
        if r is not MISSING:
            out.append(r)
    return out


