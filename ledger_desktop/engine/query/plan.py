"""FROM clauses: sources, joins, WHERE pushdown and the choice of index or document-id lookups.

Each FROM source becomes a *level*; rows are produced by nested loops over the levels. WHERE
is split into conjuncts and each conjunct runs at the first level where its variables are
bound. An equality or IN conjunct on an indexed top-level field (or on the `BY` variable) whose
other side is known before the level starts turns that level's table scan into index (or
document-id) lookups, so the documents examined do not grow with the table.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..errors import Cancelled, TableNotFoundError
from ..ion_peek import Tree, peek
from ..ion_values import loads, string, struct
from ..journal_reads import utc_bound
from . import ast as A
from .compile import Compiler, get_field
from .context import Scope
from .freevars import children as _children
from .freevars import query_free_names
from .lazy import describe_tree, field_tree, merge, stored_rows
from .values import (
    MISSING,
    SEQUENCES,
    T_STRUCT,
    T_TIMESTAMP,
    TEXT,
    Bag,
    is_absent,
    is_true,
    tcode,
    text_of,
)

ID_KEY = "\0id:"  # env key holding the document id bound to a table variable (for DML)
POS_KEY = "\0pos:"  # env key: the position of an unnested element in its list (for DML)


@dataclass
class Level:
    item: A.FromItem
    join: str                       # from | inner | left | cross
    var: str
    at: str | None = None
    by: str | None = None
    kind: str = "expr"              # table | committed | history | catalog | expr
    table: Any = None               # TableInfo for table/committed/history
    source_fn: Callable[[dict], Any] | None = None  # for kind == expr
    history_args: tuple[Any, ...] = ()
    on: list[A.Node] = field(default_factory=list)      # LEFT JOIN's ON conjuncts
    where: list[A.Node] = field(default_factory=list)   # conjuncts checked after the level
    access: tuple = ("scan",)       # ("scan",) | ("index", IndexInfo, [key fns]) | ("id", [fns])
    track_id: bool = False
    # For a nested collection of an earlier FROM variable (`r.Owners.SecondaryOwners AS o`):
    # that variable and the literal path to the collection, so DML can change `o` in place.
    origin: tuple[str, tuple[tuple[str, Any], ...]] | None = None
    # Late materialisation of a table scan: the first `lazy[0]` WHERE conjuncts read only the
    # fields in `lazy[1]`, so they run on those fields peeked from the stored binary.
    lazy: tuple[int, Tree] | None = None
    # Whether rows that pass the lazy filter need their document decoded (False when nothing
    # after WHERE reads this variable, as in `SELECT COUNT(*) … WHERE …`).
    decode: bool = True

    def describe(self) -> str:
        join = {"from": "", "inner": "inner join ", "left": "left join ",
                "cross": "cross join "}[self.join]
        if self.kind == "table":
            name = self.table.name
            if self.access[0] == "index":
                ix = self.access[1]
                what = (f"index lookup on {name}.{ix.field} (index {ix.index_id}), "
                        f"{len(self.access[2])} key expression(s)")
            elif self.access[0] == "id":
                what = f"document-id lookup in {name} (BY {self.by})"
            else:
                what = f"full scan of table {name}"
        elif self.kind == "committed":
            what = f"full scan of committed view _ql_committed_{self.table.name}"
        elif self.kind == "history":
            if self.access[0] == "doc":
                what = f"history of the documents given by metadata.id in {self.table.name}"
            else:
                what = f"history scan of table {self.table.name}"
        elif self.kind == "catalog":
            what = "catalog information_schema.user_tables"
        else:
            what = "values of an expression (unnesting collections)"
        filters = len(self.where) + len(self.on)
        tail = f"; {filters} filter predicate(s)" if filters else ""
        if self.lazy is not None:
            tail += (f" ({self.lazy[0]} run on fields read before decoding: "
                     f"{describe_tree(self.lazy[1])}"
                     f"{'' if self.decode else '; matching documents are not decoded'})")
        return f"{join}{self.var}: {what}{tail}"


def conjuncts(node: A.Node | None) -> list[A.Node]:
    if node is None:
        return []
    if isinstance(node, A.Binary) and node.op == "and":
        return conjuncts(node.left) + conjuncts(node.right)
    return [node]


class FromPlan:
    """The rows of a FROM clause (with WHERE) as environments."""

    def __init__(self, comp: Compiler, sources: tuple[A.FromSource, ...], where: A.Node | None,
                 scope: Scope, track_first: bool = False,
                 readers: tuple[A.Node, ...] | None = None) -> None:
        """`readers`: the expressions evaluated on the rows after WHERE (SELECT list, GROUP
        BY, HAVING, ORDER BY), or None when the rows are used whole (SELECT *, DML)."""
        self.comp = comp
        self.ctx = comp.ctx
        self.scope = scope
        self.levels: list[Level] = []
        self.pre_filters: list[A.Node] = []   # conjuncts with no FROM variable
        self._ticks = 0                       # bindings made, for the cancel check
        pool: list[A.Node] = list(conjuncts(where))
        n_unnamed = 0
        for src in sources:
            items = [("from", src.item, None)] + [(j.kind, j.item, j.on) for j in src.joins]
            for kind, item, on in items:
                join = "from" if (kind == "from" and not self.levels) else \
                    ("inner" if kind == "from" else kind)
                n_unnamed += 1
                lvl = self._level(item, join, scope, n_unnamed)
                if kind == "left":
                    lvl.on = conjuncts(on)
                elif on is not None:
                    pool.extend(conjuncts(on))
                self.levels.append(lvl)
                for name, k in ((lvl.var, "source"), (lvl.at, "at"), (lvl.by, "by")):
                    if name is not None:
                        if name in scope.names:
                            raise self.ctx.error(f"the name {name!r} is bound twice in FROM",
                                                 item)
                        scope.bind(name, k)
        if track_first and self.levels:
            self.levels[0].track_id = True
        self.level_of: dict[str, int] = {}
        for i, lvl in enumerate(self.levels):
            for name in (lvl.var, lvl.at, lvl.by):
                if name is not None:
                    self.level_of[name] = i
        for c in pool:
            lv = self._level_for(c)
            if lv < 0:
                self.pre_filters.append(c)
            else:
                self.levels[lv].where.append(c)
        for i, lvl in enumerate(self.levels):
            self._choose_access(i, lvl)
            self._choose_lazy(lvl)
            if lvl.lazy is not None and readers is not None and not lvl.track_id \
                    and lvl.lazy[0] == len(lvl.where):
                lvl.decode = self._read_later(i, lvl, readers)
        self._compile()

    # ------------------------------------------------------------ sources
    def _level(self, item: A.FromItem, join: str, scope: Scope, n: int) -> Level:
        e = item.expr
        # A bare name in FROM is a table first, as PartiQL resolves FROM sources (the global
        # scope first; `@name` is the variable): a sub-query's `FROM Vehicle` read the outer
        # query's row variable `Vehicle` instead of the table.
        if isinstance(e, A.Var) and not e.at_prefixed and (
                not scope.bound(e.name) or self._names_table(e.name)):
            name = e.name
            lvl = Level(item, join, item.alias or name, item.at, item.by)
            if name.startswith("_ql_committed_"):
                lvl.kind = "committed"
                lvl.table = self._table(name[len("_ql_committed_"):], item)
            else:
                lvl.kind = "table"
                lvl.table = self._table(name, item)
            if lvl.by is not None and lvl.kind != "table":
                raise self.ctx.error("BY binds document ids of a table; use "
                                     "metadata.id on the committed view", item)
            return lvl
        if isinstance(e, A.Dot) and isinstance(e.base, A.Var) \
                and e.base.name == "information_schema" and not scope.bound("information_schema"):
            if e.name != "user_tables":
                raise self.ctx.error(f"unknown view information_schema.{e.name}; "
                                     "information_schema.user_tables exists", e)
            if item.by is not None:  # it was accepted and ignored
                raise self.ctx.error("BY binds document ids of a table; the catalog's rows "
                                     "carry their table's id in tableId", item)
            return Level(item, join, item.alias or "user_tables", item.at, None, "catalog")
        if isinstance(e, A.Call) and e.name == "HISTORY":
            return self._history_level(item, join, n)
        if item.by is not None:
            raise self.ctx.error("BY binds document ids and only applies to a table", item)
        lvl = Level(item, join, item.alias or _implicit_alias(e, n), item.at, None, "expr")
        lvl.origin = self._origin(e)
        # An expression source may use the variables of earlier levels, so compile it in the
        # scope as it is now (later levels are not bound yet).
        lvl.source_fn = self.comp.expr(e, scope)
        return lvl

    def _origin(self, e: A.Node) -> tuple[str, tuple[tuple[str, Any], ...]] | None:
        """(variable, literal path) when `e` is a path like r.a.b[0] from an earlier source."""
        steps: list[tuple[str, Any]] = []
        while True:
            if isinstance(e, A.Dot):
                steps.append(("field", e.name))
            elif isinstance(e, A.Index) and isinstance(e.index, A.Lit):
                v = e.index.value
                if tcode(v) in TEXT:
                    steps.append(("field", text_of(v)))
                elif type(v) is int:
                    steps.append(("int", v))
                else:
                    return None
            elif isinstance(e, A.Var):
                if any(lv.var == e.name for lv in self.levels):
                    return e.name, tuple(reversed(steps))
                return None
            else:
                return None
            e = e.base

    def _names_table(self, name: str) -> bool:
        table = name[len("_ql_committed_"):] if name.startswith("_ql_committed_") else name
        try:
            self.ctx.tx.table(table)
        except TableNotFoundError:
            return False
        return True

    def _table(self, name: str, item: A.FromItem) -> Any:
        try:
            return self.ctx.tx.table(name)
        except TableNotFoundError as err:
            line, col = item.pos
            raise TableNotFoundError(f"{err} (line {line}, column {col})") from None

    def _history_level(self, item: A.FromItem, join: str, n: int) -> Level:
        call: A.Call = item.expr  # type: ignore[assignment]
        if item.by is not None:
            raise self.ctx.error("BY binds document ids of a table; history() rows carry "
                                 "theirs in metadata.id", item)
        if not 1 <= len(call.args) <= 3 or call.star or call.distinct:
            raise self.ctx.error("history(table [, start [, end]]) takes 1 to 3 arguments", call)
        first = call.args[0]
        tx = self.ctx.tx
        if isinstance(first, A.Var):
            table = self._table(first.name, item)
        else:
            f = self.comp.expr(first, Scope())
            tid = f({})
            if tcode(tid) not in TEXT:
                raise self.ctx.error("history()'s first argument is a table name or a "
                                     "table id string", first)
            try:
                table = tx.table_by_id(text_of(tid))
            except TableNotFoundError as err:
                raise self.ctx.error(str(err), first) from None
        bounds = []
        for a in call.args[1:]:
            v = self.comp.expr(a, Scope())({})
            if is_absent(v):
                v = None
            elif tcode(v) != T_TIMESTAMP:
                raise self.ctx.error("history()'s start and end are timestamps, e.g. "
                                     "`2019-06-05T00:00:00Z`", a)
            bounds.append(utc_bound(v))
        if len(bounds) == 2 and bounds[0] is not None and bounds[1] is not None \
                and bounds[0] > bounds[1]:
            raise self.ctx.error("history()'s start is after its end", call)
        # QLDB ("Querying revision history"): start <= end <= the current UTC time; the end
        # defaults to now, so a start in the future is after the end too.
        now = _dt.datetime.now(_dt.UTC)  # the clock itself: UTCNOW() is cut to milliseconds
        for i, b in enumerate(bounds):
            if b is not None and b > now:
                which = "start" if i == 0 else "end"
                raise self.ctx.error(f"history()'s {which} ({b.isoformat()}) is in the future; "
                                     "QLDB requires start <= end <= the current UTC time",
                                     call.args[i + 1])
        lvl = Level(item, join, item.alias or "history", item.at, None, "history", table)
        lvl.history_args = tuple(bounds)
        return lvl

    # ------------------------------------------------------------ pushdown
    def _refs(self, node: Any) -> set[str] | None:
        """Variables of this FROM that `node` reads; None when it cannot be known."""
        if isinstance(node, A.Var):
            if node.name in self.level_of:
                return {node.name}
            if self.scope.bound(node.name):
                return set()
            if self.scope.sources:
                return set(self.scope.sources)
            return set()
        if isinstance(node, A.Subquery):
            return self._subquery_refs(node)
        if isinstance(node, A.Call) and node.name in ("COUNT", "SUM", "AVG", "MIN", "MAX"):
            return None
        out: set[str] = set()
        for child in _children(node):
            r = self._refs(child)
            if r is None:
                return None
            out |= r
        return out

    def _subquery_refs(self, node: A.Subquery) -> set[str]:
        """Variables of this FROM that a sub-query reads (an uncorrelated one reads none, so
        it can give index keys)."""
        free, has_from = query_free_names(node.query)
        mine = {v for v in free if v in self.level_of}
        if not has_from and any(not self.scope.bound(v) and v not in self.level_of
                                for v in free):
            mine |= set(self.scope.sources)  # unqualified names would be our fields
        return mine

    def _level_for(self, node: A.Node) -> int:
        refs = self._refs(node)
        if refs is None:
            return len(self.levels) - 1
        if not refs:
            return -1 if not self.levels else 0
        return max(self.level_of[r] for r in refs)

    def _field_of(self, i: int, lvl: Level, node: A.Node) -> str | None:
        """The top-level field of level i's documents that `node` denotes, if it is one."""
        if isinstance(node, A.Dot) and isinstance(node.base, A.Var) \
                and node.base.name == lvl.var and not node.base.at_prefixed:
            return node.name
        if isinstance(node, A.Var) and not self.scope.bound(node.name) \
                and self.scope.sources == [lvl.var]:
            return node.name
        return None

    def _known_before(self, i: int, node: A.Node) -> bool:
        refs = self._refs(node)
        return refs is not None and all(self.level_of[r] < i for r in refs)

    def _choose_access(self, i: int, lvl: Level) -> None:
        if lvl.kind == "history":
            self._choose_history_access(i, lvl)
            return
        if lvl.kind != "table":
            return
        candidates = lvl.on if lvl.join == "left" else lvl.where
        best: tuple | None = None
        for c in candidates:
            pairs: list[tuple[A.Node, A.Node, bool]] = []
            if isinstance(c, A.Binary) and c.op == "=":
                pairs = [(c.left, c.right, False), (c.right, c.left, False)]
            elif isinstance(c, A.In) and not c.negated:
                pairs = [(c.operand, c.collection, True)]
            for target, other, is_in in pairs:
                if not self._known_before(i, other):
                    continue
                if lvl.by is not None and isinstance(target, A.Var) and target.name == lvl.by:
                    best = ("id", [(self._key_fn(other, is_in), is_in)])
                    break
                f = self._field_of(i, lvl, target)
                if f is None:
                    continue
                ix = lvl.table.index_on(f)
                # An index this transaction created has no entries until it commits: scan.
                if ix is not None and ix.status == "ONLINE" and best is None \
                        and ix.index_id not in self.ctx.tx._pending_new_index_ids():
                    best = ("index", ix, [(self._key_fn(other, is_in), is_in)])
            if best is not None and best[0] == "id":
                break
        if best is not None:
            lvl.access = best

    def _key_fn(self, other: A.Node, is_in: bool) -> Callable[[dict], Any]:
        # IN (SELECT x FROM …) compares with the column's values, as the IN operator does;
        # `= (SELECT …)` with the sub-query's single value, as `=` does (a lookup by the bag
        # itself found nothing).
        if is_in:
            return self.comp._collection(other, self.scope, False)
        return self.comp._operand(other, self.scope, False)

    def _choose_history_access(self, i: int, lvl: Level) -> None:
        """`h.metadata.id = x` (or IN) reads those documents' revisions, not the table's."""
        if lvl.join == "left":
            return
        for c in lvl.where:
            if isinstance(c, A.Binary) and c.op == "=":
                pairs = [(c.left, c.right, False), (c.right, c.left, False)]
            elif isinstance(c, A.In) and not c.negated:
                pairs = [(c.operand, c.collection, True)]
            else:
                continue
            for target, other, is_in in pairs:
                if isinstance(target, A.Dot) and target.name == "id" \
                        and isinstance(target.base, A.Dot) and target.base.name == "metadata" \
                        and isinstance(target.base.base, A.Var) \
                        and target.base.base.name == lvl.var and self._known_before(i, other):
                    lvl.access = ("doc", [(self._key_fn(other, is_in), is_in)])
                    if not is_in:
                        lvl.where.remove(c)  # the lookup already guarantees it
                    return

    def _choose_lazy(self, lvl: Level) -> None:
        """Late materialisation for a scanned table: the leading WHERE conjuncts that read
        the document only through literal field paths (see lazy.py)."""
        if lvl.kind != "table" or lvl.access[0] != "scan" or lvl.join == "left" or lvl.on:
            return
        tree: Tree = {}
        n = 0
        for c in lvl.where:
            t = field_tree(c, lvl.var, self.scope, self._subquery_refs)
            if t is None:
                break
            merge(tree, t)
            n += 1
        if n:
            lvl.lazy = (n, tree)

    def _read_later(self, i: int, lvl: Level, readers: tuple[A.Node, ...]) -> bool:
        """Whether anything but level i's own (lazy) filters may read its variable: the
        readers, the other levels' filters, or a later expression source."""
        nodes: list[A.Node] = list(readers)
        for j, other in enumerate(self.levels):
            if j != i:
                nodes += other.where + other.on
                if other.kind == "expr" and j > i:
                    nodes.append(other.item.expr)
        nodes += lvl.on
        return any(self._reads(n, lvl.var) for n in nodes)

    def _reads(self, node: Any, var: str) -> bool:
        """Conservatively, whether `node` may read FROM variable `var` (an unbound name may be
        an implicit field of it)."""
        if isinstance(node, A.Var):
            if node.name == var:
                return True
            if node.name in self.level_of or self.scope.bound(node.name):
                return False
            return var in self.scope.implicit_sources()
        if isinstance(node, A.Subquery):
            return var in self._subquery_refs(node)
        return any(self._reads(c, var) for c in _children(node))

    # ------------------------------------------------------------ execution
    def _filter(self, nodes: list[A.Node]) -> Callable[[dict], bool] | None:
        return _all_true([self.comp.expr(n, self.scope) for n in nodes])

    def _compile(self) -> None:
        self._pre = self._filter(self.pre_filters)
        self._stages: list[tuple[Callable, Callable | None, Callable | None]] = []
        for lvl in self.levels:
            if lvl.lazy is not None:  # the binder filters
                self._stages.append((self._lazy_scan(lvl), None, None))
            else:
                self._stages.append((self._binder(lvl), self._filter(lvl.on),
                                     self._filter(lvl.where)))

    def _lazy_scan(self, lvl: Level) -> Callable[[dict], Iterator[dict]]:
        """A table scan that runs WHERE itself: the first lazy[0] conjuncts on peeked fields,
        the rest (in order) once a row that passes them is decoded."""
        assert lvl.lazy is not None
        n, tree = lvl.lazy
        tx = self.ctx.tx
        tid = lvl.table.table_id
        var, at, by, track = lvl.var, lvl.at, lvl.by, lvl.track_id
        fns = [self.comp.expr(c, self.scope) for c in lvl.where]  # compiled once
        early, rest, whole = _all_true(fns[:n]), _all_true(fns[n:]), _all_true(fns)
        decode = lvl.decode
        assert early is not None

        def bind(env: dict, doc_id: str, data: Any) -> dict:
            e = dict(env)
            e[var] = data
            if by is not None:
                e[by] = doc_id
            if at is not None:
                e[at] = MISSING
            if track:
                e[ID_KEY + var] = doc_id
            return e

        def scan(env: dict) -> Iterator[dict]:
            for doc_id, blob, data in stored_rows(tx, tid):
                if blob is not None:
                    part = peek(blob, tree)
                    if part is not None:
                        e = bind(env, doc_id, part)
                        if not early(e):
                            continue
                        if not decode:  # nothing reads the document: the row is enough
                            yield e
                            continue
                        e[var] = loads(blob)
                        if rest is None or rest(e):
                            yield e
                        continue
                    data = loads(blob)
                e = bind(env, doc_id, data)
                if whole is None or whole(e):
                    yield e
        return scan

    def _binder(self, lvl: Level) -> Callable[[dict], Iterator[dict]]:
        tx = self.ctx.tx
        var, at, by, track = lvl.var, lvl.at, lvl.by, lvl.track_id
        if lvl.kind == "table":
            tid = lvl.table.table_id

            def bind_doc(env: dict, doc: Any) -> dict:
                e = dict(env)
                e[var] = doc.data
                if by is not None:
                    e[by] = doc.doc_id
                if at is not None:
                    e[at] = MISSING
                if track:
                    e[ID_KEY + var] = doc.doc_id
                return e

            if lvl.access[0] == "scan":
                def scan(env: dict) -> Iterator[dict]:
                    for doc in tx.scan(tid):
                        yield bind_doc(env, doc)
                return scan
            if lvl.access[0] == "index":
                field_name = lvl.access[1].field
                keys = lvl.access[2]

                def by_index(env: dict) -> Iterator[dict]:
                    seen: set[str] = set()
                    values = list(_key_values(keys, env))
                    if any(tcode(v) in SEQUENCES or tcode(v) == T_STRUCT for v in values):
                        # A container is keyed by its Ion Hash, but `=` compares it by value
                        # ([1] = [1.0]): only a scan finds what `=` finds; the predicate,
                        # kept as a filter, decides.
                        for doc in tx.scan(tid):
                            yield bind_doc(env, doc)
                        return
                    for value in values:
                        for doc in tx.lookup(tid, field_name, value):
                            if doc.doc_id not in seen:
                                seen.add(doc.doc_id)
                                yield bind_doc(env, doc)
                return by_index
            keys = lvl.access[1]

            def by_id(env: dict) -> Iterator[dict]:
                seen: set[str] = set()
                for value in _key_values(keys, env):
                    if tcode(value) not in TEXT:
                        continue
                    doc_id = text_of(value)
                    if doc_id in seen:
                        continue
                    seen.add(doc_id)
                    doc = tx.get(doc_id, tid)
                    if doc is not None:
                        yield bind_doc(env, doc)
            return by_id

        def bind_value(env: dict, v: Any, pos: Any) -> dict:
            e = dict(env)
            e[var] = v
            if at is not None:
                e[at] = pos
            return e

        if lvl.kind == "committed":
            tid = lvl.table.table_id
            return lambda env: (bind_value(env, r, MISSING) for r in tx.committed(tid))
        if lvl.kind == "history":
            tid = lvl.table.table_id
            args = lvl.history_args
            if lvl.access[0] == "doc":
                keys = lvl.access[1]

                def by_document(env: dict) -> Iterator[dict]:
                    seen: set[str] = set()
                    for v in _key_values(keys, env):
                        if tcode(v) not in TEXT or text_of(v) in seen:
                            continue
                        seen.add(text_of(v))
                        for r in tx.history(tid, *args, doc_id=text_of(v)):
                            yield bind_value(env, r, MISSING)
                return by_document
            return lambda env: (bind_value(env, r, MISSING) for r in tx.history(tid, *args))
        if lvl.kind == "catalog":
            return lambda env: (bind_value(env, r, MISSING) for r in catalog_rows(tx))
        src = lvl.source_fn
        assert src is not None

        pos_key = POS_KEY + var if lvl.origin is not None else None

        def unnest(env: dict) -> Iterator[dict]:
            v = src(env)
            if v is MISSING:
                return
            if not is_absent(v) and tcode(v) in SEQUENCES:
                ordered = not isinstance(v, Bag)
                for i, x in enumerate(v):
                    e = bind_value(env, x, i if ordered else MISSING)
                    if pos_key is not None:
                        e[pos_key] = i if ordered else None
                    yield e
            else:
                e = bind_value(env, v, MISSING)  # a non-collection is a bag of one
                if pos_key is not None:
                    e[pos_key] = None
                yield e
        return unnest

    def rows(self, env: dict) -> Iterator[dict]:
        """Every binding of the FROM variables that passes WHERE."""
        if self._pre is not None and not self._pre(env):
            return iter(())
        if not self.levels:
            return iter((env,))
        return self._run(0, env)

    def _run(self, i: int, env: dict) -> Iterator[dict]:
        bind, on, where = self._stages[i]
        last = i == len(self._stages) - 1
        lvl = self.levels[i]
        matched = False
        # A statement's cancel token (Ledger.cancel_token, set by the app's Cancel): a join
        # computed in Python reads nothing from SQLite, whose progress handler cancels reads.
        cancel = getattr(self.ctx.tx._ledger, "cancel_token", None)
        for e in bind(env):
            if cancel is not None:
                self._ticks += 1  # over every level and call: an inner level binds few rows
                if not self._ticks & 1023 and cancel.cancelled:
                    raise Cancelled("cancelled; nothing was committed")
            if on is not None and not on(e):
                continue
            matched = True
            if where is not None and not where(e):
                continue
            if last:
                yield e
            else:
                yield from self._run(i + 1, e)
        if lvl.join == "left" and not matched:
            e = dict(env)
            e[lvl.var] = None
            if lvl.at is not None:
                e[lvl.at] = None
            if where is None or where(e):
                if last:
                    yield e
                else:
                    yield from self._run(i + 1, e)

    def describe(self) -> list[str]:
        return [lvl.describe() for lvl in self.levels]

    @property
    def source_vars(self) -> list[str]:
        return [lvl.var for lvl in self.levels]


