"""Widgets that show a ledger: welcome, browser, documents, history, block, query."""
