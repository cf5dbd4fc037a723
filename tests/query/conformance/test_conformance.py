"""Runs the developer-guide corpus (dmv_corpus.ion) in order against the DMV sample ledger."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from amazon.ion import simpleion

from ledger_desktop.engine.errors import UserError
from ledger_desktop.engine.ion_values import dumps_text
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.query.values import (
    NUMERIC,
    T_DECIMAL,
    T_LIST,
    T_SEXP,
    T_STRUCT,
    T_TIMESTAMP,
    struct_items,
    tcode,
)
from ledger_desktop.engine.sample import build_sample

CORPUS = Path(__file__).with_name("dmv_corpus.ion")
CASES = simpleion.loads(CORPUS.read_text("utf-8"), single_value=False)


def ion_equivalent(a: Any, b: Any) -> bool:
    """Ion equivalence: same type, value, decimal scale, timestamp precision and offset."""
    ca, cb = tcode(a), tcode(b)
    if ca != cb:
        return False
    if tuple(str(getattr(x, "text", x)) for x in getattr(a, "ion_annotations", ())) != \
            tuple(str(getattr(x, "text", x)) for x in getattr(b, "ion_annotations", ())):
        return False
    if ca == T_DECIMAL:
        return Decimal(a).as_tuple() == Decimal(b).as_tuple()
    if ca in NUMERIC:
        return a == b
    if ca == T_TIMESTAMP:
        return dumps_text(a) == dumps_text(b)
    if ca in (T_LIST, T_SEXP):
        return len(a) == len(b) and all(ion_equivalent(x, y) for x, y in zip(a, b, strict=True))
    if ca == T_STRUCT:
        return bag_equivalent(sorted(struct_items(a), key=lambda kv: kv[0]),
                              sorted(struct_items(b), key=lambda kv: kv[0]), pairs=True)
    return dumps_text(a) == dumps_text(b)


def bag_equivalent(actual: list, expected: list, pairs: bool = False) -> bool:
    if len(actual) != len(expected):
        return False
    left = list(actual)
    for e in expected:
        for i, a in enumerate(left):
            same = (a[0] == e[0] and ion_equivalent(a[1], e[1])) if pairs else \
                ion_equivalent(a, e)
            if same:
                del left[i]
                break
        else:
            return False
    return True


@pytest.fixture(scope="module")
def dmv(tmp_path_factory):
    path = build_sample(tmp_path_factory.mktemp("conformance") / "dmv.ledger")
    with Ledger.open(path) as ledger:
        yield ledger


def test_corpus_is_well_formed():
    ids = [str(c["id"]) for c in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 150
    for c in CASES:
        assert "statement" in c and "source" in c
        assert sum(k in c for k in ("expected", "expected_count", "error")) == 1, c["id"]


@pytest.mark.parametrize("case", CASES, ids=[str(c["id"]) for c in CASES])
def test_case(dmv, case):
    params = list(case["params"]) if "params" in case else []
    statement = str(case["statement"])
    if "error" in case:
        with pytest.raises(UserError) as e:
            dmv.execute(statement, *params)
        assert str(case["error"]) in str(e.value)
        return
    values = dmv.execute(statement, *params).values
    if "expected_count" in case:
        assert len(values) == case["expected_count"]
        return
    expected = list(case["expected"])
    shown = [dumps_text(v) for v in values]
    if case.get("ordered", False):
        assert len(values) == len(expected) and all(
            ion_equivalent(a, e) for a, e in zip(values, expected, strict=True)), shown
    else:
        assert bag_equivalent(values, expected), shown
