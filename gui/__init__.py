"""MinePivot desktop interface (PySide6). Not yet built: see the desktop app issue."""
