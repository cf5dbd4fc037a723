"""Modal dialogs: errors, import, about, new table/index."""
