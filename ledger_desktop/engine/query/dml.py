"""INSERT, UPDATE, DELETE and QLDB's `FROM … SET / REMOVE / INSERT INTO` form.

A statement first computes every change (the new value of each affected document), then
applies them, so an error while evaluating leaves nothing half-done. Each returns
`{documentId}` once per affected document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..ion_values import string, struct, unstorable
from . import ast as A
from .compile import Compiler
from .context import Scope
from .plan import ID_KEY, POS_KEY, FromPlan
from .values import (
    MISSING,
    T_BAG,
    T_INT,
    T_LIST,
    T_SEXP,
    T_STRUCT,
    TEXT,
    Bag,
    clone,
    is_absent,
    tcode,
    text_of,
    to_ion,
    type_name,
)


def document_id_result(doc_id: str) -> Any:
    return struct(("documentId", string(doc_id)))


def _check_storable(ctx: Any, doc: Any, node: Any) -> None:
    """Refuse what amazon.ion's writer would crash or hang on (see ion_values.unstorable)."""
    why = unstorable(doc)
    if why is not None:
        raise ctx.error(why, node)


# ---------------------------------------------------------------- INSERT
def plan_insert(comp: Compiler, node: A.Insert) -> Callable[[], list]:
    ctx = comp.ctx
    if node.table.startswith("_ql_"):
        raise ctx.error("DML runs against a table's user view; _ql_ names are system views",
                        node)
    table = ctx.tx.table(node.table)
    comp.plan_lines.append(f"insert into table {table.name}")
    value_fn = comp.expr(node.value, Scope())
    single = node.single or isinstance(node.value, A.StructLit)

    def run() -> list:
        v = value_fn({})
        code = tcode(v)
        if code == T_STRUCT:
            docs = [v]
        elif code in (T_LIST, T_BAG, T_SEXP) and not single:
            docs = list(v)
        else:
            want = "a struct after VALUE" if single else "a struct or a collection of structs"
            raise ctx.error(f"INSERT expects {want}, got {type_name(v)}", node.value)
        for d in docs:
            if tcode(d) != T_STRUCT:
                raise ctx.error(f"every inserted document must be a struct, got "
                                f"{type_name(d)}", node.value)
        stored = [to_ion(clone(d)) for d in docs]
        for d in stored:
            _check_storable(ctx, d, node.value)
        return [document_id_result(ctx.tx.insert(table.table_id, d, ctx.stmt)) for d in stored]
    return run


# ---------------------------------------------------------------- paths inside a document
# A path is compiled to steps, then made concrete for each row: ("f", field) | ("i", index).
Step = tuple[str, Any]  # ("field", name) | ("index", (fn, node)) | ("const", int) | ("pos", var)
Concrete = tuple[tuple[str, Any], ...]


def _target_steps(comp: Compiler, path: A.Node, var: str, scope: Scope,
                  plan: FromPlan | None = None) -> list[Step]:
    """The steps from the document (bound to `var`) to the place a SET/REMOVE/INSERT names.

    A path may also start at a nested collection's variable (`FROM t AS r, r.list AS o …
    SET o.x = 1`): it then goes through that collection at the element's position.
    """
    steps: list[Step] = []
    node = path
    while True:
        if isinstance(node, A.Dot):
            steps.append(("field", node.name))
            node = node.base
        elif isinstance(node, A.Index):
            if isinstance(node.index, A.Lit) and tcode(node.index.value) in TEXT:
                steps.append(("field", text_of(node.index.value)))
            else:
                steps.append(("index", (comp.expr(node.index, scope), node.index)))
            node = node.base
        elif isinstance(node, A.Var):
            if node.name == var:
                break
            prefix = _nested_prefix(plan, node.name, var) if plan is not None else None
            if prefix is not None:
                steps.extend(reversed(prefix))
                break
            if scope.bound(node.name):
                raise comp.ctx.error(f"a changed path must start at the table's variable "
                                     f"{var!r} or at one of its nested collections, not "
                                     f"{node.name!r}", node)
            steps.append(("field", node.name))  # an implicit field of the document
            break
        else:
            raise comp.ctx.error("only paths (a.b, a[0], a['b']) can be changed", node)
    steps.reverse()
    return steps


def _nested_prefix(plan: FromPlan, name: str, var: str) -> list[Step] | None:
    """Steps from the document to the element bound to `name`, if it is a nested source."""
    level = next((lv for lv in plan.levels if lv.var == name and lv.origin is not None), None)
    if level is None:
        return None
    root, path = level.origin  # type: ignore[misc]
    if root == var:
        prefix: list[Step] = []
    else:
        found = _nested_prefix(plan, root, var)
        if found is None:
            return None
        prefix = found
    for kind, v in path:
        prefix.append(("field", v) if kind == "field" else ("const", v))
    prefix.append(("pos", name))
    return prefix


