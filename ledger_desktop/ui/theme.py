"""Follow the system's light or dark colour scheme, and re-apply when it changes."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication


def is_dark(palette: QPalette | None = None) -> bool:
    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme()
    if scheme == Qt.ColorScheme.Dark:
        return True
    if scheme == Qt.ColorScheme.Light:
        return False
    pal = palette or QGuiApplication.palette()
    return pal.color(QPalette.ColorRole.Window).lightness() < 128


SCHEMES = ("system", "light", "dark")
_choice = "system"


def apply_system_theme(app: QApplication) -> None:
    """Fusion draws the same on every platform and takes its colours from the system palette."""
    app.setStyle("Fusion")
    app.setPalette(app.style().standardPalette() if not is_dark() else _dark_palette())
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: _reapply(app))


def _reapply(app: QApplication) -> None:
    if _choice == "system":  # a scheme the user chose stays, whatever the system does
        app.setPalette(app.style().standardPalette() if not is_dark() else _dark_palette())


def apply_scheme(app: QApplication, choice: str) -> None:
    """"system" follows the desktop; "light" and "dark" are the user's preference."""
    global _choice
    _choice = choice if choice in SCHEMES else "system"
    if _choice == "system":
        _reapply(app)
    elif _choice == "dark":
        app.setPalette(_dark_palette())
    else:
        app.setPalette(app.style().standardPalette())


def current_scheme() -> str:
    return _choice


def _dark_palette() -> QPalette:
    from PySide6.QtGui import QColor

    pal = QPalette()
    role = QPalette.ColorRole
    colors = {
        role.Window: "#2b2d30", role.WindowText: "#dfe1e5", role.Base: "#1e1f22",
        role.AlternateBase: "#26282b", role.ToolTipBase: "#3c3f41", role.ToolTipText: "#dfe1e5",
        role.Text: "#dfe1e5", role.Button: "#3c3f41", role.ButtonText: "#dfe1e5",
        role.BrightText: "#ff6b68", role.Highlight: "#2f65ca", role.HighlightedText: "#ffffff",
        role.Link: "#589df6", role.PlaceholderText: "#8c8f94", role.Mid: "#4e5157",
        role.Dark: "#1b1c1e", role.Light: "#4a4d52",
    }
    for r, c in colors.items():
        pal.setColor(r, QColor(c))
    for r in (role.Text, role.WindowText, role.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, r, QColor("#7a7d82"))
    return pal


def scheme_menu(parent_menu: Any, settings: Any) -> dict[str, QAction]:
    """View ▸ Colour Scheme: System / Light / Dark, remembered in the settings."""
    menu = parent_menu.addMenu("Colour &Scheme")
    menu.setObjectName("menu_scheme")
    group = QActionGroup(menu)
    actions: dict[str, QAction] = {}
    for choice in SCHEMES:
        action = menu.addAction(choice.capitalize())
        action.setObjectName(f"action_scheme_{choice}")
        action.setCheckable(True)
        action.setChecked(choice == _choice)
        group.addAction(action)
        action.triggered.connect(lambda _c=False, c=choice: _choose(settings, c))
        actions[choice] = action
    return actions


def _choose(settings: Any, choice: str) -> None:
    settings.set_scheme(choice)
    apply_scheme(QApplication.instance(), choice)  # type: ignore[arg-type]
