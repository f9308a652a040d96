"""PACP-style condition ratings: pipe ratings, indexes and quick ratings per inspection."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from sewer_gui.pacp.codes import CodeTable, Family
from sewer_gui.pacp.model import Observation, Units

# One occurrence per started length of a continuous defect (PACP Appendix C: 5 ft or 1.5 m).
OCCURRENCE_LENGTH = {Units.FEET: 5.0, Units.METRES: 1.5}


def continuous_occurrences(length: float, units: Units) -> int:
    """Occurrences a continuous defect of `length` counts: one per started 5 ft (1.5 m).

    A defect of 15 ft counts 3, 15.1 ft counts 4; zero or negative lengths count 1. A tolerance of
    a thousandth of the unit keeps 15.0000001 (float noise from unit conversion) at 3.
    """
    step = OCCURRENCE_LENGTH[units]
    if not math.isfinite(length) or length <= 0:  # a damaged distance never crashes a rating
        return 1
    return max(1, math.ceil(length / step - 1e-3))


def quick_rating_count(count: int) -> str:
    """0-9 as digits; 10-14 'A', 15-19 'B', ... as PACP writes counts of ten and more."""
    if count < 10:
        return str(count)
    return chr(ord("A") + min((count - 10) // 5, 25))


def quick_rating(counts: dict[int, int]) -> str:
    present = sorted((g for g, n in counts.items() if n > 0), reverse=True)
    if not present:
        return "0000"
    first = f"{present[0]}{quick_rating_count(counts[present[0]])}"
    if len(present) == 1:
        return first + "00"
    return first + f"{present[1]}{quick_rating_count(counts[present[1]])}"


@dataclass(frozen=True)
class FamilyRating:
    counts: dict[int, int]  # grade -> occurrences

    @property
    def occurrences(self) -> int:
        return sum(self.counts.values())

    @property
    def pipe_rating(self) -> int:
        return sum(g * n for g, n in self.counts.items())

    @property
    def index(self) -> float:
        return round(self.pipe_rating / self.occurrences, 2) if self.occurrences else 0.0

    @property
    def quick(self) -> str:
        return quick_rating(self.counts)

    def grade_score(self, grade: int) -> int:
        """PACP_Ratings `STGradeScoreN`/`OMGradeScoreN`: grade times its occurrences."""
        return grade * self.counts.get(grade, 0)


@dataclass(frozen=True)
class InspectionRatings:
    structural: FamilyRating
    om: FamilyRating

    @property
    def overall(self) -> FamilyRating:
        combined = Counter(self.structural.counts)
        combined.update(self.om.counts)
        return FamilyRating(dict(combined))

    def as_exchange_row(self) -> dict[str, object]:
        """The PACP_Ratings columns (without InspectionID)."""
        row: dict[str, object] = {}
        for grade in range(1, 6):
            row[f"STGradeScore{grade}"] = self.structural.grade_score(grade)
        for grade in range(1, 6):
            row[f"OMGradeScore{grade}"] = self.om.grade_score(grade)
        overall = self.overall
        row.update({
            "STPipeRating": self.structural.pipe_rating,
            "OMPipeRating": self.om.pipe_rating,
            "OverallPipeRating": overall.pipe_rating,
            "STQuickRating": self.structural.quick,
            "OMQuickRating": self.om.quick,
            "PACPQuickRating": overall.quick,
            "STPipeRatingsIndex": self.structural.index,
            "OMPipeRatingsIndex": self.om.index,
            "OverallPipeRatingsIndex": overall.index,
        })
        return row


def observation_grade(obs: Observation, table: CodeTable) -> int | None:
    spec = table.get(obs.code)
    if spec is None:
        return None
    return spec.grade_rule.grade(obs.percent, obs.clock_span_hours())


def rate(observations: list[Observation], units: Units, table: CodeTable) -> InspectionRatings:
    """Rate the accepted observations; pending or rejected AI suggestions never count."""
    counted = sorted((o for o in observations if o.counts), key=_survey_order)
    finish_at = _continuous_finish_distances(counted)
    tallies = {Family.STRUCTURAL: Counter(), Family.OM: Counter()}
    for obs in counted:
        spec = table.get(obs.code)
        grade = observation_grade(obs, table)
        if spec is None or grade is None or spec.rated_family is None:
            continue
        role = obs.continuous_role if math.isfinite(obs.distance) else None
        if role and role[0] == "F":
            continue  # the finish row closes the start's run; it is not another occurrence
        n = 1
        if role and id(obs) in finish_at:
            n = continuous_occurrences(finish_at[id(obs)] - obs.distance, units)
        tallies[spec.rated_family][grade] += n
    return InspectionRatings(FamilyRating(dict(tallies[Family.STRUCTURAL])),
                             FamilyRating(dict(tallies[Family.OM])))


def _survey_order(obs: Observation) -> tuple[bool, float]:
    """By distance; non-finite distances (NaN sorts nowhere) go last and never pair."""
    finite = math.isfinite(obs.distance)
    return (not finite, obs.distance if finite else 0.0)


def _continuous_finish_distances(ordered: list[Observation]) -> dict[int, float]:
    """Map each start row (by identity) to the distance of the finish row with its number."""
    open_starts: dict[str, Observation] = {}
    finishes: dict[int, float] = {}
    for obs in ordered:
        role = obs.continuous_role
        if role is None or not math.isfinite(obs.distance):
            continue  # a run needs both ends at known places; an unplaced row counts once
        kind, number = role
        if kind == "S":
            open_starts[number] = obs
        elif number in open_starts:
            finishes[id(open_starts.pop(number))] = obs.distance
    return finishes
