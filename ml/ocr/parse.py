"""Counter text to a distance: `LZ1: +0004.70 m`, `32.0m`, `10.28 m`, `0066.4'`, `6.1 ft`.

Counters always show a decimal point, so whole numbers (pipe sizes, zoom, manhole ids) are not
distances; numbers glued to other letters (`0.00PSI`, `300mm`) or to more digits and separators
(dates `13.07.2024`, times `10:42:07`) are not either. PP-OCR sometimes repeats the last
letter of a line (`19.85mm`, `335.2ftt`) or adds one at its end (`79.24M1`): a doubled unit
still counts, and so does a unit with one stray character after it at the end of the line.
It also reads the gap between a number and its unit as a stray mark (`+0115.27/mm`,
`0100.33-m`), and the thin gap inside a number as a colon (`2:1.0m` for `21.0m`, `08:1.42M`):
a time has two digits after each colon, so a colon before one digit and a decimal point
cannot be one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FOOT_M = 0.3048

_NUMBER = re.compile(
    r"(?<![\w.,/\-+])(?<!\d\d:)(?P<sign>[+-])?\s?(?P<num>\d{1,5}[.,]\d{1,3})"
    r"(?:(?:\s?[/.\-]\s?|\s?)(?P<unit>ft{1,2}\.?|feet|m{1,2}|[''`′’]{1,2})(?:(?![\w.,/%\-])|(?=\S$))"
    r"|(?![\w.,/:%\-]))",
    re.IGNORECASE)
# OCR confusions next to digits: O for 0, l/I/| for 1.
_ZERO = re.compile(r"(?<=[\d.,])[Oo]|[Oo](?=[\d.,])")
_ONE = re.compile(r"(?<=[\d.,])[lI|]|[lI|](?=[\d.,]\d)")
_SPLIT_NUMBER = re.compile(r"(?<![\w:.,])(\d{1,3}):(?=\d[.,]\d)")
_LABEL = re.compile(r"(LZ\d?|D|DIST|DISTANCE|LEN|LENGTH)\s*[:=]\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class CounterValue:
    distance: float  # in `unit`
    unit: str | None  # "m", "ft" or None when the text shows no unit
    text: str  # the matched part of the text
    labelled: bool = False  # preceded by a distance label such as "LZ1:" or "D:"

    def metres(self, default_unit: str = "m") -> float:
        return self.distance * FOOT_M if (self.unit or default_unit) == "ft" else self.distance


def normalise(text: str) -> str:
    return _SPLIT_NUMBER.sub(r"\1", _ONE.sub("1", _ZERO.sub("0", text)))


def parse_counter(text: str) -> list[CounterValue]:
    """Every distance-like number in `text`, in reading order."""
    clean = normalise(text)
    found = []
    for match in _NUMBER.finditer(clean):
        value = float(match["num"].replace(",", "."))
        if match["sign"] == "-":
            value = -value
        unit = match["unit"]
        unit = None if unit is None else "m" if unit.lower().startswith("m") else "ft"
        labelled = bool(_LABEL.search(clean[:match.start()]))
        found.append(CounterValue(value, unit, match.group(0).strip(), labelled))
    return found


def best_counter(text: str) -> CounterValue | None:
    """The number in `text` most likely to be the counter: labelled or with a unit first."""
    values = parse_counter(text)
    if not values:
        return None
    return max(values, key=lambda v: (v.labelled, v.unit is not None))
