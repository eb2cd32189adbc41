"""The MinePivot desktop app (PySide6): one subpackage per thing the user sees (``inputs``,
``dashboard``, ``plan``, ``risk``), plus the document, the main window and the entry point."""
