"""Checks a coder must pass before export: errors block export, warnings are advice.

Every finding names the observation it concerns so that the GUI can jump to it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sewer_gui.pacp.codes import CodeSpec, CodeTable
from sewer_gui.pacp.header_rules import LookupTable, default_lookups, header_problems
from sewer_gui.pacp.model import Inspection, Observation, Origin, ReviewState

NEVER_CONTINUOUS_HINT = "collapse, taps, access points, MWL and MSA are never continuous"


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    severity: Severity
    message: str
    observation: Observation | None = None  # None: about the header or the whole inspection
    scope: str = "header"  # without an observation: "header" or "inspection"
    field: str = ""  # the field at fault (an observation's, or the header's), if one

    def describe(self) -> str:
        if self.observation is None:
            return f"{self.severity}: {self.scope}: {self.message}"
        o = self.observation
        return f"{self.severity}: {o.code} at {o.distance:g}: {self.message}"


def validate(inspection: Inspection, table: CodeTable,
             lookups: LookupTable | None = None) -> list[Finding]:
    """All findings for an inspection: header, each observation, then the sequence rules."""
    header = inspection.header
    findings = [Finding(Severity.ERROR, f"required field '{label}' is empty", field=name)
                for name, _column, label, required in header.columns()
                if required and not getattr(header, name).strip()]
    findings.extend(Finding(Severity.ERROR, message, field=name) for name, message in
                    header_problems(header, lookups or default_lookups()))
    coded = [o for o in inspection.sorted_observations() if o.counts]
    for obs in coded:
        findings.extend(validate_observation(obs, table))
    findings.extend(_sequence_findings(coded))
    findings.extend(_end_findings(coded, inspection, table))
    # Entry order, not distance order, so that a finish typed before its start is caught.
    findings.extend(_continuous_findings([o for o in inspection.observations if o.counts]))
    pending = [o for o in inspection.observations
               if o.origin is Origin.AI_SUGGESTED and o.review is ReviewState.PENDING]
    for obs in pending:
        findings.append(Finding(Severity.WARNING,
                                "AI suggestion not reviewed: it is left out of ratings and export",
                                obs))
    return findings


def validate_observation(obs: Observation, table: CodeTable) -> list[Finding]:
    """Field rules for one observation against its code's specification."""
    spec = table.get(obs.code)
    if spec is None:
        return [Finding(Severity.ERROR, f"unknown code '{obs.code}'", obs)]
    out: list[Finding] = []

    def error(message: str, field: str) -> None:
        out.append(Finding(Severity.ERROR, message, obs, field=field))

    out.extend(_clock_findings(obs, spec))
    if obs.distance < 0:
        error("distance is negative", "distance")
    if spec.percent and obs.percent is None and spec.code in ("MWL", "X"):
        error("percent is required", "percent")
    elif obs.percent is None and spec.grade_rule.basis == "percent" and \
            (obs.continuous_role or ("S",))[0] != "F":
        # Without it the row has no grade and silently adds nothing to the ratings (a finish
        # row is not rated: its start row carries the grade).
        error("percent is required: the grade depends on it", "percent")
    if obs.percent is not None:
        if not spec.percent:
            error("this code takes no percent value", "percent")
        elif not 0 <= obs.percent <= 100:
            error(f"percent {obs.percent:g} is outside 0-100", "percent")
        elif obs.percent % 5:
            error(f"percent {obs.percent:g} is not to the nearest 5", "percent")
    if spec.values < 2 and obs.value_2 is not None:
        error("this code takes no second dimension", "value_2")
    if spec.values < 1 and obs.value_1 is not None:
        error("this code takes no dimension value", "value_1")
    if spec.remarks_required and not obs.remarks.strip():
        error("remarks are required for this code", "remarks")
    if obs.continuous and obs.continuous_role is None:
        error(f"continuous '{obs.continuous}' must be S01..S99 or F01..F99", "continuous")
    elif obs.continuous and not spec.continuous:
        error(f"{spec.code} cannot be continuous ({NEVER_CONTINUOUS_HINT})", "continuous")
    if obs.joint and not spec.joint:
        error("this code cannot be marked at a joint", "joint")
    return out


def _clock_findings(obs: Observation, spec: CodeSpec) -> list[Finding]:
    out: list[Finding] = []

    def error(message: str, field: str = "clock_from") -> None:
        out.append(Finding(Severity.ERROR, message, obs, field=field))

    for name, field, value in (("clock from", "clock_from", obs.clock_from),
                               ("clock to", "clock_to", obs.clock_to)):
        if value is not None and not 1 <= value <= 12:
            error(f"{name} {value} is not a clock position 1-12", field)
    wanted = spec.clock_positions
    if wanted == 0 and (obs.clock_from is not None or obs.clock_to is not None):
        error("this code takes no clock position")
    elif wanted >= 1 and obs.clock_from is None:
        error("clock position is missing (type it, e.g. 3 or 10-2)")
    elif wanted == 1 and obs.clock_to is not None:
        error("a point defect takes one clock position only", "clock_to")
    elif wanted == 2 and obs.clock_to is None:
        error("clock 'to' position is missing", "clock_to")
    return out