def _all_true(fns: list[Callable[[dict], Any]]) -> Callable[[dict], bool] | None:
    """All conjuncts TRUE, evaluated in order and stopping at the first that is not."""
    if not fns:
        return None
    if len(fns) == 1:
        f = fns[0]
        return lambda env: (r := f(env)) is True or (r is not False and is_true(r))

    def all_true(env: dict) -> bool:
        for fn in fns:
            r = fn(env)
            if not (r is True or (r is not False and is_true(r))):
                return False
        return True
    return all_true


def _key_values(keys: list[tuple[Callable, bool]], env: dict) -> Iterator[Any]:
    for fn, is_in in keys:
        v = fn(env)
        if is_in and not is_absent(v) and tcode(v) in SEQUENCES:
            yield from (x for x in v if not is_absent(x))
        elif not is_absent(v):  # `IN ('a')`: one value, as the IN operator reads it
            yield v


def _implicit_alias(e: A.Node, n: int) -> str:
    if isinstance(e, A.Var):
        return e.name
    if isinstance(e, A.Dot):
        return e.name
    return f"_{n}"


def catalog_rows(tx: Any) -> Iterator[Any]:
    """information_schema.user_tables, as QLDB shows its catalog."""
    from ..ion_values import ion_list

    for t in tx.tables(include_inactive=True):
        yield struct(
            ("tableId", string(t.table_id)), ("name", string(t.name)),
            ("indexes", ion_list([struct(("indexId", string(ix.index_id)),
                                         ("expr", string(ix.expr)),
                                         ("status", string(ix.status))) for ix in t.indexes])),
            ("status", string(t.status)))


__all__ = ["FromPlan", "ID_KEY", "POS_KEY", "Level", "catalog_rows", "conjuncts", "get_field"]
