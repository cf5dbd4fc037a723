"""The syntax tree of a PartiQL statement. Every node knows where it starts (line, column)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Pos = tuple[int, int]


class QuotedName(str):
    """A name written in double quotes (`"current_user"`): the same text as any name, known
    to have been quoted, so a reserved word used as a field name is not refused."""

    __slots__ = ()


@dataclass(frozen=True)
class Node:
    pos: Pos = field(default=(1, 1), kw_only=True, compare=False)


# ---------------------------------------------------------------- expressions
@dataclass(frozen=True)
class Lit(Node):
    value: Any


@dataclass(frozen=True)
class Param(Node):
    index: int


@dataclass(frozen=True)
class Var(Node):
    name: str
    at_prefixed: bool = False  # `@v`: a variable, never a table or an implicit field


@dataclass(frozen=True)
class Dot(Node):
    base: Node
    name: str


@dataclass(frozen=True)
class DotStar(Node):
    base: Node


@dataclass(frozen=True)
class Index(Node):
    base: Node
    index: Node


@dataclass(frozen=True)
class IndexStar(Node):
    base: Node


@dataclass(frozen=True)
class Unary(Node):
    op: str  # 'not' | '-' | '+'
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    op: str  # and or = <> < > <= >= || + - * / %
    left: Node
    right: Node


@dataclass(frozen=True)
class Is(Node):
    operand: Node
    kind: str  # null | missing | true | false
    negated: bool


@dataclass(frozen=True)
class In(Node):
    operand: Node
    collection: Node
    negated: bool


@dataclass(frozen=True)
class Like(Node):
    operand: Node
    pattern: Node
    escape: Node | None
    negated: bool


@dataclass(frozen=True)
class Between(Node):
    operand: Node
    low: Node
    high: Node
    negated: bool


@dataclass(frozen=True)
class StructLit(Node):
    fields: tuple[tuple[Node, Node], ...]


@dataclass(frozen=True)
class ListLit(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True)
class BagLit(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Call(Node):
    name: str  # upper case
    args: tuple[Node, ...]
    star: bool = False
    distinct: bool = False
    extra: tuple[Any, ...] = ()  # TRIM's spec, SUBSTRING's FROM/FOR form


@dataclass(frozen=True)
class Cast(Node):
    operand: Node
    type_name: str


@dataclass(frozen=True)
class Exists(Node):
    operand: Node  # a sub-query or an expression


@dataclass(frozen=True)
class Case(Node):
    operand: Node | None
    whens: tuple[tuple[Node, Node], ...]
    default: Node | None


@dataclass(frozen=True)
class Subquery(Node):
    query: Node


# ---------------------------------------------------------------- queries
@dataclass(frozen=True)
class FromItem(Node):
    expr: Node
    alias: str | None = None
    at: str | None = None
    by: str | None = None


@dataclass(frozen=True)
class Join(Node):
    kind: str  # inner | left | cross
    item: FromItem
    on: Node | None


@dataclass(frozen=True)
class FromSource(Node):
    item: FromItem
    joins: tuple[Join, ...] = ()


@dataclass(frozen=True)
class OrderItem(Node):
    expr: Node
    descending: bool = False
    nulls_first: bool | None = None


@dataclass(frozen=True)
class Select(Node):
    distinct: bool
    kind: str  # star | value | list
    value: Node | None
    items: tuple[tuple[Node, str | None], ...]
    sources: tuple[FromSource, ...]
    where: Node | None = None
    group_by: tuple[tuple[Node, str | None], ...] = ()
    group_as: str | None = None
    having: Node | None = None
    order_by: tuple[OrderItem, ...] = ()
    limit: Node | None = None
    offset: Node | None = None


@dataclass(frozen=True)
class SetQuery(Node):
    op: str  # union | intersect | except
    all: bool
    left: Select
    right: Select
    # ORDER BY, LIMIT and OFFSET written after the last SELECT apply to the whole result
    order_by: tuple[OrderItem, ...] = ()
    limit: Node | None = None
    offset: Node | None = None


# ---------------------------------------------------------------- DML, DDL, procedures
@dataclass(frozen=True)
class DmlTarget(Node):
    table: str
    alias: str | None = None
    by: str | None = None


@dataclass(frozen=True)
class SetOp(Node):
    assignments: tuple[tuple[Node, Node], ...]


@dataclass(frozen=True)
class RemoveOp(Node):
    path: Node


@dataclass(frozen=True)
class InsertOp(Node):
    path: Node
    value: Node
    at: Node | None


@dataclass(frozen=True)
class Insert(Node):
    table: str
    alias: str | None
    value: Node
    single: bool = False  # `VALUE v`: exactly one document


@dataclass(frozen=True)
class Update(Node):
    target: DmlTarget
    ops: tuple[Node, ...]
    where: Node | None
    extra: tuple[FromItem, ...] = ()  # further FROM sources of the `FROM … SET` form
    form: str = "update"  # update | from


@dataclass(frozen=True)
class Delete(Node):
    target: DmlTarget
    where: Node | None


@dataclass(frozen=True)
class CreateTable(Node):
    name: str
    options: tuple[tuple[str, Node], ...] = ()


@dataclass(frozen=True)
class DropTable(Node):
    name: str


@dataclass(frozen=True)
class UndropTable(Node):
    table_id: str


@dataclass(frozen=True)
class CreateIndex(Node):
    table: str
    field: Node


@dataclass(frozen=True)
class DropIndex(Node):
    index_id: str
    table: str
    options: tuple[tuple[str, Node], ...] = ()


@dataclass(frozen=True)
class Exec(Node):
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Explain(Node):
    statement: Node
