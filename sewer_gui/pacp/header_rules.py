"""Typed inspection header fields: dates, times, numbers with ranges, years and coded fields.

Coded fields (direction, shape, material ...) take their codes from `resources/pacp_lookups.csv`
so that a licensee can replace them with NASSCO's tables. `normalise` turns what a coder or an
import typed into the stored form, or raises ValueError with a message that names the field.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sewer_gui.pacp.model import InspectionHeader
from sewer_gui.resources import lookup_table_path

DATE_FIELDS = ("inspection_date", "date_cleaned")
TIME_FIELDS = ("inspection_time",)
YEAR_FIELDS = ("year_laid", "year_renewed")
# attribute -> (low, high): pipe sizes in inches or mm, lengths in feet or metres
NUMBER_RANGES: dict[str, tuple[float, float]] = {
    "height": (1, 5000), "width": (1, 5000), "pipe_joint_length": (0.1, 100),
    "total_length": (0, 100000), "length_surveyed": (0, 100000),
}
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d", "%m-%d-%Y")
_TIME = re.compile(r"^(\d{1,2}):?(\d{2})(?::(\d{2}))?$")


class LookupTableError(ValueError):
    """The lookup table file is missing or malformed."""


@dataclass(frozen=True)
class LookupTable:
    """field -> [(code, description)] in file order."""

    choices: dict[str, tuple[tuple[str, str], ...]]

    def fields(self) -> tuple[str, ...]:
        return tuple(self.choices)

    def describe(self, field: str, code: str) -> str:
        return next((d for c, d in self.choices.get(field, ()) if c == code), code)

    def resolve(self, field: str, text: str) -> str:
        """The code for a typed code or description (case-insensitive); ValueError otherwise."""
        wanted = text.strip().casefold()
        for code, description in self.choices[field]:
            if wanted in (code.casefold(), description.casefold()):
                return code
        allowed = ", ".join(c for c, _d in self.choices[field])
        raise ValueError(f"'{text}' is not a code of this field (allowed: {allowed})")

    @classmethod
    def load(cls, path: Path) -> LookupTable:
        choices: dict[str, list[tuple[str, str]]] = {}
        try:
            with open(path, newline="", encoding="utf-8") as handle:
                reader = csv.DictReader(handle)
                if set(reader.fieldnames or ()) < {"field", "code", "description"}:
                    raise LookupTableError(f"{path}: needs columns field, code, description")
                for row in reader:
                    field, code = row["field"].strip(), row["code"].strip()
                    if not field or not code:
                        raise LookupTableError(f"{path}, line {reader.line_num}: empty field "
                                               "or code")
                    choices.setdefault(field, []).append((code, row["description"].strip()))
        except OSError as exc:
            raise LookupTableError(f"{path}: cannot read lookup table ({exc.strerror})") from exc
        return cls({f: tuple(c) for f, c in choices.items()})


@lru_cache(maxsize=1)
def default_lookups() -> LookupTable:
    return LookupTable.load(lookup_table_path())


def field_kind(name: str, lookups: LookupTable) -> str:
    """'coded', 'date', 'time', 'year', 'number' or 'text'."""
    if name in lookups.choices:
        return "coded"
    for kind, names in (("date", DATE_FIELDS), ("time", TIME_FIELDS), ("year", YEAR_FIELDS),
                        ("number", NUMBER_RANGES)):
        if name in names:
            return kind
    return "text"


def normalise(name: str, text: str, lookups: LookupTable) -> str:
    """The stored form of a header value; ValueError with the reason when it is not valid."""
    text = text.strip()
    if not text:
        return ""
    kind = field_kind(name, lookups)
    if kind == "coded":
        return lookups.resolve(name, text)
    if kind == "date":
        return _date(text).isoformat()
    if kind == "time":
        return _time(text)
    if kind == "year":
        return str(_number(text, 1800, dt.date.today().year, whole=True, what="year"))
    if kind == "number":
        low, high = NUMBER_RANGES[name]
        return f"{_number(text, low, high):g}"
    return text


def _date(text: str) -> dt.date:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"'{text}' is not a date (YYYY-MM-DD or MM/DD/YYYY)")


def _time(text: str) -> str:
    match = _TIME.match(text)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour < 24 and minute < 60 and int(match.group(3) or 0) < 60:
            return f"{hour:02d}:{minute:02d}"
    raise ValueError(f"'{text}' is not a time of day (HH:MM, 24-hour)")


def _number(text: str, low: float, high: float, whole: bool = False,
            what: str = "number") -> float | int:
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a {what}") from None
    if not low <= value <= high:
        raise ValueError(f"{text} is outside {low:g}-{high:g}")
    return value


def header_problems(header: InspectionHeader, lookups: LookupTable) -> list[tuple[str, str]]:
    """(attribute, message) for every filled header field whose value is not valid."""
    out: list[tuple[str, str]] = []
    for name, _column, label, _required in InspectionHeader.columns():
        try:
            normalise(name, getattr(header, name), lookups)
        except ValueError as exc:
            out.append((name, f"{label}: {exc}"))
    return out


def normalise_header(header: InspectionHeader, lookups: LookupTable) -> list[str]:
    """Store valid values in their normal form (e.g. 'downstream' -> 'D'); bad ones are kept as
    they are (no data is lost) and returned as messages for the importer to show."""
    problems: list[str] = []
    for name, _column, label, _required in InspectionHeader.columns():
        try:
            setattr(header, name, normalise(name, getattr(header, name), lookups))
        except ValueError as exc:
            problems.append(f"{label}: {exc}")
    return problems