def concrete(comp: Compiler, steps: list[Step], env: dict,
             absent_ok: bool = False) -> Concrete | None:
    """The steps for this row: field names and list positions. With `absent_ok`, a NULL or
    MISSING index gives None (nothing to remove) instead of an error."""
    out: list[tuple[str, Any]] = []
    for kind, v in steps:
        if kind == "field":
            out.append(("f", v))
        elif kind == "const":
            out.append(("i", v))
        elif kind == "pos":
            pos = env.get(POS_KEY + v)
            if pos is not None:  # None: the source was a single value, not a list element
                out.append(("i", pos))
        else:
            fn, pnode = v
            i = fn(env)
            if absent_ok and is_absent(i):
                return None
            if tcode(i) != T_INT:
                raise comp.ctx.error(f"a list index must be an int, got {type_name(i)}", pnode)
            out.append(("i", int(i)))
    return tuple(out)


def _child(cur: Any, step: tuple[str, Any]) -> Any:
    kind, key = step
    if kind == "f":
        if tcode(cur) != T_STRUCT:
            return MISSING
        try:
            return cur[key]
        except KeyError:
            return MISSING
    if tcode(cur) in (T_LIST, T_SEXP) and 0 <= key < len(cur):
        return cur[key]
    return MISSING


def _container(comp: Compiler, doc: Any, steps: Concrete, node: A.Node,
               create: bool) -> Any:
    """The value holding the last step (structs created along the way when `create`)."""
    cur = doc
    for i, step in enumerate(steps[:-1]):
        nxt = _child(cur, step)
        if nxt is MISSING or is_absent(nxt):
            if not create:
                return None
            if step[0] != "f" or tcode(cur) != T_STRUCT:
                raise comp.ctx.error("cannot create a list element on the way to the "
                                     "assigned path", node)
            if steps[i + 1][0] == "i":  # a struct made here would have no elements to set
                raise comp.ctx.error(f"cannot set element [{steps[i + 1][1]}] of field "
                                     f"{step[1]!r}: it does not exist (set the whole list, "
                                     f"e.g. SET x.{step[1]} = [...])", node)
            nxt = {}
            cur[step[1]] = nxt
        elif tcode(nxt) not in (T_STRUCT, T_LIST, T_SEXP):
            if not create:
                return None
            raise comp.ctx.error(f"the path goes through a {type_name(nxt)}, which has no "
                                 "fields or elements", node)
        cur = nxt
    return cur


def set_path(comp: Compiler, doc: Any, steps: Concrete, value: Any, node: A.Node) -> None:
    cur = _container(comp, doc, steps, node, create=True)
    kind, key = steps[-1]
    if kind == "f":
        if tcode(cur) != T_STRUCT:
            raise comp.ctx.error(f"cannot set field {key!r} of a {type_name(cur)}", node)
        if value is MISSING:
            if key in cur:
                del cur[key]
            return
        cur[key] = value
        return
    if tcode(cur) not in (T_LIST, T_SEXP):
        raise comp.ctx.error(f"cannot set element [{key}] of a {type_name(cur)}", node)
    if 0 <= key < len(cur):
        cur[key] = value
    elif key == len(cur):
        cur.append(value)
    else:
        raise comp.ctx.error(f"list index {key} is out of range (the list has {len(cur)} "
                             "elements)", node)


def remove_path(comp: Compiler, doc: Any, steps: Concrete, node: A.Node) -> None:
    cur = _container(comp, doc, steps, node, create=False)
    if cur is None:
        return
    kind, key = steps[-1]
    if kind == "f":
        if tcode(cur) == T_STRUCT and key in cur:
            del cur[key]
    elif tcode(cur) in (T_LIST, T_SEXP) and 0 <= key < len(cur):
        del cur[key]


def insert_into_path(comp: Compiler, doc: Any, steps: Concrete, value: Any, at: Any,
                     node: A.Node) -> None:
    if steps:
        cur = _container(comp, doc, steps, node, create=False)
        target = MISSING if cur is None else _child(cur, steps[-1])
    else:
        target = doc
    code = tcode(target)
    if target is MISSING or is_absent(target):
        raise comp.ctx.error("INSERT INTO names a path that does not exist in the document",
                             node)
    if code in (T_LIST, T_SEXP):
        if at is None:
            target.append(value)
            return
        if tcode(at) != T_INT or not 0 <= int(at) <= len(target):
            raise comp.ctx.error(f"AT must be a position from 0 to {len(target)} in a list",
                                 node)
        target.insert(int(at), value)
        return
    if code == T_BAG:
        target.append(value)
        return
    if code == T_STRUCT:
        if at is None or tcode(at) not in TEXT:
            raise comp.ctx.error("inserting into a struct needs AT 'fieldName'", node)
        key = text_of(at)
        if key in target:
            raise comp.ctx.error(f"the struct already has a field {key!r}", node)
        target[key] = value
        return
    raise comp.ctx.error(f"cannot INSERT INTO a {type_name(target)}", node)


def _removal_order(steps: Concrete) -> tuple:
    # Later list positions first, so removing one element does not move the next ones.
    return tuple((0, k) if kind == "i" else (1, k) for kind, k in steps)


