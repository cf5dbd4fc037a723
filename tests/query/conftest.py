"""Fixtures for the query layer: fresh ledgers and QLDB's DMV sample ledger."""

from __future__ import annotations

import pytest

from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.sample import build_sample


@pytest.fixture
def ledger(tmp_path):
    with Ledger.create(tmp_path / "q.ledger") as led:
        yield led


@pytest.fixture
def sample(tmp_path):
    path = build_sample(tmp_path / "dmv.ledger")
    with Ledger.open(path) as led:
        yield led

