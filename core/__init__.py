"""MinePivot economic engine: pure Python and numpy, never Qt."""
