"""Qt view layer: the only part of the project that imports PySide6."""
