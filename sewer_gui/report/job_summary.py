"""The job summary: one row per pipe segment with its length, the nine ratings and the count
of defects by grade, so that an engineer sees the whole job on one or two pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from sewer_gui import __version__
from sewer_gui.job import SegmentRow, segment_row
from sewer_gui.pacp.codes import CodeTable
from sewer_gui.pacp.display import is_number
from sewer_gui.pacp.model import Inspection
from sewer_gui.report.markup import markup
from sewer_gui.report.pdf_report import middle_shortened, render_pdf

PAGE = landscape(letter)
CELL_LIMIT = 60  # characters of a header value in a summary cell
COLUMNS = ["#", "Segment", "Upstream\nMH", "Downstream\nMH", "Date", "Length", "Obs.",
           "ST\nrating", "ST\nquick", "ST\nindex", "O&M\nrating", "O&M\nquick", "O&M\nindex",
           "Overall\nrating", "Overall\nquick", "Overall\nindex",
           "Gr 1", "Gr 2", "Gr 3", "Gr 4", "Gr 5"]


def summary_rows(inspections: list[Inspection], table: CodeTable) -> list[SegmentRow]:
    return [segment_row(inspection, table) for inspection in inspections]


def _cells(number: int, row: SegmentRow, style: ParagraphStyle) -> list:
    text = [Paragraph(markup(value, CELL_LIMIT), style) for value in
            (row.segment, row.upstream_mh, row.downstream_mh, row.date, row.length_surveyed)]
    return [str(number), *text, str(row.observations), *row.rating_cells(),
            *[str(n) for n in row.grade_counts]]


def write_job_summary(inspections: list[Inspection], table: CodeTable, out_path: Path,
                      project_file: str = "") -> Path:
    """One table row per inspection, written atomically to `out_path` (ReportError)."""
    base = getSampleStyleSheet()
    cell = ParagraphStyle("cell", parent=base["Normal"], fontSize=7, leading=8.5)
    rows = summary_rows(inspections, table)
    data = [COLUMNS] + [_cells(k, row, cell) for k, row in enumerate(rows, start=1)]
    grid = Table(data, repeatRows=1, colWidths=[18, 96, 60, 60, 50, 36, 24] + [33] * 9
                 + [22] * 5)
    grid.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 6.5), ("FONT", (0, 1), (-1, -1), "Helvetica", 7),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eceff1")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#90a4ae")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    total = sum(float(r.length_surveyed) for r in rows if is_number(r.length_surveyed))
    units = {str(i.units) for i in inspections}
    unit = units.pop() if len(units) == 1 else "(mixed units)"
    story = [Paragraph("Job summary (PACP-style)", base["Title"]),
             Paragraph(f"{len(rows)} inspection(s), {total:g} {unit} surveyed in all; project "
                       f"{markup(project_file or '-', CELL_LIMIT)}", base["Normal"]),
             Spacer(1, 8), grid]
    footer = (f"PACP-style job summary  |  project: {middle_shortened(project_file) or '-'}  |  "
              f"sewer-pacp-assistant {__version__}  |  {dt.date.today().isoformat()}")
    return render_pdf(story, Path(out_path), footer, title="Job summary", author="",
                      subject="PACP-style job summary", pagesize=PAGE)
