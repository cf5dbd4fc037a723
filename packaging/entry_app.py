"""Frozen entry point of the desktop app (`ledger-desktop`)."""

import sys

from ledger_desktop.ui.app import main

if __name__ == "__main__":
    sys.exit(main())
