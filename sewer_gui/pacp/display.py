"""How distances and video times read, the same in the table, the report and the status bar.

A trial found the PDF rounding a row to 0.1 and cutting its time to whole seconds while the
table showed 0.01 and tenths: the coder could not find the report's row in the table.
"""

from __future__ import annotations


def distance_text(distance: float) -> str:
    return f"{distance:.2f}"


def video_time_text(seconds: float | None) -> str:
    """m:ss.s, rounded once (59.96 s reads 1:00.0, never 0:60.0); empty without a time."""
    if seconds is None:
        return ""
    tenths = int(round(seconds * 10))
    return f"{tenths // 600}:{tenths % 600 / 10:04.1f}"


def is_number(text: str) -> bool:
    """Whether a header's free text holds a number (lengths, sizes): summed or given a unit."""
    try:
        float(text)
    except ValueError:
        return False
    return True
