"""PartiQL for the ledger: QLDB's dialect, plus ORDER BY, GROUP BY, LIMIT/OFFSET, LEFT JOIN
and EXPLAIN outside QLDB-strict mode.

`run(tx, statement, params)` parses, plans and executes one statement inside a transaction
and returns a `QueryResult`. The statement is recorded in the block (`tx.begin_statement`)
once it has parsed and planned; if it then fails, the transaction is aborted so that no
statement can leave part of its change behind.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import LimitExceededError, QueryError
from ..ion_values import dumps_binary, now_timestamp, string
from . import ast as A
from .compile import Compiler
from .context import Ctx, Scope
from .ddl import plan_ddl
from .dml import plan_delete, plan_insert, plan_update
from .parser import parse
from .select import compile_query
from .strict import check_strict
from .values import MISSING, Bag, to_ion

__all__ = ["MISSING", "Bag", "QueryResult", "explain", "parse", "run"]


@dataclass
class QueryResult:
    values: list[Any]
    kind: str                      # select | dml | ddl | explain | exec
    documents_examined: int = 0
    plan: list[str] = field(default_factory=list)
    statement_index: int = -1

    def __iter__(self) -> Iterator[Any]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


#: QLDB's statement limits (qldb-format.md 8.1), enforced in QLDB-strict mode.
QLDB_STATEMENT_CHARS = 100_000
QLDB_PARAMETER_BYTES = 128 * 1024

_KINDS = {A.Select: "select", A.SetQuery: "select", A.Insert: "dml", A.Update: "dml",
          A.Delete: "dml", A.CreateTable: "ddl", A.DropTable: "ddl", A.UndropTable: "ddl",
          A.CreateIndex: "ddl", A.DropIndex: "ddl", A.Exec: "exec"}


def _plan(comp: Compiler, node: A.Node) -> Any:
    """A zero-argument function that executes the statement and returns its values."""
    if isinstance(node, (A.Select, A.SetQuery)):
        q = compile_query(comp, node, Scope())
        return lambda: [to_ion(v) for v in q({})]
    if isinstance(node, A.Insert):
        return plan_insert(comp, node)
    if isinstance(node, A.Update):
        return plan_update(comp, node)
    if isinstance(node, A.Delete):
        return plan_delete(comp, node)
    return plan_ddl(comp, node)


def check_statement_length(tx: Any, statement: str) -> None:
    """Refuse an over-long statement before it is lexed and parsed (which costs time in
    proportion to its length): QLDB-strict allows QLDB's 100,000 characters; otherwise a
    statement, which is journaled whole, may be no longer than the largest document the
    ledger stores (a longer one cannot hold a storable value; large values go in `?`)."""
    n = len(statement)
    if getattr(tx, "strict", False):
        if n > QLDB_STATEMENT_CHARS:
            raise LimitExceededError(f"QLDB-strict: a statement has at most "
                                     f"{QLDB_STATEMENT_CHARS:,} characters "
                                     f"(this one has {n:,})")
        return
    limits = getattr(tx, "limits", None)
    most = getattr(limits, "document_bytes", None)
    if most is not None and n > most:
        raise LimitExceededError(f"a statement has at most {most:,} characters, the "
                                 f"{limits.name} document size limit (this one has {n:,}); "
                                 "pass large values as ? parameters")


def run(tx: Any, statement: str, params: Sequence[Any] = ()) -> QueryResult:
    """Execute one PartiQL statement in `tx`. Raises QueryError (or another UserError)."""
    check_statement_length(tx, statement)
    node, n_params = parse(statement)
    params = list(params)
    if n_params != len(params):
        raise QueryError(f"the statement has {n_params} ? parameter(s) but {len(params)} "
                         f"value(s) were given")
    strict = bool(getattr(tx, "strict", False))
    if strict:
        for i, p in enumerate(params, 1):
            size = len(dumps_binary(to_ion(p)))
            if size > QLDB_PARAMETER_BYTES:
                raise LimitExceededError(f"QLDB-strict: parameter {i} is {size:,} bytes of Ion "
                                         f"binary; at most {QLDB_PARAMETER_BYTES:,}")
        check_strict(node, statement)
    ctx = Ctx(tx, params, statement, strict, now=now_timestamp())
    comp = Compiler(ctx)
    explain_only = isinstance(node, A.Explain)
    inner = node.statement if explain_only else node
    if isinstance(inner, A.Explain):
        raise ctx.error("EXPLAIN cannot be nested", inner)
    before = tx.stats.documents_examined
    execute = _plan(comp, inner)
    ctx.stmt = tx.begin_statement(statement, params)
    if explain_only:
        lines = comp.plan_lines or ["no data source (constant expression)"]
        return QueryResult([string(line) for line in lines], "explain",
                           tx.stats.documents_examined - before, lines, ctx.stmt)
    try:
        values = execute()
    except BaseException:
        tx.abort()  # a failed statement must leave nothing behind: the transaction ends
        raise
    return QueryResult(values, _KINDS[type(inner)], tx.stats.documents_examined - before,
                       list(comp.plan_lines), ctx.stmt)


def explain(tx: Any, statement: str, params: Sequence[Any] = ()) -> list[str]:
    """The access plan of a statement, one line per data source, without running or
    journaling it (also on QLDB-strict ledgers, where the EXPLAIN statement is refused)."""
    check_statement_length(tx, statement)
    node, n_params = parse(statement)
    if isinstance(node, A.Explain):
        node = node.statement
    params = list(params)
    if n_params != len(params):
        raise QueryError(f"the statement has {n_params} ? parameter(s) but {len(params)} "
                         f"value(s) were given")
    comp = Compiler(Ctx(tx, params, statement, bool(getattr(tx, "strict", False)),
                        now=now_timestamp()))
    _plan(comp, node)
    return comp.plan_lines or ["no data source (constant expression)"]
