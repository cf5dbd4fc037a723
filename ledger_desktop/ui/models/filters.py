"""Grid filters: evaluated on documents read through the browsing API, and shown as PartiQL.

Filtering in the grid never runs a SELECT (in QLDB semantics a SELECT is a transaction that
commits a block); it scans pages of current documents on the reader lane. The equivalent
PartiQL is offered so the user can open it in the editor.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from amazon.ion import simpleion
from amazon.ion.core import IonType

from ...engine.diff import ion_type, is_null
from ...engine.struct_columns import fields_of
from ..ionfmt import ion_text

OPS = ("=", "!=", "<", "<=", ">", ">=", "contains", "is null", "is not null", "is missing",
       "is present")
#: operators that take no value
NO_VALUE = frozenset({"is null", "is not null", "is missing", "is present"})
#: what each operator selects (the operator list's tooltips)
OP_TIPS = {
    "contains": "Text that contains the value, ignoring case; a list or struct with an element "
                "that does (or that equals it)",
    "is null": "The field is there and holds null (null, null.string, …)",
    "is not null": "The field is there and holds a value other than null",
    "is missing": "The document has no such field",
    "is present": "The document has the field, null or not",
}
#: the operators' former names (`exists`, `missing`)
_ALIASES = {"exists": "is present", "missing": "is missing"}
_TEXT = (IonType.STRING, IonType.SYMBOL)


def parse_literal(text: str) -> Any:
    """The user's value as Ion when it parses as a scalar (42, 1.5, 2024-01-01T), else a string.
    A bare NULL in any case is Ion's null, as PartiQL writes it ('NULL' is the text)."""
    text = text.strip()
    if text.lower() == "null":
        return simpleion.loads("null")
    try:
        value = simpleion.loads(text)
    except Exception:
        if len(text) >= 2 and text[0] == text[-1] == "'":  # PartiQL's 'It''s'
            return text[1:-1].replace("''", "'")
        return text
    if ion_type(value) in (IonType.SYMBOL,):
        # a bare word, or one in quotes as PartiQL writes strings ('Everett'), is that text;
        # the quotes were matched as part of it
        return str(getattr(value, "text", text))
    return value


def _quote_name(name: str) -> str:
    return name if name.isidentifier() else '"' + name.replace('"', '""') + '"'


def _get(data: Any, path: list[str]) -> tuple[bool, Any]:
    cur = data
    for part in path:
        # a null.struct is typed STRUCT but holds no fields (`in` raised TypeError on it)
        if ion_type(cur) != IonType.STRUCT or is_null(cur) or part not in cur:
            return False, None
        cur = cur[part]
    return True, cur


def _comparable(v: Any) -> Any:
    t = ion_type(v)
    if t in (IonType.INT, IonType.DECIMAL, IonType.FLOAT):
        try:
            return Decimal(str(v)) if t != IonType.FLOAT else Decimal(repr(float(v)))
        except InvalidOperation:
            return None
    if t in (IonType.STRING, IonType.SYMBOL):
        return str(getattr(v, "text", v))
    if t == IonType.TIMESTAMP:  # naive and offset timestamps compare (by instant)
        return _instant(v)
    if t == IonType.BOOL:
        return bool(v)
    return ion_text(v)


def _ion_null(value: Any) -> bool:
    """An Ion null the user typed (null, null.string), not the absence of a value (None)."""
    return type(value).__name__ == "IonPyNull"


def _text(v: Any) -> str | None:
    return str(getattr(v, "text", v)) if ion_type(v) in _TEXT and not is_null(v) else None


