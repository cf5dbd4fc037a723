"""Reliability suite set-up: long variants (`@pytest.mark.slow`) run only when asked for.

`python3 -m pytest tests/reliability -m slow` (or LEDGER_SLOW_TESTS=1) runs them; the default
run keeps their fast variants only, so CI stays quick.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "slow" in (config.getoption("-m") or "") or os.environ.get("LEDGER_SLOW_TESTS"):
        return
    skip = pytest.mark.skip(reason="long variant: run with -m slow")
    for item in items:
        if "slow" in item.keywords and _HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(skip)
