"""Helpers shared by the query tests."""

from __future__ import annotations

from typing import Any

from ledger_desktop.engine.ledger import Ledger


def value(ledger: Ledger, expr: str, *params: Any) -> Any:
    """The value of one expression, evaluated the way QLDB's guide does (FROM << 0 >>)."""
    result = ledger.execute(f"SELECT VALUE {expr} FROM << 0 >>", *params)
    assert len(result.values) <= 1
    return result.values[0] if result.values else "<MISSING>"
