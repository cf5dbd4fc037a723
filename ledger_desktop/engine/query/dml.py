"""INSERT, UPDATE, DELETE and QLDB's `FROM … SET / REMOVE / INSERT INTO` form.

A statement first computes every change (the new value of each affected document), then
applies them, so an error while evaluating leaves nothing half-done. Each returns
`{documentId}` once per affected document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..ion_values import string, struct
from . import ast as A
from .compile import Compiler
from .context import Scope
from .plan import ID_KEY, FromPlan
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
        return [document_id_result(ctx.tx.insert(table.table_id, d, ctx.stmt)) for d in stored]
    return run


# ---------------------------------------------------------------- paths inside a document
Step = tuple[str, Any]  # ("field", name) | ("index", fn)


def _target_steps(comp: Compiler, path: A.Node, var: str, scope: Scope) -> list[Step]:
    """The steps from the document (bound to `var`) to the place a SET/REMOVE/INSERT names."""
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
            if scope.bound(node.name):
                raise comp.ctx.error(f"a changed path must start at the table's variable "
                                     f"{var!r}, not {node.name!r}", node)
            steps.append(("field", node.name))  # an implicit field of the document
            break
        else:
            raise comp.ctx.error("only paths (a.b, a[0], a['b']) can be changed", node)
    steps.reverse()
    return steps


def _resolve(comp: Compiler, doc: Any, steps: list[Step], env: dict, node: A.Node,
             create: bool) -> tuple[Any, Step] | None:
    """The container holding the last step (created along the way when `create`)."""
    cur = doc
    for i, step in enumerate(steps[:-1]):
        nxt = _child(comp, cur, step, env, node)
        if nxt is MISSING or is_absent(nxt):
            if not create:
                return None
            if step[0] != "field" or tcode(cur) != T_STRUCT:
                raise comp.ctx.error("cannot create a list element on the way to the "
                                     "assigned path", node)
            nxt = {}
            cur[step[1]] = nxt
        elif tcode(nxt) not in (T_STRUCT, T_LIST, T_SEXP):
            if not create:
                return None
            raise comp.ctx.error(f"the path goes through a {type_name(nxt)}, which has no "
                                 "fields or elements", node)
        cur = nxt
        del i
    return cur, steps[-1]


def _index_value(comp: Compiler, step: Step, env: dict, node: A.Node) -> int:
    fn, pnode = step[1]
    i = fn(env)
    if tcode(i) != T_INT:
        raise comp.ctx.error(f"a list index must be an int, got {type_name(i)}", pnode)
    return int(i)


def _child(comp: Compiler, cur: Any, step: Step, env: dict, node: A.Node) -> Any:
    if step[0] == "field":
        if tcode(cur) != T_STRUCT:
            return MISSING
        try:
            return cur[step[1]]
        except KeyError:
            return MISSING
    i = _index_value(comp, step, env, node)
    if tcode(cur) in (T_LIST, T_SEXP) and 0 <= i < len(cur):
        return cur[i]
    return MISSING


def set_path(comp: Compiler, doc: Any, steps: list[Step], value: Any, env: dict,
             node: A.Node) -> None:
    found = _resolve(comp, doc, steps, env, node, create=True)
    assert found is not None
    cur, last = found
    if last[0] == "field":
        if tcode(cur) != T_STRUCT:
            raise comp.ctx.error(f"cannot set field {last[1]!r} of a {type_name(cur)}", node)
        if value is MISSING:
            if last[1] in cur:
                del cur[last[1]]
            return
        cur[last[1]] = value
        return
    i = _index_value(comp, last, env, node)
    if tcode(cur) not in (T_LIST, T_SEXP):
        raise comp.ctx.error(f"cannot set element [{i}] of a {type_name(cur)}", node)
    if 0 <= i < len(cur):
        cur[i] = value
    elif i == len(cur):
        cur.append(value)
    else:
        raise comp.ctx.error(f"list index {i} is out of range (the list has {len(cur)} "
                             "elements)", node)


def remove_path(comp: Compiler, doc: Any, steps: list[Step], env: dict, node: A.Node) -> None:
    found = _resolve(comp, doc, steps, env, node, create=False)
    if found is None:
        return
    cur, last = found
    if last[0] == "field":
        if tcode(cur) == T_STRUCT and last[1] in cur:
            del cur[last[1]]
        return
    i = _index_value(comp, last, env, node)
    if tcode(cur) in (T_LIST, T_SEXP) and 0 <= i < len(cur):
        del cur[i]


def insert_into_path(comp: Compiler, doc: Any, steps: list[Step], value: Any, at: Any,
                     env: dict, node: A.Node) -> None:
    if steps:
        found = _resolve(comp, doc, steps, env, node, create=False)
        target = MISSING if found is None else _child(comp, found[0], found[1], env, node)
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
    plan = FromPlan(comp, sources, where, scope, track_first=True)
    comp.plan_lines.extend(plan.describe())
    return plan, plan.levels[0].var


def plan_update(comp: Compiler, node: A.Update) -> Callable[[], list]:
    ctx = comp.ctx
    scope = Scope()
    plan, var = _target_plan(comp, node.target, node.extra, node.where, scope)
    ops: list[tuple[str, Any]] = []
    for op in node.ops:
        if isinstance(op, A.SetOp):
            for path, value in op.assignments:
                ops.append(("set", (_target_steps(comp, path, var, scope),
                                    comp.expr(value, scope), path)))
        elif isinstance(op, A.RemoveOp):
            ops.append(("remove", (_target_steps(comp, op.path, var, scope), op.path)))
        elif isinstance(op, A.InsertOp):
            at = comp.expr(op.at, scope) if op.at is not None else None
            ops.append(("insert", (_target_steps(comp, op.path, var, scope),
                                   comp.expr(op.value, scope), at, op.path)))

    def run() -> list:
        working: dict[str, Any] = {}
        deleted: set[str] = set()
        order: list[str] = []
        for env in plan.rows({}):
            doc_id = env[ID_KEY + var]
            if doc_id in deleted:
                continue
            if doc_id not in working:
                working[doc_id] = clone(env[var])
                order.append(doc_id)
            doc = working[doc_id]
            for kind, args in ops:
                if kind == "set":
                    steps, fn, pnode = args
                    value = to_ion(clone(fn(env)))
                    if not steps:
                        raise ctx.error("SET needs a path inside the document", pnode)
                    set_path(comp, doc, steps, value, env, pnode)
                elif kind == "remove":
                    steps, pnode = args
                    if not steps:
                        deleted.add(doc_id)  # removing the document itself deletes it
                        break
                    remove_path(comp, doc, steps, env, pnode)
                else:
                    steps, fn, at_fn, pnode = args
                    value = fn(env)
                    if value is MISSING:
                        continue
                    at = at_fn(env) if at_fn is not None else None
                    insert_into_path(comp, doc, steps, to_ion(clone(value)), at, env, pnode)
        for doc_id in order:
            if doc_id in deleted:
                ctx.tx.delete(doc_id, ctx.stmt)
            else:
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
