"""A job: the many inspections (pipe segments) of one project, as the coder goes through them.

No Qt: the window's inspection list, the job summary report and the command line use it.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ml.runtime.scan import DefectEvent
from sewer_gui.pacp.codes import CodeTable
from sewer_gui.pacp.model import Inspection, InspectionHeader, Observation, Origin, ReviewState
from sewer_gui.pacp.ratings import InspectionRatings, observation_grade, rate

DECIDED_WINDOW_S = 1.0  # an observation this close to a candidate's span decides it

# Header fields that stay the same from one segment of a job to the next.
JOB_FIELDS = (
    "surveyed_by", "certificate_number", "reviewer", "reviewer_certificate_number", "owner",
    "customer", "drainage_area", "po_number", "inspection_date", "street", "city", "sewer_use",
    "direction", "flow_control", "height", "width", "shape", "material", "lining_method",
    "pipe_joint_length", "year_laid", "year_renewed", "purpose", "sewer_category",
    "pre_cleaning", "date_cleaned", "weather", "project", "work_order",
)


def next_segment(previous: Inspection) -> Inspection:
    """A new inspection that continues the job: the job's header fields, and the previous
    segment's downstream manhole as its upstream one."""
    header = InspectionHeader(**{name: getattr(previous.header, name) for name in JOB_FIELDS})
    header.upstream_mh = previous.header.downstream_mh
    return Inspection(header=header, units=previous.units)


def duplicate(inspection: Inspection) -> Inspection:
    """A copy with its observations, not yet stored (no ids)."""
    copy = dataclasses.replace(
        inspection, header=dataclasses.replace(inspection.header), id=None,
        observations=[dataclasses.replace(o, id=None) for o in inspection.observations])
    copy.header.pipe_segment_reference = (inspection.header.pipe_segment_reference + " copy"
                                          ).strip()
    return copy


@dataclass(frozen=True)
class SegmentRow:
    """What the inspection list and the job summary show of one inspection."""

    segment: str
    upstream_mh: str
    downstream_mh: str
    date: str
    video: str
    observations: int  # accepted: what is rated and exported
    ai_reviewed: int
    ai_total: int
    length_surveyed: str
    ratings: InspectionRatings
    grade_counts: tuple[int, int, int, int, int]  # accepted observations of grade 1..5
    candidates_reviewed: int = 0  # of the last scan's candidates, those a coder has decided
    candidates_total: int = 0
    scanned: bool = False  # the video was scanned (a scan that found nothing reads "0/0")

    @property
    def review_text(self) -> str:
        """The scan's candidates decided of found (what is left to go through); before any scan,
        the AI rows reviewed of all AI rows."""
        if self.scanned or self.candidates_total:
            return f"{self.candidates_reviewed}/{self.candidates_total}"
        return f"{self.ai_reviewed}/{self.ai_total}" if self.ai_total else "-"

    def rating_cells(self) -> list[str]:
        """The nine ratings: pipe rating, quick rating and index for ST, O&M and overall."""
        cells = []
        for family in (self.ratings.structural, self.ratings.om, self.ratings.overall):
            cells += [str(family.pipe_rating), family.quick, f"{family.index:.1f}"]
        return cells


def decided_by(event: DefectEvent, observations: list[Observation]) -> Observation | None:
    """The first observation in the candidate's time span, if any: the coder's decision on it."""
    return next((o for o in observations if o.video_time is not None and
                 event.start_s - DECIDED_WINDOW_S <= o.video_time <= event.end_s + DECIDED_WINDOW_S),
                None)


def segment_row(inspection: Inspection, table: CodeTable,
                candidates: list[DefectEvent] | None = None) -> SegmentRow:
    """`candidates`: what the last scan of the inspection's video found; None: never scanned."""
    h = inspection.header
    scanned = candidates is not None
    candidates = candidates or []
    counted = [o for o in inspection.observations if o.counts]
    ai = [o for o in inspection.observations if o.origin is not Origin.MANUAL]
    grades = Counter(observation_grade(o, table) for o in counted)
    length = h.length_surveyed or (f"{max(o.distance for o in counted):g}" if counted else "")
    return SegmentRow(
        segment=h.pipe_segment_reference or "(no segment ref.)", upstream_mh=h.upstream_mh,
        downstream_mh=h.downstream_mh, date=h.inspection_date,
        video=Path(inspection.video_path).name if inspection.video_path else "",
        observations=len(counted),
        ai_reviewed=sum(o.review is not ReviewState.PENDING for o in ai), ai_total=len(ai),
        length_surveyed=length, ratings=rate(inspection.observations, inspection.units, table),
        grade_counts=tuple(grades.get(g, 0) for g in range(1, 6)),  # type: ignore[arg-type]
        candidates_reviewed=sum(decided_by(e, inspection.observations) is not None
                                for e in candidates),
        candidates_total=len(candidates), scanned=scanned)
