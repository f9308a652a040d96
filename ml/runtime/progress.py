"""Long jobs are generators that yield progress ticks and return their result (see scan.py)."""

from __future__ import annotations

from collections.abc import Generator
from typing import TypeVar

Result = TypeVar("Result")


def drain(gen: Generator[object, None, Result]) -> Result:
    """Run a progress generator to its end and return what it returns."""
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value
