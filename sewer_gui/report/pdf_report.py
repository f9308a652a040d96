"""One PDF per inspection, laid out for a utility engineer: header, ratings, pipe, table."""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.doctemplate import LayoutError

from sewer_gui import __version__
from sewer_gui.pacp.codes import CodeTable
from sewer_gui.pacp.display import distance_text, video_time_text
from sewer_gui.pacp.model import Inspection, Observation, Origin
from sewer_gui.pacp.ratings import InspectionRatings, observation_grade, rate
from sewer_gui.report.header_table import HEADER_VALUE_LIMIT, header_table
from sewer_gui.report.markup import markup, pieces, plain
from sewer_gui.report.pipe_graphic import grade_colour, pipe_drawing

PAGE = letter
MARGIN = 0.5 * inch
FOOTER_LINES = 2  # a third line would sit in many printers' margin


class ReportError(Exception):
    """The report could not be written; the message names the file."""


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontSize=16, spaceAfter=2),
        "subtitle": ParagraphStyle("subtitle", parent=base["Normal"], fontSize=9,
                                   textColor=colors.HexColor("#455a64"), alignment=1),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontSize=11, spaceBefore=8,
                             spaceAfter=4, textColor=colors.HexColor("#263238")),
        "cell": ParagraphStyle("cell", parent=base["Normal"], fontSize=7.5, leading=9),
        "field": ParagraphStyle("field", parent=base["Normal"], fontSize=8, leading=9.5),
    }


class _NumberedCanvas(pdf_canvas.Canvas):
    """Defers page output so that the footer can say 'page N of M'."""

    footer_text = ""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._draw_footer(total)
            super().showPage()
        super().save()

    def _draw_footer(self, total: int) -> None:
        width = self._pagesize[0]
        self.setFont("Helvetica", 7)
        self.setFillColor(colors.HexColor("#546e7a"))
        self.line(MARGIN, 0.55 * inch, width - MARGIN, 0.55 * inch)
        page = f"Page {self._pageNumber} of {total}"
        self.drawRightString(width - MARGIN, 0.4 * inch, page)
        # Wrapped left of the page number: one line ran under it and off the page (long
        # project paths, several model ids).
        room = width - 2 * MARGIN - stringWidth(page, "Helvetica", 7) - 12
        lines = footer_lines(self.footer_text, room)
        for k, line in enumerate(lines[:FOOTER_LINES]):
            if k == FOOTER_LINES - 1 and len(lines) > FOOTER_LINES:
                line = line[:-1] + "…"
            self.drawString(MARGIN, 0.4 * inch - 8.5 * k, line)


def footer_lines(text: str, room: float) -> list[str]:
    """`text` wrapped at spaces to `room` points of 7 pt Helvetica; a word longer than the
    room (a project path) is broken where it reaches the edge."""
    out: list[str] = []
    for line in simpleSplit(text, "Helvetica", 7, room):
        while stringWidth(line, "Helvetica", 7) > room:
            cut = next(k for k in range(len(line), 0, -1)
                       if stringWidth(line[:k], "Helvetica", 7) <= room)
            out.append(line[:cut])
            line = line[cut:]
        out.append(line)
    return out


def middle_shortened(text: str, limit: int = 90) -> str:
    """A long project path keeps its start and its file name: "/home/.../job.sewerproj"."""
    if len(text) <= limit:
        return text
    keep = (limit - 1) // 2
    return f"{text[:keep]}…{text[-keep:]}"


def write_report(inspection: Inspection, table: CodeTable, out_path: Path,
                 project_file: str = "") -> Path:
    """Render the report to `out_path` atomically (a failed write leaves no partial file)."""
    out_path = Path(out_path)
    story = build_story(inspection, table)
    models = models_used(inspection)
    footer = (f"PACP-style report  |  project: {middle_shortened(project_file) or '-'}  |  "
              f"{'models' if len(models) > 1 else 'model'}: "
              f"{', '.join(models) or 'none (every row coded by hand)'}  |  "
              f"sewer-pacp-assistant {__version__}  |  {dt.date.today().isoformat()}")
    return render_pdf(story, out_path, footer, title=plain(inspection.title()),
                      author=plain(inspection.header.surveyed_by),
                      subject="PACP-style sewer inspection report")


def render_pdf(story: list, out_path: Path, footer: str, title: str, author: str,
               subject: str, pagesize: tuple[float, float] = PAGE) -> Path:
    """Lay out `story` with the numbered footer and write it atomically (ReportError)."""
    canvas_class = type("FooterCanvas", (_NumberedCanvas,), {"footer_text": footer})
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".report-", suffix=".pdf", dir=out_path.parent)
        os.close(fd)
        try:
            doc = SimpleDocTemplate(tmp_name, pagesize=pagesize, leftMargin=MARGIN,
                                    rightMargin=MARGIN, topMargin=MARGIN,
                                    bottomMargin=0.75 * inch, title=title, author=author,
                                    subject=subject)
            doc.build(story, canvasmaker=canvas_class)
            os.chmod(tmp_name, 0o666 & ~current_umask())  # mkstemp's 0600 is not the user's wish
            os.replace(tmp_name, out_path)
        finally:
            Path(tmp_name).unlink(missing_ok=True)
    except OSError as exc:
        raise ReportError(f"Could not write the report {out_path}: {exc.strerror or exc}") from exc
    except (LayoutError, ValueError) as exc:
        raise ReportError(f"Could not lay out the report {out_path}: "
                          f"{str(exc).splitlines()[0][:200]}") from exc
    return out_path


