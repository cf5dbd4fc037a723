"""What a statement is evaluated against: the transaction, its parameters, its text, its scopes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import QueryError
from . import ast as A


@dataclass
class Ctx:
    tx: Any
    params: Sequence[Any]
    text: str
    strict: bool = False
    stmt: int = -1
    now: Any = None  # UTCNOW(): one instant per statement

    def error(self, message: str, node: A.Node | None = None) -> QueryError:
        if node is None:
            return QueryError(message, None, None, self.text)
        return QueryError(message, node.pos[0], node.pos[1], self.text)


@dataclass
class Scope:
    """Names bound at one nesting level of a query (sub-queries nest scopes)."""

    parent: Scope | None = None
    names: dict[str, str] = field(default_factory=dict)  # name -> kind (source|at|by|alias|group)
    sources: list[str] = field(default_factory=list)     # FROM variables, for implicit fields

    def child(self) -> Scope:
        return Scope(self)

    def bind(self, name: str, kind: str) -> None:
        self.names[name] = kind
        if kind == "source":
            self.sources.append(name)

    def bound(self, name: str) -> bool:
        s: Scope | None = self
        while s is not None:
            if name in s.names:
                return True
            s = s.parent
        return False

    def implicit_sources(self) -> list[str]:
        """The FROM variables an unqualified field name refers to (the innermost FROM)."""
        s: Scope | None = self
        while s is not None:
            if s.sources:
                return s.sources
            s = s.parent
        return []
