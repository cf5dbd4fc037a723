"""Fixtures for driving the real widgets: an app context in a temporary profile, a main window,
and a freshly built sample ledger per test."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def sample_ledger(tmp_path: Path) -> Path:
    from ledger_desktop.engine.sample import build_sample

    return build_sample(tmp_path / "sample.ledger")


@pytest.fixture
def proof_files(sample_ledger: Path, tmp_path: Path) -> Path:
    """block.ion, proof.ion and digest.json of the sample's block 7, as a user keeps them."""
    from ledger_desktop.engine import digest_file
    from ledger_desktop.engine.ion_values import dumps_text
    from ledger_desktop.engine.ledger import Ledger

    with Ledger.open(sample_ledger, read_only=True) as led:
        digest = led.digest()
        block, proof = led.get_block(f"{led.strand_id}:7", digest.tip)
    (tmp_path / "block.ion").write_text(dumps_text(block))
    (tmp_path / "proof.ion").write_text(dumps_text(proof))
    digest_file.write_digest(tmp_path / "digest.json", digest)
    return tmp_path


@pytest.fixture(autouse=True)
def _modifiers_released(qtbot):
    """No test leaves a modifier key held. `qtbot.keyClick(w, Key_C, ControlModifier)` sends
    its release with Ctrl still set, and Qt keeps that as the keyboard state: the next test's
    `selectRow` then added to the selection (Ctrl+click) instead of replacing it."""
    yield
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QWidget

    if QGuiApplication.keyboardModifiers() != Qt.KeyboardModifier.NoModifier:
        QTest.keyClick(QWidget(), Qt.Key.Key_Shift)  # an event with none set resets it


@pytest.fixture
def ctx(qtbot):
    from ledger_desktop.ui.context import AppContext
    from ledger_desktop.ui.settings import Profile, Settings

    profile = Profile.create(temporary=False)  # LEDGER_DESKTOP_PROFILE points into tmp
    context = AppContext(Settings(profile), profile)
    yield context
    context.shutdown()


@pytest.fixture
def window(qtbot, ctx):
    from ledger_desktop.ui.main_window import MainWindow

    win = MainWindow(ctx)
    # pytest-qt closes the window before this fixture ends: a PartiQL draft or transaction a
    # test left behind must not hold that close on a question nobody answers
    qtbot.addWidget(win, before_close_func=lambda w: setattr(w, "unattended", True))
    win.resize(1200, 800)
    win.show()
    yield win
    win.unattended = True  # a test that left a transaction open must not wait on a question
    win.close()


def open_workspace(qtbot, window, path):
    """Open `path` and wait until its catalog and first documents page are loaded."""
    window.open_ledger(path)
    ws = window.current_workspace()
    assert ws is not None
    qtbot.wait_until(lambda: ws.ever_loaded, timeout=10000)
    return ws


def documents_view(qtbot, ws, name):
    table = ws.table_by_name(name)
    view = ws.open_table(table)
    qtbot.wait_until(lambda: view.model.rowCount() > 0 or view.model.exhausted, timeout=10000)
    return view