def models_used(inspection: Inspection) -> list[str]:
    """Every model behind a reviewed AI row of the report (footer), in order of appearance."""
    names: list[str] = []
    for obs in inspection.sorted_observations():
        if obs.counts and obs.origin is not Origin.MANUAL:
            name = obs.model_id or inspection.model_used or "unknown model"
            if name not in names:
                names.append(name)
    return names


def current_umask() -> int:
    """The process umask without changing it (Linux: /proc), else the set-and-restore dance."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def build_story(inspection: Inspection, table: CodeTable) -> list:
    styles = _styles()
    width = PAGE[0] - 2 * MARGIN
    ratings = rate(inspection.observations, inspection.units, table)
    return [
        Paragraph("Sewer Inspection Report (PACP-style)", styles["title"]),
        Paragraph(markup(inspection.title(), HEADER_VALUE_LIMIT), styles["subtitle"]),
        Spacer(1, 8),
        header_table(inspection, table, width, styles["field"]),
        Paragraph("Condition ratings", styles["h2"]),
        _ratings_table(ratings),
        Paragraph("Defects along the pipe", styles["h2"]),
        pipe_drawing(inspection, table, width),
        Paragraph(f"Observations (distances in {inspection.units})", styles["h2"]),
        _observation_table(inspection, table, width, styles["cell"]),
    ]


def _grid_style(header_rows: int = 1) -> list:
    return [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 7.5),
        ("FONT", (0, 0), (-1, header_rows - 1), "Helvetica-Bold", 7.5),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#eceff1")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b0bec5")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]


def _ratings_table(ratings: InspectionRatings) -> Table:
    rows = [["", "Pipe rating", "Rating index", "Quick rating", "Occurrences"]]
    for name, fam in (("Structural", ratings.structural), ("O&M", ratings.om),
                      ("Overall", ratings.overall)):
        rows.append([name, str(fam.pipe_rating), f"{fam.index:.2f}", fam.quick,
                     str(fam.occurrences)])
    t = Table(rows, colWidths=[1.1 * inch] + [1.15 * inch] * 4)
    style = _grid_style()
    style += [("FONT", (0, 1), (0, -1), "Helvetica-Bold", 7.5),
              ("ALIGN", (1, 0), (-1, -1), "CENTER"),
              ("FONT", (0, 3), (-1, 3), "Helvetica-Bold", 7.5)]
    t.setStyle(TableStyle(style))
    return t


def _clock_text(obs: Observation) -> str:
    if obs.clock_from is None:
        return ""
    return str(obs.clock_from) if obs.clock_to is None else f"{obs.clock_from}-{obs.clock_to}"


def _values_text(obs: Observation) -> str:
    parts = [f"{v:g}" for v in (obs.value_1, obs.value_2) if v is not None]
    if obs.percent is not None:
        parts.append(f"{obs.percent:g}%")
    return " / ".join(parts)


def _origin_text(obs: Observation) -> str:
    if obs.origin is Origin.MANUAL:
        return ""
    return f"<br/><font color='#607d8b'>{markup(obs.source_text())}</font>"


def _thumbnail(jpeg: bytes | None, max_width: float) -> object:
    if not jpeg:
        return ""
    image = Image(io.BytesIO(jpeg))
    scale = max_width / image.imageWidth
    image.drawWidth, image.drawHeight = max_width, image.imageHeight * scale
    return image


def _observation_table(inspection: Inspection, table: CodeTable, width: float,
                       cell: ParagraphStyle) -> Table:
    head = ["Distance", "Video", "Code", "Description", "Cont.", "Clock", "Values", "Joint",
            "Grade", "Remarks", "Snapshot"]
    widths = [0.55, 0.5, 0.45, 1.45, 0.4, 0.45, 0.6, 0.35, 0.4, 1.2, 1.15]
    scale = width / (sum(widths) * inch)
    col_widths = [w * inch * scale for w in widths]
    rows: list[list] = [head]
    grade_cells = []
    for obs in (o for o in inspection.sorted_observations() if o.counts):
        spec = table.get(obs.code)
        grade = observation_grade(obs, table)
        remarks = pieces(obs.remarks)
        rows.append([
            distance_text(obs.distance), video_time_text(obs.video_time), obs.code,
            Paragraph(markup(spec.description if spec else "unknown code") + _origin_text(obs),
                      cell),
            plain(obs.continuous)[:8], _clock_text(obs), _values_text(obs),
            "Yes" if obs.joint else "", "" if grade is None else str(grade),
            Paragraph(markup(remarks[0]), cell), _thumbnail(obs.snapshot_jpeg, col_widths[-1] - 6),
        ])
        grade_cells.append((len(rows) - 1, grade))
        # A row cannot split across pages: the rest of a long remark goes in rows of its own.
        rows.extend([""] * 9 + [Paragraph(markup(more), cell), ""] for more in remarks[1:])
    if len(rows) == 1:
        rows.append(["", "", "", Paragraph("No reviewed observations.", cell)] + [""] * 7)
    t = Table(rows, colWidths=col_widths, repeatRows=1)
    style = _grid_style() + [("ALIGN", (0, 1), (2, -1), "CENTER"),
                             ("ALIGN", (4, 1), (8, -1), "CENTER")]
    for row, grade in grade_cells:
        if grade is not None:
            style += [("BACKGROUND", (8, row), (8, row), grade_colour(grade)),
                      ("TEXTCOLOR", (8, row), (8, row), colors.white),
                      ("FONT", (8, row), (8, row), "Helvetica-Bold", 8)]
    t.setStyle(TableStyle(style))
    return t
