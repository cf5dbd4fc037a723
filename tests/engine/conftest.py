"""Fixtures shared by the engine tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger_desktop.engine.ledger import Ledger


@pytest.fixture
def t_ledger(tmp_path: Path) -> Iterator[Ledger]:
    """A ledger with one table T holding one document {n: 0}."""
    led = Ledger.create(tmp_path / "t.ledger")
    led.execute("CREATE TABLE T")
    led.execute("INSERT INTO T `{n: 0}`")
    yield led
    led.close()
