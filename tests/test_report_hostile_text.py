"""User text in the PDF report is text, never markup, and long remarks flow over pages."""

import pypdfium2 as pdfium
import pytest

from sewer_gui.pacp.examples import sample_inspection
from sewer_gui.report.markup import pieces
from sewer_gui.report.pdf_report import write_report


def _text(pdf) -> str:
    document = pdfium.PdfDocument(str(pdf))
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def test_tags_in_remarks_and_header_are_printed_not_obeyed(tmp_path, code_table):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for the report")
    inspection = sample_inspection()
    remarks = [f'<img src="{secret}" width="50" height="50"/>',
               '<a href="javascript:alert(1)">click</a>', "<b>unbalanced", "a & b < c > d"]
    for obs, remark in zip(inspection.observations[2:], remarks, strict=False):
        obs.remarks = remark
    inspection.header.street = "<font size=40>Elm</font>"
    pdf = write_report(inspection, code_table, tmp_path / "r.pdf")
    data = pdf.read_bytes()
    assert b"javascript" not in data and b"/URI" not in data
    text = _text(pdf).replace("\r", "").replace("\n", "")
    for needle in ("<img src=", "javascript:alert(1)", "<b>unbalanced", "a & b < c > d",
                   "<font size=40>Elm</font>"):
        assert needle in text


@pytest.mark.parametrize("remark", [
    "x" * 1615,  # one unbroken word, the length that raised LayoutError
    "Crack along the crown. " * 400,
    "line\n" * 600,
    "\x00\x07 control \x1b characters \ufffe",
])
def test_long_and_odd_remarks_wrap_and_split_across_pages(tmp_path, code_table, remark):
    inspection = sample_inspection()
    inspection.observations[3].remarks = remark
    inspection.header.location_details = "far " * 5000
    pdf = write_report(inspection, code_table, tmp_path / "r.pdf")
    text = _text(pdf)
    assert "Fracture" in text or "fracture" in text.lower()
    assert len(pdfium.PdfDocument(str(pdf))) >= (2 if len(remark) > 5000 else 1)


def test_remark_pieces_keep_every_character_in_bounded_rows():
    remark = ("word " * 300 + "y" * 900 + "\n" * 50).strip()
    parts = pieces(remark, size=200, max_lines=10)
    assert all(len(p) <= 200 and p.count("\n") < 10 for p in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == \
        remark.replace(" ", "").replace("\n", "")


def test_an_empty_length_surveyed_prints_how_far_the_survey_went(tmp_path, code_table):
    """Found by a keys-only trial: "Length surveyed -" although the survey ended at an AMH."""
    inspection = sample_inspection()
    for blank in ("", "   "):  # spaces alone are as empty (a fresh-eyes review)
        inspection.header.length_surveyed = blank
        text = _text(write_report(inspection, code_table, tmp_path / "r.pdf")).replace("\r", "")
        assert "80 ft (to AMH)" in text
    inspection.header.length_surveyed = "75"  # a value the coder typed is printed as it is
    text = _text(write_report(inspection, code_table, tmp_path / "s.pdf")).replace("\r", "")
    assert "80 ft (to AMH)" not in text


def test_a_rows_distance_and_time_read_in_the_report_as_in_the_table(tmp_path, code_table):
    """Found by a keys-only trial: the report printed 12.3 and 0:59 for the table's 12.35 and
    0:59.96 rounded to 1:00.0, so the row could not be found in the table."""
    from sewer_gui.pacp.model import Observation
    from sewer_gui.ui.observation_table import COLUMNS

    inspection = sample_inspection()
    obs = Observation(12.35, "CL", clock_from=3, video_time=59.96)
    inspection.observations.append(obs)
    text = _text(write_report(inspection, code_table, tmp_path / "r.pdf"))
    shown = {c.field: c.render(obs) for c in COLUMNS}
    assert (shown["distance"], shown["video_time"]) == ("12.35", "1:00.0")
    assert "12.35" in text and "1:00.0" in text


def test_every_header_field_the_coder_filled_is_printed_and_numbers_carry_units(tmp_path,
                                                                                 code_table):
    """Found by a keys-only trial: media label, work order, total length and eight more typed
    fields were missing from the report, and the height read "8" with no unit."""
    inspection = sample_inspection()
    h = inspection.header
    h.media_label, h.work_order, h.total_length, h.height = "DVD-001", "WO-555", "412", "8"
    h.po_number = ""
    text = _text(write_report(inspection, code_table, tmp_path / "r.pdf")).replace("\r", "")
    for printed in ("Media label", "DVD-001", "Work order", "WO-555", "412 ft", "8 in"):
        assert printed in text, printed
    assert "PO number" not in text  # empty: not printed beside the core fields
    from sewer_gui.pacp.model import Units

    inspection.units = Units.METRES
    text = _text(write_report(inspection, code_table, tmp_path / "m.pdf")).replace("\r", "")
    assert "8 mm" in text and "412 m" in text
