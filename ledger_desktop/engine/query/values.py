"""PartiQL values over Ion: MISSING, bags, type codes, equality, ordering and keys.

Values are what `amazon.ion.simpleion` loads (IonPy* types, which keep the exact Ion type,
decimal scale, timestamp precision and annotations) or plain Python values built by queries.
PartiQL adds MISSING (an absent field) and the bag (an unordered collection).
"""

from __future__ import annotations

import datetime as _dt
import math
from decimal import Decimal
from typing import Any

from amazon.ion.core import IonType, Timestamp
from amazon.ion.simple_types import (
    IonPyDict,
    IonPyList,
    IonPyNull,
    IonPySymbol,
)
from amazon.ion.symbols import SymbolToken

from ..index_keys import timestamp_instant
from ..struct_columns import fields_of as struct_items  # the query layer's name for it


class _Missing:
    """PartiQL's MISSING: the value of a path that leads nowhere."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()


class Bag(list):
    """A PartiQL bag: an unordered collection (results, `<< >>` literals, sub-queries)."""

    def __repr__(self) -> str:
        return "<<" + ", ".join(repr(v) for v in self) + ">>"


# Type codes, ordered as PartiQL orders values of different types in ORDER BY.
T_MISSING, T_NULL, T_BOOL, T_INT, T_FLOAT, T_DECIMAL, T_TIMESTAMP, T_SYMBOL, T_STRING, \
    T_CLOB, T_BLOB, T_LIST, T_SEXP, T_STRUCT, T_BAG = range(15)

TYPE_NAMES = {T_MISSING: "missing", T_NULL: "null", T_BOOL: "bool", T_INT: "int",
              T_FLOAT: "float", T_DECIMAL: "decimal", T_TIMESTAMP: "timestamp",
              T_SYMBOL: "symbol", T_STRING: "string", T_CLOB: "clob", T_BLOB: "blob",
              T_LIST: "list", T_SEXP: "sexp", T_STRUCT: "struct", T_BAG: "bag"}

_ION_CODES = {IonType.NULL: T_NULL, IonType.BOOL: T_BOOL, IonType.INT: T_INT,
              IonType.FLOAT: T_FLOAT, IonType.DECIMAL: T_DECIMAL,
              IonType.TIMESTAMP: T_TIMESTAMP, IonType.SYMBOL: T_SYMBOL,
              IonType.STRING: T_STRING, IonType.CLOB: T_CLOB, IonType.BLOB: T_BLOB,
              IonType.LIST: T_LIST, IonType.SEXP: T_SEXP, IonType.STRUCT: T_STRUCT}

_PLAIN_CODES: dict[type, int] = {bool: T_BOOL, int: T_INT, float: T_FLOAT, Decimal: T_DECIMAL,
                                 str: T_STRING, bytes: T_BLOB, bytearray: T_BLOB,
                                 list: T_LIST, tuple: T_LIST, dict: T_STRUCT, Bag: T_BAG,
                                 type(None): T_NULL, _Missing: T_MISSING,
                                 Timestamp: T_TIMESTAMP, _dt.datetime: T_TIMESTAMP,
                                 SymbolToken: T_SYMBOL}

NUMERIC = frozenset({T_INT, T_FLOAT, T_DECIMAL})
TEXT = frozenset({T_SYMBOL, T_STRING})
SEQUENCES = frozenset({T_LIST, T_SEXP, T_BAG})


def tcode(v: Any) -> int:
    """The type code of a value (IonPyNull of any Ion type is NULL)."""
    c = _PLAIN_CODES.get(type(v))
    if c is not None:
        return c
    if type(v) is IonPyNull:
        return T_NULL
    t = getattr(v, "ion_type", None)
    if t is not None:
        return _ION_CODES[t]
    if isinstance(v, _dt.datetime):
        return T_TIMESTAMP
    if isinstance(v, dict):
        return T_STRUCT
    if isinstance(v, list):
        return T_LIST
    raise TypeError(f"not a PartiQL value: {v!r}")


def type_name(v: Any) -> str:
    return TYPE_NAMES[tcode(v)]


def is_absent(v: Any) -> bool:
    """NULL or MISSING."""
    return v is None or v is MISSING or type(v) is IonPyNull


def text_of(v: Any) -> str:
    """The text of a string or symbol."""
    if isinstance(v, SymbolToken):  # IonPySymbol, or a bare symbol from MAY_BE_BARE parsing
        return v.text
    return str(v)


def is_true(v: Any) -> bool:
    return v is True or (type(v) is not IonPyNull and tcode(v) == T_BOOL and bool(v))


def instant(v: Any) -> tuple[int, str]:
    """A timestamp's exact instant, comparable and hashable (unknown offset counts as UTC):
    UTC seconds and the fraction's digits, so that `.123456789` and `.123456788` differ (a
    datetime stops at the microsecond) and `.5` equals `.500`. The index keys use it too."""
    return timestamp_instant(v)


def _num_eq(a: Any, b: Any) -> bool:
    # A float compares with an int or a decimal through its shortest repr, as index keys and
    # DISTINCT do, so the index and a scan agree on what `=` finds and `=` stays transitive
    # (an int compared exactly once found 2**60 equal to 2**60 as a float, which the index
    # did not).
    if isinstance(a, float) != isinstance(b, float):
        f, other = (a, b) if isinstance(a, float) else (b, a)
        return math.isfinite(f) and Decimal(repr(float(f))) == Decimal(other)
    return bool(a == b)


def equal(a: Any, b: Any) -> bool:
    """Deep PartiQL equality of two present (non-null, non-missing) values."""
    ca, cb = tcode(a), tcode(b)
    if ca in NUMERIC and cb in NUMERIC:
        return _num_eq(a, b)
    if ca in TEXT and cb in TEXT:
        return text_of(a) == text_of(b)
    if ca != cb:
        return {ca, cb} <= {T_NULL, T_MISSING}
    if ca in (T_NULL, T_MISSING):
        return True
    if ca == T_TIMESTAMP:
        return instant(a) == instant(b)
    if ca in (T_LIST, T_SEXP):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if ca == T_BAG:
        return len(a) == len(b) and sorted(map(group_key, a), key=repr) == \
            sorted(map(group_key, b), key=repr)
    if ca == T_STRUCT:
        ia, ib = struct_items(a), struct_items(b)
        if len(ia) != len(ib):
            return False
        return group_key(a) == group_key(b)
    return bool(a == b)


def make_struct(pairs: list[tuple[str, Any]]) -> Any:
    """A struct of these fields in order. A dict when the names differ; when one repeats
    (`SELECT r.VIN, v.VIN`, `SELECT *` over a join), a struct that keeps every field, as
    PartiQL and Ion do: a dict would keep the last value and lose the others."""
    out = dict(pairs)
    if len(out) == len(pairs):
        return out
    multi = IonPyDict()
    for k, v in pairs:
        multi.add_item(k, v)
    return multi


def group_key(v: Any) -> Any:
    """A hashable key: two values have the same key exactly when `equal` says so."""
    c = tcode(v)
    if c in NUMERIC:
        if isinstance(v, float):
            if math.isnan(v):
                return ("n", "nan")
            if math.isinf(v):
                return ("n", v)
            v = Decimal(repr(v))
        d = Decimal(v)
        return ("n", d.normalize() if d != 0 else Decimal(0))
    if c in TEXT:
        return ("s", text_of(v))
    if c == T_TIMESTAMP:
        return ("t", instant(v))
    if c in (T_NULL, T_MISSING):
        return ("z",)
    if c == T_BOOL:
        return ("b", bool(v))
    if c in (T_BLOB, T_CLOB):
        return ("x", c, bytes(v))
    if c in (T_LIST, T_SEXP):
        return ("l", c, tuple(group_key(x) for x in v))
    if c == T_BAG:
        return ("g", tuple(sorted((group_key(x) for x in v), key=repr)))
    return ("r", tuple(sorted(((k, group_key(x)) for k, x in struct_items(v)), key=repr)))


def order_key(v: Any) -> tuple:
    """A total order for ORDER BY: absent values, bool, numbers, timestamps, text, lobs,
    lists, sexps, structs, bags (PartiQL's order of types)."""
    c = tcode(v)
    if c in (T_NULL, T_MISSING):
        return (0,)
    if c == T_BOOL:
        return (1, bool(v))
    if c in NUMERIC:
        if isinstance(v, float) and math.isnan(v):
            return (2, -math.inf, 0)
        return (2, v, 1)
    if c == T_TIMESTAMP:
        return (3, instant(v))
    if c in TEXT:
        return (4, text_of(v))
    if c in (T_BLOB, T_CLOB):
        return (5, bytes(v))
    if c in (T_LIST, T_SEXP):
        return (6 if c == T_LIST else 7, tuple(order_key(x) for x in v))
    if c == T_STRUCT:
        return (8, tuple(sorted((k, order_key(x)) for k, x in struct_items(v))))
    return (9, tuple(sorted(order_key(x) for x in v)))


def compare(a: Any, b: Any) -> int | None:
    """-1, 0 or 1 for comparable values (numbers, text, timestamps, bools, lobs), else None."""
    ca, cb = tcode(a), tcode(b)
    if ca in NUMERIC and cb in NUMERIC:
        # Decimal raises on ordering against NaN: a NaN compares with a decimal as it does
        # with an int or a float (as a float).
        if isinstance(a, float) and isinstance(b, Decimal):
            if math.isfinite(a):
                a = Decimal(repr(a))
            elif math.isnan(a):
                b = float(b)
        elif isinstance(b, float) and isinstance(a, Decimal):
            if math.isfinite(b):
                b = Decimal(repr(b))
            elif math.isnan(b):
                a = float(a)
    elif ca in TEXT and cb in TEXT:
        a, b = text_of(a), text_of(b)
    elif ca == cb == T_TIMESTAMP:
        a, b = instant(a), instant(b)
    elif ca == cb and ca in (T_BOOL, T_BLOB, T_CLOB):
        a, b = (bool(a), bool(b)) if ca == T_BOOL else (bytes(a), bytes(b))
    else:
        return None
    return -1 if a < b else (1 if a > b else 0)


def clone(v: Any) -> Any:
    """A deep copy of containers (scalars are immutable), keeping Ion types and annotations."""
    if isinstance(v, IonPyDict):
        out = IonPyDict()
        for k, x in v.iteritems():
            out.add_item(k, clone(x))
        out.ion_annotations = v.ion_annotations
        return out
    if isinstance(v, IonPyList):
        out_l = IonPyList([clone(x) for x in v])
        out_l.ion_type = v.ion_type
        out_l.ion_annotations = v.ion_annotations
        return out_l
    if isinstance(v, Bag):
        return Bag(clone(x) for x in v)
    if isinstance(v, dict):
        return {k: clone(x) for k, x in v.items()}
    if isinstance(v, list):
        return [clone(x) for x in v]
    return v


def to_ion(v: Any) -> Any:
    """A query value made storable/printable: bags become lists, MISSING fields are dropped.

    Ion containers (IonPyDict/IonPyList) come from storage or Ion literals and can hold
    neither bags nor MISSING, so they are returned as they are (no copy per result row).
    """
    if v is MISSING:
        return None
    if isinstance(v, (IonPyDict, IonPyList)):
        return v
    if isinstance(v, dict):
        return {k: to_ion(x) for k, x in v.items() if x is not MISSING}
    if isinstance(v, list):  # Bag too: Ion has no bag, QLDB shows them as lists
        return [to_ion(x) for x in v]
    return v


def make_symbol(text: str) -> IonPySymbol:
    return IonPySymbol.from_value(IonType.SYMBOL, text)
