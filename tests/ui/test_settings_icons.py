"""Settings persist in the profile; every icon draws; the dark palette is applied when asked."""

from __future__ import annotations

from ledger_desktop.ui import icons
from ledger_desktop.ui.settings import MAX_RECENT, Profile, Settings


def test_recent_files_and_query_history_persist(qtbot, tmp_path):
    profile = Profile.create(temporary=False)
    settings = Settings(profile)
    for i in range(MAX_RECENT + 3):
        settings.add_recent(tmp_path / f"l{i}.ledger")
    settings.add_recent(tmp_path / "l5.ledger")  # reopening moves it to the top
    settings.add_query("SELECT * FROM A")
    settings.add_query("  SELECT * FROM B ")
    settings.add_query("SELECT * FROM A")
    settings.sync()
    again = Settings(profile)
    recent = again.recent_files()
    assert len(recent) == MAX_RECENT
    assert recent[0].endswith("l5.ledger") and recent.count(recent[0]) == 1
    assert again.query_history() == ["SELECT * FROM A", "SELECT * FROM B"]


def test_temporary_profile_is_removed(qtbot, monkeypatch):
    monkeypatch.delenv("LEDGER_DESKTOP_PROFILE")
    profile = Profile.create(temporary=True)
    Settings(profile).add_query("x")
    assert profile.config_dir.exists()
    profile.discard()
    assert not profile.config_dir.parent.exists()


def test_every_icon_draws_something(qtbot):
    from PySide6.QtGui import QColor

    for name in icons.names():
        image = icons.pixmap(name, 32).toImage()
        painted = sum(1 for x in range(32) for y in range(32)
                      if QColor(image.pixel(x, y)).alpha() > 0)
        assert painted > 40, name
        assert not icons.icon(name).isNull()


def test_dark_palette_is_dark(qtbot):
    from PySide6.QtGui import QPalette

    from ledger_desktop.ui.theme import _dark_palette, is_dark

    pal = _dark_palette()
    assert pal.color(QPalette.ColorRole.Window).lightness() < 80
    assert isinstance(is_dark(pal), bool)


def test_colour_scheme_preference_applies_and_persists(qtbot, window, ctx):
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    from ledger_desktop.ui import theme

    app = QApplication.instance()
    original = QPalette(app.palette())
    try:
        window.scheme_actions["dark"].trigger()
        assert ctx.settings.scheme() == "dark"
        assert app.palette().color(QPalette.ColorRole.Window).lightness() < 80
        window.scheme_actions["light"].trigger()
        assert ctx.settings.scheme() == "light"
        assert app.palette().color(QPalette.ColorRole.Window).lightness() > 150
        assert Settings(ctx.profile).scheme() == "light"
    finally:
        theme.apply_scheme(app, "system")
        app.setPalette(original)
