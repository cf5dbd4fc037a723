"""Start-up: the welcome view, the sample built on first use, flags and environment."""

from __future__ import annotations

from ledger_desktop.ui.app import parse_args
from tests.ui.conftest import open_workspace


def test_welcome_tab_and_sample_built_on_first_use(qtbot, window, ctx):
    assert window.tabs.count() == 1
    assert window.tabs.widget(0) is window.welcome
    assert not ctx.profile.sample_path.exists()
    window.open_sample()
    qtbot.wait_until(lambda: window.current_workspace() is not None, timeout=15000)
    ws = window.current_workspace()
    qtbot.wait_until(lambda: ws.ever_loaded, timeout=10000)
    assert ctx.profile.sample_path.exists()
    assert {t.name for t in ws.tables} >= {"Vehicle", "Person"}
    # The opened ledger is remembered as recent and shown on the welcome view.
    assert ctx.settings.recent_files()[0] == str(ctx.profile.sample_path.resolve())
    assert window.welcome.recent.count() == 1


def test_open_same_ledger_twice_reuses_tab(qtbot, window, sample_ledger):
    open_workspace(qtbot, window, sample_ledger)
    window.open_ledger(sample_ledger)
    assert len(window.workspaces()) == 1


def test_open_a_file_that_is_not_a_ledger_shows_error(qtbot, window, tmp_path):
    bogus = tmp_path / "notes.ledger"
    bogus.write_text("hello, not sqlite")
    window.open_ledger(bogus)
    qtbot.wait_until(lambda: not window.workspaces(), timeout=10000)
    boxes = [w for w in window.findChildren(object) if getattr(w, "objectName", lambda: "")()
             == "errorDialog"]
    assert boxes, "an error dialog explains why the file cannot be opened"
    assert "not" in boxes[-1].text().lower()
    for box in boxes:
        box.close()


def test_two_ledgers_open_at_once(qtbot, window, sample_ledger, tmp_path):
    from ledger_desktop.engine.sample import build_sample

    other = build_sample(tmp_path / "other.ledger")
    open_workspace(qtbot, window, sample_ledger)
    open_workspace(qtbot, window, other)
    assert [w.path.name for w in window.workspaces()] == ["sample.ledger", "other.ledger"]
    window.close_tab(window.tabs.indexOf(window.workspaces()[0]))
    assert [w.path.name for w in window.workspaces()] == ["other.ledger"]


def test_flags_and_environment(monkeypatch):
    args, _ = parse_args(["x.ledger", "--quit-after", "250", "--temp-profile"])
    assert (args.path, args.quit_after, args.temp_profile) == ("x.ledger", 250, True)
    monkeypatch.setenv("LEDGER_DESKTOP_QUIT_AFTER", "4000")
    monkeypatch.setenv("LEDGER_DESKTOP_TEMP_PROFILE", "1")
    args, _ = parse_args([])
    assert (args.path, args.quit_after, args.temp_profile) == (None, 4000, True)


def test_window_layout_persists(qtbot, ctx):
    from ledger_desktop.ui.main_window import MainWindow

    first = MainWindow(ctx)
    qtbot.addWidget(first)
    first.resize(720, 560)  # within the offscreen screen (800x600)
    first.show()
    size = (first.width(), first.height())
    first.close()
    second = MainWindow(ctx)
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == size
    second.close()


def test_about_box_lists_versions(qtbot, window):
    from ledger_desktop.ui.dialogs.about import AboutDialog, versions

    info = versions()
    assert info["Qt"] and info["PySide6"] and info["SQLite"]
    assert "C extension" in info["amazon.ion"]
    window.trigger("about")
    dlg = window.findChild(AboutDialog)
    assert dlg is not None and dlg.isVisible()
    from PySide6.QtWidgets import QLabel

    text = dlg.findChild(QLabel, "aboutText").text()
    assert info["Qt"] in text and info["PySide6"] in text
    dlg.close()


def test_create_a_new_ledger_and_refuse_to_overwrite(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    target = tmp_path / "fresh"
    window.opener.create_ledger(target)
    qtbot.wait_until(lambda: window.current_workspace() is not None and
                     window.current_workspace().ever_loaded, timeout=10000)
    ws = window.current_workspace()
    assert ws.path == (tmp_path / "fresh.ledger").resolve()
    assert ws.tables == [] and ws.block_count >= 1
    if ws.block_count == 1:  # "0 tables · 1 blocks" it said
        assert "0 tables  ·  1 block" in ws.status.text()
        assert "1 blocks" not in ws.status.text()
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda _p, _t, text, *a, **k: warned.append(text))
    before = (tmp_path / "fresh.ledger").read_bytes()
    window.opener.create_ledger(tmp_path / "fresh.ledger")
    assert warned and "never overwritten" in warned[0]
    assert (tmp_path / "fresh.ledger").read_bytes() == before


def test_ctrl_shift_w_closes_the_ledger_and_ctrl_w_its_views_first(qtbot, window,
                                                                   sample_ledger, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from ledger_desktop.engine.sample import build_sample

    other = build_sample(tmp_path / "other.ledger")
    open_workspace(qtbot, window, sample_ledger)
    open_workspace(qtbot, window, other)
    window.activateWindow()
    qtbot.wait_until(lambda: QApplication.activeWindow() is window, timeout=5000)
    ctrl = Qt.KeyboardModifier.ControlModifier
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, Qt.Key.Key_W, ctrl | Qt.KeyboardModifier.ShiftModifier)
    qtbot.wait_until(lambda: len(window.workspaces()) == 1, timeout=5000)
    # Ctrl+W closes the view in front (the Vehicle grid); with none left, the ledger
    ws = window.workspaces()[0]
    assert ws.views.count() == 1
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, Qt.Key.Key_W, ctrl)
    qtbot.wait_until(lambda: ws.views.count() == 0, timeout=5000)
    assert window.workspaces() == [ws]
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, Qt.Key.Key_F4, ctrl)
    qtbot.wait_until(lambda: not window.workspaces(), timeout=5000)
