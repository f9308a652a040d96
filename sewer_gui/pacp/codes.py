"""The PACP-style code table, loaded from data so that a licensee can replace it."""

from __future__ import annotations

import csv
import enum
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sewer_gui.resources import code_table_path


class Family(enum.StrEnum):
    STRUCTURAL = "structural"
    OM = "om"
    CONSTRUCTION = "construction"
    MISC = "misc"


class CodeTableError(ValueError):
    """The code table file is missing or malformed."""


@dataclass(frozen=True)
class GradeRule:
    """How a code's grade is found: fixed, or by thresholds on percent or on clock-hour span.

    Written in the table as `3`, `percent:10=2|20=3|*=5` (value <= 10 gives 2, ...) or
    `clock:3=1|*=2`. An empty rule means the code is not graded.
    """

    fixed: int | None = None
    basis: str = ""  # "percent" or "clock" for threshold rules
    thresholds: tuple[tuple[float, int], ...] = ()
    otherwise: int | None = None

    @classmethod
    def parse(cls, text: str) -> GradeRule:
        text = text.strip()
        if not text:
            return cls()
        if text.isdigit():
            return cls(fixed=_check_grade(int(text), text))
        basis, sep, spec = text.partition(":")
        if not sep or basis not in ("percent", "clock"):
            raise ValueError(f"unknown grade rule {text!r}")
        thresholds: list[tuple[float, int]] = []
        otherwise: int | None = None
        for part in spec.split("|"):
            limit, eq, grade = part.partition("=")
            if not eq or not grade.strip().isdigit():
                raise ValueError(f"bad threshold {part!r} in grade rule {text!r}")
            if limit.strip() == "*":
                otherwise = _check_grade(int(grade), text)
            else:
                thresholds.append((float(limit), _check_grade(int(grade), text)))
        if otherwise is None:
            raise ValueError(f"grade rule {text!r} needs a final '*=grade'")
        return cls(basis=basis, thresholds=tuple(thresholds), otherwise=otherwise)

    @property
    def graded(self) -> bool:
        return self.fixed is not None or self.otherwise is not None

    def grade(self, percent: float | None, clock_span: int | None) -> int | None:
        if self.fixed is not None:
            return self.fixed
        if self.otherwise is None:
            return None
        measure = percent if self.basis == "percent" else clock_span
        if measure is None:
            return None
        for limit, grade in self.thresholds:
            if measure <= limit:
                return grade
        return self.otherwise


def _check_grade(grade: int, text: str) -> int:
    if not 1 <= grade <= 5:
        raise ValueError(f"grade {grade} out of 1..5 in rule {text!r}")
    return grade


@dataclass(frozen=True)
class CodeSpec:
    code: str
    description: str
    family: Family
    grade_rule: GradeRule
    clock_positions: int  # 0: none, 1: one clock (at), 2: from-to span
    values: int  # how many dimension values apply (value 1, value 2)
    percent: bool
    continuous: bool
    joint: bool
    remarks_required: bool
    # What value 1 and value 2 measure ("Tap diameter (in / mm)"); empty: the plain "Value 1".
    value_labels: tuple[str, str] = ("", "")

    @property
    def is_access_point(self) -> bool:
        return self.family is Family.CONSTRUCTION and self.code.startswith("A")

    @property
    def rated_family(self) -> Family | None:
        """Structural or O&M when the code counts in the ratings, else None."""
        if self.family in (Family.STRUCTURAL, Family.OM) and self.grade_rule.graded:
            return self.family
        return None


_COLUMNS = ("code", "description", "family", "grade_rule", "clock_positions", "values",
            "percent", "continuous", "joint", "remarks_required")


class CodeTable:
    """All codes by name, in table order."""

    def __init__(self, specs: list[CodeSpec], source: str = "") -> None:
        self._specs = {spec.code: spec for spec in specs}
        self.source = source

    def __contains__(self, code: object) -> bool:
        return code in self._specs

    def __getitem__(self, code: str) -> CodeSpec:
        return self._specs[code]

    def __iter__(self):
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def get(self, code: str) -> CodeSpec | None:
        return self._specs.get(code)

    @classmethod
    def load(cls, path: Path) -> CodeTable:
        try:
            with open(path, newline="", encoding="utf-8") as handle:
                reader = csv.DictReader(handle)
                missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
                if missing:
                    raise CodeTableError(f"{path}: missing column(s) {', '.join(missing)}")
                specs = [_parse_row(row, path, reader.line_num) for row in reader]
        except OSError as exc:
            raise CodeTableError(f"{path}: cannot read code table ({exc.strerror})") from exc
        except UnicodeDecodeError as exc:
            raise CodeTableError(f"{path}: not a UTF-8 text file") from exc
        except csv.Error as exc:  # e.g. a field over the csv module's 131,072-character limit
            raise CodeTableError(f"{path}: not a readable CSV file ({exc})") from exc
        codes = [s.code for s in specs]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise CodeTableError(f"{path}: duplicate code(s) {', '.join(dupes)}")
        if not specs:
            raise CodeTableError(f"{path}: the code table is empty")
        return cls(specs, source=str(path))


def _parse_row(row: dict[str, str], path: Path, line: int) -> CodeSpec:
    where = f"{path}, line {line}"
    try:
        code = row["code"].strip().upper()
        if not code.isalnum():
            raise ValueError(f"bad code {row['code']!r}")
        return CodeSpec(
            code=code,
            description=row["description"].strip(),
            family=Family(row["family"].strip()),
            grade_rule=GradeRule.parse(row["grade_rule"]),
            clock_positions=_bounded_int(row["clock_positions"], 0, 2, "clock_positions"),
            values=_bounded_int(row["values"], 0, 2, "values"),
            percent=_flag(row["percent"], "percent"),
            continuous=_flag(row["continuous"], "continuous"),
            joint=_flag(row["joint"], "joint"),
            remarks_required=_flag(row["remarks_required"], "remarks_required"),
            value_labels=_value_labels(row.get("value_labels") or ""),
        )
    except (ValueError, AttributeError, TypeError) as exc:
        raise CodeTableError(f"{where}: {exc}") from exc


def _value_labels(text: str) -> tuple[str, str]:
    """An optional column: "first|second" (older and custom tables leave it out)."""
    parts = [part.strip() for part in text.split("|")] if text.strip() else []
    if len(parts) > 2:
        raise ValueError(f"value_labels holds at most two labels, got {text!r}")
    return (parts + ["", ""])[0], (parts + ["", ""])[1]


def _bounded_int(text: str, low: int, high: int, name: str) -> int:
    value = int(text)
    if not low <= value <= high:
        raise ValueError(f"{name} must be {low}..{high}, got {value}")
    return value


def _flag(text: str, name: str) -> bool:
    if text.strip() not in ("0", "1"):
        raise ValueError(f"{name} must be 0 or 1, got {text!r}")
    return text.strip() == "1"


@lru_cache(maxsize=1)
def default_code_table() -> CodeTable:
    return CodeTable.load(code_table_path())
