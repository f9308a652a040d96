"""Inspections and observations: the records a coder creates and the report prints."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field, fields

CONTINUOUS_PATTERN = re.compile(r"^([SF])(\d{2})$")


class Origin(enum.StrEnum):
    MANUAL = "manual"
    AI_SUGGESTED = "ai_suggested"
    AI_CONFIRMED = "ai_confirmed"
    AI_EDITED = "ai_edited"


class ReviewState(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"  # not a defect: a no-crack training example
    RELABELLED = "relabelled"  # the AI code was wrong: `code` holds the coder's code
    DISMISSED = "dismissed"  # a duplicate or already coded: no training signal


class Units(enum.StrEnum):
    FEET = "ft"
    METRES = "m"


_ORIGIN_WORDS = {Origin.AI_CONFIRMED: "AI-confirmed", Origin.AI_EDITED: "AI-edited",
                 Origin.AI_SUGGESTED: "AI-suggested", Origin.MANUAL: "manual"}


def _header(column: str, label: str, required: bool = False) -> object:
    return field(default="", metadata={"column": column, "label": label, "required": required})


@dataclass
class InspectionHeader:
    """PACP_Inspections columns the application edits; every one is text as in the exchange."""

    surveyed_by: str = _header("Surveyed_By", "Surveyed by", True)
    certificate_number: str = _header("Certificate_Number", "Certificate number", True)
    reviewer: str = _header("Reviewer", "Reviewed by")
    reviewer_certificate_number: str = _header("Reviewer_Certificate_Number",
                                               "Reviewer certificate")
    owner: str = _header("Owner", "Owner", True)
    customer: str = _header("Customer", "Customer")
    drainage_area: str = _header("Drainage_Area", "Drainage area")
    po_number: str = _header("PO_Number", "PO number")
    pipe_segment_reference: str = _header("Pipe_Segment_Reference", "Pipe segment ref.", True)
    inspection_date: str = _header("Inspection_Date", "Inspection date", True)
    inspection_time: str = _header("Inspection_Time", "Inspection time")
    street: str = _header("Street", "Street", True)
    city: str = _header("City", "City", True)
    location_details: str = _header("Location_Details", "Location details")
    upstream_mh: str = _header("Upstream_MH", "Upstream MH", True)
    downstream_mh: str = _header("Downstream_MH", "Downstream MH", True)
    sewer_use: str = _header("Sewer_Use", "Sewer use")
    direction: str = _header("Direction", "Direction (Upstream/Downstream)", True)
    flow_control: str = _header("Flow_Control", "Flow control")
    height: str = _header("Height", "Height", True)
    width: str = _header("Width", "Width")
    shape: str = _header("Shape", "Shape", True)
    material: str = _header("Material", "Material", True)
    lining_method: str = _header("Lining_Method", "Lining method")
    pipe_joint_length: str = _header("Pipe_Joint_Length", "Pipe joint length")
    total_length: str = _header("Total_Length", "Total length")
    length_surveyed: str = _header("Length_Surveyed", "Length surveyed")
    year_laid: str = _header("Year_Laid", "Year laid")
    year_renewed: str = _header("Year_Renewed", "Year renewed")
    media_label: str = _header("Media_Label", "Media label")
    purpose: str = _header("Purpose", "Purpose")
    sewer_category: str = _header("Sewer_Category", "Sewer category")
    pre_cleaning: str = _header("Pre_Cleaning", "Pre-cleaning")
    date_cleaned: str = _header("Date_Cleaned", "Date cleaned")
    weather: str = _header("Weather", "Weather")
    location_code: str = _header("Location_Code", "Location code")
    additional_info: str = _header("Additional_Info", "Additional info")
    project: str = _header("Project", "Project")
    work_order: str = _header("WorkOrder", "Work order")

    @staticmethod
    def columns() -> list[tuple[str, str, str, bool]]:
        """(attribute, exchange column, label, required) in form order."""
        return [(f.name, f.metadata["column"], f.metadata["label"], f.metadata["required"])
                for f in fields(InspectionHeader)]

    def missing_required(self) -> list[str]:
        return [label for name, _col, label, required in self.columns()
                if required and not getattr(self, name).strip()]


@dataclass
class Observation:
    """One coded condition at a distance along the pipe (a PACP_Conditions row plus review data)."""

    distance: float
    code: str
    video_time: float | None = None  # seconds into the video (PACP `Counter`)
    continuous: str = ""  # "S01" opens, "F01" closes
    value_1: float | None = None
    value_2: float | None = None
    percent: float | None = None
    joint: bool = False
    clock_from: int | None = None
    clock_to: int | None = None
    remarks: str = ""
    snapshot_jpeg: bytes | None = None
    origin: Origin = Origin.MANUAL
    confidence: float | None = None
    model_id: str = ""
    review: ReviewState = ReviewState.ACCEPTED
    ai_code: str = ""  # the code the model proposed (AI rows; empty on rows saved before it)
    id: int | None = None  # row id once stored

    @property
    def counts(self) -> bool:
        """Only reviewed, accepted observations count in ratings and exports."""
        return self.review is ReviewState.ACCEPTED

    @property
    def continuous_role(self) -> tuple[str, str] | None:
        """('S' or 'F', '01'..'99') for a continuous row, else None."""
        match = CONTINUOUS_PATTERN.match(self.continuous)
        return (match.group(1), match.group(2)) if match else None

    def source_text(self) -> str:
        """Who decided this row, as the table and the report print it."""
        if self.origin is Origin.MANUAL:
            return "manual"
        confidence = f" {self.confidence:.0%}" if self.confidence is not None else ""
        # The confidence is the model's in its own code: where the coder chose another code
        # (a fracture twin, a relabel) the text names the model's code beside it.
        said = f"{self.ai_code}{confidence}" if self.ai_code and self.ai_code != self.code else ""
        if self.review is ReviewState.ACCEPTED and self.origin is Origin.AI_EDITED and said:
            return f"AI-edited (AI: {said})"
        return {ReviewState.REJECTED: f"AI{confidence} rejected: not a defect",
                ReviewState.RELABELLED: (f"AI {said} rejected: coder's code {self.code}" if said
                                         else f"AI{confidence} rejected: coder's code "
                                         f"{self.code}"),
                ReviewState.DISMISSED: f"AI{confidence} dismissed",
                ReviewState.PENDING: f"AI{confidence} not reviewed"}.get(
            self.review, f"{_ORIGIN_WORDS[self.origin]}{confidence}")

    def clock_span_hours(self) -> int | None:
        """Clock hours covered clockwise from `clock_from` to `clock_to`; equal ends: full circle."""
        if self.clock_from is None:
            return None
        if self.clock_to is None:
            return 1
        return (self.clock_to - self.clock_from) % 12 or 12


@dataclass
class Inspection:
    header: InspectionHeader = field(default_factory=InspectionHeader)
    observations: list[Observation] = field(default_factory=list)
    units: Units = Units.FEET
    video_path: str = ""  # relative to the project file when stored
    model_used: str = ""
    id: int | None = None

    @property
    def is_imperial(self) -> bool:
        return self.units is Units.FEET

    def sorted_observations(self) -> list[Observation]:
        """Observations in survey order: by distance, then by entry order."""
        return sorted(self.observations, key=lambda o: o.distance)

    def title(self) -> str:
        h = self.header
        if h.upstream_mh or h.downstream_mh:  # a missing manhole reads "?", not "( - MH-19)"
            return (f"{h.pipe_segment_reference or 'Segment'} "
                    f"({h.upstream_mh or '?'} - {h.downstream_mh or '?'})")
        return h.pipe_segment_reference or "Untitled inspection"
