"""Ledger Desktop: a local, QLDB-compatible, verifiable ledger database."""

__version__ = "0.1.0"
