"""CREATE/DROP/UNDROP TABLE, CREATE/DROP INDEX and EXEC REDACT_REVISION."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..ion_values import string, struct
from . import ast as A
from .compile import Compiler
from .context import Scope
from .values import T_BOOL, T_STRUCT, TEXT, tcode, text_of, to_ion


def table_id_result(table_id: str) -> Any:
    return struct(("tableId", string(table_id)))


def _options(comp: Compiler, opts: tuple[tuple[str, A.Node], ...], allowed: set[str],
             node: A.Node) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, expr in opts:
        if name not in allowed:
            want = ", ".join(sorted(allowed)) or "none"
            raise comp.ctx.error(f"unknown option {name!r} (allowed: {want})", expr)
        out[name] = comp.expr(expr, Scope())({})
    return out


def plan_ddl(comp: Compiler, node: A.Node) -> Callable[[], list]:
    ctx = comp.ctx
    tx = ctx.tx
    if isinstance(node, A.CreateTable):
        opts = _options(comp, node.options, {"aws_tags"}, node)
        tags = opts.get("aws_tags")
        if tags is not None:
            if tcode(tags) != T_STRUCT or any(tcode(v) not in TEXT for v in tags.values()):
                raise ctx.error("aws_tags must be a struct of string values, e.g. "
                                "`{'team': 'ops'}`", node)
            tags = to_ion(tags)
        comp.plan_lines.append(f"create table {node.name}")
        return lambda: [table_id_result(tx.create_table(node.name, ctx.stmt, tags=tags))]
    if isinstance(node, A.DropTable):
        info = tx.table(node.name)
        comp.plan_lines.append(f"drop table {node.name} ({info.table_id})")

        def drop() -> list:
            tx.drop_table(info.table_id, ctx.stmt)
            return [table_id_result(info.table_id)]
        return drop
    if isinstance(node, A.UndropTable):
        comp.plan_lines.append(f"undrop table {node.table_id}")

        def undrop() -> list:
            tx.undrop_table(node.table_id, ctx.stmt)
            return [table_id_result(node.table_id)]
        return undrop
    if isinstance(node, A.CreateIndex):
        if not isinstance(node.field, A.Var) or node.field.at_prefixed:
            raise ctx.error("an index is on one top-level field, e.g. CREATE INDEX ON "
                            "Person (GovId)", node.field)
        info = tx.table(node.table)
        comp.plan_lines.append(f"create index on {node.table} ({node.field.name})")

        def create_index() -> list:
            tx.create_index(info.table_id, node.field.name, ctx.stmt)
            return [table_id_result(info.table_id)]
        return create_index
    if isinstance(node, A.DropIndex):
        opts = _options(comp, node.options, {"purge"}, node)
        purge = opts.get("purge")
        if not (tcode(purge) == T_BOOL and purge):
            raise ctx.error("DROP INDEX needs WITH (purge = true), as in QLDB", node)
        info = tx.table(node.table)
        comp.plan_lines.append(f"drop index {node.index_id} on {node.table}")

        def drop_index() -> list:
            tx.drop_index(info.table_id, node.index_id, ctx.stmt)
            return [table_id_result(info.table_id)]
        return drop_index
    if isinstance(node, A.Exec):
        return _plan_exec(comp, node)
    raise ctx.error("unsupported statement", node)  # pragma: no cover - the grammar forbids it


def _plan_exec(comp: Compiler, node: A.Exec) -> Callable[[], list]:
    ctx = comp.ctx
    if node.name.upper() != "REDACT_REVISION":
        raise ctx.error(f"unknown stored procedure {node.name}; the only one is "
                        "REDACT_REVISION", node)
    if len(node.args) != 3:
        raise ctx.error("EXEC REDACT_REVISION takes a block address, a table id and a "
                        "document id", node)
    addr, table_id, doc_id = (comp.expr(a, Scope())({}) for a in node.args)
    if tcode(addr) != T_STRUCT or "strandId" not in addr or "sequenceNo" not in addr:
        raise ctx.error("the first argument is a block address, e.g. "
                        "`{strandId: \"…\", sequenceNo: 5}`", node.args[0])
    for v, a in ((table_id, node.args[1]), (doc_id, node.args[2])):
        if tcode(v) not in TEXT:
            raise ctx.error("table and document ids are strings", a)
    comp.plan_lines.append(f"redact one revision of document {text_of(doc_id)}")
    return lambda: [ctx.tx.redact_revision(addr, text_of(table_id), text_of(doc_id),
                                           ctx.stmt)]
