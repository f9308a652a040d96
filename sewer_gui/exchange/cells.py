"""Cell text of the exchange CSV files: formula neutralising and strict number parsing.

A spreadsheet runs a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return as a
formula. Text cells that do are written with a leading apostrophe, and the apostrophe is taken
off again on import. Text that already begins with apostrophes before such a character gets one
more, so that every text survives export and import unchanged. Numbers are never touched.
"""

from __future__ import annotations

import math
import re

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_NEEDS_QUOTE = re.compile(r"^'*[=+\-@\t\r]")
_QUOTED = re.compile(r"^'+[=+\-@\t\r]")


class CellError(ValueError):
    """A cell that is not a usable value; the caller adds the file, line and column."""


def is_number(text: str) -> bool:
    """A plain decimal number ('-2', '+3.5', '1e3'): a spreadsheet reads it as a value."""
    return _NUMBER.match(text) is not None


def neutralise(text: str) -> str:
    """The text as written to a CSV cell: formula-looking text gets a leading apostrophe."""
    if is_number(text) or not _NEEDS_QUOTE.match(text):
        return text
    return "'" + text


def restore(text: str) -> str:
    """Undo `neutralise` on a cell read back from a CSV file."""
    return text[1:] if _QUOTED.match(text) else text


def finite_number(text: str) -> float:
    """A finite float; 'nan', 'inf', '1e309' and words raise CellError."""
    try:
        value = float(text)
    except ValueError:
        raise CellError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise CellError(f"{text!r} is not a finite number")
    return value
