"""Frozen entry point of the command line (`ledger`), shipped beside the app."""

import sys

from ledger_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