def _sequence_findings(coded: list[Observation]) -> list[Finding]:
    out: list[Finding] = []
    if not coded:
        return [Finding(Severity.WARNING, "the inspection has no observations",
                        scope="inspection")]
    at_start = [o for o in coded if o.distance == 0]
    # A missing start code is no fault of the first row (a crack at 12 ft): it is marked on a
    # row only when one sits at distance 0, else on the inspection.
    anchor = at_start[0] if at_start else None
    if not any(o.code.startswith("A") for o in at_start):
        out.append(Finding(Severity.ERROR, "no access point (e.g. AMH) coded at distance 0",
                           anchor, "inspection"))
    if not any(o.code == "MWL" for o in at_start):
        out.append(Finding(Severity.WARNING, "no water level (MWL) coded at distance 0",
                           anchor, "inspection"))
    for index, obs in enumerate(coded):
        if obs.code == "MSA" and index != len(coded) - 1:
            out.append(Finding(Severity.ERROR, "survey abandoned (MSA) must be the last code", obs))
    return out


def survey_end(inspection: Inspection, table: CodeTable) -> Observation | None:
    """The row where the survey ended: MSA (abandoned), else an access point at the farthest
    distance; None while the end is not coded. Its distance is the length surveyed."""
    coded = [o for o in inspection.sorted_observations() if o.counts]
    abandoned = next((o for o in coded if o.code == "MSA"), None)
    if abandoned is not None or not coded:
        return abandoned
    end = max(o.distance for o in coded)
    return next((o for o in coded if o.distance == end and end > 0
                 and _is_access(o.code, table)), None)


def _number(text: str) -> float | None:
    try:
        return float(text.strip())
    except ValueError:
        return None


def _end_findings(coded: list[Observation], inspection: Inspection,
                  table: CodeTable) -> list[Finding]:
    """The survey ends at an access point (or with MSA when abandoned), at the surveyed length,
    and (unless abandoned) at the pipe's total length."""
    if not coded or any(o.code == "MSA" for o in coded):
        return []
    end = max(o.distance for o in coded)
    if end == 0:
        return []  # nothing but the start: the end rules say nothing useful yet
    at_end = [o for o in coded if o.distance == end]
    access = next((o for o in at_end if _is_access(o.code, table)), None)
    if access is None:
        return [Finding(Severity.ERROR, "no access point (e.g. AMH) coded at the end of the "
                                        "survey; code MSA if the survey was abandoned",
                        at_end[-1])]
    found = []
    for value, label in ((inspection.header.length_surveyed, "length surveyed"),
                         (inspection.header.total_length, "total length")):
        length = _number(value)
        if length is not None and abs(length - end) > max(0.5, 0.01 * length):
            hint = "; code MSA if the survey was abandoned" if label == "total length" else ""
            found.append(Finding(Severity.WARNING, f"end access point at {end:g} but the "
                                                   f"header's {label} is {length:g}{hint}",
                                 access))
    return found


def _is_access(code: str, table: CodeTable) -> bool:
    spec = table.get(code)
    return spec.is_access_point if spec else code.startswith("A")


def _continuous_findings(coded: list[Observation]) -> list[Finding]:
    out: list[Finding] = []
    open_starts: dict[str, Observation] = {}
    msa = next((o for o in coded if o.code == "MSA"), None)
    for obs in coded:
        role = obs.continuous_role
        if role is None:
            continue
        kind, number = role
        if kind == "S":
            if number in open_starts:
                out.append(Finding(Severity.ERROR, f"S{number} opened again before F{number}", obs))
            open_starts[number] = obs
            continue
        start = open_starts.pop(number, None)
        if start is None:
            out.append(Finding(Severity.ERROR, f"F{number} has no matching S{number}", obs))
            continue
        if start.code != obs.code:
            out.append(Finding(Severity.ERROR,
                               f"F{number} code {obs.code} differs from the start's {start.code}",
                               obs))
        if (start.clock_from, start.clock_to) != (obs.clock_from, obs.clock_to):
            out.append(Finding(Severity.ERROR,
                               f"F{number} clock positions differ from the start's", obs))
        if obs.distance < start.distance:
            out.append(Finding(Severity.ERROR, f"F{number} lies before its start", obs))
        if msa is not None and obs.distance > msa.distance:
            out.append(Finding(Severity.ERROR, "continuous defect finishes after MSA", obs))
    for number, start in open_starts.items():
        out.append(Finding(Severity.ERROR, f"S{number} has no finish F{number}", start))
    return out


def blocking(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.ERROR]
