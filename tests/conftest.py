"""Shared test set-up. Qt must see the offscreen platform before it is first imported."""

from __future__ import annotations

import gc
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    # As in the app (ui/gc_pacing.py): garbage cycles are collected on the main thread only.
    # An automatic collection runs in whichever thread allocates, and a worker thread that
    # collected an earlier test's closed widgets destroyed them off the GUI thread.
    gc.disable()


_tests_run = 0
YOUNG_OBJECTS = 100_000   # tracked objects allocated since the last collection


@pytest.fixture(autouse=True)
def _collect_on_the_main_thread():
    """Between tests, as an automatic collection would: after a test that allocated much, and
    every 50 tests (a full collection after every test cost 70 ms each)."""
    global _tests_run
    yield
    _tests_run += 1
    if _tests_run % 50 == 0 or gc.get_count()[0] > YOUNG_OBJECTS:
        gc.collect()
