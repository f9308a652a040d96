"""Dumb widgets: they show state through setters and emit intent signals."""
