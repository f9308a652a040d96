"""The report's header block: the fields an engineer scans first, then every other field the
coder filled in, with units where a number has one.

A trial typed a media label, a work order, a total length and more, and found none of them in
the report; its height read "8" with no unit.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, Table, TableStyle

from sewer_gui.pacp.codes import CodeTable
from sewer_gui.pacp.display import is_number
from sewer_gui.pacp.header_rules import default_lookups, field_kind
from sewer_gui.pacp.model import Inspection, InspectionHeader, Units
from sewer_gui.pacp.validation import survey_end
from sewer_gui.report.markup import markup

HEADER_VALUE_LIMIT = 300  # characters of one header field shown in the report
HEADER_FIELDS = [  # (attribute, label) in the order an engineer scans them; always printed
    ("pipe_segment_reference", "Pipe segment"), ("inspection_date", "Date"),
    ("upstream_mh", "Upstream MH"), ("downstream_mh", "Downstream MH"),
    ("street", "Street"), ("city", "City"), ("direction", "Direction"),
    ("material", "Material"), ("shape", "Shape"), ("height", "Height"),
    ("length_surveyed", "Length surveyed"), ("year_laid", "Year laid"),
    ("owner", "Owner"), ("customer", "Customer"), ("surveyed_by", "Surveyed by"),
    ("certificate_number", "Certificate"), ("purpose", "Purpose"), ("weather", "Weather"),
]
SIZES = ("height", "width")  # inches with feet, millimetres with metres (PACP)
LENGTHS = ("length_surveyed", "total_length", "pipe_joint_length")


def printed_fields(header: InspectionHeader) -> list[tuple[str, str]]:
    """The core fields, then the others that hold a value, in the form's order."""
    core = {attr for attr, _label in HEADER_FIELDS}
    extra = [(attr, label) for attr, _column, label, _required in header.columns()
             if attr not in core and getattr(header, attr).strip()]
    return HEADER_FIELDS + extra


def header_value(name: str, value: str, units: Units = Units.FEET) -> str:
    """Coded fields print their description (with the code), not the bare code; numbers that
    have a unit print it."""
    lookups = default_lookups()
    value = value.strip()
    if not value:  # blanks too: a field of spaces would print as an empty cell
        return "-"
    if name in SIZES + LENGTHS and is_number(value):
        unit = ("in" if units is Units.FEET else "mm") if name in SIZES else str(units)
        return f"{value} {unit}"
    if field_kind(name, lookups) != "coded":
        return value
    try:
        code = lookups.resolve(name, value)
    except ValueError:
        return value
    return f"{lookups.describe(name, code)} ({code})"


def header_table(inspection: Inspection, table: CodeTable, width: float,
                 field: ParagraphStyle) -> Table:
    header = inspection.header
    shown = printed_fields(header)
    values = {attr: header_value(attr, getattr(header, attr), inspection.units)
              for attr, _label in shown}
    end = survey_end(inspection, table)
    if values["length_surveyed"] == "-" and end is not None:  # the survey says how far it went
        values["length_surveyed"] = f"{end.distance:g} {inspection.units} (to {end.code})"
    cells = [(label, Paragraph(markup(values[attr], HEADER_VALUE_LIMIT), field))
             for attr, label in shown]
    if len(cells) % 2:
        cells.append(("", ""))
    rows = [[a[0], a[1], b[0], b[1]] for a, b in zip(cells[0::2], cells[1::2], strict=True)]
    t = Table(rows, colWidths=[width * 0.17, width * 0.33, width * 0.17, width * 0.33])
    t.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
        ("FONT", (0, 0), (0, -1), "Helvetica-Bold", 8),
        ("FONT", (2, 0), (2, -1), "Helvetica-Bold", 8),
        ("TEXTCOLOR", (0, 0), (0, -1), colors.HexColor("#455a64")),
        ("TEXTCOLOR", (2, 0), (2, -1), colors.HexColor("#455a64")),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#cfd8dc")),
    ]))
    return t
