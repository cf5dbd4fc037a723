"""QLDB's scalar functions and CAST. Aggregates (COUNT, SUM, AVG, MIN, MAX) live in `select.py`.

Unless noted, a function returns NULL when an argument is NULL or MISSING, as QLDB documents
("PartiQL functions in Amazon QLDB": `CHAR_LENGTH(missing)` is null); CAST has its own table. Wrong argument types raise `FnError`, which the caller
turns into a QueryError that points at the call.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from amazon.ion import simpleion
from amazon.ion.core import IonType

from ..ion_values import MAX_INT_BITS, loads
from . import datetime_fns as D
from .values import (
    MISSING,
    NUMERIC,
    SEQUENCES,
    T_BOOL,
    T_DECIMAL,
    T_FLOAT,
    T_INT,
    T_STRING,
    T_STRUCT,
    T_TIMESTAMP,
    TEXT,
    Bag,
    is_absent,
    make_symbol,
    tcode,
    text_of,
    type_name,
)


class FnError(ValueError):
    pass


AGGREGATES = frozenset({"COUNT", "SUM", "AVG", "MIN", "MAX"})

#: Functions QLDB documents (strict mode accepts only these, plus aggregates and HISTORY).
QLDB_FUNCTIONS = frozenset({"AVG", "COUNT", "MAX", "MIN", "SIZE", "SUM", "COALESCE", "EXISTS",
                            "NULLIF", "DATE_ADD", "DATE_DIFF", "EXTRACT", "TO_STRING",
                            "TO_TIMESTAMP", "UTCNOW", "TXID", "CHAR_LENGTH",
                            "CHARACTER_LENGTH", "LOWER", "SUBSTRING", "TRIM", "UPPER", "CAST",
                            "HISTORY"})


def _text(v: Any, fn: str) -> str:
    if tcode(v) not in TEXT:
        raise FnError(f"{fn} expects a string, got {type_name(v)}")
    return text_of(v)


# A number as CAST reads it from text: ASCII digits, no '_' (Python's int() and Decimal()
# take '1_000' and other scripts' digits).
_NUMBER_TEXT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
# The widest int a value may hold, in decimal digits (ion_values.MAX_INT_BITS is ~4,214).
_MAX_INT_DIGITS = 4_200


def whole(d: Decimal) -> int | None:
    """int(d) truncated, or None when it would be wider than an int may be. Checked on the
    exponent first: int(Decimal('1e999999999')) builds a billion-digit number, a hang."""
    if not d.is_finite() or d.adjusted() >= _MAX_INT_DIGITS:
        return None
    n = int(d)
    return n if n.bit_length() <= MAX_INT_BITS else None


def _int(v: Any, fn: str) -> int:
    if tcode(v) == T_INT:
        return int(v)
    if tcode(v) == T_DECIMAL:
        n = whole(Decimal(v))
        if n is not None and n == v:
            return n
    raise FnError(f"{fn} expects an integer, got {type_name(v)}")


def _ts(v: Any, fn: str) -> Any:
    if tcode(v) != T_TIMESTAMP:
        raise FnError(f"{fn} expects a timestamp, got {type_name(v)}")
    return v


# ---------------------------------------------------------------- string functions
def char_length(s: Any) -> int:
    return len(_text(s, "CHAR_LENGTH"))


# UPPER, LOWER, SUBSTRING and TRIM return a string for a symbol too: QLDB documents their
# return type as string, and the PartiQL implementation of QLDB's time (partiql-lang-kotlin's
# 2019 BuiltinFunctions.kt) builds `newString(...)` for either.
def lower(s: Any) -> str:
    return _text(s, "LOWER").lower()


def upper(s: Any) -> str:
    return _text(s, "UPPER").upper()


def substring(s: Any, start: Any, length: Any = None) -> str:
    text = _text(s, "SUBSTRING")
    b = _int(start, "SUBSTRING")
    if length is None:
        first = max(b, 1)
        return text[first - 1:]
    n = _int(length, "SUBSTRING")
    if n < 0:
        raise FnError("SUBSTRING's length cannot be negative")
    first, last = max(b, 1), b + n  # SQL: characters b .. b+n-1, clipped to the string
    if last <= first:
        return ""
    return text[first - 1:last - 1]


def trim(spec: str, chars: Any, s: Any) -> str:
    text = _text(s, "TRIM")
    strip = " " if chars is None else _text(chars, "TRIM")
    if spec == "leading":
        out = text.lstrip(strip)
    elif spec == "trailing":
        out = text.rstrip(strip)
    else:
        out = text.strip(strip)
    return out


# ---------------------------------------------------------------- collections, conditionals
def size(c: Any) -> int:
    code = tcode(c)
    if code in SEQUENCES or code == T_STRUCT:
        return len(c)
    raise FnError(f"SIZE expects a list, bag, sexp or struct, got {type_name(c)}")


def exists(c: Any) -> bool:
    if is_absent(c):
        return False
    code = tcode(c)
    if code in SEQUENCES or code == T_STRUCT:
        return len(c) > 0
    return False


# ---------------------------------------------------------------- dates
def date_add(part: str, n: Any, ts: Any) -> Any:
    try:
        return D.date_add(part, _int(n, "DATE_ADD"), _ts(ts, "DATE_ADD"))
    except D.DateError as e:
        raise FnError(f"DATE_ADD: {e}") from None


def date_diff(part: str, a: Any, b: Any) -> int:
    try:
        return D.date_diff(part, _ts(a, "DATE_DIFF"), _ts(b, "DATE_DIFF"))
    except D.DateError as e:
        raise FnError(f"DATE_DIFF: {e}") from None


def extract(part: str, ts: Any) -> Any:
    try:
        return D.extract(part, _ts(ts, "EXTRACT"))
    except D.DateError as e:
        raise FnError(f"EXTRACT: {e}") from None


def to_string(ts: Any, pattern: Any) -> str:
    try:
        return D.to_string(_ts(ts, "TO_STRING"), _text(pattern, "TO_STRING"))
    except D.DateError as e:
        raise FnError(f"TO_STRING: {e}") from None


def to_timestamp(s: Any, pattern: Any = None) -> Any:
    text = _text(s, "TO_TIMESTAMP")
    if pattern is None:
        return _parse_ion_timestamp(text)
    try:
        return D.to_timestamp(text, _text(pattern, "TO_TIMESTAMP"))
    except D.DateError as e:
        raise FnError(f"TO_TIMESTAMP: {e}") from None


def _parse_ion_timestamp(text: str) -> Any:
    try:
        v = loads(text)  # exactly: a fraction of 10+ digits stays (ion_values.ion_c_alters)
    except Exception:
        v = None
    if v is None or getattr(v, "ion_type", None) != IonType.TIMESTAMP:
        raise FnError(f"{text!r} is not an Ion timestamp (e.g. 2019-06-01T or "
                      "2019-06-01T10:30:00Z)")
    return v


# ---------------------------------------------------------------- CAST
_CAST_NAMES = {
    "string": "string", "varchar": "string", "char": "string", "text": "string",
    "character": "string", "symbol": "symbol",
    "int": "int", "integer": "int", "smallint": "int", "bigint": "int", "int2": "int",
    "int4": "int", "int8": "int", "integer2": "int", "integer4": "int", "integer8": "int",
    "float": "float", "real": "float", "double": "float", "double_precision": "float",
    "decimal": "decimal", "numeric": "decimal", "dec": "decimal",
    "bool": "bool", "boolean": "bool", "timestamp": "timestamp",
    "list": "list", "sexp": "sexp", "bag": "bag", "struct": "struct", "tuple": "struct",
    "null": "null", "missing": "missing",
}


def cast_target(name: str) -> str | None:
    return _CAST_NAMES.get(name.lower())


def _number_text(v: Any) -> str:
    code = tcode(v)
    if code == T_INT:
        return str(int(v))
    if code == T_DECIMAL:
        d = Decimal(v)
        return str(d) if "E" not in str(d) else simpleion.dumps(
            d, binary=False, omit_version_marker=True).strip()
    f = float(v)
    if math.isfinite(f):
        return repr(f)  # the shortest text that reads back as f: 0.1, not 0.10000000000000000555e+0
    return "nan" if math.isnan(f) else "+inf" if f > 0 else "-inf"  # Ion's spellings


def cast(v: Any, target: str) -> Any:
    """CAST(v AS target), with QLDB's rules ("CAST function in Amazon QLDB"): MISSING stays
    MISSING and NULL stays NULL, except AS null (always NULL) and AS missing (always MISSING);
    no other value can be cast to NULL or MISSING."""
    if v is MISSING:
        return None if target == "null" else MISSING
    if is_absent(v):
        return MISSING if target == "missing" else None
    if target in ("null", "missing"):
        raise FnError(f"cannot cast {type_name(v)} {_show(v)} to {target}: only NULL and "
                      "MISSING can be")
    code = tcode(v)

    def bad() -> FnError:  # built only when it fails: _show writes the value as Ion
        return FnError(f"cannot cast {type_name(v)} {_show(v)} to {target}")

    if target in ("string", "symbol"):
        if code in TEXT:
            text = text_of(v)
        elif code in NUMERIC:
            text = _number_text(v)
        elif code == T_BOOL:
            text = "true" if v else "false"
        elif code == T_TIMESTAMP:
            text = simpleion.dumps(v, binary=False, omit_version_marker=True).strip()
        else:
            raise bad()
        return make_symbol(text) if target == "symbol" else text
    if target == "int":
        if code == T_INT:
            return int(v)
        if code == T_BOOL:
            return 1 if v else 0
        if code == T_FLOAT:
            if not math.isfinite(v):
                raise bad()
            return int(v)  # at most 309 digits
        if code == T_DECIMAL:
            n = whole(Decimal(v))
            if n is None:
                raise bad()
            return n
        if code in TEXT:
            text = text_of(v).strip()
            if not _NUMBER_TEXT.fullmatch(text):  # not Python's '1_000' or '١٢'
                raise bad()
            try:
                n = whole(Decimal(text))
            except InvalidOperation:
                raise bad() from None
            if n is None:
                raise bad()
            return n
        raise bad()
    if target == "decimal":
        if code == T_BOOL:
            return Decimal(1 if v else 0)
        if code == T_INT:
            return Decimal(int(v))
        if code == T_DECIMAL:
            return v
        # Ion decimals have no NaN or infinity (and amazon.ion's writer hangs on them)
        if code == T_FLOAT:
            if not math.isfinite(v):
                raise bad()
            return Decimal(repr(float(v)))
        if code in TEXT:
            text = text_of(v).strip()
            if not _NUMBER_TEXT.fullmatch(text):
                raise bad()
            try:
                d = Decimal(text)
            except InvalidOperation:
                raise bad() from None
            if not d.is_finite():
                raise bad()
            return d
        raise bad()
    if target == "float":
        if code in NUMERIC:
            return float(v)
        if code == T_BOOL:
            return 1.0 if v else 0.0
        if code in TEXT:
            text = text_of(v).strip()
            if "_" in text or not text.isascii():  # Python's float() takes '1_0' and '١'
                raise bad()
            try:
                return float(text)
            except ValueError:
                raise bad() from None
        raise bad()
    if target == "bool":
        if code == T_BOOL:
            return bool(v)
        if code in NUMERIC:
            return v != 0
        if code in TEXT:  # QLDB: 'true' (any case) is true, any other text false
            return text_of(v).strip().lower() == "true"
        raise bad()
    if target == "timestamp":
        if code == T_TIMESTAMP:
            return v
        if code in TEXT:
            try:
                return _parse_ion_timestamp(text_of(v).strip())
            except FnError:
                raise bad() from None
        raise bad()
    if target in ("list", "sexp", "bag"):
        if code in SEQUENCES:
            items = list(v)
            if target == "bag":
                return Bag(items)
            if target == "sexp":
                from amazon.ion.simple_types import IonPyList

                out = IonPyList(items)
                out.ion_type = IonType.SEXP
                return out
            return items
        raise bad()
    if target == "struct":
        if code == T_STRUCT:
            return v
        raise bad()
    raise FnError(f"unknown CAST type {target!r}")  # pragma: no cover - checked at compile


def _show(v: Any) -> str:
    if tcode(v) == T_STRING:
        return repr(str(v))
    try:
        return simpleion.dumps(v, binary=False, omit_version_marker=True).strip()[:40]
    except Exception:
        return repr(v)[:40]


# ---------------------------------------------------------------- registry
# name -> (function, min args, max args). Date parts arrive as the first argument's name.
SCALARS: dict[str, tuple[Callable[..., Any], int, int]] = {
    "CHAR_LENGTH": (char_length, 1, 1),
    "CHARACTER_LENGTH": (char_length, 1, 1),
    "LOWER": (lower, 1, 1),
    "UPPER": (upper, 1, 1),
    "SUBSTRING": (substring, 2, 3),
    "SIZE": (size, 1, 1),
    "TO_STRING": (to_string, 2, 2),
    "TO_TIMESTAMP": (to_timestamp, 1, 2),
}

DATE_PART_FUNCTIONS = {"DATE_ADD": (date_add, 3), "DATE_DIFF": (date_diff, 3),
                       "EXTRACT": (extract, 2)}
