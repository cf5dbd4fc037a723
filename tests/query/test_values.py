"""PartiQL value helpers agree with each other and with the engine's index keys."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from amazon.ion.core import IonType, Timestamp, TimestampPrecision
from amazon.ion.simple_types import IonPySymbol
from hypothesis import given
from hypothesis import strategies as st

from ledger_desktop.engine.index_keys import index_key
from ledger_desktop.engine.query.values import (
    MISSING,
    Bag,
    compare,
    equal,
    group_key,
    order_key,
    to_ion,
)

numbers = st.one_of(
    st.integers(-5, 5),
    st.integers(-50, 50).map(lambda i: Decimal(i).scaleb(-1)),
    st.integers(-5, 5).map(lambda i: Decimal(i).quantize(Decimal("0.00"))),
    st.integers(-50, 50).map(lambda i: i / 10),
    st.integers(-5, 5).map(float),
)
texts = st.sampled_from(["a", "b", ""]).flatmap(
    lambda t: st.sampled_from([t, IonPySymbol.from_value(IonType.SYMBOL, t)]))
stamps = st.sampled_from([
    Timestamp(2019, 1, 1, precision=TimestampPrecision.DAY),
    Timestamp(2019, 1, 1, 0, 0, 0, 0, dt.UTC, precision=TimestampPrecision.SECOND),
    Timestamp(2019, 1, 1, 2, 0, 0, 0, dt.timezone(dt.timedelta(hours=2)),
              precision=TimestampPrecision.MINUTE),
    Timestamp(2020, 1, 1, precision=TimestampPrecision.YEAR),
])
scalars = st.one_of(numbers, texts, stamps, st.booleans(), st.sampled_from([b"x", b"y"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from("xyz"), inner, max_size=3)),
    max_leaves=6)


@given(scalars, scalars)
def test_equal_matches_index_keys(a, b):
    assert equal(a, b) == (index_key(a) == index_key(b))


@given(values, values)
def test_equal_matches_group_keys(a, b):
    assert equal(a, b) == (group_key(a) == group_key(b))


@given(scalars, scalars)
def test_compare_is_consistent_with_equal_and_order(a, b):
    c = compare(a, b)
    if c is not None:
        assert (c == 0) == equal(a, b)
        assert compare(b, a) == -c
        if c < 0:
            assert order_key(a) < order_key(b)


def test_to_ion_turns_bags_into_lists_and_drops_missing():
    assert to_ion({"a": Bag([1, MISSING]), "b": MISSING}) == {"a": [1, None]}
    assert to_ion(MISSING) is None


@given(st.lists(values, max_size=8))
def test_order_key_is_total(vs):
    ordered = sorted(vs, key=order_key)
    for a, b in zip(ordered, ordered[1:], strict=False):
        assert order_key(a) <= order_key(b)


def test_nan_compares_with_a_decimal_as_with_an_int():
    # Decimal refuses to order against NaN (InvalidOperation); a NaN compares as a float.
    nan = float("nan")
    for d in (Decimal("1.0"), Decimal("-2"), Decimal("0E-3")):
        assert compare(nan, d) == compare(nan, int(d)) == 0
        assert compare(d, nan) == compare(int(d), nan) == 0
    assert compare(float("inf"), Decimal("1E+400")) == 1  # infinities still exact
