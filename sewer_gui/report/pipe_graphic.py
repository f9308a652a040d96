"""A pipe drawn from upstream to downstream access point with its defects along the length."""

from __future__ import annotations

import re

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors

from sewer_gui.pacp.codes import CodeTable
from sewer_gui.pacp.grade_colours import GRADE_HEX
from sewer_gui.pacp.model import Inspection
from sewer_gui.pacp.ratings import observation_grade

GRADE_COLOURS = {grade: colors.HexColor(hex_colour) for grade, hex_colour in GRADE_HEX.items()}


def grade_colour(grade: int | None) -> colors.Color:
    return GRADE_COLOURS.get(grade, GRADE_COLOURS[None])


def pipe_drawing(inspection: Inspection, table: CodeTable, width: float,
                 height: float = 92) -> Drawing:
    observations = [o for o in inspection.sorted_observations() if o.counts]
    surveyed = surveyed_length(inspection)
    length = max([o.distance for o in observations] + [surveyed, 1.0])
    left, right = 48.0, width - 48.0
    pipe_y, pipe_h = 30.0, 14.0

    def x_at(distance: float) -> float:
        return left + (right - left) * distance / length

    d = Drawing(width, height)
    d.add(Rect(left, pipe_y, right - left, pipe_h, fillColor=colors.HexColor("#cfd8dc"),
               strokeColor=colors.HexColor("#455a64"), strokeWidth=0.8))
    for x, label in ((left, inspection.header.upstream_mh or "Start"),
                     (x_at(surveyed or length), inspection.header.downstream_mh or "End")):
        d.add(Rect(x - 6, pipe_y - 6, 12, pipe_h + 12, fillColor=colors.HexColor("#37474f"),
                   strokeColor=None))
        d.add(String(x, pipe_y - 18, label, fontSize=7, textAnchor="middle"))
    unit = str(inspection.units)
    for step in range(0, 6):
        distance = length * step / 5
        d.add(String(x_at(distance), 4, f"{distance:.0f} {unit}", fontSize=6,
                     textAnchor="middle", fillColor=colors.HexColor("#455a64")))
    _draw_continuous_runs(d, observations, table, x_at, pipe_y, pipe_h)
    marks = [o for o in observations if not (o.continuous_role and o.continuous_role[0] == "F")]
    for index, group in enumerate(_same_place(marks, x_at)):
        grades = [observation_grade(o, table) for o in group]
        for obs, grade in zip(group, grades, strict=True):
            x = x_at(obs.distance)
            d.add(Line(x, pipe_y, x, pipe_y + pipe_h, strokeColor=grade_colour(grade),
                       strokeWidth=2))
        x, colour = x_at(group[0].distance), grade_colour(max(g or 0 for g in grades) or None)
        label_y = pipe_y + pipe_h + 6 + (index % 3) * 12  # stagger so neighbours stay legible
        d.add(Line(x, pipe_y + pipe_h, x, label_y - 1, strokeColor=colour, strokeWidth=0.4))
        d.add(String(x, label_y, " / ".join(dict.fromkeys(o.code for o in group)), fontSize=6.5,
                     textAnchor="middle", fillColor=colour))
    return d


SAME_PLACE_PT = 8.0  # codes this close on the drawing share one label


def _same_place(marks: list, x_at) -> list[list]:
    """Observations at (nearly) one place, grouped: an AMH and an MWL at 0 ft drew their labels
    and leader lines through each other (a trial's report)."""
    groups: list[list] = []
    for obs in marks:
        if groups and x_at(obs.distance) - x_at(groups[-1][0].distance) < SAME_PLACE_PT:
            groups[-1].append(obs)
        else:
            groups.append([obs])
    return groups


def _draw_continuous_runs(d: Drawing, observations, table, x_at, pipe_y: float,
                          pipe_h: float) -> None:
    starts = {}
    for obs in observations:
        role = obs.continuous_role
        if not role:
            continue
        if role[0] == "S":
            starts[role[1]] = obs
        elif role[1] in starts:
            start = starts.pop(role[1])
            colour = grade_colour(observation_grade(start, table))
            x0, x1 = x_at(start.distance), x_at(obs.distance)
            d.add(Rect(x0, pipe_y + 3, max(x1 - x0, 1.5), pipe_h - 6, fillColor=colour,
                       strokeColor=None, fillOpacity=0.55))


def surveyed_length(inspection: Inspection) -> float:
    """The header's surveyed (else total) length, else the end access point's distance; 0 when
    none is known. Accepts a unit after the number ("80 ft")."""
    for text in (inspection.header.length_surveyed, inspection.header.total_length):
        match = re.match(r"\s*(\d+(?:\.\d*)?)", text or "")
        if match and float(match.group(1)) > 0:
            return float(match.group(1))
    ends = [o.distance for o in inspection.observations
            if o.counts and o.code.startswith("A") and o.distance > 0]
    return max(ends, default=0.0)
