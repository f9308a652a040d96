"""What the PDF says about who decided what, where the pipe ends, and how the file is written."""

from __future__ import annotations

import os

from reportlab.graphics.shapes import String

from sewer_gui.pacp.examples import sample_inspection
from sewer_gui.pacp.model import Observation, Origin
from sewer_gui.report.pdf_report import write_report
from sewer_gui.report.pipe_graphic import pipe_drawing
from tests.test_report_hostile_text import _text as pdf_text


def test_footer_names_every_model_and_rows_say_ai_edited(tmp_path, code_table):
    inspection = sample_inspection()
    inspection.model_used = ""  # what the app had loaded last says nothing about old rows
    inspection.observations.insert(3, Observation(
        20.0, "FL", clock_from=2, origin=Origin.AI_EDITED, confidence=0.77, model_id="cmi-v2"))
    text = pdf_text(write_report(inspection, code_table, tmp_path / "r.pdf"))
    assert "models: cmi-demo, cmi-v2" in text
    assert "AI-confirmed 91%" in text and "AI-edited 77%" in text
    assert "Downstream (D)" in text and "Vitrified clay pipe (VCP)" in text
    assert "model: none" not in text


def test_downstream_manhole_is_drawn_at_the_surveyed_length(code_table):
    inspection = sample_inspection()
    inspection.observations = [o for o in inspection.observations if o.distance <= 50]
    inspection.header.length_surveyed = "80 ft"  # typed with its unit
    drawing = pipe_drawing(inspection, code_table, width=500)
    labels = {s.text: s.x for s in drawing.contents if isinstance(s, String)}
    left, right = labels["MH-17"], labels["MH-18"]
    assert right == 500 - 48  # the far end of the pipe: 80, not the last defect at 50
    assert abs(labels["FL"] - (left + (right - left) * 50 / 80)) < 0.5


def test_reports_honour_the_umask(tmp_path, code_table):
    old = os.umask(0o022)
    try:
        path = write_report(sample_inspection(), code_table, tmp_path / "open.pdf")
        assert path.stat().st_mode & 0o777 == 0o644
        os.umask(0o077)
        path = write_report(sample_inspection(), code_table, tmp_path / "private.pdf")
        assert path.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)


def test_a_long_footer_wraps_clear_of_the_page_number(tmp_path, code_table):
    """Found by a keys-only trial: the footer ran under "Page 1 of 2" and off the page."""
    import datetime as dt

    import pypdfium2 as pdfium

    project = "/home/coder/projects/" + "city-of-somewhere-2026-sanitary-rehab/" * 3 + "p.sewerproj"
    project = project.replace("/projects/", "/" + "x" * 160 + "/")  # one word wider than a line
    pdf = write_report(sample_inspection(), code_table, tmp_path / "r.pdf", project_file=project)
    document = pdfium.PdfDocument(str(pdf))
    try:
        page = document[0]
        width = page.get_width()
        text = page.get_textpage()
        total = len(document)
        # Right of the footer's wrapped text, at the page number's height: the number alone.
        number = text.get_text_bounded(left=width - 90, bottom=24, right=width, top=34)
        footer = text.get_text_bounded(left=0, bottom=0, right=width, top=40)
    finally:
        document.close()
    assert number.strip() == f"Page 1 of {total}"
    flat = footer.replace("\r", "").replace("\n", "")
    # The path keeps its start and file name; the date at the end is on the page.
    assert dt.date.today().isoformat() in flat and "/home/coder" in flat and "p.sewerproj" in flat
    assert len(footer.strip().splitlines()) <= 2


def test_footer_lines_break_a_word_wider_than_the_room():
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from sewer_gui.report.pdf_report import footer_lines

    lines = footer_lines("project: /" + "a" * 300 + "/p.sewerproj | model: m", 200)
    assert all(stringWidth(line, "Helvetica", 7) <= 200 for line in lines)
    assert "".join(lines).replace(" ", "") == ("project:/" + "a" * 300 + "/p.sewerproj|model:m")


def test_codes_at_one_place_share_one_label(code_table):
    """A trial: the AMH and the MWL at 0 ft drew their labels through each other."""
    inspection = sample_inspection()
    inspection.header.length_surveyed = "100 ft"
    inspection.observations = [Observation(0.0, "AMH"), Observation(0.0, "MWL", percent=5),
                               Observation(40.0, "CL", clock_from=12),
                               Observation(40.2, "CL", clock_from=3),
                               Observation(70.0, "TFA", clock_from=3, value_1=4)]
    drawing = pipe_drawing(inspection, code_table, width=500)
    labels = [s.text for s in drawing.contents if isinstance(s, String)
              if s.text not in ("MH-17", "MH-18") and not s.text.endswith(" ft")]
    assert labels == ["AMH / MWL", "CL", "TFA"]
