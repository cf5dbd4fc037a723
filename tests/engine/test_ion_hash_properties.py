"""Property tests: field order never changes a hash, any change to a value does, hashes survive
an Ion round trip, `dot` is commutative and Merkle paths fold to the root."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from decimal import Decimal
from typing import Any

from amazon.ion import simpleion
from amazon.ion.core import IonType, Timestamp, TimestampPrecision
from amazon.ion.simple_types import (
    IonPyBytes,
    IonPyDict,
    IonPyInt,
    IonPyList,
    IonPyNull,
    IonPyText,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger_desktop.engine.ion_hash import dot, fold, ion_hash, merkle_path, merkle_root

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# --- value strategies -----------------------------------------------------------------------

_OFFSETS = [None, dt.UTC, dt.timezone(dt.timedelta(minutes=-754)),
            dt.timezone(dt.timedelta(hours=5, minutes=30))]


@st.composite
def timestamps(draw: st.DrawFn) -> Timestamp:
    precision = draw(st.sampled_from(list(TimestampPrecision)))
    # With an offset, year 1 could put the UTC instant, which Ion binary holds, before year 1.
    year = draw(st.integers(1 if precision < TimestampPrecision.MINUTE else 2, 9998))
    month = draw(st.integers(1, 12)) if precision >= TimestampPrecision.MONTH else 1
    day = draw(st.integers(1, 28)) if precision >= TimestampPrecision.DAY else 1
    if precision < TimestampPrecision.MINUTE:
        return Timestamp(year, month, day, precision=precision)
    hour, minute = draw(st.integers(0, 23)), draw(st.integers(0, 59))
    tz = draw(st.sampled_from(_OFFSETS))
    if precision == TimestampPrecision.MINUTE:
        return Timestamp(year, month, day, hour, minute, tzinfo=tz, precision=precision)
    second = draw(st.integers(0, 59))
    digits = draw(st.integers(0, 9))
    coefficient = draw(st.integers(0, 10 ** digits - 1))
    fraction = Decimal(coefficient).scaleb(-digits) if digits else None
    return Timestamp(year, month, day, hour, minute, second, None, tz, precision=precision,
                     fractional_seconds=fraction)


# amazon.ion's C extension rounds decimals to 34 digits when writing, so longer ones cannot
# round-trip (the hash of the rounded value is then, correctly, different).
decimals = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
    lambda d: -100 < d.as_tuple().exponent < 100 and len(d.as_tuple().digits) <= 34)
text = st.text(max_size=12)

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2 ** 70), 2 ** 70),
    st.floats(allow_nan=True, allow_infinity=True), decimals, text, st.binary(max_size=12),
    timestamps(),
    text.map(lambda s: IonPyText.from_value(IonType.SYMBOL, s)),
    st.binary(max_size=8).map(lambda b: IonPyBytes.from_value(IonType.CLOB, b)),
    st.sampled_from([IonType.INT, IonType.STRING, IonType.STRUCT]).map(
        lambda t: IonPyNull.from_value(t, None)),
    st.tuples(st.integers(-5, 300), st.lists(st.sampled_from(["a", "b", "ann"]), min_size=1,
                                              max_size=3)).map(
        lambda p: IonPyInt.from_value(IonType.INT, p[0], tuple(p[1]))),
    st.tuples(text, st.sampled_from([("a",), ("x", "y")])).map(
        lambda p: IonPyText.from_value(IonType.STRING, p[0], p[1])),
)


def _struct(pairs: list[tuple[str, Any]]) -> IonPyDict:
    d = IonPyDict()
    for k, v in pairs:
        d.add_item(k, v)
    return d


values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(lambda xs: IonPyList.from_value(IonType.SEXP, xs)),
        st.lists(st.tuples(st.text(max_size=5), inner), max_size=5).map(_struct),
    ),
    max_leaves=12,
)
documents = st.lists(st.tuples(st.text(max_size=6), values), min_size=1, max_size=6).map(_struct)

# --- struct field order -----------------------------------------------------------------------


@SETTINGS
@given(pairs=st.lists(st.tuples(st.sampled_from("abcde"), values), max_size=8),
       seed=st.integers(0, 2 ** 32))
def test_field_order_never_changes_the_hash(pairs: list[tuple[str, Any]], seed: int) -> None:
    shuffled = list(pairs)
    random.Random(seed).shuffle(shuffled)
    assert ion_hash(_struct(pairs)) == ion_hash(_struct(shuffled))


# --- round trip ---------------------------------------------------------------------------------


@SETTINGS
@given(value=documents)
def test_hash_survives_an_ion_round_trip(value: IonPyDict) -> None:
    """Hashing what we hold equals hashing what amazon.ion reads back (binary and text)."""
    h = ion_hash(value)
    assert ion_hash(simpleion.loads(simpleion.dumps(value, binary=True))) == h
    assert ion_hash(simpleion.loads(simpleion.dumps(value, binary=False))) == h


# --- any change changes the hash --------------------------------------------------------------


def _changes(x: Any) -> list[Any]:
    """Values that differ from `x` in the Ion data model (type, precision, scale, content)."""
    ion_type = getattr(x, "ion_type", None)
    if getattr(x, "ion_annotations", ()) and isinstance(x, (IonPyInt, IonPyText)):
        plain = type(x).from_value(ion_type, x, ())
        return [plain, type(x).from_value(ion_type, x, tuple(reversed(x.ion_annotations)) + ("z",))]
    if isinstance(x, IonPyNull) or x is None:
        return [IonPyNull.from_value(IonType.BOOL, None), False, 0]
    if isinstance(x, bool):
        return [not x, int(x)]
    if isinstance(x, int):
        return [x + 1, Decimal(x), -x - 1]
    if isinstance(x, float):
        return [Decimal(1), 0.5 if x != 0.5 else 0.25, str(x)]
    if isinstance(x, Decimal):
        sign, digits, exponent = x.as_tuple()
        return [Decimal((sign, digits + (0,), exponent - 1)),  # same number, one more digit
                Decimal((sign, digits, exponent + 1)), float(1)]
    if isinstance(x, Timestamp):
        if x.precision >= TimestampPrecision.SECOND:
            one_more_digit = (x.fractional_seconds or Decimal(0)).quantize(
                Decimal(1).scaleb(-(_fraction_digits(x) + 1)))
            return [Timestamp(x.year, x.month, x.day, x.hour, x.minute, x.second, None,
                              x.tzinfo, precision=x.precision, fractional_seconds=one_more_digit),
                    Timestamp(x.year, x.month, x.day, x.hour, x.minute, tzinfo=x.tzinfo,
                              precision=TimestampPrecision.MINUTE)]
        return [Timestamp(x.year + 1 if x.year < 9998 else x.year - 1, x.month, x.day,
                          precision=x.precision)]
    if isinstance(x, str):
        changed = [x + "a"]
        if x:
            changed.append(("b" if x[0] == "a" else "a") + x[1:])
        changed.append(IonPyText.from_value(
            IonType.STRING if ion_type == IonType.SYMBOL else IonType.SYMBOL, str(x)))
        return changed
    if isinstance(x, bytes):
        other = IonType.BLOB if ion_type == IonType.CLOB else IonType.CLOB
        return [bytes(x) + b"\0", IonPyBytes.from_value(other, bytes(x))]
    if isinstance(x, IonPyDict):
        pairs = list(x.iteritems())
        changed = [_struct(pairs + [("new", 1)])]
        if pairs:
            changed.append(_struct([(pairs[0][0] + "x", pairs[0][1])] + pairs[1:]))
            changed.append(_struct(pairs[1:]))
        return changed
    if isinstance(x, list):
        items = list(x)
        changed: list[Any] = [items + [None]]
        if items:
            changed.append(items[:-1])
        other = IonType.LIST if ion_type == IonType.SEXP else IonType.SEXP
        changed.append(IonPyList.from_value(other, items))
        return changed
    raise AssertionError(f"no change defined for {type(x)}")


def _fraction_digits(ts: Timestamp) -> int:
    if ts.fractional_seconds is None:
        return ts.fractional_precision
    return max(0, -ts.fractional_seconds.as_tuple().exponent)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every position inside `value` (struct item index or list index), depth first."""
    out = [prefix]
    if isinstance(value, IonPyDict):
        for i, (_k, v) in enumerate(value.iteritems()):
            out += _paths(v, prefix + (i,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, prefix + (i,))
    return out


def _get(value: Any, path: tuple) -> Any:
    for i in path:
        value = list(value.iteritems())[i][1] if isinstance(value, IonPyDict) else value[i]
    return value


def _replace(value: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    i, rest = path[0], path[1:]
    if isinstance(value, IonPyDict):
        pairs = list(value.iteritems())
        pairs[i] = (pairs[i][0], _replace(pairs[i][1], rest, new))
        return _struct(pairs)
    items = list(value)
    items[i] = _replace(items[i], rest, new)
    if getattr(value, "ion_type", None) == IonType.SEXP:
        return IonPyList.from_value(IonType.SEXP, items)
    return items


@SETTINGS
@given(doc=documents, data=st.data())
def test_any_changed_value_changes_the_hash(doc: IonPyDict, data: st.DataObject) -> None:
    original = ion_hash(doc)
    path = data.draw(st.sampled_from(_paths(doc)))
    for new in _changes(_get(doc, path)):
        assert ion_hash(_replace(doc, path, new)) != original, (path, new)


def test_specific_differences() -> None:
    assert len({ion_hash(Decimal("1.0")), ion_hash(Decimal("1.00")), ion_hash(1)}) == 3
    assert ion_hash("x") != ion_hash(IonPyText.from_value(IonType.SYMBOL, "x"))


# --- dot and Merkle ---------------------------------------------------------------------------

hashes32 = st.binary(min_size=32, max_size=32)


@SETTINGS
@given(a=hashes32, b=hashes32)
def test_dot_is_commutative(a: bytes, b: bytes) -> None:
    assert dot(a, b) == dot(b, a)
    assert len(dot(a, b)) == 32


@SETTINGS
@given(leaves=st.lists(hashes32, min_size=1, max_size=70), data=st.data())
def test_merkle_path_folds_to_root(leaves: list[bytes], data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(leaves) - 1))
    assert fold(leaves[index], merkle_path(leaves, index)) == merkle_root(leaves)


def _signed_reversed(h: bytes) -> list[int]:
    """QLDB's ordering key, spelled out: bytes as signed values, last byte first."""
    return [b - 256 if b > 127 else b for b in reversed(h)]


@SETTINGS
@given(a=hashes32, b=hashes32, same_tail=st.integers(0, 3))
def test_dot_orders_by_signed_bytes_from_the_end(a: bytes, b: bytes, same_tail: int) -> None:
    # Share the last `same_tail` bytes so ties on the last byte take the full comparison.
    if same_tail:
        b = b[:-same_tail] + a[-same_tail:]
    first, second = (a, b) if _signed_reversed(a) <= _signed_reversed(b) else (b, a)
    assert dot(a, b) == hashlib.sha256(first + second).digest()


@SETTINGS
@given(documents)
def test_hash_of_bare_values_equals_hash_of_ionpy_values(value: IonPyDict) -> None:
    # Verification reads block bodies with amazon.ion's MAY_BE_BARE value model (plain str,
    # int, list, SymbolToken...); their hash must be the hash of the same value as IonPy.
    blob = simpleion.dumps(value, binary=True)
    bare = simpleion.loads(blob, value_model=simpleion.IonPyValueModel.MAY_BE_BARE)
    assert ion_hash(bare) == ion_hash(simpleion.loads(blob))