@dataclass(frozen=True)
class FieldFilter:
    """`field op value`. `= null` is `is null` (and `!= null` `is not null`): in PartiQL
    `x = NULL` is unknown for every x, so it selected nothing."""

    field: str        # a top-level field or a dotted path such as Owners.PrimaryOwner.PersonId
    op: str
    value: Any = None

    def __post_init__(self) -> None:
        op = _ALIASES.get(self.op, self.op)
        if op in ("=", "!=") and _ion_null(self.value):
            op = "is null" if op == "=" else "is not null"
        if op in NO_VALUE:
            object.__setattr__(self, "value", None)
        object.__setattr__(self, "op", op)
        if self.op not in OPS:
            raise ValueError(f"unknown filter operator {self.op!r}")
        if not self.field.strip():
            raise ValueError("choose a field to filter on")

    @property
    def path(self) -> list[str]:
        return [p for p in self.field.split(".") if p]

    @property
    def _needle(self) -> str:
        """What `contains` looks for in text, lower-cased: the value's text, or its Ion."""
        if self.value is None:  # nothing typed: any text
            return ""
        text = _text(self.value)
        return (text if text is not None else ion_text(self.value)).lower()

    def matches(self, data: Any) -> bool:
        found, v = _get(data, self.path)
        if self.op == "is present":
            return found
        if self.op == "is missing":
            return not found
        if self.op in ("is null", "is not null"):
            return found and is_null(v) == (self.op == "is null")
        if not found or is_null(v):
            return False
        if self.op == "contains":
            # what partiql() below selects: text holding the needle (any case), or a list's,
            # sexp's or struct's element that does or (for a value that is not text) equals it
            text = _text(v)
            if text is not None:
                return self._needle in text.lower()
            t = ion_type(v)
            if t in (IonType.LIST, IonType.SEXP):
                return any(self._element_matches(e) for e in v)
            if t == IonType.STRUCT:
                return any(self._element_matches(e) for _k, e in fields_of(v))
            return False
        return self._compare(v, self.op)

    def _element_matches(self, e: Any) -> bool:
        text = _text(e)
        if text is not None and self._needle in text.lower():
            return True
        return _text(self.value) is None and not is_null(e) and self._compare(e, "=")

    def _compare(self, v: Any, op: str) -> bool:
        a, b = _comparable(v), _comparable(self.value)
        if a is None or b is None:
            return False
        try:
            if op == "=":
                return a == b
            if op == "!=":
                return a != b
            if op == "<":
                return a < b
            if op == "<=":
                return a <= b
            if op == ">":
                return a > b
            return a >= b
        except TypeError:  # e.g. a timestamp against a number: no match, as in PartiQL
            return False

    def partiql(self, table: str) -> str:
        alias = "d"
        ref = alias + "".join("." + _quote_name(p) for p in self.path)
        if self.op == "is present":
            cond = f"{ref} IS NOT MISSING"
        elif self.op == "is missing":
            cond = f"{ref} IS MISSING"
        elif self.op == "is null":
            cond = f"{ref} IS NULL AND {ref} IS NOT MISSING"  # IS NULL holds for MISSING too
        elif self.op == "is not null":
            cond = f"{ref} IS NOT NULL"  # false for MISSING as well
        elif self.op == "contains":
            cond = self._contains(ref)
        else:
            cond = f"{ref} {'<>' if self.op == '!=' else self.op} {literal(self.value)}"
        return f"SELECT * FROM {_quote_name(table)} AS {alias} WHERE {cond}"

    def _contains(self, ref: str) -> str:
        """Text holding the needle, or an element of a list or sexp (`[*]`) or a struct's
        field (`.*`) that does. `(x >= '') IS TRUE` holds for text only (comparing other
        types gives MISSING) and makes AND skip LOWER, which refuses anything but text."""
        # the user's % and _ are text, not wildcards
        text = "".join("\\" + c if c in "%_\\" else c for c in self._needle).replace("'", "''")

        def has(x: str) -> str:
            return f"(({x} >= '') IS TRUE AND LOWER({x}) LIKE '%{text}%' ESCAPE '\\')"

        element = has("e")
        if _text(self.value) is None:
            element = f"{element} OR e = {literal(self.value)}"
        return " OR ".join([has(ref)] + [f"EXISTS (SELECT VALUE e FROM {ref}{each} AS e WHERE "
                                         f"{element})" for each in ("[*]", ".*")])


def literal(value: Any) -> str:
    """A PartiQL literal: strings in single quotes, Ion values in backticks when needed."""
    t = ion_type(value)
    if t == IonType.STRING:
        return "'" + str(value).replace("'", "''") + "'"
    if t in (IonType.INT, IonType.DECIMAL, IonType.BOOL) and not is_null(value):
        return ion_text(value) if t != IonType.BOOL else ("true" if value else "false")
    return "`" + ion_text(value) + "`"


def sort_key(value: Any) -> tuple[int, Any]:
    """Order mixed Ion values: missing/null first, then numbers, text, timestamps, others.

    Keys hold plain int, Decimal and str, never the Ion value itself: they are computed for
    every row of a grid in a thread, and plain values compare faster and are not tracked by
    the garbage collector (keys holding Ion values took twice as long to build).
    """
    if value is None or is_null(value):
        return (0, 0)
    t = ion_type(value)
    if t is IonType.INT:
        return (2, int(value))   # orders as Decimal(str(value)) does, in a tenth of the time
    if t is IonType.DECIMAL:
        return (2, Decimal(value))
    if t is IonType.FLOAT:
        c = _comparable(value)
        return (2, c) if c is not None else (2, Decimal(0))
    if t is IonType.STRING or t is IonType.SYMBOL:
        return (3, str(getattr(value, "text", value)).casefold())
    if t is IonType.BOOL:
        return (1, bool(value))
    if t is IonType.TIMESTAMP:
        return (4, _instant(value))
    return (5, ion_text(value))


def _instant(ts: Any) -> _dt.datetime:
    """A timestamp's point in time as naive UTC: 10:00+05:00 orders before 06:00Z, as PartiQL
    orders them (the text order put it after). An unknown offset (-00:00) counts as UTC."""
    # a plain datetime (replace() would keep amazon.ion's subclass, which the GC tracks)
    local = _dt.datetime(ts.year, ts.month, ts.day, ts.hour, ts.minute, ts.second,
                         ts.microsecond)
    offset = ts.utcoffset()
    if not offset:
        return local
    try:
        return local - offset
    except OverflowError:  # within a day of year 1 or 9999
        return local