# ---------------------------------------------------------------- UPDATE / FROM … / DELETE
def _target_plan(comp: Compiler, target: A.DmlTarget, extra: tuple[A.FromItem, ...],
                 where: A.Node | None, scope: Scope) -> tuple[FromPlan, str]:
    if target.table.startswith("_ql_"):
        raise comp.ctx.error("DML runs against a table's user view; _ql_ names are system "
                             "views", target)
    first = A.FromItem(A.Var(target.table, pos=target.pos), target.alias, None, target.by,
                       pos=target.pos)
    sources = (A.FromSource(first, pos=target.pos),) + tuple(
        A.FromSource(x, pos=x.pos) for x in extra)
    start = len(comp.plan_lines)
    plan = FromPlan(comp, sources, where, scope, track_first=True)
    comp.plan_lines[start:start] = plan.describe()
    return plan, plan.levels[0].var


def plan_update(comp: Compiler, node: A.Update) -> Callable[[], list]:
    ctx = comp.ctx
    scope = Scope()
    plan, var = _target_plan(comp, node.target, node.extra, node.where, scope)
    ops: list[tuple[str, Any]] = []
    for op in node.ops:
        if isinstance(op, A.SetOp):
            for path, value in op.assignments:
                ops.append(("set", (_target_steps(comp, path, var, scope, plan),
                                    comp.expr(value, scope), path)))
        elif isinstance(op, A.RemoveOp):
            ops.append(("remove", (_target_steps(comp, op.path, var, scope, plan), op.path)))
        elif isinstance(op, A.InsertOp):
            at = comp.expr(op.at, scope) if op.at is not None else None
            ops.append(("insert", (_target_steps(comp, op.path, var, scope, plan),
                                   comp.expr(op.value, scope), at, op.path)))

    def run() -> list:
        working: dict[str, Any] = {}
        removals: dict[str, dict[Concrete, A.Node]] = {}
        # Insertions wait until every row's SETs and REMOVEs are done: the positions those
        # found (an unnested element `e` of t.o) are the document's as the statement found it,
        # and an INSERT … AT 0 in between shifted them (REMOVE e removed the element before).
        inserts: list[tuple[str, Concrete, Any, Any, A.Node]] = []
        order: list[str] = []
        for env in plan.rows({}):
            doc_id = env[ID_KEY + var]
            if doc_id not in working:
                working[doc_id] = clone(env[var])
                order.append(doc_id)
            doc = working[doc_id]
            for kind, args in ops:
                if kind == "set":
                    steps, fn, pnode = args
                    path = concrete(comp, steps, env)
                    assert path is not None
                    if not path:
                        raise ctx.error("SET needs a path inside the document", pnode)
                    value = fn(env)
                    # SET x = MISSING removes x, as INSERT leaves a MISSING field out (it
                    # was stored as null)
                    set_path(comp, doc, path,
                             MISSING if value is MISSING else to_ion(clone(value)), pnode)
                elif kind == "remove":
                    steps, pnode = args
                    # applied after every row, so positions found by the rows stay valid
                    where = concrete(comp, steps, env, absent_ok=True)
                    if where is not None:
                        removals.setdefault(doc_id, {})[where] = pnode
                else:
                    steps, fn, at_fn, pnode = args
                    value = fn(env)
                    if value is MISSING:
                        continue
                    at = at_fn(env) if at_fn is not None else None
                    into = concrete(comp, steps, env)
                    assert into is not None
                    inserts.append((doc_id, into, to_ion(clone(value)), at, pnode))
        deleted: set[str] = set()
        for doc_id, paths in removals.items():
            if () in paths:
                deleted.add(doc_id)  # removing the document itself deletes it
                continue
            for path in sorted(paths, key=_removal_order, reverse=True):
                remove_path(comp, working[doc_id], path, paths[path])
        for doc_id, into, value, at, pnode in inserts:
            if doc_id not in deleted:
                insert_into_path(comp, working[doc_id], into, value, at, pnode)
        for doc_id in order:
            if doc_id in deleted:
                ctx.tx.delete(doc_id, ctx.stmt)
            else:
                _check_storable(ctx, working[doc_id], node)
                ctx.tx.update(doc_id, working[doc_id], ctx.stmt)
        return [document_id_result(d) for d in order]
    return run


def plan_delete(comp: Compiler, node: A.Delete) -> Callable[[], list]:
    ctx = comp.ctx
    plan, var = _target_plan(comp, node.target, (), node.where, Scope())

    def run() -> list:
        ids: list[str] = []
        seen: set[str] = set()
        for env in plan.rows({}):
            doc_id = env[ID_KEY + var]
            if doc_id not in seen:
                seen.add(doc_id)
                ids.append(doc_id)
        for doc_id in ids:
            ctx.tx.delete(doc_id, ctx.stmt)
        return [document_id_result(d) for d in ids]
    return run


__all__ = ["Bag", "document_id_result", "plan_delete", "plan_insert", "plan_update"]
