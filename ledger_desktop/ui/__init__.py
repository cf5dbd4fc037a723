"""The desktop app (PySide6): start-up, main window, views, models and dialogs."""
