"""Clock positions as a coder types them: `3`, `3 9`, `10-2`, `3 to 9`, `12:3`."""

from __future__ import annotations

import re

_CLOCK = re.compile(r"^(\d{1,2})(?:\s*(?:-|to|,|:|/|\s)\s*(\d{1,2}))?$", re.IGNORECASE)


def parse_clock(text: str) -> tuple[int | None, int | None]:
    """(from, to) from typed text; an empty text clears both. ValueError names the problem."""
    text = text.strip()
    if not text:
        return None, None
    match = _CLOCK.match(text)
    if match is None:
        raise ValueError(f"'{text}' is not a clock position: type 3, 3 9 or 10-2")
    hours = [int(p) for p in match.groups() if p is not None]
    for hour in hours:
        if not 1 <= hour <= 12:
            raise ValueError(f"{hour} is not a clock position 1-12")
    return hours[0], hours[1] if len(hours) == 2 else None


def format_clock(clock_from: int | None, clock_to: int | None) -> str:
    if clock_from is None:
        return ""
    return str(clock_from) if clock_to is None else f"{clock_from}-{clock_to}"
