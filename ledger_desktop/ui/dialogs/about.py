"""The About box: what this is and the versions of everything that matters for bug reports."""

from __future__ import annotations

import platform
import sqlite3
import sys

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from ... import __version__
from ..icons import app_icon


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    def pkg(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    from amazon.ion import simpleion

    return {
        "Ledger Desktop": __version__,
        "Python": platform.python_version(),
        "Qt": qVersion(),
        "PySide6": pyside_version,
        "SQLite": sqlite3.sqlite_version,
        "amazon.ion": pkg("amazon.ion") + (" (C extension)" if simpleion.c_ext else " (pure Python)"),
        "pyqtgraph": pkg("pyqtgraph"),
        "lark": pkg("lark"),
        "Platform": f"{platform.system()} {platform.release()} ({sys.platform})",
    }


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("About Ledger Desktop")
        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(64, 64))
        rows = "".join(f"<tr><td><b>{k}</b></td><td>&nbsp;&nbsp;{v}</td></tr>"
                       for k, v in versions().items())
        text = QLabel(
            f"<h2>Ledger Desktop {__version__}</h2>"
            "<p>A local, QLDB-compatible ledger database: an append-only journal of Amazon Ion "
            "revisions, hash-chained and digested as Amazon QLDB did.</p>"
            f"<table>{rows}</table><p>Licensed under the Apache License 2.0.</p>")
        text.setWordWrap(True)
        text.setObjectName("aboutText")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(icon)
        layout.addWidget(text)
        layout.addWidget(buttons)
        self.setAttribute(self.attribute_delete_on_close(), True)

    @staticmethod
    def attribute_delete_on_close():
        from PySide6.QtCore import Qt

        return Qt.WidgetAttribute.WA_DeleteOnClose
