"""`python -m ledger_desktop.cli` runs the `ledger` command."""

from . import main

main()
